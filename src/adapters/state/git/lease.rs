//! Leases of the git store: `leases/FLAG/ENVIRONMENT.json` holds the newest lease granted on
//! the scope, and taking, renewing or giving one up is a commit pushed like a record (a
//! compare-and-swap on the branch). A lease given up stays in the file, expired, so the next
//! grant's token is still larger than every token granted before.

use std::time::Duration;

use chrono::Utc;

use super::layout::{lease_path, VERSION};
use super::repo::Pushed;
use super::tries::{Step, Tries, TRIES};
use super::view::View;
use super::{now, GitStore};
use crate::domain::error::{Error, Result};
use crate::domain::sanitize;
use crate::ports::state::{Lease, Leased, Scope};

/// Takes or renews the lease on `scope` for `holder` (see
/// [`crate::ports::state::Store::lease`]).
pub async fn take(store: &GitStore, scope: &Scope, holder: &str, ttl: Duration) -> Result<Leased> {
    let mut view = store.view.lock().await;
    let mut tries = Tries::default();
    for attempt in 0..TRIES {
        let fetched = tries.start(store, &mut view).await?;
        let parent = view.tip.clone();
        match try_take(store, &mut view, scope, holder, ttl).await? {
            Step::Done(held @ Leased::Held(_)) => return Ok(held),
            Step::Done(busy) if fetched => return Ok(busy),
            // Busy on a tip fetched earlier: look again at the remote's.
            Step::Done(_) => tries.stale(),
            Step::Lost(why) => tries.lost(attempt, why, parent).await,
        }
    }
    Err(tries.gave_up(store))
}

async fn try_take(
    store: &GitStore,
    view: &mut View,
    scope: &Scope,
    holder: &str,
    ttl: Duration,
) -> Result<Step<Leased>> {
    let files = view.scope_files(&store.git, Some(scope)).await?;
    let now = Utc::now();
    let token = match &files.lease {
        Some(lease) if lease.holder != holder && lease.expires > now => {
            return Ok(Step::Done(Leased::Busy(lease.clone())));
        }
        // Nobody was granted it since: the holder keeps its token.
        Some(lease) if lease.holder == holder => lease.token,
        Some(lease) => lease.token + 1,
        None => 1,
    };
    let ttl =
        chrono::Duration::from_std(ttl).map_err(|_| Error::usage("the lease time is too long"))?;
    let lease = Lease {
        scope: scope.clone(),
        holder: holder.to_string(),
        token,
        expires: now + ttl,
    };
    let verb = if files.lease.as_ref().is_some_and(|l| l.token == token) {
        "renew"
    } else {
        "take"
    };
    Ok(match write(store, view, &lease, verb).await? {
        Step::Done(()) => Step::Done(Leased::Held(lease)),
        Step::Lost(why) => Step::Lost(why),
    })
}

/// Gives `lease` up, when the branch still holds it (see
/// [`crate::ports::state::Store::release`]).
pub async fn give_up(store: &GitStore, lease: &Lease) -> Result<()> {
    let mut view = store.view.lock().await;
    let mut tries = Tries::default();
    for attempt in 0..TRIES {
        // Always on the remote's tip: a stale view could hide that the lease is still held.
        tries.stale();
        tries.start(store, &mut view).await?;
        let parent = view.tip.clone();
        let files = view.scope_files(&store.git, Some(&lease.scope)).await?;
        let now = Utc::now();
        let Some(held) = files.lease else {
            return Ok(());
        };
        if held.token != lease.token || held.holder != lease.holder || held.expires <= now {
            return Ok(());
        }
        let ended = Lease {
            expires: now,
            ..held
        };
        match write(store, &mut view, &ended, "release").await? {
            Step::Done(()) => return Ok(()),
            Step::Lost(why) => tries.lost(attempt, why, parent).await,
        }
    }
    Err(tries.gave_up(store))
}

/// Commits `lease` as its scope's lease file on the view's tip and pushes it.
async fn write(store: &GitStore, view: &mut View, lease: &Lease, verb: &str) -> Result<Step<()>> {
    let git = &store.git;
    let content = serde_json::to_vec_pretty(lease)
        .map_err(|e| Error::failed(format!("cannot write a lease: {e}")))?;
    let files = vec![
        ("VERSION".to_string(), format!("{VERSION}\n").into_bytes()),
        (lease_path(&lease.scope), content),
    ];
    let line = format!(
        "lease {verb} {}/{} #{} {}",
        lease.scope.flag, lease.scope.environment, lease.token, lease.holder
    );
    let message = format!("{}\n", sanitize::one_line(&line));
    let (commit, _) = git
        .commit(view.tip.as_deref(), &files, &message, now())
        .await?;
    match git.push(&commit, &store.branch).await? {
        Pushed::Rejected(why) => Ok(Step::Lost(why)),
        Pushed::Done => {
            view.tip = Some(commit);
            view.seen = Some(std::time::Instant::now());
            Ok(Step::Done(()))
        }
    }
}
