//! The mapping's unit tests: titles, steps, guards and rollout values.

use serde_json::{json, Value};

use super::*;
use crate::adapters::provider::{Desired, Note, Unmanaged};
use crate::domain::config::Percentage;

#[test]
fn titles_carry_the_stage_and_the_note() {
    let note = Note {
        text: "advance f internal → beta (10%) in production: because".into(),
        actor: "alice@example.com".into(),
    };
    let t = title(Role::Rollout, "beta", &note);
    assert_eq!(stage_of_title(&t).as_deref(), Some("beta"));
    assert_eq!(
        note_of_title(&t).as_deref(),
        Some("advance f internal → beta (10%) in production: because | by alice@example.com")
    );
    assert_eq!(stage_of_title("my own title"), None);
}

fn desired(on: bool, pct: u32, users: &[&str], groups: &[&str]) -> Desired {
    Desired {
        on,
        stage: "beta".into(),
        percentage: Percentage::from_weight(pct * 1000).unwrap(),
        users: users.iter().map(|s| (*s).to_string()).collect(),
        groups: groups.iter().map(|s| (*s).to_string()).collect(),
        since: chrono::Utc::now(),
        killed_at: None,
    }
}

fn kinds(steps: &[Step]) -> Vec<String> {
    steps
        .iter()
        .map(|s| match s {
            Step::Patch { role, .. } => format!("patch {}", role.name()),
            Step::Create { role, .. } => format!("create {}", role.name()),
            Step::Delete { role, .. } => format!("delete {}", role.name()),
            Step::On => "on".into(),
            Step::Off => "off".into(),
        })
        .collect()
}

fn env(enabled: bool) -> Value {
    json!({"name": "production", "enabled": enabled, "strategies": [
        {"id": "01A", "name": FLEXIBLE, "title": "rollout stage internal | x | by a", "constraints": [],
         "parameters": {"rollout": "5", "stickiness": "default", "groupId": "f"}, "disabled": false},
        {"id": "01B", "name": FLEXIBLE, "title": null, "constraints": [
            {"contextName": "userId", "operator": "IN", "values": ["u1"]}],
         "parameters": {"rollout": "100", "stickiness": "default", "groupId": "f"}},
        {"id": "01C", "name": "default", "constraints": [], "parameters": {}}
    ]})
}

#[test]
fn the_rollout_strategy_is_written_before_the_environment_is_turned_on() {
    let note = Note {
        text: "advance".into(),
        actor: "a".into(),
    };
    let empty = Layout::from_env(&json!({"enabled": false, "strategies": []}));
    let steps = steps(&empty, &desired(true, 5, &[], &["internal"]), &note, "f");
    assert_eq!(kinds(&steps), ["create rollout", "create groups", "on"]);
    let Step::Create { body, .. } = &steps[0] else {
        panic!()
    };
    assert_eq!(
        body["parameters"],
        json!({"rollout": "5", "stickiness": "default", "groupId": "f"})
    );
}

#[test]
fn strategies_are_recognised_by_shape_and_changed_with_a_test_first() {
    let note = Note {
        text: "advance".into(),
        actor: "a".into(),
    };
    let layout = Layout::from_env(&env(true));
    assert_eq!(layout.others.len(), 1, "the default strategy is not ours");
    assert_eq!(
        layout.others[0].unmanaged(),
        Unmanaged {
            text: "default strategy (01C) serves everyone".into(),
            widens: true,
            overwritten: false
        }
    );
    let state = state_of(&layout, &env(true), "f", "production").unwrap();
    assert_eq!(state.percentage.weight(), 5_000);
    assert_eq!(state.stage.as_deref(), Some("internal"));
    assert_eq!(state.users, ["u1"]);
    let steps = steps(&layout, &desired(true, 10, &[], &["g"]), &note, "f");
    assert_eq!(
        kinds(&steps),
        ["patch rollout", "delete users", "create groups"]
    );
    let Step::Patch { ops, .. } = &steps[0] else {
        panic!()
    };
    assert_eq!(
        ops[0],
        json!({"op": "test", "path": "/parameters/rollout", "value": "5"})
    );
    assert_eq!(ops[1]["value"], "10");
    // Kill is the environment off, nothing else; resume is the environment on, nothing else.
    assert_eq!(
        kinds(&super::steps(
            &layout,
            &desired(false, 5, &["u1"], &[]),
            &note,
            "f"
        )),
        ["off"]
    );
    let off = Layout::from_env(&env(false));
    assert_eq!(
        kinds(&super::steps(
            &off,
            &desired(true, 5, &["u1"], &[]),
            &note,
            "f"
        )),
        ["on"]
    );
}

#[test]
fn a_guard_compares_the_whole_stage_and_names_each_difference() {
    let read = Layout::from_env(&env(true));
    let mut changed = env(false);
    changed["strategies"][0]["parameters"]["rollout"] = json!("7");
    changed["strategies"][1]["constraints"][0]["values"] = json!(["u1", "u2"]);
    changed["strategies"].as_array_mut().unwrap().push(
        json!({"id": "01D", "name": FLEXIBLE, "title": "mine", "constraints": [],
                     "parameters": {"rollout": "100", "stickiness": "default", "groupId": "f"}}),
    );
    let now = Layout::from_env(&changed);
    assert_eq!(
        differences(&read, &now),
        [
            "the environment was turned off (killed)",
            "the rollout moved from \"5\" to \"7\"",
            "the users changed from [u1] to [u1, u2]",
            "added: flexibleRollout strategy \"mine\" (01D) serves everyone",
        ]
    );
    assert!(differences(&read, &Layout::from_env(&env(true))).is_empty());
    // A second unconstrained rollout someone else titled is not the tool's to delete.
    assert_eq!(now.extras.len(), 0);
    assert_eq!(now.others.len(), 2);
    // After a write: what of the stage is missing.
    let want = desired(true, 5, &["u1"], &["g"]);
    assert_eq!(missing(&read, &want), ["the groups strategy was deleted"]);
    assert_eq!(
        missing(&now, &desired(true, 10, &["u1", "u2"], &[])),
        [
            "the environment was turned off (killed)",
            "the rollout is \"7\" instead of \"10\""
        ]
    );
}

#[test]
fn rollout_values_are_validated() {
    assert_eq!(
        parse_rollout(Some(&json!("25")), "f", "e")
            .unwrap()
            .weight(),
        25_000
    );
    assert!(parse_rollout(Some(&json!("150")), "f", "e").is_err());
    assert!(parse_rollout(Some(&json!("abc")), "f", "e").is_err());
    assert!(parse_rollout(None, "f", "e").is_err());
}
