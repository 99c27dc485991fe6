//! The git store when the remote cannot be reached: a missing path, a closed port, a remote that
//! never answers, and credentials in the URL that must never be printed.

use std::time::{Duration, Instant};

use rollout::adapters::state::git::GitStore;
use rollout::domain::error::Kind;
use rollout::ports::state::{Head, Query, Store};

use super::support::{change, scope, BRANCH};

/// Every request to an unreachable store fails with exit 4 naming the store, within the bound.
async fn unreachable(url: &str, bound: Duration) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let store = GitStore::with_timeout(url, BRANCH, dir.path(), bound).unwrap();
    let s = scope("checkout");
    let mut messages = Vec::new();
    let started = Instant::now();
    let errors = [
        store
            .append(&change("x", "checkout", 0), Some(Head(0)), None)
            .await
            .err(),
        store.read(&Query::default()).await.err(),
        store.find("x").await.err(),
        store.head(&s).await.err(),
        store.lease(&s, "me", Duration::from_secs(30)).await.err(),
        store.health().await.err(),
    ];
    for (i, err) in errors.into_iter().enumerate() {
        let err = err.unwrap_or_else(|| panic!("request {i} to {url} succeeded"));
        assert_eq!((err.kind, err.exit_code()), (Kind::Provider, 4), "{err:?}");
        assert!(err.message.starts_with(&store.place()), "{}", err.message);
        messages.push(err.message.replace(dir.path().to_str().unwrap(), "[DIR]"));
    }
    // Six requests, each bounded (a slack of one bound for the whole).
    assert!(started.elapsed() < bound * 7, "{:?}", started.elapsed());
    messages
}

#[tokio::test]
async fn unreachable_missing_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.git");
    let url = missing.to_str().unwrap();
    let messages = unreachable(url, Duration::from_secs(5)).await;
    let text = messages[0].replace(dir.path().to_str().unwrap(), "[TMP]");
    assert_eq!(
        text,
        "git [TMP]/missing.git (branch rollout-state): fetching the state branch failed: \
         fatal: '[TMP]/missing.git' does not appear to be a git repository; \
         fatal: Could not read from remote repository."
    );
}

#[tokio::test]
async fn unreachable_closed_port() {
    let closed = crate::gates_support::closed_port();
    let url = format!("git://127.0.0.1:{}/state.git", closed.port);
    let messages = unreachable(&url, Duration::from_secs(5)).await;
    assert!(
        messages[0].starts_with(&format!(
            "git {url} (branch rollout-state): fetching the state branch failed: fatal: unable to connect to 127.0.0.1"
        )),
        "{}",
        messages[0]
    );
}

/// A remote that accepts the connection and never answers: each request ends at the bound.
#[tokio::test]
async fn silent_remote_ends_at_the_bound() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let url = format!("git://127.0.0.1:{port}/state.git");
    let started = Instant::now();
    let messages = unreachable(&url, Duration::from_millis(700)).await;
    assert!(started.elapsed() >= Duration::from_millis(700 * 6));
    assert_eq!(
        messages[0],
        format!("git {url} (branch rollout-state): `git fetch` did not finish within 700ms")
    );
}

/// Credentials in the remote's URL appear in no place and no error.
#[tokio::test]
async fn credentials_are_never_printed() {
    let closed = crate::gates_support::closed_port();
    let url = format!(
        "http://deploy:s3cret-token@127.0.0.1:{}/state.git",
        closed.port
    );
    let dir = tempfile::tempdir().unwrap();
    let store = GitStore::with_timeout(&url, BRANCH, dir.path(), Duration::from_secs(5)).unwrap();
    let place = format!(
        "git http://127.0.0.1:{}/state.git (branch rollout-state)",
        closed.port
    );
    assert_eq!(store.place(), place);
    let err = store.read(&Query::default()).await.unwrap_err();
    let shown = format!("{} {:?}", err.message, err.hint);
    assert!(
        !shown.contains("s3cret") && !shown.contains("deploy"),
        "{shown}"
    );
    assert!(err.message.starts_with(&place), "{}", err.message);
}

/// A remote that refuses every push (here: the branch is checked out in its work tree) is an
/// error at once, naming why, not a race retried until the bound; nothing is stored.
#[tokio::test]
async fn a_remote_refusing_pushes_is_an_error_not_a_race() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let work_path = work.to_str().unwrap();
    super::support::git(&["init", "--quiet", "-b", BRANCH, work_path]);
    super::support::git(&[
        "-C",
        work_path,
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "--quiet",
        "--allow-empty",
        "-m",
        "start",
    ]);
    let home = tempfile::tempdir().unwrap();
    let store =
        GitStore::with_timeout(work_path, BRANCH, home.path(), Duration::from_secs(5)).unwrap();
    let started = Instant::now();
    let err = store
        .append(&change("x", "checkout", 0), None, None)
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.kind, Kind::Provider);
    assert_eq!(
        err.message,
        format!(
            "{}: the remote refuses the push: [remote rejected] (branch is currently checked out)",
            store.place()
        )
    );
    let commits = super::support::git(&["-C", work_path, "rev-list", "--count", BRANCH]);
    assert_eq!(commits.trim(), "1");
}
