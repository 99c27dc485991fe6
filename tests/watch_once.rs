//! `rollout watch --once` (issue 20): one look, act, exit — 0 nothing to do or advanced (or
//! another run holds the lease), 1 killed, 3 held, 4 provider or store error — and `for:`
//! windows that continue across runs from the looks recorded in the state store.
//!
//! Gates are `command:` gates reading a file the test writes, so the test sets each value.
//! Runs share a state store through [`checkouts`]: today the local store, so every run is in the
//! same directory; pointing it at PostgreSQL or git makes the runs alternate between checkouts.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::test::{Done, Project};

/// Two gates: `errors` (critical) and `latency` (warning), each reading its file.
pub const STAGES: &str = "flag: cards
gates:
  - { name: errors, command: 'cat errors.txt', max: 0.01, for: FOR }
  - { name: latency, command: 'cat latency.txt', max: 0.1, severity: warning }
stages:
  - { name: one, percentage: 10 }
  - { name: two, percentage: 50 }
";

/// A project whose `errors` gate has this `for:`, both gates passing, the flag at `one`.
pub fn project(hold: &str) -> Project {
    let p = Project::new()
        .file("stages.yaml", &STAGES.replace("FOR", hold))
        .file("errors.txt", "0.001\n")
        .file("latency.txt", "0.01\n");
    p.rollout(["advance", "one", "--force", "--reason", "start", "--yes"])
        .run();
    p
}

/// The directories whose runs share one state store, to alternate between. The local store is
/// per directory, so both are `p`'s; a shared store (PostgreSQL, git) would give two checkouts
/// of the same project (each with `state:` pointing at it and `provider.path` at one flag file).
pub fn checkouts(p: &Project) -> [PathBuf; 2] {
    [p.dir.path().to_path_buf(), p.dir.path().to_path_buf()]
}

/// The output with what varies between runs pinned: clock times, lease expiries, the host and
/// process id of a lease holder.
pub fn pinned(text: &str) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let mut out = String::new();
    for line in text.lines() {
        let mut l = line.to_string();
        if !host.trim().is_empty() {
            l = l.replace(&format!(" on {} (pid ", host.trim()), " on [HOST] (pid ");
        }
        out.push_str(&pin_numbers(&l));
        out.push('\n');
    }
    out
}

