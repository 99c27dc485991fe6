//! `datadog:` gates: the metrics query API, `GET /api/v1/query?from=&to=&query=` with the
//! `DD-API-KEY` and `DD-APPLICATION-KEY` headers (keys from the environment only). One series
//! must answer; it is reduced to one value as the gate says (`reduce:`, default the last
//! non-null point), and the verdict says which.
//!
//! Documented shapes (Datadog API v1 "Query timeseries points"): 200
//! `{"status":"ok","series":[{"pointlist":[[ms, value|null], ...], ...}], ...}`; an empty
//! `series` is no data; 400 `{"errors":[...]}`, 403 `{"errors":["Forbidden"]}`, 429 with
//! `X-RateLimit-Reset` (seconds until the reset).

use std::time::Duration;

use serde_json::Value;

use super::{plain, Env, Reading};
use crate::adapters::http_client::Call;
use crate::domain::config::Reduce;

pub(super) async fn read(env: &Env<'_>, query: &str, window: Duration, reduce: Reduce) -> Reading {
    let defaults = &env.config.defaults;
    let (api_var, app_var) = defaults.datadog_keys();
    let key = |var: &str| std::env::var(var).ok().filter(|v| !v.is_empty());
    let (Some(api), Some(app)) = (key(&api_var), key(&app_var)) else {
        return Reading::Error(format!(
            "Datadog keys missing: export {api_var} and {app_var}"
        ));
    };
    let base = defaults.datadog_url();
    let client = super::client(env, "Datadog", &base)
        .and_then(|c| c.secret_header("dd-api-key", &api, &api_var))
        .and_then(|c| c.secret_header("dd-application-key", &app, &app_var));
    let client = match client {
        Ok(c) => c,
        Err(e) => return Reading::Error(e.message),
    };
    let to = env.now.timestamp();
    let from = to - i64::try_from(window.as_secs()).unwrap_or(300).max(1);
    let params = [
        ("from", from.to_string()),
        ("to", to.to_string()),
        ("query", query.to_string()),
    ];
    let path = match reqwest::Url::parse_with_params("http://x/api/v1/query", &params) {
        Ok(u) => format!("/api/v1/query?{}", u.query().unwrap_or_default()),
        Err(e) => return Reading::Error(format!("cannot build the query URL: {e}")),
    };
    let reply = match client.send(&Call::get(path), env.deadline()).await {
        Ok(r) => r,
        Err(gave_up) => {
            let rate_limited = gave_up.last.reply().is_some_and(|r| r.status == 429);
            let text = super::gave_up_with(
                &gave_up,
                "set defaults.datadog.site in stages.yaml or ROLLOUT_DATADOG_URL",
            );
            return Reading::Error(if rate_limited {
                format!("Datadog is rate limiting (429): {text}")
            } else {
                text
            });
        }
    };
    let body = reply.value();
    let errors = || {
        body.get("errors")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|e| e.as_str().map_or_else(|| e.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .map_or_else(|| super::not_json(&reply), |s| plain(&s, 200))
    };
    match reply.status {
        200..=299 if !body.is_object() => {
            Reading::Error(format!("Datadog sent {}", super::not_json(&reply)))
        }
        200..=299 => answer(&body, reduce),
        400 => Reading::Error(format!("bad query (400): {}", errors())),
        401 | 403 => Reading::Error(format!(
            "Datadog refused the keys ({}): {}; check {api_var}, {app_var}, the site, and the timeseries_query permission",
            reply.status,
            errors()
        )),
        s => Reading::Error(format!("Datadog answered {s}: {}", errors())),
    }
}

fn answer(body: &Value, reduce: Reduce) -> Reading {
    if body.get("status").and_then(Value::as_str) != Some("ok") {
        return Reading::Error(format!(
            "Datadog answered status {}: {}",
            plain(
                &body.get("status").map(Value::to_string).unwrap_or_default(),
                40
            ),
            plain(
                &body.get("error").map(Value::to_string).unwrap_or_default(),
                200
            )
        ));
    }
    let series = match body.get("series").and_then(Value::as_array) {
        Some(s) => s,
        None => return Reading::Error("an answer without `series`".into()),
    };
    let one = match series.as_slice() {
        [] => return Reading::NoData("empty series: no data in the window".into()),
        [one] => one,
        many => {
            return Reading::Error(format!(
                "{} series answered, one expected: aggregate the query (e.g. avg:metric{{...}} without `by`)",
                many.len()
            ))
        }
    };
    let points: Vec<f64> = one
        .get("pointlist")
        .and_then(Value::as_array)
        .map(|pl| {
            pl.iter()
                .filter_map(|p| p.get(1).and_then(Value::as_f64))
                .collect()
        })
        .unwrap_or_default();
    if points.is_empty() {
        return Reading::NoData("every point in the window is null".into());
    }
    #[allow(clippy::cast_precision_loss)]
    let value = match reduce {
        Reduce::Last => points[points.len() - 1],
        Reduce::Avg => points.iter().sum::<f64>() / points.len() as f64,
        Reduce::Max => points.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        Reduce::Min => points.iter().copied().fold(f64::INFINITY, f64::min),
    };
    let note = match reduce {
        Reduce::Last => "the last non-null point".to_string(),
        r => format!("the {} of {} points", r.name(), points.len()),
    };
    Reading::Value(value, Some(note))
}
