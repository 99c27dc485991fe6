//! The git store (docs/team.md "## git"): every record a commit on a branch of any git remote
//! (a path to a bare repository, `file://`, `git://`, `ssh://`, `https://`), pushed
//! fast-forward only, which makes each push a compare-and-swap on the branch: a refused push
//! means somebody else appended first, and the store fetches, decides again and retries.
//!
//! It runs the `git` command (no library) in a private bare cache repository,
//! `.rollout/state-git/` beside stages.yaml, and builds commits with plumbing, so there is no
//! work tree and no user's hook, template or system config is involved. The layout of the
//! branch is in [`layout`].
//!
//! Times: git has no server clock. A record's `at` is the committer time of its commit, taken
//! from this machine's clock when it pushes (whole seconds), so soak clocks are only as right
//! as the pushing machines' clocks (keep them NTP-synced). Lease expiry compares a lease's
//! `expires` with the local clock the same way.

mod cmd;
mod layout;
mod lease;
mod records;
mod repo;
mod tries;
mod view;

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::Mutex;

use crate::domain::error::{Error, Result};
use crate::ports::state::{
    Appended, Entry, Head, Health, Lease, Leased, Query, Scope, Store, Stored,
};
use cmd::Git;
use view::View;

pub use cmd::without_credentials;

/// The bound on each git command unless [`GitStore::with_timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a fetched tip answers reads without fetching again: the reads of one command share
/// one fetch, and a long `watch` still sees other machines' records at every look.
const FRESH: Duration = Duration::from_secs(1);

/// The store on one branch of one remote.
pub struct GitStore {
    git: Git,
    branch: String,
    view: Mutex<View>,
}

/// Opens the store on `branch` of `remote`; `dir` is the directory of stages.yaml.
pub fn open(remote: &str, branch: &str, dir: &Path) -> Result<Box<dyn Store>> {
    open_with(remote, branch, dir, DEFAULT_TIMEOUT)
}

/// [`open`] with each git command bounded by `timeout` (a command's `--timeout`).
pub fn open_with(
    remote: &str,
    branch: &str,
    dir: &Path,
    timeout: Duration,
) -> Result<Box<dyn Store>> {
    // stages.yaml in the working directory has an empty parent: the cache goes under `.`.
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    Ok(Box::new(GitStore::with_timeout(
        remote, branch, dir, timeout,
    )?))
}

impl GitStore {
    /// The store with each git command bound by `timeout`.
    pub fn with_timeout(
        remote: &str,
        branch: &str,
        dir: &Path,
        timeout: Duration,
    ) -> Result<GitStore> {
        check_names(remote, branch)?;
        let dir = std::path::absolute(dir)?;
        Ok(GitStore {
            git: Git {
                cache: dir.join(".rollout").join("state-git"),
                cwd: dir,
                remote: remote.to_string(),
                place: format!("git {} (branch {branch})", without_credentials(remote)),
                timeout,
            },
            branch: branch.to_string(),
            view: Mutex::new(View::default()),
        })
    }

    /// Brings `view` up to the remote's tip when it is older than [`FRESH`], or always with
    /// `force` (after a refused push); answers whether it fetched.
    async fn current(&self, view: &mut View, force: bool) -> Result<bool> {
        let stale = force || view.seen.is_none_or(|seen| seen.elapsed() >= FRESH);
        if !stale {
            return Ok(false);
        }
        self.git.ensure_cache().await?;
        let tip = self.git.fetch(&self.branch).await?;
        view.refresh(&self.git, tip).await?;
        Ok(true)
    }

    /// `request` within three command bounds in all (fetches, retries and pushes included):
    /// an error naming the store after that.
    async fn bounded<T>(&self, what: &str, request: impl Future<Output = Result<T>>) -> Result<T> {
        let bound = self.git.timeout * 3;
        match tokio::time::timeout(bound, request).await {
            Ok(answer) => answer,
            Err(_) => Err(Error::provider(format!(
                "{}: {what} did not finish within {}",
                self.git.place,
                humantime::format_duration(bound)
            ))
            .with_hint("check that the state remote is reachable from this machine")),
        }
    }

    async fn find_now(&self, id: &str) -> Result<Option<Stored>> {
        let mut view = self.view.lock().await;
        let fetched = self.current(&mut view, false).await?;
        // "Not stored" is what a retry acts on: never answer it from an older fetch.
        if view.named(id).is_none() && !fetched {
            self.current(&mut view, true).await?;
        }
        let Some(name) = view.named(id) else {
            return Ok(None);
        };
        Ok(view.load(&self.git, &[name]).await?.pop())
    }

    async fn read_now(&self, query: &Query) -> Result<Vec<Stored>> {
        let mut view = self.view.lock().await;
        self.current(&mut view, false).await?;
        let names = view.select(query);
        view.load(&self.git, &names).await
    }

    async fn head_now(&self, scope: &Scope) -> Result<Head> {
        let mut view = self.view.lock().await;
        self.current(&mut view, false).await?;
        Ok(view.scope_files(&self.git, Some(scope)).await?.head)
    }
}

/// Refuses a remote or branch that git would read as an option or a bad ref.
fn check_names(remote: &str, branch: &str) -> Result<()> {
    let shown = crate::domain::sanitize::one_line(branch);
    if remote.is_empty() || remote.starts_with('-') || remote.chars().any(char::is_control) {
        return Err(Error::usage(format!(
            "state.remote `{}` is not a git remote",
            crate::domain::sanitize::one_line(&without_credentials(remote))
        ))
        .with_hint("give a URL or a path to a git repository"));
    }
    let bad = branch.is_empty()
        || branch.starts_with(['-', '/', '.'])
        || branch.ends_with(['/', '.'])
        || branch.ends_with(".lock")
        || branch.contains("..")
        || branch.contains("//")
        || branch.contains("@{")
        || branch
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || "~^:?*[\\".contains(c));
    if bad {
        return Err(
            Error::usage(format!("state.branch `{shown}` is not a git branch name"))
                .with_hint("use letters, digits, `-`, `_`, `.` and `/`, as in `rollout-state`"),
        );
    }
    Ok(())
}

/// This machine's clock now, in whole seconds: the precision of a commit's time.
fn now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now)
}

#[async_trait]
impl Store for GitStore {
    fn kind(&self) -> &'static str {
        "git"
    }

    fn place(&self) -> String {
        self.git.place.clone()
    }

    async fn append(
        &self,
        entry: &Entry,
        after: Option<Head>,
        fence: Option<&Lease>,
    ) -> Result<Appended> {
        self.bounded(
            "storing a record",
            records::append(self, entry, after, fence),
        )
        .await
    }

    async fn read(&self, query: &Query) -> Result<Vec<Stored>> {
        self.bounded("reading records", self.read_now(query)).await
    }

    async fn find(&self, id: &str) -> Result<Option<Stored>> {
        self.bounded("finding a record", self.find_now(id)).await
    }

    async fn head(&self, scope: &Scope) -> Result<Head> {
        self.bounded("reading the newest change", self.head_now(scope))
            .await
    }

    async fn lease(&self, scope: &Scope, holder: &str, ttl: Duration) -> Result<Leased> {
        self.bounded("taking the lease", lease::take(self, scope, holder, ttl))
            .await
    }

    async fn release(&self, lease: &Lease) -> Result<()> {
        self.bounded("giving the lease up", lease::give_up(self, lease))
            .await
    }

    async fn health(&self) -> Result<Health> {
        self.bounded("reading the store's health", records::health(self))
            .await
    }
}
