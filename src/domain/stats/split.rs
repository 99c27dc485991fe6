//! Sample ratio mismatch: does the share of requests seen in `on` match the stage percentage?
//!
//! Method: a sequential Bayes factor for one binomial proportion, the two-arm case of the
//! Dirichlet-multinomial test of M. Lindon and A. Malek, "Anytime-Valid Inference for
//! Multinomial Count Data" (NeurIPS 2022). Against H0 "share = s" it weighs H1 "share ~
//! Beta(k·s, k·(1 − s))":
//!
//! ```text
//! BF = B(k·s + n_on, k·(1 − s) + n_off) / B(k·s, k·(1 − s)) / (s^n_on · (1 − s)^n_off)
//! ```
//!
//! a non-negative martingale under H0, so P(BF ever ≥ 1/level) ≤ level across all looks. The
//! split is held at the strict level 0.001: a wrong alarm here stops a healthy rollout.

use serde::{Deserialize, Serialize};

use super::special::ln_beta;

/// The level of the split test: at most one healthy rollout in a thousand is ever held.
pub const SPLIT_LEVEL: f64 = 0.001;

/// The prior concentration k: the Beta prior under H1 has the stage's share as its mean and a
/// spread of √(s(1 − s)/(k + 1)) (±1.6 points at 50%, ±0.7 points at 5%).
pub const SPLIT_PRIOR_CONCENTRATION: f64 = 1000.0;

/// What the split test saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SplitCheck {
    /// The share of requests the stage should send to `on` (percentage / 100).
    pub expected_on_share: f64,
    /// The share seen (None before any request).
    pub observed_on_share: Option<f64>,
    /// The anytime-valid p-value min(1, 1/BF): the split is a mismatch when it is ≤ `level`.
    pub p_value: f64,
    /// The level the p-value is held to.
    pub level: f64,
    /// True when the split does not match the stage: the comparison is held.
    pub mismatch: bool,
}

/// Tests `on_total` / (`on_total` + `off_total`) against `expected_on_share`, which must be
/// strictly between 0 and 1.
pub fn check_split(on_total: f64, off_total: f64, expected_on_share: f64) -> SplitCheck {
    let s = expected_on_share;
    let n = on_total + off_total;
    let p_value = (-ln_bayes_factor(on_total, off_total, s)).exp().min(1.0);
    SplitCheck {
        expected_on_share: s,
        observed_on_share: (n > 0.0).then(|| on_total / n),
        p_value,
        level: SPLIT_LEVEL,
        mismatch: p_value <= SPLIT_LEVEL,
    }
}

/// ln BF of "share ~ Beta(k·s, k·(1 − s))" against "share = s" for the counts seen.
pub fn ln_bayes_factor(on_total: f64, off_total: f64, s: f64) -> f64 {
    let k = SPLIT_PRIOR_CONCENTRATION;
    ln_beta(k * s + on_total, k * (1.0 - s) + off_total)
        - ln_beta(k * s, k * (1.0 - s))
        - on_total * s.ln()
        - off_total * (1.0 - s).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_requests_is_no_evidence() {
        let c = check_split(0.0, 0.0, 0.05);
        assert_eq!(c.p_value, 1.0);
        assert_eq!(c.observed_on_share, None);
        assert!(!c.mismatch);
    }

    #[test]
    fn an_exact_split_is_never_a_mismatch_and_a_skewed_one_is() {
        for n in [100.0, 10_000.0, 1e6, 1e9] {
            assert!(!check_split(0.05 * n, 0.95 * n, 0.05).mismatch, "{n}");
        }
        // 6% instead of 5% of 100,000 requests: 1,000 extra, 4.6 standard deviations.
        assert!(check_split(6_000.0, 94_000.0, 0.05).mismatch);
        // The same skew on 1,000 requests is noise.
        assert!(!check_split(60.0, 940.0, 0.05).mismatch);
    }

    #[test]
    fn the_bayes_factor_matches_a_direct_sum_on_small_counts() {
        // BF by its definition, ∫ p^x (1-p)^y Beta(p; a, b) dp / (s^x (1-s)^y), with the
        // integral summed on a fine grid (midpoint rule).
        let (x, y, s) = (7.0_f64, 13.0_f64, 0.25_f64);
        let (a, b) = (1000.0 * s, 1000.0 * (1.0 - s));
        let steps = 200_000;
        let mut integral = 0.0;
        for i in 0..steps {
            let p = (i as f64 + 0.5) / steps as f64;
            let ln_density = (a - 1.0) * p.ln() + (b - 1.0) * (1.0 - p).ln() - ln_beta(a, b);
            integral += (x * p.ln() + y * (1.0 - p).ln() + ln_density).exp() / steps as f64;
        }
        let bf = integral / (s.powf(x) * (1.0 - s).powf(y));
        let got = ln_bayes_factor(x, y, s).exp();
        assert!((got - bf).abs() / bf < 1e-6, "{got} vs {bf}");
    }
}
