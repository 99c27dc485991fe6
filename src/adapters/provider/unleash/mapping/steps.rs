//! The requests of a write: the [`Step`]s that take an environment from one layout to a stage.

use serde_json::{json, Map, Value};

use super::{title, Layout, Role, FLEXIBLE, GROUP_FIELD};
use crate::adapters::provider::{Desired, FlagState, Note};
use crate::domain::config::Percentage;

/// One request of a write.
#[derive(Debug, Clone)]
pub enum Step {
    /// JSON Patch of a strategy, starting with a `test` of the value that was read.
    Patch {
        role: Role,
        id: String,
        ops: Vec<Value>,
        wanted: Value,
    },
    /// A new strategy.
    Create {
        role: Role,
        body: Value,
    },
    Delete {
        role: Role,
        id: String,
    },
    On,
    Off,
}

fn strategy_body(
    role: Role,
    flag: &str,
    pct: Percentage,
    values: &[String],
    title: String,
) -> Value {
    let constraints = match role {
        Role::Rollout => json!([]),
        Role::Users => json!([{"contextName": "userId", "operator": "IN", "values": values}]),
        Role::Groups => json!([{"contextName": GROUP_FIELD, "operator": "IN", "values": values}]),
    };
    let rollout = match role {
        Role::Rollout => pct.whole().unwrap_or(pct.weight() / 1000).to_string(),
        _ => "100".to_string(),
    };
    let mut params = Map::new();
    params.insert("rollout".into(), json!(rollout));
    params.insert("stickiness".into(), json!("default"));
    params.insert("groupId".into(), json!(flag));
    json!({
        "name": FLEXIBLE,
        "title": title,
        "disabled": false,
        "constraints": constraints,
        "parameters": Value::Object(params),
    })
}

/// The requests that take the environment from `layout` to `desired`, in a safe order: the
/// rollout first (its guarded patch fails before anything changed), users and groups, clean-up,
/// and the environment switched on last (Unleash adds a 100% strategy to an environment turned on
/// without one).
#[must_use]
pub fn steps(layout: &Layout, desired: &Desired, note: &Note, flag: &str) -> Vec<Step> {
    if !desired.on {
        // Kill: the environment off, whatever was read (sending it to an environment that is
        // already off changes nothing).
        return vec![Step::Off];
    }
    let mut out = Vec::new();
    let want_rollout = json!(desired
        .percentage
        .whole()
        .unwrap_or(desired.percentage.weight() / 1000)
        .to_string());
    match &layout.rollout {
        Some(s) if s.rollout() != Some(&want_rollout) => out.push(Step::Patch {
            role: Role::Rollout,
            id: s.id.clone(),
            ops: vec![
                json!({"op": "test", "path": "/parameters/rollout", "value": s.rollout().cloned().unwrap_or(Value::Null)}),
                json!({"op": "replace", "path": "/parameters/rollout", "value": want_rollout}),
                json!({"op": "replace", "path": "/title", "value": title(Role::Rollout, &desired.stage, note)}),
            ],
            wanted: want_rollout,
        }),
        Some(_) => {}
        None => out.push(Step::Create {
            role: Role::Rollout,
            body: strategy_body(
                Role::Rollout,
                flag,
                desired.percentage,
                &[],
                title(Role::Rollout, &desired.stage, note),
            ),
        }),
    }
    for (role, values) in [
        (Role::Users, &desired.users),
        (Role::Groups, &desired.groups),
    ] {
        match layout.get(role) {
            Some(s) if values.is_empty() => out.push(Step::Delete {
                role,
                id: s.id.clone(),
            }),
            Some(s) if &s.values() != values => out.push(Step::Patch {
                role,
                id: s.id.clone(),
                ops: vec![
                    json!({"op": "test", "path": "/constraints/0/values", "value": s.raw.pointer("/constraints/0/values").cloned().unwrap_or(Value::Null)}),
                    json!({"op": "replace", "path": "/constraints/0/values", "value": values}),
                    json!({"op": "replace", "path": "/title", "value": title(role, &desired.stage, note)}),
                ],
                wanted: json!(values),
            }),
            Some(_) => {}
            None if values.is_empty() => {}
            None => out.push(Step::Create {
                role,
                body: strategy_body(role, flag, desired.percentage, values, title(role, &desired.stage, note)),
            }),
        }
    }
    for (role, s) in &layout.extras {
        out.push(Step::Delete {
            role: *role,
            id: s.id.clone(),
        });
    }
    if !layout.enabled {
        out.push(Step::On);
    }
    out
}

/// The requests that take the environment read as `expected` (laid out as `layout`) to
/// `desired`: [`steps`], except that an off which moves the audience (a forced advance or
/// rollback of a killed flag) writes the new stage's strategies and leaves the environment off
/// (turning it off, should it be on). A kill moves nothing and sends the off alone.
#[must_use]
pub fn steps_from(
    layout: &Layout,
    expected: &FlagState,
    desired: &Desired,
    note: &Note,
    flag: &str,
) -> Vec<Step> {
    if desired.on || !desired.moves(expected) {
        return steps(layout, desired, note, flag);
    }
    let on = Desired {
        on: true,
        ..desired.clone()
    };
    let mut out: Vec<Step> = steps(layout, &on, note, flag)
        .into_iter()
        .filter(|s| !matches!(s, Step::On))
        .collect();
    if layout.enabled {
        out.push(Step::Off);
    }
    out
}
