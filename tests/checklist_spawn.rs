//! How a `run:` task's shell is started: with the signal dispositions a child of the runner's
//! caller would have, and cheaply (no reset of every signal in each child).

use std::process::Command;

use crate::test::Project;

fn many_true(n: usize) -> String {
    let mut yaml = String::from("title: many\ntasks:\n");
    for i in 1..=n {
        yaml.push_str(&format!("  - {{ name: t{i}, run: 'true' }}\n"));
    }
    yaml
}

/// The `SigIgn` and `SigCgt` masks of /proc/self/status in `text`.
fn masks(text: &str) -> (u64, u64) {
    let mask = |name: &str| {
        let line = text
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} in {text}"));
        u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap()
    };
    (mask("SigIgn:"), mask("SigCgt:"))
}

#[test]
fn a_task_gets_default_signals_but_keeps_what_the_caller_ignored() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("skipped: no /proc");
        return;
    }
    let p = Project::with_checklist(
        "sig",
        "title: sig\ntasks:\n  - { name: look, run: 'cat /proc/self/status > sig.txt' }\n",
    );
    // The runner catches SIGINT and SIGTERM and ignores SIGPIPE; its caller ignores SIGHUP
    // (as `nohup` does).
    let out = Command::new("sh")
        .arg("-c")
        .arg("trap '' HUP; exec \"$0\" run sig -q")
        .arg(env!("CARGO_BIN_EXE_checklist"))
        .current_dir(p.dir.path())
        .env("ROLLOUT_ACTOR", "tester@example.com")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let (ignored, caught) = masks(&p.read("sig.txt"));
    let bit = |sig: i32| 1u64 << (sig - 1);
    assert_eq!(caught, 0, "no handler survives exec");
    assert_ne!(
        ignored & bit(libc_sig::HUP),
        0,
        "SIGHUP stays ignored: {ignored:x}"
    );
    assert_eq!(
        ignored & bit(libc_sig::PIPE),
        0,
        "SIGPIPE is default: {ignored:x}"
    );
    assert_eq!(
        ignored & bit(libc_sig::INT),
        0,
        "SIGINT is default: {ignored:x}"
    );
    assert_eq!(
        ignored & bit(libc_sig::TERM),
        0,
        "SIGTERM is default: {ignored:x}"
    );
}

/// Signal numbers (Linux).
mod libc_sig {
    pub const HUP: i32 = 1;
    pub const INT: i32 = 2;
    pub const PIPE: i32 = 13;
    pub const TERM: i32 = 15;
}

#[test]
fn starting_a_task_does_not_reset_every_signal() {
    if Command::new("strace").arg("-V").output().is_err() {
        eprintln!("skipped: strace is not installed");
        return;
    }
    let n = 20;
    let p = Project::with_checklist("many", &many_true(n));
    let trace = p.path("trace.txt");
    let out = Command::new("strace")
        .args(["-f", "-c", "-e", "trace=rt_sigaction", "-o"])
        .arg(&trace)
        .arg(env!("CARGO_BIN_EXE_checklist"))
        .args(["run", "many", "-q"])
        .current_dir(p.dir.path())
        .env("ROLLOUT_ACTOR", "tester@example.com")
        .output()
        .unwrap();
    if !out.status.success() {
        // ptrace not allowed here (a container without CAP_SYS_PTRACE).
        eprintln!(
            "skipped: strace failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    let text = std::fs::read_to_string(&trace).unwrap();
    let calls: usize = text
        .lines()
        .find(|l| l.trim_end().ends_with("rt_sigaction"))
        .and_then(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.get(3).and_then(|c| c.parse().ok())
        })
        .unwrap_or_else(|| panic!("no rt_sigaction count in:\n{text}"));
    // glibc's posix_spawn makes 128 per child (two for each of the 64 signals); the runner's own
    // spawn reads the 31 standard ones and resets the few it catches, and sh sets a few.
    assert!(
        calls < n * 64,
        "{calls} rt_sigaction calls for {n} tasks:\n{text}"
    );
}
