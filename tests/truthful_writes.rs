//! Every write tells the truth (issue 21): the read-back after a write decides its outcome, on
//! every provider, whatever the answer said; and a kill stays killed until `resume`, whatever
//! forced command follows it. Each test asserts the state at the provider, the exit code, the
//! whole output (clock and actor pinned) and the journal's records.

use std::time::Duration;

use serde_json::Value;

use crate::fault_proxy::{rule, Fault, FaultProxy};
use crate::http_ref_server::{Service, TOKEN as HTTP_TOKEN};
use crate::ld_server::{boolean_flag, Ld, TOKEN as LD_TOKEN};
use crate::snapshots::{settings, transcript};
use crate::test::{Project, Test};

const DAY1: &str = "2024-01-15T09:00:00Z";
const DAY2: &str = "2024-01-16T09:00:00Z";

/// Runs `test` (any exit code), compares its whole output with the snapshot `name` (the
/// project's path and `port` hidden) and returns the exit code.
fn snap(p: &Project, name: &str, test: Test, port: Option<u16>) -> i32 {
    let done = test.any_status().run();
    let text = transcript(&done);
    let mut s = settings(p.dir.path());
    if let Some(port) = port {
        s.add_filter(&format!(r"127\.0\.0\.1:{port}\b"), "127.0.0.1:[PORT]");
    }
    // The HTTP client's retry timing.
    s.add_filter(
        r"retrying in \d+ s \(\d+\.\d s left\)",
        "retrying in [T] s ([T] s left)",
    );
    s.bind(|| insta::assert_snapshot!(name, text));
    done.code
}

/// The journal as `action outcome to percentage`, one string per record (intents left out).
fn records(p: &Project) -> Vec<String> {
    p.journal()
        .iter()
        .filter(|r| r["outcome"] != "intent")
        .map(|r| {
            format!(
                "{} {} {} {}",
                r["action"].as_str().unwrap_or(""),
                r["outcome"].as_str().unwrap_or(""),
                r["to"].as_str().unwrap_or("-"),
                r["percentage"]
            )
        })
        .collect()
}

/// The last record's detail.
fn last_detail(p: &Project) -> String {
    p.journal()
        .last()
        .and_then(|r| r["detail"].as_str().map(str::to_string))
        .unwrap_or_default()
}

#[test]
fn a_forced_rollback_or_advance_of_a_killed_file_flag_keeps_it_off() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    p.rollout(["advance", "beta", "--force", "--reason", "x", "--yes"])
        .at(DAY1)
        .run();
    p.rollout(["kill", "--reason", "k"]).at(DAY2).run();
    let code = snap(
        &p,
        "truth_forced_rollback_of_a_killed_flag",
        p.rollout(["rollback", "--force", "--reason", "lower", "--yes"])
            .at(DAY2),
        None,
    );
    assert_eq!(code, 0);
    let flags: Value = serde_json::from_str(&p.read(".rollout/flags.json")).unwrap();
    let flag = &flags["flags"]["use-new-builder-cards"];
    assert!(flag.get("targeting").is_none(), "off: no targeting: {flag}");
    assert_eq!(flag["metadata"]["rolloutKilled"], true);
    assert_eq!(flag["metadata"]["rolloutStage"], "internal");
    snap(
        &p,
        "truth_status_after_forced_rollback_of_a_killed_flag",
        p.rollout(["status"]).at(DAY2),
        None,
    );
    // A forced advance of the killed flag moves the stage too, and it stays off.
    let code = snap(
        &p,
        "truth_forced_advance_of_a_killed_flag",
        p.rollout(["advance", "limited", "--force", "--reason", "up", "--yes"])
            .at(DAY2),
        None,
    );
    assert_eq!(code, 0);
    p.rollout(["status"])
        .at(DAY2)
        .stdout_has("stage:       limited (25%)")
        .stdout_has("state:       KILLED")
        .run();
    assert!(last_detail(&p).starts_with("use-new-builder-cards is killed and stays off"));
    // resume turns it on at the stage the forced moves left.
    p.rollout(["resume", "--yes"])
        .at(DAY2)
        .stdout_has("limited (25%)")
        .run();
    p.rollout(["status"])
        .at(DAY2)
        .stdout_has("stage:       limited (25%)")
        .stdout_has("state:       on")
        .run();
    assert_eq!(
        records(&p),
        [
            "advance applied internal 5",
            "advance applied beta 10",
            "kill applied beta 10",
            "rollback applied internal 5",
            "advance applied limited 25",
            "resume applied limited 25",
        ]
    );
}

