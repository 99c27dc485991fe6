//! `compare:` gates: treatment (`on`) against control (`off`). This module fetches the counts;
//! the decision is the statistics module's always-valid sequential test (see [`decide`] and
//! docs/compare-gates.md).

use super::{prometheus, Env, Reading, Status};
use crate::domain::config::{Compare, Gate, Percentage};
use crate::domain::stats;

/// Errors and total requests of one arm since the stage started.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArmCounts {
    pub errors: f64,
    pub total: f64,
}

/// THE ONE PLACE a compare gate is decided: given the counts of both arms, the gate's settings,
/// the share of requests the stage sends to `on` (None when not known: a stage whose audience
/// also names users or groups, so there is no split test) and how many compare gates share
/// the gate's alpha, the statistics module's verdict.
#[must_use]
pub fn decide(
    on: ArmCounts,
    off: ArmCounts,
    settings: &Compare,
    stage: Option<Percentage>,
    gates: u32,
) -> Reading {
    let input = stats::CompareInput {
        on: stats::Counts {
            errors: on.errors,
            total: on.total,
        },
        off: stats::Counts {
            errors: off.errors,
            total: off.total,
        },
        stage_percentage: stage.map(Percentage::as_f64),
        alpha: settings.alpha,
        max_increase: settings.max_increase,
        gates: gates.max(1),
    };
    match stats::compare(&input) {
        Ok(v) => Reading::Compared(Box::new(v)),
        Err(e) => Reading::Error(e.0),
    }
}

/// Fills a verdict from a compare decision. `hold` (sample ratio mismatch) is `no-data`: it
/// never passes, so it holds `advance` and `watch --advance`, and it never kills.
pub(super) fn show(v: &mut super::Verdict, c: &stats::CompareVerdict) {
    v.verdict = match c.verdict {
        stats::Verdict::Pass => Status::Pass,
        stats::Verdict::Fail => Status::Fail,
        stats::Verdict::NoData | stats::Verdict::Hold => Status::NoData,
    };
    v.value = c.difference;
    v.shown = match (c.difference, c.interval) {
        (Some(d), Some(i)) => format!(
            "{:+.2} points [{:+.2}, {:+.2}]",
            d * 100.0,
            i.lower * 100.0,
            i.upper * 100.0
        ),
        (Some(d), None) => format!("{:+.2} points", d * 100.0),
        _ => "-".into(),
    };
    let mut why = c.explanation.clone();
    if let Some(n) = c.needed.filter(|_| !why.contains(" more on and ")) {
        why.push_str(&format!(
            "; still needed: {} more on and {} more off requests",
            stats::format::count(n.on as f64),
            stats::format::count(n.off as f64)
        ));
    }
    v.why = Some(super::plain(&why, 600));
}

/// `query` with `{variant}` and `{window}` (whole seconds since the stage started, at least 1s,
/// as PromQL writes a range) filled in.
#[must_use]
pub fn fill(query: &str, variant: &str, window: std::time::Duration) -> String {
    let secs = window.as_secs().max(1);
    query
        .replace("{variant}", variant)
        .replace("{window}", &format!("{secs}s"))
}

/// Fills `{variant}` and `{window}` and reads both counts of both arms.
pub(super) async fn read(
    env: &Env<'_>,
    gate: &Gate,
    errors: &str,
    total: &str,
    gates: u32,
) -> Reading {
    if env.not_started {
        return Reading::NotApplicable(
            "no stage yet: nothing is on to compare with off before the first stage".into(),
        );
    }
    let Some(since) = env.stage_since else {
        return Reading::NoData("cannot tell when the stage started, so there is no window".into());
    };
    let window = (env.now - since).to_std().unwrap_or_default();
    let mut counts = Vec::new();
    for variant in ["on", "off"] {
        let mut arm = [0.0; 2];
        for (i, q) in [errors, total].iter().enumerate() {
            match prometheus::read(env, &fill(q, variant, window)).await {
                Reading::Value(v, _) => arm[i] = v,
                Reading::NoData(why) => {
                    return Reading::NoData(format!("no {variant} counts: {why}"))
                }
                other => return other,
            }
        }
        counts.push(ArmCounts {
            errors: arm[0],
            total: arm[1],
        });
    }
    let Some(settings) = &gate.compare else {
        return Reading::Error("a compare source without `compare:` settings".into());
    };
    decide(counts[0], counts[1], settings, env.percentage, gates)
}

/// A compare gate's traffic over the last hour, for `plan --power`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LastHour {
    /// Requests of both arms together.
    pub requests_per_hour: f64,
    /// The error rate of `off` (None without `off` requests or errors counted).
    pub baseline: Option<f64>,
}

