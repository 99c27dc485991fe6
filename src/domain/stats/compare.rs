//! The verdict of a `compare:` gate: treatment (`on`) against control (`off`) error proportions.
//!
//! Decision rule (documented in docs/compare-gates.md): with θ = p_on − p_off, and L and U its
//! always-valid lower and upper bounds at level α each (one-sided mixture SPRT, see
//! [`super::msprt`]),
//! - `fail` when L > `max_increase`: the evidence shows a degradation beyond the allowance;
//! - `pass` when U ≤ `max_increase`: the evidence shows any degradation is within it;
//! - `no-data` while L ≤ `max_increase` < U, or an arm has fewer than [`MIN_PER_ARM`]
//!   requests, with the sample still needed per arm;
//! - `hold` when the split of requests does not match the stage percentage ([`super::split`]).
//!
//! A wrong `fail` (θ ≤ `max_increase` < L) needs L to miss θ, a wrong `pass` (U ≤
//! `max_increase` < θ) needs U to miss θ: each happens in at most a share α of rollouts, however
//! often the gate is looked at. Together [L, U] is a (1 − 2α) interval.
//!
//! The verdict runs both one-sided tests at θ₀ = `max_increase`, with the variance of
//! [`super::variance::at`] for that θ₀; the bounds invert the same tests over every θ₀.

use serde::{Deserialize, Serialize};

use super::format::{count, percent, percent_level, points, signed};
use super::input::check_input;
pub use super::input::{CompareInput, Counts, DEFAULT_ALPHA, MIN_PER_ARM};
use super::msprt;
use super::split::{self, SplitCheck};
use super::variance;
use super::InputError;

/// The decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    Fail,
    NoData,
    Hold,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::NoData => "no-data",
            Verdict::Hold => "hold",
        }
    }
}

/// One arm as seen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Arm {
    pub errors: f64,
    pub total: f64,
    /// errors / total (None without requests).
    pub rate: Option<f64>,
}

/// Always-valid bounds for p_on − p_off: each holds at every look at once with probability
/// ≥ `confidence`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Interval {
    pub lower: f64,
    pub upper: f64,
    /// 1 − (this gate's alpha), for each bound.
    pub confidence: f64,
}

/// More requests still needed per arm before a verdict is expected (rates staying as seen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Needed {
    pub on: u64,
    pub off: u64,
}

/// Everything a compare gate shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CompareVerdict {
    pub verdict: Verdict,
    pub on: Arm,
    pub off: Arm,
    /// rate(on) − rate(off).
    pub difference: Option<f64>,
    pub interval: Option<Interval>,
    pub max_increase: f64,
    /// This gate's share of alpha.
    pub alpha: f64,
    /// With `no-data`: the sample still needed per arm (None when it cannot be estimated).
    pub needed: Option<Needed>,
    /// The sample ratio mismatch test (None when the expected share is not known).
    pub split: Option<SplitCheck>,
    /// One line for people.
    pub explanation: String,
}

fn arm(c: Counts) -> Arm {
    let errors = c.errors.min(c.total);
    Arm {
        errors,
        total: c.total,
        rate: (c.total > 0.0).then(|| errors / c.total),
    }
}

/// Why a decision is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The split of requests does not match the stage: `hold`.
    SplitMismatch,
    /// A stage at 100% has no `off` traffic: `no-data`.
    NoControl,
    /// A stage at 0% has no `on` traffic: `no-data`.
    NoTreatment,
    /// An arm has fewer than [`MIN_PER_ARM`] requests: `no-data`.
    TooLittle,
    /// The lower bound is above `max_increase`: `fail`.
    Above,
    /// The upper bound is at or below `max_increase`: `pass`.
    Within,
    /// The bounds are on both sides of `max_increase`: `no-data`.
    Undecided,
}

