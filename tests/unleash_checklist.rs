//! A `rollout:` checklist task against a real Unleash: the same engine, rules and journal.

use crate::unleash_server::{journal, server, STAGES};

#[test]
fn a_checklist_rollout_task_goes_through_the_same_engine() {
    let s = server();
    let flag = s.create_flag("checklist");
    let p = s.project(&flag, STAGES).file(
        "checklists/deploy.yaml",
        "title: Deploy\ntasks:\n  - name: Update feature flags\n    rollout: advance internal\n",
    );
    crate::test::Test::new(
        env!("CARGO_BIN_EXE_checklist"),
        p.dir.path(),
        ["run", "deploy", "--yes"],
    )
    .env("UNLEASH_API_TOKEN", &s.admin)
    .stdout_has("1 passed")
    .run();
    assert_eq!(s.rollout_strategy(&flag)["parameters"]["rollout"], "5");
    assert_eq!(
        journal(&p)
            .iter()
            .filter(|e| e["action"] == "advance")
            .count(),
        1
    );
}
