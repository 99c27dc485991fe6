//! `datadog:` gates against a contract server that checks every request against Datadog's
//! documented shapes (API v1 "Query timeseries points": `GET /api/v1/query` with `from`, `to`
//! in Unix seconds and `query`; `DD-API-KEY` and `DD-APPLICATION-KEY` headers) and answers with
//! documented bodies: a series, an empty series, 403, 429 with `X-RateLimit-*`, a status error.

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use crate::gates_support::{Seen, Server};
use crate::test::Project;

const API_KEY: &str = "dd-api-key-0123456789abcdef";
const APP_KEY: &str = "dd-app-key-fedcba9876543210";

/// Checks one request against the documented shape; the problems found.
fn violations(req: &Seen, window: i64) -> Vec<String> {
    let mut bad = Vec::new();
    if req.method != "GET" || req.path != "/api/v1/query" {
        bad.push(format!(
            "{} {} is not GET /api/v1/query",
            req.method, req.path
        ));
    }
    let keys: Vec<&str> = req.query.keys().map(String::as_str).collect();
    if keys != ["from", "query", "to"] {
        bad.push(format!("query parameters {keys:?}, want from, query, to"));
    }
    let secs = |k: &str| req.query.get(k).and_then(|v| v.parse::<i64>().ok());
    match (secs("from"), secs("to")) {
        (Some(from), Some(to)) => {
            let now = chrono::Utc::now().timestamp();
            if (now - to).abs() > 60 {
                bad.push(format!("to={to} is not now in Unix seconds"));
            }
            if to - from != window {
                bad.push(format!(
                    "to - from = {}, want the gate's window {window}",
                    to - from
                ));
            }
        }
        _ => bad.push("from/to are not Unix seconds".into()),
    }
    if req.headers.get("dd-api-key").map(String::as_str) != Some(API_KEY) {
        bad.push("DD-API-KEY missing or wrong".into());
    }
    if req.headers.get("dd-application-key").map(String::as_str) != Some(APP_KEY) {
        bad.push("DD-APPLICATION-KEY missing or wrong".into());
    }
    bad
}

/// A documented 200 body with one series of `points`.
fn series_body(query: &str, points: &[Option<f64>]) -> String {
    let start = 1_700_000_000_000_i64;
    let pointlist: Vec<Value> = points
        .iter()
        .enumerate()
        .map(|(i, p)| json!([start + i as i64 * 20_000, p]))
        .collect();
    json!({
        "status": "ok", "res_type": "time_series", "query": query,
        "from_date": start, "to_date": start + 300_000, "group_by": [],
        "series": [{
            "metric": "builder.card.render_time", "display_name": "builder.card.render_time",
            "scope": "variant:on", "expression": query, "pointlist": pointlist,
            "start": start, "end": start + 300_000, "interval": 20, "length": points.len(),
            "aggr": "avg", "unit": [{"family": "time", "name": "second"}, null]
        }]
    })
    .to_string()
}

fn contract_server(problems: Arc<Mutex<Vec<String>>>) -> Server {
    Server::start(move |req, _| {
        let query = req.query.get("query").cloned().unwrap_or_default();
        let window = if query.contains("slow") { 600 } else { 300 };
        let bad = violations(req, window);
        if !bad.is_empty() {
            problems.lock().unwrap().extend(bad.clone());
            return (400, vec![], json!({"errors": bad}).to_string());
        }
        match query.as_str() {
            q if q.contains("render") => (200, vec![], series_body(q, &[Some(0.07), Some(0.08), None])),
            q if q.contains("slow") => (200, vec![], series_body(q, &[Some(0.1), Some(0.3)])),
            q if q.contains("empty") => (
                200,
                vec![],
                json!({"status": "ok", "res_type": "time_series", "query": q, "series": [],
                       "from_date": 0, "to_date": 0, "group_by": []})
                .to_string(),
            ),
            q if q.contains("forbidden") => (403, vec![], json!({"errors": ["Forbidden"]}).to_string()),
            q if q.contains("always-limited") => (
                429,
                vec![
                    ("X-RateLimit-Limit".into(), "100".into()),
                    ("X-RateLimit-Period".into(), "60".into()),
                    ("X-RateLimit-Remaining".into(), "0".into()),
                    ("X-RateLimit-Reset".into(), "30".into()),
                ],
                json!({"errors": ["Rate limit of 100 requests in 60 seconds reached"]}).to_string(),
            ),
            q if q.contains("broken") => (
                200,
                vec![],
                json!({"status": "error", "error": "Error parsing query: unable to parse broken(", "series": []}).to_string(),
            ),
            q => (400, vec![], json!({"errors": [format!("no such metric in the contract: {q}")]}).to_string()),
        }
    })
}

fn project() -> Project {
    Project::new().file(
        "stages.yaml",
        "flag: cards
defaults:
  datadog: { site: datadoghq.eu }
gates:
  - { name: render-time, datadog: { query: 'p95:builder.card.render{variant:on}' }, max: 0.1, for: 10m, severity: warning }
  - { name: slow, datadog: { query: 'avg:slow{variant:on}', window: 10m, reduce: avg }, max: 0.1 }
  - { name: empty, datadog: { query: 'avg:empty{variant:on}' }, max: 0.1 }
  - { name: forbidden, datadog: { query: 'avg:forbidden{*}' }, max: 0.1 }
  - { name: limited, datadog: { query: 'avg:always-limited{*}' }, max: 0.1 }
  - { name: broken, datadog: { query: 'broken(' }, max: 0.1 }
stages:
  - { name: internal, percentage: 5 }
",
    )
}

