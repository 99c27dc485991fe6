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

mod compare;
mod state;
mod steps;
#[cfg(test)]
mod tests;

use serde_json::Value;

pub use self::compare::{differences, missing, rollout_value, widening_added};
pub use self::state::{lenient_state_of, parse_rollout, state_of};
pub use self::steps::{steps, steps_from, Step};
use crate::adapters::provider::{Note, Unmanaged};

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
            // A write touches only rollout's own strategy.
            overwritten: false,
        }
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
