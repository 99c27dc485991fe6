//! Separate processes racing on one git remote, each with its own directory and a hostile
//! environment: a global git config with failing hooks, signing, no identity and gc on every
//! command, and `GIT_DIR`/`GIT_INDEX_FILE` pointing elsewhere (as inside a git hook). The store
//! must ignore all of it, and the processes' changes must still form one chain.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use rollout::adapters::state::git::GitStore;
use rollout::ports::state::{Appended, Lane, Query, Store};

use super::support::{bare, change, daemon, machine, scope, Remote, BRANCH};

const WORKER_REMOTE: &str = "ROLLOUT_TEST_GIT_WORKER_REMOTE";
const WORKER_ID: &str = "ROLLOUT_TEST_GIT_WORKER_ID";

/// A process of the race (run by [`race`] only): appends its change with the head it read,
/// reading again after each conflict, and prints how many conflicts it met.
#[tokio::test]
#[ignore = "a worker process of the git race; runs only when started by it"]
async fn worker() {
    let (Ok(remote), Ok(id)) = (std::env::var(WORKER_REMOTE), std::env::var(WORKER_ID)) else {
        return;
    };
    let dir = std::env::current_dir().unwrap();
    let store = GitStore::with_timeout(&remote, BRANCH, &dir, Duration::from_secs(30)).unwrap();
    let s = scope("checkout");
    for conflicts in 0.. {
        let head = store.head(&s).await.unwrap();
        let e = change(&id, "checkout", head.0);
        match store.append(&e, Some(head), None).await.unwrap() {
            Appended::Stored(_) => {
                println!("conflicts={conflicts}");
                return;
            }
            Appended::Conflict(w) => assert!(w.seq > head.0, "{w:?}"),
            Appended::Fenced(l) => panic!("no lease here: {l:?}"),
        }
    }
}

/// A HOME whose git config would break or change every git command the store runs.
fn hostile_home(home: &Path) {
    let hooks = home.join("hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    for hook in [
        "pre-push",
        "reference-transaction",
        "post-commit",
        "pre-auto-gc",
    ] {
        let path = hooks.join(hook);
        std::fs::write(&path, "#!/bin/sh\necho hostile hook ran >&2\nexit 1\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let config = format!(
        "[core]\n\thooksPath = {}\n\tfsmonitor = true\n[commit]\n\tgpgSign = true\n\
         [gpg]\n\tprogram = false\n[user]\n\tuseConfigOnly = true\n[gc]\n\tauto = 1\n\
         [push]\n\tgpgSign = true\n[fetch]\n\trecurseSubmodules = true\n",
        hooks.display()
    );
    std::fs::write(home.join(".gitconfig"), config).unwrap();
}

async fn race(remote: Remote) {
    let home = tempfile::tempdir().unwrap();
    hostile_home(home.path());
    let decoy = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let dirs: Vec<tempfile::TempDir> = (0..6).map(|_| tempfile::tempdir().unwrap()).collect();
    let children: Vec<_> = dirs
        .iter()
        .enumerate()
        .map(|(i, dir)| {
            Command::new(&exe)
                .args([
                    "--ignored",
                    "--exact",
                    "--nocapture",
                    "state_git::processes::worker",
                ])
                .current_dir(dir.path())
                .env(WORKER_REMOTE, &remote.url)
                .env(WORKER_ID, format!("process-{i}"))
                .env("HOME", home.path())
                .env("XDG_CONFIG_HOME", home.path())
                .env("GIT_DIR", decoy.path())
                .env("GIT_INDEX_FILE", decoy.path().join("index"))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("conflicts="),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let records = machine(&remote)
        .store
        .read(&Query {
            scope: Some(scope("checkout")),
            lanes: vec![Lane::Change],
            ..Query::default()
        })
        .await
        .unwrap();
    let mut chain: Vec<(u64, u64, &str)> = records
        .iter()
        .map(|r| {
            let after = r.entry.body["after"].as_u64().unwrap();
            (r.seq, after, r.entry.id.as_str())
        })
        .collect();
    chain.reverse();
    assert_eq!(chain.len(), 6, "{chain:?}");
    assert_eq!(chain[0].1, 0);
    for pair in chain.windows(2) {
        assert_eq!(pair[1].1, pair[0].0, "not one chain: {chain:?}");
    }
    let mut ids: Vec<&str> = chain.iter().map(|c| c.2).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 6);
    // Nothing was written where the decoy variables pointed.
    assert_eq!(std::fs::read_dir(decoy.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn six_processes_race_on_a_bare_repository() {
    race(bare()).await;
}

#[tokio::test]
async fn six_processes_race_through_git_daemon() {
    race(daemon()).await;
}
