//! Bucketing against the providers' published test vectors.

use rollout::domain::exposure::{flagd, murmur3, unleash};

#[derive(serde::Deserialize)]
struct Vector {
    bucket_key: String,
    variants: Vec<(String, u64)>,
    expected: String,
    source: String,
    murmur3_x86_32: Option<u32>,
}

#[test]
fn flagd_fractional_matches_every_published_and_generated_vector() {
    // tests/fixtures/flagd-vectors.json: flagd's fractional_test.go, flagd-testbed's
    // targeting.feature, and vectors generated with @openfeature/flagd-core 4.x (sources inside).
    let vectors: Vec<Vector> =
        serde_json::from_str(include_str!("fixtures/flagd-vectors.json")).expect("vectors parse");
    assert!(vectors.len() >= 30);
    for v in &vectors {
        if let Some(h) = v.murmur3_x86_32 {
            assert_eq!(
                murmur3(&[&v.bucket_key]),
                h,
                "murmur3 of {:?} ({})",
                v.bucket_key,
                v.source
            );
        }
        let total: u64 = v.variants.iter().map(|(_, w)| w).sum();
        let bucket = flagd::bucket_of(&[&v.bucket_key], total);
        let names: Vec<(&str, u64)> = v.variants.iter().map(|(n, w)| (n.as_str(), *w)).collect();
        assert_eq!(
            flagd::pick(bucket, &names),
            Some(v.expected.as_str()),
            "{:?} ({})",
            v.bucket_key,
            v.source
        );
    }
}

#[test]
fn unleash_normalized_hash_matches_published_vectors() {
    // Unleash/unleash-client-rust src/strategy.rs tests.
    assert_eq!(unleash::normalized("gr1", "123"), 73);
    assert_eq!(unleash::normalized("groupX", "999"), 25);
    // Unleash/client-specification 10-flexible-rollout-strategy.json, groupId = flag name.
    assert_eq!(unleash::normalized("Feature.flexibleRollout.10", "174"), 10);
    assert_eq!(unleash::normalized("Feature.flexibleRollout.10", "499"), 32);
    // Computed by npm unleash-client against a real unleash-server (as tests/unleash_parity.rs does).
    assert_eq!(murmur3(&["new-builder-cards:user-1"]), 1_445_071_337);
    for (user, n) in [
        ("user-1", 38),
        ("user-2", 37),
        ("user-3", 87),
        ("user-8", 9),
        ("user-10", 85),
        ("user-13", 14),
        ("user-100", 85),
        ("user-1000", 92),
        ("user-2000", 80),
        ("beta-1", 15),
        ("beta-2", 88),
    ] {
        assert_eq!(unleash::normalized("new-builder-cards", user), n, "{user}");
    }
}