/// Reads `gate`'s `total` of both arms and `errors` of `off` over the last hour
/// (`{window}` = 3600s). Err says why not.
pub async fn last_hour(env: &Env<'_>, gate: &Gate) -> Result<LastHour, String> {
    let super::Source::PrometheusCounts { errors, total } = &gate.source else {
        return Err(format!("gate {} has no `errors`/`total` counts", gate.name));
    };
    let hour = std::time::Duration::from_secs(3600);
    let read = |query: String, what: &'static str| async move {
        match prometheus::read(env, &query).await {
            Reading::Value(v, _) if v.is_finite() && v >= 0.0 => Ok(v),
            Reading::Value(v, _) => Err(format!("its {what} query answered {}", super::num(v))),
            Reading::NoData(why) | Reading::Error(why) => Err(format!("its {what} query: {why}")),
            _ => Err(format!("its {what} query answered no number")),
        }
    };
    let on = read(fill(total, "on", hour), "total").await?;
    let off = read(fill(total, "off", hour), "total").await?;
    let off_errors = read(fill(errors, "off", hour), "errors").await?;
    if on + off <= 0.0 {
        return Err("no requests in the last hour".into());
    }
    Ok(LastHour {
        requests_per_hour: on + off,
        baseline: (off > 0.0 && off_errors > 0.0).then(|| off_errors / off),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::config::{Severity, Source};

    fn verdict(
        on: (f64, f64),
        off: (f64, f64),
        pct: Option<f64>,
        gates: u32,
    ) -> super::super::Verdict {
        let settings = Compare {
            max_increase: 0.005,
            alpha: 0.05,
        };
        let gate = Gate {
            name: "errors-vs-control".into(),
            source: Source::PrometheusCounts {
                errors: "e".into(),
                total: "t".into(),
            },
            max: None,
            min: None,
            compare: Some(settings.clone()),
            hold: std::time::Duration::ZERO,
            severity: Severity::Critical,
            pos: crate::domain::diagnostic::Pos { line: 1, col: 1 },
        };
        let arm = |(errors, total)| ArmCounts { errors, total };
        let reading = decide(
            arm(on),
            arm(off),
            &settings,
            pct.and_then(Percentage::from_percent),
            gates,
        );
        super::super::judge(&gate, reading)
    }

    #[test]
    fn the_statistics_verdict_becomes_the_gates() {
        let pass = verdict((600.0, 60_000.0), (5_400.0, 540_000.0), Some(10.0), 1);
        assert_eq!(pass.verdict, Status::Pass);
        assert_eq!(pass.shown, "+0.00 points [-0.13, +0.14]");
        assert_eq!(pass.line(), "errors-vs-control pass: +0.00 points [-0.13, +0.14] within max increase 0.005 (since the stage started, critical): on 1.00% (600/60,000) vs off 1.00% (5,400/540,000): +0.00 points, 95% always-valid bounds [-0.13, +0.14]: the upper bound is within the allowed +0.50 points");
        let fail = verdict((1_200.0, 60_000.0), (5_400.0, 540_000.0), Some(10.0), 1);
        assert_eq!((fail.verdict, fail.value), (Status::Fail, Some(0.01)));
        // A sample ratio mismatch holds (never a pass) and is no fail, so it never kills.
        let skewed = verdict((720.0, 72_000.0), (5_280.0, 528_000.0), Some(10.0), 1);
        assert_eq!(skewed.verdict, Status::NoData);
        assert_eq!(
            skewed.compare.as_ref().unwrap().verdict,
            stats::Verdict::Hold
        );
        assert!(skewed
            .why
            .unwrap()
            .starts_with("sample ratio mismatch: on has 12.00%"));
        // Without a known share (groups or users in the audience) there is no split test.
        let unknown = verdict((720.0, 72_000.0), (5_280.0, 528_000.0), None, 1);
        assert_eq!(unknown.verdict, Status::Pass);
        // Too little traffic names what each arm still needs.
        let thin = verdict((1.0, 30.0), (2.0, 270.0), Some(10.0), 1);
        assert_eq!(thin.verdict, Status::NoData);
        assert!(thin.why.unwrap().ends_with(
            "each arm needs at least 100 requests; still needed: 70 more on and 0 more off requests"
        ));
    }

    #[test]
    fn compare_gates_of_a_stage_share_alpha() {
        let two = verdict((600.0, 60_000.0), (5_400.0, 540_000.0), Some(10.0), 2);
        let c = two.compare.unwrap();
        assert_eq!((c.alpha, c.interval.unwrap().confidence), (0.025, 0.975));
        assert!(two.why.unwrap().contains("97.5% always-valid bounds"));
    }

    #[test]
    fn bad_counts_are_an_error_naming_the_queries() {
        let v = verdict((200.0, 100.0), (1.0, 100.0), Some(10.0), 1);
        assert_eq!(v.verdict, Status::Error);
        assert_eq!(
            v.why.unwrap(),
            "the `on` arm has more errors (200) than requests (100): check that the `errors` \
             query counts a subset of the `total` query"
        );
    }

    #[test]
    fn variant_and_window_are_filled_in() {
        let q = "sum(increase(http_requests_total{variant=\"{variant}\"}[{window}]))";
        assert_eq!(
            fill(q, "off", std::time::Duration::from_millis(90_500)),
            "sum(increase(http_requests_total{variant=\"off\"}[90s]))"
        );
        assert_eq!(
            fill("x[{window}]", "on", std::time::Duration::ZERO),
            "x[1s]"
        );
    }
}
