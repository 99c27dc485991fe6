//! The variance of p̂_on − p̂_off that the bounds use.
//!
//! A plug-in variance alone is too small exactly when it matters at small counts: an arm that
//! shows few errors by chance looks both good and certain, and the upper bound comes out too low
//! (in simulations at a 5% stage, a change 0.5 points worse than off then passed a 0.5-point
//! allowance in 12% of rollouts against α = 5%). So the variance at a null value θ₀ is the
//! larger of
//! - the plug-in variance, each rate taken as (errors + 1) / (total + 2) (the Agresti–Caffo
//!   adjustment, so that an arm with no errors does not look certain), and
//! - the variance at the rates that best fit the counts under p_on − p_off = θ₀ (the restricted
//!   maximum likelihood estimate of the score intervals of Miettinen & Nurminen, "Comparative
//!   analysis of two rates", Statistics in Medicine 4, 1985, and Farrington & Manning, Statistics
//!   in Medicine 9, 1990), on the same adjusted counts.
//!
//! The first keeps a high count in the small arm from looking certain, the second a low one.

use super::input::Counts;

/// The plug-in variance (adjusted rates).
pub fn plug_in(on: Counts, off: Counts) -> f64 {
    let part = |c: Counts| {
        let p = (c.errors.min(c.total) + 1.0) / (c.total + 2.0);
        p * (1.0 - p) / c.total
    };
    part(on) + part(off)
}

/// The rates (p_on, p_off) that maximise the likelihood of the adjusted counts under
/// p_on − p_off = `theta0` (−1 < θ₀ < 1): the closed-form root of the likelihood equation (a
/// cubic; Farrington & Manning 1990, §2), checked to lie in the feasible interval, with
/// bisection on the score as the fallback.
pub fn restricted_rates(on: Counts, off: Counts, theta0: f64) -> (f64, f64) {
    let (e1, n1) = (on.errors.min(on.total) + 1.0, on.total + 2.0);
    let (e2, n2) = (off.errors.min(off.total) + 1.0, off.total + 2.0);
    let (p1, p2, d) = (e1 / n1, e2 / n2, theta0);
    let t = n2 / n1;
    let a = 1.0 + t;
    let b = -(1.0 + t + p1 + t * p2 + d * (t + 2.0));
    let c = d * d + d * (2.0 * p1 + t + 1.0) + p1 + t * p2;
    let dd = -p1 * d * (1.0 + d);
    let v = b.powi(3) / (3.0 * a).powi(3) - b * c / (6.0 * a * a) + dd / (2.0 * a);
    let u = v.signum() * (b * b / (3.0 * a).powi(2) - c / (3.0 * a)).sqrt();
    let w = (std::f64::consts::PI + (v / u.powi(3)).clamp(-1.0, 1.0).acos()) / 3.0;
    let q1 = 2.0 * u * w.cos() - b / (3.0 * a);
    let q2 = q1 - d;
    if q1.is_finite() && q1 > 0.0 && q1 < 1.0 && q2 > 0.0 && q2 < 1.0 {
        return (q1, q2);
    }
    restricted_rates_by_bisection(on, off, theta0)
}

/// The same maximum found by bisection on the score in p_off, which is decreasing on the
/// feasible interval and runs from +∞ to −∞ across it.
pub fn restricted_rates_by_bisection(on: Counts, off: Counts, theta0: f64) -> (f64, f64) {
    let (e_on, f_on) = (
        on.errors.min(on.total) + 1.0,
        (on.total - on.errors).max(0.0) + 1.0,
    );
    let (e_off, f_off) = (
        off.errors.min(off.total) + 1.0,
        (off.total - off.errors).max(0.0) + 1.0,
    );
    let score =
        |p: f64| e_on / (p + theta0) - f_on / (1.0 - p - theta0) + e_off / p - f_off / (1.0 - p);
    let (mut lo, mut hi) = ((-theta0).max(0.0), (1.0 - theta0).min(1.0));
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if score(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let p = 0.5 * (lo + hi);
    (p + theta0, p)
}

/// The variance at the null value `theta0`: the larger of the two (see the module comment).
pub fn at(on: Counts, off: Counts, theta0: f64) -> f64 {
    let (p_on, p_off) = restricted_rates(on, off, theta0.clamp(-0.999_999, 0.999_999));
    let restricted = p_on * (1.0 - p_on) / on.total + p_off * (1.0 - p_off) / off.total;
    plug_in(on, off).max(restricted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(errors: f64, total: f64) -> Counts {
        Counts { errors, total }
    }

    #[test]
    fn the_restricted_rates_keep_the_difference_and_fit_the_counts() {
        // With θ₀ equal to the observed difference of the adjusted rates, the restricted
        // estimate is the unrestricted one.
        let (on, off) = (c(29.0, 998.0), c(9.0, 998.0));
        let (p_on, p_off) = restricted_rates(on, off, 0.02);
        assert!(
            (p_on - 0.03).abs() < 1e-9 && (p_off - 0.01).abs() < 1e-9,
            "{p_on} {p_off}"
        );
        // Under θ₀ = 0 both rates meet near the pooled rate.
        let (p_on, p_off) = restricted_rates(on, off, 0.0);
        assert!((p_on - p_off).abs() < 1e-12);
        assert!((p_on - 40.0 / 2000.0).abs() < 1e-9, "{p_on}");
    }

    #[test]
    fn the_closed_form_agrees_with_bisection() {
        let mut worst = 0.0_f64;
        for (eo, no) in [
            (0.0, 100.0),
            (3.0, 150.0),
            (30.0, 3_000.0),
            (700.0, 60_000.0),
            (50.0, 60.0),
        ] {
            for (ef, nf) in [
                (0.0, 120.0),
                (9.0, 1_000.0),
                (5_400.0, 540_000.0),
                (90.0, 100.0),
            ] {
                for theta0 in [-0.5, -0.01, 0.0, 0.001, 0.005, 0.02, 0.3] {
                    let (a, b) = restricted_rates(c(eo, no), c(ef, nf), theta0);
                    let (x, y) = restricted_rates_by_bisection(c(eo, no), c(ef, nf), theta0);
                    assert!((a - b - theta0).abs() < 1e-12);
                    worst = worst.max((a - x).abs()).max((b - y).abs());
                }
            }
        }
        assert!(worst < 1e-9, "{worst}");
    }

    #[test]
    fn an_arm_without_errors_is_judged_at_the_null_rate() {
        // 0 errors in 200 on requests, 1% in off: at θ₀ = +0.5 points the on arm's variance is
        // taken near 1.5%, not near 0.
        let (on, off) = (c(0.0, 200.0), c(100.0, 10_000.0));
        let v = at(on, off, 0.005);
        assert!(v > 1.4 * plug_in(on, off), "{v} {}", plug_in(on, off));
        let (p_on, _) = restricted_rates(on, off, 0.005);
        assert!((0.012..0.016).contains(&p_on), "{p_on}");
    }
}
