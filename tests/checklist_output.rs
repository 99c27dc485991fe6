//! A task's output: in the order it was written across stdout and stderr, in its log while it
//! runs, bounded in memory and on disk, and still read while an interrupted task cleans up.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::checklist_support::closing_line;
use crate::test::Project;

/// The checklist binary in `p`, with stdout and stderr piped, as CI would run it.
fn spawn(p: &Project, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_checklist"))
        .args(args)
        .current_dir(p.dir.path())
        .env_remove("CI")
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1")
        .env("ROLLOUT_ACTOR", "tester@example.com")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_until(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The logs of the project's runs whose path ends with `suffix`.
fn logs(p: &Project, suffix: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let root = p.path(".rollout/checklists");
    for run in std::fs::read_dir(root).into_iter().flatten().flatten() {
        for list in std::fs::read_dir(run.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            for f in std::fs::read_dir(list.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                if f.path().to_string_lossy().ends_with(suffix) {
                    found.push(f.path());
                }
            }
        }
    }
    found
}

#[test]
fn a_cleanup_trap_that_prints_runs_to_the_end_after_ctrl_c() {
    // The sleep starts before the trap is set, so that its subshell (forked, maybe not yet
    // running sleep when the signal comes) never runs the trap a second time.
    let p = Project::with_checklist(
        "trap",
        r#"
tasks:
  - name: Services
    run: |
      bash -c 'sleep 30 & trap "echo bye >&2; sleep 0.3; echo stopped the services; touch done" EXIT; echo ready > ready; wait'
  - name: After
    run: echo after
"#,
    );
    let child = spawn(&p, &["run", "trap"]);
    wait_until("the task started", Duration::from_secs(30), || {
        p.exists("ready")
    });
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stdout}\n{stderr}");
    assert!(p.exists("done"), "the trap did not finish:\n{stderr}");
    // Its lines, printed while it was being stopped, reach the failure report and the log.
    assert!(
        stderr.contains("  │ bye\n  │ stopped the services\n"),
        "{stderr}"
    );
    let log = logs(&p, "trap/services.log");
    assert_eq!(
        std::fs::read_to_string(&log[0]).unwrap(),
        "bye\nstopped the services\n"
    );
    assert!(
        stderr.contains("✗ Services [services] interrupted after"),
        "{stderr}"
    );
    assert!(stderr.contains(": stopped by Ctrl-C"), "{stderr}");
    assert_eq!(
        closing_line(&stdout),
        "0 passed, 0 failed, 1 skipped, 1 interrupted"
    );
}

#[test]
fn stdout_and_stderr_keep_their_order_in_the_log_and_the_tail() {
    let p = Project::with_checklist(
        "order",
        "tasks:\n  - name: Both\n    run: |\n      i=0\n      while [ $i -lt 50 ]; do echo \"out $i\"; echo \"err $i\" >&2; i=$((i+1)); done\n      exit 1\n",
    );
    let done = p.checklist(["run", "order"]).status(1).run();
    let expected: String = (0..50).map(|i| format!("out {i}\nerr {i}\n")).collect();
    let log = logs(&p, "order/both.log");
    assert_eq!(std::fs::read_to_string(&log[0]).unwrap(), expected);
    let tail: String = (40..50)
        .map(|i| format!("  │ out {i}\n  │ err {i}\n"))
        .collect();
    assert!(
        done.stderr
            .contains(&format!("its last 20 lines of output:\n{tail}")),
        "{}",
        done.stderr
    );
}

#[test]
fn a_log_grows_while_its_task_runs_and_silent_tasks_leave_none() {
    let p = Project::with_checklist(
        "slow",
        "tasks:\n  - name: Quiet\n    run: 'true'\n  - name: Slow\n    run: |\n      echo first line\n      while [ ! -f go ]; do sleep 0.05; done\n      echo second line\n",
    );
    let child = spawn(&p, &["run", "slow"]);
    // The first line is in the log while the task still waits.
    wait_until("the first line in the log", Duration::from_secs(30), || {
        logs(&p, "slow/slow.log")
            .first()
            .is_some_and(|l| std::fs::read_to_string(l).unwrap_or_default() == "first line\n")
    });
    p.write("go", "");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let log = logs(&p, "slow/slow.log");
    assert_eq!(
        std::fs::read_to_string(&log[0]).unwrap(),
        "first line\nsecond line\n"
    );
    assert_eq!(logs(&p, "slow/quiet.log"), Vec::<PathBuf>::new());
}

/// The most memory (peak resident set) a run may use while a task prints one 100 MB line: the
/// runner keeps at most `LINE_MAX` (64 KiB) of a line (docs/checklist.md, "Output").
const MEMORY_BOUND_KB: u64 = 32 * 1024;

/// `VmHWM` (the peak resident set) of process `pid`, in KiB.
fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn a_100_mb_line_stays_under_the_memory_bound_and_is_cut_everywhere() {
    let p = Project::with_checklist(
        "big",
        "tasks:\n  - name: Big\n    run: |\n      head -c 100000000 /dev/zero | tr '\\0' x; echo; echo after\n      while [ ! -f go ]; do sleep 0.05; done\n      exit 3\n",
    );
    let child = spawn(&p, &["run", "big"]);
    // Once the line is through (the log has the next one), the runner's peak is measured while
    // it still runs: the task waits for `go`.
    wait_until(
        "the line after the big one",
        Duration::from_secs(60),
        || {
            logs(&p, "big/big.log").first().is_some_and(|l| {
                std::fs::read_to_string(l)
                    .unwrap_or_default()
                    .ends_with("after\n")
            })
        },
    );
    let peak = peak_rss_kb(child.id());
    p.write("go", "");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        peak < MEMORY_BOUND_KB,
        "peak memory {peak} KiB, over the bound of {MEMORY_BOUND_KB} KiB"
    );
    let log = std::fs::read_to_string(&logs(&p, "big/big.log")[0]).unwrap();
    let cut = format!(
        "{} … [line cut at 64 KiB; {} more bytes not kept]\nafter\n",
        "x".repeat(65536),
        100_000_000 - 65536
    );
    assert_eq!(log, cut);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("  │ xxxxxxxxxx"), "{stderr}");
    let state = p
        .snapshot()
        .into_iter()
        .find(|(path, _)| path.ends_with("state.json"))
        .unwrap()
        .1;
    assert!(
        state.len() < 8 * 1024,
        "state.json is {} bytes",
        state.len()
    );
}
