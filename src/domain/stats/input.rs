//! What a compare gate decides from: the counts of each arm and the gate's settings, and the
//! check that they make sense. Both the decision ([`super::compare`]) and the variance
//! ([`super::variance`]) read these; this module reads neither.

use serde::{Deserialize, Serialize};

use super::InputError;

/// The default false-alarm bound shared by a stage's compare gates.
pub const DEFAULT_ALPHA: f64 = 0.05;

/// No verdict before each arm has this many requests: the normal approximation needs them.
pub const MIN_PER_ARM: f64 = 100.0;

/// Errors and requests seen in one arm since the stage started. Prometheus' `increase()`
/// extrapolates, so counts may be fractional.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Counts {
    pub errors: f64,
    pub total: f64,
}

/// What a compare gate decides from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CompareInput {
    pub on: Counts,
    pub off: Counts,
    /// The stage's percentage, i.e. the share of requests expected in `on` (0–100). None when
    /// the share is not known (a stage that also targets groups or users): no split test.
    pub stage_percentage: Option<f64>,
    /// The false-alarm bound for all the stage's compare gates together (default 0.05).
    pub alpha: f64,
    /// The allowed degradation, absolute, in rate units (0.005 = half a point).
    pub max_increase: f64,
    /// How many compare gates share `alpha` (Bonferroni: each gets `alpha / gates`).
    pub gates: u32,
}

/// The input, or what is wrong with it: counts finite and not negative, no more errors than
/// requests, alpha, `max_increase` and the stage percentage within their ranges.
pub(super) fn check_input(input: &CompareInput) -> Result<(), InputError> {
    for (name, c) in [("on", input.on), ("off", input.off)] {
        if !(c.errors.is_finite() && c.total.is_finite() && c.errors >= 0.0 && c.total >= 0.0) {
            return Err(InputError(format!(
                "the `{name}` counts must be finite and not negative (errors {}, total {})",
                c.errors, c.total
            )));
        }
        if c.errors > c.total * (1.0 + 1e-9) + 1e-9 {
            return Err(InputError(format!(
                "the `{name}` arm has more errors ({}) than requests ({}): check that the \
                 `errors` query counts a subset of the `total` query",
                c.errors, c.total
            )));
        }
    }
    if !(input.alpha > 0.0 && input.alpha < 1.0) {
        return Err(InputError(format!(
            "alpha must be between 0 and 1 (exclusive), not {}",
            input.alpha
        )));
    }
    if !(input.max_increase >= 0.0 && input.max_increase < 1.0) {
        return Err(InputError(format!(
            "max_increase is a rate difference between 0 and 1 (0.005 is half a point), not {}",
            input.max_increase
        )));
    }
    if input.gates == 0 {
        return Err(InputError("at least one compare gate shares alpha".into()));
    }
    if let Some(p) = input.stage_percentage {
        if !(0.0..=100.0).contains(&p) {
            return Err(InputError(format!(
                "the stage percentage must be 0-100, not {p}"
            )));
        }
    }
    Ok(())
}
