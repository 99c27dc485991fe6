//! The boundary between the stage engine and where a flag lives. The engine reads a [`FlagState`],
//! decides, and asks for a [`Desired`] state with a guarded write; each provider maps that onto its
//! own API in its own file.

pub mod file;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::config::{Config, Percentage, ProviderKind, ProviderSettings};
use crate::error::{Error, Result};
use crate::exposure::Bucketing;

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
}

/// A request as `--dry-run` and `-v` show it: secrets already replaced by `***`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Request {
    pub method: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

pub enum Provider {
    File(file::FileProvider),
}

impl Provider {
    /// The provider for this run's settings.
    pub fn new(
        config: &Config,
        settings: &ProviderSettings,
        timeout: std::time::Duration,
    ) -> Result<Provider> {
        let _ = timeout;
        match settings.kind {
            ProviderKind::File => Ok(Provider::File(file::FileProvider::new(config, settings))),
            other => Err(Error::usage(format!(
                "the {other} provider is not available in this version of rollout"
            ))
            .with_hint("use `provider: { kind: file }` (the default) for now")),
        }
    }

    /// For status lines: `file .rollout/flags.json`.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Provider::File(p) => p.describe(),
        }
    }

    #[must_use]
    pub fn kind(&self) -> ProviderKind {
        match self {
            Provider::File(_) => ProviderKind::File,
        }
    }

    pub async fn read(&self) -> Result<FlagState> {
        match self {
            Provider::File(p) => p.read(),
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
        }
    }

    /// The requests [`Provider::write`] would send, for `--dry-run`.
    #[must_use]
    pub fn preview(&self, expected: &FlagState, desired: &Desired, note: &Note) -> Vec<Request> {
        match self {
            Provider::File(p) => p.preview(expected, desired, note),
        }
    }

    #[must_use]
    pub fn bucketing(&self) -> Bucketing {
        match self {
            Provider::File(p) => p.bucketing(),
        }
    }
}