#[test]
fn datadog_gates_read_the_documented_api_with_both_keys_and_name_each_outcome() {
    let problems = Arc::new(Mutex::new(Vec::new()));
    let server = contract_server(Arc::clone(&problems));
    let done = project()
        .rollout(["gates", "--json", "--timeout", "2s"])
        .env("ROLLOUT_DATADOG_URL", &server.url())
        .env("DD_API_KEY", API_KEY)
        .env("DD_APP_KEY", APP_KEY)
        .status(1)
        .run();
    assert_eq!(
        *problems.lock().unwrap(),
        Vec::<String>::new(),
        "contract violations"
    );
    let doc = done.json();
    let row = |name: &str| -> (String, String, String) {
        let v = doc["gates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["gate"] == name)
            .unwrap();
        (
            v["verdict"].as_str().unwrap().into(),
            v["shown"].as_str().unwrap().into(),
            v["why"].as_str().unwrap_or("").into(),
        )
    };
    let t = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        row("render-time"),
        t("pass", "0.08", "the last non-null point")
    );
    assert_eq!(row("slow"), t("fail", "0.2", "the avg of 2 points"));
    assert_eq!(
        row("empty"),
        t("no-data", "-", "empty series: no data in the window")
    );
    assert_eq!(
        row("forbidden"),
        t("error", "-", "Datadog refused the keys (403): Forbidden; check DD_API_KEY, DD_APP_KEY, the site, and the timeseries_query permission")
    );
    let limited = row("limited");
    assert_eq!(limited.0, "error");
    assert!(
        limited
            .2
            .starts_with("Datadog is rate limiting (429): Datadog at "),
        "{limited:?}"
    );
    assert!(limited.2.contains("asked to wait 30 s"), "{limited:?}");
    assert!(
        row("broken")
            .2
            .starts_with("Datadog answered status \"error\": \"Error parsing query"),
        "{:?}",
        row("broken")
    );
    assert_eq!(doc["gates"][1]["window"], "10m");
    for text in [&done.stdout, &done.stderr] {
        assert!(
            !text.contains(API_KEY) && !text.contains(APP_KEY),
            "a key was printed"
        );
    }
    // 6 gates, one request each: a 429 that asks for longer than the deadline is not retried.
    assert_eq!(server.requests().len(), 6);
}

#[test]
fn a_429_within_the_deadline_is_waited_out() {
    let server = Server::start(|req, n| {
        let q = req.query.get("query").cloned().unwrap_or_default();
        if n == 0 {
            (
                429,
                vec![("X-RateLimit-Reset".into(), "1".into())],
                json!({"errors": ["Rate limit reached"]}).to_string(),
            )
        } else {
            (200, vec![], series_body(&q, &[Some(0.05)]))
        }
    });
    let done = Project::new()
        .file(
            "stages.yaml",
            "flag: cards\ngates:\n  - { name: render, datadog: { query: 'avg:render{*}' }, max: 0.1 }\nstages:\n  - { name: a, percentage: 5 }\n",
        )
        .rollout(["gates", "--json", "--timeout", "5s"])
        .env("ROLLOUT_DATADOG_URL", &server.url())
        .env("DD_API_KEY", API_KEY)
        .env("DD_APP_KEY", APP_KEY)
        .run();
    assert_eq!(done.json()["gates"][0]["verdict"], "pass");
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert!(violations(&seen[1], 300).is_empty());
}

#[test]
fn missing_keys_are_named_and_the_key_variables_can_be_renamed() {
    let server = Server::start(|req, _| {
        let q = req.query.get("query").cloned().unwrap_or_default();
        (200, vec![], series_body(&q, &[Some(0.05)]))
    });
    let proj = Project::new().file(
        "stages.yaml",
        "flag: cards\ndefaults:\n  datadog: { api_key_env: TEAM_DD_API, app_key_env: TEAM_DD_APP }\ngates:\n  - { name: render, datadog: { query: 'avg:render{*}' }, max: 0.1 }\nstages:\n  - { name: a, percentage: 5 }\n",
    );
    let missing = proj
        .rollout(["gates", "--json"])
        .env("ROLLOUT_DATADOG_URL", &server.url())
        .env("DD_API_KEY", API_KEY)
        .status(1)
        .run();
    assert_eq!(
        missing.json()["gates"][0]["why"],
        "Datadog keys missing: export TEAM_DD_API and TEAM_DD_APP"
    );
    assert!(server.requests().is_empty());
    let done = proj
        .rollout(["gates", "--json"])
        .env("ROLLOUT_DATADOG_URL", &server.url())
        .env("TEAM_DD_API", API_KEY)
        .env("TEAM_DD_APP", APP_KEY)
        .run();
    assert_eq!(done.json()["gates"][0]["verdict"], "pass");
    assert!(violations(&server.requests()[0], 300).is_empty());
}
