//! Running the binaries on a real pseudo-terminal (expectrl), for prompts and terminal output.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use expectrl::Session;

/// `bin ARGS` in `dir` on a pty, as a person's terminal: TERM=xterm, no CI variables, the test
/// actor, then `env`.
pub fn spawn(bin: &str, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Session {
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .current_dir(dir)
        .env_remove("CI")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("NO_COLOR")
        .env_remove("ROLLOUT_NOW")
        .env_remove(crate::test::TEST_NOW)
        .env("ROLLOUT_ACTOR", "tester@example.com")
        .env("TERM", "xterm");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut s = Session::spawn(cmd).expect("spawn on a pty");
    s.set_expect_timeout(Some(Duration::from_secs(30)));
    s
}

/// Waits for the process and returns its exit code.
pub fn exit_code(s: &mut Session) -> i32 {
    match s.get_process_mut().wait().unwrap() {
        expectrl::WaitStatus::Exited(_, code) => code,
        other => panic!("unexpected end: {other:?}"),
    }
}
