//! Every `rollout` command against a real Unleash server: stages as strategies, kill and resume,
//! rollback, soak times from Unleash's event log, dry runs, and a change made directly through
//! the Admin API between two commands.

use std::time::Duration;

use serde_json::{json, Value};

use crate::test::Project;
use crate::unleash_server::{journal, server, Server, STAGES};

fn wait_out_internal_soak() {
    std::thread::sleep(Duration::from_millis(1200));
}

#[test]
fn a_stage_is_a_flexible_rollout_with_users_and_groups_as_constrained_strategies() {
    let s = server();
    let flag = flag_with_beta_1_outside_internal(&s);
    let p = s.project(&flag, STAGES);
    let rollout = internal_is_a_rollout_and_a_groups_strategy(&s, &flag, &p);
    wait_out_internal_soak();
    beta_patches_the_rollout_and_adds_a_users_strategy(&s, &flag, &p, &rollout);
    beta_soaks_by_the_event_log(&s, &p);
    rollback_drops_the_users_strategy_and_shrinks_the_groups(&s, &flag, &p);
}

/// A flag name under which beta-1 is outside internal's 5% by percentage, so that `check`
/// finds it first at beta, as a listed user (flag names are random per run).
fn flag_with_beta_1_outside_internal(s: &Server) -> String {
    loop {
        let f = s.create_flag("walk");
        if rollout::domain::exposure::unleash::normalized(&f, "beta-1") > 5 {
            break f;
        }
    }
}

/// The first advance: a flexible rollout at 5% titled with the note, and the groups strategy;
/// returns the rollout strategy.
fn internal_is_a_rollout_and_a_groups_strategy(s: &Server, flag: &str, p: &Project) -> Value {
    s.rollout(p, ["status"])
        .stdout_has("not started")
        .stdout_has("internal (5%): allowed now")
        .run();
    s.rollout(p, ["advance", "--reason", "first light"])
        .stdout_has("not started → internal (5%) in development")
        .run();
    let env = s.environment(flag, "development");
    assert_eq!(env["enabled"], true);
    let rollout = s.rollout_strategy(flag);
    assert_eq!(rollout["name"], "flexibleRollout");
    assert_eq!(
        rollout["parameters"],
        json!({"rollout": "5", "stickiness": "default", "groupId": flag})
    );
    // The note travels in the strategy title: action, stage, actor, reason.
    let title = rollout["title"].as_str().unwrap();
    for part in [
        "rollout stage internal",
        "advance",
        "tester@example.com",
        "first light",
    ] {
        assert!(title.contains(part), "title {title:?} lacks {part:?}");
    }
    let groups = s.constrained(flag, "group").expect("a groups strategy");
    assert_eq!(groups["constraints"][0]["operator"], "IN");
    assert_eq!(
        groups["constraints"][0]["values"],
        json!(["internal", "developers"])
    );
    assert_eq!(groups["parameters"]["rollout"], "100");
    assert!(
        s.constrained(flag, "userId").is_none(),
        "no users listed yet"
    );
    rollout
}

/// Advancing to beta patches the same `rollout` strategy and adds the users strategy and beta's
/// group.
fn beta_patches_the_rollout_and_adds_a_users_strategy(
    s: &Server,
    flag: &str,
    p: &Project,
    rollout: &Value,
) {
    s.rollout(p, ["advance", "beta"])
        .stdout_has("internal → beta (10%)")
        .run();
    assert_eq!(s.rollout_strategy(flag)["parameters"]["rollout"], "10");
    assert_eq!(
        s.rollout_strategy(flag)["id"],
        rollout["id"],
        "the same strategy, patched"
    );
    let users = s.constrained(flag, "userId").expect("a users strategy");
    assert_eq!(
        users["constraints"][0]["values"],
        json!(["beta-1", "beta-2"])
    );
    assert_eq!(
        s.constrained(flag, "group").unwrap()["constraints"][0]["values"],
        json!(["internal", "developers", "beta_testers"])
    );
}

/// Soak comes from Unleash's event log: beta started just now and soaks 7 days; then check and
/// history.
fn beta_soaks_by_the_event_log(s: &Server, p: &Project) {
    s.rollout(p, ["advance"])
        .status(3)
        .stderr_has("beta must soak 7d first")
        .run();
    let doc = s.rollout(p, ["status", "--json"]).run().json();
    assert_eq!(doc["stage"], "beta");
    assert_eq!(doc["percentage"], 10);
    assert_eq!(doc["on"], true);
    assert!(doc["since"].is_string(), "since from the event log: {doc}");
    assert_eq!(doc["next"]["allowed_now"], false);
    s.rollout(p, ["plan"]).stdout_has("▶  beta").run();

    // check and history.
    s.rollout(p, ["check", "beta-1"])
        .stdout_has("first on at beta (10%); now on (at beta)")
        .run();
    s.rollout(p, ["history"])
        .stdout_has("advance")
        .stdout_has("internal → beta (10%)")
        .run();
}

