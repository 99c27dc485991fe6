//! A pinned clock never acts (issue 21): under `ROLLOUT_NOW` every command that would change the
//! flag (`advance`, `rollback`, `kill`, `resume`), `watch`, and a checklist run with such a
//! `rollout:` task exit 2 saying why and what to do, before reading or writing anything; the
//! commands that only read, and `--dry-run`, still answer for the pinned day. The changes the
//! other tests make on a fixed day use the test-only `ROLLOUT_TEST_NOW` (`Test::at`).

use crate::snapshots::{settings, transcript};
use crate::test::{Project, Test, TEST_NOW};

/// A day far ahead: past every planned start and soak of the Builder Card plan.
const PINNED: &str = "2100-01-01T00:00:00Z";

/// Runs `test` under `ROLLOUT_NOW=PINNED`, compares its whole output with the snapshot `name`
/// and checks that nothing under `.rollout/` (flags file, journal, locks) changed.
fn refused(p: &Project, name: &str, test: Test) {
    let before = p.snapshot();
    let done = test.env("ROLLOUT_NOW", PINNED).any_status().run();
    assert_eq!(done.code, 2, "{name}: {}", transcript(&done));
    settings(p.dir.path()).bind(|| insta::assert_snapshot!(name, transcript(&done)));
    assert!(before == p.snapshot(), "{name} changed .rollout/");
}

/// The Builder Card plan at beta (10%), walked on the tests' clock.
fn at_beta() -> Project {
    let p = Project::builder_cards();
    p.walk_builder_cards_to("beta");
    p
}

#[test]
fn a_change_under_a_pinned_clock_exits_2_and_changes_nothing() {
    let p = at_beta();
    // Limited is planned for 2024-01-25 and beta soaks 7 days: on the pinned day both have
    // passed, and the advance would have gone through.
    refused(&p, "pinned_advance", p.rollout(["advance", "--yes"]));
    refused(
        &p,
        "pinned_advance_forced",
        p.rollout(["advance", "limited", "--force", "--reason", "r", "--yes"]),
    );
    refused(&p, "pinned_rollback", p.rollout(["rollback", "--yes"]));
    refused(&p, "pinned_kill", p.rollout(["kill", "--reason", "bad"]));
    p.rollout(["kill", "--reason", "bad"]).run();
    refused(&p, "pinned_resume", p.rollout(["resume", "--yes"]));
    // Set alongside the tests' own clock, ROLLOUT_NOW still refuses.
    refused(
        &p,
        "pinned_resume",
        p.rollout(["resume", "--yes"]).env(TEST_NOW, PINNED),
    );
}

#[test]
fn watch_under_a_pinned_clock_exits_2_at_once() {
    let p = at_beta();
    let started = std::time::Instant::now();
    refused(
        &p,
        "pinned_watch",
        p.rollout(["watch", "--interval", "100ms", "--advance", "--yes"]),
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // A value that is no time is refused the same way: it is set.
    let before = p.snapshot();
    p.rollout(["watch"])
        .env("ROLLOUT_NOW", "yesterday")
        .status(2)
        .stderr_has("ROLLOUT_NOW is set (yesterday)")
        .run();
    assert!(before == p.snapshot());
}

#[test]
fn a_checklist_whose_rollout_task_changes_the_flag_refuses_a_pinned_clock() {
    let p = Project::with_checklist(
        "ship",
        "tasks:\n  - name: Build\n    run: touch built\n  - name: Go internal\n    rollout: advance internal\n",
    );
    refused(&p, "pinned_checklist_run", p.checklist(["run", "ship"]));
    assert!(!p.exists("built"), "no task runs");
    // --dry-run rehearses it on the pinned day.
    p.checklist(["run", "ship", "--dry-run"])
        .env("ROLLOUT_NOW", PINNED)
        .stdout_has("would advance use-new-builder-cards: not started → internal")
        .run();
    // A run whose rollout tasks only read runs under it.
    let q = Project::with_checklist(
        "look",
        "tasks:\n  - name: Build\n    run: touch built\n  - name: Where\n    rollout: status\n",
    );
    q.checklist(["run", "look"])
        .env("ROLLOUT_NOW", PINNED)
        .run();
    assert!(q.exists("built"));
}

#[test]
fn reading_and_dry_runs_answer_for_the_pinned_day() {
    let p = at_beta();
    let before = p.snapshot();
    let snap = |name: &str, args: &[&str]| {
        let done = p
            .rollout(args)
            .env("ROLLOUT_NOW", PINNED)
            .any_status()
            .run();
        assert_eq!(done.code, 0, "{name}: {}", transcript(&done));
        settings(p.dir.path()).bind(|| insta::assert_snapshot!(name, transcript(&done)));
    };
    snap("pinned_status", &["status"]);
    snap("pinned_advance_dry_run", &["advance", "--dry-run"]);
    assert!(
        before == p.snapshot(),
        "a read or a dry run changed .rollout/"
    );
}
