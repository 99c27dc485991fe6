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
use crate::state_lease::wait_for;
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

/// `rollout watch ARGS` on machine `m`, its stdout and stderr in `{actor}.out` and `.err` in
/// that machine's directory.
fn watcher(t: &Team, m: usize, args: &[&str]) -> std::process::Child {
    let (p, who) = &t.machines[m];
    let out = std::fs::File::create(p.path(&format!("{who}.out"))).unwrap();
    let err = std::fs::File::create(p.path(&format!("{who}.err"))).unwrap();
    let mut all = vec!["watch"];
    all.extend_from_slice(args);
    t.cmd(m, &all)
        .stdout(std::process::Stdio::from(out))
        .stderr(std::process::Stdio::from(err))
        .spawn()
        .unwrap()
}

/// What machine `m`'s watcher printed, pinned.
fn printed(t: &Team, m: usize) -> String {
    let (p, who) = &t.machines[m];
    pinned(&p.read_opt(&format!("{who}.out")))
}

/// Two watches on two machines, one breaching gate (for: 1s): exactly one kills; the other
/// only said who holds the lease, and found the flag killed.
fn two_watches_one_kill(shared: Shared) {
    let (t, _gates) = breaching(shared, "1s", ", lease: 3s");
    let mut a = watcher(&t, 0, &["--interval", "200ms"]);
    let mut b = watcher(&t, 1, &["--interval", "200ms"]);
    let (ea, eb) = (a.wait().unwrap(), b.wait().unwrap());
    assert_eq!(
        (ea.code(), eb.code()),
        (Some(1), Some(1)),
        "{}\n{}",
        printed(&t, 0),
        printed(&t, 1)
    );
    let killed = kills(&t);
    assert_eq!(killed.len(), 1, "{killed:#?}");
    let (winner, other) = if killed[0]["actor"] == "alice" {
        (0, 1)
    } else {
        (1, 0)
    };
    let won = printed(&t, winner);
    assert!(
        won.ends_with(
            "killed cards: watch: gate errors is 0.2 against max 0.01 for 1s (critical)\n"
        ),
        "{won}"
    );
    assert_eq!(
        printed(&t, other),
        format!(
            "{} on [HOST] (pid [PID]) holds the lease on cards until [DATE] [TIME] UTC; waiting, trying again every 200ms
cards is killed: watch stops
",
            t.machines[winner].1
        )
    );
    let looks: Vec<_> = t
        .history(2)
        .into_iter()
        .filter(|r| r["action"] == "watch")
        .collect();
    assert!(
        !looks.is_empty() && looks.iter().all(|l| l["actor"] == t.machines[winner].1),
        "{looks:#?}"
    );
}

#[tokio::test]
async fn of_two_watches_on_two_machines_on_postgres_exactly_one_kills() {
    let url = pg::fresh_database(pg::shared()).await;
    tokio::task::spawn_blocking(move || two_watches_one_kill(Shared::Postgres(url)))
        .await
        .unwrap();
}

/// A watches on machine A, B waits on machine B; `kill -9` of A (by its PID) lets B take over
/// within the lease time (3 s, from `state: { lease: 3s }`), and B then kills a breach.
fn holder_killed_other_takes_over(shared: Shared) {
    let (t, gates) = breaching(shared, "0s", ", lease: 3s");
    std::fs::write(gates.path().join("errors.txt"), "0.001\n").unwrap();
    let dir = |m: usize| t.machines[m].0.dir.path().to_path_buf();
    let mut a = watcher(&t, 0, &["--interval", "300ms"]);
    let within = Duration::from_secs(10);
    assert!(
        wait_for(&dir(0), "alice.out", "look 1 at one", within).is_some(),
        "{}",
        printed(&t, 0)
    );
    let mut b = watcher(&t, 1, &["--interval", "300ms"]);
    assert!(
        wait_for(&dir(1), "bob.out", "holds the lease", within).is_some(),
        "{}",
        printed(&t, 1)
    );
    // A renews its lease while it lives: B still waits after more than the lease time.
    std::thread::sleep(Duration::from_millis(3500));
    assert!(!printed(&t, 1).contains("took over"), "{}", printed(&t, 1));
    crate::test::send_signal(a.id(), nix::sys::signal::Signal::SIGKILL);
    let _ = a.wait();
    let took = wait_for(
        &dir(1),
        "bob.out",
        "took over the lease on cards: watching",
        within,
    )
    .expect("B never took over");
    assert!(
        took <= Duration::from_millis(3000 + 300 + 1000),
        "took {took:?}"
    );
    std::fs::write(gates.path().join("errors.txt"), "0.2\n").unwrap();
    assert_eq!(b.wait().unwrap().code(), Some(1), "{}", printed(&t, 1));
    let killed = kills(&t);
    assert_eq!(killed.len(), 1, "{killed:#?}");
    assert_eq!(killed[0]["actor"], "bob");
    let out = printed(&t, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "alice on [HOST] (pid [PID]) holds the lease on cards until [DATE] [TIME] UTC; waiting, trying again every 300ms",
            "took over the lease on cards: watching",
        ],
        "{out}"
    );
    assert_eq!(
        lines.last().copied(),
        Some("killed cards: watch: gate errors is 0.2 against max 0.01 for 0s (critical)")
    );
}

#[tokio::test]
async fn when_the_lease_holder_on_postgres_is_killed_with_sigkill_the_other_machine_takes_over() {
    let url = pg::fresh_database(pg::shared()).await;
    tokio::task::spawn_blocking(move || holder_killed_other_takes_over(Shared::Postgres(url)))
        .await
        .unwrap();
}

#[test]
fn of_two_watches_on_two_machines_on_git_exactly_one_kills() {
    two_watches_one_kill(Shared::Git(git::bare()));
}

#[test]
fn when_the_lease_holder_on_git_is_killed_with_sigkill_the_other_machine_takes_over() {
    holder_killed_other_takes_over(Shared::Git(git::bare()));
}
