//! `rollout validate` and `checklist validate` are one command: the checklists they find, the
//! problems they report and the `--json` entries they write for them are the same; `rollout`
//! adds stages.yaml and the check that a `gate:` task names a gate stages.yaml defines.

use serde_json::json;

use crate::test::Project;

const GOOD: &str = "tasks:\n  - name: Build\n    run: 'true'\n  - name: Look\n    manual: Check.\n";
const BAD: &str = "tasks:\n  - name: x\n    runn: echo\n";

#[test]
fn both_binaries_report_the_same_checklists_in_their_own_words() {
    let p = Project::builder_cards()
        .file("checklists/good.yaml", GOOD)
        .file("checklists/bad.yaml", BAD);
    let bad_error = "checklists/bad.yaml:3:5: unknown key `runn` in task 1";

    let checklist = p.checklist(["validate"]).status(2).run();
    assert_eq!(checklist.stdout, "checklists/good.yaml: ok (2 tasks)\n");
    assert!(checklist.stderr.contains(bad_error), "{}", checklist.stderr);

    let rollout = p.rollout(["validate"]).status(2).run();
    assert_eq!(
        rollout.stdout,
        "stages.yaml: ok\nchecklists/good.yaml: ok\n"
    );
    assert_eq!(rollout.stderr, checklist.stderr);

    let checklist = p.checklist(["validate", "--json"]).status(2).run().json();
    let rollout = p.rollout(["validate", "--json"]).status(2).run().json();
    assert_eq!(
        checklist["files"][0],
        json!({"path": "checklists/bad.yaml", "ok": false, "errors": [
            "checklists/bad.yaml:2:5: task `x` says nothing to do",
            "  help: add one of `run: COMMAND`, `manual: INSTRUCTIONS`, `require_env: [VAR]` or `rollout: advance STAGE`",
            bad_error,
            "  help: did you mean `run`?",
            "2 problems in checklists/bad.yaml",
        ]})
    );
    assert_eq!(
        checklist["files"][1],
        json!({"path": "checklists/good.yaml", "ok": true, "tasks": 2})
    );
    assert_eq!(
        rollout["files"][0],
        json!({"path": "stages.yaml", "ok": true, "stages": 5})
    );
    assert_eq!(
        rollout["files"].as_array().unwrap()[1..],
        checklist["files"].as_array().unwrap()[..]
    );
    assert_eq!(
        (&checklist["ok"], &rollout["ok"]),
        (&json!(false), &json!(false))
    );
}

#[test]
fn only_rollout_validate_needs_stages_yaml_and_checks_gate_tasks_against_it() {
    let gate_task = "tasks:\n  - name: Gate\n    gate: error-rate\n";
    // No stages.yaml: checklist finds the project by its checklists/ directory.
    let p = Project::new().file("checklists/g.yaml", gate_task);
    p.checklist(["validate"])
        .stdout_has("checklists/g.yaml: ok (1 tasks)")
        .run();
    p.rollout(["validate"])
        .status(2)
        .stderr_has("no stages.yaml in")
        .run();
    // With a stages.yaml that has no such gate, only rollout validate objects.
    let p = Project::builder_cards().file("checklists/g.yaml", gate_task);
    p.checklist(["validate"]).run();
    p.rollout(["validate"])
        .status(2)
        .stderr_has("checklists/g.yaml:2:5: task `Gate` checks gate `error-rate`, which stages.yaml does not define")
        .run();
}
