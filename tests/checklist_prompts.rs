//! Questions on a real pseudo-terminal, interrupted: Ctrl-C at a `rollout` confirmation exits 130
//! and Ctrl-D declines; Ctrl-C at a manual task's prompt leaves a clean screen and names what
//! happened.

use expectrl::{ControlCode, Eof};

use crate::test::Project;

const AT: &str = "2024-02-08T09:00:00Z";

#[test]
fn ctrl_c_at_a_confirmation_exits_130_and_ctrl_d_declines() {
    let p = Project::builder_cards_at_expanded();
    let before = p.snapshot();
    let env = [(crate::test::TEST_NOW, AT), ("NO_COLOR", "1")];
    let bin = env!("CARGO_BIN_EXE_rollout");
    let mut s = crate::pty::spawn(bin, p.dir.path(), &["advance", "full"], &env);
    s.expect("for everyone? [y/N] ").unwrap();
    s.send(ControlCode::EndOfText).unwrap();
    s.expect("stopped by Ctrl-C at the confirmation; nothing was changed")
        .unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 130);
    assert_eq!(before, p.snapshot());

    let mut s = crate::pty::spawn(bin, p.dir.path(), &["advance", "full"], &env);
    s.expect("for everyone? [y/N] ").unwrap();
    s.send(ControlCode::EndOfTransmission).unwrap();
    s.expect("not confirmed (end of input); nothing was changed")
        .unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 1);
    assert_eq!(before, p.snapshot());
}

#[test]
fn ctrl_c_at_a_manual_prompt_keeps_the_screen_clean() {
    let p = Project::with_checklist(
        "ask",
        "tasks:\n  - name: Build\n    run: echo built\n  - name: Approve\n    manual: Approve it.\n  - name: Ship\n    run: echo shipped\n",
    );
    let mut s = crate::pty::spawn(
        env!("CARGO_BIN_EXE_checklist"),
        p.dir.path(),
        &["run", "ask"],
        &[("NO_COLOR", "1")],
    );
    s.expect("[d]one, [n]ot done, [s]kip, [q]uit? ").unwrap();
    s.send(ControlCode::EndOfText).unwrap();
    let rest = s.expect(Eof).unwrap();
    let screen = String::from_utf8_lossy(rest.get(0).unwrap_or_default()).into_owned();
    assert_eq!(crate::pty::exit_code(&mut s), 130);
    // Every line still ends with CR LF (the terminal stayed in its normal mode), and the lines
    // after the prompt start at the left edge.
    let expected = "\r\n\
        Ctrl-C: stopping the running tasks (up to 10s for their cleanup; Ctrl-C again stops them at once)\r\n\
        ✗ Approve [approve] interrupted after 0.0s: stopped by Ctrl-C at its prompt; `--resume` asks again\r\n\
        1 passed, 0 failed, 1 skipped, 1 interrupted\r\n\
        stopped; to continue: checklist run ask --resume\r\n";
    let screen = screen.replace(|c: char| c.is_ascii_digit(), "0");
    let expected = expected.replace(|c: char| c.is_ascii_digit(), "0");
    assert_eq!(screen, expected);
}

#[test]
fn ctrl_c_at_a_rollout_tasks_confirmation_stops_the_run() {
    let p = Project::builder_cards_at_expanded().file(
        "checklists/ship.yaml",
        "tasks:\n  - name: Go full\n    rollout: advance full\n  - name: After\n    run: touch after-ran\n",
    );
    let before = p.snapshot();
    let mut s = crate::pty::spawn(
        env!("CARGO_BIN_EXE_checklist"),
        p.dir.path(),
        &["run", "ship"],
        &[(crate::test::TEST_NOW, AT), ("NO_COLOR", "1")],
    );
    s.expect("for everyone? [y/N] ").unwrap();
    s.send(ControlCode::EndOfText).unwrap();
    s.expect("✗ Go full [go-full] interrupted after").unwrap();
    s.expect("stopped by Ctrl-C at the confirmation; nothing was changed")
        .unwrap();
    s.expect("0 passed, 0 failed, 1 skipped, 1 interrupted")
        .unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 130);
    assert!(!p.exists("after-ran"));
    // The flag is where it was: only the run's own state and journal record were added.
    let flags = |snap: &[(std::path::PathBuf, Vec<u8>)]| {
        snap.iter()
            .find(|(path, _)| path.ends_with("flags.json"))
            .map(|(_, b)| b.clone())
    };
    assert_eq!(flags(&before), flags(&p.snapshot()));
}

#[test]
fn a_manual_prompt_takes_one_key_without_enter() {
    let p = Project::with_checklist(
        "keys",
        "tasks:\n  - name: Approve\n    manual: Approve it.\n  - name: Check\n    manual: Check it.\n  - name: Ship\n    run: echo shipped\n",
    );
    let mut s = crate::pty::spawn(
        env!("CARGO_BIN_EXE_checklist"),
        p.dir.path(),
        &["run", "keys"],
        &[("NO_COLOR", "1")],
    );
    // Without Enter the old line prompt never answers: fail in seconds, not at the 30 s limit.
    s.set_expect_timeout(Some(std::time::Duration::from_secs(10)));
    s.expect("[d]one, [n]ot done, [s]kip, [q]uit? ").unwrap();
    // `d` answers; the rest of the word, typed at a person's pace, is not an answer to the next
    // question (its `n` would decline it).
    s.send("d").unwrap();
    for key in ["o", "n", "e", "\r"] {
        std::thread::sleep(std::time::Duration::from_millis(100));
        s.send(key).unwrap();
    }
    s.expect("done\r\n").unwrap();
    s.expect("? Check [check]").unwrap();
    s.expect("[d]one, [n]ot done, [s]kip, [q]uit? ").unwrap();
    // A key that is no answer asks again; Enter alone is passed over.
    s.send("x").unwrap();
    s.expect("please answer d, n, s or q").unwrap();
    s.expect("[d]one, [n]ot done, [s]kip, [q]uit? ").unwrap();
    s.send("\rS").unwrap();
    s.expect("skip\r\n").unwrap();
    let rest = s.expect(Eof).unwrap();
    let screen = String::from_utf8_lossy(rest.get(0).unwrap_or_default()).into_owned();
    assert_eq!(crate::pty::exit_code(&mut s), 0);
    assert!(
        screen.contains("2 passed, 0 failed, 1 skipped\r\n"),
        "{screen}"
    );
}
