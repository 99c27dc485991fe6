//! `state:` in stages.yaml: where a team's records live (the journal of changes, checklist runs
//! and watch looks, and the leases). docs/team.md describes each kind.

use std::time::Duration;

/// The branch a git store commits to when `state.branch` is not given.
pub const DEFAULT_GIT_BRANCH: &str = "rollout-state";

/// How long a lease lasts without renewal when `state.lease` is not given.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

/// Where the records live.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum StateKind {
    /// `.rollout/journal.jsonl` beside stages.yaml, on this machine only (the default).
    #[default]
    Local,
    /// A PostgreSQL database; its URL is read from the variable `url_env` names, never printed.
    Postgres { url_env: String },
    /// Every record a commit on `branch` of the git repository at `remote` (a URL or a path).
    Git { remote: String, branch: String },
}

/// The `state:` block, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateSettings {
    pub kind: StateKind,
    /// How long a lease holds without renewal (`state.lease`, default 30 s).
    pub lease: Duration,
}

impl Default for StateSettings {
    fn default() -> Self {
        StateSettings {
            kind: StateKind::Local,
            lease: DEFAULT_LEASE,
        }
    }
}

impl StateKind {
    /// The kind's name as written in stages.yaml.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            StateKind::Local => "local",
            StateKind::Postgres { .. } => "postgres",
            StateKind::Git { .. } => "git",
        }
    }
}
