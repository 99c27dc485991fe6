//! Commands that change nothing start no child process: the actor (`git config user.email`) is
//! only looked up when a change is recorded.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::test::Project;

/// A directory holding a `git` that records each call in `calls` and answers like git would.
fn fake_git(p: &Project) -> (String, PathBuf) {
    let bin = p.path("fakebin");
    std::fs::create_dir_all(&bin).unwrap();
    let calls = p.path("git-calls");
    let script = bin.join("git");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"git $*\" >> '{}'\necho dana@example.com\n",
            calls.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    (path, calls)
}

const READ_ONLY: [&[&str]; 7] = [
    &["status"],
    &["plan"],
    &["check", "user-1"],
    &["preview", "--users", "ids.txt"],
    &["preview", "beta", "--users", "ids.txt", "--json"],
    &["history"],
    &["validate"],
];

#[test]
fn read_only_commands_do_not_ask_git_for_the_actor() {
    let p = Project::builder_cards().file("ids.txt", "user-1\nuser-2\n");
    let (path, calls) = fake_git(&p);
    p.rollout(["advance", "internal"])
        .at("2024-01-15T09:00:00Z")
        .run();
    for args in READ_ONLY {
        p.rollout(args)
            .at("2024-01-16T09:00:00Z")
            .env("ROLLOUT_ACTOR", "")
            .env("PATH", &path)
            .run();
        assert!(
            !calls.exists(),
            "{args:?} ran: {}",
            std::fs::read_to_string(&calls).unwrap()
        );
    }
    // The same fake is found by a command that records a change, which does need the actor.
    p.rollout(["advance", "beta"])
        .at("2024-01-18T09:00:00Z")
        .env("ROLLOUT_ACTOR", "")
        .env("PATH", &path)
        .run();
    assert_eq!(
        std::fs::read_to_string(&calls).unwrap(),
        "git config user.email\n"
    );
    assert!(p
        .read(".rollout/journal.jsonl")
        .contains(r#""actor":"dana@example.com""#));
}

#[test]
fn read_only_commands_exec_nothing_under_strace() {
    if !Path::new("/usr/bin/strace").exists() {
        eprintln!("strace is missing: checked by the fake git test only");
        return;
    }
    let p = Project::builder_cards().file("ids.txt", "user-1\nuser-2\n");
    p.rollout(["advance", "internal"])
        .at("2024-01-15T09:00:00Z")
        .run();
    for args in READ_ONLY {
        let log = p.path("strace.log");
        let out = std::process::Command::new("/usr/bin/strace")
            .args(["-f", "-qq", "-e", "trace=execve,vfork,fork", "-o"])
            .arg(&log)
            .arg(env!("CARGO_BIN_EXE_rollout"))
            .args(args)
            .current_dir(p.dir.path())
            .env_remove("ROLLOUT_ACTOR")
            .env("ROLLOUT_NOW", "2024-01-16T09:00:00Z")
            .output()
            .unwrap();
        let trace = std::fs::read_to_string(&log).unwrap_or_default();
        if !out.status.success() && trace.is_empty() {
            eprintln!(
                "strace cannot trace here: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            return;
        }
        assert!(out.status.success(), "{args:?}: {out:?}");
        let execs: Vec<&str> = trace.lines().filter(|l| l.contains("execve(")).collect();
        assert_eq!(execs.len(), 1, "{args:?} started a process:\n{trace}");
        assert!(!trace.contains("fork("), "{args:?} forked:\n{trace}");
    }
}
