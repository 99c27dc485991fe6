//! `scripts/with-unleash` (what `scripts/test` runs the suite under): each run gets a service of
//! its own, stops only what it started, and stops it on Ctrl-C even with its output piped to a
//! reader that is gone. The real unleash-up / unleash-down are stood in for by two small scripts
//! that start and stop a `sleep` as "the server", so that this takes a second, not minutes.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::test::Project;

const UP: &str = r#"#!/bin/sh
set -e
mkdir -p "$ROLLOUT_UNLEASH_STATE"
setsid sleep 300 </dev/null >/dev/null 2>&1 &
echo $! > "$ROLLOUT_UNLEASH_STATE/unleash.pid"
echo "export UNLEASH_URL=http://127.0.0.1:$$"
"#;

const DOWN: &str = r#"#!/bin/sh
kill "$(cat "$ROLLOUT_UNLEASH_STATE/unleash.pid")"
echo "stand-in unleash-down: stopped" >&2
if [ "${1:-}" = --purge ]; then rm -rf "$ROLLOUT_UNLEASH_STATE"; fi
"#;

fn stand_ins(p: &Project) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    for (name, text) in [("up", UP), ("down", DOWN)] {
        p.write(name, text);
        std::fs::set_permissions(p.path(name), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    (p.path("up"), p.path("down"))
}

fn with_unleash(p: &Project, script: &str, out: Stdio) -> Child {
    let (up, down) = stand_ins(p);
    Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/with-unleash"))
        .args(["sh", "-c", script])
        .current_dir(p.dir.path())
        .env_remove("ROLLOUT_UNLEASH_STATE")
        .env_remove("ROLLOUT_KEEP_UNLEASH")
        .env("ROLLOUT_UNLEASH_UP", up)
        .env("ROLLOUT_UNLEASH_DOWN", down)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(out)
        // Its own process group, as a terminal's foreground job: Ctrl-C goes to all of it.
        .process_group(0)
        .spawn()
        .unwrap()
}

fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{what}: not in 30s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn alive(pid: i32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rfind(')')
        .and_then(|i| stat[i + 1..].split_whitespace().next());
    matches!(state, Some(s) if s != "Z" && s != "X")
}

/// What a run wrote to `out-NAME`: its state dir and its server's pid.
fn started(p: &Project, name: &str) -> (PathBuf, i32) {
    let file = format!("out-{name}");
    wait_until("the command started", || !p.read_opt(&file).is_empty());
    let state = PathBuf::from(p.read(&file).trim());
    let pid = std::fs::read_to_string(state.join("unleash.pid")).unwrap();
    (state, pid.trim().parse().unwrap())
}

#[test]
fn two_runs_side_by_side_each_have_and_stop_their_own_server() {
    let p = Project::new();
    let run = |name: &str| {
        with_unleash(
            &p,
            &format!("echo \"$ROLLOUT_UNLEASH_STATE\" > out-{name}; while [ ! -f go-{name} ]; do sleep 0.05; done"),
            Stdio::null(),
        )
    };
    let mut a = run("a");
    let mut b = run("b");
    let (state_a, server_a) = started(&p, "a");
    let (state_b, server_b) = started(&p, "b");
    assert_ne!(state_a, state_b, "the two runs share a state directory");
    assert!(alive(server_a) && alive(server_b));
    // The first to finish stops its own server, and only that.
    p.write("go-a", "");
    assert!(a.wait().unwrap().success());
    // Stopped by the run's own cleanup; a signalled process may take a moment to go.
    wait_until("the first run's server to stop", || !alive(server_a));
    assert!(!state_a.exists(), "the first run's state was kept");
    assert!(
        alive(server_b),
        "the first run stopped the second one's server"
    );
    assert!(state_b.exists());
    p.write("go-b", "");
    assert!(b.wait().unwrap().success());
    wait_until("the second run's server to stop", || !alive(server_b));
    assert!(!state_b.exists());
}

#[test]
fn ctrl_c_with_the_output_piped_to_a_reader_that_is_gone_still_stops_the_server() {
    let p = Project::new();
    let mut child = with_unleash(
        &p,
        "echo \"$ROLLOUT_UNLEASH_STATE\" > out-c; echo working >&2; sleep 30",
        Stdio::piped(),
    );
    let (state, server) = started(&p, "c");
    // The reader goes (as `| grep` does on Ctrl-C): every later write to the pipe fails.
    drop(child.stderr.take());
    let pgid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
    nix::sys::signal::killpg(pgid, nix::sys::signal::Signal::SIGINT).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    wait_until("the server stopped", || !alive(server));
    assert!(!state.exists(), "its state was kept");
}