/// Rollback drops beta's users strategy and shrinks the groups; the journal holds the three
/// moves.
fn rollback_drops_the_users_strategy_and_shrinks_the_groups(s: &Server, flag: &str, p: &Project) {
    s.rollout(p, ["rollback", "--yes"])
        .stdout_has("beta → internal (5%)")
        .run();
    assert_eq!(s.rollout_strategy(flag)["parameters"]["rollout"], "5");
    assert!(s.constrained(flag, "userId").is_none());
    assert_eq!(
        s.constrained(flag, "group").unwrap()["constraints"][0]["values"],
        json!(["internal", "developers"])
    );
    let j = journal(p);
    assert_eq!(j.len(), 3, "{j:#?}");
    assert_eq!(j[2]["action"], "rollback");
    assert_eq!(j[2]["provider"], "unleash");
    assert_eq!(j[2]["environment"], "development");
}

#[test]
fn kill_turns_the_environment_off_and_resume_brings_back_the_same_strategies() {
    let s = server();
    let flag = s.create_flag("kill");
    let p = s.project(&flag, STAGES);
    s.rollout(&p, ["advance"]).run();
    wait_out_internal_soak();
    s.rollout(&p, ["advance"]).run();
    let before = s.strategies(&flag);
    let done = s
        .rollout(&p, ["kill", "--reason", "error spike", "-v"])
        .stdout_has("KILLED")
        .stdout_has("read back: off")
        .run();
    // Exactly the requests a kill needs: read, off, read back.
    let sent: Vec<&str> = done
        .stderr
        .lines()
        .filter(|l| l.starts_with("Unleash: ") && !l.starts_with("Unleash: 2"))
        .collect();
    assert_eq!(sent.len(), 3, "{sent:#?}");
    assert!(sent[0].starts_with("Unleash: GET "), "{sent:#?}");
    assert!(
        sent[1].starts_with("Unleash: POST ") && sent[1].ends_with("/environments/development/off"),
        "{sent:#?}"
    );
    assert!(sent[2].starts_with("Unleash: GET "), "{sent:#?}");
    assert_eq!(s.environment(&flag, "development")["enabled"], false);
    assert_eq!(
        s.strategies(&flag),
        before,
        "kill leaves the strategies untouched"
    );

    s.rollout(&p, ["status"])
        .stdout_has("KILLED since")
        .stdout_has("beta (10%)")
        .run();
    s.rollout(&p, ["advance"])
        .status(3)
        .stderr_has("the flag is killed: run `rollout resume` first")
        .run();
    s.rollout(&p, ["rollback"])
        .status(3)
        .stderr_has("the flag is killed")
        .run();
    s.rollout(&p, ["kill"]).stdout_has("already off").run();
    s.rollout(&p, ["resume"])
        .status(2)
        .stderr_has("--yes")
        .run();
    s.rollout(&p, ["resume", "--yes"])
        .stdout_has("resumed")
        .run();
    assert_eq!(s.environment(&flag, "development")["enabled"], true);
    assert_eq!(
        s.strategies(&flag),
        before,
        "resume: the same strategies, so the same users"
    );
    let actions: Vec<String> = journal(&p)
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, ["advance", "advance", "kill", "kill", "resume"]);
    let kill = &journal(&p)[2];
    assert_eq!(kill["reason"], "error spike");
    assert_eq!(kill["outcome"], "applied");
    assert_eq!(journal(&p)[3]["outcome"], "already-off");
    // Unleash's own log holds the switch too.
    let types: Vec<String> = s
        .events(&flag)
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect();
    assert!(
        types.contains(&"feature-environment-disabled".to_string()),
        "{types:?}"
    );
}

