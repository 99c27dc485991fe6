//! `http:` and `command:` gates (pass, fail, error), gate configuration errors, and checklist
//! `gate:` tasks.

use serde_json::json;

use crate::gates_support::{closed_port, Server};
use crate::test::Project;

fn with_gates(gates: &str) -> Project {
    Project::new().file(
        "stages.yaml",
        &format!("flag: cards\ngates:\n{gates}stages:\n  - {{ name: internal, percentage: 5 }}\n"),
    )
}

fn rows(p: &Project) -> Vec<(String, String, String)> {
    let done = p
        .rollout(["gates", "--json", "--timeout", "1s"])
        .status(1)
        .run();
    verdict_rows(&done.json())
}

/// Each gate of a `gates --json` document as (verdict, shown, why).
pub(crate) fn verdict_rows(doc: &serde_json::Value) -> Vec<(String, String, String)> {
    doc["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["verdict"].as_str().unwrap().to_string(),
                v["shown"].as_str().unwrap().to_string(),
                v["why"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

pub(crate) fn t(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.into(), b.into(), c.into())
}

#[test]
fn http_gates_pass_on_the_expected_status_and_compare_a_json_pointer() {
    let server = Server::start(|req, _| match req.path.as_str() {
        "/healthz" => (200, vec![], "ok".into()),
        "/down" => (503, vec![], "maintenance".into()),
        "/stats" => (
            200,
            vec![],
            json!({"checks": {"latency_ms": 42, "p99": "250"}}).to_string(),
        ),
        _ => (404, vec![], String::new()),
    });
    let u = server.url();
    let closed = closed_port();
    let gone = format!("http://127.0.0.1:{}/healthz", closed.port);
    let p = with_gates(&format!(
        "  - {{ name: health, http: {{ url: '{u}/healthz' }} }}
  - {{ name: down, http: {{ url: '{u}/down', expect_status: 200 }} }}
  - {{ name: latency, http: {{ url: '{u}/stats', pointer: /checks/latency_ms }}, max: 100 }}
  - {{ name: p99, http: {{ url: '{u}/stats', pointer: /checks/p99 }}, max: 100 }}
  - {{ name: absent, http: {{ url: '{u}/stats', pointer: /checks/none }}, max: 100 }}
  - {{ name: gone, http: {{ url: '{gone}' }} }}
"
    ));
    let got = rows(&p);
    assert_eq!(got[0], t("pass", "status 200", ""));
    assert_eq!(got[1], t("fail", "status 503", ""));
    assert_eq!(got[2], t("pass", "42", ""));
    assert_eq!(got[3], t("fail", "250", ""));
    assert_eq!(got[4], t("no-data", "-", "no value at /checks/none"));
    assert_eq!(got[5].0, "error");
    assert!(
        got[5].2.starts_with("the http gate at http://127.0.0.1:"),
        "{:?}",
        got[5]
    );
    assert!(got[5].2.contains("is unreachable"), "{:?}", got[5]);
    assert!(
        got[5].2.ends_with("; check the gate's http url"),
        "{:?}",
        got[5]
    );
}

#[test]
fn unreachable_metric_sources_name_the_setting_to_change() {
    let closed = closed_port();
    let url = format!("http://127.0.0.1:{}", closed.port);
    let p = with_gates(
        "  - { name: errors, prometheus: { query: up }, max: 1 }
  - { name: render, datadog: { query: 'avg:render{*}' }, max: 1 }
",
    );
    let done = p
        .rollout(["gates", "--json", "--timeout", "1s"])
        .env("ROLLOUT_PROMETHEUS_URL", &url)
        .env("ROLLOUT_DATADOG_URL", &url)
        .env("DD_API_KEY", "k")
        .env("DD_APP_KEY", "k")
        .status(1)
        .run();
    let doc = done.json();
    let why = |i: usize| doc["gates"][i]["why"].as_str().unwrap_or("").to_string();
    let prom = why(0);
    assert!(
        prom.starts_with(&format!("Prometheus at {url} is unreachable")),
        "{prom}"
    );
    assert!(
        prom.ends_with("; set defaults.prometheus.url in stages.yaml or ROLLOUT_PROMETHEUS_URL, or start a local one with scripts/prometheus-up"),
        "{prom}"
    );
    let dd = why(1);
    assert!(dd.starts_with("Datadog at "), "{dd}");
    assert!(
        dd.ends_with("; set defaults.datadog.site in stages.yaml or ROLLOUT_DATADOG_URL"),
        "{dd}"
    );
    let table = p
        .rollout(["gates", "--timeout", "1s"])
        .env("ROLLOUT_PROMETHEUS_URL", &url)
        .env("ROLLOUT_DATADOG_URL", &url)
        .env("DD_API_KEY", "k")
        .env("DD_APP_KEY", "k")
        .status(1)
        .run();
    assert!(
        table.stdout.contains("scripts/prometheus-up"),
        "{}",
        table.stdout
    );
}

#[test]
fn command_gates_use_the_exit_code_or_one_number() {
    let p = with_gates(
        "  - { name: ok, command: 'true' }
  - { name: broken, command: 'echo checking; echo upstream down >&2; exit 3' }
  - { name: number, command: 'echo 0.004', max: 0.01 }
  - { name: high, command: 'printf \"0.2\\n\"', max: 0.01 }
  - { name: words, command: 'echo fine', max: 0.01 }
  - { name: crashed, command: 'exit 2', max: 0.01 }
  - { name: silent, command: 'true', max: 0.01 }
",
    );
    let got = rows(&p);
    assert_eq!(
        got,
        [
            t("pass", "exit 0", ""),
            t("fail", "exit 3: upstream down", ""),
            t("pass", "0.004", ""),
            t("fail", "0.2", ""),
            t("error", "-", "the command printed `fine`, not a number"),
            t("error", "-", "the command failed (exit 2)"),
            t("no-data", "-", "the command printed nothing"),
        ]
    );
}

#[test]
fn gate_configuration_errors_point_at_the_line() {
    let p = Project::new().file(
        "stages.yaml",
        "flag: cards
gates:
  - { name: error-rate, prometheus: { query: 'up' } }
  - { name: lat, prometheus: { query: 'up' }, max: 1, severity: critcal }
  - { name: lat2, prometheus: { qeury: 'up' }, max: 1, for: soon }
  - { name: both, command: 'true', http: { url: 'http://x' } }
stages:
  - { name: internal, percentage: 5, gates: [error-rate, eror-rate] }
",
    );
    let done = p.rollout(["validate"]).status(2).run();
    for want in [
        "stages.yaml:3:5: gate `error-rate` has no threshold: neither `max`, `min` nor `compare`",
        "stages.yaml:4:65: unknown severity `critcal`\n  help: did you mean `critical`?",
        "stages.yaml:5:33: unknown key `qeury` in `prometheus` of gate `lat2`\n  help: did you mean `query`?",
        "stages.yaml:5:61: `for` of gate `lat2` `soon` is not a duration",
        "stages.yaml:6:19: gate `both` has more than one source: http, command",
        "stages.yaml:8:58: stage 1 names gate `eror-rate`, which is not defined\n  help: did you mean `error-rate`?",
        "7 problems in stages.yaml",
    ] {
        assert!(done.stderr.contains(want), "missing {want:?} in\n{}", done.stderr);
    }
}

#[test]
fn checklist_gate_tasks_pass_when_the_gate_passes() {
    let p = with_gates(
        "  - { name: error-rate, command: 'echo 0.002', max: 0.01 }
  - { name: latency, command: 'echo 0.3', max: 0.1, severity: warning }
",
    )
    .file(
        "checklists/post-deployment.yaml",
        "tasks:
  - name: Monitor error rates
    gate: error-rate
  - name: Check performance metrics
    gate: latency
  - name: Missing
    gate: nope
",
    );
    let done = p.checklist(["run", "post-deployment"]).status(1).run();
    assert!(
        done.stderr
            .contains("✓ Monitor error rates [monitor-error-rates] passed"),
        "{}",
        done.stderr
    );
    assert!(
        done.stderr.contains("✗ Check performance metrics [check-performance-metrics] failed after 0.0s: latency fail: 0.3 > max 0.1 (now, warning)\n"),
        "{}",
        done.stderr
    );
    assert_eq!(done.stdout, "1 passed, 1 failed, 1 skipped\n");
    let missing = p
        .checklist(["run", "post-deployment", "--only", "missing"])
        .status(1)
        .run();
    assert!(
        missing
            .stderr
            .contains("failed after 0.0s: there is no gate `nope` in stages.yaml"),
        "{}",
        missing.stderr
    );
    p.rollout(["validate"])
        .status(2)
        .stderr_has("checklists/post-deployment.yaml:6:5: task `Missing` checks gate `nope`, which stages.yaml does not define\n  help: the gates are: error-rate, latency")
        .run();
    let shown = p.checklist(["show", "post-deployment"]).run();
    assert!(
        shown
            .stdout
            .contains("1  monitor-error-rates        gate  Monitor error rates"),
        "{}",
        shown.stdout
    );
}
