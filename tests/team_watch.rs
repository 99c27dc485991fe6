//! `watch` on a shared state store (issue 20, "How it is shown"): three machines (operator A,
//! operator B, CI) in their own directories with their own HOME and actor, one flags file, one
//! gate value file, and the records and leases in a real PostgreSQL or git remote. `watch
//! --once` run from alternating machines continues one `for:` window and kills once; of two
//! watches on two machines one acts, and the other takes over when the holder dies.
//!
//! The clock is the real one: the store's time stamps the looks and starts the soak.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::state_git::support as git;
use crate::state_postgres::support as pg;
use crate::team_state::{agree, team_of, text, Shared, Team};
use crate::watch_once::{pinned, STAGES};

/// The plan of tests/watch_once.rs with its gates reading the files in `gates` (shared by the
/// machines, as a metric would be) and `errors` held for `hold`.
fn stages(gates: &Path, hold: &str) -> String {
    STAGES
        .replace("FOR", hold)
        .replace(
            "cat errors.txt",
            &format!("cat {}/errors.txt", gates.display()),
        )
        .replace(
            "cat latency.txt",
            &format!("cat {}/latency.txt", gates.display()),
        )
}

/// Three machines on `shared`, the flag at `one`, `errors` breaching (held for `hold`).
fn breaching(shared: Shared, hold: &str, lease: &str) -> (Team, tempfile::TempDir) {
    let gates = tempfile::tempdir().unwrap();
    std::fs::write(gates.path().join("errors.txt"), "0.2\n").unwrap();
    std::fs::write(gates.path().join("latency.txt"), "0.01\n").unwrap();
    let t = team_of(shared, &stages(gates.path(), hold), lease);
    t.ok(
        0,
        &["advance", "one", "--force", "--reason", "start", "--yes"],
    );
    (t, gates)
}

/// The applied kill records every machine reads (each machine must read the same).
fn kills(t: &Team) -> Vec<serde_json::Value> {
    let of = |m| -> Vec<serde_json::Value> {
        t.history(m)
            .into_iter()
            .filter(|r| r["action"] == "kill" && r["outcome"] == "applied")
            .collect()
    };
    let a = of(0);
    assert_eq!(a, of(1), "A and B read different kills");
    assert_eq!(a, of(2), "A and CI read different kills");
    a
}

/// `watch --once --interval 1s` about every second from A, B, CI in turn, `errors` breaching
/// with `for: 3s`: every run before the for: has passed in total holds its look and exits 0,
/// the one after kills (within 2 intervals), and there is one kill record.
fn once_from_alternating_machines(shared: Shared) {
    let (t, _gates) = breaching(shared, "3s", "");
    let start = Instant::now();
    let mut runs = Vec::new();
    for i in 0..10 {
        let began = start.elapsed();
        let out = t.run(i % 3, &["watch", "--once", "--interval", "1s"]);
        let (code, stdout) = (
            out.status.code().unwrap_or(-1),
            pinned(&String::from_utf8_lossy(&out.stdout)),
        );
        runs.push((i % 3, began, code, stdout));
        if code == 1 {
            break;
        }
        assert_eq!(code, 0, "run {i}: {}", text(&out));
        let next = Duration::from_secs(i as u64 + 1);
        std::thread::sleep(next.saturating_sub(start.elapsed()));
    }
    let (m, began, code, out) = runs.last().unwrap().clone();
    assert_eq!(code, 1, "never killed: {runs:#?}");
    assert!(
        began >= Duration::from_millis(2500) && began <= Duration::from_millis(3000 + 2000 + 500),
        "the kill run began {began:?} after the first: {runs:#?}"
    );
    assert!(
        out.ends_with(
            "killed cards: watch: gate errors is 0.2 against max 0.01 for 3s (critical)\n"
        ),
        "{out}"
    );
    // Each look went on from the one before, whichever machine made it.
    let helds: Vec<String> = runs
        .iter()
        .map(|(_, _, _, o)| {
            o.split("(max 0.01 ")
                .nth(1)
                .and_then(|r| r.split('/').next())
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(helds[0], "0s", "{runs:#?}");
    for (i, (_, _, code, o)) in runs.iter().enumerate().take(runs.len() - 1) {
        assert_eq!(*code, 0, "{o}");
        assert!(!o.contains("starts again"), "run {i}: {o}");
        assert!(
            o.starts_with("[TIME] look 1 at one: errors fail 0.2 (max 0.01 "),
            "run {i}: {o}"
        );
    }
    let killed = kills(&t);
    assert_eq!(killed.len(), 1, "{killed:#?}");
    assert_eq!(killed[0]["actor"], ["alice", "bob", "ci"][m]);
    // The next machine finds the flag killed and does nothing.
    let after = t.run((m + 1) % 3, &["watch", "--once", "--interval", "1s"]);
    assert_eq!(
        (
            after.status.code(),
            String::from_utf8_lossy(&after.stdout).into_owned()
        ),
        (Some(1), "cards is killed: nothing to watch\n".to_string())
    );
    let (status, _) = agree(&t);
    assert!(status.contains("KILLED"), "{status}");
    assert_eq!(kills(&t).len(), 1);
}

#[tokio::test]
async fn watch_once_from_three_machines_on_postgres_kills_once_after_the_for_in_total() {
    let url = pg::fresh_database(pg::shared()).await;
    tokio::task::spawn_blocking(move || once_from_alternating_machines(Shared::Postgres(url)))
        .await
        .unwrap();
}

#[test]
fn watch_once_from_three_machines_on_git_kills_once_after_the_for_in_total() {
    once_from_alternating_machines(Shared::Git(git::bare()));
}
