//! A gate's source in stages.yaml (`prometheus:`, `datadog:`, `http:` or `command:`), read into
//! a [`Source`], one reader per kind.

use super::format;
use super::gate::{Reduce, Source, DEFAULT_DATADOG_WINDOW, DEFAULT_EXPECT_STATUS, DEFAULT_REDUCE};
use crate::domain::keys::Keys;
use crate::domain::yaml::Node;
use crate::domain::yaml_reader::{Fields, Reader};

/// The keys that name a gate's source: a gate has exactly one.
const SOURCE_KEYS: [&str; 4] = ["prometheus", "datadog", "http", "command"];

pub(super) fn read_source(r: &mut Reader, fields: &Fields<'_>, what: &str) -> Option<Source> {
    let present: Vec<&str> = SOURCE_KEYS
        .iter()
        .copied()
        .filter(|k| fields.get(k).is_some())
        .collect();
    let key = match present.as_slice() {
        [one] => *one,
        [] => {
            r.error(
                fields.pos,
                format!("{what} has no source"),
                "add one of `prometheus: { query: '...' }`, `datadog: { query: '...' }`, `http: { url: ... }` or `command: ...`",
            );
            return None;
        }
        more => {
            r.error(
                fields.key_pos(more[1]).unwrap_or(fields.pos),
                format!("{what} has more than one source: {}", more.join(", ")),
                "keep one source per gate; write another gate for the other metric",
            );
            return None;
        }
    };
    let node = fields.get(key)?;
    let inner = format!("`{key}` of {what}");
    match key {
        "prometheus" => read_prometheus(r, node, &inner),
        "datadog" => read_datadog(r, node, &inner),
        "http" => read_http(r, node, &inner),
        _ => read_command(r, node, &inner),
    }
}
fn query(r: &mut Reader, node: &Node, what: &str) -> Option<String> {
    let q = r.string(node, &format!("the query of {what}"))?;
    if q.trim().is_empty() {
        r.error(
            node.pos,
            format!("the query of {what} is empty"),
            "write the query",
        );
        return None;
    }
    Some(q)
}

/// `prometheus:`: one `query`, or `errors` and `total` for a compare gate.
fn read_prometheus(r: &mut Reader, node: &Node, inner: &str) -> Option<Source> {
    let f = r.mapping(node, inner, format::PrometheusSource::keys())?;
    if f.get("errors").is_some() || f.get("total").is_some() {
        let errors = r
            .required(
                &f,
                "errors",
                inner,
                "'sum(increase(...{variant}...[{window}]))'",
            )
            .and_then(|n| query(r, n, inner));
        let total = r
            .required(
                &f,
                "total",
                inner,
                "'sum(increase(...{variant}...[{window}]))'",
            )
            .and_then(|n| query(r, n, inner));
        if let Some(k) = f.key_pos("query") {
            r.error(
                k,
                format!("{inner} has `query` beside `errors`/`total`"),
                "a compare gate reads `errors` and `total`; drop `query`",
            );
        }
        Some(Source::PrometheusCounts {
            errors: errors?,
            total: total?,
        })
    } else {
        let q = r
            .required(&f, "query", inner, "'sum(rate(...[5m]))'")
            .and_then(|n| query(r, n, inner))?;
        Some(Source::Prometheus { query: q })
    }
}

/// `datadog:`: a query, its window and how its points reduce to one value.
fn read_datadog(r: &mut Reader, node: &Node, inner: &str) -> Option<Source> {
    let f = r.mapping(node, inner, format::DatadogSource::keys())?;
    let q = r
        .required(
            &f,
            "query",
            inner,
            "'avg:builder.card.render_time{variant:on}'",
        )
        .and_then(|n| query(r, n, inner));
    let window = match f.value("window") {
        Some(n) => r.duration(n, &format!("`window` of {inner}"))?,
        None => DEFAULT_DATADOG_WINDOW,
    };
    let reduce = match f.value("reduce") {
        Some(n) => {
            let t = r.string(n, &format!("`reduce` of {inner}"))?;
            let Some(red) = Reduce::parse(&t) else {
                r.error(
                    n.pos,
                    format!("unknown `reduce: {t}`"),
                    "write one of: last, avg, max, min",
                );
                return None;
            };
            red
        }
        None => DEFAULT_REDUCE,
    };
    Some(Source::Datadog {
        query: q?,
        window,
        reduce,
    })
}

/// `http:`: a URL, the status it must answer and where a number is in its JSON.
fn read_http(r: &mut Reader, node: &Node, inner: &str) -> Option<Source> {
    let f = r.mapping(node, inner, format::HttpSource::keys())?;
    let url = r
        .required(&f, "url", inner, "https://staging.example.com/healthz")
        .and_then(|n| {
            let u = r.string(n, &format!("`url` of {inner}"))?;
            super::check_url(r, &u, n.pos, inner);
            Some(u)
        });
    let expect_status = match f.value("expect_status") {
        Some(n) => {
            let v = r.number(n, &format!("`expect_status` of {inner}"))?;
            if !(100.0..=599.0).contains(&v) || v.fract() != 0.0 {
                r.error(
                    n.pos,
                    format!("`expect_status` of {inner} is {v}, not an HTTP status"),
                    "write a status code from 100 to 599, e.g. 200",
                );
                return None;
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let s = v as u16;
            s
        }
        None => DEFAULT_EXPECT_STATUS,
    };
    let pointer = match f.value("pointer") {
        Some(n) => {
            let p = r.string(n, &format!("`pointer` of {inner}"))?;
            if !p.starts_with('/') {
                r.error(
                    n.pos,
                    format!("`pointer` of {inner} is not a JSON pointer"),
                    "write a JSON pointer starting with `/`, e.g. /checks/latency_ms",
                );
                return None;
            }
            Some(p)
        }
        None => None,
    };
    Some(Source::Http {
        url: url?,
        expect_status,
        pointer,
    })
}

/// `command:`: a command line, run by `sh`.
fn read_command(r: &mut Reader, node: &Node, inner: &str) -> Option<Source> {
    let run = r.string(node, inner)?;
    if run.trim().is_empty() {
        r.error(
            node.pos,
            format!("{inner} is empty"),
            "write the command to run, e.g. scripts/check-latency",
        );
        return None;
    }
    Some(Source::Command { run })
}