/// `2026-12-08 04:12:30 UTC` → `[DATE] [TIME] UTC`, `04:12:30` → `[TIME]`, `(pid 42)` →
/// `(pid [PID])`.
fn pin_numbers(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let digits =
        |at: usize, n: usize| (at..at + n).all(|k| chars.get(k).is_some_and(char::is_ascii_digit));
    while i < chars.len() {
        let date = digits(i, 4)
            && chars.get(i + 4) == Some(&'-')
            && digits(i + 5, 2)
            && chars.get(i + 7) == Some(&'-')
            && digits(i + 8, 2);
        let time = digits(i, 2)
            && chars.get(i + 2) == Some(&':')
            && digits(i + 3, 2)
            && chars.get(i + 5) == Some(&':')
            && digits(i + 6, 2);
        if date {
            out.push_str("[DATE]");
            i += 10;
        } else if time {
            out.push_str("[TIME]");
            i += 8;
        } else if chars[i..].starts_with(&['p', 'i', 'd', ' ']) && digits(i + 4, 1) {
            out.push_str("pid [PID]");
            i += 4;
            while digits(i, 1) {
                i += 1;
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// `watch --once ARGS` in `dir`: its exit code and pinned stdout and stderr.
pub fn once(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["watch", "--once"];
    all.extend_from_slice(args);
    let done: Done = crate::test::Test::new(env!("CARGO_BIN_EXE_rollout"), dir, all)
        .any_status()
        .run();
    (done.code, pinned(&done.stdout), pinned(&done.stderr))
}

#[test]
fn once_exits_0_when_all_pass_3_on_a_warning_1_on_a_kill_and_records_each_look() {
    let p = project("0s");
    let d = p.dir.path();
    assert_eq!(
        once(d, &[]),
        (
            0,
            "[TIME] look 1 at one: errors pass 0.001 (max 0.01); latency pass 0.01 (max 0.1)\n"
                .into(),
            String::new()
        )
    );
    p.write("latency.txt", "0.5\n");
    assert_eq!(
        once(d, &[]),
        (
            3,
            "[TIME] look 1 at one: errors pass 0.001 (max 0.01); latency fail 0.5 (max 0.1 0s/0s)
holding at one: a warning gate's breach holds
"
            .into(),
            "warning: watch: gate latency is 0.5 against max 0.1 for 0s (warning): holding\n"
                .into()
        )
    );
    p.write("errors.txt", "0.2\n");
    assert_eq!(
        once(d, &[]),
        (
            1,
            "[TIME] look 1 at one: errors fail 0.2 (max 0.01 0s/0s); latency fail 0.5 (max 0.1 0s/0s)
killed cards: watch: gate errors is 0.2 against max 0.01 for 0s (critical)
"
            .into(),
            String::new()
        )
    );
    assert_eq!(
        once(d, &[]),
        (
            1,
            "cards is killed: nothing to watch\n".into(),
            String::new()
        )
    );
    // Each run's look is recorded with its interval; the runs (the advance and the four
    // watches) each took the lease with a new token and gave it back.
    let looks = p.changes_of("watch");
    assert_eq!(looks.len(), 3);
    assert!(looks.iter().all(|l| l["interval"] == "30s"), "{looks:?}");
    assert_eq!(p.changes_of("kill").len(), 1);
    let leases: serde_json::Value = serde_json::from_str(&p.read(".rollout/leases.json")).unwrap();
    assert_eq!(leases["leases"][0]["released"], true, "{leases}");
    assert_eq!(leases["leases"][0]["token"], 5, "{leases}");
}

#[test]
fn once_with_advance_advances_and_exits_0_and_a_refused_advance_holds_with_3() {
    let p = project("0s");
    let d = p.dir.path();
    assert_eq!(
        once(d, &["--advance", "--yes", "--json"]).0,
        0,
        "advances from one to two"
    );
    assert_eq!(p.changes_of("advance").len(), 2);
    // At the last stage: done.
    let (code, out, _) = once(d, &["--advance", "--yes"]);
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "[TIME] look 1 at two: errors pass 0.001 (max 0.01); latency pass 0.01 (max 0.1)
cards is at the last stage (two): done
"
        )
    );
    // Back at one with a soak: the rules wait, nothing to do (0).
    p.write(
        "stages.yaml",
        &STAGES
            .replace("FOR", "0s")
            .replace("percentage: 10 }", "percentage: 10, duration: 1d }"),
    );
    p.rollout(["rollback", "one", "--yes"]).run();
    let (code, out, _) = once(d, &["--advance", "--yes"]);
    assert_eq!((code, out.lines().count()), (0, 1), "{out}");
    // The next stage's own gate fails: the rules refuse the advance, and the run holds (3).
    p.write(
        "stages.yaml",
        "flag: cards
gates:
  - { name: errors, command: 'cat errors.txt', max: 0.01 }
  - { name: later, command: 'echo 0.5', max: 0.01 }
stages:
  - { name: one, percentage: 10, gates: [errors] }
  - { name: two, percentage: 50, gates: [errors, later] }
",
    );
    assert_eq!(
        once(d, &["--advance", "--yes"]),
        (
            3,
            "[TIME] look 1 at one: errors pass 0.001 (max 0.01)
holding at one: advance refused: 1 gate of two did not pass
"
            .into(),
            String::new()
        )
    );
}

#[test]
fn once_exits_4_naming_the_provider_or_the_store_that_failed() {
    let p = project("0s");
    let d = p.dir.path();
    let flags = p.read(".rollout/flags.json");
    p.write(".rollout/flags.json", "garbage");
    let (code, out, err) = once(d, &[]);
    assert_eq!((code, out.as_str()), (4, ""), "{err}");
    assert_eq!(
        err,
        "error: .rollout/flags.json:1:1: the flags file is not valid JSON (expected value at line 1 column 1); nothing was changed
hint: restore it from version control, or fix the JSON by hand
"
    );
    p.write(".rollout/flags.json", &flags);
    std::fs::remove_file(p.path(".rollout/leases.json")).unwrap();
    std::fs::create_dir(p.path(".rollout/leases.json")).unwrap();
    let (code, out, err) = once(d, &[]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            4,
            "",
            "error: could not take the lease on cards from the local store ./.rollout/journal.jsonl: could not read the leases ./.rollout/leases.json: Is a directory (os error 21)\n"
        )
    );
}

#[test]
fn once_every_second_kills_only_after_the_for_has_passed_in_total() {
    let p = project("4s");
    p.write("errors.txt", "0.2\n");
    let dirs = checkouts(&p);
    let start = Instant::now();
    let mut runs = Vec::new();
    for i in 0..12 {
        let (code, out, err) = once(&dirs[i % 2], &["--interval", "1s"]);
        runs.push((start.elapsed(), code, out.clone()));
        assert!(err.is_empty() || code == 1, "{err}");
        if code == 1 {
            break;
        }
        assert_eq!(code, 0, "{out}");
        std::thread::sleep(Duration::from_millis(1000));
    }
    let (killed_at, code, out) = runs.last().unwrap().clone();
    assert_eq!(code, 1, "never killed: {runs:?}");
    assert!(
        killed_at >= Duration::from_secs(4),
        "killed after {killed_at:?}: {runs:?}"
    );
    assert!(
        out.ends_with(
            "killed cards: watch: gate errors is 0.2 against max 0.01 for 4s (critical)\n"
        ),
        "{out}"
    );
    // Each run saw the breach held longer than the one before.
    let helds: Vec<String> = runs
        .iter()
        .map(|(_, _, o)| {
            o.split("(max 0.01 ")
                .nth(1)
                .and_then(|r| r.split(')').next())
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(
        helds.first().map(String::as_str),
        Some("0s/4s"),
        "{helds:?}"
    );
    assert!(helds.len() >= 5, "{helds:?}");
    assert_eq!(p.changes_of("kill").len(), 1);
}

#[test]
fn a_gap_longer_than_twice_the_interval_starts_the_window_again_and_says_so() {
    let p = project("10s");
    p.write("errors.txt", "0.2\n");
    let d = p.dir.path();
    assert_eq!(once(d, &["--interval", "1s"]).0, 0);
    std::thread::sleep(Duration::from_millis(2300));
    let (code, out, err) = once(d, &["--interval", "1s"]);
    // How long ago depends on how long the runs took here: 2s, or 3s on a loaded machine.
    let out = out.replacen("was 3s ago", "was 2s ago", 1);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "the last look was 2s ago, more than twice the interval (1s): the window of gate errors starts again
[TIME] look 1 at one: errors fail 0.2 (max 0.01 0s/10s); latency pass 0.01 (max 0.1)
",
            ""
        )
    );
    // Within twice the interval, the window goes on from that look.
    std::thread::sleep(Duration::from_millis(1000));
    let (_, out, _) = once(d, &["--interval", "1s"]);
    let held = out
        .split("(max 0.01 ")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_default();
    assert!(["1s", "2s"].contains(&held), "{out}");
}
