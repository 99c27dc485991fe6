//! The local store: `.rollout/journal.jsonl` beside stages.yaml, as before `state:` existed, and
//! leases in `.rollout/leases.json` (`lease`). One machine's records only.
//! Not written yet: see issue 20.

pub mod lease;

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;

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
}

fn not_yet() -> Error {
    Error::failed("the local state store is not written yet")
}

#[async_trait]
impl Store for Local {
    fn kind(&self) -> &'static str {
        "local"
    }

    fn place(&self) -> String {
        crate::adapters::journal::path(&self.dir)
            .display()
            .to_string()
    }

    async fn append(
        &self,
        _entry: &Entry,
        _after: Option<Head>,
        _fence: Option<&Lease>,
    ) -> Result<Appended> {
        Err(not_yet())
    }

    async fn read(&self, _query: &Query) -> Result<Vec<Stored>> {
        Err(not_yet())
    }

    async fn find(&self, _id: &str) -> Result<Option<Stored>> {
        Err(not_yet())
    }

    async fn head(&self, _scope: &Scope) -> Result<Head> {
        Err(not_yet())
    }

    async fn lease(&self, scope: &Scope, holder: &str, ttl: Duration) -> Result<Leased> {
        lease::take(&self.dir, scope, holder, ttl)
    }

    async fn release(&self, lease: &Lease) -> Result<()> {
        lease::give_up(&self.dir, lease)
    }

    async fn health(&self) -> Result<Health> {
        Err(not_yet())
    }
}
