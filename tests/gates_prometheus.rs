//! Gates against a real Prometheus (Debian's 2.42, started by scripts/prometheus-up): every
//! verdict shape, `advance` refused and forced, `watch` killing only after `for:`, `watch
//! --advance` walking a plan, and `watch` riding out a Prometheus restart.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::gates_support::{closed_port, fresh_case, prom, push, start, stop};
use crate::test::Project;

fn project(url: &str, gates: &str, stages: &str) -> Project {
    Project::new().file(
        "stages.yaml",
        &format!(
            "flag: cards\ndefaults:\n  prometheus: {{ url: {url} }}\ngates:\n{gates}stages:\n{stages}"
        ),
    )
}

const ONE_STAGE: &str =
    "  - { name: internal, percentage: 5 }\n  - { name: full, percentage: 100 }\n";

fn gate(name: &str, query: &str, rest: &str) -> String {
    format!("  - {{ name: {name}, prometheus: {{ query: '{query}' }}, {rest} }}\n")
}

fn verdicts(doc: &Value) -> Vec<(String, String, String, String)> {
    doc["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["gate"].as_str().unwrap().to_string(),
                v["verdict"].as_str().unwrap().to_string(),
                v["shown"].as_str().unwrap().to_string(),
                v["why"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn every_answer_shape_has_its_own_verdict_and_only_a_good_value_passes() {
    let p = prom();
    let rate = "sum(rate(http_requests_total{case=\"rate\",status=~\"5..\",variant=\"on\"}[1m])) / sum(rate(http_requests_total{case=\"rate\",variant=\"on\"}[1m]))";
    let gates = [
        gate("pass", "gate_value{case=\"pass\"}", "max: 0.01"),
        gate("fail", "gate_value{case=\"fail\"}", "max: 0.01"),
        gate("below", "gate_value{case=\"pass\"}", "min: 0.05"),
        gate("empty", "gate_value{case=\"missing\"}", "max: 0.01"),
        gate("nan", "gate_value{case=\"nan\"}", "max: 0.01"),
        gate("inf", "gate_value{case=\"inf\"}", "max: 0.01"),
        gate("several", "gate_value{case=\"multi\"}", "max: 0.01"),
        gate("bad-query", "sum(rate(gate_value[5m]", "max: 0.01"),
        gate("error-rate", rate, "max: 0.01, for: 5m"),
    ]
    .concat();
    let done = project(&p.url, &gates, ONE_STAGE)
        .rollout(["gates", "--json"])
        .status(1)
        .run();
    let doc = done.json();
    assert_eq!(doc["pass"], false);
    let got = verdicts(&doc);
    let row = |name: &str| got.iter().find(|g| g.0 == name).unwrap().clone();
    let t = |a: &str, b: &str, c: &str, d: &str| {
        (a.to_string(), b.to_string(), c.to_string(), d.to_string())
    };
    assert_eq!(row("pass"), t("pass", "pass", "0.002", ""));
    assert_eq!(row("fail"), t("fail", "fail", "0.05", ""));
    assert_eq!(row("below"), t("below", "fail", "0.002", ""));
    assert_eq!(
        row("empty"),
        t("empty", "no-data", "-", "empty result: no series matched")
    );
    assert_eq!(
        row("nan"),
        t(
            "nan",
            "no-data",
            "NaN",
            "the value is NaN (0/0: no traffic in the window?)"
        )
    );
    assert_eq!(
        row("inf"),
        t(
            "inf",
            "error",
            "+Inf",
            "the value is +Inf (a division by zero?)"
        )
    );
    assert_eq!(
        row("several"),
        t(
            "several",
            "error",
            "-",
            "2 series answered, one expected: aggregate the query (e.g. sum(...))"
        )
    );
    let bad = row("bad-query");
    assert_eq!((bad.1.as_str(), bad.2.as_str()), ("error", "-"));
    assert!(
        bad.3
            .starts_with("bad query (400): invalid parameter \"query\""),
        "{bad:?}"
    );
    assert_eq!(row("error-rate"), t("error-rate", "pass", "0.002", ""));
    let rate_gate = &doc["gates"][8];
    assert_eq!(rate_gate["window"], "1m");
    assert_eq!(rate_gate["threshold"], "max 0.01");
    assert_eq!(rate_gate["for"], "5m");
    assert_eq!(rate_gate["severity"], "critical");
}

#[test]
fn the_gates_table_shows_value_threshold_window_and_verdict() {
    let p = prom();
    let gates = [
        gate("errors", "gate_value{case=\"pass\"}", "max: 0.01, for: 5m"),
        gate(
            "clicks",
            "gate_value{case=\"fail\"}",
            "min: 0.06, severity: info",
        ),
    ]
    .concat();
    let done = project(&p.url, &gates, ONE_STAGE)
        .rollout(["gates"])
        .status(0)
        .run();
    assert_eq!(
        done.stdout,
        "GATE    VERDICT  VALUE  THRESHOLD  WINDOW   FOR    SEVERITY\n\
         errors  pass     0.002  max 0.01   instant  5m     critical\n\
         clicks  fail     0.05   min 0.06   instant  0s/0s  info\n"
    );
}

#[test]
fn a_stopped_server_is_an_error_never_a_pass() {
    let closed = closed_port();
    let url = format!("http://127.0.0.1:{}", closed.port);
    let done = project(&url, &gate("errors", "up", "max: 1"), ONE_STAGE)
        .rollout(["gates", "--json", "--timeout", "1s"])
        .status(1)
        .run();
    let (_, verdict, _, why) = verdicts(&done.json())[0].clone();
    assert_eq!(verdict, "error");
    assert!(
        why.starts_with(&format!("Prometheus at {url} is unreachable")),
        "{why}"
    );
}

#[test]
fn advance_is_refused_while_a_gate_fails_and_forcing_it_journals_the_values_seen() {
    let p = prom();
    let gates = [
        gate("errors", "gate_value{case=\"fail\"}", "max: 0.01"),
        gate(
            "latency",
            "gate_value{case=\"pass\"}",
            "max: 0.1, severity: warning",
        ),
        gate(
            "clicks",
            "gate_value{case=\"missing\"}",
            "min: 0.05, severity: info",
        ),
    ]
    .concat();
    let proj = project(&p.url, &gates, ONE_STAGE);
    let refused = proj.rollout(["advance"]).status(3).run();
    assert_eq!(
        refused.stderr,
        "error: advance refused: 1 gate of internal did not pass\n\
         gates of internal:\n  \
         errors fail: 0.05 > max 0.01 (instant, critical)\n  \
         latency pass: 0.002 within max 0.1 (instant, warning)\n  \
         clicks no-data: min 0.05 (instant, info): empty result: no series matched\n\
         hint: nothing was changed; to override, pass --force --reason TEXT\n"
    );
    assert!(!proj.exists(".rollout/journal.jsonl"));
    proj.rollout([
        "advance",
        "internal",
        "--force",
        "--reason",
        "errors are from a known bot",
        "--yes",
    ])
    .stderr_has("warning: overriding: gate errors fail: 0.05 > max 0.01")
    .stdout_has("advanced cards: not started → internal (5%)")
    .run();
    let journal: Value =
        serde_json::from_str(proj.read(".rollout/journal.jsonl").lines().next().unwrap()).unwrap();
    assert_eq!(journal["forced"], true);
    assert_eq!(journal["reason"], "errors are from a known bot");
    assert_eq!(
        journal["gates"],
        serde_json::json!([
            {"gate": "errors", "verdict": "fail", "value": "0.05", "threshold": "max 0.01"},
            {"gate": "latency", "verdict": "pass", "value": "0.002", "threshold": "max 0.1"},
            {"gate": "clicks", "verdict": "no-data", "value": "-", "threshold": "min 0.05"},
        ])
    );
}

/// Journal records of `action`, in order.
fn time(v: &Value) -> chrono::DateTime<chrono::Utc> {
    v["time"].as_str().unwrap().parse().unwrap()
}

fn flagd_on(proj: &Project, ids: &[&str]) -> Vec<String> {
    proj.write("ids.txt", &ids.join("\n"));
    crate::flagd_parity::flagd_core_on(
        &proj.path(".rollout/flags.json"),
        "cards",
        &proj.path("ids.txt"),
        &["group=internal"],
    )
}

#[test]
fn watch_kills_only_after_the_breach_held_for_its_for_window() {
    let p = prom();
    let case = fresh_case("watch-kill");
    push(&p.url, &case, 0.002);
    let hook = crate::webhook::Webhook::start(200, false);
    let proj = project(
        &p.url,
        &gate("errors", &format!("gate_value{{case=\"{case}\"}}"), "max: 0.01, for: 2s"),
        "  - { name: internal, percentage: 5, groups: [internal] }\n  - { name: full, percentage: 100 }\nnotify:\n  - url_env: ROLLOUT_TEST_HOOK\n",
    );
    proj.rollout(["advance"]).run();
    assert_eq!(
        flagd_on(&proj, &["u1", "u2"]),
        ["u1", "u2"],
        "the internal group is on"
    );
    let watch = proj
        .rollout(["watch", "--interval", "300ms"])
        .env("ROLLOUT_TEST_HOOK", &hook.url("/hook"))
        .status(1);
    let handle = std::thread::spawn(move || watch.run());
    std::thread::sleep(Duration::from_millis(1200));
    let spiked = chrono::Utc::now();
    push(&p.url, &case, 0.05);
    let done = handle.join().unwrap();
    assert!(
        done.stdout.contains("errors pass 0.002 (max 0.01)"),
        "{}",
        done.stdout
    );
    assert!(
        done.stdout.contains("errors fail 0.05 (max 0.01 0s/2s)"),
        "{}",
        done.stdout
    );
    assert!(
        done.stdout.contains(
            "killed cards: watch: gate errors is 0.05 against max 0.01 for 2s (critical)"
        ),
        "{}",
        done.stdout
    );
    let looks = proj.changes_of("watch");
    let first_fail = looks
        .iter()
        .find(|l| l["gates"][0]["verdict"] == "fail")
        .unwrap();
    let kill = &proj.changes_of("kill")[0];
    // A look stamps its time before it queries: one that began just before the push may see it.
    assert!(time(first_fail) >= spiked - chrono::Duration::milliseconds(300));
    assert!(
        time(kill) - time(first_fail) >= chrono::Duration::seconds(2),
        "killed before for: held"
    );
    assert!(
        time(kill) - time(first_fail) < chrono::Duration::seconds(6),
        "killed late"
    );
    assert_eq!(
        kill["reason"],
        "watch: gate errors is 0.05 against max 0.01 for 2s (critical)"
    );
    assert!(
        looks
            .iter()
            .take_while(|l| l["gates"][0]["verdict"] == "pass")
            .count()
            >= 2
    );
    assert_eq!(
        flagd_on(&proj, &["u1", "u2"]),
        Vec::<String>::new(),
        "flagd sees the flag off"
    );
}

#[test]
fn watch_advance_walks_a_three_stage_plan_to_the_end() {
    let p = prom();
    let proj = project(
        &p.url,
        &gate("errors", "gate_value{case=\"pass\"}", "max: 0.01"),
        "  - { name: one, percentage: 10, duration: 2s }\n  - { name: two, percentage: 50, duration: 2s }\n  - { name: three, percentage: 100 }\n",
    );
    let started = Instant::now();
    let done = proj
        .rollout(["watch", "--advance", "--interval", "300ms", "--yes"])
        .run();
    assert!(started.elapsed() < Duration::from_secs(15));
    let advances: Vec<(String, String)> = proj
        .changes_of("advance")
        .iter()
        .map(|e| {
            (
                e["to"].as_str().unwrap().into(),
                e["gates"][0]["verdict"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        advances,
        [
            ("one".into(), "pass".into()),
            ("two".into(), "pass".into()),
            ("three".into(), "pass".into())
        ]
    );
    // The file provider keeps the stage's start in whole seconds: a 2s soak is over 1s.
    let adv = proj.changes_of("advance");
    for pair in adv.windows(2) {
        assert!(
            time(&pair[1]) - time(&pair[0]) > chrono::Duration::seconds(1),
            "soaked"
        );
    }
    assert!(
        done.stdout.contains("advanced cards: two → three (100%)"),
        "{}",
        done.stdout
    );
    assert!(
        done.stdout
            .ends_with("cards is at the last stage (three): done\n"),
        "{}",
        done.stdout
    );
}

#[test]
fn watch_until_stops_at_the_stage_and_a_failing_gate_holds_the_advance() {
    let p = prom();
    let case = fresh_case("hold");
    push(&p.url, &case, 0.5);
    let proj = project(
        &p.url,
        &[
            gate("errors", "gate_value{case=\"pass\"}", "max: 0.01"),
            gate("latency", &format!("gate_value{{case=\"{case}\"}}"), "max: 0.1, severity: warning"),
        ]
        .concat(),
        "  - { name: one, percentage: 10, gates: [errors] }\n  - { name: two, percentage: 50 }\n  - { name: three, percentage: 100 }\n",
    );
    proj.rollout(["advance"]).run();
    let watch = proj.rollout([
        "watch",
        "--advance",
        "--until",
        "two",
        "--interval",
        "300ms",
    ]);
    let handle = std::thread::spawn(move || watch.run());
    std::thread::sleep(Duration::from_millis(1000));
    assert!(
        proj.changes_of("advance").len() == 1,
        "held while latency fails"
    );
    push(&p.url, &case, 0.05);
    let done = handle.join().unwrap();
    assert!(
        done.stderr
            .contains("holding at one: advance refused: 1 gate of two did not pass"),
        "{}",
        done.stderr
    );
    assert!(
        done.stdout.ends_with("cards is at two: done\n"),
        "{}",
        done.stdout
    );
    assert_eq!(proj.changes_of("advance").len(), 2);
}

#[test]
fn watch_rides_out_a_prometheus_restart() {
    let own = start(&["-r"]);
    let port = own.url.rsplit(':').next().unwrap().to_string();
    let case = fresh_case("restart");
    push(&own.url, &case, 0.002);
    let proj = project(
        &own.url,
        &gate(
            "errors",
            &format!("gate_value{{case=\"{case}\"}}"),
            "max: 0.01",
        ),
        ONE_STAGE,
    );
    proj.rollout(["advance"]).run();
    let watch = proj
        .rollout(["watch", "--interval", "300ms", "--timeout", "1s"])
        .status(1);
    let handle = std::thread::spawn(move || watch.run());
    std::thread::sleep(Duration::from_millis(700));
    stop(&own.dir);
    std::thread::sleep(Duration::from_millis(1500));
    let again = start(&["-r", "-d", own.dir.to_str().unwrap(), "-p", &port]);
    assert_eq!(again.url, own.url);
    push(&again.url, &case, 0.5);
    let done = handle.join().unwrap();
    let looks = proj.changes_of("watch");
    let verdicts: Vec<&str> = looks
        .iter()
        .map(|l| l["gates"][0]["verdict"].as_str().unwrap())
        .collect();
    let first_error = verdicts
        .iter()
        .position(|v| *v == "error")
        .expect("an error look while it was down");
    assert!(
        verdicts[..first_error].iter().all(|v| *v == "pass"),
        "{verdicts:?}"
    );
    assert_eq!(verdicts.last(), Some(&"fail"));
    assert!(
        done.stdout.contains("errors error - (max 0.01)"),
        "{}",
        done.stdout
    );
    assert!(
        done.stdout
            .contains("killed cards: watch: gate errors is 0.5"),
        "{}",
        done.stdout
    );
    stop(&again.dir);
}
