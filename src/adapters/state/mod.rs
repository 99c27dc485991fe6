//! The state stores behind [`crate::ports::state::Store`]: `local` (the journal file of this
//! checkout), `postgres` and `git` (docs/team.md). [`open`] picks one from `state:`.

pub mod entry;
pub mod git;
pub mod local;
pub mod outbox;
pub mod postgres;

use std::path::Path;
use std::time::Duration;

use crate::domain::config::{StateKind, StateSettings};
use crate::domain::error::Result;
use crate::ports::state::Store;

/// Opens the store `settings` name; `dir` is the directory of stages.yaml (where `.rollout/`
/// lives). A PostgreSQL store bounds connecting and each request by `timeout`, a git store each
/// git command (the run's `--timeout`; the local store reads a file and takes none). Opening
/// checks nothing remote yet: the first request does.
pub fn open(settings: &StateSettings, dir: &Path, timeout: Duration) -> Result<Box<dyn Store>> {
    match &settings.kind {
        StateKind::Local => Ok(Box::new(local::Local::new(dir))),
        StateKind::Postgres { url_env } => postgres::open_with(url_env, timeout),
        StateKind::Git { remote, branch } => git::open_with(remote, branch, dir, timeout),
    }
}