#[test]
fn a_kill_that_ran_while_resume_wrote_is_not_undone() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    p.rollout(["kill", "--reason", "first"]).at(DAY1).run();
    // resume holds its write 1.5 s (a test-only hook): a kill runs meanwhile and finds the
    // flag off; the resume then turns it on, sees the kill in the journal, turns it off again.
    let mut resume = p.command(&["resume", "--yes"]);
    resume
        .env(crate::test::TEST_NOW, DAY2)
        .env("ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS", "1500");
    let child = resume.spawn().unwrap();
    let started = std::time::Instant::now();
    while !p.journal().iter().any(|r| r["action"] == "resume") {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no resume intent"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    p.rollout(["kill", "--reason", "second"])
        .at(DAY2)
        .stdout_has("already off")
        .run();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert_eq!(
        stderr,
        "error: resume use-new-builder-cards at internal (5%) turned use-new-builder-cards on \
         while a kill by tester@example.com ran; it was turned off again (journaled as a kill): \
         the kill stays until `rollout resume`\n\
         hint: run `rollout resume` once the kill's cause is fixed\n"
    );
    p.rollout(["status"])
        .at(DAY2)
        .stdout_has("state:       KILLED")
        .run();
    assert_eq!(
        records(&p)[2..],
        [
            "kill already-off internal 5",
            "resume applied internal 5",
            "kill applied internal 5"
        ]
    );
}

// ---- http: a service that answers 200 and applies nothing ----

const HTTP_FLAG: &str = "search-v2";

fn http_project(svc: &Service) -> Project {
    Project::new().file(
        "stages.yaml",
        &format!(
            "flag: {HTTP_FLAG}\nprovider:\n  kind: http\n  url: {}\nstages:\n  - {{ name: internal, percentage: 2, users: [dev-1] }}\n  - {{ name: beta, percentage: 10 }}\n  - {{ name: half, percentage: 50 }}\n",
            svc.url()
        ),
    )
}

fn http_run<const N: usize>(p: &Project, args: [&str; N]) -> Test {
    p.rollout(args)
        .env("ROLLOUT_HTTP_TOKEN", HTTP_TOKEN)
        .at(DAY2)
}

#[test]
fn an_http_200_that_applied_nothing_is_a_failure_for_rollback_and_resume() {
    let svc = Service::start(
        HTTP_FLAG,
        serde_json::json!({"algorithm": "flagd-fractional"}),
    );
    let p = http_project(&svc);
    for stage in ["internal", "beta"] {
        http_run(
            &p,
            ["advance", stage, "--force", "--reason", "walk", "--yes"],
        )
        .run();
    }
    svc.ignore_next_writes(1);
    let code = snap(
        &p,
        "truth_http_rollback_answered_200_not_applied",
        http_run(&p, ["rollback", "--yes"]),
        Some(svc.port),
    );
    assert_eq!(code, 4);
    let flag = svc.flag(HTTP_FLAG);
    assert!(
        (flag.percentage - 10.0).abs() < 1e-9 && flag.enabled,
        "{flag:?}"
    );
    assert_eq!(
        records(&p)[2..],
        ["rollback failed internal 2"],
        "journaled failed, as the read-back showed"
    );
    // resume: killed at beta, the service ignores the resume.
    http_run(&p, ["kill"]).run();
    svc.ignore_next_writes(1);
    let code = snap(
        &p,
        "truth_http_resume_answered_200_not_applied",
        http_run(&p, ["resume", "--yes"]),
        Some(svc.port),
    );
    assert_eq!(code, 4);
    assert!(!svc.flag(HTTP_FLAG).enabled, "still killed at the service");
    assert_eq!(
        records(&p)[3..],
        ["kill applied beta 10", "resume failed beta 10"]
    );
}

#[test]
fn sigterm_during_a_slow_http_write_exits_130_not_4() {
    let svc = Service::start(
        HTTP_FLAG,
        serde_json::json!({"algorithm": "flagd-fractional"}),
    );
    let p = http_project(&svc);
    http_run(&p, ["advance"]).run();
    svc.hang_next_writes(5, Duration::from_secs(20));
    let mut cmd = p.command(&[
        "advance",
        "beta",
        "--force",
        "--reason",
        "r",
        "--yes",
        "--timeout",
        "3s",
    ]);
    cmd.env("ROLLOUT_HTTP_TOKEN", HTTP_TOKEN)
        .env(crate::test::TEST_NOW, DAY2);
    let writes = svc.writes();
    let child = cmd.spawn().unwrap();
    // Inside the write: the intent is journaled, the PUT hangs.
    let started = std::time::Instant::now();
    while svc.writes() == writes {
        assert!(started.elapsed() < Duration::from_secs(20), "no PUT sent");
        std::thread::sleep(Duration::from_millis(20));
    }
    crate::test::send_signal(child.id(), nix::sys::signal::Signal::SIGTERM);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("error: interrupted: the flag service at "),
        "{stderr}"
    );
    assert!(
        stderr.contains("this PUT may have been applied"),
        "{stderr}"
    );
    assert!((svc.flag(HTTP_FLAG).percentage - 2.0).abs() < 1e-9);
    // The PUT never answered within --timeout, and the run's time is up: what it did is not
    // known, and the record says so.
    assert_eq!(records(&p)[1..], ["advance may-have-been-applied beta 10"]);
}

// ---- LaunchDarkly through the fault proxy ----

