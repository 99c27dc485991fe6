//! The shell of a `run:` task: by default bash with `-e -o pipefail`, so a task fails at its
//! first failing command or pipeline and its EXIT trap runs when the run is stopped; `shell: sh`
//! keeps `sh -c`; a template like `python3 {0}` gets the script's file; `checklist validate`
//! names a shell that is not on this machine.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use expectrl::{ControlCode, Eof};
use nix::sys::signal::Signal;

use crate::checklist_support::{closing, closing_line};
use crate::test::Project;

const FAILING: &str = r"
tasks:
  - name: First line fails
    run: |
      false
      echo done
  - name: Pipe fails
    run: false | cat
";

#[test]
fn a_task_fails_at_its_first_failing_command_or_pipeline() {
    let p = Project::with_checklist("failing", FAILING);
    for (id, name) in [
        ("first-line-fails", "First line fails"),
        ("pipe-fails", "Pipe fails"),
    ] {
        let done = p
            .checklist(["run", "failing", "--only", id])
            .status(1)
            .stderr_has(&format!("✗ {name} [{id}] failed after"))
            .stderr_has(": exit 1")
            .run();
        assert_eq!(closing(&done.stdout), (0, 1, 1), "{}", done.stdout);
        assert!(!done.stderr.contains("│ done"), "{}", done.stderr);
    }
}

#[test]
fn shell_sh_keeps_the_last_command_deciding() {
    let p = Project::with_checklist("failing", &format!("shell: sh{FAILING}"));
    let done = p
        .checklist(["run", "failing"])
        .stderr_has("✓ First line fails [first-line-fails] passed")
        .stderr_has("✓ Pipe fails [pipe-fails] passed")
        .run();
    assert_eq!(closing(&done.stdout), (2, 0, 0));
    // A task's own `shell:` wins over the checklist's.
    let p = Project::with_checklist(
        "mixed",
        "shell: sh\ntasks:\n  - { name: Strict, run: 'false | cat', shell: bash }\n",
    );
    p.checklist(["run", "mixed"])
        .status(1)
        .stderr_has("✗ Strict [strict] failed")
        .run();
}

#[test]
fn without_bash_the_default_is_sh_e() {
    // A PATH with sh and cat only: no bash to find.
    let p = Project::with_checklist("failing", FAILING);
    let bin = p.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["sh", "cat"] {
        let found = ["/usr/bin", "/bin"]
            .iter()
            .map(|d| std::path::Path::new(d).join(tool))
            .find(|p| p.exists())
            .unwrap();
        std::os::unix::fs::symlink(found, bin.join(tool)).unwrap();
    }
    let path = bin.to_string_lossy().into_owned();
    // sh -e stops at the failing first line; with no pipefail, `false | cat` passes.
    p.checklist(["run", "failing", "--only", "first-line-fails"])
        .env("PATH", &path)
        .status(1)
        .stderr_has("✗ First line fails [first-line-fails] failed")
        .run();
    p.checklist(["run", "failing", "--only", "pipe-fails"])
        .env("PATH", &path)
        .stderr_has("✓ Pipe fails [pipe-fails] passed")
        .run();
}

#[test]
fn a_template_shell_runs_the_script_from_a_file() {
    let p = Project::with_checklist(
        "py",
        "tasks:\n  - name: Python\n    shell: python3 -u {0}\n    run: |\n      import sys\n      print('script at', sys.argv[0].split('/')[-1][:17])\n      sys.exit(3 if len(sys.argv) > 1 else 0)\n",
    );
    p.checklist(["run", "py", "-v"])
        .stderr_has("│ script at checklist-script-")
        .stderr_has("✓ Python [python] passed")
        .run();
    p.checklist(["show", "py"])
        .stdout_has("shell python3 -u {0}")
        .run();
}

#[test]
fn validate_names_a_task_whose_shell_is_not_on_this_machine() {
    let p = Project::with_checklist(
        "odd",
        "tasks:\n  - name: Fine\n    run: 'true'\n  - name: Nowhere\n    shell: no-such-shell-here {0}\n    run: 'true'\n",
    );
    p.checklist(["validate"])
        .status(2)
        .stderr_has("checklists/odd.yaml:5:12: task `Nowhere` runs under `shell: no-such-shell-here {0}`, and `no-such-shell-here` is not on this machine")
        .stderr_has("help: install `no-such-shell-here`")
        .run();
    p.rollout(["validate"])
        .status(2)
        .stderr_has("`Nowhere`")
        .run();
}

