//! Appending a record (idempotent by id, compare-and-swap on the scope's head, fenced by the
//! scope's lease) and the store's health.

use super::layout::{self, head_path, record_path, Name, RecordFile, VERSION};
use super::repo::Pushed;
use super::tries::{Step, Tries, TRIES};
use super::view::View;
use super::{now, GitStore};
use crate::domain::error::{Error, Result};
use crate::domain::sanitize;
use crate::ports::state::{Appended, Entry, Head, Health, Lane, Lease, Stored};

/// Stores `entry` (see [`crate::ports::state::Store::append`]), retrying on a new tip while
/// somebody else's pushes win.
pub async fn append(
    store: &GitStore,
    entry: &Entry,
    after: Option<Head>,
    fence: Option<&Lease>,
) -> Result<Appended> {
    let mut view = store.view.lock().await;
    let mut tries = Tries::default();
    for attempt in 0..TRIES {
        let fetched = tries.start(store, &mut view).await?;
        let parent = view.tip.clone();
        match try_append(store, &mut view, entry, after, fence).await? {
            Step::Done(appended @ Appended::Stored(_)) => return Ok(appended),
            Step::Done(refused) if fetched => return Ok(refused),
            // A refusal decided on a tip fetched earlier: decide again on the remote's.
            Step::Done(_) => tries.stale(),
            Step::Lost(why) => tries.lost(attempt, why, parent).await,
        }
    }
    Err(tries.gave_up(store))
}

async fn try_append(
    store: &GitStore,
    view: &mut View,
    entry: &Entry,
    after: Option<Head>,
    fence: Option<&Lease>,
) -> Result<Step<Appended>> {
    let git = &store.git;
    if let Some(name) = view.named(&entry.id) {
        return Ok(Step::Done(Appended::Stored(one(view, git, name).await?)));
    }
    let scope = entry.scope.as_ref().or(fence.map(|f| &f.scope));
    let files = view.scope_files(git, scope).await?;
    if let (Some(fence), Some(lease)) = (fence, files.lease) {
        if lease.token > fence.token {
            return Ok(Step::Done(Appended::Fenced(lease)));
        }
    }
    if let (Some(after), Some(scope)) = (after, &entry.scope) {
        if files.head != after {
            let Some(name) = view.at_seq(scope, files.head.0) else {
                return Err(Error::conflict(format!(
                    "{}: expected the newest change of {}/{} to be #{}, but it has none",
                    git.place, scope.flag, scope.environment, after.0
                )));
            };
            return Ok(Step::Done(Appended::Conflict(one(view, git, name).await?)));
        }
    }
    let seq = files.seq + 1;
    let at = now();
    let path = record_path(seq, entry);
    let record = serde_json::to_vec_pretty(&RecordFile::new(seq, at, entry))
        .map_err(|e| Error::failed(format!("cannot write a record: {e}")))?;
    let mut changes = vec![
        ("VERSION".to_string(), format!("{VERSION}\n").into_bytes()),
        ("seq".to_string(), format!("{seq}\n").into_bytes()),
        (path.clone(), record),
    ];
    if let (Lane::Change, Some(scope)) = (entry.lane, &entry.scope) {
        changes.push((head_path(scope), format!("{seq}\n").into_bytes()));
    }
    let message = commit_message(seq, entry);
    let (commit, blobs) = git
        .commit(view.tip.as_deref(), &changes, &message, at)
        .await?;
    match git.push(&commit, &store.branch).await? {
        Pushed::Rejected(why) => Ok(Step::Lost(why)),
        Pushed::Done => {
            // The record is the third file of the commit.
            let oid = blobs.get(2).cloned().unwrap_or_default();
            let name = layout::parse_name(&path, &oid)
                .ok_or_else(|| Error::failed(format!("cannot read back {path}")))?;
            let stored = RecordFile::new(seq, at, entry).into_stored();
            view.pushed(commit, name, stored.clone());
            Ok(Step::Done(Appended::Stored(stored)))
        }
    }
}

async fn one(view: &mut View, git: &super::cmd::Git, name: Name) -> Result<Stored> {
    view.load(git, &[name])
        .await?
        .pop()
        .ok_or_else(|| Error::provider(format!("{}: a record listed cannot be read", git.place)))
}

/// `#SEQ LANE FLAG/ENV ID`: what a commit of the state branch stores, for `git log`.
fn commit_message(seq: u64, entry: &Entry) -> String {
    let lane = match entry.lane {
        Lane::Change => "change",
        Lane::Look => "look",
        Lane::Run => "run",
    };
    let scope = entry.scope.as_ref().map_or_else(
        || "(no flag)".to_string(),
        |s| format!("{}/{}", s.flag, s.environment),
    );
    let line = format!("#{seq} {lane} {scope} {}", entry.id);
    format!("{}\n", sanitize::one_line(&line))
}

/// Reachability (a fetch now), the layout's version, the number of records and the leases
/// not yet expired.
pub async fn health(store: &GitStore) -> Result<Health> {
    let git = &store.git;
    let mut view = store.view.lock().await;
    store.current(&mut view, true).await?;
    let (schema, leases) = match view.tip.clone() {
        None => (VERSION, Vec::new()),
        Some(tip) => {
            let files = git.list(&tip, "leases").await?;
            let mut specs = vec![format!("{tip}:VERSION")];
            specs.extend(files.into_iter().map(|(_, oid)| oid));
            let mut blobs = git.blobs(&specs).await?.into_iter();
            let schema = blobs
                .next()
                .flatten()
                .and_then(|b| String::from_utf8_lossy(&b).trim().parse().ok())
                .unwrap_or(0);
            let now = chrono::Utc::now();
            let leases = blobs
                .flatten()
                .filter_map(|b| serde_json::from_slice::<Lease>(&b).ok())
                .filter(|l| l.expires > now)
                .collect();
            (schema, leases)
        }
    };
    Ok(Health {
        kind: "git",
        place: git.place.clone(),
        schema,
        records: view.names.len() as u64,
        leases,
    })
}
