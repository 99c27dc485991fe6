//! Simulated rollouts with fixed seeds: the compare gate's guarantees as a user would see them
//! over many rollouts, each looked at every interval the way `rollout watch` does.
//!
//! Every scenario (documented in docs/compare-gates.md, "Simulations") draws, per look, the
//! requests that reached each arm (the stage's share of a fixed number of requests per look) and
//! each arm's errors, accumulates them, and asks `rollout::domain::stats::decide` for a verdict on the
//! counts so far, exactly as a compare gate reads cumulative `increase()` counts.

use rollout::domain::stats::compare::{
    decide, CompareInput, Counts, Verdict, DEFAULT_ALPHA, MIN_PER_ARM,
};
use rollout::domain::stats::power::{minimum_sample, sequential_total, PowerInput};
use rollout::domain::stats::special::normal_quantile;

/// splitmix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", 2014):
/// tiny, seedable, and good enough for Monte Carlo of this size.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Binomial(n, p): exact by inversion while the mean is small (the BINV algorithm of
    /// Kachitvichyanukul & Schmeiser, 1988), the normal approximation above a mean of 50.
    fn binomial(&mut self, n: u64, p: f64) -> u64 {
        if n == 0 || p <= 0.0 {
            return 0;
        }
        if p > 0.5 {
            return n - self.binomial(n, 1.0 - p);
        }
        let nf = n as f64;
        let mean = nf * p;
        if mean >= 50.0 {
            let x = (mean + (mean * (1.0 - p)).sqrt() * self.normal()).round();
            return x.clamp(0.0, nf) as u64;
        }
        let q = 1.0 - p;
        let s = p / q;
        let a = (nf + 1.0) * s;
        let mut r = (nf * q.ln()).exp();
        let mut u = self.uniform();
        let mut x = 0u64;
        while u > r {
            u -= r;
            x += 1;
            if x >= n {
                return n;
            }
            r *= a / x as f64 - s;
        }
        x
    }
}

/// One kind of rollout.
#[derive(Clone, Copy)]
struct Scenario {
    p_on: f64,
    p_off: f64,
    stage_percentage: f64,
    /// Requests per look, both arms together (a look every 30 s).
    per_look: u64,
    looks: u32,
    max_increase: f64,
    /// Pass the stage percentage, so the split test runs too.
    split_test: bool,
    /// The share of requests that really reaches `on` (the stage's own share unless skewed).
    true_share: f64,
}

impl Scenario {
    fn new(p_on: f64, p_off: f64, stage_percentage: f64, per_look: u64, looks: u32) -> Self {
        Scenario {
            p_on,
            p_off,
            stage_percentage,
            per_look,
            looks,
            max_increase: 0.005,
            split_test: false,
            true_share: stage_percentage / 100.0,
        }
    }
}

/// What happened over the runs.
#[derive(Debug, Default)]
struct Tally {
    runs: u32,
    /// Runs with at least one `fail` (a kill under `watch`).
    failed: u32,
    /// Runs with at least one `pass`.
    passed: u32,
    /// Runs with at least one `hold`.
    held: u32,
    /// Runs where a one-sided z-test at the same level, looked at as often, ever alarmed.
    naive_alarmed: u32,
    /// The look of the first `fail` in each run that failed.
    first_fail: Vec<u32>,
}

