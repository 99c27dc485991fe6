//! A run that cannot finish fails before its first task: manual tasks nobody can answer, unset
//! `require_env` variables (named, never their values), a `rollout:` change the rules refuse.

use crate::test::Project;

const SLOW_THEN_STUCK: &str = r"
tasks:
  - name: Tests
    run: touch tests-ran
  - name: Env
    require_env: [PREFLIGHT_SET, PREFLIGHT_UNSET]
  - name: Approve
    manual: Approve the release.
  - name: Flags
    rollout: advance limited
";

#[test]
fn every_reason_a_run_would_stop_is_named_before_the_first_task_runs() {
    let p = Project::with_checklist("stuck", SLOW_THEN_STUCK);
    let done = p
        .checklist(["run", "stuck"])
        .env("PREFLIGHT_SET", "s3cret-value")
        .status(1)
        .run();
    assert_eq!(
        done.stderr,
        "error: this run cannot finish, so nothing was run:\n  \
         stuck/env: not set or empty: PREFLIGHT_UNSET\n  \
         stuck/approve: a manual task, and there is no terminal to ask (or CI is set)\n  \
         stuck/flags: `rollout advance limited`: advance refused: advancing to limited would skip internal, beta: the next stage is internal\n\
         hint: pass --yes to confirm manual tasks, or --skip-manual to skip them; set the variables in the environment of this run; \
         `rollout status` shows why the rules refuse; `--skip ID` leaves the task out\n"
    );
    assert!(!p.exists("tests-ran"), "a task ran");
    assert!(p.snapshot().is_empty(), "{:?}", p.snapshot());
    // The exit code is the one the run would have ended with at its first problem: with the
    // variable and --yes, the refused rollout change is left, and the run exits 3 as the rules do.
    p.checklist(["run", "stuck", "--yes"])
        .env("PREFLIGHT_SET", "x")
        .env("PREFLIGHT_UNSET", "y")
        .status(3)
        .stderr_has("stuck/flags: `rollout advance limited`: advance refused")
        .run();
    assert!(!p.exists("tests-ran"), "a task ran");
    // A dry run exits the same way; --yes is shown as what it does.
    p.checklist(["run", "stuck", "--dry-run", "--yes"])
        .env("PREFLIGHT_SET", "x")
        .env("PREFLIGHT_UNSET", "y")
        .status(3)
        .stdout_has("Approve [approve]: would confirm with --yes: Approve the release.")
        .stdout_has("Flags [flags]: would fail: `rollout advance limited`: advance refused")
        .stdout_lacks("would ask")
        .run();
    // allow_failure tasks never stop a run, so they are not reasons to refuse one.
    let lenient = Project::with_checklist(
        "lenient",
        "tasks:\n  - {name: Env, require_env: [PREFLIGHT_UNSET], allow_failure: true}\n  - {name: Ok, run: 'true'}\n",
    );
    lenient.checklist(["run", "lenient"]).run();
}
