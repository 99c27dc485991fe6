//! `prometheus:` gates: one instant query (`GET /api/v1/query`), which must answer exactly one
//! number. Compared here, never in PromQL (`expr < 0.01` answers `[]` alike for a failing value,
//! NaN and no data).
//!
//! Answer shapes (Prometheus HTTP API, seen from Prometheus 2.42): a vector
//! `{"status":"success","data":{"resultType":"vector","result":[{"metric":{..},"value":[ts,"0.01"]}]}}`,
//! a scalar `"result":[ts,"0.01"]`, NaN and infinities as `"NaN"`, `"+Inf"`, `"-Inf"`; errors
//! `{"status":"error","errorType":"bad_data","error":"..."}` with 400 (bad query), 422
//! (execution) or 503 (timeout).

use serde_json::Value;

use super::{plain, Env, Reading};
use crate::adapters::http_client::Call;

pub(super) async fn read(env: &Env<'_>, query: &str) -> Reading {
    let Some(base) = env.config.defaults.prometheus_url() else {
        return Reading::Error(
            "no Prometheus URL: set `defaults.prometheus.url` in stages.yaml or ROLLOUT_PROMETHEUS_URL"
                .into(),
        );
    };
    let client = match super::client(env, "Prometheus", &base) {
        Ok(c) => c,
        Err(e) => return Reading::Error(e.message),
    };
    let path = match reqwest::Url::parse_with_params("http://x/api/v1/query", &[("query", query)]) {
        Ok(u) => format!("/api/v1/query?{}", u.query().unwrap_or_default()),
        Err(e) => return Reading::Error(format!("cannot build the query URL: {e}")),
    };
    let reply = match client.send(&Call::get(path), env.deadline()).await {
        Ok(r) => r,
        Err(gave_up) => {
            return Reading::Error(super::gave_up_with(&gave_up, super::PROMETHEUS_FIX))
        }
    };
    if reply.ok() {
        if let Some(refused) = refused_unparsed(&reply.body) {
            return refused;
        }
    }
    let body = reply.value();
    if !reply.ok() {
        let said = body
            .get("error")
            .and_then(Value::as_str)
            .map_or_else(|| super::not_json(&reply), |s| plain(s, 200));
        return Reading::Error(match reply.status {
            400 => format!("bad query (400): {said}"),
            422 => format!("the query failed to run (422): {said}"),
            404 => format!("404 from {base}: is this a Prometheus URL? ({said})"),
            s => format!("Prometheus answered {s}: {said}"),
        });
    }
    if !body.is_object() {
        return Reading::Error(format!("Prometheus sent {}", super::not_json(&reply)));
    }
    answer(&body)
}

/// An answer of many series (or a range vector) refused from its shape alone, read without
/// building it: up to 16 MiB of series labels would take many times that as a JSON tree.
fn refused_unparsed(body: &[u8]) -> Option<Reading> {
    #[derive(serde::Deserialize)]
    struct Shape {
        data: Option<ShapeData>,
    }
    #[derive(serde::Deserialize)]
    struct ShapeData {
        #[serde(rename = "resultType")]
        result_type: Option<String>,
        result: Option<Vec<serde::de::IgnoredAny>>,
    }
    let data = serde_json::from_slice::<Shape>(body).ok()?.data?;
    match (data.result_type.as_deref(), data.result.map(|r| r.len())) {
        (Some("vector"), Some(n)) if n > 1 => Some(Reading::Error(format!(
            "{n} series answered, one expected: aggregate the query (e.g. sum(...))"
        ))),
        (Some("matrix"), _) => Some(matrix()),
        _ => None,
    }
}

fn matrix() -> Reading {
    Reading::Error(
        "a range vector answered: make the query an instant one (e.g. wrap it in rate(...))".into(),
    )
}

