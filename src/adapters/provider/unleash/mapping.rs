//! Stage ↔ strategies. In the configured environment a stage is:
//!
//! - the rollout: a `flexibleRollout` strategy with no constraints (`rollout` = the stage's whole
//!   percentage, `stickiness: default`, `groupId` = the flag key);
//! - the listed users: a 100% `flexibleRollout` constrained on `userId IN [...]`;
//! - the groups: a 100% `flexibleRollout` constrained on the context field `group IN [...]`;
//! - kill: the environment off, every strategy untouched, so `resume` (environment on) brings
//!   back exactly the same users.
//!
//! Strategies are recognised by their shape, not their title, so a title edited in the UI does not
//! hide them. The title carries the note of the tool's last change to that strategy.

use serde_json::{json, Map, Value};

use crate::adapters::provider::{Desired, FlagState, Note, Unmanaged};
use crate::domain::config::Percentage;
use crate::domain::error::{Error, Result};

pub const FLEXIBLE: &str = "flexibleRollout";
/// Titles the tool writes start with this; the rest is the change's note.
pub const TITLE_PREFIX: &str = "rollout ";
/// The context field groups are matched on.
pub const GROUP_FIELD: &str = "group";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Rollout,
    Users,
    Groups,
}

impl Role {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Role::Rollout => "rollout",
            Role::Users => "users",
            Role::Groups => "groups",
        }
    }
}

/// One strategy as the Admin API returns it.
#[derive(Debug, Clone)]
pub struct Strategy {
    pub id: String,
    pub raw: Value,
}

impl Strategy {
    fn str_at(&self, ptr: &str) -> Option<&str> {
        self.raw.pointer(ptr).and_then(Value::as_str)
    }

    #[must_use]
    pub fn title(&self) -> Option<&str> {
        self.str_at("/title")
    }

    /// The raw `rollout` parameter, exactly as stored (the value a guard `test` op compares).
    #[must_use]
    pub fn rollout(&self) -> Option<&Value> {
        self.raw.pointer("/parameters/rollout")
    }

    #[must_use]
    pub fn values(&self) -> Vec<String> {
        crate::adapters::provider::strings(self.raw.pointer("/constraints/0/values"))
    }

