//! Who is on at a given percentage, by each provider's own bucketing algorithm.

pub mod flagd;
pub mod unleash;

use crate::config::Percentage;

/// A provider's bucketing, ready to place user ids.
#[derive(Debug, Clone)]
pub enum Bucketing {
    /// flagd `fractional`, bucketing on `flagKey + targetingKey`.
    Flagd { flag_key: String },
    /// Unleash `flexibleRollout`, bucketing on `groupId:userId`.
    Unleash { group_id: String },
}

impl Bucketing {
    /// The user's position, comparable with [`Bucketing::includes`].
    #[must_use]
    pub fn bucket(&self, user: &str) -> u32 {
        match self {
            Bucketing::Flagd { flag_key } => flagd::bucket(flag_key, user),
            Bucketing::Unleash { group_id } => unleash::normalized(group_id, user),
        }
    }

    /// Whether a user at `bucket` is on at `pct`.
    #[must_use]
    pub fn includes(&self, bucket: u32, pct: Percentage) -> bool {
        match self {
            Bucketing::Flagd { .. } => flagd::includes(bucket, pct),
            Bucketing::Unleash { .. } => unleash::includes(bucket, pct),
        }
    }

    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Bucketing::Flagd { .. } => "flagd fractional (murmur3 of flag key + user id)",
            Bucketing::Unleash { .. } => "Unleash normalizedHash (murmur3 of groupId:userId)",
        }
    }
}

/// murmur3 x86_32 with seed 0 over the UTF-8 bytes of `parts` joined.
#[must_use]
pub fn murmur3(parts: &[&str]) -> u32 {
    let mut buf = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        buf.extend_from_slice(p.as_bytes());
    }
    // Reading from an in-memory slice cannot fail.
    murmur3::murmur3_32(&mut std::io::Cursor::new(buf), 0).unwrap_or(0)
}
