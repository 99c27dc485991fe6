//! Reading the journal is linear and bounded (issue 21): a huge last line is skipped in one pass
//! and reported by its number, and Ctrl-C or SIGTERM stops a long read at once.

use std::io::Read;
use std::process::Child;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use crate::test::Project;

/// A project at `beta` (four journal records) whose journal then ends in a torn line of `len`
/// bytes: a record's start and `x`s, or a hole (zero bytes, no disk used) when `sparse`.
fn with_last_line(len: u64, sparse: bool) -> Project {
    let p = Project::builder_cards();
    p.walk_builder_cards_to("beta");
    let path = p.path(".rollout/journal.jsonl");
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    if sparse {
        let end = file.metadata().unwrap().len() + len;
        file.set_len(end).unwrap();
    } else {
        use std::io::Write;
        let start = br#"{"time":"2024-01-19T00:00:00Z","actor":""#;
        file.write_all(start).unwrap();
        let len = usize::try_from(len).unwrap() - start.len();
        file.write_all(&vec![b'x'; len]).unwrap();
    }
    p
}

#[test]
fn a_64_mb_last_line_is_skipped_in_one_pass_and_named_by_its_number() {
    let len = 64 << 20;
    let p = with_last_line(len, false);
    let warning = format!(
        "warning: .rollout/journal.jsonl:5: a damaged journal line was skipped (the line is {len} \
         bytes, longer than the limit of 65536)\n"
    );
    let started = Instant::now();
    let done = p.rollout(["history"]).at("2024-01-19T09:00:00Z").run();
    let took = started.elapsed();
    assert_eq!(
        done.stdout,
        "2024-01-18 09:00 UTC  tester@example.com  advance use-new-builder-cards internal → beta (10%)\n\
         2024-01-15 09:00 UTC  tester@example.com  advance use-new-builder-cards → internal (5%)\n"
    );
    assert_eq!(done.stderr, warning);
    assert!(took < Duration::from_secs(1), "history took {took:?}");

    let started = Instant::now();
    let doc = p
        .rollout(["history", "--json"])
        .at("2024-01-19T09:00:00Z")
        .run()
        .json();
    let took = started.elapsed();
    assert_eq!(doc["entries"].as_array().unwrap().len(), 2);
    assert_eq!(
        doc["damaged"],
        serde_json::json!([{"line": 5, "error": format!(
            "the line is {len} bytes, longer than the limit of 65536")}])
    );
    assert!(
        took < Duration::from_secs(1),
        "history --json took {took:?}"
    );

    let started = Instant::now();
    p.rollout(["status"])
        .at("2024-01-19T09:00:00Z")
        .stdout_has("beta")
        .run();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "status took {took:?}");
}

