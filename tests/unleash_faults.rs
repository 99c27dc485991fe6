//! `rollout kill` under faults, through the fault-injecting proxy in front of the real Unleash:
//! one test per fault class, each checking the flag's real state through the Admin API, the
//! exit code, the wall time against `--timeout`, what the message claims, the journal line and
//! the webhook delivery. `--timeout 6s` gives 2 s attempts (a third of it), and kill sends a
//! request again alongside one that has not answered after 200 ms.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::fault_proxy::{rule, Fault, FaultProxy, Rule};
use crate::test::{Done, Project};
use crate::unleash_server::{journal, server, Server, STAGES};
use crate::webhook::Webhook;

const TIMEOUT: &str = "6s";
const ATTEMPT: Duration = Duration::from_secs(2);

struct Case {
    s: Server,
    flag: String,
    p: Project,
    proxy: FaultProxy,
    hook: Webhook,
}

/// A fresh flag at stage internal (on, 5%), reached through the proxy, with a webhook.
fn case(prefix: &str) -> Case {
    let s = server();
    let flag = s.create_flag(prefix);
    let proxy = FaultProxy::start(&s.url);
    let hook = Webhook::start(200, false);
    let p = Project::new().file(
        "stages.yaml",
        &format!(
            "flag: {flag}\nprovider:\n  kind: unleash\n  url: {}\n  project: default\n  environment: development\nnotify:\n  - url_env: ROLLOUT_TEST_HOOK\nstages:\n{STAGES}",
            proxy.url(),
        ),
    );
    s.rollout(&p, ["advance", "--yes"])
        .env("ROLLOUT_TEST_HOOK", &hook.url("/hook"))
        .run();
    hook.received.lock().unwrap().clear();
    Case {
        s,
        flag,
        p,
        proxy,
        hook,
    }
}

impl Case {
    /// `rollout kill` with `rules` scripted: what it printed and how long it took.
    fn kill(&self, rules: Vec<Rule>, status: i32) -> (Done, Duration) {
        self.proxy.script(rules);
        self.proxy.clear_log();
        let started = Instant::now();
        let done = self
            .s
            .rollout(
                &self.p,
                ["kill", "--timeout", TIMEOUT, "--reason", "fault test"],
            )
            .env("ROLLOUT_TEST_HOOK", &self.hook.url("/hook"))
            .status(status)
            .run();
        (done, started.elapsed())
    }

    /// The flag's real state in Unleash.
    fn enabled(&self) -> bool {
        self.s.environment(&self.flag, "development")["enabled"] == Value::Bool(true)
    }

    fn kill_lines(&self) -> Vec<Value> {
        journal(&self.p)
            .into_iter()
            .filter(|e| e["action"] == "kill")
            .collect()
    }

    /// Webhook posts about a kill.
    fn notified(&self) -> usize {
        self.hook
            .bodies()
            .iter()
            .filter(|r| r.body.contains("kill "))
            .count()
    }

    /// Killed for real: off in Unleash, journaled `applied` once, notified once.
    fn assert_killed(&self, done: &Done) {
        assert!(!self.enabled(), "the flag is still on in Unleash\n{done:?}");
        assert!(done.stdout.contains("KILLED"), "{done:?}");
        let lines = self.kill_lines();
        assert_eq!(lines.len(), 1, "{lines:#?}");
        assert_eq!(lines[0]["outcome"], "applied", "{lines:#?}");
        assert_eq!(lines[0]["from"], "internal");
        assert_eq!(self.notified(), 1, "{:?}", self.hook.bodies());
    }

    /// Not killed: still on in Unleash, no journal line, nobody notified.
    fn assert_not_killed(&self, done: &Done) {
        assert!(self.enabled(), "the flag is off in Unleash\n{done:?}");
        assert!(self.kill_lines().is_empty(), "{:#?}", self.kill_lines());
        assert_eq!(self.notified(), 0);
    }

    fn feature(&self) -> String {
        format!("/features/{}", self.flag)
    }
}

fn within(took: Duration, at_least: Duration, below: Duration) {
    assert!(
        took >= at_least && took < below,
        "took {took:?}, expected [{at_least:?}, {below:?})"
    );
}

#[test]
fn a_hung_first_request_costs_a_tenth_of_an_attempt_not_the_whole_timeout() {
    // kill sends a request again alongside one that has not answered after a tenth of an
    // attempt (200 ms here): the hung connection is left behind.
    let c = case("fault-hang-read");
    let (done, took) = c.kill(vec![rule("GET", &c.feature(), 1, Fault::Hang)], 0);
    c.assert_killed(&done);
    within(took, Duration::from_millis(200), ATTEMPT);
    let reads = c.proxy.faults_of("GET");
    assert_eq!(
        reads,
        [Some(Fault::Hang), None, None],
        "{:?}",
        c.proxy.requests()
    );
}

