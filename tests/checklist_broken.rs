//! Broken checklist files: each exits 2 with file:line:column, what is wrong and what to write
//! instead, and never panics.

use crate::test::Project;

/// (file content, the `line:column: message` expected, a piece of the help line)
const BROKEN: &[(&str, &str, &str)] = &[
    (
        "tasks: [{name: a, run: x}\n",
        "2:1: this is not valid YAML",
        "fix the YAML syntax",
    ),
    (
        "",
        "1:1: the checklist is empty",
        "write `title:` and a `tasks:` list",
    ),
    (
        "- a\n- b\n",
        "1:1: a checklist must be a mapping",
        "one of: title, description, shell, tasks",
    ),
    (
        "title: T\ntaks: []\n",
        "2:1: unknown key `taks` in a checklist",
        "did you mean `tasks`?",
    ),
    (
        "title: T\n",
        "1:1: the checklist has no `tasks`",
        "add `tasks:",
    ),
    (
        "tasks: run tests\n",
        "1:8: `tasks` must be a list",
        "`- name: ...`",
    ),
    (
        "tasks: []\n",
        "1:8: `tasks` is empty",
        "add at least one task",
    ),
    (
        "tasks:\n  - run: cargo test\n",
        "2:5: task 1 has no `name`",
        "add `name: Run all tests`",
    ),
    (
        "tasks:\n  - name: Tests\n",
        "2:5: task `Tests` says nothing to do",
        "add one of `run: COMMAND`",
    ),
    (
        "tasks:\n  - name: Tests\n    run: cargo test\n    manual: check it\n",
        "4:5: task `Tests` has both `run` and `manual`",
        "split it into two tasks",
    ),
    (
        "tasks:\n  - name: Tests\n    run: cargo test\n    timout: 5m\n",
        "4:5: unknown key `timout` in task 1",
        "did you mean `timeout`?",
    ),
    (
        "tasks:\n  - name: Tests\n    run: cargo test\n    timeout: soon\n",
        "4:14: `timeout` of task `Tests` `soon` is not a duration",
        "for example 30m",
    ),
    (
        "tasks:\n  - name: Tests\n    run: cargo test\n    retries: -1\n",
        "4:14: `retries` of task `Tests` must be a whole number",
        "retries: 1",
    ),
    (
        "tasks:\n  - name: Tests\n    run: cargo test\n    allow_failure: maybe\n",
        "4:20: `allow_failure` of task `Tests` must be true or false",
        "write `true` or `false`",
    ),
    (
        "tasks:\n  - {name: Tests, run: a}\n  - {name: tests, run: b}\n",
        "3:6: task id `tests` is used twice (first by the task at line 2)",
        "give one of them its own `id:`",
    ),
    (
        "tasks:\n  - name: Flags\n    rollout: promote beta\n",
        "3:14: `rollout` of task `Flags`: `promote` is not a rollout command",
        "advance [STAGE]",
    ),
    (
        "tasks:\n  - name: Flags\n    rollout: advnce beta\n",
        "3:14: `rollout` of task `Flags`",
        "did you mean `advance`?",
    ),
    (
        "tasks:\n  - name: Errors\n    gate: error-rate\n    run: x\n",
        "4:5: task `Errors` has both `gate` and `run`",
        "a task does exactly one thing",
    ),
    (
        "tasks:\n  - name: Env\n    require_env: [DATABASE-URL]\n",
        "3:19: `DATABASE-URL` in `require_env` of task `Env` is not an environment variable name",
        "values never live in checklists",
    ),
    (
        "tasks:\n  - name: Ask\n    manual: do it\n    parallel: true\n",
        "4:5: task `Ask` is manual and cannot run in parallel",
        "remove `parallel: true`",
    ),
    (
        "tasks:\n  - name: Tests\n    id: Run Tests\n    run: x\n",
        "3:9: task id `Run Tests` has characters other than",
        "id: run-tests",
    ),
    (
        "tasks:\n  - name: Tests\n    run: ''\n",
        "3:10: `run` of task `Tests` is blank",
        "run: cargo test",
    ),
    (
        "tasks:\n  - name: '!!!'\n    run: x\n",
        "2:5: the name `!!!` of task 1 gives no id",
        "add an `id:`",
    ),
    (
        "tasks:\n  - name: Tests\n    run: x\n    shell: zsh\n",
        "4:12: `shell` of task `Tests`: `zsh` is not a shell a checklist knows",
        "write `bash` (the default), `sh`, `pwsh`, or a command line holding `{0}`",
    ),
];

#[test]
fn every_broken_checklist_exits_2_with_position_and_fix() {
    assert!(BROKEN.len() >= 10);
    for (i, (yaml, expected, help)) in BROKEN.iter().enumerate() {
        let p = Project::with_checklist("broken", yaml);
        let done = p.checklist(["validate"]).status(2).run();
        let want = format!("checklists/broken.yaml:{expected}");
        assert!(
            done.stderr.contains(&want),
            "case {i}: stderr lacks {want:?}:\n{}",
            done.stderr
        );
        assert!(
            done.stderr.contains("help: "),
            "case {i}: no help line:\n{}",
            done.stderr
        );
        assert!(
            done.stderr.contains(help),
            "case {i}: help lacks {help:?}:\n{}",
            done.stderr
        );
        // `run` refuses it the same way before running anything.
        p.checklist(["run", "broken", "--yes"])
            .status(2)
            .stderr_has(&want)
            .run();
    }
}

#[test]
fn all_problems_of_a_file_are_reported_at_once() {
    let p = Project::with_checklist(
        "many",
        "titel: x\ntasks:\n  - name: A\n    run: x\n    retries: lots\n  - name: B\n    gate: ''\n  - name: A\n    run: y\n",
    );
    p.checklist(["validate"])
        .status(2)
        .stderr_has("checklists/many.yaml:1:1: unknown key `titel`")
        .stderr_has("checklists/many.yaml:5:14: `retries`")
        .stderr_has("checklists/many.yaml:7:11: `gate` of task `B` must name one gate")
        .stderr_has("checklists/many.yaml:8:5: task id `a` is used twice")
        .stderr_has("4 problems in checklists/many.yaml")
        .run();
}
