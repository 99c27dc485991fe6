//! One flag change as the journal records it (docs/journal.md): the record `decide` plans and
//! `apply` writes, and every reader of the journal parses.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::config::Percentage;

/// The outcomes a change's records carry (docs/journal.md): the intent journaled before the
/// provider write, then the same change with what happened.
pub mod outcome {
    /// Journaled before the provider write; open until an outcome record with its `id` follows.
    pub const INTENT: &str = "intent";
    pub const APPLIED: &str = "applied";
    /// The write failed and nothing was changed.
    pub const FAILED: &str = "failed";
    pub const MAY_HAVE_BEEN_APPLIED: &str = "may-have-been-applied";
    /// How `history` and `status` name an open intent.
    pub const OPEN_NOTE: &str =
        "intent left open: the run stopped during the write, so it may have been applied";
}

/// One flag change, as recorded (README.md "Commands" and docs/journal.md: time, actor, action,
/// flag, environment, from, to, percentage, reason, forced, provider, outcome).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Event {
    pub time: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub flag: String,
    pub environment: String,
    pub from: Option<String>,
    pub to: Option<String>,
    #[serde(serialize_with = "ser_pct", deserialize_with = "de_pct")]
    #[schemars(with = "Option<f64>")]
    pub percentage: Option<Percentage>,
    pub reason: Option<String>,
    pub forced: bool,
    pub provider: String,
    pub outcome: String,
    /// What the provider said about the change (revision, a conflict, a concurrent winner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Links a change's intent record (`outcome: "intent"`, journaled before the provider write)
    /// to its outcome record (see `intent`). Records of older versions have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The gates' verdicts seen before the change (advance, watch looks and kills).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<crate::domain::gates::Seen>,
    /// A watch look's `--interval` (`30s`): how soon the watch meant to look again, so that a
    /// later watch can tell a gap in the looks from a breach that held (docs/gates.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
}

#[allow(clippy::ref_option)]
fn ser_pct<S: serde::Serializer>(p: &Option<Percentage>, s: S) -> Result<S::Ok, S::Error> {
    match p {
        Some(p) => p.serialize(s),
        None => s.serialize_none(),
    }
}

fn de_pct<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Percentage>, D::Error> {
    let v: Option<f64> = Option::deserialize(d)?;
    Ok(v.and_then(Percentage::from_percent))
}

impl Event {
    /// One line for people: `advance f internal → beta (10%) in production [forced]: why` (the
    /// environment only where the provider has one; `history` puts the time and actor before it).
    #[must_use]
    pub fn summary(&self) -> String {
        let mut s = format!("{} {}", self.action, self.flag);
        match (&self.from, &self.to) {
            (Some(f), Some(t)) if f != t => s.push_str(&format!(" {f} → {t}")),
            (None, Some(t)) => s.push_str(&format!(" → {t}")),
            (Some(f), _) => s.push_str(&format!(" at {f}")),
            _ => {}
        }
        if let Some(p) = self.percentage {
            s.push_str(&format!(" ({p})"));
        }
        s.push_str(&crate::domain::config::in_environment(
            &self.provider,
            &self.environment,
        ));
        if self.forced {
            s.push_str(" [forced]");
        }
        if let Some(r) = &self.reason {
            s.push_str(&format!(": {r}"));
        }
        s
    }
}