/// The one number of a successful answer, or why there is none.
pub(super) fn answer(body: &Value) -> Reading {
    if body.get("status").and_then(Value::as_str) != Some("success") {
        // Its own words when it gives them, else what it sent.
        let said = body.get("error").map_or_else(
            || format!("no error message in {}", plain(&body.to_string(), 160)),
            |e| plain(e.as_str().map_or(&e.to_string(), |s| s), 200),
        );
        return Reading::Error(format!("Prometheus answered an error: {said}"));
    }
    let data = &body["data"];
    let result = &data["result"];
    match data["resultType"].as_str() {
        Some("scalar") => sample(result),
        Some("vector") => match result.as_array().map(Vec::as_slice) {
            Some([]) => Reading::NoData("empty result: no series matched".into()),
            Some([one]) => sample(&one["value"]),
            Some(many) => Reading::Error(format!(
                "{} series answered, one expected: aggregate the query (e.g. sum(...))",
                many.len()
            )),
            None => Reading::Error("a vector answer without a result list".into()),
        },
        Some("matrix") => matrix(),
        other => Reading::Error(format!(
            "an answer of type {} cannot be compared",
            other.unwrap_or("unknown")
        )),
    }
}

fn sample(pair: &Value) -> Reading {
    match pair.get(1).and_then(Value::as_str).map(str::parse::<f64>) {
        Some(Ok(v)) => Reading::Value(v, None),
        _ => Reading::Error(format!("not a sample: {}", plain(&pair.to_string(), 80))),
    }
}

/// The query's widest range selector (`[5m]`), or `instant`.
pub(super) fn window(query: &str) -> String {
    let mut best: Option<(std::time::Duration, String)> = None;
    let mut rest = query;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else { break };
        let inside = after[..close].split(':').next().unwrap_or_default().trim();
        if let Ok(d) = humantime::parse_duration(inside) {
            if best.as_ref().is_none_or(|(b, _)| d > *b) {
                best = Some((d, inside.to_string()));
            }
        }
        rest = &after[close..];
    }
    best.map_or_else(|| "instant".into(), |(_, s)| s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_become_one_number_or_a_named_outcome() {
        let vector = |result: Value| json!({"status":"success","data":{"resultType":"vector","result":result}});
        assert!(
            matches!(answer(&vector(json!([{"metric":{},"value":[1.0,"0.0099"]}]))), Reading::Value(v, _) if (v - 0.0099).abs() < 1e-12)
        );
        assert!(matches!(answer(&vector(json!([]))), Reading::NoData(_)));
        assert!(
            matches!(answer(&vector(json!([{"value":[1,"1"]},{"value":[1,"2"]}]))), Reading::Error(m) if m.starts_with("2 series"))
        );
        assert!(
            matches!(answer(&vector(json!([{"value":[1,"NaN"]}]))), Reading::Value(v, _) if v.is_nan())
        );
        assert!(
            matches!(answer(&vector(json!([{"value":[1,"+Inf"]}]))), Reading::Value(v, _) if v == f64::INFINITY)
        );
        let scalar =
            json!({"status":"success","data":{"resultType":"scalar","result":[1.0,"0.5"]}});
        assert!(matches!(answer(&scalar), Reading::Value(v, _) if (v - 0.5).abs() < 1e-12));
    }

    #[test]
    fn many_series_and_range_vectors_are_refused_from_their_shape() {
        let series = r#"{"metric":{"job":"a"},"value":[1,"1"]}"#;
        let vector = |n: usize| {
            format!(
                r#"{{"status":"success","data":{{"resultType":"vector","result":[{}]}}}}"#,
                vec![series; n].join(",")
            )
        };
        let refused = |body: &str| match refused_unparsed(body.as_bytes()) {
            Some(Reading::Error(why)) => Some(why),
            _ => None,
        };
        assert_eq!(
            refused(&vector(3)).as_deref(),
            Some("3 series answered, one expected: aggregate the query (e.g. sum(...))")
        );
        assert_eq!(refused(&vector(1)), None);
        assert_eq!(refused(&vector(0)), None);
        let scalar = r#"{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}"#;
        assert_eq!(refused(scalar), None);
        let matrix = r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#;
        assert!(refused(matrix).is_some_and(|w| w.starts_with("a range vector")));
        assert_eq!(refused("<html>"), None);
    }

    #[test]
    fn the_window_is_the_widest_range() {
        assert_eq!(window("sum(rate(a[5m])) / sum(rate(b[1h]))"), "1h");
        assert_eq!(window("max_over_time(a[10m:1m])"), "10m");
        assert_eq!(window("up"), "instant");
    }
}
