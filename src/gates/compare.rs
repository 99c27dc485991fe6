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

/// Fills `{variant}` and `{window}` and reads both counts of both arms.
pub(super) async fn read(env: &Env<'_>, gate: &Gate, errors: &str, total: &str) -> Reading {
    let Some(since) = env.stage_since else {
        return Reading::NoData("cannot tell when the stage started, so there is no window".into());
    };
    let secs = (env.now - since).num_seconds().max(1);
    let window = format!("{secs}s");
    let fill =
        |q: &str, variant: &str| q.replace("{variant}", variant).replace("{window}", &window);
    let mut counts = Vec::new();
    for variant in ["on", "off"] {
        let mut arm = [0.0; 2];
        for (i, q) in [errors, total].iter().enumerate() {
            match prometheus::read(env, &fill(q, variant)).await {
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
