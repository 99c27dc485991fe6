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
        let before = p.read_opt(".rollout/journal.jsonl").lines().count();
        let results = p.race(
            8,
            &["advance", "--yes"],
            &[("ROLLOUT_NOW", "2024-01-19T09:00:00Z")],
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
        let journal = p.read(".rollout/journal.jsonl");
        assert_eq!(
            journal.lines().count(),
            before + 1,
            "one journal line per change:\n{journal}"
        );
        for line in journal.lines() {
            serde_json::from_str::<serde_json::Value>(line)
                .expect("every journal line is whole JSON");
        }
    }
}
