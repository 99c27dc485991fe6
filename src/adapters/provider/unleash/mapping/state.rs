//! The [`FlagState`] an environment holds, and the stored rollout value read as a percentage.

use serde_json::{json, Value};

use super::{stage_of_title, Layout, Strategy};
use crate::adapters::provider::FlagState;
use crate::domain::config::Percentage;
use crate::domain::error::{Error, Result};

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
