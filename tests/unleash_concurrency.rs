//! Racing `rollout advance --yes` runs against one real Unleash flag: they end at exactly the
//! next stage, never beyond. Unleash checks a JSON Patch `test` and applies the change
//! separately, so two runs from the same stage can both succeed; each such run says so in its
//! journal entry, and the flag holds one strategy of each kind.

use crate::unleash_server::{journal, server, STAGES};

const RACERS: usize = 6;

fn race(s: &crate::unleash_server::Server, p: &crate::test::Project) -> Vec<(i32, String)> {
    p.race(
        RACERS,
        &["advance", "--yes"],
        &[("UNLEASH_API_TOKEN", &s.admin)],
    )
}

#[test]
fn concurrent_advances_end_at_exactly_the_next_stage() {
    let s = server();
    let flag = s.create_flag("race");
    let p = s.project(&flag, STAGES);
    // From nothing: strategies are created (no guard exists for a create), the oldest is kept.
    let results = race(&s, &p);
    for (code, err) in &results {
        assert!([0, 3, 5].contains(code), "unexpected exit {code}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let wins = results.iter().filter(|(c, _)| *c == 0).count();
    assert!(wins >= 1, "{results:#?}");
    let rollouts: Vec<_> = s
        .strategies(&flag)
        .into_iter()
        .filter(|st| st["constraints"].as_array().unwrap().is_empty())
        .collect();
    assert_eq!(rollouts.len(), 1, "one rollout strategy: {rollouts:#?}");
    assert_eq!(rollouts[0]["parameters"]["rollout"], "5");
    assert_eq!(s.environment(&flag, "development")["enabled"], true);
    assert_eq!(
        journal(&p).len(),
        wins,
        "one journal line per reported change"
    );

    // From a live stage: everybody starts from internal; beta soaks 7 days, so no run that reads
    // beta can go further.
    std::thread::sleep(std::time::Duration::from_millis(1200));
    let before = journal(&p).len();
    let results = race(&s, &p);
    for (code, err) in &results {
        assert!([0, 3, 5].contains(code), "unexpected exit {code}: {err}");
    }
    let wins = results.iter().filter(|(c, _)| *c == 0).count();
    assert!(wins >= 1, "{results:#?}");
    assert_eq!(
        s.rollout_strategy(&flag)["parameters"]["rollout"],
        "10",
        "exactly beta, never beyond"
    );
    let users: Vec<_> = s
        .strategies(&flag)
        .into_iter()
        .filter(|st| st["constraints"][0]["contextName"] == "userId")
        .collect();
    assert!(users.len() <= 2, "{users:#?}");
    s.rollout(&p, ["status"]).stdout_has("beta (10%)").run();
    let entries = journal(&p);
    assert_eq!(entries.len(), before + wins);
    for e in &entries[before..] {
        assert_eq!(e["to"], "beta");
        assert_eq!(e["outcome"], "applied");
    }
    if wins > 1 {
        // Honest: the runs that saw the race say so.
        assert!(
            entries[before..].iter().any(|e| e["detail"]
                .as_str()
                .is_some_and(|d| d.contains("at the same moment"))),
            "{entries:#?}"
        );
    }
    // The next write removes any duplicate left by racing creates.
    s.rollout(&p, ["rollback", "--yes"]).run();
    assert!(s.constrained(&flag, "userId").is_none());
    assert_eq!(s.strategies(&flag).len(), 2, "rollout and groups only");
}
