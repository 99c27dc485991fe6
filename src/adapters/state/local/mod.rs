//! The local store: `.rollout/journal.jsonl` beside stages.yaml, as before `state:` existed, and
//! leases in `.rollout/leases.json` (`lease`). One machine's records only.
//!
//! A record's `seq` is its line number in the journal counted from 1 (stable: the file is only
//! appended to), its `at` the record's own `time` (this machine's clock). Appends hold the
//! journal's exclusive lock while they look for the id and the scope's head and write, so the
//! compare-and-swap holds across processes; reads hold a shared lock, so line numbers do not
//! move under them.
//!
//! Costs (issue 21): a store counts the journal's lines once and then only what was appended
//! since, so a command's reads cost the records they read from the end. An append reads from
//! the end too: to the scope's newest change record (for a compare-and-swap), and for its id
//! back to the first record whose own id was made more than `scan::ID_MARGIN` before it (a
//! record cannot be written before its id is made); an id made longer ago than that (a record
//! kept in the outbox, a retry much later) or not made by `rollout` is looked for in every line.

pub mod lease;
mod scan;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
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
    /// What has been counted of the journal: a command's later reads and appends count only
    /// the lines appended since (scan::Count).
    count: Mutex<scan::Count>,
}

impl Local {
    #[must_use]
    pub fn new(dir: &Path) -> Local {
        Local {
            dir: dir.to_path_buf(),
            count: Mutex::new(scan::Count::default()),
        }
    }

    /// Lines in the journal now; the caller holds its lock.
    fn lines(&self) -> Result<u64> {
        let mut count = self
            .count
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        count.lines(&self.journal())
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
        let lines = self.lines()?;
        // The scope's head only matters to a compare-and-swap.
        let scope = entry.scope.as_ref().filter(|_| after.is_some());
        let found = scan::newest(locked.path(), lines, id, scope)?;
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
            seq: self.lines()?,
            at: scan::time_of(&entry.body),
            entry: entry.clone(),
        }))
    }

    async fn read(&self, query: &Query) -> Result<Vec<Stored>> {
        let _lock = scan::shared(&self.journal())?;
        let mut count = self
            .count
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let lines = count.lines(&self.journal())?;
        scan::backward(&self.journal(), lines, &mut count.seen, query)
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
