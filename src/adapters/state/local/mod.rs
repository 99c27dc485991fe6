//! The local store: `.rollout/journal.jsonl` beside stages.yaml, as before `state:` existed, and
//! leases in `.rollout/leases.json` (`lease`). One machine's records only.
//!
//! A record's `seq` is its line number in the journal counted from 1 (stable: the file is only
//! appended to), its `at` the record's own `time` (this machine's clock). Appends hold the
//! journal's exclusive lock while they look for the id and the scope's head and write, so the
//! compare-and-swap holds across processes; reads hold a shared lock, so line numbers do not
//! move under them.

pub mod lease;
mod scan;

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;

use crate::adapters::journal;
use crate::adapters::state::entry;
use crate::domain::error::{Error, Result};
use crate::ports::state::{
    Appended, Entry, Head, Health, Lease, Leased, Query, Scope, Store, Stored,
};

/// The journal and leases of the checkout at `dir`.
pub struct Local {
    dir: PathBuf,
}

impl Local {
    #[must_use]
    pub fn new(dir: &Path) -> Local {
        Local {
            dir: dir.to_path_buf(),
        }
    }

    fn journal(&self) -> PathBuf {
        journal::path(&self.dir)
    }

    /// A newer lease than `fence` granted on `scope`, if any.
    fn fenced(&self, scope: Option<&Scope>, fence: Option<&Lease>) -> Result<Option<Lease>> {
        let (Some(scope), Some(fence)) = (scope, fence) else {
            return Ok(None);
        };
        Ok(lease::current(&self.dir, scope)?.filter(|l| l.token > fence.token))
    }
}

#[async_trait]
impl Store for Local {
    fn kind(&self) -> &'static str {
        "local"
    }

    fn place(&self) -> String {
        self.journal().display().to_string()
    }

    async fn append(
        &self,
        entry: &Entry,
        after: Option<Head>,
        fence: Option<&Lease>,
    ) -> Result<Appended> {
        if let Some(newer) = self.fenced(entry.scope.as_ref(), fence)? {
            return Ok(Appended::Fenced(newer));
        }
        let mut locked = journal::Locked::open(&self.journal())?;
        // Records without an id of their own (watch looks, checklist runs) are written as they
        // come: two identical looks are two looks here (entry.rs).
        let id = Some(entry.id.as_str()).filter(|i| !i.starts_with(entry::DERIVED));
        let found = scan::forward(locked.path(), id, entry.scope.as_ref())?;
        if let Some(stored) = found.record {
            locked.unlock()?;
            return Ok(Appended::Stored(stored));
        }
        if let (Some(Head(want)), Some(_)) = (after, &entry.scope) {
            let now = found.head.as_ref().map_or(0, |s| s.seq);
            if now != want {
                locked.unlock()?;
                return match found.head {
                    Some(winner) => Ok(Appended::Conflict(winner)),
                    None => Err(Error::failed(format!(
                        "{}: the record {want} this change was decided after is gone \
                         (the journal was cut short)",
                        self.place()
                    ))),
                };
            }
        }
        locked.write(&entry.body)?;
        locked.unlock()?;
        Ok(Appended::Stored(Stored {
            seq: found.lines + 1,
            at: scan::time_of(&entry.body),
            entry: entry.clone(),
        }))
    }

    async fn read(&self, query: &Query) -> Result<Vec<Stored>> {
        let _lock = scan::shared(&self.journal())?;
        scan::backward(&self.journal(), query)
    }

    async fn find(&self, id: &str) -> Result<Option<Stored>> {
        let _lock = scan::shared(&self.journal())?;
        Ok(scan::forward(&self.journal(), Some(id), None)?.record)
    }

    async fn head(&self, scope: &Scope) -> Result<Head> {
        let query = Query {
            scope: Some(scope.clone()),
            lanes: vec![crate::ports::state::Lane::Change],
            before: None,
            limit: Some(1),
        };
        Ok(Head(self.read(&query).await?.first().map_or(0, |s| s.seq)))
    }

    async fn lease(&self, scope: &Scope, holder: &str, ttl: Duration) -> Result<Leased> {
        lease::take(&self.dir, scope, holder, ttl)
    }

    async fn release(&self, lease: &Lease) -> Result<()> {
        lease::give_up(&self.dir, lease)
    }

    async fn health(&self) -> Result<Health> {
        let found = {
            let _lock = scan::shared(&self.journal())?;
            scan::forward(&self.journal(), None, None)?
        };
        Ok(Health {
            kind: self.kind(),
            place: self.place(),
            schema: 1,
            records: found.records,
            leases: lease::live(&self.dir)?,
        })
    }
}

#[cfg(test)]
mod tests;
