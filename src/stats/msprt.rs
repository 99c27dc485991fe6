//! The mixture sequential probability ratio test (mSPRT) for the difference of two proportions,
//! and the always-valid confidence sequence it yields.
//!
//! Method and source: R. Johari, L. Pekelis, D. Walsh, "Always Valid Inference: Bringing
//! Sequential Analysis to A/B Testing" (arXiv:1512.04922, 2015; Operations Research 70(3), 2022),
//! and R. Johari, P. Koomen, L. Pekelis, D. Walsh, "Peeking at A/B Tests: Why it matters, and
//! what to do about it" (KDD 2017). The estimate θ̂ = p̂_on − p̂_off is treated as normal with
//! variance V; mixing the likelihood ratio of N(θ, V) against N(θ₀, V) over θ ~ N(θ₀, τ²) gives
//!
//! ```text
//! Λ = √(V / (V + τ²)) · exp( τ² (θ̂ − θ₀)² / (2 V (V + τ²)) )
//! ```
//!
//! a non-negative martingale under θ = θ₀, so by Ville's inequality P(Λ ever ≥ 1/α) ≤ α however
//! often it is looked at. The θ₀ not rejected at a look form the interval θ̂ ± r with
//!
//! ```text
//! r² = V (V + τ²) / τ² · ( ln(1 + τ²/V) + 2 ln(1/α) )
//! ```
//!
//! which covers the true difference at every look at once with probability ≥ 1 − α.

use super::special::normal_quantile;

/// The mixing standard deviation τ never goes below this (0.1 points): a `max_increase` of 0
/// would otherwise give a degenerate test that can never decide.
pub const MIN_MIXING_SD: f64 = 0.001;

/// τ for a gate: the effect size it is built to resolve, `max_increase`. The interval is
/// narrowest when τ²/V is about 8, i.e. near the sample where a difference of `max_increase`
/// becomes visible; the optimum is flat, so τ = `max_increase` costs under 1% of width there.
/// τ is fixed by the configuration, before any data: choosing it from the data would void the
/// guarantee.
pub fn mixing_sd(max_increase: f64) -> f64 {
    max_increase.max(MIN_MIXING_SD)
}

/// ln Λ for the estimate `diff` with variance `v`, against θ₀ = `theta0`, mixing sd `tau`.
pub fn ln_mixture_ratio(diff: f64, theta0: f64, v: f64, tau: f64) -> f64 {
    let t2 = tau * tau;
    0.5 * (v / (v + t2)).ln() + t2 * (diff - theta0).powi(2) / (2.0 * v * (v + t2))
}

/// The half-width r of the (1 − α) always-valid interval when the estimate has variance `v`.
/// Increasing in `v`: more data never widens it.
pub fn half_width(v: f64, tau: f64, alpha: f64) -> f64 {
    if v <= 0.0 {
        return 0.0;
    }
    let t2 = tau * tau;
    (v * (v + t2) / t2 * ((t2 / v).ln_1p() - 2.0 * alpha.ln())).sqrt()
}

/// The smallest scale m ≥ 1 of the current sample (both arms times m, rates unchanged) at which
/// the interval's half-width plus `z_extra` standard errors fits in `gap`, or None when even a
/// billion times the sample would not do. `v` is the variance at scale 1.
pub fn scale_to_fit(v: f64, tau: f64, alpha: f64, gap: f64, z_extra: f64) -> Option<f64> {
    if gap.is_nan() || gap <= 0.0 || !v.is_finite() {
        return None;
    }
    let need = |m: f64| half_width(v / m, tau, alpha) + z_extra * (v / m).sqrt();
    smallest(|m| need(m) <= gap, 1.0, 1e9)
}

/// The smallest x in [lo, hi] with `fits(x)`, for a `fits` that is false below some point and
/// true above it (to a relative 1e-9), or None when `fits(hi)` is false.
pub fn smallest(fits: impl Fn(f64) -> bool, lo: f64, hi: f64) -> Option<f64> {
    if fits(lo) {
        return Some(lo);
    }
    if !fits(hi) {
        return None;
    }
    let (mut lo, mut hi) = (lo, hi);
    // Geometric bisection: the range spans orders of magnitude.
    for _ in 0..200 {
        if hi / lo < 1.0 + 1e-9 {
            break;
        }
        let mid = (lo * hi).sqrt();
        if fits(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

/// z for a one-sided power (0.8 → 0.8416).
pub fn z_power(power: f64) -> f64 {
    normal_quantile(power)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_edge_is_where_the_ratio_reaches_one_over_alpha() {
        for (v, tau, alpha) in [
            (1e-6, 0.005, 0.05),
            (4e-5, 0.001, 0.01),
            (1e-8, 0.02, 0.025),
        ] {
            let r = half_width(v, tau, alpha);
            let at_edge = ln_mixture_ratio(0.003 + r, 0.003, v, tau);
            assert!((at_edge - (1.0 / alpha).ln()).abs() < 1e-9, "{at_edge}");
            assert!(ln_mixture_ratio(0.003 + 0.99 * r, 0.003, v, tau) < (1.0 / alpha).ln());
        }
    }

    #[test]
    fn the_interval_is_wider_than_a_fixed_sample_one_and_shrinks_with_data() {
        // At the best τ²/V ≈ 8 and α = 0.05 the multiplier is about 3.03 standard errors,
        // against 1.96 for a single two-sided look.
        let v = 1e-6;
        let r = half_width(v, (8.0 * v).sqrt(), 0.05);
        assert!((r / v.sqrt() - 3.035).abs() < 0.01, "{}", r / v.sqrt());
        let mut last = f64::INFINITY;
        for k in 0..40 {
            let r = half_width(1e-3 / 1.5_f64.powi(k), 0.005, 0.05);
            assert!(r < last);
            last = r;
        }
    }

    #[test]
    fn scale_to_fit_finds_the_boundary() {
        let (v, tau, alpha, gap) = (1e-5, 0.005, 0.05, 0.005);
        let m = scale_to_fit(v, tau, alpha, gap, 0.84).unwrap();
        let fit = |m: f64| half_width(v / m, tau, alpha) + 0.84 * (v / m).sqrt();
        assert!(fit(m) <= gap && fit(m * 0.999) > gap);
        assert_eq!(scale_to_fit(v, tau, alpha, 1.0, 0.84), Some(1.0));
        assert_eq!(scale_to_fit(v, tau, alpha, 0.0, 0.84), None);
    }
}
