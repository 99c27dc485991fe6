//! `.rollout/outbox.jsonl`: records a `kill` could not hand to the state store in its time (the
//! store down or slow). The next command that reaches the store pushes them first; the store
//! keeps one record per id, so a record that did reach it before is not stored twice.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::adapters::journal::{self, Locked};
use crate::domain::config::STATE_DIR;
use crate::domain::error::Result;

pub const OUTBOX_FILE: &str = "outbox.jsonl";

#[must_use]
pub fn path(dir: &Path) -> PathBuf {
    dir.join(STATE_DIR).join(OUTBOX_FILE)
}

/// Keeps `record` for the store (fsynced, under the outbox's lock).
pub fn add(dir: &Path, record: &Value) -> Result<()> {
    let mut locked = Locked::open(&path(dir))?;
    locked.write(record)?;
    locked.unlock()
}

/// Whether records wait in the outbox (a cheap look: its size).
#[must_use]
pub fn waiting(dir: &Path) -> bool {
    std::fs::metadata(path(dir)).is_ok_and(|m| m.len() > 0)
}

/// The outbox locked, with the records it holds in order (damaged lines skipped).
pub fn open(dir: &Path) -> Result<(Locked, Vec<Value>)> {
    let locked = Locked::open(&path(dir))?;
    let text = std::fs::read_to_string(locked.path()).map_err(|e| {
        crate::domain::error::Error::failed(format!(
            "could not read the outbox {}: {e}",
            locked.path().display()
        ))
    })?;
    let records = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| journal::parse_line(l).ok())
        .collect();
    Ok((locked, records))
}
