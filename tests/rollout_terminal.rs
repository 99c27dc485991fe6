//! Confirmations on a real pseudo-terminal: the question is shown, an answer is typed, and a change
//! made by someone else while the question waits is a conflict, never a lost update.

use expectrl::{Eof, Session};

use crate::test::Project;

const AT: &str = "2024-02-08T09:00:00Z";

/// `ROLLOUT_NOW` for a run that only reads; the tests' clock for one that changes the flag.
fn clock_var(args: &[&str]) -> &'static str {
    if crate::test::acts("rollout", args) {
        crate::test::TEST_NOW
    } else {
        "ROLLOUT_NOW"
    }
}

fn session(p: &Project, args: &[&str]) -> Session {
    crate::pty::spawn(
        env!("CARGO_BIN_EXE_rollout"),
        p.dir.path(),
        args,
        &[(clock_var(args), AT), ("NO_COLOR", "1")],
    )
}

#[test]
fn yes_on_the_terminal_advances_to_full() {
    let p = Project::builder_cards_at_expanded();
    let mut s = session(&p, &["advance", "full"]);
    s.expect("Advance use-new-builder-cards to full (100%) for everyone? [y/N] ")
        .unwrap();
    s.send_line("y").unwrap();
    s.expect("expanded → full (100%)").unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 0);
    p.rollout(["status", "--json"])
        .at(AT)
        .stdout_has("\"stage\": \"full\"")
        .run();
}

#[test]
fn no_on_the_terminal_changes_nothing() {
    let p = Project::builder_cards_at_expanded();
    let before = p.snapshot();
    let mut s = session(&p, &["advance"]);
    s.expect("for everyone? [y/N] ").unwrap();
    s.send_line("n").unwrap();
    s.expect("not confirmed; nothing was changed").unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 1);
    assert_eq!(before, p.snapshot());
}

#[test]
fn a_kill_while_the_question_waits_makes_the_answer_a_conflict() {
    let p = Project::builder_cards_at_expanded();
    let mut s = session(&p, &["advance", "full"]);
    s.expect("for everyone? [y/N] ").unwrap();
    // Someone else pulls the switch while the question is on screen.
    p.rollout(["kill", "--reason", "incident"]).at(AT).run();
    s.send_line("y").unwrap();
    // The kill's record came first in the journal since this run read it: the compare-and-swap
    // of the intent stops the run before the provider is written.
    s.expect("another run recorded a change of use-new-builder-cards first: kill use-new-builder-cards at expanded")
        .unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 5);
    let flags = p.read(".rollout/flags.json");
    assert!(
        flags.contains("\"rolloutKilled\": true"),
        "the kill was overwritten:\n{flags}"
    );
    // Nothing of the attempt is journaled: the kill is the last record.
    let journal = p.journal();
    assert_eq!(p.changes().len(), 5, "a conflict journals no change");
    let last = journal.last().unwrap();
    assert_eq!(
        (&last["action"], &last["outcome"]),
        (&"kill".into(), &"applied".into()),
        "{journal:#?}"
    );
}

#[test]
fn resume_asks_on_the_terminal() {
    let p = Project::builder_cards_at_expanded();
    p.rollout(["kill"]).at(AT).run();
    let mut s = session(&p, &["resume"]);
    s.expect("Resume use-new-builder-cards at expanded (50%)? [y/N] ")
        .unwrap();
    s.send_line("yes").unwrap();
    s.expect("resumed use-new-builder-cards at expanded (50%)")
        .unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 0);
}

fn one_gate(command: &str) -> Project {
    Project::new().file(
        "stages.yaml",
        &format!(
            "flag: cards\ngates:\n  - {{ name: slow, command: '{command}' }}\nstages:\n  - {{ name: internal, percentage: 5 }}\n"
        ),
    )
}

#[test]
fn a_read_past_one_second_shows_a_spinner_and_a_quick_one_does_not() {
    let slow = one_gate("sleep 2");
    let mut s = session(&slow, &["gates"]);
    s.expect("reading gates…").unwrap();
    s.expect("slow").unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 0);

    let quick = one_gate("true");
    let mut s = session(&quick, &["gates"]);
    let seen = s.expect(Eof).unwrap();
    let text = String::from_utf8_lossy(seen.get(0).unwrap_or_default()).to_string();
    assert!(text.contains("slow"), "{text}");
    assert!(!text.contains("reading gates"), "{text}");
    assert_eq!(crate::pty::exit_code(&mut s), 0);
}
