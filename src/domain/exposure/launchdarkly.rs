//! LaunchDarkly's percentage rollout bucketing (launchdarkly/rust-server-sdk-evaluation,
//! src/variation.rs and src/contexts/context.rs): SHA-1 of `"{flagKey}.{salt}.{key}"`, or of
//! `"{seed}.{key}"` when the rollout has a seed; the first 15 hex digits as an integer over
//! 0xFFFFFFFFFFFFFFF is the bucket in [0, 1); the variations' weights (thousandths of a percent)
//! are walked in order and the first whose running sum exceeds the bucket wins.
//!
//! Here the bucket is kept exact as an integer: `floor(hash15 * 100000 / 0xFFFFFFFFFFFFFFF)`,
//! in 0..100000, so comparing it with an integer weight is the SDK's comparison without rounding.

use std::fmt::Write as _;

use sha1::{Digest, Sha1};

use crate::domain::config::Percentage;

/// 0xFFFFFFFFFFFFFFF: the largest 15-hex-digit number.
const LONG_SCALE: u64 = 0x0FFF_FFFF_FFFF_FFFF;

/// The first 15 hex digits of SHA-1 of the hash key, as an integer.
#[must_use]
pub fn hash15(flag_key: &str, salt: &str, seed: Option<i64>, user: &[u8]) -> u64 {
    let mut h = Sha1::new();
    match seed {
        Some(seed) => {
            let mut s = String::new();
            let _ = write!(s, "{seed}.");
            h.update(s.as_bytes());
        }
        None => {
            h.update(flag_key.as_bytes());
            h.update(b".");
            h.update(salt.as_bytes());
            h.update(b".");
        }
    }
    h.update(user);
    let digest = h.finalize();
    // 15 hex digits = 60 bits: the first 7.5 bytes.
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) >> 4
}

/// The bucket in [0, 1), as LaunchDarkly's SDKs compute it (for the published vectors).
#[must_use]
#[allow(clippy::cast_precision_loss)]
pub fn bucket_fraction(flag_key: &str, salt: &str, seed: Option<i64>, user: &str) -> f64 {
    hash15(flag_key, salt, seed, user.as_bytes()) as f64 / LONG_SCALE as f64
}

/// The bucket in 0..100000 (exact floor of the fraction times 100000).
#[must_use]
pub fn bucket(flag_key: &str, salt: &str, seed: Option<i64>, user: &str) -> u32 {
    bucket_bytes(flag_key, salt, seed, user.as_bytes())
}

/// [`bucket`] of an id as the bytes read from an ids file.
#[must_use]
pub fn bucket_bytes(flag_key: &str, salt: &str, seed: Option<i64>, user: &[u8]) -> u32 {
    let scaled = u128::from(hash15(flag_key, salt, seed, user)) * 100_000 / u128::from(LONG_SCALE);
    u32::try_from(scaled.min(99_999)).unwrap_or(99_999)
}

/// Whether a user at `bucket` gets the "on" variation at `pct`: the rollout lists the variations
/// in the flag's order, so "on" is the first slice when it comes first, else the last.
#[must_use]
pub fn includes(bucket: u32, pct: Percentage, on_first: bool) -> bool {
    if on_first {
        bucket < pct.weight()
    } else {
        bucket >= 100_000 - pct.weight()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The consistency vectors of launchdarkly/rust-server-sdk-evaluation@7cb87439
    /// (src/variation.rs, `mod consistency_tests`): flag key `hashKey`, salt `saltyA`.
    #[test]
    fn published_vectors() {
        let cases: [(&str, Option<i64>, f64); 7] = [
            ("userKeyA", None, 0.421_575_87),
            ("userKeyB", None, 0.670_848_5),
            ("userKeyC", None, 0.103_431_06),
            ("userKeyA", Some(61), 0.098_012_07),
            ("userKeyB", Some(61), 0.144_837_77),
            ("userKeyC", Some(61), 0.924_264_1),
            ("userKeyA", Some(60), 0.700_881_6),
        ];
        for (user, seed, want) in cases {
            let got = bucket_fraction("hashKey", "saltyA", seed, user);
            assert!(
                (got - want).abs() < 1e-6,
                "{user} {seed:?}: {got} != {want}"
            );
        }
        // Weights 60000/40000 (the first variation 60%): A → 0, B → 1, C → 0.
        let sixty = Percentage::from_weight(60_000).unwrap();
        let first = |u: &str| includes(bucket("hashKey", "saltyA", None, u), sixty, true);
        assert!(first("userKeyA"));
        assert!(!first("userKeyB"));
        assert!(first("userKeyC"));
    }
}
