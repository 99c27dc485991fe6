//! Manual tasks on a real pseudo-terminal: the question is shown, answers are typed, and the
//! screen is read back.

use expectrl::{Eof, Regex, Session};

use crate::test::Project;

const MANUAL: &str = r"
title: Manual
tasks:
  - name: Build
    run: echo built
  - name: Check the report
    manual: Open the visual regression report and approve every change.
  - name: Tell people
    manual: Post in the release channel.
  - name: Finish
    run: echo finished
";

fn session(p: &Project, args: &[&str]) -> Session {
    session_with(p, args, &[("NO_COLOR", "1")])
}

fn session_with(p: &Project, args: &[&str], env: &[(&str, &str)]) -> Session {
    crate::pty::spawn(env!("CARGO_BIN_EXE_checklist"), p.dir.path(), args, env)
}

#[test]
fn done_and_skip_answers_are_recorded() {
    let p = Project::with_checklist("manual", MANUAL);
    let mut s = session(&p, &["run", "manual"]);
    s.expect("? Check the report [check-the-report]").unwrap();
    s.expect("approve every change.").unwrap();
    s.expect("[d]one, [n]ot done, [s]kip, [q]uit? ").unwrap();
    s.send_line("what").unwrap();
    s.expect("please answer d, n, s or q").unwrap();
    s.send_line("d").unwrap();
    s.expect("confirmed by tester@example.com").unwrap();
    s.expect("? Tell people [tell-people]").unwrap();
    s.send_line("s").unwrap();
    s.expect("skipped by tester@example.com").unwrap();
    s.expect("3 passed, 0 failed, 1 skipped").unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 0);
}

#[test]
fn not_done_fails_the_run() {
    let p = Project::with_checklist("manual", MANUAL);
    let mut s = session(&p, &["run", "manual"]);
    s.expect("[q]uit? ").unwrap();
    s.send_line("n").unwrap();
    s.expect("declined by tester@example.com: not done")
        .unwrap();
    s.expect("1 passed, 1 failed, 2 skipped").unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 1);
}

#[test]
fn quit_stops_and_resume_asks_again() {
    let p = Project::with_checklist("manual", MANUAL);
    let mut s = session(&p, &["run", "manual"]);
    s.expect("[q]uit? ").unwrap();
    s.send_line("q").unwrap();
    s.expect("1 passed, 0 failed, 2 skipped, 1 quit").unwrap();
    s.expect("checklist run manual --resume").unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 130);

    let mut s = session(&p, &["run", "manual", "--resume"]);
    s.expect("Build [build] passed in the earlier attempt")
        .unwrap();
    s.expect("? Check the report").unwrap();
    s.send_line("done").unwrap();
    s.expect("? Tell people").unwrap();
    s.send_line("d").unwrap();
    s.expect(Regex("4 passed, 0 failed, 0 skipped")).unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 0);
}

#[test]
fn a_terminal_shows_a_spinner_with_the_latest_output_line() {
    let p = Project::with_checklist(
        "slow",
        "tasks:\n  - name: Slow task\n    run: 'echo step one; sleep 1; echo step two; sleep 1'\n",
    );
    let mut s = session_with(&p, &["run", "slow"], &[]);
    // The spinner line: the task, its latest output line (dimmed) and the elapsed time.
    s.expect(Regex(r"Slow task \[slow-task\]\s+\S*step one"))
        .unwrap();
    s.expect(Regex(r"step two\S* \S*\d+s")).unwrap();
    // Colour is on for a terminal: the mark is green.
    s.expect("\u{1b}[32m✓\u{1b}[0m Slow task [slow-task] passed")
        .unwrap();
    s.expect("1 passed, 0 failed, 0 skipped").unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 0);
}

#[test]
fn ctrl_c_at_a_prompt_stops_the_run_and_resume_asks_again() {
    let p = Project::with_checklist("manual", MANUAL);
    let mut s = session(&p, &["run", "manual"]);
    s.expect("[q]uit? ").unwrap();
    s.send(expectrl::ControlCode::EndOfText).unwrap();
    s.expect("1 passed, 0 failed, 2 skipped, 1 interrupted")
        .unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 130);
    let mut s = session(&p, &["run", "manual", "--resume", "--skip-manual"]);
    s.expect("2 passed, 0 failed, 2 skipped").unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 0);
}

#[test]
fn no_color_and_dumb_terminals_get_plain_lines() {
    let p = Project::with_checklist(
        "slow",
        "tasks:\n  - name: Slow task\n    run: 'echo step one; sleep 0.5'\n",
    );
    for env in [[("NO_COLOR", "1")], [("TERM", "dumb")]] {
        let mut s = session_with(&p, &["run", "slow"], &env);
        let before = s.expect("✓ Slow task [slow-task] passed").unwrap();
        let screen = String::from_utf8_lossy(before.before()).into_owned();
        assert!(
            screen.contains("→ Slow task [slow-task] started"),
            "{env:?}: {screen:?}"
        );
        assert!(
            !screen.contains("step one"),
            "{env:?}: a spinner line was drawn: {screen:?}"
        );
        s.expect(Eof).unwrap();
        assert_eq!(crate::pty::exit_code(&mut s), 0);
    }
}
