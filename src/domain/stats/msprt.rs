//! The mixture sequential probability ratio test (mSPRT) for the difference of two proportions,
//! and the always-valid confidence bounds it yields.
//!
//! Method and source: R. Johari, L. Pekelis, D. Walsh, "Always Valid Inference: Bringing
//! Sequential Analysis to A/B Testing" (arXiv:1512.04922, 2015; Operations Research 70(3), 2022),
//! and R. Johari, P. Koomen, L. Pekelis, D. Walsh, "Peeking at A/B Tests: Why it matters, and
//! what to do about it" (KDD 2017). The estimate θ̂ = p̂_on − p̂_off is treated as normal with
//! variance V (the normal approximation of both papers). The likelihood ratio of N(θ, V) against
//! N(θ₀, V), mixed over alternatives on one side, θ − θ₀ ~ half-normal(τ), is
//!
//! ```text
//! Λ⁺ = 2 Φ(k x) · √(V / (V + τ²)) · exp((k x)² / 2),   x = θ̂ − θ₀,  k = τ / √(V (V + τ²))
//! ```
//!
//! (the two-sided mixture of the papers times 2Φ(k x)). Mixtures of likelihood ratios are
//! non-negative martingales under θ₀ (supermartingales for any θ below θ₀), so by Ville's
//! inequality P(Λ⁺ ever ≥ 1/α) ≤ α however often it is looked at. Hence θ̂ − r is a lower bound
//! for θ that holds at every look at once with probability ≥ 1 − α, where r solves Λ⁺ = 1/α
//! (see [`radius`]); by symmetry θ̂ + r is the matching upper bound. A gate that fails on the
//! lower bound and passes on the upper bound is two one-sided tests, each at level α.

use super::special::{normal_cdf, normal_quantile};

/// The mixing standard deviation τ never goes below this (0.1 points): a `max_increase` of 0
/// would otherwise give a degenerate test that can never decide.
pub const MIN_MIXING_SD: f64 = 0.001;

/// τ for a gate: the effect size it is built to resolve, `max_increase`. The interval is
/// narrowest when τ²/V is about 7, i.e. near the sample where a difference of `max_increase`
/// becomes visible; the optimum is flat, so τ = `max_increase` costs under 1% of width there.
/// τ is fixed by the configuration, before any data: choosing it from the data would void the
/// guarantee.
pub fn mixing_sd(max_increase: f64) -> f64 {
    max_increase.max(MIN_MIXING_SD)
}

/// ln Λ⁺ for the estimate `diff` with variance `v` against θ₀ = `theta0`, alternatives above
/// θ₀ mixed with scale `tau`.
pub fn ln_one_sided_ratio(diff: f64, theta0: f64, v: f64, tau: f64) -> f64 {
    let t2 = tau * tau;
    let y = tau / (v * (v + t2)).sqrt() * (diff - theta0);
    std::f64::consts::LN_2 + normal_cdf(y).ln() + 0.5 * (v / (v + t2)).ln() + 0.5 * y * y
}

/// The distance r from the estimate to its always-valid one-sided (1 − α) bound, when the
/// estimate has variance `v`: the x with Λ⁺ = 1/α. Increasing in `v`: more data never widens it.
pub fn radius(v: f64, tau: f64, alpha: f64) -> f64 {
    if v <= 0.0 {
        return 0.0;
    }
    let t2 = tau * tau;
    // With y = k·x, solve g(y) = y²/2 + ln Φ(y) = K. g is increasing and convex, so Newton's
    // method from a point right of the root (g(y₀) ≥ K because ln Φ(y₀) ≥ −ln 2) walks down
    // to it monotonically, in three or four steps.
    let target = -alpha.ln() - std::f64::consts::LN_2 + 0.5 * (t2 / v).ln_1p();
    let mut y = (2.0 * (target + std::f64::consts::LN_2)).sqrt();
    for _ in 0..50 {
        let phi = (-0.5 * y * y).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let cdf = normal_cdf(y);
        let step = (0.5 * y * y + cdf.ln() - target) / (y + phi / cdf);
        y -= step;
        if step.abs() < 1e-12 * y.abs().max(1.0) {
            break;
        }
    }
    y * (v * (v + t2)).sqrt() / tau
}

/// The smallest scale m ≥ 1 of the current sample (both arms times m, rates unchanged) at which
/// the interval's half-width plus `z_extra` standard errors fits in `gap`, or None when even a
/// billion times the sample would not do. `v` is the variance at scale 1.
pub fn scale_to_fit(v: f64, tau: f64, alpha: f64, gap: f64, z_extra: f64) -> Option<f64> {
    if gap.is_nan() || gap <= 0.0 || !v.is_finite() {
        return None;
    }
    let need = |m: f64| radius(v / m, tau, alpha) + z_extra * (v / m).sqrt();
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
    fn the_bound_is_where_the_ratio_reaches_one_over_alpha() {
        for (v, tau, alpha) in [
            (1e-6, 0.005, 0.05),
            (4e-5, 0.001, 0.01),
            (1e-8, 0.02, 0.025),
        ] {
            let r = radius(v, tau, alpha);
            let at_edge = ln_one_sided_ratio(0.003 + r, 0.003, v, tau);
            assert!((at_edge - (1.0 / alpha).ln()).abs() < 1e-9, "{at_edge}");
            assert!(ln_one_sided_ratio(0.003 + 0.99 * r, 0.003, v, tau) < (1.0 / alpha).ln());
        }
    }

    #[test]
    fn the_one_sided_mixture_is_twice_the_two_sided_one_far_out() {
        // Λ⁺ = 2Φ(kx)·Λ, and the two-sided Λ of the papers is √(V/(V+τ²))·exp((kx)²/2).
        let (v, tau) = (1e-6_f64, 0.003_f64);
        let x = 0.006;
        let k = tau / (v * (v + tau * tau)).sqrt();
        let two_sided = 0.5 * (v / (v + tau * tau)).ln() + 0.5 * (k * x).powi(2);
        let got = ln_one_sided_ratio(x, 0.0, v, tau);
        assert!(
            (got - two_sided - 2f64.ln()).abs() < 1e-7,
            "{got} {two_sided}"
        );
    }

    #[test]
    fn the_bound_costs_more_than_one_fixed_look_and_shrinks_with_data() {
        // At the best τ²/V (about 7) and α = 0.05 the bound is about 2.77 standard errors out,
        // against 1.645 for a single one-sided look.
        let v = 1e-6;
        let best = (1..200)
            .map(|u| radius(v, (f64::from(u) / 10.0 * v).sqrt(), 0.05) / v.sqrt())
            .fold(f64::INFINITY, f64::min);
        assert!((best - 2.77).abs() < 0.01, "{best}");
        let mut last = f64::INFINITY;
        for k in 0..40 {
            let r = radius(1e-3 / 1.5_f64.powi(k), 0.005, 0.05);
            assert!(r < last);
            last = r;
        }
    }

    #[test]
    fn scale_to_fit_finds_the_boundary() {
        let (v, tau, alpha, gap) = (1e-5, 0.005, 0.05, 0.005);
        let m = scale_to_fit(v, tau, alpha, gap, 0.84).unwrap();
        let fit = |m: f64| radius(v / m, tau, alpha) + 0.84 * (v / m).sqrt();
        assert!(fit(m) <= gap && fit(m * 0.999) > gap);
        assert_eq!(scale_to_fit(v, tau, alpha, 1.0, 0.84), Some(1.0));
        assert_eq!(scale_to_fit(v, tau, alpha, 0.0, 0.84), None);
    }
}
