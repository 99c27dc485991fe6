//! The run's lease on its flag and environment (docs/team.md): `advance`, `rollback`, `resume`
//! and `watch` hold it while they may change the flag, so of two such runs exactly one acts, and
//! the store refuses the appends of a holder that stalled past its lease (they are fenced with
//! `ctx.lease`). `kill` never takes it: a kill must never wait for anyone.
//!
//! The holder is named `{actor} on {host} (pid {pid})`; the lease lasts `state.lease` (default
//! 30 s) and a run that lasts renews it at most every third of that ([`Keeper`]). A lease that is
//! not given up (the run was killed) expires, and the next run takes it with a larger token.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::app::context::Context;
use crate::domain::error::{Error, Result};
use crate::ports::state::{Lease, Leased, Scope};

/// The flag and environment this run acts on.
#[must_use]
pub fn scope(ctx: &Context) -> Scope {
    Scope {
        flag: ctx.config.flag.clone(),
        environment: ctx.settings.environment().to_string(),
    }
}

/// Who this run is, as a lease names its holder: `alice on build-7 (pid 4242)`.
#[must_use]
pub fn holder(ctx: &Context) -> String {
    format!(
        "{} on {} (pid {})",
        *ctx.actor,
        crate::adapters::host::name(),
        crate::adapters::host::pid()
    )
}

/// How long a lease lasts without renewal: `state.lease` (the tests' `ROLLOUT_TEST_LEASE_MS`
/// with the `test-hooks` feature).
#[must_use]
pub fn ttl(ctx: &Context) -> Duration {
    #[cfg(feature = "test-hooks")]
    if let Some(d) =
        crate::domain::env_vars::test_pause(crate::domain::env_vars::EnvVars::ROLLOUT_TEST_LEASE_MS)
    {
        return d;
    }
    ctx.config.state.lease
}

/// Takes the lease (or renews it when this run holds it) and keeps it in `ctx.lease`. When
/// another holder has it, the answer names them and `ctx.lease` keeps the lease this run had,
/// if any: appends fenced with it are refused, since a newer one was granted.
pub async fn take(ctx: &Context) -> Result<Leased> {
    let leased = ctx.state.lease(&scope(ctx), &holder(ctx), ttl(ctx)).await?;
    if let Leased::Held(l) = &leased {
        *ctx.lease
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(l.clone());
    }
    Ok(leased)
}

/// Gives the run's lease up, if it holds one. Best effort: a lease not given up expires.
pub async fn release(ctx: &Context) {
    let held = ctx
        .lease
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take();
    if let Some(lease) = held {
        if let Err(e) = ctx.state.release(&lease).await {
            ctx.log.debug(&format!(
                "could not give the lease up ({}); it expires at {}",
                e.message,
                until(&lease)
            ));
        }
    }
}

/// The lease on this flag is someone else's (exit 5): who, until when, and when to try again.
#[must_use]
pub fn busy(ctx: &Context, lease: &Lease) -> Error {
    Error::conflict(format!(
        "{} holds the lease on {}{} until {}: another advance, rollback, resume or watch is acting on it",
        crate::domain::sanitize::short(&lease.holder, 120),
        ctx.config.flag,
        ctx.settings.in_environment(),
        until(lease)
    ))
    .with_hint(format!(
        "try again after {}, or stop that run; `rollout kill` never waits for a lease",
        until(lease)
    ))
}

/// When a lease expires, for people: `2026-12-08 04:12:30 UTC`.
#[must_use]
pub fn until(lease: &Lease) -> String {
    lease.expires.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// Runs `work` holding the lease (when `needed`: a `--dry-run` changes nothing, so takes none),
/// then gives it up whatever `work` answered. Another holder's lease is an error (exit 5)
/// before `work` starts; so is a store that cannot be reached (exit 4), before the provider is
/// touched.
pub async fn during<T>(
    ctx: &Context,
    needed: bool,
    work: impl Future<Output = Result<T>>,
) -> Result<T> {
    if !needed {
        return work.await;
    }
    if let Leased::Busy(other) = take(ctx).await? {
        return Err(busy(ctx, &other));
    }
    let answer = renewing(ctx, work).await;
    release(ctx).await;
    answer
}

/// Runs `work` while renewing the run's lease every third of its time, so that a slow provider
/// write or gate read does not outlast it. A lease lost meanwhile stays in `ctx.lease`, so the
/// run's late appends are fenced.
pub async fn renewing<T>(ctx: &Context, work: impl Future<Output = Result<T>>) -> Result<T> {
    let renew = async {
        let every = ttl(ctx) / 3;
        loop {
            tokio::time::sleep(every).await;
            if let Err(e) = take(ctx).await {
                ctx.log
                    .debug(&format!("could not renew the lease: {}", e.message));
            }
        }
    };
    tokio::select! {
        answer = work => answer,
        () = renew => Err(Error::failed("the lease stopped being renewed")),
    }
}

/// Keeps a long run's lease: renews it at most every third of the lease time, and takes it
/// when it is free (a watch waiting for another watch's lease).
#[derive(Debug, Default)]
pub struct Keeper {
    renewed: Option<Instant>,
}

impl Keeper {
    /// Whether the held lease is due for renewal (or this run holds none: it was never taken,
    /// or another holder had it at the last try).
    #[must_use]
    pub fn due(&self, ctx: &Context) -> bool {
        self.renewed.is_none_or(|at| at.elapsed() >= ttl(ctx) / 3)
    }

    /// Renews or takes the lease when [`Keeper::due`]; answers who holds it now.
    pub async fn keep(&mut self, ctx: &Context) -> Result<Leased> {
        if !self.due(ctx) {
            let held = ctx
                .lease
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone();
            if let Some(lease) = held {
                return Ok(Leased::Held(lease));
            }
        }
        let leased = take(ctx).await?;
        self.renewed = match leased {
            Leased::Held(_) => Some(Instant::now()),
            Leased::Busy(_) => None,
        };
        Ok(leased)
    }
}
