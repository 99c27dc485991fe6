//! The state store: where a team's records live (docs/team.md). Every command and `checklist`
//! write their journal records here (changes, checklist runs, watch looks) and read them back;
//! `advance`, `rollback`, `resume` and `watch` hold a lease here. Kinds: local (the journal file
//! of this checkout), PostgreSQL and git (`crate::adapters::state`).
//!
//! The store gives three guarantees the application builds on:
//! - **Idempotent by id**: appending a record whose `id` is already stored stores nothing and
//!   answers the stored one, so a retry after a lost answer never duplicates a record and
//!   `state push` can run twice.
//! - **Compare-and-swap per scope**: an append with `after: Some(head)` succeeds only if the
//!   newest change record of its scope is still `head`; otherwise it answers
//!   [`Appended::Conflict`] with the record that won. Of two writers deciding from the same
//!   state, exactly one records its move.
//! - **Fencing**: an append with a `fence` is refused ([`Appended::Fenced`]) when a newer lease
//!   than the fence's has been granted on its scope, so a lease holder that stalled past its
//!   lease cannot write over its successor.
//!
//! Times are the store's: [`Stored::at`] is when the store committed the record (PostgreSQL
//! `now()`, the push of the git commit, this machine's clock for local), and soak clocks start
//! there.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::error::Result;

/// A flag in one environment: the unit of records' order, compare-and-swap and leases.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Scope {
    pub flag: String,
    pub environment: String,
}

/// What kind of record, for the compare-and-swap and for readers that want one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lane {
    /// A flag change's intent or outcome record: the lane the compare-and-swap guards.
    Change,
    /// A watch look, a gate alert: recorded, never compared.
    Look,
    /// A checklist run.
    Run,
}

/// One record to store: a journal line (docs/journal.md) with what the store indexes it by.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Unique per record; the store keeps at most one record of each id.
    pub id: String,
    /// The flag and environment it is about (None: a checklist run with no flag).
    pub scope: Option<Scope>,
    pub lane: Lane,
    /// The record as the journal writes it: a JSON object.
    pub body: Value,
}

/// A stored record: its entry, its place in the store's order and the store's time.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    /// Increases with every record the store commits (gaps allowed); orders records.
    pub seq: u64,
    /// When the store committed it (the store's clock).
    pub at: DateTime<Utc>,
    pub entry: Entry,
}

/// The newest change record of a scope when it was read: what a compare-and-swap expects.
/// `Head(0)` is a scope with no change record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Head(pub u64);

/// A lease on a scope: who holds it, its fencing token and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub scope: Scope,
    /// Who holds it: the actor and where it runs (`alice@laptop pid 4242`).
    pub holder: String,
    /// Grows with every grant on the scope; a write fenced with an older token is refused.
    pub token: u64,
    pub expires: DateTime<Utc>,
}

/// How an append went.
#[derive(Debug, Clone, PartialEq)]
pub enum Appended {
    /// Stored now, or found stored already under the same id (a retry).
    Stored(Stored),
    /// The scope's newest change record is no longer the expected head: this one won.
    Conflict(Stored),
    /// A newer lease than the fence's has been granted on the scope.
    Fenced(Lease),
}

/// How a lease request went.
#[derive(Debug, Clone, PartialEq)]
pub enum Leased {
    /// The caller holds it (granted, or renewed with the same token).
    Held(Lease),
    /// Someone else holds it until its `expires`.
    Busy(Lease),
}

/// Which records to read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// Only records of this scope (None: every record, checklist runs included).
    pub scope: Option<Scope>,
    /// Only records of these lanes (empty: all lanes).
    pub lanes: Vec<Lane>,
    /// Only records older than this sequence number (paging backwards).
    pub before: Option<u64>,
    /// At most this many, newest first (None: all).
    pub limit: Option<usize>,
}

/// What `rollout state status` shows of a store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Health {
    /// `local`, `postgres` or `git`.
    pub kind: &'static str,
    /// Where it is, safe to print (never a URL's password).
    pub place: String,
    /// The store's schema version (migrations applied; the git layout's version).
    pub schema: u32,
    /// Records stored.
    pub records: u64,
    /// Leases not yet expired.
    pub leases: Vec<Lease>,
}

/// A state store (see the module documentation for its guarantees).
#[async_trait]
pub trait Store: Send + Sync {
    /// `local`, `postgres` or `git`.
    fn kind(&self) -> &'static str;

    /// Where it is, safe to print: `.rollout/journal.jsonl`, `postgres ($ROLLOUT_STATE_URL)`,
    /// `git ../state.git (branch rollout-state)`.
    fn place(&self) -> String;

    /// Stores `entry` (idempotent by id). With `after`, only if the newest change record of
    /// the entry's scope is `after`; with `fence`, only if no newer lease was granted.
    async fn append(
        &self,
        entry: &Entry,
        after: Option<Head>,
        fence: Option<&Lease>,
    ) -> Result<Appended>;

    /// The records `query` asks for, newest first.
    async fn read(&self, query: &Query) -> Result<Vec<Stored>>;

    /// The record stored under `id`, if any (a retry's check after a lost answer).
    async fn find(&self, id: &str) -> Result<Option<Stored>>;

    /// The newest change record of `scope` now.
    async fn head(&self, scope: &Scope) -> Result<Head>;

    /// Takes the lease on `scope` for `holder` for `ttl`, or renews it when `holder` holds it
    /// already (same token); answers who holds it when someone else does.
    async fn lease(&self, scope: &Scope, holder: &str, ttl: Duration) -> Result<Leased>;

    /// Gives the lease up (nothing when it is no longer the holder's).
    async fn release(&self, lease: &Lease) -> Result<()>;

    /// Reachability, schema version, record count and leases (`rollout state status`).
    async fn health(&self) -> Result<Health>;
}