/// The decision without the sample-needed projection and the explanation: what [`compare`]
/// decides, cheap enough to run on every look of a simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub verdict: Verdict,
    pub reason: Reason,
    pub on: Arm,
    pub off: Arm,
    pub difference: Option<f64>,
    /// This gate's share of alpha.
    pub alpha: f64,
    /// The mixing standard deviation τ used.
    pub tau: f64,
    pub split: Option<SplitCheck>,
}

/// Decides one compare gate (see the module comment for the rule).
pub fn decide(input: &CompareInput) -> Result<Decision, InputError> {
    check_input(input)?;
    let on = arm(input.on);
    let off = arm(input.off);
    let alpha = input.alpha / f64::from(input.gates);
    let delta = input.max_increase;
    let tau = msprt::mixing_sd(delta);
    let share = input.stage_percentage.map(|p| p / 100.0);
    let split = share
        .filter(|s| *s > 0.0 && *s < 1.0)
        .map(|s| split::check_split(on.total, off.total, s));
    let difference = match (on.rate, off.rate) {
        (Some(a), Some(b)) => Some(a - b),
        _ => None,
    };
    let reason = if split.as_ref().is_some_and(|s| s.mismatch) {
        Reason::SplitMismatch
    } else if share == Some(1.0) && off.total <= 0.0 {
        Reason::NoControl
    } else if share == Some(0.0) && on.total <= 0.0 {
        Reason::NoTreatment
    } else if on.total < MIN_PER_ARM || off.total < MIN_PER_ARM {
        Reason::TooLittle
    } else {
        // Both one-sided tests at θ₀ = max_increase: the distance from the estimate to
        // max_increase against the bound's reach there.
        let d = difference.expect("both arms have requests");
        let r = msprt::radius(variance::at(input.on, input.off, delta), tau, alpha);
        if d - delta >= r {
            Reason::Above
        } else if delta - d >= r {
            Reason::Within
        } else {
            Reason::Undecided
        }
    };
    let verdict = match reason {
        Reason::SplitMismatch => Verdict::Hold,
        Reason::Above => Verdict::Fail,
        Reason::Within => Verdict::Pass,
        Reason::NoControl | Reason::NoTreatment | Reason::TooLittle | Reason::Undecided => {
            Verdict::NoData
        }
    };
    Ok(Decision {
        verdict,
        reason,
        on,
        off,
        difference,
        alpha,
        tau,
        split,
    })
}

/// Decides one compare gate and says why, with the sample still needed when undecided.
pub fn compare(input: &CompareInput) -> Result<CompareVerdict, InputError> {
    let d = decide(input)?;
    let delta = input.max_increase;
    let mut out = CompareVerdict {
        verdict: d.verdict,
        on: d.on,
        off: d.off,
        difference: d.difference,
        interval: bounds(input, &d),
        max_increase: delta,
        alpha: d.alpha,
        needed: None,
        split: d.split.clone(),
        explanation: String::new(),
    };
    let seen = describe(&out);
    let allowed = points(delta);
    out.explanation = match d.reason {
        Reason::SplitMismatch => {
            let s = out
                .split
                .as_ref()
                .expect("a mismatch comes from a split test");
            format!(
                "sample ratio mismatch: on has {} of {} requests where the stage sends {} \
                 (p {} ≤ {}), so the comparison means nothing: {seen}",
                percent(s.observed_on_share.unwrap_or(0.0)),
                count(d.on.total + d.off.total),
                percent(s.expected_on_share),
                if s.p_value < 1e-12 {
                    "< 1e-12".to_string()
                } else {
                    format!("= {:.1e}", s.p_value)
                },
                s.level,
            )
        }
        Reason::NoControl => {
            "no control: the stage sends every request to on, there is nothing to compare with"
                .into()
        }
        Reason::NoTreatment => "no treatment: the stage sends no request to on".into(),
        Reason::TooLittle => {
            let short = |t: f64| (MIN_PER_ARM - t).max(0.0).ceil() as u64;
            out.needed = Some(Needed {
                on: short(d.on.total),
                off: short(d.off.total),
            });
            format!(
                "too little traffic: {seen}; each arm needs at least {} requests",
                count(MIN_PER_ARM)
            )
        }
        Reason::Above => {
            format!("{seen}: the lower bound is above the allowed {allowed}, on is worse than off")
        }
        Reason::Within => format!("{seen}: the upper bound is within the allowed {allowed}"),
        Reason::Undecided => {
            out.needed = needed(input, &d);
            match out.needed {
                Some(n) => format!(
                    "{seen}: the bounds are on both sides of the allowed {allowed}; about {} more on and {} \
                     more off requests at these rates",
                    count(n.on as f64),
                    count(n.off as f64)
                ),
                None => format!(
                    "{seen}: the bounds are on both sides of the allowed {allowed}, and the \
                     difference is too close to it to decide"
                ),
            }
        }
    };
    Ok(out)
}

