//! A duration too long for any clock (`--timeout 300000000000y`, a stage soak, a task timeout) is
//! exit 2 naming the limit, never a panic.

use crate::test::Project;

const LIMIT: &str = "is longer than the limit of 100y (100 years)";

#[test]
fn an_overflowing_timeout_is_a_usage_error_naming_the_limit() {
    let p = Project::builder_cards();
    for args in [
        ["kill", "--timeout", "300000000000y"],
        ["status", "--timeout", "101y"],
        ["advance", "--timeout", "18446744073709551616s"],
    ] {
        p.rollout(args)
            .status(2)
            .stderr_has(&format!(
                "error: invalid value '{}' for '--timeout <DURATION>': `{}` {LIMIT}",
                args[2], args[2]
            ))
            .stderr_lacks("panicked")
            .run();
    }
    assert!(!p.exists(".rollout"));
    // The limit itself is accepted, and works as a deadline.
    p.rollout(["advance", "--timeout", "100y"])
        .at("2024-01-15T09:00:00Z")
        .run();
    p.rollout(["kill", "--timeout", "100y"])
        .at("2024-01-15T09:00:00Z")
        .stdout_has("KILLED use-new-builder-cards")
        .run();
}

#[test]
fn an_overflowing_stage_duration_is_a_config_error_naming_the_limit() {
    let p = Project::new().file(
        "stages.yaml",
        "flag: f\nstages:\n  - { name: a, percentage: 5, duration: 300000000000y }\n  - { name: b, percentage: 100 }\n",
    );
    for args in [["validate"], ["plan"], ["status"]] {
        p.rollout(args)
            .status(2)
            .stderr_has(&format!(
                "stages.yaml:3:41: `duration` of stage 1 `300000000000y` {LIMIT}"
            ))
            .run();
    }
}

#[test]
fn an_overflowing_task_timeout_is_a_config_error_naming_the_limit() {
    let p = Project::with_checklist(
        "slow",
        "tasks:\n  - name: Wait\n    run: \"true\"\n    timeout: 999999999999999y\n",
    );
    p.checklist(["validate"])
        .status(2)
        .stderr_has(&format!(
            "checklists/slow.yaml:4:14: `timeout` of task `Wait` `999999999999999y` {LIMIT}"
        ))
        .run();
}