#[test]
fn dry_run_prints_the_requests_with_the_token_hidden_and_changes_nothing() {
    let s = server();
    let flag = s.create_flag("dry");
    let p = s.project(&flag, STAGES);
    let done = s
        .rollout(&p, ["advance", "--dry-run"])
        .stdout_has("dry run: nothing was changed")
        .stdout_has(&format!("POST {}/api/admin/projects/default/features/{flag}/environments/development/strategies", s.url))
        .stdout_has("Authorization: ***")
        .stdout_has("\"rollout\": \"5\"")
        .stdout_has(&format!("POST {}/api/admin/projects/default/features/{flag}/environments/development/on", s.url))
        .stdout_lacks(&s.admin)
        .stderr_lacks(&s.admin)
        .run();
    // The rollout strategy is created before the environment is turned on.
    let create = done.stdout.find("/strategies").unwrap();
    let on = done.stdout.find("/development/on").unwrap();
    assert!(create < on, "{}", done.stdout);
    assert!(
        s.strategies(&flag).is_empty(),
        "a dry run created a strategy"
    );
    assert_eq!(s.environment(&flag, "development")["enabled"], false);
    assert!(!p.exists(".rollout/journal.jsonl"));
    let doc = s
        .rollout(&p, ["advance", "--dry-run", "--json"])
        .run()
        .json();
    assert_eq!(doc["dry_run"], true);
    assert_eq!(doc["requests"][0]["method"], "POST");
    assert_eq!(
        doc["requests"][0]["headers"][0],
        json!(["Authorization", "***"])
    );

    s.rollout(&p, ["advance"]).run();
    wait_out_internal_soak();
    let before = s.strategies(&flag);
    s.rollout(&p, ["advance", "--dry-run"])
        .stdout_has("PATCH")
        .stdout_has("\"op\": \"test\"")
        .run();
    s.rollout(&p, ["kill", "--dry-run"])
        .stdout_has(&format!(
            "POST {}/api/admin/projects/default/features/{flag}/environments/development/off",
            s.url
        ))
        .run();
    assert_eq!(s.strategies(&flag), before);
    assert_eq!(s.environment(&flag, "development")["enabled"], true);
    assert_eq!(journal(&p).len(), 1);
}

#[test]
fn verbose_logs_requests_without_the_token() {
    let s = server();
    let flag = s.create_flag("verbose");
    let p = s.project(&flag, STAGES);
    s.rollout(&p, ["status", "-v"])
        .stderr_has(&format!(
            "Unleash: GET {}/api/admin/projects/default/features/{flag}",
            s.url
        ))
        .stderr_has("Unleash: 200 in")
        .stderr_lacks(&s.admin)
        .stderr_lacks("rollout-local-admin-token")
        .run();
}

#[test]
fn a_change_made_through_the_admin_api_between_commands_is_shown_not_overwritten() {
    let s = server();
    let flag = s.create_flag("ui-change");
    let p = s.project(&flag, STAGES);
    s.rollout(&p, ["advance"]).run();
    // Someone sets 30% in the Unleash UI.
    s.set_rollout(&flag, "30");
    s.rollout(&p, ["status"])
        .stdout_has("30% (no stage has this percentage)")
        .run();
    s.rollout(&p, ["history"])
        .stdout_has("rollout changed 5% → 30%")
        .stdout_has("admin")
        .run();
    s.rollout(&p, ["plan"])
        .stdout_has("30%, which is no stage")
        .run();
    // Its soak counts from the Unleash change; the next stage is above 30%.
    let doc = s.rollout(&p, ["status", "--json"]).run().json();
    assert_eq!(doc["percentage"], 30);
    assert_eq!(doc["next"]["stage"], "expanded");
    assert_eq!(
        s.rollout_strategy(&flag)["parameters"]["rollout"],
        "30",
        "still the UI's value"
    );
    // Rolling back from there goes to the stage below 30%, guarded by a test of "30".
    s.rollout(&p, ["rollback", "--yes"])
        .stdout_has("→ limited (25%)")
        .run();
    assert_eq!(s.rollout_strategy(&flag)["parameters"]["rollout"], "25");
    // A strategy someone added in the UI is named, and left alone.
    let (status, body) = s.api(
        "POST",
        &format!(
            "{}/environments/development/strategies",
            Server::feature_path(&flag)
        ),
        Some(json!({"name": "default", "constraints": [], "parameters": {}})),
    );
    assert_eq!(status, 200, "{body}");
    s.rollout(&p, ["status"])
        .stdout_has("serves everyone (more than the stage)")
        .stdout_has("limited (25%)")
        .run();
    s.rollout(&p, ["kill"]).run();
    s.rollout(&p, ["resume", "--yes"]).run();
    assert_eq!(
        s.strategies(&flag).len(),
        4,
        "rollout, groups, users and the UI's default strategy"
    );
}

#[test]
fn a_change_between_read_and_write_is_a_conflict_naming_who_made_it() {
    let s = server();
    let flag = s.create_flag("conflict");
    let p = s.project(&flag, STAGES);
    s.rollout(&p, ["advance"]).run();
    wait_out_internal_soak();
    let racer = {
        let args = vec!["advance".to_string()];
        let t = s
            .rollout(&p, args)
            .env("ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS", "2500")
            .status(5)
            .stderr_has("changed in Unleash while this command ran")
            .stderr_has("rollout changed 5% → 7% by admin")
            .stderr_has("nothing was changed");
        std::thread::spawn(move || t.run())
    };
    std::thread::sleep(Duration::from_millis(1200));
    s.set_rollout(&flag, "7");
    racer.join().unwrap();
    assert_eq!(s.rollout_strategy(&flag)["parameters"]["rollout"], "7");
    assert!(
        s.constrained(&flag, "userId").is_none(),
        "nothing of beta was written"
    );
    assert_eq!(journal(&p).len(), 1);
}

