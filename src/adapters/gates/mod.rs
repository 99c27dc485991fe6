//! Metric gates (docs/gates.md): each gate reads one value from its source and gets a verdict,
//! `pass`, `fail`, `no-data` or `error` (or `not-applicable`: a compare gate before the first
//! stage). Only `pass` passes: an empty or multi-series answer,
//! NaN, an infinity, a bad query or an unreachable source never do, and each is named.
//!
//! Every source reads through the project's one HTTP client ([`crate::adapters::http_client`]) or, for
//! `command:`, a shell. Deciding what a verdict means for a change is [`crate::domain::rules`]'s job.

mod command;
mod compare;
mod datadog;
mod prometheus;
mod web;

use std::time::Duration;

use chrono::{DateTime, Utc};

pub use crate::domain::gates::{num, plain, Arm, Reading, Seen, Status, Tracker, Verdict};
pub use compare::{decide as decide_compare, last_hour, ArmCounts, LastHour};

use crate::domain::config::{Config, Gate, Percentage, Source};
use crate::ports::log::Logger;

/// The most a gate read may take, whatever `--timeout` says: a look must not stall `watch`.
const MAX_READ: Duration = Duration::from_secs(10);

/// What reading the gates needs from the run.
pub struct Env<'a> {
    pub config: &'a Config,
    pub log: &'a Logger,
    /// `--timeout`: a read gives up after this (and at most 10 s).
    pub timeout: Duration,
    pub now: DateTime<Utc>,
    /// When the current stage started (for `compare:`'s `{window}`).
    pub stage_since: Option<DateTime<Utc>>,
    /// The current stage's percentage (for `compare:`'s sample-ratio check).
    pub percentage: Option<Percentage>,
    /// The flag has no stage yet: nothing is on, so a `compare:` gate does not apply.
    pub not_started: bool,
}

impl Env<'_> {
    fn deadline(&self) -> tokio::time::Instant {
        tokio::time::Instant::now() + self.timeout.min(MAX_READ)
    }
}

/// Reads `gates` at once and judges each; `tracker` carries `for:` across looks (a fresh one
/// makes this look the first: a breach starts now).
///
/// The compare gates among `gates` share their alpha: each gets its alpha divided by how many
/// there are.
pub async fn evaluate(env: &Env<'_>, gates: &[&Gate], tracker: &mut Tracker) -> Vec<Verdict> {
    let compared = gates.iter().filter(|g| g.compare.is_some()).count();
    let shared = u32::try_from(compared).unwrap_or(u32::MAX).max(1);
    let reads = gates.iter().map(|g| read(env, g, shared));
    let readings = futures_util::future::join_all(reads).await;
    let mut out = Vec::with_capacity(gates.len());
    for (gate, reading) in gates.iter().zip(readings) {
        let mut v = judge(gate, reading);
        tracker.update(&mut v, gate, env.now);
        out.push(v);
    }
    out
}

/// Reads one gate's source.
async fn read(env: &Env<'_>, gate: &Gate, compare_gates: u32) -> Reading {
    match &gate.source {
        Source::Prometheus { query } => prometheus::read(env, query).await,
        Source::PrometheusCounts { errors, total } => {
            compare::read(env, gate, errors, total, compare_gates).await
        }
        Source::Datadog {
            query,
            window,
            reduce,
        } => datadog::read(env, query, *window, *reduce).await,
        Source::Http {
            url,
            expect_status,
            pointer,
        } => web::read(env, url, *expect_status, pointer.as_deref()).await,
        Source::Command { run } => {
            command::read(env, run, gate.max.is_some() || gate.min.is_some()).await
        }
    }
}

fn threshold(gate: &Gate) -> String {
    match (&gate.source, gate.min, gate.max) {
        (_, Some(lo), Some(hi)) => format!("min {} max {}", num(lo), num(hi)),
        (_, None, Some(hi)) => format!("max {}", num(hi)),
        (_, Some(lo), None) => format!("min {}", num(lo)),
        (Source::Http { expect_status, .. }, None, None) => format!("status {expect_status}"),
        (Source::Command { .. }, None, None) => "exit 0".into(),
        _ => match &gate.compare {
            Some(c) => format!("max increase {}", num(c.max_increase)),
            None => "-".into(),
        },
    }
}

fn window(gate: &Gate) -> String {
    match &gate.source {
        Source::Prometheus { query } => prometheus::window(query),
        Source::PrometheusCounts { .. } => "since the stage started".into(),
        Source::Datadog { window, .. } => crate::domain::clock::span(*window),
        Source::Http { .. } | Source::Command { .. } => "now".into(),
    }
}