const LD_FLAG: &str = "new-checkout";

fn ld_project(url: &str) -> Project {
    Project::new().file(
        "stages.yaml",
        &format!(
            "flag: {LD_FLAG}\nprovider:\n  kind: launchdarkly\n  url: {url}\n  project: web\n  environment: production\nstages:\n  - {{ name: internal, percentage: 1, users: [dev-1, dev-2] }}\n  - {{ name: beta, percentage: 12.5, groups: [beta-testers] }}\n  - {{ name: half, percentage: 50 }}\n"
        ),
    )
}

fn ld_run<const N: usize>(p: &Project, args: [&str; N]) -> Test {
    p.rollout(args).env("LD_ACCESS_TOKEN", LD_TOKEN).at(DAY2)
}

/// The LaunchDarkly contract server behind a fault proxy, the flag walked to beta.
fn ld_at_beta() -> (Ld, FaultProxy, Project) {
    let ld = Ld::start(vec![boolean_flag(LD_FLAG)]);
    let proxy = FaultProxy::start(&ld.url());
    let p = ld_project(&proxy.url());
    for stage in ["internal", "beta"] {
        ld_run(
            &p,
            ["advance", stage, "--force", "--reason", "walk", "--yes"],
        )
        .run();
    }
    assert_eq!(ld.env().rules.len(), 1, "beta's group rule");
    (ld, proxy, p)
}

#[test]
fn ld_rollback_whose_answer_was_lost_is_reported_applied() {
    let (ld, proxy, p) = ld_at_beta();
    // The patch reaches LaunchDarkly; its answer never comes. The retry then gets 400 (the
    // rule it removes is gone): the read-back shows the rollback applied.
    proxy.clear_log();
    proxy.script(vec![rule(
        "PATCH",
        "/new-checkout",
        1,
        Fault::HangAfterForward,
    )]);
    let code = snap(
        &p,
        "truth_ld_rollback_answer_lost",
        ld_run(&p, ["rollback", "--yes", "--timeout", "6s"]),
        Some(proxy.port),
    );
    assert_eq!(code, 0);
    let env = ld.env();
    assert!(env.rules.is_empty(), "the group rule was removed");
    assert_eq!(
        proxy.faults_of("PATCH"),
        [Some(Fault::HangAfterForward), None],
        "the patch, then its retry"
    );
    assert_eq!(records(&p)[2..], ["rollback applied internal 1"]);
    assert!(last_detail(&p).contains("reads back as this run wrote it"));
}

#[test]
fn ld_patch_answered_200_but_never_forwarded_is_not_applied() {
    let (ld, proxy, p) = ld_at_beta();
    let before = ld.env();
    proxy.script(vec![rule("PATCH", "/new-checkout", 1, Fault::DropWrite)]);
    let code = snap(
        &p,
        "truth_ld_patch_200_not_forwarded",
        ld_run(&p, ["rollback", "--yes"]),
        Some(proxy.port),
    );
    assert_eq!(code, 4);
    let env = ld.env();
    assert_eq!(
        env.fallthrough, before.fallthrough,
        "nothing reached LaunchDarkly"
    );
    assert_eq!(env.rules.len(), 1);
    assert_eq!(records(&p)[2..], ["rollback failed internal 1"]);
    // A kill whose off is answered 200 `{}` and dropped reads the flag back on and sends the
    // off again: it lands.
    proxy.clear_log();
    proxy.script(vec![rule("PATCH", "/new-checkout", 1, Fault::DropWrite)]);
    ld_run(&p, ["kill", "--reason", "k"])
        .stdout_has("read back: off")
        .stderr_has("reads back as on after an off was sent; sending it again")
        .run();
    assert!(!ld.env().on);
    assert_eq!(proxy.faults_of("PATCH"), [Some(Fault::DropWrite), None]);
    assert_eq!(records(&p)[3..], ["kill applied beta 12.5"]);
}

#[test]
fn ld_a_forced_rollback_of_a_killed_flag_keeps_it_off() {
    let (ld, _proxy, p) = ld_at_beta();
    ld_run(&p, ["kill", "--reason", "k"]).run();
    let code = snap(
        &p,
        "truth_ld_forced_rollback_of_a_killed_flag",
        ld_run(&p, ["rollback", "--force", "--reason", "lower", "--yes"]),
        None,
    );
    assert_eq!(code, 0);
    let env = ld.env();
    assert!(!env.on, "still killed at LaunchDarkly");
    assert!(env.rules.is_empty(), "the stage moved to internal");
    ld_run(&p, ["status"])
        .stdout_has("internal (1%)")
        .stdout_has("KILLED")
        .run();
    ld_run(&p, ["resume", "--yes"])
        .stdout_has("internal (1%)")
        .run();
    assert!(ld.env().on);
    assert_eq!(
        records(&p)[2..],
        [
            "kill applied beta 12.5",
            "rollback applied internal 1",
            "resume applied internal 1"
        ]
    );
}
