//! The flag's lease (issue 20): of two watches on one breaching gate exactly one acts, the other
//! says who holds the lease; `kill -9` of the holder lets the other take over within the lease
//! time; `advance` refuses (exit 5) while another run holds it, naming the holder and until
//! when; `kill` never waits for it. The lease time is 3 s here (`ROLLOUT_TEST_LEASE_MS`, the
//! tests' stand-in for `state: { lease: 3s }`).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::test::Project;
use crate::watch_once::{pinned, project};

const LEASE_MS: &str = "3000";

/// `rollout watch ARGS` in `dir` as `actor` with a 3 s lease, its stdout and stderr going to
/// files under `dir`.
fn watcher(p: &Project, actor: &str, args: &[&str]) -> Child {
    watcher_with(p, actor, LEASE_MS, args)
}

/// [`watcher`] with a lease of `lease_ms` milliseconds.
fn watcher_with(p: &Project, actor: &str, lease_ms: &str, args: &[&str]) -> Child {
    let out = std::fs::File::create(p.path(&format!("{actor}.out"))).unwrap();
    let err = std::fs::File::create(p.path(&format!("{actor}.err"))).unwrap();
    let mut all = vec!["watch"];
    all.extend_from_slice(args);
    let mut cmd: Command = p.command(&all);
    cmd.env("ROLLOUT_ACTOR", actor)
        .env(LEASE_VAR, lease_ms)
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err));
    cmd.spawn().unwrap()
}

const LEASE_VAR: &str = "ROLLOUT_TEST_LEASE_MS";

/// Waits until `file` (under the project) contains `text`, at most `within`; how long it took.
pub(crate) fn wait_for(dir: &Path, file: &str, text: &str, within: Duration) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < within {
        if std::fs::read_to_string(dir.join(file)).is_ok_and(|t| t.contains(text)) {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[test]
fn of_two_watches_on_one_breaching_gate_exactly_one_kills_and_the_other_names_the_holder() {
    let p = project("1s");
    p.write("errors.txt", "0.2\n");
    let mut a = watcher(&p, "watcher-a", &["--interval", "200ms"]);
    let mut b = watcher(&p, "watcher-b", &["--interval", "200ms"]);
    let (ea, eb) = (a.wait().unwrap(), b.wait().unwrap());
    assert_eq!((ea.code(), eb.code()), (Some(1), Some(1)));
    assert_eq!(p.changes_of("kill").len(), 1, "{:#?}", p.journal());
    let kill = &p.changes_of("kill")[0];
    let (winner, other) = if kill["actor"] == "watcher-a" {
        ("watcher-a", "watcher-b")
    } else {
        ("watcher-b", "watcher-a")
    };
    let won = pinned(&p.read(&format!("{winner}.out")));
    assert!(
        won.ends_with(
            "killed cards: watch: gate errors is 0.2 against max 0.01 for 1s (critical)\n"
        ),
        "{won}"
    );
    // The other never looked: it said who holds the lease, and found the flag killed.
    assert_eq!(
        pinned(&p.read(&format!("{other}.out"))),
        format!(
            "{winner} on [HOST] (pid [PID]) holds the lease on cards until [DATE] [TIME] UTC; waiting, trying again every 200ms
cards is killed: watch stops
"
        )
    );
    assert!(p.changes_of("watch").iter().all(|l| l["actor"] == winner));
}

#[test]
fn when_the_lease_holder_is_killed_with_sigkill_the_other_watch_takes_over_within_the_lease_time() {
    let p = project("0s");
    let mut a = watcher(&p, "watcher-a", &["--interval", "300ms"]);
    assert!(wait_for(
        p.dir.path(),
        "watcher-a.out",
        "look 1 at one",
        Duration::from_secs(10)
    )
    .is_some());
    let mut b = watcher(&p, "watcher-b", &["--interval", "300ms"]);
    assert!(wait_for(
        p.dir.path(),
        "watcher-b.out",
        "holds the lease",
        Duration::from_secs(10)
    )
    .is_some());
    // A renews its lease while it lasts: B still waits after more than the lease time.
    std::thread::sleep(Duration::from_millis(3500));
    assert!(!p.read("watcher-b.out").contains("took over"));
    // `Child::kill` is SIGKILL on Unix: the holder gets no chance to give the lease up.
    a.kill().unwrap();
    let _ = a.wait();
    let took = wait_for(
        p.dir.path(),
        "watcher-b.out",
        "took over the lease on cards: watching",
        Duration::from_secs(10),
    )
    .expect("B never took over");
    // Within the lease time (3 s), plus B's interval, plus a little for a loaded machine.
    assert!(
        took <= Duration::from_millis(3000 + 300 + 700),
        "took {took:?}"
    );
    // B now acts: a breach is killed by B.
    p.write("errors.txt", "0.2\n");
    let done = b.wait().unwrap();
    assert_eq!(done.code(), Some(1));
    let kills = p.changes_of("kill");
    assert_eq!(kills.len(), 1);
    assert_eq!(kills[0]["actor"], "watcher-b");
    let out = pinned(&p.read("watcher-b.out"));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "watcher-a on [HOST] (pid [PID]) holds the lease on cards until [DATE] [TIME] UTC; waiting, trying again every 300ms",
            "took over the lease on cards: watching",
        ],
        "{out}"
    );
    assert_eq!(
        lines.last().copied(),
        Some("killed cards: watch: gate errors is 0.2 against max 0.01 for 0s (critical)")
    );
}

