//! The boundary between the stage engine and where a flag lives. The engine reads a [`FlagState`],
//! decides, and asks for a [`Desired`] state with a guarded write; each provider maps that onto its
//! own API in its own file.

pub mod file;
pub mod unleash;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::config::{Config, Percentage, ProviderKind, ProviderSettings};
use crate::error::{Error, Result};
use crate::exposure::Bucketing;

/// The strings of a JSON array (other values skipped); empty when `v` is absent or no array.
#[must_use]
pub fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The flag as the provider reports it.
#[derive(Debug, Clone, Default)]
pub struct FlagState {
    /// The flag exists at the provider (a flag never rolled out has no entry yet).
    pub exists: bool,
    /// Serving its rollout (false: killed, off in this environment).
    pub on: bool,
    /// The rollout percentage configured (kept while killed).
    pub percentage: Percentage,
    /// The stage name the tool recorded with the flag, if any.
    pub stage: Option<String>,
    pub users: Vec<String>,
    pub groups: Vec<String>,
    /// When the current stage started, where the provider keeps it.
    pub since: Option<DateTime<Utc>>,
    /// When the flag was killed, if it is.
    pub killed_at: Option<DateTime<Utc>>,
    /// Opaque: any change at the provider changes it. Compared by guarded writes.
    pub version: String,
    /// Revision counter where the provider keeps one.
    pub revision: Option<u64>,
    /// What the provider reported about the write that returned this state (e.g. a concurrent
    /// run that made the same change); journaled as the event's detail.
    pub detail: Option<String>,
}

/// What the engine wants the flag to be.
#[derive(Debug, Clone)]
pub struct Desired {
    pub on: bool,
    pub stage: String,
    pub percentage: Percentage,
    pub users: Vec<String>,
    pub groups: Vec<String>,
    /// When this stage started (now for a new stage, kept on kill and resume).
    pub since: DateTime<Utc>,
    pub killed_at: Option<DateTime<Utc>>,
}

/// The change's note, which travels with the change where the provider keeps one.
#[derive(Debug, Clone)]
pub struct Note {
    pub text: String,
    /// Who made the change (the note travels with it where the provider has room).
    pub actor: String,
}

/// A change as the provider's own log records it (Unleash's event log): for `history`, soak
/// times read on any machine, and naming who made a conflicting change.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Change {
    pub id: u64,
    pub time: DateTime<Utc>,
    /// Who the provider says made it (for Unleash: the user, or the API token's name).
    pub actor: String,
    /// The provider's event type, e.g. `feature-strategy-update`.
    pub kind: String,
    /// One line for people: `rollout changed 10% → 30%`.
    pub summary: String,
    /// The note `rollout` wrote with the change, when `rollout` made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip)]
    pub from: Option<Percentage>,
    #[serde(skip)]
    pub to: Option<Percentage>,
    /// A change of the rollout strategy (its percentage).
    #[serde(skip)]
    pub rollout_role: bool,
}

/// Something at the provider, not managed by `rollout`, that changes who sees the flag (a
/// strategy added in the Unleash UI): shown by `status`; `advance` refuses while one `widens`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmanaged {
    /// One line for people: `default strategy (01J…) serves everyone`.
    pub text: String,
    /// It serves users beyond the stage's audience with no constraint (a 100% `default`, a
    /// second unconstrained rollout).
    pub widens: bool,
}

/// A request as `--dry-run` and `-v` show it: secrets already replaced by `***`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Request {
    pub method: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Headers worth showing (secret values as `***`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
}

pub enum Provider {
    File(file::FileProvider),
    Unleash(Box<unleash::UnleashProvider>),
}

impl Provider {
    /// The provider for this run's settings.
    pub fn new(
        config: &Config,
        settings: &ProviderSettings,
        timeout: std::time::Duration,
    ) -> Result<Provider> {
        match settings.kind {
            ProviderKind::File => Ok(Provider::File(file::FileProvider::new(config, settings))),
            ProviderKind::Unleash => Ok(Provider::Unleash(Box::new(
                unleash::UnleashProvider::new(config, settings, timeout)?,
            ))),
            other => Err(Error::usage(format!(
                "the {other} provider is not available in this version of rollout"
            ))
            .with_hint("use `provider: { kind: file }` (the default) or `kind: unleash`")),
        }
    }

    /// Where `-v` logs the provider's requests (secrets hidden).
    pub fn set_log(&mut self, out: crate::output::Output) {
        match self {
            Provider::File(_) => {}
            Provider::Unleash(p) => p.set_log(out),
        }
    }

    /// The flag's changes in this environment from the provider's own log, newest first (the
    /// file provider has none: its journal is local).
    pub async fn changes(&self, limit: usize) -> Result<Vec<Change>> {
        match self {
            Provider::File(_) => Ok(Vec::new()),
            Provider::Unleash(p) => p.changes(limit).await,
        }
    }

    /// Fills `since` and `killed_at` from the provider's log where it keeps them apart from the
    /// flag (the file provider keeps them in the flag, so `read` already did).
    pub async fn add_times(&self, state: &mut FlagState) -> Result<()> {
        match self {
            Provider::File(_) => Ok(()),
            Provider::Unleash(p) => p.add_times(state).await,
        }
    }

    /// For status lines: `file .rollout/flags.json`.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Provider::File(p) => p.describe(),
            Provider::Unleash(p) => p.describe(),
        }
    }

    #[must_use]
    pub fn kind(&self) -> ProviderKind {
        match self {
            Provider::File(_) => ProviderKind::File,
            Provider::Unleash(_) => ProviderKind::Unleash,
        }
    }

    pub async fn read(&self) -> Result<FlagState> {
        match self {
            Provider::File(p) => p.read(),
            Provider::Unleash(p) => p.read().await,
        }
    }

    /// The flag as `read` reports it, but never refusing over state a kill does not need (an
    /// unreadable rollout value): kill only needs to know whether the flag is on.
    pub async fn read_for_kill(&self) -> Result<FlagState> {
        match self {
            Provider::File(p) => p.read(),
            Provider::Unleash(p) => p.read_for_kill().await,
        }
    }

    /// What else at the provider changes who sees the flag, from a state `read` returned.
    #[must_use]
    pub fn unmanaged(&self, state: &FlagState) -> Vec<Unmanaged> {
        match self {
            Provider::File(_) => Vec::new(),
            Provider::Unleash(p) => p.unmanaged(state),
        }
    }

    /// Writes `desired` if the flag is still as `expected` (else a conflict, exit 5).
    pub async fn write(
        &self,
        expected: &FlagState,
        desired: &Desired,
        note: &Note,
    ) -> Result<FlagState> {
        match self {
            Provider::File(p) => p.write(expected, desired, note),
            Provider::Unleash(p) => p.write(expected, desired, note).await,
        }
    }

    /// The requests [`Provider::write`] would send, for `--dry-run`.
    #[must_use]
    pub fn preview(&self, expected: &FlagState, desired: &Desired, note: &Note) -> Vec<Request> {
        match self {
            Provider::File(p) => p.preview(expected, desired, note),
            Provider::Unleash(p) => p.preview(expected, desired, note),
        }
    }

    #[must_use]
    pub fn bucketing(&self) -> Bucketing {
        match self {
            Provider::File(p) => p.bucketing(),
            Provider::Unleash(p) => p.bucketing(),
        }
    }
}
