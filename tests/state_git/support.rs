//! The remotes and machines of the git store's tests: a bare repository, one served by
//! `git daemon` on loopback (stopped by its PID), and stores with their own directories.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rollout::adapters::state::git::GitStore;
use rollout::ports::state::{Appended, Entry, Lane, Query, Scope, Store, Stored};
use serde_json::json;
use tempfile::TempDir;

pub const BRANCH: &str = "rollout-state";

/// A remote repository the stores share.
pub struct Remote {
    /// What stores are configured with.
    pub url: String,
    /// The bare repository on disk (for inspecting what was pushed).
    pub bare: PathBuf,
    _dir: TempDir,
    daemon: Option<Child>,
}

impl Drop for Remote {
    fn drop(&mut self) {
        if let Some(daemon) = &mut self.daemon {
            let _ = daemon.kill();
            let _ = daemon.wait();
        }
    }
}

pub fn git(args: &[&str]) -> String {
    let out = Command::new("git")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn new_bare(dir: &Path) -> PathBuf {
    let bare = dir.join("state.git");
    git(&["init", "--quiet", "--bare", bare.to_str().unwrap()]);
    bare
}

/// A bare repository, used by its path.
pub fn bare() -> Remote {
    let dir = tempfile::tempdir().unwrap();
    let bare = new_bare(dir.path());
    Remote {
        url: bare.to_str().unwrap().to_string(),
        bare,
        _dir: dir,
        daemon: None,
    }
}

/// A bare repository served by `git daemon` on 127.0.0.1, pushes allowed.
pub fn daemon() -> Remote {
    let dir = tempfile::tempdir().unwrap();
    let bare = new_bare(dir.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = dir.path().to_str().unwrap();
    let child = Command::new("git")
        .args([
            "daemon",
            "--reuseaddr",
            "--listen=127.0.0.1",
            &format!("--port={port}"),
            &format!("--base-path={base}"),
            "--export-all",
            "--enable=receive-pack",
            base,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("git daemon starts");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "git daemon did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    Remote {
        url: format!("git://127.0.0.1:{port}/state.git"),
        bare,
        _dir: dir,
        daemon: Some(child),
    }
}

/// One machine: its own directory (and cache) on the shared remote.
pub struct Machine {
    pub store: GitStore,
    pub dir: TempDir,
}

pub fn machine(remote: &Remote) -> Machine {
    let dir = tempfile::tempdir().unwrap();
    let store =
        GitStore::with_timeout(&remote.url, BRANCH, dir.path(), Duration::from_secs(20)).unwrap();
    Machine { store, dir }
}

pub fn scope(flag: &str) -> Scope {
    Scope {
        flag: flag.into(),
        environment: "prod".into(),
    }
}

pub fn entry(id: &str, scope: Option<Scope>, lane: Lane, after: u64) -> Entry {
    Entry {
        id: id.into(),
        scope,
        lane,
        body: json!({ "id": id, "action": "advance", "after": after }),
    }
}

pub fn change(id: &str, flag: &str, after: u64) -> Entry {
    entry(id, Some(scope(flag)), Lane::Change, after)
}

pub fn stored(appended: Appended) -> Stored {
    match appended {
        Appended::Stored(s) => s,
        other => panic!("expected Stored, got {other:?}"),
    }
}

pub async fn read_ids(store: &GitStore, query: Query) -> Vec<String> {
    let records = store.read(&query).await.unwrap();
    ids(&records).iter().map(ToString::to_string).collect()
}

pub fn ids(records: &[Stored]) -> Vec<&str> {
    records.iter().map(|r| r.entry.id.as_str()).collect()
}
