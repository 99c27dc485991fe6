//! flagd's `fractional` operator (flagd >= 0.15, open-feature/flagd core/pkg/evaluator/fractional.go,
//! and @openfeature/flagd-core): `h = murmur3_x86_32(flagKey + targetingKey, seed 0)`,
//! `bucket = (h * totalWeight) >> 32`, the first variant whose running weight exceeds the bucket wins.
//! Our flags always have `on` first and weights out of 100000.

use crate::domain::config::Percentage;

pub const TOTAL_WEIGHT: u64 = 100_000;

#[must_use]
pub fn bucket(flag_key: &str, user: &str) -> u32 {
    bucket_of(&[flag_key, user], TOTAL_WEIGHT)
}

/// The bucket, in `0..total`, of the bucketing key made of `parts`.
#[must_use]
pub fn bucket_of(parts: &[&str], total: u64) -> u32 {
    let h = u64::from(super::murmur3(parts));
    // h < 2^32, so the result is below `total`, which fits in u32 for our weights.
    u32::try_from((h * total) >> 32).unwrap_or(u32::MAX)
}

#[must_use]
pub fn includes(bucket: u32, pct: Percentage) -> bool {
    bucket < pct.weight()
}

/// The variant chosen for `bucket` among `variants` (name, weight), as flagd walks them.
#[must_use]
pub fn pick<'a>(bucket: u32, variants: &[(&'a str, u64)]) -> Option<&'a str> {
    let mut sum = 0u64;
    for (name, weight) in variants {
        sum += weight;
        if u64::from(bucket) < sum {
            return Some(name);
        }
    }
    None
}
