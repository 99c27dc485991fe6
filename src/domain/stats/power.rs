//! Power and minimum soak: how much traffic a stage needs before a compare gate can tell a
//! difference of `max_increase` from none.
//!
//! "Detect `max_increase` with power 1 − β" means: with off at the baseline rate p and on at
//! p + δ (δ = `max_increase`), the sample N at which the always-valid interval's half-width r
//! plus z_(1−β) standard errors fits in δ:
//!
//! ```text
//! r(V) + z_(1−β) · √V ≤ δ,   V = p_on q_on / n_on + p_off q_off / n_off,
//! n_on = s·N, n_off = (1 − s)·N   (s = stage percentage / 100)
//! ```
//!
//! At that N a change that is truly harmless (θ = 0) passes, and one that is twice as bad as
//! allowed (θ = 2δ) fails, each with probability ≥ 1 − β (they may also be decided earlier).
//! For comparison, the classical one-look sample per arm for two proportions (Fleiss, Levin &
//! Paik, "Statistical Methods for Rates and Proportions", 3rd ed. 2003, §4.2, without the
//! continuity correction), one-sided level α:
//!
//! ```text
//! n = ( z_(1−α) √(2 p̄ q̄) + z_(1−β) √(p₁q₁ + p₂q₂) )² / δ²,   p̄ = (p₁ + p₂) / 2
//! ```
//!
//! which is about 6,104 per arm for 1% against 1.5% at α = 0.05 and 80% power.

use serde::{Deserialize, Serialize};

use super::input::MIN_PER_ARM;
use super::msprt;
use super::special::normal_quantile;
use super::InputError;

/// The default power.
pub const DEFAULT_POWER: f64 = 0.8;

/// What a stage's minimum soak depends on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PowerInput {
    /// The expected error rate of `off` (0.01 = 1%).
    pub baseline: f64,
    /// The gate's `max_increase`.
    pub max_increase: f64,
    /// The false-alarm bound shared by the stage's compare gates.
    pub alpha: f64,
    /// How many compare gates share `alpha`.
    pub gates: u32,
    /// The power wanted (default 0.8).
    pub power: f64,
    /// The stage's percentage (0–100).
    pub stage_percentage: f64,
    /// All requests per hour, both arms together (None: no soak time, samples only).
    pub traffic_per_hour: Option<f64>,
}

/// The sample a stage needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MinimumSample {
    /// Requests in `on`.
    pub on: u64,
    /// Requests in `off`.
    pub off: u64,
    /// Both together.
    pub total: u64,
    /// total / traffic_per_hour.
    pub hours: Option<f64>,
    /// The classical one-look sample per arm with equal arms, for comparison.
    pub fixed_per_arm: u64,
}

fn check(input: &PowerInput) -> Result<(), InputError> {
    let p = input.baseline;
    let d = input.max_increase;
    if !(p > 0.0 && p < 1.0) {
        return Err(InputError(format!(
            "the baseline error rate must be between 0 and 1 (0.01 is 1%), not {p}"
        )));
    }
    if !(d > 0.0 && p + d < 1.0) {
        return Err(InputError(format!(
            "max_increase must be above 0 and keep baseline + max_increase below 1, not {d}"
        )));
    }
    if !(input.alpha > 0.0 && input.alpha < 1.0) || input.gates == 0 {
        return Err(InputError(format!(
            "alpha must be between 0 and 1 and shared by at least one gate (alpha {}, gates {})",
            input.alpha, input.gates
        )));
    }
    if !(input.power > 0.0 && input.power < 1.0) {
        return Err(InputError(format!(
            "power must be between 0 and 1, not {}",
            input.power
        )));
    }
    if !(0.0..=100.0).contains(&input.stage_percentage) {
        return Err(InputError(format!(
            "the stage percentage must be 0-100, not {}",
            input.stage_percentage
        )));
    }
    if let Some(t) = input.traffic_per_hour {
        if !(t > 0.0 && t.is_finite()) {
            return Err(InputError(format!(
                "the traffic must be a positive number of requests per hour, not {t}"
            )));
        }
    }
    Ok(())
}

/// The classical one-look sample per arm (see the module comment), unrounded.
pub fn fixed_sample_per_arm(p_off: f64, p_on: f64, alpha: f64, power: f64) -> f64 {
    let za = normal_quantile(1.0 - alpha);
    let zb = normal_quantile(power);
    let pbar = (p_off + p_on) / 2.0;
    let num = za * (2.0 * pbar * (1.0 - pbar)).sqrt()
        + zb * (p_off * (1.0 - p_off) + p_on * (1.0 - p_on)).sqrt();
    (num / (p_on - p_off)).powi(2)
}

