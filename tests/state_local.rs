//! The local state store under the commands: a change recorded under compare-and-swap (the
//! loser of two racing `advance` runs names the winner), and a kill that lands while the
//! store cannot take its records, kept in the outbox and pushed by a later command.

use std::process::Stdio;
use std::time::Duration;

use crate::test::Project;

const DAY_OF_BETA: &str = "2024-01-18T09:00:00Z";

#[test]
fn of_two_advances_from_the_same_state_one_is_made_and_the_other_names_the_holder() {
    let p = Project::builder_cards();
    p.walk_builder_cards_to("internal");
    let before = p.journal().len();
    // Alice decides internal → beta, then is held before recording it; Bob tries the same move
    // meanwhile and is stopped by Alice's lease before the provider and the journal. (Without
    // the lease, the store's compare-and-swap stops the second: tests/state_postgres.rs,
    // tests/state_git.rs and the local store's unit tests show it.)
    let alice = p
        .command(&["advance", "--yes"])
        .env(crate::test::TEST_NOW, DAY_OF_BETA)
        .env("ROLLOUT_ACTOR", "alice")
        .env("ROLLOUT_TEST_PAUSE_BEFORE_RECORD_MS", "2500")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    let bob = p
        .rollout(["advance", "--yes"])
        .at(DAY_OF_BETA)
        .env("ROLLOUT_ACTOR", "bob")
        .status(5)
        .run();
    assert!(
        bob.stderr.starts_with("error: alice on ")
            && bob
                .stderr
                .contains(" holds the lease on use-new-builder-cards until "),
        "{}",
        bob.stderr
    );
    let alice = alice.wait_with_output().unwrap();
    assert_eq!(alice.status.code(), Some(0), "{alice:?}");
    // Alice's intent and outcome only: one record of the move.
    let new = &p.journal()[before..];
    let who: Vec<(&str, &str)> = new
        .iter()
        .map(|r| (r["actor"].as_str().unwrap(), r["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(who, [("alice", "intent"), ("alice", "applied")], "{new:#?}");
    p.rollout(["status"])
        .at(DAY_OF_BETA)
        .stdout_has("beta (10%)")
        .run();
}

/// Makes the project's journal unwritable (a directory in its place); `restore` undoes it.
fn break_journal(p: &Project) {
    std::fs::rename(
        p.path(".rollout/journal.jsonl"),
        p.path(".rollout/journal.bak"),
    )
    .unwrap();
    std::fs::create_dir(p.path(".rollout/journal.jsonl")).unwrap();
}

fn restore(p: &Project) {
    std::fs::remove_dir(p.path(".rollout/journal.jsonl")).unwrap();
    std::fs::rename(
        p.path(".rollout/journal.bak"),
        p.path(".rollout/journal.jsonl"),
    )
    .unwrap();
}

#[test]
fn a_kill_lands_while_the_store_is_down_and_its_records_reach_the_store_later() {
    let p = Project::builder_cards();
    p.walk_builder_cards_to("beta");
    let before = p.journal().len();
    break_journal(&p);
    let done = p
        .rollout(["kill", "--reason", "incident"])
        .at(DAY_OF_BETA)
        .stdout_has("KILLED use-new-builder-cards (was beta)")
        .run();
    let kept = "did not take the record of kill use-new-builder-cards at beta (10%): incident \
                (could not write the journal ./.rollout/journal.jsonl: Is a directory (os error \
                21)); it is kept in ./.rollout/outbox.jsonl and reaches the store with the next \
                command that can write there";
    assert_eq!(done.stderr.matches(kept).count(), 2, "{}", done.stderr);
    assert!(p
        .read(".rollout/flags.json")
        .contains("\"rolloutKilled\": true"));
    // advance, rollback and resume refuse before touching the flag while the store is down.
    p.rollout(["resume", "--yes"])
        .at(DAY_OF_BETA)
        .status(4)
        .stderr_has("the state store (local ./.rollout/journal.jsonl) cannot be reached")
        .run();
    assert!(p
        .read(".rollout/flags.json")
        .contains("\"rolloutKilled\": true"));
    restore(&p);
    // The next command that reaches the store pushes the kill's records, once: a read too.
    p.rollout(["history", "--limit", "1"])
        .stdout_has("kill use-new-builder-cards at beta (10%): incident")
        .stderr_has(
            "warning: 2 record(s) kept in .rollout/outbox.jsonl while the state store was \
             unreachable now reached it",
        )
        .run();
    p.rollout(["status"])
        .at(DAY_OF_BETA)
        .stderr_lacks("outbox")
        .run();
    let new = &p.journal()[before..];
    let kills: Vec<&str> = new
        .iter()
        .map(|r| {
            assert_eq!(r["action"], "kill");
            r["outcome"].as_str().unwrap()
        })
        .collect();
    assert_eq!(kills, ["intent", "applied"], "{new:#?}");
    assert_eq!(p.read(".rollout/outbox.jsonl"), "");
}

#[test]
fn a_checklist_run_the_store_cannot_take_is_kept_and_reaches_it_later() {
    let p = Project::with_checklist("demo", "tasks:\n  - {name: Build, run: 'true'}\n");
    p.rollout(["advance"]).at("2024-01-15T10:00:00Z").run();
    break_journal(&p);
    p.checklist(["run", "demo"])
        .at("2024-01-15T10:01:00Z")
        .stderr_has("did not take the record of this run (could not write the journal")
        .stderr_has("/.rollout/outbox.jsonl and reaches the store with the next rollout command")
        .run();
    restore(&p);
    p.rollout(["history", "--limit", "1"])
        .stdout_has("checklist demo: passed")
        .stderr_has("warning: 1 record(s) kept in .rollout/outbox.jsonl")
        .run();
    let runs = p
        .journal()
        .iter()
        .filter(|r| r["action"] == "checklist")
        .count();
    assert_eq!(runs, 1);
}