    /// Which part of a stage this strategy is, if it is one the tool manages.
    #[must_use]
    pub fn role(&self) -> Option<Role> {
        if self.str_at("/name") != Some(FLEXIBLE)
            || self.raw.get("disabled").and_then(Value::as_bool) == Some(true)
        {
            return None;
        }
        let constraints = self.raw.get("constraints").and_then(Value::as_array);
        let segments = self.raw.get("segments").and_then(Value::as_array);
        if segments.is_some_and(|s| !s.is_empty()) {
            return None;
        }
        match constraints.map_or(0, Vec::len) {
            0 => Some(Role::Rollout),
            1 => {
                let c = &constraints?[0];
                let plain = c.get("operator").and_then(Value::as_str) == Some("IN")
                    && c.get("inverted").and_then(Value::as_bool) != Some(true)
                    && self.rollout().and_then(Value::as_str) == Some("100");
                match c.get("contextName").and_then(Value::as_str) {
                    Some("userId") if plain => Some(Role::Users),
                    Some(GROUP_FIELD) if plain => Some(Role::Groups),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// The flag's state in one environment, sorted into the parts of a stage.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub enabled: bool,
    pub rollout: Option<Strategy>,
    pub users: Option<Strategy>,
    pub groups: Option<Strategy>,
    /// Second strategies of a role that the tool wrote (left by two first advances racing):
    /// deleted by the next write.
    pub extras: Vec<(Role, Strategy)>,
    /// Strategies the tool does not manage (added in the UI, or a second strategy of a role
    /// whose title the tool did not write): kept, never changed, shown by `status`.
    pub others: Vec<Strategy>,
    pub strategy_count: usize,
}

impl Layout {
    /// From one element of the flag's `environments[]`.
    #[must_use]
    pub fn from_env(env: &Value) -> Layout {
        let mut layout = Layout {
            enabled: env.get("enabled").and_then(Value::as_bool) == Some(true),
            ..Layout::default()
        };
        let mut list: Vec<Strategy> = env
            .get("strategies")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .map(|s| Strategy {
                        id: s
                            .get("id")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                        raw: s.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        layout.strategy_count = list.len();
        // Ids are ULIDs: the oldest strategy of a role is the one that counts.
        list.sort_by(|a, b| a.id.cmp(&b.id));
        for s in list {
            let Some(role) = s.role() else {
                if s.raw.get("disabled").and_then(Value::as_bool) != Some(true) {
                    layout.others.push(s);
                }
                continue;
            };
            let slot = match role {
                Role::Rollout => &mut layout.rollout,
                Role::Users => &mut layout.users,
                Role::Groups => &mut layout.groups,
            };
            if slot.is_none() {
                *slot = Some(s);
            } else if s.title().is_some_and(|t| t.starts_with(TITLE_PREFIX)) {
                layout.extras.push((role, s));
            } else {
                // Same shape, but someone else's (a second 100% rollout added in the UI).
                layout.others.push(s);
            }
        }
        layout
    }

    #[must_use]
    pub fn get(&self, role: Role) -> Option<&Strategy> {
        match role {
            Role::Rollout => self.rollout.as_ref(),
            Role::Users => self.users.as_ref(),
            Role::Groups => self.groups.as_ref(),
        }
    }
}

/// The rollout a strategy serves to an unconstrained audience, in whole percent (`default`
/// serves everyone; an unreadable value counts as everyone, to be safe).
fn served_percent(s: &Strategy) -> u32 {
    let name = s.str_at("/name").unwrap_or_default();
    if name == "default" {
        return 100;
    }
    let p = s
        .raw
        .pointer("/parameters/rollout")
        .or_else(|| s.raw.pointer("/parameters/percentage"));
    match p {
        Some(Value::String(t)) => t.trim().parse::<u32>().map_or(100, |n| n.min(100)),
        Some(Value::Number(n)) => n
            .as_u64()
            .map_or(100, |n| u32::try_from(n.min(100)).unwrap_or(100)),
        // A custom strategy without a percentage: it may serve anyone it likes.
        _ => 100,
    }
}

impl Strategy {
    /// What this (unmanaged) strategy does, for people.
    #[must_use]
    pub fn unmanaged(&self) -> Unmanaged {
        let name = self.str_at("/name").unwrap_or("?");
        let title = self
            .title()
            .filter(|t| !t.is_empty())
            .map(|t| format!(" \"{t}\""))
            .unwrap_or_default();
        let constrained = self
            .raw
            .get("constraints")
            .and_then(Value::as_array)
            .is_some_and(|c| !c.is_empty())
            || self
                .raw
                .get("segments")
                .and_then(Value::as_array)
                .is_some_and(|c| !c.is_empty());
        let pct = served_percent(self);
        let (text, widens) = if constrained {
            (
                format!("serves the users its constraints or segments match ({pct}% of them)"),
                false,
            )
        } else if pct == 0 {
            ("serves nobody (0%)".to_string(), false)
        } else if pct == 100 {
            ("serves everyone".to_string(), true)
        } else {
            (format!("serves {pct}% of everyone"), true)
        };
        Unmanaged {
            text: format!("{name} strategy{title} ({}) {text}", self.id),
            widens,
        }
    }
}

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

/// Parses a stored `rollout` value; the server keeps anything (`"150"`, `"abc"`), the tool does not.
pub fn parse_rollout(raw: Option<&Value>, flag: &str, environment: &str) -> Result<Percentage> {
    let text = match raw {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    text.parse::<u32>()
        .ok()
        .filter(|n| *n <= 100)
        .and_then(|n| Percentage::from_weight(n * 1000))
        .ok_or_else(|| {
            Error::provider(format!(
                "the rollout strategy of {flag} in {environment} holds rollout {}, which is not a whole percentage from 0 to 100",
                raw.map_or_else(|| "(none)".to_string(), Value::to_string)
            ))
.nothing_changed()
            .with_hint("fix the strategy's rollout in Unleash (a whole number 0-100), then run the command again")
            .permanent()
        })
}

/// What the tool reads from an environment.
pub fn state_of(layout: &Layout, env: &Value, flag: &str, environment: &str) -> Result<FlagState> {
    if let Some(s) = &layout.rollout {
        parse_rollout(s.rollout(), flag, environment)?;
    }
    Ok(lenient_state_of(layout, env))
}

/// The same, for kill: a rollout value the tool cannot read (`"150"`, `"abc"`, `""` edited in
/// the UI) is reported as 0% instead of stopping anything, since turning the environment off
/// needs none of it.
#[must_use]
pub fn lenient_state_of(layout: &Layout, env: &Value) -> FlagState {
    let unreadable = layout.rollout.as_ref().and_then(|s| {
        parse_rollout(s.rollout(), "", "").is_err().then(|| {
            format!(
                "the rollout strategy holds rollout {}, which is no percentage",
                s.rollout()
                    .map_or_else(|| "(none)".to_string(), Value::to_string)
            )
        })
    });
    let percentage = match &layout.rollout {
        Some(s) => parse_rollout(s.rollout(), "", "").unwrap_or(Percentage::ZERO),
        // Unleash serves an enabled environment without strategies to everyone.
        None if layout.enabled && layout.strategy_count == 0 => Percentage::FULL,
        None => Percentage::ZERO,
    };
    let stage = layout
        .rollout
        .as_ref()
        .and_then(Strategy::title)
        .and_then(stage_of_title);
    FlagState {
        // Rolled out: switched on, or holding a stage's strategies (killed). Strategies someone
        // added in the UI to an environment that is off do not make a rollout.
        exists: layout.enabled
            || layout.rollout.is_some()
            || layout.users.is_some()
            || layout.groups.is_some(),
        on: layout.enabled,
        percentage,
        stage,
        users: layout
            .users
            .as_ref()
            .map(Strategy::values)
            .unwrap_or_default(),
        groups: layout
            .groups
            .as_ref()
            .map(Strategy::values)
            .unwrap_or_default(),
        since: None,
        killed_at: None,
        version: json!({
            "enabled": layout.enabled,
            "strategies": env.get("strategies").cloned().unwrap_or(Value::Null),
        })
        .to_string(),
        revision: None,
        // Only a lenient read (kill) gets this far with an unreadable rollout: kill journals it.
        detail: unreadable,
        read_at: None,
    }
}

/// `rollout stage beta | advance f internal → beta (10%) in production | by alice` → `beta`.
#[must_use]
pub fn stage_of_title(title: &str) -> Option<String> {
    let rest = title.strip_prefix("rollout stage ")?;
    let stage = rest.split(" | ").next()?.trim();
    (!stage.is_empty()).then(|| stage.to_string())
}

/// The note part of a title the tool wrote (after the first ` | `).
#[must_use]
pub fn note_of_title(title: &str) -> Option<String> {
    if !title.starts_with(TITLE_PREFIX) {
        return None;
    }
    title.split_once(" | ").map(|(_, n)| n.to_string())
}

/// The note as it travels in titles: the change's summary and who made it.
#[must_use]
pub fn note_text(note: &Note) -> String {
    format!("{} | by {}", note.text, note.actor)
}

#[must_use]
pub fn title(role: Role, stage: &str, note: &Note) -> String {
    let head = match role {
        Role::Rollout => format!("rollout stage {stage}"),
        Role::Users => format!("rollout users (stage {stage})"),
        Role::Groups => format!("rollout groups (stage {stage})"),
    };
    format!("{head} | {}", note_text(note))
}

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

#[cfg(test)]
mod tests {
    use super::*;

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
                widens: true
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
        changed["strategies"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "01D", "name": FLEXIBLE, "title": "mine", "constraints": [],
                         "parameters": {"rollout": "100", "stickiness": "default", "groupId": "f"}}));
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
}