/// The verdict for `reading` under the gate's thresholds.
#[must_use]
pub fn judge(gate: &Gate, reading: Reading) -> Verdict {
    let mut v = Verdict {
        gate: gate.name.clone(),
        source: gate.source.kind(),
        severity: gate.severity,
        verdict: Status::Error,
        value: None,
        shown: "-".into(),
        threshold: threshold(gate),
        window: window(gate),
        why: None,
        hold: crate::domain::clock::span(gate.hold),
        held: None,
        sustained: false,
        compare: None,
    };
    match reading {
        Reading::Value(x, _) if x.is_nan() => {
            v.shown = "NaN".into();
            v.verdict = Status::NoData;
            v.why = Some("the value is NaN (0/0: no traffic in the window?)".into());
        }
        Reading::Value(x, _) if x.is_infinite() => {
            v.shown = num(x);
            v.verdict = Status::Error;
            v.why = Some(format!("the value is {} (a division by zero?)", num(x)));
        }
        Reading::Value(x, note) => {
            v.value = Some(x);
            v.shown = num(x);
            let above = gate.max.is_some_and(|m| x > m);
            let below = gate.min.is_some_and(|m| x < m);
            v.verdict = if above || below {
                Status::Fail
            } else {
                Status::Pass
            };
            v.why = note;
        }
        Reading::Passed(seen) => {
            v.shown = seen;
            v.verdict = Status::Pass;
        }
        Reading::Failed(seen, value) => {
            v.shown = seen;
            v.value = value;
            v.verdict = Status::Fail;
        }
        Reading::NoData(why) => {
            v.verdict = Status::NoData;
            v.why = Some(why);
        }
        Reading::Error(why) => {
            v.verdict = Status::Error;
            v.why = Some(why);
        }
        Reading::NotApplicable(why) => {
            v.verdict = Status::NotApplicable;
            v.why = Some(why);
        }
        Reading::Compared(c) => {
            compare::show(&mut v, &c);
            v.compare = Some(c);
        }
    }
    v
}

/// Why a source could not be read, short: service, base URL and the last cause, without the
/// (long, URL-encoded) query.
#[must_use]
pub fn gave_up(g: &crate::adapters::http_client::GaveUp) -> String {
    let tries = if g.attempts == 1 {
        "1 attempt".to_string()
    } else {
        format!("{} attempts", g.attempts)
    };
    plain(
        &format!(
            "{} at {} {} ({tries} in {:.1} s)",
            g.service,
            g.base,
            g.last,
            g.elapsed.as_secs_f64()
        ),
        300,
    )
}

/// [`gave_up`], and when the source was never reached (refused, no such name, no answer in
/// time) what to change: `fix`, e.g. the setting that holds its URL. One line.
#[must_use]
pub fn gave_up_with(g: &crate::adapters::http_client::GaveUp, fix: &str) -> String {
    use crate::adapters::http_client::Cause;
    let text = gave_up(g);
    match g.last {
        Cause::Connect(_) | Cause::Timeout(_) => format!("{text}; {fix}"),
        _ => text,
    }
}

/// What came back instead of a JSON object, for an error's reason: its status, its content
/// type and the start of its body, on one line without control characters.
#[must_use]
pub fn not_json(reply: &crate::adapters::http_client::Reply) -> String {
    let content_type = reply
        .headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| "no content type".to_string(), |t| plain(t, 60));
    let start = plain(&reply.excerpt(100), 101);
    if start.is_empty() {
        format!("an empty answer ({} {content_type})", reply.status)
    } else {
        format!(
            "an answer that is not JSON ({} {content_type}): {start}",
            reply.status
        )
    }
}

/// What to change when Prometheus cannot be reached.
pub const PROMETHEUS_FIX: &str = "set defaults.prometheus.url in stages.yaml or ROLLOUT_PROMETHEUS_URL, or start a local one with scripts/prometheus-up";

/// A client for a gate source: retries stay quiet unless `-v` (the verdict says what failed).
pub(crate) fn client(
    env: &Env<'_>,
    service: &str,
    base: &str,
) -> crate::domain::error::Result<crate::adapters::http_client::Client> {
    let mut c = crate::adapters::http_client::Client::new(
        service,
        base,
        crate::adapters::http_client::Policy::for_deadline(env.timeout),
    )?;
    if env.log.verbose() {
        c.set_log(env.log.clone());
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_for_people() {
        assert_eq!(num(0.01), "0.01");
        assert_eq!(num(0.0099), "0.0099");
        assert_eq!(num(200.0), "200");
        assert_eq!(num(0.0), "0");
        assert_eq!(num(f64::NAN), "NaN");
        assert_eq!(num(f64::NEG_INFINITY), "-Inf");
        assert_eq!(num(1e-9), "1.000e-9");
        assert_eq!(num(999_999_999_999.0), "999999999999");
        // Bounded width however large or small: never hundreds of digits.
        assert_eq!(num(1e308), "1.000e308");
        assert_eq!(num(-1.5e300), "-1.500e300");
        assert_eq!(num(f64::MAX), "1.798e308");
        assert_eq!(num(-5e-324), "-4.941e-324");
        for v in [1e12, -1e15, 1e-300, 123.456_789_123, -0.000_001_5] {
            assert!(num(v).len() <= 20, "{v}: {}", num(v));
        }
    }

    #[test]
    fn control_characters_never_reach_output() {
        assert_eq!(plain("a\x1b[31mb\nc", 80), "a [31mb c");
    }
}