/// The requests still needed per arm for the bounds to clear `max_increase`, both arms
/// growing at their current rates and split (None beyond a billion times the sample).
fn needed(input: &CompareInput, d: &Decision) -> Option<Needed> {
    let gap = (d.difference? - input.max_increase).abs();
    let scaled = |c: Counts, m: f64| Counts {
        errors: c.errors * m,
        total: c.total * m,
    };
    let fits = |m: f64| {
        let v = variance::at(
            scaled(input.on, m),
            scaled(input.off, m),
            input.max_increase,
        );
        msprt::radius(v, d.tau, d.alpha) <= gap
    };
    msprt::smallest(fits, 1.0, 1e9).map(|m| Needed {
        on: ((m - 1.0) * d.on.total).ceil() as u64,
        off: ((m - 1.0) * d.off.total).ceil() as u64,
    })
}

/// The bounds: the null values θ₀ where the one-sided tests stop rejecting, found by bisection
/// (the variance depends on θ₀). None without requests in both arms.
fn bounds(input: &CompareInput, d: &Decision) -> Option<Interval> {
    let diff = d.difference?;
    let reach =
        |theta0: f64| msprt::radius(variance::at(input.on, input.off, theta0), d.tau, d.alpha);
    // g(θ₀) = distance − reach is negative at the estimate and grows with the distance; the
    // crossing on each side is the bound, or ±1 when there is none.
    let cross = |toward: f64| {
        let edge = toward * 0.999_999;
        if (edge - diff).abs() - reach(edge) < 0.0 {
            return toward;
        }
        let (mut inside, mut outside) = (diff, edge);
        for _ in 0..60 {
            let mid = 0.5 * (inside + outside);
            if (mid - diff).abs() - reach(mid) < 0.0 {
                inside = mid;
            } else {
                outside = mid;
            }
        }
        0.5 * (inside + outside)
    };
    Some(Interval {
        lower: cross(-1.0),
        upper: cross(1.0),
        confidence: 1.0 - d.alpha,
    })
}

