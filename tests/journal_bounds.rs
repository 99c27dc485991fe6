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
