//! The PostgreSQL store (docs/team.md, section PostgreSQL): records and leases in tables of one
//! database, created and migrated by `rollout` itself ([`schema`]). The URL comes only from the
//! variable `state.url_env` names; it is registered as a secret and never printed: the store
//! calls itself `postgres ($VAR)` and names the server by host:port.
//!
//! Every call is bounded: connecting, and each request with its transaction, must finish
//! within the store's bound (default [`DEFAULT_TIMEOUT`]; [`open_with`] takes another), or the
//! call answers an exit-4 error naming the store, and the connection is dropped (the server
//! rolls back what was not committed; a write whose commit was sent but not acknowledged is
//! found by its id on the next try). The server ends statements, lock waits and idle
//! transactions of the session after the same bound. One connection per store, opened on the
//! first call and again after a failure; calls on one store take turns on it.

mod connect;
mod leases;
mod records;
mod schema;

use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::{Mutex, MutexGuard};
use tokio::time::{timeout_at, Instant};
use tokio_postgres::{Client, Config};

use crate::domain::error::{Error, Result};
use crate::ports::state::{
    Appended, Entry, Head, Health, Lease, Leased, Query, Scope, Store, Stored,
};
use connect::{Fault, Target};

/// How long connecting and each request may take when the caller gives no bound.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens the store whose URL the variable `url_env` holds (checks nothing remote yet).
pub fn open(url_env: &str) -> Result<Box<dyn Store>> {
    open_with(url_env, DEFAULT_TIMEOUT)
}

/// [`open`] with each call bounded by `timeout` (a command's `--timeout`).
pub fn open_with(url_env: &str, timeout: Duration) -> Result<Box<dyn Store>> {
    let url = connect::url_from(url_env)?;
    Ok(Box::new(Postgres::new(url_env, &url, timeout)?))
}

/// A PostgreSQL store.
pub struct Postgres {
    config: Config,
    target: Target,
    timeout: Duration,
    client: Mutex<Option<Client>>,
}

impl Postgres {
    /// The store at `url`, which the variable `var` held (named in messages instead of the URL).
    /// Refuses a URL it cannot use (exit 2).
    pub fn new(var: &str, url: &str, timeout: Duration) -> Result<Postgres> {
        let (config, target) = connect::parse(var, url)?;
        Ok(Postgres {
            config,
            target,
            timeout,
            client: Mutex::new(None),
        })
    }

    /// The server(s) the URL names, as `host:port` (safe to print).
    #[must_use]
    pub fn servers(&self) -> &str {
        &self.target.servers
    }

    /// This call's deadline and the connection, opened (and the schema migrated) if needed.
    async fn connected(&self) -> Result<(Instant, MutexGuard<'_, Option<Client>>)> {
        let deadline = Instant::now() + self.timeout;
        let mut slot = timeout_at(deadline, self.client.lock())
            .await
            .map_err(|_| self.timed_out())?;
        if slot.as_ref().is_some_and(|c| !c.is_closed()) {
            return Ok((deadline, slot));
        }
        *slot = None;
        let opened = timeout_at(deadline, async {
            let mut client = connect::connect(&self.config, self.timeout).await?;
            schema::migrate(&mut client).await?;
            Ok::<Client, Fault>(client)
        })
        .await;
        *slot = Some(self.settle(&mut None, opened)?);
        Ok((deadline, slot))
    }

    /// The answer of a bounded call; drops the connection when the call broke or outlived it.
    fn settle<T>(
        &self,
        slot: &mut Option<Client>,
        out: std::result::Result<std::result::Result<T, Fault>, tokio::time::error::Elapsed>,
    ) -> Result<T> {
        match out {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(fault)) => {
                if fault.breaks_connection() {
                    *slot = None;
                }
                Err(connect::error(&self.target, fault))
            }
            Err(_) => {
                *slot = None;
                Err(self.timed_out())
            }
        }
    }

    fn timed_out(&self) -> Error {
        connect::timed_out(&self.target, self.timeout)
    }
}

/// The error for a connection slot found empty right after it was filled (never expected).
fn no_connection() -> Error {
    Error::failed("the PostgreSQL state store lost its connection before using it")
}

#[async_trait]
impl Store for Postgres {
    fn kind(&self) -> &'static str {
        "postgres"
    }

    fn place(&self) -> String {
        self.target.place()
    }

    async fn append(
        &self,
        entry: &Entry,
        after: Option<Head>,
        fence: Option<&Lease>,
    ) -> Result<Appended> {
        let (deadline, mut slot) = self.connected().await?;
        let Some(c) = slot.as_mut() else {
            return Err(no_connection());
        };
        let out = timeout_at(deadline, records::append(c, entry, after, fence)).await;
        self.settle(&mut slot, out)
    }

    async fn read(&self, query: &Query) -> Result<Vec<Stored>> {
        let (deadline, mut slot) = self.connected().await?;
        let Some(c) = slot.as_ref() else {
            return Err(no_connection());
        };
        let out = timeout_at(deadline, records::read(c, query)).await;
        self.settle(&mut slot, out)
    }

    async fn find(&self, id: &str) -> Result<Option<Stored>> {
        let (deadline, mut slot) = self.connected().await?;
        let Some(c) = slot.as_ref() else {
            return Err(no_connection());
        };
        let out = timeout_at(deadline, records::find(c, id)).await;
        self.settle(&mut slot, out)
    }

    async fn head(&self, scope: &Scope) -> Result<Head> {
        let (deadline, mut slot) = self.connected().await?;
        let Some(c) = slot.as_ref() else {
            return Err(no_connection());
        };
        let out = timeout_at(deadline, records::head(c, scope)).await;
        self.settle(&mut slot, out)
    }

    async fn lease(&self, scope: &Scope, holder: &str, ttl: Duration) -> Result<Leased> {
        let (deadline, mut slot) = self.connected().await?;
        let Some(c) = slot.as_mut() else {
            return Err(no_connection());
        };
        let out = timeout_at(deadline, leases::take(c, scope, holder, ttl)).await;
        self.settle(&mut slot, out)
    }

    async fn release(&self, lease: &Lease) -> Result<()> {
        let (deadline, mut slot) = self.connected().await?;
        let Some(c) = slot.as_ref() else {
            return Err(no_connection());
        };
        let out = timeout_at(deadline, leases::release(c, lease)).await;
        self.settle(&mut slot, out)
    }

    async fn health(&self) -> Result<Health> {
        let (deadline, mut slot) = self.connected().await?;
        let Some(c) = slot.as_ref() else {
            return Err(no_connection());
        };
        let out = timeout_at(deadline, async {
            Ok::<_, Fault>((
                schema::version_in(c).await?,
                records::count(c).await?,
                leases::live(c).await?,
            ))
        })
        .await;
        let (schema, records, leases) = self.settle(&mut slot, out)?;
        Ok(Health {
            kind: "postgres",
            place: self.place(),
            schema,
            records,
            leases,
        })
    }
}