/// "on 1.20% (60/5,000) vs off 1.00% (500/50,000): +0.20 points, 95% always-valid bounds
/// [-0.31, +0.71]"
fn describe(v: &CompareVerdict) -> String {
    let side = |name: &str, a: &Arm| match a.rate {
        Some(r) => format!(
            "{name} {} ({}/{})",
            percent(r),
            count(a.errors),
            count(a.total)
        ),
        None => format!("{name} no requests"),
    };
    let mut s = format!("{} vs {}", side("on", &v.on), side("off", &v.off));
    if let (Some(d), Some(i)) = (v.difference, v.interval) {
        s.push_str(&format!(
            ": {}, {} always-valid bounds [{}, {}]",
            points(d),
            percent_level(i.confidence),
            signed(i.lower),
            signed(i.upper)
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(on: (f64, f64), off: (f64, f64), pct: Option<f64>) -> CompareInput {
        CompareInput {
            on: Counts {
                errors: on.0,
                total: on.1,
            },
            off: Counts {
                errors: off.0,
                total: off.1,
            },
            stage_percentage: pct,
            alpha: DEFAULT_ALPHA,
            max_increase: 0.005,
            gates: 1,
        }
    }

    fn run(on: (f64, f64), off: (f64, f64), pct: Option<f64>) -> CompareVerdict {
        compare(&input(on, off, pct)).unwrap()
    }

    #[test]
    fn equal_rates_on_enough_traffic_pass() {
        let v = run((600.0, 60_000.0), (5_400.0, 540_000.0), Some(10.0));
        assert_eq!(
            v.explanation,
            "on 1.00% (600/60,000) vs off 1.00% (5,400/540,000): +0.00 points, 95% always-valid \
             bounds [-0.13, +0.14]: the upper bound is within the allowed +0.50 points"
        );
        assert_eq!(v.verdict, Verdict::Pass);
        assert_eq!(v.needed, None);
        assert!(!v.split.unwrap().mismatch);
    }

    #[test]
    fn one_point_worse_fails() {
        let v = run((1_200.0, 60_000.0), (5_400.0, 540_000.0), Some(10.0));
        assert_eq!(
            v.explanation,
            "on 2.00% (1,200/60,000) vs off 1.00% (5,400/540,000): +1.00 points, 95% always-valid \
             bounds [+0.82, +1.18]: the lower bound is above the allowed +0.50 points, on is worse \
             than off"
        );
        assert_eq!(v.verdict, Verdict::Fail);
    }

    #[test]
    fn an_undecided_interval_is_no_data_with_the_sample_needed() {
        let v = run((30.0, 3_000.0), (270.0, 27_000.0), Some(10.0));
        assert_eq!(v.verdict, Verdict::NoData);
        let n = v.needed.unwrap();
        // At the needed sample, with the same rates, the upper bound just clears max_increase.
        let m = (3_000.0 + n.on as f64) / 3_000.0;
        let later = run(
            (30.0 * m, 3_000.0 * m),
            (270.0 * m, 27_000.0 * m),
            Some(10.0),
        );
        assert_eq!(later.verdict, Verdict::Pass, "{}", later.explanation);
        let m = (3_000.0 + 0.95 * n.on as f64) / 3_000.0;
        let sooner = run(
            (30.0 * m, 3_000.0 * m),
            (270.0 * m, 27_000.0 * m),
            Some(10.0),
        );
        assert_eq!(sooner.verdict, Verdict::NoData);
        // The projection keeps the split: off grows nine times as much as on.
        assert!((n.off as f64 / n.on as f64 - 9.0).abs() < 0.05, "{n:?}");
        assert!(v.explanation.ends_with(&format!(
            "the bounds are on both sides of the allowed +0.50 points; about {} more on and {} more off \
             requests at these rates",
            count(n.on as f64),
            count(n.off as f64)
        )));
    }

    #[test]
    fn thin_traffic_is_no_data_until_each_arm_has_its_minimum() {
        let v = run((1.0, 30.0), (2.0, 270.0), Some(10.0));
        assert_eq!(v.verdict, Verdict::NoData);
        assert_eq!(v.needed, Some(Needed { on: 70, off: 0 }));
        assert_eq!(
            v.explanation,
            "too little traffic: on 3.33% (1/30) vs off 0.74% (2/270): +2.59 points, 95% \
             always-valid bounds [-83.91, +92.94]; each arm needs at least 100 requests"
        );
    }

    #[test]
    fn a_skewed_split_holds_even_when_the_rates_would_pass() {
        // 12% of traffic in on at a 10% stage.
        let v = run((720.0, 72_000.0), (5_280.0, 528_000.0), Some(10.0));
        assert_eq!(v.verdict, Verdict::Hold);
        assert!(v.explanation.starts_with(
            "sample ratio mismatch: on has 12.00% of 600,000 requests where the stage sends \
             10.00% (p < 1e-12 ≤ 0.001), so the comparison means nothing: on 1.00%"
        ));
        // Without a known share (a stage that also targets groups) there is no split test.
        let v = run((720.0, 72_000.0), (5_280.0, 528_000.0), None);
        assert_eq!((v.verdict, v.split), (Verdict::Pass, None));
    }

    #[test]
    fn a_full_stage_has_no_control() {
        let v = run((10.0, 1_000.0), (0.0, 0.0), Some(100.0));
        assert_eq!(v.verdict, Verdict::NoData);
        assert_eq!(v.needed, None);
        assert_eq!(
            v.explanation,
            "no control: the stage sends every request to on, there is nothing to compare with"
        );
    }

    #[test]
    fn the_verdict_and_the_bounds_agree() {
        // The verdict tests at max_increase; the bounds invert the same tests over every null
        // value. They must tell the same story on any counts.
        let mut seen = [0; 3];
        for on_total in [150.0, 1_000.0, 8_000.0, 60_000.0] {
            for off_total in [150.0, 5_000.0, 200_000.0] {
                for on_rate in [0.0, 0.004, 0.01, 0.016, 0.03, 0.2] {
                    let v = run(
                        (on_rate * on_total, on_total),
                        (0.01 * off_total, off_total),
                        None,
                    );
                    let i = v.interval.unwrap();
                    let (lo, hi) = (i.lower, i.upper);
                    match v.verdict {
                        Verdict::Fail => seen[0] += usize::from(lo > 0.005 - 1e-9),
                        Verdict::Pass => seen[1] += usize::from(hi <= 0.005 + 1e-9),
                        _ => seen[2] += usize::from(lo <= 0.005 + 1e-9 && hi > 0.005 - 1e-9),
                    }
                    assert!(lo <= v.difference.unwrap() && v.difference.unwrap() <= hi);
                }
            }
        }
        assert_eq!(seen.iter().sum::<usize>(), 4 * 3 * 6, "{seen:?}");
        assert!(seen.iter().all(|&n| n > 5), "{seen:?}");
    }

    #[test]
    fn gates_share_alpha() {
        let mut i = input((600.0, 60_000.0), (5_400.0, 540_000.0), Some(10.0));
        let one = compare(&i).unwrap();
        i.gates = 4;
        let four = compare(&i).unwrap();
        assert_eq!(four.alpha, 0.0125);
        assert_eq!(four.interval.unwrap().confidence, 0.9875);
        assert!(four.interval.unwrap().upper > one.interval.unwrap().upper);
        assert!(four.explanation.contains("98.75% always-valid bounds"));
    }

    #[test]
    fn the_verdict_serialises_with_kebab_case_names() {
        let v = run((1.0, 30.0), (2.0, 270.0), None);
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["verdict"], "no-data");
        assert_eq!(json["needed"], serde_json::json!({"on": 70, "off": 0}));
        let back: CompareVerdict = serde_json::from_value(json).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn bad_input_is_an_error_that_says_what_to_fix() {
        let err = |f: &dyn Fn(&mut CompareInput)| {
            let mut i = input((1.0, 100.0), (1.0, 100.0), Some(10.0));
            f(&mut i);
            compare(&i).unwrap_err().0
        };
        assert_eq!(
            err(&|i| i.on.errors = 101.0),
            "the `on` arm has more errors (101) than requests (100): check that the `errors` \
             query counts a subset of the `total` query"
        );
        assert_eq!(
            err(&|i| i.off.total = f64::NAN),
            "the `off` counts must be finite and not negative (errors 1, total NaN)"
        );
        assert_eq!(
            err(&|i| i.alpha = 0.0),
            "alpha must be between 0 and 1 (exclusive), not 0"
        );
        assert_eq!(
            err(&|i| i.max_increase = -0.1),
            "max_increase is a rate difference between 0 and 1 (0.005 is half a point), not -0.1"
        );
        assert_eq!(
            err(&|i| i.gates = 0),
            "at least one compare gate shares alpha"
        );
        assert_eq!(
            err(&|i| i.stage_percentage = Some(120.0)),
            "the stage percentage must be 0-100, not 120"
        );
    }
}