#[test]
fn advance_refuses_with_5_while_a_watch_holds_the_lease_and_kill_never_waits() {
    let p = project("0s");
    let mut w = watcher(&p, "watcher", &["--interval", "300ms"]);
    assert!(wait_for(
        p.dir.path(),
        "watcher.out",
        "look 1 at one",
        Duration::from_secs(10)
    )
    .is_some());
    for args in [
        &["advance", "--yes"][..],
        &["rollback", "--yes"],
        &["resume"],
    ] {
        let done = p.rollout(args).env(LEASE_VAR, LEASE_MS).any_status().run();
        assert_eq!(
            (done.code, done.stdout.as_str(), pinned(&done.stderr)),
            (
                5,
                "",
                "error: watcher on [HOST] (pid [PID]) holds the lease on cards until [DATE] [TIME] UTC: another advance, rollback, resume or watch is acting on it
hint: try again after [DATE] [TIME] UTC, or stop that run; `rollout kill` never waits for a lease
"
                .into()
            ),
            "{args:?}"
        );
    }
    checklist_advance_names_the_holder(&p);
    assert_eq!(p.changes_of("advance").len(), 1, "only the first advance");
    // `watch --once` has nothing to do while that watch acts: exit 0, naming the holder.
    let once = p
        .rollout(["watch", "--once"])
        .env(LEASE_VAR, LEASE_MS)
        .run();
    assert_eq!(
        pinned(&once.stdout),
        "watcher on [HOST] (pid [PID]) holds the lease on cards until [DATE] [TIME] UTC: it watches; nothing to do here\n"
    );
    let doc = p
        .rollout(["watch", "--once", "--json"])
        .env(LEASE_VAR, LEASE_MS)
        .run()
        .json();
    assert_eq!(
        (
            &doc["ended"],
            &doc["looks"],
            pinned(doc["held_by"].as_str().unwrap())
        ),
        (
            &serde_json::json!("lease-busy"),
            &serde_json::json!(0),
            "watcher on [HOST] (pid [PID])\n".to_string()
        )
    );
    // A kill goes through at once.
    let start = Instant::now();
    p.rollout(["kill", "--reason", "stop"]).run();
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(w.wait().unwrap().code(), Some(1));
    assert_eq!(
        pinned(&p.read("watcher.out")).lines().last(),
        Some("cards is killed: watch stops")
    );
    // The watch gave the lease back when it ended: an advance takes it at once now.
    p.rollout(["resume", "--reason", "again", "--yes"]).run();
}

#[test]
fn a_watch_killed_with_sigkill_and_restarted_every_1_5s_kills_once_the_breach_held_its_for_in_total(
) {
    // The scenario, shortened: each watch lives 1.5 s, half the gate's 3 s `for:`, so only
    // windows continued from the recorded looks can ever reach it. The lease (300 ms) is shorter
    // than the interval (500 ms), so each restart takes over before twice the interval passed.
    let p = project("3s");
    p.write("errors.txt", "0.2\n");
    let start = Instant::now();
    let mut lives = 0;
    let killed_by = loop {
        assert!(lives < 12, "never killed after {lives} restarts");
        let actor = format!("watch-{lives}");
        let mut w = watcher_with(&p, &actor, "300", &["--interval", "500ms"]);
        lives += 1;
        let born = Instant::now();
        while born.elapsed() < Duration::from_millis(1500) {
            if let Some(status) = w.try_wait().unwrap() {
                assert_eq!(
                    status.code(),
                    Some(1),
                    "{}",
                    p.read(&format!("{actor}.err"))
                );
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if w.try_wait().unwrap().is_some() {
            break actor;
        }
        w.kill().unwrap();
        w.wait().unwrap();
    };
    assert!(start.elapsed() >= Duration::from_secs(3));
    assert!(lives >= 3, "killed by the {lives}th watch");
    let kills = p.changes_of("kill");
    assert_eq!(kills.len(), 1);
    assert_eq!(kills[0]["actor"], killed_by.as_str());
    let out = pinned(&p.read(&format!("{killed_by}.out")));
    assert!(
        out.ends_with(
            "killed cards: watch: gate errors is 0.2 against max 0.01 for 3s (critical)\n"
        ),
        "{out}"
    );
}

#[test]
fn an_advance_slower_than_its_lease_renews_it_so_another_advance_still_waits() {
    let p = project("0s");
    // The first advance pauses 2.5 s in its write, five times its 500 ms lease.
    let mut slow = p.command(&["advance", "--yes"]);
    slow.env(LEASE_VAR, "500")
        .env("ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS", "2500");
    let slow = slow.spawn().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let done = p
        .rollout(["advance", "--yes"])
        .env(LEASE_VAR, "500")
        .any_status()
        .run();
    assert_eq!(done.code, 5, "{}", done.stderr);
    assert!(
        pinned(&done.stderr).starts_with(
            "error: tester@example.com on [HOST] (pid [PID]) holds the lease on cards until"
        ),
        "{}",
        done.stderr
    );
    let out = slow.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        p.changes_of("advance").len(),
        2,
        "the start and the slow advance"
    );
}

/// A checklist's `rollout: advance` task holds the lease as `rollout advance` does: while
/// another run holds it, the task fails naming the holder, and changes nothing.
fn checklist_advance_names_the_holder(p: &Project) {
    p.write(
        "checklists/move.yaml",
        "tasks:\n  - {name: Move, rollout: advance}\n",
    );
    let task = p
        .checklist(["run", "move", "--yes"])
        .env(LEASE_VAR, LEASE_MS)
        .any_status()
        .run();
    assert_ne!(task.code, 0, "{}", task.stderr);
    assert!(
        pinned(&format!("{}{}", task.stdout, task.stderr)).contains(
            "watcher on [HOST] (pid [PID]) holds the lease on cards until [DATE] [TIME] UTC"
        ),
        "{}\n{}",
        task.stdout,
        task.stderr
    );
}