fn simulate(sc: Scenario, runs: u32, seed: u64) -> Tally {
    let mut rng = Rng(seed);
    let z = normal_quantile(1.0 - DEFAULT_ALPHA);
    let mut t = Tally {
        runs,
        ..Tally::default()
    };
    for _ in 0..runs {
        let (mut on, mut off) = (
            Counts {
                errors: 0.0,
                total: 0.0,
            },
            Counts {
                errors: 0.0,
                total: 0.0,
            },
        );
        let (mut failed, mut passed, mut held, mut naive) = (false, false, false, false);
        for look in 1..=sc.looks {
            let n_on = rng.binomial(sc.per_look, sc.true_share);
            let n_off = sc.per_look - n_on;
            on.total += n_on as f64;
            off.total += n_off as f64;
            on.errors += rng.binomial(n_on, sc.p_on) as f64;
            off.errors += rng.binomial(n_off, sc.p_off) as f64;
            let d = decide(&CompareInput {
                on,
                off,
                stage_percentage: sc.split_test.then_some(sc.stage_percentage),
                alpha: DEFAULT_ALPHA,
                max_increase: sc.max_increase,
                gates: 1,
            })
            .expect("valid input");
            match d.verdict {
                Verdict::Fail if !failed => {
                    failed = true;
                    t.first_fail.push(look);
                }
                Verdict::Pass => passed = true,
                Verdict::Hold => held = true,
                _ => {}
            }
            // The naive gate: the textbook one-sided z-test for H0 "p_on - p_off <= max_increase",
            // after the same warm-up, looked at on every look.
            if on.total >= MIN_PER_ARM && off.total >= MIN_PER_ARM {
                let (a, b) = (on.errors / on.total, off.errors / off.total);
                let v = a * (1.0 - a) / on.total + b * (1.0 - b) / off.total;
                if v > 0.0 && (a - b - sc.max_increase) / v.sqrt() > z {
                    naive = true;
                }
            }
        }
        t.failed += u32::from(failed);
        t.passed += u32::from(passed);
        t.held += u32::from(held);
        t.naive_alarmed += u32::from(naive);
    }
    t
}

/// The highest share of `runs` that a true rate of `level` produces with odds worse than
/// 1 in 700 (the level plus three binomial standard deviations).
fn tolerance(level: f64, runs: u32) -> f64 {
    level + 3.0 * (level * (1.0 - level) / f64::from(runs)).sqrt()
}

fn share(k: u32, runs: u32) -> f64 {
    f64::from(k) / f64::from(runs)
}

/// A/A at a zero margin (on may not be worse at all), 50% stage, 1% errors in both arms,
/// 400 requests a look (48,000 an hour), 120 looks (an hour of `watch` at 30 s): the gate
/// fails in at most alpha of the 10,000 rollouts, and wrongly passes (claims on is better)
/// in at most alpha too; the naive z-test looked at as often alarms far more often.
#[test]
fn a_a_rollouts_fail_at_most_alpha_of_the_time_however_often_watched() {
    let mut sc = Scenario::new(0.01, 0.01, 50.0, 400, 120);
    sc.max_increase = 0.0;
    let t = simulate(sc, 10_000, 1);
    let bound = tolerance(DEFAULT_ALPHA, t.runs);
    assert!(share(t.failed, t.runs) <= bound, "{t:?}");
    assert!(share(t.passed, t.runs) <= bound, "{t:?}");
    assert!(
        share(t.naive_alarmed, t.runs) > 3.0 * DEFAULT_ALPHA,
        "{t:?}"
    );
}

/// The same at a 10% stage, where `on` sees 40 requests and 0.4 errors a look: thin counts do
/// not break the bound.
#[test]
fn a_a_rollouts_at_a_small_stage_also_hold_alpha() {
    let mut sc = Scenario::new(0.01, 0.01, 10.0, 400, 120);
    sc.max_increase = 0.0;
    let t = simulate(sc, 3_000, 2);
    let bound = tolerance(DEFAULT_ALPHA, t.runs);
    assert!(share(t.failed, t.runs) <= bound, "{t:?}");
    assert!(share(t.passed, t.runs) <= bound, "{t:?}");
    assert!(share(t.naive_alarmed, t.runs) > bound, "{t:?}");
}

/// At the edge of the allowance (on exactly `max_increase` = 0.5 points worse, 1.5% against
/// 1%), neither a wrong fail nor a wrong pass happens in more than alpha of rollouts.
#[test]
fn at_the_allowed_increase_neither_verdict_is_wrong_more_than_alpha() {
    let t = simulate(Scenario::new(0.015, 0.01, 50.0, 400, 240), 2_000, 3);
    let bound = tolerance(DEFAULT_ALPHA, t.runs);
    assert!(share(t.failed, t.runs) <= bound, "{t:?}");
    assert!(share(t.passed, t.runs) <= bound, "{t:?}");
}

