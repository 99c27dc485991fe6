//! What the store knows of the branch: the tip it fetched last, the record files of that tip
//! and the records read so far (records never change once stored, so they are kept by blob).

use std::collections::HashMap;
use std::time::Instant;

use super::cmd::Git;
use super::layout::{head_path, lease_path, Name, RecordFile};
use crate::domain::error::{Error, Result};
use crate::ports::state::{Head, Lease, Query, Scope, Stored};

/// The branch as last fetched (or pushed) by this store.
#[derive(Default)]
pub struct View {
    /// The branch's tip (None: the branch does not exist yet).
    pub tip: Option<String>,
    /// When the tip was last known to be the remote's.
    pub seen: Option<Instant>,
    /// The record files of `tip`, oldest first.
    pub names: Vec<Name>,
    /// Index into `names` by record id.
    pub by_id: HashMap<String, usize>,
    /// Records read, by blob id.
    pub loaded: HashMap<String, Stored>,
}

/// The small files of one scope at the tip that an append or a lease decides on.
pub struct ScopeFiles {
    pub seq: u64,
    pub head: Head,
    pub lease: Option<Lease>,
}

impl View {
    /// Takes `tip` as the branch's tip, listing its records when it changed.
    pub async fn refresh(&mut self, git: &Git, tip: Option<String>) -> Result<()> {
        if tip != self.tip {
            self.names = match &tip {
                Some(tip) => git.list_records(tip).await?,
                None => Vec::new(),
            };
            self.names.sort_by_key(|n| n.seq);
            self.by_id = self
                .names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.id.clone(), i))
                .collect();
            self.tip = tip;
        }
        self.seen = Some(Instant::now());
        Ok(())
    }

    /// Adds the record this store just pushed in commit `tip`.
    pub fn pushed(&mut self, tip: String, name: Name, stored: Stored) {
        self.by_id.insert(name.id.clone(), self.names.len());
        self.loaded.insert(name.oid.clone(), stored);
        self.names.push(name);
        self.tip = Some(tip);
        self.seen = Some(Instant::now());
    }

    /// The record files `query` selects, newest first.
    #[must_use]
    pub fn select(&self, query: &Query) -> Vec<Name> {
        self.names
            .iter()
            .rev()
            .filter(|n| query.scope.is_none() || n.scope == query.scope)
            .filter(|n| query.lanes.is_empty() || query.lanes.contains(&n.lane))
            .filter(|n| query.before.is_none_or(|before| n.seq < before))
            .take(query.limit.unwrap_or(usize::MAX))
            .cloned()
            .collect()
    }

    /// The record file of `id`, if stored.
    #[must_use]
    pub fn named(&self, id: &str) -> Option<Name> {
        self.by_id.get(id).map(|i| self.names[*i].clone())
    }

    /// The record file of seq `seq` in `scope`.
    #[must_use]
    pub fn at_seq(&self, scope: &Scope, seq: u64) -> Option<Name> {
        self.names
            .iter()
            .rev()
            .find(|n| n.seq == seq && n.scope.as_ref() == Some(scope))
            .cloned()
    }

    /// The records of `names`, read from the cache (or from git once).
    pub async fn load(&mut self, git: &Git, names: &[Name]) -> Result<Vec<Stored>> {
        let missing: Vec<String> = names
            .iter()
            .filter(|n| !self.loaded.contains_key(&n.oid))
            .map(|n| n.oid.clone())
            .collect();
        let blobs = git.blobs(&missing).await?;
        for (oid, blob) in missing.iter().zip(blobs) {
            let stored = blob
                .and_then(|b| serde_json::from_slice::<RecordFile>(&b).ok())
                .ok_or_else(|| {
                    Error::provider(format!(
                        "{}: the record blob {oid} is not a rollout record",
                        git.place
                    ))
                    .with_hint("the state branch was changed by something other than rollout")
                })?;
            self.loaded.insert(oid.clone(), stored.into_stored());
        }
        Ok(names
            .iter()
            .filter_map(|n| self.loaded.get(&n.oid).cloned())
            .collect())
    }

    /// The counter, the scope's head and lease at the tip.
    pub async fn scope_files(&self, git: &Git, scope: Option<&Scope>) -> Result<ScopeFiles> {
        let Some(tip) = &self.tip else {
            return Ok(ScopeFiles {
                seq: 0,
                head: Head(0),
                lease: None,
            });
        };
        let mut specs = vec![format!("{tip}:seq")];
        if let Some(scope) = scope {
            specs.push(format!("{tip}:{}", head_path(scope)));
            specs.push(format!("{tip}:{}", lease_path(scope)));
        }
        let mut blobs = git.blobs(&specs).await?.into_iter();
        let number = |b: Option<Vec<u8>>| -> Result<u64> {
            let Some(b) = b else { return Ok(0) };
            String::from_utf8_lossy(&b)
                .trim()
                .parse()
                .map_err(|_| unreadable(git, "a counter"))
        };
        let seq = number(blobs.next().flatten())?;
        let head = Head(number(blobs.next().flatten())?);
        let lease = match blobs.next().flatten() {
            Some(b) => Some(serde_json::from_slice(&b).map_err(|_| unreadable(git, "a lease"))?),
            None => None,
        };
        Ok(ScopeFiles { seq, head, lease })
    }
}

fn unreadable(git: &Git, what: &str) -> Error {
    Error::provider(format!(
        "{}: {what} on the state branch is not readable",
        git.place
    ))
    .with_hint("the state branch was changed by something other than rollout")
}