#[test]
fn a_stored_rollout_that_is_no_percentage_is_reported() {
    let s = server();
    let flag = s.create_flag("bad-value");
    let p = s.project(&flag, STAGES);
    s.rollout(&p, ["advance"]).run();
    s.set_rollout(&flag, "abc");
    s.rollout(&p, ["status"])
        .status(4)
        .stderr_has("holds rollout \"abc\", which is not a whole percentage")
        .run();
    s.set_rollout(&flag, "150");
    s.rollout(&p, ["advance", "beta", "--force", "--reason", "x", "--yes"])
        .status(4)
        .stderr_has("\"150\"")
        .stderr_has("nothing was changed")
        .run();
}

#[test]
fn another_machine_sees_the_same_stage_soak_and_history_from_unleash() {
    let s = server();
    let flag = s.create_flag("two-machines");
    let alice = s.project(&flag, STAGES);
    s.rollout(&alice, ["advance", "--reason", "alice starts"])
        .env("ROLLOUT_ACTOR", "alice@example.com")
        .run();
    wait_out_internal_soak();
    s.rollout(&alice, ["advance"])
        .env("ROLLOUT_ACTOR", "alice@example.com")
        .run();
    // Bob has no journal: everything comes from Unleash.
    let bob = s.project(&flag, STAGES);
    let a = s.rollout(&alice, ["status", "--json"]).run().json();
    let b = s.rollout(&bob, ["status", "--json"]).run().json();
    assert_eq!(b["stage"], "beta");
    assert_eq!(
        a["since"], b["since"],
        "the same stage start on both machines"
    );
    assert_eq!(
        b["next"]["allowed_now"], false,
        "beta's 7-day soak holds for bob too"
    );
    s.rollout(&bob, ["advance"])
        .env("ROLLOUT_ACTOR", "bob@example.com")
        .status(3)
        .stderr_has("beta must soak 7d first")
        .run();
    s.rollout(&bob, ["history"])
        .stdout_has("alice@example.com  advance")
        .stdout_has("internal → beta (10%) in development")
        .stdout_has(": alice starts")
        .stdout_has("[in Unleash, event")
        .run();
    let doc = s.rollout(&bob, ["history", "--json"]).run().json();
    let entries = doc["entries"].as_array().unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e["source"] == "unleash" && e["actor"] == "alice@example.com"),
        "{doc}"
    );
    // Alice's own history shows her journal, not the same changes twice.
    let mine = s.rollout(&alice, ["history", "--json"]).run().json();
    let advances = mine["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["summary"].as_str().is_some_and(|t| t.contains("advance")))
        .count();
    assert_eq!(
        advances, 0,
        "alice's own changes come from her journal: {mine}"
    );
    assert_eq!(
        mine["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "advance")
            .count(),
        2
    );
}

#[test]
fn the_rules_hold_against_unleash_and_force_is_journaled() {
    let s = server();
    let flag = s.create_flag("rules");
    let p = s.project(
        &flag,
        "  - { name: internal, percentage: 5 }
  - { name: beta, percentage: 10, start: 2999-01-01 }
  - { name: limited, percentage: 25 }
  - { name: full, percentage: 100 }
",
    );
    s.rollout(&p, ["rollback"])
        .status(3)
        .stderr_has("has not been rolled out")
        .run();
    s.rollout(&p, ["advance", "limited"])
        .status(3)
        .stderr_has("would skip internal, beta: the next stage is internal")
        .run();
    assert!(s.strategies(&flag).is_empty(), "a refusal changed nothing");
    s.rollout(&p, ["advance"]).run();
    s.rollout(&p, ["advance"])
        .status(3)
        .stderr_has("beta is planned to start on 2999-01-01")
        .run();
    s.rollout(&p, ["advance", "beta", "--force"])
        .status(2)
        .stderr_has("--force needs --reason")
        .run();
    s.rollout(
        &p,
        [
            "advance",
            "limited",
            "--force",
            "--reason",
            "hotfix needs it",
            "--yes",
        ],
    )
    .stdout_has("internal → limited (25%)")
    .run();
    let title = s.rollout_strategy(&flag)["title"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(title.contains("[forced]: hotfix needs it"), "{title}");
    let last = journal(&p).pop().unwrap();
    assert_eq!(last["forced"], true);
    assert_eq!(last["reason"], "hotfix needs it");
    s.rollout(&p, ["advance", "full"])
        .status(2)
        .stderr_has("--yes")
        .run();
    s.rollout(&p, ["rollback", "internal", "--yes"])
        .stdout_has("limited → internal (5%)")
        .run();
    assert_eq!(s.rollout_strategy(&flag)["parameters"]["rollout"], "5");
}
