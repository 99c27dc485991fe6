//! What a guarded write compares: the layout read against the layout now, and the layout now
//! against the stage wanted.

use serde_json::{json, Value};

use super::{Layout, Role, Strategy};
use crate::adapters::provider::Desired;
use crate::domain::config::Percentage;

/// What a guarded write compares: every part of the environment the tool manages, plus the
/// unmanaged strategies that change who sees the flag. The differences, in words (empty: same).
#[must_use]
pub fn differences(read: &Layout, now: &Layout) -> Vec<String> {
    let mut out = Vec::new();
    if read.enabled != now.enabled {
        out.push(if now.enabled {
            "the environment was turned on".to_string()
        } else {
            "the environment was turned off (killed)".to_string()
        });
    }
    for role in [Role::Rollout, Role::Users, Role::Groups] {
        match (read.get(role), now.get(role)) {
            (Some(a), Some(b)) if a.id != b.id => {
                out.push(format!("the {} strategy was replaced", role.name()));
            }
            (Some(a), Some(b)) if role == Role::Rollout && a.rollout() != b.rollout() => {
                out.push(format!(
                    "the rollout moved from {} to {}",
                    a.rollout()
                        .map_or_else(|| "(none)".into(), Value::to_string),
                    b.rollout()
                        .map_or_else(|| "(none)".into(), Value::to_string)
                ));
            }
            (Some(a), Some(b)) if a.values() != b.values() => {
                out.push(format!(
                    "the {} changed from [{}] to [{}]",
                    role.name(),
                    a.values().join(", "),
                    b.values().join(", ")
                ));
            }
            (Some(_), None) => out.push(format!("the {} strategy was deleted", role.name())),
            (None, Some(_)) => out.push(format!("a {} strategy was added", role.name())),
            _ => {}
        }
    }
    out.extend(widening_added(read, now));
    out
}

/// Strategies `rollout` does not manage that serve users beyond the stage's audience, present
/// `now` and not in the layout `read` (each as `added: …`).
#[must_use]
pub fn widening_added(read: &Layout, now: &Layout) -> Vec<String> {
    let before: Vec<&str> = read
        .others
        .iter()
        .filter(|s| s.unmanaged().widens)
        .map(|s| s.id.as_str())
        .collect();
    now.others
        .iter()
        .filter(|s| s.unmanaged().widens && !before.contains(&s.id.as_str()))
        .map(|s| format!("added: {}", s.unmanaged().text))
        .collect()
}

/// The stored `rollout` parameter for a percentage (`"25"`).
#[must_use]
pub fn rollout_value(p: Percentage) -> Value {
    json!(p.whole().unwrap_or(p.weight() / 1000).to_string())
}

/// What of `desired` the environment does not hold (empty: all of it), in words.
#[must_use]
pub fn missing(now: &Layout, desired: &Desired) -> Vec<String> {
    let mut out = Vec::new();
    if now.enabled != desired.on {
        out.push(if now.enabled {
            "the environment was turned on".to_string()
        } else {
            "the environment was turned off (killed)".to_string()
        });
    }
    let want = rollout_value(desired.percentage);
    match &now.rollout {
        None => out.push("the rollout strategy was deleted".to_string()),
        Some(s) if s.rollout() != Some(&want) => out.push(format!(
            "the rollout is {} instead of {want}",
            s.rollout()
                .map_or_else(|| "(none)".into(), Value::to_string)
        )),
        Some(_) => {}
    }
    for (role, values) in [
        (Role::Users, &desired.users),
        (Role::Groups, &desired.groups),
    ] {
        let have = now.get(role).map(Strategy::values).unwrap_or_default();
        if &have != values {
            out.push(if have.is_empty() {
                format!("the {} strategy was deleted", role.name())
            } else {
                format!(
                    "the {} are [{}] instead of [{}]",
                    role.name(),
                    have.join(", "),
                    values.join(", ")
                )
            });
        }
    }
    out
}
