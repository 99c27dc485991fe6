//! Eight `rollout advance --yes` at the same moment: exactly one change, never a lost update.

use crate::test::Project;

#[test]
fn eight_concurrent_advances_make_exactly_one_change() {
    for round in 0..3 {
        let p = Project::builder_cards();
        if round > 0 {
            // Also race from a live stage, not only from nothing.
            p.rollout(["advance"]).at("2024-01-15T09:00:00Z").run();
        }
        let before = p.journal().len();
        let results = p.race(
            8,
            &["advance", "--yes"],
            &[(crate::test::TEST_NOW, "2024-01-19T09:00:00Z")],
        );
        let wins = results.iter().filter(|(c, _)| *c == 0).count();
        assert_eq!(wins, 1, "round {round}: {results:#?}");
        for (code, err) in &results {
            assert!(
                [0, 3, 5].contains(code),
                "round {round}: unexpected exit {code}: {err}"
            );
            assert!(!err.contains("panicked"), "{err}");
        }
        let flags: serde_json::Value = serde_json::from_str(&p.read(".rollout/flags.json"))
            .expect("flags.json stays valid JSON");
        let stage = &flags["flags"]["use-new-builder-cards"]["metadata"]["rolloutStage"];
        assert_eq!(stage, if round == 0 { "internal" } else { "beta" });
        // Every line whole JSON; one applied change; each run that got as far as the write
        // journaled its intent and then its outcome (the losers' conflicts as failed).
        let new = &p.journal()[before..];
        let applied = new.iter().filter(|r| r["outcome"] == "applied").count();
        assert_eq!(applied, 1, "one applied change: {new:#?}");
        for intent in new.iter().filter(|r| r["outcome"] == "intent") {
            let outcomes: Vec<_> = new
                .iter()
                .filter(|r| r["id"] == intent["id"] && r["outcome"] != "intent")
                .map(|r| r["outcome"].as_str().unwrap())
                .collect();
            assert!(
                outcomes == ["applied"] || outcomes == ["failed"],
                "one outcome per intent: {new:#?}"
            );
        }
    }
}
