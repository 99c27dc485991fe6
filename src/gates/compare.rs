//! `compare:` gates: treatment (`on`) against control (`off`). This module fetches the counts;
//! the decision is the statistics module's (see [`decide`]).

use super::{prometheus, Env, Reading};
use crate::config::{Compare, Gate, Percentage};

/// Errors and total requests of one arm since the stage started.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArmCounts {
    pub errors: f64,
    pub total: f64,
}

/// THE ONE PLACE a compare gate is decided: given the counts of both arms, the gate's settings
/// and the stage's percentage, the verdict's reading. The sequential test lives in the
/// statistics module (branch `stats`); until it is merged, a compare gate is an `error`, never a
/// pass.
#[must_use]
pub fn decide(
    on: ArmCounts,
    off: ArmCounts,
    settings: &Compare,
    stage: Option<Percentage>,
) -> Reading {
    let _ = (on, off, settings, stage);
    Reading::Error("compare gates need the statistics module".into())
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
pub(super) async fn read(env: &Env<'_>, gate: &Gate, errors: &str, total: &str) -> Reading {
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
    decide(counts[0], counts[1], settings, env.percentage)
}

#[cfg(test)]
mod tests {
    use super::*;

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