/// A task that prints and creates `cleaned` in its EXIT trap, then waits for a command that
/// writes `ready` itself (so the signal never comes before the shell is waiting for it); under
/// the default shell an EXIT trap is enough.
const TRAP_BASH: &str = r"
tasks:
  - name: Services
    run: |
      trap 'echo bye; sleep 0.2; echo cleaned up; touch cleaned' EXIT
      sh -c 'echo ready > ready; exec sleep 30'
  - name: After
    run: echo after
";

/// The same under `shell: sh`: sh runs no EXIT trap when a signal ends it, so INT and TERM are
/// trapped to exit, which runs the EXIT trap.
const TRAP_SH: &str = r"
shell: sh
tasks:
  - name: Services
    run: |
      trap 'echo bye; sleep 0.2; echo cleaned up; touch cleaned' EXIT
      trap 'exit 130' INT
      trap 'exit 143' TERM
      sh -c 'echo ready > ready; exec sleep 30'
  - name: After
    run: echo after
";

fn wait_ready(p: &Project) {
    let start = Instant::now();
    while !p.exists("ready") {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the task never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What a stopped run printed: the trap ran to its end, once, and the run was interrupted.
fn assert_cleaned(p: &Project, output: &str, why: &str) {
    assert!(
        p.exists("cleaned"),
        "the EXIT trap did not finish:\n{output}"
    );
    assert_eq!(output.matches("│ bye").count(), 1, "{output}");
    assert!(output.contains("│ cleaned up"), "{output}");
    assert!(
        output.contains("Services [services] interrupted after"),
        "{output}"
    );
    assert!(output.contains(&format!("stopped by {why}")), "{output}");
    assert!(!output.contains("│ after"), "{output}");
}

fn trap_without_terminal(yaml: &str, signal: Signal) {
    let p = Project::with_checklist("trap", yaml);
    let child = Command::new(env!("CARGO_BIN_EXE_checklist"))
        .args(["run", "trap"])
        .current_dir(p.dir.path())
        .env_remove("CI")
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1")
        .env("ROLLOUT_ACTOR", "tester@example.com")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_ready(&p);
    crate::test::send_signal(child.id(), signal);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stdout}\n{stderr}");
    let why = if signal == Signal::SIGINT {
        "Ctrl-C"
    } else {
        "SIGTERM"
    };
    assert_cleaned(&p, &stderr, why);
    assert_eq!(
        closing_line(&stdout),
        "0 passed, 0 failed, 1 skipped, 1 interrupted"
    );
}

/// On a terminal: Ctrl-C is typed (the terminal sends SIGINT to the runner), SIGTERM is sent.
fn trap_on_a_terminal(yaml: &str, signal: Signal) {
    let p = Project::with_checklist("trap", yaml);
    let mut s = crate::pty::spawn(
        env!("CARGO_BIN_EXE_checklist"),
        p.dir.path(),
        &["run", "trap"],
        &[("NO_COLOR", "1")],
    );
    wait_ready(&p);
    let why = if signal == Signal::SIGINT {
        s.send(ControlCode::EndOfText).unwrap();
        "Ctrl-C"
    } else {
        let pid = u32::try_from(s.get_process().pid().as_raw()).unwrap();
        crate::test::send_signal(pid, signal);
        "SIGTERM"
    };
    let rest = s.expect(Eof).unwrap();
    let screen = String::from_utf8_lossy(rest.get(0).unwrap_or_default()).replace('\r', "");
    assert_eq!(crate::pty::exit_code(&mut s), 130, "{screen}");
    assert_cleaned(&p, &screen, why);
}

#[test]
fn an_exit_trap_runs_to_its_end_after_ctrl_c_without_a_terminal() {
    trap_without_terminal(TRAP_BASH, Signal::SIGINT);
    trap_without_terminal(TRAP_SH, Signal::SIGINT);
}

#[test]
fn an_exit_trap_runs_to_its_end_after_sigterm_without_a_terminal() {
    trap_without_terminal(TRAP_BASH, Signal::SIGTERM);
    trap_without_terminal(TRAP_SH, Signal::SIGTERM);
}

#[test]
fn an_exit_trap_runs_to_its_end_after_ctrl_c_on_a_terminal() {
    trap_on_a_terminal(TRAP_BASH, Signal::SIGINT);
    trap_on_a_terminal(TRAP_SH, Signal::SIGINT);
}

#[test]
fn an_exit_trap_runs_to_its_end_after_sigterm_on_a_terminal() {
    trap_on_a_terminal(TRAP_BASH, Signal::SIGTERM);
    trap_on_a_terminal(TRAP_SH, Signal::SIGTERM);
}