#[test]
fn a_hung_off_is_sent_again() {
    let c = case("fault-hang-off");
    let (done, took) = c.kill(vec![rule("POST", "/off", 1, Fault::Hang)], 0);
    c.assert_killed(&done);
    within(took, Duration::from_millis(200), ATTEMPT);
    let posts = c.proxy.faults_of("POST");
    assert_eq!(posts, [Some(Fault::Hang), None], "{:?}", c.proxy.requests());
}

#[test]
fn an_applied_off_whose_answers_are_all_lost_is_a_kill() {
    // Every off reaches Unleash and no answer ever comes back: the read-back decides.
    let c = case("fault-lost-answer");
    let (done, took) = c.kill(
        vec![rule("POST", "/off", u32::MAX, Fault::HangAfterForward)],
        0,
    );
    c.assert_killed(&done);
    assert!(
        took < Duration::from_secs(6) + Duration::from_millis(800),
        "{took:?}"
    );
    let line = &c.kill_lines()[0];
    assert!(
        line["detail"]
            .as_str()
            .unwrap()
            .contains("the off was never confirmed"),
        "{line}"
    );
}

#[test]
fn a_reset_after_an_applied_off_is_one_kill() {
    // A connection reset after the off was applied: sent again, still one kill.
    let c = case("fault-reset-after");
    let (done, _) = c.kill(vec![rule("POST", "/off", 1, Fault::ResetAfter)], 0);
    c.assert_killed(&done);
}

#[test]
fn a_bad_read_back_after_an_applied_off_is_read_again() {
    for (name, fault) in [
        ("fault-rb-502", Fault::Status(502)),
        ("fault-rb-html502", Fault::Html(502)),
        ("fault-rb-html200", Fault::Html(200)),
    ] {
        let c = case(name);
        let (done, took) = c.kill(vec![rule("GET", &c.feature(), 1, fault).after(1)], 0);
        c.assert_killed(&done);
        assert!(!done.stderr.contains("nothing was changed"), "{done:?}");
        assert!(took < Duration::from_secs(3), "{name}: {took:?}");
    }
}

