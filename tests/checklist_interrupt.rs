//! Ctrl-C (SIGINT) and SIGTERM stop a running checklist: every process of the running task's
//! group goes, the run is recorded as interrupted, the exit is 130, and `--resume` finishes it.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use crate::checklist_support::{closing, closing_line};
use crate::test::Project;

/// The live (not zombie) processes of process group `pgid`, from /proc.
pub fn live_members(pgid: i32) -> Vec<i32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        let rest = &stat[stat.rfind(')').unwrap() + 1..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields[2].parse::<i32>() == Ok(pgid) && !matches!(fields[0], "Z" | "X") {
            out.push(pid);
        }
    }
    out
}

fn wait_for(path: &Path, limit: Duration) {
    let start = Instant::now();
    while !path.exists() {
        assert!(start.elapsed() < limit, "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `checklist run NAME` in `p` (no CI variables, then `env`), once its task has written `ready`:
/// the child, and the process group its task wrote to `pgid`.
fn run_until_ready(p: &Project, name: &str, env: &[(&str, &str)]) -> (Child, i32) {
    let child = Command::new(env!("CARGO_BIN_EXE_checklist"))
        .args(["run", name])
        .current_dir(p.dir.path())
        .env_remove("CI")
        .env_remove("GITHUB_ACTIONS")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&p.path("ready"), Duration::from_secs(30));
    let pgid: i32 = p.read("pgid").trim().parse().unwrap();
    (child, pgid)
}

const SPAWNS: &str = r#"
title: Spawns children
tasks:
  - name: First
    run: echo first >> first.count
  - name: Spawner
    run: |
      if [ -f resumed ]; then echo quick this time; exit 0; fi
      echo $$ > pgid
      (sleep 300; echo never) &
      sh -c 'sleep 300' &
      echo ready > ready
      wait
  - name: Last
    run: echo last
"#;

fn interrupt_with(signal: Signal) {
    let p = Project::with_checklist("spawns", SPAWNS);
    let (child, pgid) = run_until_ready(&p, "spawns", &[("ROLLOUT_ACTOR", "tester@example.com")]);
    assert!(
        live_members(pgid).len() >= 3,
        "the task's children are not running"
    );
    crate::test::send_signal(child.id(), signal);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(130),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert_eq!(
        closing_line(&stdout),
        "1 passed, 0 failed, 1 skipped, 1 interrupted"
    );
    let named = if signal == Signal::SIGTERM {
        "stopped by SIGTERM"
    } else {
        "stopped by Ctrl-C"
    };
    assert!(
        stderr.contains("Spawner [spawner] interrupted after"),
        "{stderr}"
    );
    assert!(stderr.contains(named), "{stderr}");
    assert!(stderr.contains("checklist run spawns --resume"), "{stderr}");
    assert_eq!(
        live_members(pgid),
        Vec::<i32>::new(),
        "processes of the interrupted task survived"
    );

    // The run is recorded as interrupted: in its state and in the journal.
    let state = p
        .snapshot()
        .into_iter()
        .find(|(path, _)| path.ends_with("state.json"))
        .map(|(_, bytes)| String::from_utf8(bytes).unwrap())
        .unwrap();
    assert!(state.contains("\"status\":\"interrupted\""), "{state}");
    let history = p.rollout(["history"]).run();
    assert!(
        history
            .stdout
            .contains("checklist spawns: interrupted (1 passed, 0 failed, 1 skipped)"),
        "{}",
        history.stdout
    );

    // --resume continues after the last passed task: First is not run again.
    p.write("resumed", "");
    let done = p
        .checklist(["run", "spawns", "--resume"])
        .stderr_has("resuming checklist spawns")
        .stderr_has("First [first] passed in the earlier attempt")
        .stderr_has("✓ Spawner [spawner] passed")
        .stderr_has("✓ Last [last] passed")
        .run();
    assert_eq!(closing(&done.stdout), (3, 0, 0));
    assert_eq!(p.read("first.count"), "first\n");
    // Nothing is left to resume.
    p.checklist(["run", "spawns", "--resume"])
        .status(2)
        .stderr_has("no unfinished run")
        .run();
}

#[test]
fn ctrl_c_kills_the_task_group_records_the_run_and_resume_finishes_it() {
    interrupt_with(Signal::SIGINT);
}

#[test]
fn sigterm_is_handled_like_ctrl_c() {
    interrupt_with(Signal::SIGTERM);
}

#[test]
fn resume_after_a_failure_reruns_the_failed_task() {
    let p = Project::with_checklist(
        "fix",
        "tasks:\n  - {name: a, run: 'echo a >> a.count'}\n  - {name: b, run: 'test -f fixed'}\n  - {name: c, run: 'true'}\n",
    );
    p.checklist(["run", "fix"]).status(1).run();
    p.checklist(["run", "fix", "--resume", "--only", "c"])
        .status(2)
        .stderr_has("takes no --only")
        .run();
    p.write("fixed", "");
    let done = p.checklist(["run", "fix", "--resume"]).run();
    assert_eq!(closing(&done.stdout), (3, 0, 0));
    assert_eq!(p.read("a.count"), "a\n");
}

#[test]
fn a_second_ctrl_c_kills_a_task_that_ignores_sigterm_at_once() {
    let p = Project::with_checklist(
        "stubborn",
        "tasks:\n  - name: Stubborn\n    run: |\n      trap '' TERM\n      echo $$ > pgid\n      sleep 300 &\n      echo ready > ready\n      wait\n",
    );
    let (child, pgid) = run_until_ready(&p, "stubborn", &[]);
    let pid = child.id();
    let started = Instant::now();
    crate::test::send_signal(pid, Signal::SIGINT);
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        !live_members(pgid).is_empty(),
        "SIGTERM should be ignored by this task"
    );
    crate::test::send_signal(pid, Signal::SIGINT);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the second Ctrl-C did not hurry: {:?}",
        started.elapsed()
    );
    assert_eq!(live_members(pgid), Vec::<i32>::new());
}