/// Bytes `pid` has read so far (`rchar` in /proc/PID/io).
fn bytes_read(pid: u32) -> u64 {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).unwrap_or_default();
    io.lines()
        .find_map(|l| l.strip_prefix("rchar: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// Waits up to `limit` for `child` to exit: its code (-1: killed by a signal) and how long it
/// took, or None (then it is killed).
fn exit_within(child: &mut Child, limit: Duration) -> Option<(i32, Duration)> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some((status.code().unwrap_or(-1), start.elapsed()));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[test]
fn sigterm_and_ctrl_c_stop_a_long_journal_read_at_once() {
    // A last line of 1 TiB (a hole): seconds to minutes to read through, however fast the disk.
    let p = with_last_line(1 << 40, true);
    for (args, signal) in [
        (&["history"][..], Signal::SIGTERM),
        (&["status"][..], Signal::SIGINT),
        (&["history", "--json"][..], Signal::SIGINT),
    ] {
        let mut child = p
            .command(args)
            .env("ROLLOUT_NOW", "2024-01-19T09:00:00Z")
            .spawn()
            .unwrap();
        // Deep in the read: far more read than the config and the start of the journal.
        let start = Instant::now();
        while bytes_read(child.id()) < 256 << 20 {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{args:?} never read the journal"
            );
            assert!(child.try_wait().unwrap().is_none(), "{args:?} ended early");
            std::thread::sleep(Duration::from_millis(5));
        }
        crate::test::send_signal(child.id(), signal);
        let ended = exit_within(&mut child, Duration::from_secs(10));
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let (code, took) = ended.unwrap_or_else(|| panic!("{args:?} ignored {signal}"));
        assert_eq!(code, 130, "{args:?} after {signal}: {stderr}");
        assert!(took < Duration::from_secs(1), "{args:?} took {took:?}");
        assert!(stderr.contains("interrupted"), "{args:?}: {stderr}");
    }
}

/// A journal of about `n` records: changes a minute apart (an intent, then its outcome), a
/// checklist run every 50 journaled when it ended (after changes made while it ran), a watch
/// look every 7, an intent left open and a damaged line.
fn varied_journal(n: usize) -> String {
    let at = |i: usize| {
        let start = chrono::DateTime::parse_from_rfc3339("2024-01-15T09:00:00Z").unwrap();
        (start + chrono::Duration::minutes(i64::try_from(i).unwrap()))
            .to_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let change = |i: usize, outcome: &str| {
        serde_json::json!({"time": at(i), "actor": "a", "action": "advance", "flag": "cards",
            "environment": "production", "from": null, "to": format!("s{i}"),
            "percentage": 10, "reason": null, "forced": false, "provider": "file",
            "outcome": outcome, "id": i.to_string()})
    };
    let mut lines = Vec::new();
    for i in 0..n {
        if i % 50 == 49 {
            lines.push(
                serde_json::json!({"time": at(i - 5), "ended": at(i), "actor": "ci",
                "action": "checklist", "checklist": "release", "outcome": "passed",
                "counts": {"passed": 3, "failed": 0, "skipped": 1}}),
            );
        } else if i % 7 == 0 {
            lines.push(
                serde_json::json!({"time": at(i), "actor": "w", "action": "watch",
                "flag": "cards", "environment": "production", "provider": "file",
                "outcome": "look"}),
            );
        } else {
            lines.push(change(i, "intent"));
            if i != n / 2 {
                lines.push(change(i, "applied"));
            }
        }
    }
    let mut text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    text.insert_str(text.find('\n').unwrap() + 1, "{damaged\n");
    text
}

#[test]
fn a_large_limit_streams_the_same_history_it_would_hold() {
    let p = Project::new().file(
        "stages.yaml",
        "flag: cards\nstages:\n  - { name: internal, percentage: 5 }\n",
    );
    p.write(".rollout/journal.jsonl", &varied_journal(700));
    // Held (limit up to 1000) and streamed (above), the same whole journal: the same output.
    for extra in [&[][..], &["--json"][..], &["-v"][..]] {
        let args = |limit: &'static str| [&["history", "--limit", limit][..], extra].concat();
        let held = p.rollout(args("1000")).run();
        let streamed = p.rollout(args("1000000")).run();
        assert_eq!(streamed.stdout, held.stdout, "{extra:?}");
        assert_eq!(streamed.stderr, held.stderr, "{extra:?}");
        assert!(held.stdout.lines().count() > 500, "{}", held.stdout);
    }
    // A longer journal: the newest 1000 are the held ones, and older ones are said to exist.
    p.write(".rollout/journal.jsonl", &varied_journal(1500));
    let held = p
        .rollout(["history", "--limit", "1000", "--json"])
        .run()
        .json();
    let streamed = p
        .rollout(["history", "--limit", "1001", "--json"])
        .run()
        .json();
    let entries = streamed["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1001);
    assert_eq!(entries[..1000], held["entries"].as_array().unwrap()[..]);
    assert_eq!(streamed["more"], true);
    assert_eq!(streamed["damaged"], held["damaged"]);
}

#[test]
fn the_whole_history_of_a_long_journal_streams_in_bounded_memory() {
    let p = Project::new().file(
        "stages.yaml",
        "flag: cards\nstages:\n  - { name: internal, percentage: 5 }\n",
    );
    // About 45 MB, 170,000 records.
    p.write(".rollout/journal.jsonl", &varied_journal(100_000));
    for args in [
        &["history", "--limit", "100000000"][..],
        &["history", "--limit", "100000000", "--json"][..],
    ] {
        if let Some((code, bytes, rss)) = crate::preview_stream::measured(&p, args) {
            eprintln!("{args:?}: {bytes} bytes out, max RSS {rss} KiB");
            assert_eq!(code, 0);
            assert!(bytes > 4_000_000, "{args:?} printed {bytes} bytes");
            assert!(rss < 48 * 1024, "{args:?} used {rss} KiB");
        }
    }
}