/// The total sample N (both arms, `on_share` of it in on) at which the always-valid interval
/// for a gate with `max_increase` and per-gate `alpha` plus `z_power` standard errors fits in
/// `gap`, when the true rates are `p_on` and `p_off`. None beyond 10¹⁵ requests.
pub fn sequential_total(
    p_on: f64,
    p_off: f64,
    on_share: f64,
    gap: f64,
    max_increase: f64,
    alpha: f64,
    z_power: f64,
) -> Option<f64> {
    let c = p_on * (1.0 - p_on) / on_share + p_off * (1.0 - p_off) / (1.0 - on_share);
    let tau = msprt::mixing_sd(max_increase);
    let floor = MIN_PER_ARM / on_share.min(1.0 - on_share);
    let fits = |n: f64| {
        let v = c / n;
        msprt::radius(v, tau, alpha) + z_power * v.sqrt() <= gap
    };
    msprt::smallest(fits, 1.0, 1e15).map(|n| n.max(floor))
}

/// The minimum sample (and soak) for a stage, or None for a stage at 0% or 100%, which has no
/// treatment or no control to compare.
pub fn minimum_sample(input: &PowerInput) -> Result<Option<MinimumSample>, InputError> {
    check(input)?;
    let s = input.stage_percentage / 100.0;
    if s <= 0.0 || s >= 1.0 {
        return Ok(None);
    }
    let alpha = input.alpha / f64::from(input.gates);
    let (p_off, d) = (input.baseline, input.max_increase);
    let p_on = p_off + d;
    let z = normal_quantile(input.power);
    let total = sequential_total(p_on, p_off, s, d, d, alpha, z).ok_or_else(|| {
        InputError("the stage would need more than 10^15 requests: raise max_increase".into())
    })?;
    let total = total.ceil();
    Ok(Some(MinimumSample {
        on: (s * total).ceil() as u64,
        off: ((1.0 - s) * total).ceil() as u64,
        total: total as u64,
        hours: input.traffic_per_hour.map(|t| total / t),
        fixed_per_arm: fixed_sample_per_arm(p_off, p_on, alpha, input.power).ceil() as u64,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(pct: f64) -> PowerInput {
        PowerInput {
            baseline: 0.01,
            max_increase: 0.005,
            alpha: 0.05,
            gates: 1,
            power: DEFAULT_POWER,
            stage_percentage: pct,
            traffic_per_hour: Some(10_000.0),
        }
    }

    #[test]
    fn the_classical_size_matches_the_textbook_example() {
        // 1% against 1.5%, one-sided 0.05, 80% power: about 6,100 per arm (Fleiss et al.;
        // the same figure by hand: (1.6449·0.15713 + 0.8416·0.15708)² / 0.005² = 6,104.2).
        let n = fixed_sample_per_arm(0.01, 0.015, 0.05, 0.8);
        assert!((n - 6_104.23).abs() < 0.01, "{n}");
        assert_eq!(
            minimum_sample(&stage(50.0)).unwrap().unwrap().fixed_per_arm,
            6_105
        );
    }

    #[test]
    fn the_sequential_size_costs_about_two_fixed_sizes_at_an_even_split() {
        let m = minimum_sample(&stage(50.0)).unwrap().unwrap();
        assert_eq!((m.on, m.off, m.total), (13_060, 13_060, 26_119));
        assert!((m.hours.unwrap() - 2.6119).abs() < 1e-9);
        let ratio = m.on as f64 / m.fixed_per_arm as f64;
        assert!((2.0..2.3).contains(&ratio), "{ratio}");
    }

    #[test]
    fn smaller_stages_need_more_total_traffic_and_the_ends_have_nothing_to_compare() {
        let total = |pct| minimum_sample(&stage(pct)).unwrap().unwrap().total;
        assert!(total(5.0) > total(10.0));
        assert!(total(10.0) > total(25.0));
        assert!(total(25.0) > total(50.0));
        // The on arm has the higher rate, so the large stages need less than the small ones.
        assert!(total(95.0) < total(5.0));
        assert_eq!(minimum_sample(&stage(0.0)).unwrap(), None);
        assert_eq!(minimum_sample(&stage(100.0)).unwrap(), None);
    }

    #[test]
    fn the_minimum_sample_is_where_the_interval_plus_the_power_margin_fits() {
        let m = minimum_sample(&stage(20.0)).unwrap().unwrap();
        let v = |n: f64| 0.015 * 0.985 / (0.2 * n) + 0.01 * 0.99 / (0.8 * n);
        let need = |n: f64| msprt::radius(v(n), 0.005, 0.05) + 0.841_621 * v(n).sqrt();
        assert!(need(m.total as f64) <= 0.005);
        assert!(need(m.total as f64 - 2.0) > 0.005);
    }

    #[test]
    fn bad_input_says_what_to_fix() {
        let mut i = stage(10.0);
        i.max_increase = 0.0;
        assert_eq!(
            minimum_sample(&i).unwrap_err().0,
            "max_increase must be above 0 and keep baseline + max_increase below 1, not 0"
        );
        let mut i = stage(10.0);
        i.baseline = 1.5;
        assert_eq!(
            minimum_sample(&i).unwrap_err().0,
            "the baseline error rate must be between 0 and 1 (0.01 is 1%), not 1.5"
        );
    }
}
