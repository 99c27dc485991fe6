//! `--resume` and the run's record say what happened: allowed failures, quits and interruptions
//! are named as such, never as passed or skipped, and a run that ran nothing is not "passed".

use crate::checklist_support::closing_line;
use crate::test::Project;

const LIST: &str = r"
tasks:
  - name: Scan
    run: echo 'CVE found'; exit 1
    allow_failure: true
  - name: Build
    run: echo built
  - name: Deploy
    run: test -f fixed
  - name: Announce
    run: echo announced
";

#[test]
fn resume_names_allowed_failures_of_the_earlier_attempt_as_such() {
    let p = Project::with_checklist("ship", LIST);
    let first = p.checklist(["run", "ship"]).status(1).run();
    assert_eq!(
        closing_line(&first.stdout),
        "1 passed, 1 failed, 1 skipped, 1 failed but allowed"
    );
    p.write("fixed", "");
    let done = p
        .checklist(["run", "ship", "--resume"])
        .stderr_has("! Scan [scan] failed (allowed) in the earlier attempt of this run: exit 1\n")
        .stderr_has("✓ Build [build] passed in the earlier attempt of this run\n")
        .stderr_lacks("Scan [scan] passed")
        .run();
    assert_eq!(
        done.stdout,
        "1 failed but allowed (allow_failure): scan\n3 passed, 0 failed, 0 skipped, 1 failed but allowed\n"
    );
}

#[test]
fn a_run_that_ran_nothing_is_journaled_skipped_not_passed() {
    let p = Project::with_checklist(
        "ask",
        "tasks:\n  - {name: Build, run: 'true'}\n  - {name: Approve, manual: Approve it.}\n",
    );
    // Every selected task skipped: the journal says so instead of "passed".
    let skipped = p
        .checklist(["run", "ask", "--only", "approve", "--skip-manual", "--json"])
        .run()
        .json();
    assert_eq!(skipped["outcome"], "skipped");
    let history = p.rollout(["history", "--json"]).run().json();
    assert_eq!(history["entries"][0]["outcome"], "skipped");
    assert_eq!(history["entries"][0]["counts"]["skipped"], 2);
}
