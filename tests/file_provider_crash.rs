//! `kill -9` at random moments of `advance`, `rollback`, `kill` and `resume` on the file provider:
//! the flags file is always whole flagd JSON, every change it shows has its journal record (the
//! intent, journaled before the write), and the next write leaves no temp file behind.

use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::test::Project;

const ROUNDS: usize = 150;
const AT: &str = "2024-03-01T09:00:00Z";
const STAGES: &str = "flag: f\nstages:\n  - { name: a, percentage: 5, groups: [qa] }\n  - { name: b, percentage: 20 }\n  - { name: c, percentage: 60 }\n  - { name: d, percentage: 100 }\n";

/// xorshift64*: enough randomness for kill moments, reproducible from the printed seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// The flag in the flags file, which must be whole JSON in the flagd format.
fn flag_in(p: &Project, context: &str) -> Value {
    let text = p.read(".rollout/flags.json");
    let doc: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{context}: flags.json is not JSON ({e}):\n{text}"));
    let flag = &doc["flags"]["f"];
    assert_eq!(doc["$schema"], "https://flagd.dev/schema/v0/flags.json");
    assert_eq!(flag["state"], "ENABLED", "{context}: {text}");
    assert_eq!(
        flag["variants"],
        serde_json::json!({"on": true, "off": false})
    );
    assert_eq!(flag["defaultVariant"], "off", "{context}: {text}");
    flag.clone()
}

/// Whether journal record `r` records the change that left the flag as `flag`.
fn records(r: &Value, flag: &Value) -> bool {
    let meta = &flag["metadata"];
    let killed = meta["rolloutKilled"] == true;
    let percent = meta["rolloutPercentage"].as_f64().unwrap() / 1000.0;
    let outcome_ok = ["intent", "applied", "may-have-been-applied"]
        .contains(&r["outcome"].as_str().unwrap_or(""));
    let action_ok = if killed {
        r["action"] == "kill"
    } else {
        ["advance", "rollback", "resume"].contains(&r["action"].as_str().unwrap_or(""))
    };
    outcome_ok
        && action_ok
        && r["to"] == meta["rolloutStage"]
        && r["percentage"].as_f64() == Some(percent)
}

/// The journal's records, and how many lines are torn. A kill -9 can cut a line that crosses a
/// page of the file (the kernel stops a write between pages for a fatal signal); rollout starts
/// the next record on a fresh line and `history` reports the torn one as damaged.
fn journal_of(p: &Project) -> (Vec<Value>, usize) {
    let text = p.read_opt(".rollout/journal.jsonl");
    let mut records = Vec::new();
    let mut torn = 0;
    for line in text.lines() {
        match serde_json::from_str(line) {
            Ok(r) => records.push(r),
            Err(_) => torn += 1,
        }
    }
    (records, torn)
}

#[test]
fn random_kill_9s_never_leave_a_change_without_its_journal_record() {
    let seed = seed();
    println!("seed {seed} (ROLLOUT_TEST_SEED={seed} repeats this run)");
    let mut rng = Rng(seed);
    let p = Project::new().file("stages.yaml", STAGES);
    p.rollout(["advance"]).at(AT).run();
    // How long a whole write takes here, so the kills land all over a run; adjusted below when
    // the runs turn out longer (nothing changes) or shorter (they finish before the kill).
    let mut span = write_span(&p);
    let mut last = flag_in(&p, "calibrated");
    let (mut killed, mut changed, mut unchanged_streak) = (0, 0, 0);
    for round in 0..ROUNDS {
        let args = changing_command(&mut rng, &last);
        let context = format!("round {round} (`rollout {}`, seed {seed})", args.join(" "));
        let (journal, torn_before) = journal_of(&p);
        let before = journal.len();
        // A run killed here cannot give its lease on the flag up: a lease that lapses at once
        // lets the next round start at once (a real one lasts `state.lease`).
        let mut child = p
            .command(args)
            .env(crate::test::TEST_NOW, AT)
            .env("ROLLOUT_TEST_LEASE_MS", "1")
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(span)));
        let _ = child.kill();
        let status = child.wait().unwrap();
        let sigkilled = status.signal() == Some(nix::sys::signal::Signal::SIGKILL as i32);
        let (journal, torn) = journal_of(&p);
        // Only a run killed mid-write leaves a torn line, and at most one.
        assert!(
            torn == torn_before || (sigkilled && torn == torn_before + 1),
            "{context}: {torn} torn journal lines after {torn_before}"
        );
        if sigkilled {
            killed += 1;
        } else {
            assert!(
                [0, 3].contains(&status.code().unwrap()),
                "{context}: {status}"
            );
        }
        let flag = flag_in(&p, &context);
        if !sigkilled {
            span = span * 9 / 10;
        }
        if flag == last {
            unchanged_streak += 1;
            if unchanged_streak == 10 {
                span = span * 3 / 2;
                unchanged_streak = 0;
            }
        } else {
            unchanged_streak = 0;
            changed += 1;
            assert!(
                journal[before..].iter().any(|r| records(r, &flag)),
                "{context}: the file changed to {flag:#}\nwith no journal record of it:\n{:#?}",
                &journal[before..]
            );
            assert_eq!(
                flag["metadata"]["rolloutRevision"].as_u64(),
                last["metadata"]["rolloutRevision"].as_u64().map(|r| r + 1),
                "{context}: one change per run"
            );
        }
        last = flag;
    }
    let (_, torn) = journal_of(&p);
    println!(
        "{ROUNDS} runs: {killed} killed by SIGKILL, {changed} changed the flag, {torn} journal \
         lines torn"
    );
    // The loop did hit the runs mid-way, and the writes.
    assert!(killed >= ROUNDS / 5, "only {killed} runs were killed");
    assert!(changed >= 10, "only {changed} runs changed the flag");
    the_next_write_leaves_no_temp_file(&p, &last);
}

/// The run's seed: `ROLLOUT_TEST_SEED`, else the clock (odd, as the generator needs).
fn seed() -> u64 {
    std::env::var("ROLLOUT_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        })
}

/// One and a half times the longest of a `kill` and a `resume` run to the end, in microseconds.
fn write_span(p: &Project) -> u64 {
    let mut span = 0u64;
    for args in [&["kill"][..], &["resume", "--yes"][..]] {
        let started = Instant::now();
        p.rollout(args).at(AT).run();
        span = span.max(started.elapsed().as_micros() as u64 * 3 / 2);
    }
    span
}

/// A command that changes the flag from where it is (`last`), so that most runs write.
fn changing_command(rng: &mut Rng, last: &Value) -> &'static [&'static str] {
    let stage = last["metadata"]["rolloutStage"].as_str().unwrap_or("");
    if last["metadata"]["rolloutKilled"] == true {
        &["resume", "--yes"]
    } else {
        match (rng.below(3), stage) {
            (0, _) => &["kill"],
            (1, "d") => &["rollback", "--yes"],
            (1, _) | (2, "a") => &["advance", "--yes"],
            _ => &["rollback", "--yes"],
        }
    }
}

/// The next write leaves no temp file, whatever the kills left, and a readable flag.
fn the_next_write_leaves_no_temp_file(p: &Project, last: &Value) {
    let next: &[&str] = if last["metadata"]["rolloutKilled"] == true {
        &["resume", "--yes"]
    } else {
        &["kill"]
    };
    p.rollout(next).at(AT).run();
    let temps: Vec<String> = std::fs::read_dir(p.path(".rollout"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(temps.is_empty(), "{temps:?}");
    flag_in(p, "after the last write");
}
