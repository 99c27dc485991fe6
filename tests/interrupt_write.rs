//! Ctrl-C and SIGTERM during a provider write, on a real pseudo-terminal: the first lets the
//! write finish, journals and notifies it, then exits 130 saying so; the second abandons it and
//! says (and journals) that it may have been applied. A run killed mid-write leaves an open intent
//! that `status` and `history` report.

use std::time::{Duration, Instant};

use expectrl::{ControlCode, Eof};
use serde_json::Value;

use crate::test::Project;
use crate::webhook::Webhook;

const AT: &str = "2024-03-01T09:00:00Z";
const PAUSE: &str = "ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS";

fn project() -> Project {
    Project::new().file(
        "stages.yaml",
        "flag: f\nnotify:\n  - url_env: HOOK_URL\nstages:\n  - { name: a, percentage: 10 }\n  - { name: b, percentage: 100 }\n",
    )
}

/// Waits until the run journaled its intent: it is inside the change, about to write.
fn wait_for_intent(p: &Project) -> Value {
    let started = Instant::now();
    loop {
        if let Some(last) = p.journal().pop() {
            if last["outcome"] == "intent" {
                return last;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no intent journaled"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `rollout advance` in `p` on a pty, notifying `hook`, pausing `pause_ms` before its write.
fn advance_on_a_terminal(p: &Project, hook: &Webhook, pause_ms: &str) -> expectrl::Session {
    let url = hook.url("/hook");
    crate::pty::spawn(
        env!("CARGO_BIN_EXE_rollout"),
        p.dir.path(),
        &["advance"],
        &[
            (crate::test::TEST_NOW, AT),
            ("NO_COLOR", "1"),
            (PAUSE, pause_ms),
            ("HOOK_URL", &url),
        ],
    )
}

fn outcomes(p: &Project) -> Vec<(String, Option<String>)> {
    p.journal()
        .iter()
        .map(|r| {
            (
                r["outcome"].as_str().unwrap().to_string(),
                r["detail"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn one_ctrl_c_during_a_write_lets_it_finish_then_exits_130() {
    let hook = Webhook::start(200, false);
    let p = project();
    let mut s = advance_on_a_terminal(&p, &hook, "1500");
    let intent = wait_for_intent(&p);
    s.send(ControlCode::EndOfText).unwrap();
    s.expect(
        "warning: interrupted: letting the write of advance f → a (10%) finish \
         (up to 30s); press Ctrl-C again to abandon it",
    )
    .unwrap();
    s.expect(
        "error: interrupted: advance f → a (10%) was applied, journaled and \
         notified; stopped there",
    )
    .unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 130);
    // Applied, journaled under the intent's id, and notified.
    p.rollout(["status"])
        .at(AT)
        .stdout_has("stage:       a (10%)")
        .run();
    let journal = p.journal();
    assert_eq!(
        outcomes(&p),
        [
            ("intent".to_string(), None),
            ("applied".to_string(), Some("revision 1".to_string()))
        ]
    );
    assert_eq!(journal[1]["id"], intent["id"]);
    let bodies = hook.bodies();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    let sent: Value = serde_json::from_str(&bodies[0].body).unwrap();
    assert_eq!(
        (&sent["action"], &sent["to"], &sent["outcome"]),
        (&"advance".into(), &"a".into(), &"applied".into())
    );
}

#[test]
fn a_second_ctrl_c_abandons_the_write_as_may_have_been_applied() {
    let hook = Webhook::start(200, false);
    let p = project();
    let mut s = advance_on_a_terminal(&p, &hook, "20000");
    wait_for_intent(&p);
    let started = Instant::now();
    s.send(ControlCode::EndOfText).unwrap();
    s.expect("press Ctrl-C again to abandon it").unwrap();
    s.send(ControlCode::EndOfText).unwrap();
    s.expect(
        "error: interrupted: abandoned by a second interrupt during the write; advance f → a \
         (10%) may have been applied (journaled as may-have-been-applied)",
    )
    .unwrap();
    s.expect("hint: run `rollout status` to see where the flag is")
        .unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 130);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "it waited for the write"
    );
    assert_eq!(
        outcomes(&p),
        [
            ("intent".to_string(), None),
            (
                "may-have-been-applied".to_string(),
                Some("abandoned by a second interrupt during the write".to_string())
            )
        ]
    );
    assert!(hook.bodies().is_empty());
    p.rollout(["history"])
        .stdout_has("advance f → a (10%) [may-have-been-applied]")
        .run();
}

#[test]
fn sigterm_during_a_write_is_a_first_interrupt() {
    let p = project();
    let child = p
        .command(&["advance"])
        .env(crate::test::TEST_NOW, AT)
        .env(PAUSE, "1000")
        .spawn()
        .unwrap();
    wait_for_intent(&p);
    crate::test::send_signal(child.id(), nix::sys::signal::Signal::SIGTERM);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("advance f → a (10%) was applied, journaled and notified"),
        "{stderr}"
    );
    assert_eq!(p.changes().len(), 1);
}

#[test]
fn the_wait_after_an_interrupt_is_bounded_by_timeout() {
    let p = project();
    let mut s = crate::pty::spawn(
        env!("CARGO_BIN_EXE_rollout"),
        p.dir.path(),
        &["advance", "--timeout", "1s"],
        &[
            (crate::test::TEST_NOW, AT),
            ("NO_COLOR", "1"),
            (PAUSE, "20000"),
        ],
    );
    wait_for_intent(&p);
    let started = Instant::now();
    s.send(ControlCode::EndOfText).unwrap();
    s.expect("finish (up to 1s); press Ctrl-C again to abandon it")
        .unwrap();
    s.expect(
        "error: interrupted: the write did not finish within 1s of the interrupt (--timeout); \
         advance f → a (10%) may have been applied",
    )
    .unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 130);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(
        p.journal().last().unwrap()["outcome"],
        "may-have-been-applied"
    );
}

#[test]
fn an_intent_a_killed_run_left_open_is_reported_until_the_next_change() {
    let p = project();
    let mut child = p
        .command(&["advance"])
        .env(crate::test::TEST_NOW, AT)
        .env(PAUSE, "20000")
        // Killed, it cannot give its lease on the flag up: a short one lapses before the next
        // change (a real one lasts `state.lease`, 30 s by default).
        .env("ROLLOUT_TEST_LEASE_MS", "1")
        .spawn()
        .unwrap();
    wait_for_intent(&p);
    child.kill().unwrap();
    child.wait().unwrap();
    let open = "advance f → a (10%) by tester@example.com at 2024-03-01 09:00 UTC: \
                intent left open: the run stopped during the write, so it may have been applied; \
                the flag now shows not started (off for everyone), not what this change sets";
    p.rollout(["status"]).at(AT).stderr_has(open).run();
    let doc = p.rollout(["status", "--json"]).at(AT).run().json();
    assert_eq!(doc["open_intents"].as_array().unwrap().len(), 1);
    assert_eq!(doc["open_intents"][0]["to"], "a");
    p.rollout(["history"])
        .stdout_has(
            "advance f → a (10%) [intent left open: the run stopped during the \
             write, so it may have been applied]",
        )
        .run();
    // The next change settles it.
    p.rollout(["advance"]).at(AT).run();
    p.rollout(["status"])
        .at(AT)
        .stderr_lacks("intent left open")
        .run();
    let doc = p.rollout(["status", "--json"]).at(AT).run().json();
    assert_eq!(doc["open_intents"], serde_json::json!([]));
}