#[test]
fn a_503_three_times_then_success_is_a_kill() {
    let c = case("fault-503x3");
    let (done, took) = c.kill(vec![rule("GET", &c.feature(), 3, Fault::Status(503))], 0);
    c.assert_killed(&done);
    assert!(done.stderr.contains("503"), "{done:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn a_503_forever_is_named_with_what_was_seen() {
    // Unleash answers 503 to everything: never read, never killed, and the message says so.
    let c = case("fault-503-forever");
    let (done, took) = c.kill(
        vec![
            rule("GET", &c.feature(), u32::MAX, Fault::Status(503)),
            rule("POST", "/off", u32::MAX, Fault::Status(503)),
        ],
        4,
    );
    c.assert_not_killed(&done);
    within(
        took,
        Duration::from_millis(5000),
        Duration::from_millis(7500),
    );
    assert!(
        done.stderr.contains("could not be killed within 6s"),
        "{done:?}"
    );
    assert!(
        done.stderr.contains("answered 503 Service Unavailable"),
        "{done:?}"
    );
    assert!(
        done.stderr
            .contains("no off was sent; the flag was never read, so whether it is off is unknown"),
        "{done:?}"
    );
    assert!(!done.stderr.contains("raise --timeout"), "{done:?}");
}

#[test]
fn an_off_refused_forever_says_the_flag_was_seen_on() {
    // Reads work, the off is refused every time: the flag was seen on, and is.
    let c = case("fault-503-off");
    let (done, _) = c.kill(vec![rule("POST", "/off", u32::MAX, Fault::Status(503))], 4);
    c.assert_not_killed(&done);
    assert!(
        done.stderr.contains("answered 503 Service Unavailable"),
        "{done:?}"
    );
    assert!(done.stderr.contains("on POST"), "{done:?}");
    assert!(
        done.stderr.contains("was last seen ON (still serving)"),
        "{done:?}"
    );
}

#[test]
fn a_429_retry_after_is_waited_for() {
    let c = case("fault-429");
    let (done, took) = c.kill(vec![rule("POST", "/off", 1, Fault::RetryAfter(2))], 0);
    c.assert_killed(&done);
    within(took, Duration::from_secs(2), Duration::from_millis(3500));
    assert!(done.stderr.contains("429"), "{done:?}");
}

#[test]
fn a_dropped_off_and_a_reset_before_forwarding_are_sent_again() {
    // Answered 200 but never applied: the read-back says on, so the off goes again.
    let c = case("fault-drop");
    let (done, took) = c.kill(vec![rule("POST", "/off", 1, Fault::DropWrite)], 0);
    c.assert_killed(&done);
    assert!(
        done.stderr
            .contains("reads back as on after an off was sent"),
        "{done:?}"
    );
    assert!(took < Duration::from_secs(3), "{took:?}");
    let c = case("fault-reset-before");
    let (done, _) = c.kill(vec![rule("GET", &c.feature(), 1, Fault::ResetBefore)], 0);
    c.assert_killed(&done);
}

#[test]
fn offs_answered_but_never_applied_are_reported_as_seen_on() {
    // Every off answered 200 and dropped: the read-back never agrees, and the message says so.
    let c = case("fault-drop-forever");
    let (done, took) = c.kill(vec![rule("POST", "/off", u32::MAX, Fault::DropWrite)], 4);
    c.assert_not_killed(&done);
    within(
        took,
        Duration::from_millis(5000),
        Duration::from_millis(7500),
    );
    assert!(
        done.stderr
            .contains("an off was sent and answered; the flag was last seen ON (still serving)"),
        "{done:?}"
    );
    let offs = c
        .proxy
        .requests()
        .iter()
        .filter(|r| r.starts_with("POST"))
        .count();
    assert!((3..=12).contains(&offs), "not hammered: {offs} offs in 6 s");
}

#[test]
fn a_refused_connection_is_named_and_bounded_by_the_timeout() {
    let c = case("fault-refused");
    // Nothing listens on the port the project points at.
    let closed = crate::gates_support::closed_port();
    let port = closed.port;
    let text =
        c.p.read("stages.yaml")
            .replace(&c.proxy.url(), &format!("http://127.0.0.1:{port}"));
    c.p.write("stages.yaml", &text);
    let (done, took) = c.kill(Vec::new(), 4);
    c.assert_not_killed(&done);
    within(
        took,
        Duration::from_millis(5000),
        Duration::from_millis(7500),
    );
    assert!(done.stderr.contains("is unreachable"), "{done:?}");
    assert!(done.stderr.contains("the flag was never read"), "{done:?}");
}

#[test]
fn unreadable_stored_rollouts_do_not_stop_a_kill() {
    for value in ["150", "abc", "5.5", ""] {
        let c = case("fault-junk");
        c.s.set_rollout(&c.flag, value);
        let (done, _) = c.kill(Vec::new(), 0);
        assert!(!c.enabled(), "{value:?}: {done:?}");
        let lines = c.kill_lines();
        assert_eq!(lines.len(), 1, "{value:?}: {lines:#?}");
        assert_eq!(lines[0]["outcome"], "applied");
        assert_eq!(lines[0]["from"], "internal", "{value:?}: {lines:#?}");
        assert_eq!(lines[0]["percentage"], Value::Null, "{value:?}: {lines:#?}");
        assert_eq!(
            lines[0]["detail"],
            format!("the rollout strategy holds rollout {value:?}, which is no percentage"),
        );
        assert!(done.stdout.contains("(was internal)"), "{done:?}");
        assert_eq!(c.notified(), 1);
        // The strategy is untouched: resume brings back exactly what was there.
        assert_eq!(
            c.s.rollout_strategy(&c.flag)["parameters"]["rollout"],
            value
        );
    }
}

/// What one command sent through the proxy: `METHOD path` (ids and the flag name replaced).
fn sent(c: &Case, args: &[&str]) -> Vec<String> {
    c.proxy.clear_log();
    c.s.rollout(&c.p, args).run();
    c.proxy
        .requests()
        .iter()
        .map(|r| {
            let r = r.replace(&c.flag, "F");
            // Strategy ids (ULIDs) vary.
            match r.split_once("/strategies/") {
                Some((head, _)) => format!("{head}/strategies/ID"),
                None => r,
            }
        })
        .collect()
}

#[test]
fn each_command_sends_the_fewest_requests() {
    let c = case("requests");
    let env = "/api/admin/projects/default/features/F/environments/development";
    let expected = Expected {
        f: "GET /api/admin/projects/default/features/F".to_string(),
        env,
        events: "GET /api/admin/search/events".to_string(),
        patch: format!("PATCH {env}/strategies/ID"),
        strategy: format!("GET {env}/strategies/ID"),
    };
    audience_stages_send_the_fewest_requests(&c, &expected);
    percentage_stages_send_the_fewest_requests(&c, &expected);
}

/// The requests [`each_command_sends_the_fewest_requests`] expects, as `METHOD path` with the
/// flag as F and strategy ids as ID: the flag read, its environment, the event log read, a
/// strategy patched and a strategy read.
struct Expected {
    f: String,
    env: &'static str,
    events: String,
    patch: String,
    strategy: String,
}

/// The project of [`case`], whose stages add groups and users: each command's requests.
fn audience_stages_send_the_fewest_requests(c: &Case, e: &Expected) {
    let Expected {
        f,
        env,
        events,
        patch,
        strategy,
    } = e;
    let normal = |r: &String| match r.replace(&c.flag, "F").split_once("/strategies/") {
        Some((head, _)) => format!("{head}/strategies/ID"),
        None => r.replace(&c.flag, "F"),
    };
    // The first stage, internal, as `case` advanced it: the rollout created and checked for a
    // concurrent creator's copy, the groups created (checked on the read-back), the
    // environment on, the read-back.
    let first: Vec<String> = c.proxy.requests().iter().map(normal).collect();
    assert_eq!(
        first,
        [
            f.clone(),
            format!("POST {env}/strategies"),
            f.clone(),
            format!("POST {env}/strategies"),
            format!("POST {env}/on"),
            f.clone(),
        ]
    );
    // status: the flag, and one small page of the event log for the stage's start.
    assert_eq!(sent(c, &["status"]), [f.clone(), events.clone()]);
    let seen = c.proxy.seen();
    assert!(seen[1].path.contains("limit=50"), "{seen:?}");
    // kill: read, off, read back. resume: read, on, read back (the read moments before is the
    // guard: no second read before the write).
    assert_eq!(
        sent(c, &["kill"]),
        [f.clone(), format!("POST {env}/off"), f.clone()]
    );
    assert_eq!(sent(c, &["history"]), [events.as_str()]);
    assert_eq!(
        sent(c, &["resume", "--yes"]),
        [f.clone(), format!("POST {env}/on"), f.clone()]
    );
    std::thread::sleep(Duration::from_millis(1100));
    // internal → beta: the rollout (checked after a pause, for a racing run the other way),
    // then the users created (checked for a concurrent creator's copy) and the groups, then
    // the read-back.
    let audience = [
        f.clone(),
        events.clone(),
        patch.clone(),
        strategy.clone(),
        format!("POST {env}/strategies"),
        f.clone(),
        patch.clone(),
        f.clone(),
    ];
    assert_eq!(sent(c, &["advance"]), audience);
    // beta → internal: the rollout (checked), the users removed, the groups, the read-back.
    assert_eq!(
        sent(c, &["rollback", "--yes"]),
        [
            f.clone(),
            patch.clone(),
            strategy.clone(),
            format!("DELETE {env}/strategies/ID"),
            patch.clone(),
            f.clone(),
        ]
    );
}

/// A flag whose stages differ in percentage only, through the proxy of `c`: each command's
/// requests.
fn percentage_stages_send_the_fewest_requests(c: &Case, e: &Expected) {
    let Expected {
        f,
        env,
        events,
        patch,
        ..
    } = e;
    let flag = c.s.create_flag("requests-pct");
    let p = Project::new().file(
        "stages.yaml",
        &format!(
            "flag: {flag}\nprovider:\n  kind: unleash\n  url: {}\n  project: default\n  environment: development\nstages:\n  - {{ name: low, percentage: 5 }}\n  - {{ name: mid, percentage: 50 }}\n  - {{ name: full, percentage: 100 }}\n",
            c.proxy.url()
        ),
    );
    let pct = |args: &[&str]| -> Vec<String> {
        c.proxy.clear_log();
        c.s.rollout(&p, args).run();
        c.proxy
            .requests()
            .iter()
            .map(|r| {
                let r = r.replace(&flag, "F");
                match r.split_once("/strategies/") {
                    Some((head, _)) => format!("{head}/strategies/ID"),
                    None => r,
                }
            })
            .collect()
    };
    // The first stage: the rollout strategy created, the environment on, the read-back (which
    // also shows a concurrent creator's copy: two runs starting at once keep the oldest).
    assert_eq!(
        pct(&["advance"]),
        [
            f.clone(),
            format!("POST {env}/strategies"),
            format!("POST {env}/on"),
            f.clone(),
        ]
    );
    // A percentage: read, the stage's start, one guarded patch, the read-back.
    assert_eq!(
        pct(&["advance"]),
        [f.clone(), events.clone(), patch.clone(), f.clone()]
    );
    assert_eq!(
        pct(&["rollback", "--yes"]),
        [f.clone(), patch.clone(), f.clone()]
    );
    // --force overrides the soak: no event log read.
    assert_eq!(
        pct(&["advance", "mid", "--force", "--reason", "pin", "--yes"]),
        [f.clone(), patch.clone(), f.clone()]
    );
    // A run slow between its read and its write (a prompt, a gate query; here the test
    // pause) reads the flag again before writing: the guard.
    c.proxy.clear_log();
    c.s.rollout(&p, ["rollback", "--yes"])
        .env("ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS", "400")
        .run();
    assert_eq!(c.proxy.requests().len(), 4, "{:?}", c.proxy.requests());
    assert!(c.proxy.seen().iter().all(|r| r.fault.is_none()));
}
