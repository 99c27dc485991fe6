//! Unleash's normalizedHash (Unleash/unleash-client-rust src/strategy.rs; the Node client and the
//! server's playground do the same): `murmur3_x86_32("{groupId}:{userId}", seed 0) % 100 + 1`,
//! enabled when `rollout > 0 && normalized <= rollout`.

use crate::domain::config::Percentage;

#[must_use]
pub fn normalized(group_id: &str, user: &str) -> u32 {
    super::murmur3(&[group_id, ":", user]) % 100 + 1
}

#[must_use]
pub fn includes(normalized: u32, pct: Percentage) -> bool {
    // Unleash rollouts are whole percent; a fractional percentage is rounded down as the server would
    // compare against its integer parse.
    let rollout = pct.weight() / 1000;
    rollout > 0 && normalized <= rollout
}