/// The same at a 5% stage, where `on` sees 20 requests and 0.3 errors a look: an `on` arm that
/// shows few errors by chance must not pass (the score variance of `stats::variance`).
#[test]
fn at_the_allowed_increase_a_small_stage_does_not_pass_by_luck() {
    let t = simulate(Scenario::new(0.015, 0.01, 5.0, 400, 240), 2_000, 7);
    let bound = tolerance(DEFAULT_ALPHA, t.runs);
    assert!(share(t.failed, t.runs) <= bound, "{t:?}");
    assert!(share(t.passed, t.runs) <= bound, "{t:?}");
}

/// A/B: a one-point increase (2% against 1%) with `max_increase` 0.5 points, 50% stage,
/// 1,000 requests a look (120,000 an hour): caught by the look the power formula predicts
/// for 80% power (32 looks, 16 minutes) in at least 80% of rollouts.
#[test]
fn a_one_point_increase_is_caught_within_the_predicted_looks() {
    let per_look = 1_000;
    let total = sequential_total(
        0.02,
        0.01,
        0.5,
        0.005,
        0.005,
        DEFAULT_ALPHA,
        normal_quantile(0.8),
    )
    .unwrap();
    let looks = (total / per_look as f64).ceil() as u32;
    assert_eq!(looks, 32);
    let t = simulate(Scenario::new(0.02, 0.01, 50.0, per_look, looks), 1_000, 4);
    assert!(share(t.failed, t.runs) >= 0.8, "{t:?}");
    // A pass here is wrong (on is 0.5 points beyond the allowance): at most alpha of runs.
    assert!(
        share(t.passed, t.runs) <= tolerance(DEFAULT_ALPHA, t.runs),
        "{t:?}"
    );
}

/// Sample ratio mismatch: with a correct split the split test holds at most 1 in 1,000
/// rollouts (10% stage, 400 requests a look, 120 looks); with 11% of requests reaching `on` at
/// a 10% stage, it holds within those 120 looks in at least 80% of rollouts.
#[test]
fn the_split_test_holds_a_skewed_split_and_rarely_a_correct_one() {
    let mut sc = Scenario::new(0.01, 0.01, 10.0, 400, 120);
    sc.split_test = true;
    let t = simulate(sc, 2_000, 5);
    assert!(share(t.held, t.runs) <= tolerance(0.001, t.runs), "{t:?}");
    sc.true_share = 0.11;
    let t = simulate(sc, 500, 6);
    assert!(share(t.held, t.runs) >= 0.8, "{t:?}");
}

/// The other side of `plan --power`: a harmless change (both arms at 1%) at a 5% stage with
/// 400 requests a look passes within the minimum soak `minimum_sample` gives for that stage
/// (161,911 requests: 405 looks, 3h 22m) in at least 80% of rollouts.
#[test]
fn a_harmless_change_passes_within_the_minimum_soak_at_a_small_stage() {
    let m = minimum_sample(&PowerInput {
        baseline: 0.01,
        max_increase: 0.005,
        alpha: DEFAULT_ALPHA,
        gates: 1,
        power: 0.8,
        stage_percentage: 5.0,
        traffic_per_hour: None,
    })
    .unwrap()
    .unwrap();
    let looks = (m.total as f64 / 400.0).ceil() as u32;
    assert_eq!(looks, 405);
    let t = simulate(Scenario::new(0.01, 0.01, 5.0, 400, looks), 500, 8);
    assert!(share(t.passed, t.runs) >= 0.8, "{t:?}");
    assert!(
        share(t.failed, t.runs) <= tolerance(DEFAULT_ALPHA, t.runs),
        "{t:?}"
    );
}
