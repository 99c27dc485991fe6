//! The few special functions the tests need: the standard normal distribution function and its
//! inverse, and the logarithm of the beta function. `erfc` and `lgamma` come from `libm` (a
//! port of musl's libm, accurate to a few ulps).

/// Φ(x), the standard normal distribution function.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Φ⁻¹(p), the standard normal quantile, for 0 < p < 1 (NaN otherwise). Bisection on
/// [`normal_cdf`] to the last bit: it is called for a handful of constants per verdict, never in
/// a loop over data, so plain and certain beats fast.
pub fn normal_quantile(p: f64) -> f64 {
    if !(p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    // Work in the lower half, where Φ has full relative precision, and mirror.
    let (q, sign) = if p > 0.5 { (1.0 - p, 1.0) } else { (p, -1.0) };
    let (mut lo, mut hi) = (-40.0_f64, 0.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if normal_cdf(mid) < q {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    -sign * 0.5 * (lo + hi)
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), for a, b > 0.
pub fn ln_beta(a: f64, b: f64) -> f64 {
    libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values: Abramowitz & Stegun table 26.5 and the usual z table; Γ(1/2) = √π.
    #[test]
    fn normal_quantiles_match_the_tables() {
        for (p, z) in [
            (0.5, 0.0),
            (0.8, 0.841_621_233_572_914_3),
            (0.95, 1.644_853_626_951_472_2),
            (0.975, 1.959_963_984_540_054),
            (0.995, 2.575_829_303_548_900_4),
            (0.999, 3.090_232_306_167_813_5),
            (0.05, -1.644_853_626_951_472_2),
        ] {
            let got = normal_quantile(p);
            assert!((got - z).abs() < 1e-12, "Φ⁻¹({p}) = {got}, want {z}");
        }
        assert!((normal_quantile(1e-10) + 6.361_341).abs() < 1e-6);
        assert!(normal_quantile(0.0).is_nan());
        assert!(normal_quantile(1.0).is_nan());
        assert!(normal_quantile(f64::NAN).is_nan());
    }

    #[test]
    fn cdf_and_quantile_are_inverse() {
        for p in [1e-6, 0.001, 0.0125, 0.2, 0.5, 0.7, 0.99, 0.999_999] {
            let back = normal_cdf(normal_quantile(p));
            assert!((back - p).abs() / p < 1e-12, "{p} -> {back}");
        }
    }

    #[test]
    fn ln_beta_matches_closed_forms() {
        // B(1/2, 1/2) = π; B(2, 3) = 1/12; B(a, 1) = 1/a.
        assert!((ln_beta(0.5, 0.5) - std::f64::consts::PI.ln()).abs() < 1e-13);
        assert!((ln_beta(2.0, 3.0) - (1.0_f64 / 12.0).ln()).abs() < 1e-13);
        assert!((ln_beta(1e6, 1.0) - (1e-6_f64).ln()).abs() < 1e-9);
    }
}
