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

/// Stages that differ in percentage only: the first stage is one strategy created, whose check
/// for a concurrent creator's copy is made on the read-back after the environment goes on. Its
/// soak stops a racer that reads after another's first stage from going further.
const PERCENTAGES: &str = "  - { name: low, percentage: 5, duration: 1h }
  - { name: mid, percentage: 50 }
  - { name: full, percentage: 100 }
";

/// `runs` started at the same moment (actors racer-0 …): exit codes and stderr.
fn race_each(
    s: &crate::unleash_server::Server,
    p: &crate::test::Project,
    runs: &[&[&str]],
) -> Vec<(i32, String)> {
    let commands = runs
        .iter()
        .enumerate()
        .map(|(i, args)| {
            let mut cmd = p.command(args);
            cmd.env("ROLLOUT_ACTOR", format!("racer-{i}"))
                .env("UNLEASH_API_TOKEN", &s.admin);
            cmd
        })
        .collect();
    crate::test::run_together(commands)
}

#[test]
fn racing_first_stages_keep_one_rollout_strategy() {
    let s = server();
    for round in 0..3 {
        // The same first stage six times: the oldest strategy stays, every winner says so.
        let flag = s.create_flag("race-first");
        let p = s.project(&flag, PERCENTAGES);
        let same: &[&str] = &["advance", "--yes"];
        let results = race_each(&s, &p, &[same; 6]);
        for (code, err) in &results {
            assert!(
                [0, 3, 5].contains(code),
                "round {round}: exit {code}: {err}"
            );
        }
        let wins = results.iter().filter(|(c, _)| *c == 0).count();
        assert!(wins >= 1, "round {round}: {results:#?}");
        let list = s.strategies(&flag);
        assert_eq!(list.len(), 1, "round {round}: one strategy: {list:#?}");
        assert_eq!(list[0]["parameters"]["rollout"], "5");
        assert_eq!(s.environment(&flag, "development")["enabled"], true);
        assert_eq!(
            journal(&p).len(),
            wins,
            "round {round}: one line per exit 0"
        );

        // Two different first stages at once: one stands, whole; the other is exit 5.
        let flag = s.create_flag("race-first-apart");
        let p = s.project(&flag, PERCENTAGES);
        let force: &[&str] = &["advance", "mid", "--force", "--reason", "race", "--yes"];
        let results = race_each(&s, &p, &[&["advance", "low", "--yes"], force]);
        for (code, err) in &results {
            // 3: `advance low` read the flag after mid stood ("low is behind").
            assert!(
                [0, 3, 5].contains(code),
                "round {round}: exit {code}: {err}"
            );
        }
        let list = s.strategies(&flag);
        assert_eq!(list.len(), 1, "round {round}: one strategy: {list:#?}");
        let rollout = list[0]["parameters"]["rollout"]
            .as_str()
            .unwrap()
            .to_string();
        let winner = usize::from(rollout == "50");
        assert!(["5", "50"].contains(&rollout.as_str()), "{rollout}");
        assert_eq!(results[winner].0, 0, "round {round}: {results:#?}");
        assert_eq!(s.environment(&flag, "development")["enabled"], true);
        // One applied record, the winner's; the loser's, when part of its write stands (it
        // turned the environment on), is may-have-been-applied and says what it left.
        let lines = journal(&p);
        let applied: Vec<_> = lines.iter().filter(|l| l["outcome"] == "applied").collect();
        assert_eq!(applied.len(), 1, "round {round}: {lines:#?}");
        assert_eq!(applied[0]["to"], if winner == 1 { "mid" } else { "low" });
        for l in lines.iter().filter(|l| l["outcome"] != "applied") {
            assert_eq!(
                l["outcome"], "may-have-been-applied",
                "round {round}: {lines:#?}"
            );
            assert!(l["detail"].as_str().unwrap().contains("already changed: "));
        }
    }
}

/// Three stages, no soak: from `mid` an advance goes to `high`, a rollback to `low`.
const THREE: &str = "  - { name: low, percentage: 10 }
  - { name: mid, percentage: 25 }
  - { name: high, percentage: 50 }
";

/// The rollout percentage Unleash holds for `flag`, as a number.
fn rollout_of(s: &crate::unleash_server::Server, flag: &str) -> u64 {
    s.rollout_strategy(flag)["parameters"]["rollout"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{}", s.rollout_strategy(flag)))
}

/// Racer `i` (0–3 advance, 4–7 rollback, 8 kill) exited `code` and journaled `record` last:
/// an exit 0 has its `applied` record; an exit 4 or 5 its `failed` or `may-have-been-applied`
/// one, and says "nothing was changed" only when it is `failed`.
fn check_racer(i: usize, code: i32, err: &str, record: Option<&serde_json::Value>, ctx: &str) {
    assert!(
        [0, 3, 4, 5].contains(&code),
        "racer-{i}: exit {code}: {err}; {ctx}"
    );
    let outcome = record.map(|r| r["outcome"].as_str().unwrap_or(""));
    match code {
        // An advance that found the flag on at its target already: nothing to do or record.
        0 if i < 4 && record.is_none() => {}
        // Exit 0: its record says applied (or, for the kill, already-off).
        0 => assert!(
            matches!(outcome, Some("applied" | "already-off")),
            "racer-{i} exited 0 with {record:?}; {ctx}"
        ),
        // Refused before writing: nothing journaled.
        3 => assert!(record.is_none(), "racer-{i}: {record:?}; {ctx}"),
        // Another racer held the flag's lease, or recorded its change first (issue 20): stopped
        // before the provider, naming the holder or the change that won.
        5 if record.is_none() => assert!(
            err.contains("holds the lease on")
                || (err.contains("was not made: another run recorded a change of")
                    && err.contains("nothing was changed by this run")),
            "racer-{i}: exit 5 with no record: {err}; {ctx}"
        ),
        _ => {
            assert!(
                matches!(outcome, Some("failed" | "may-have-been-applied")),
                "racer-{i}: exit {code} with {record:?}; {ctx}"
            );
            if outcome == Some("may-have-been-applied") {
                assert!(
                    !err.contains("nothing was changed"),
                    "racer-{i}: {err}; {ctx}"
                );
            }
        }
    }
}

/// One round of issue 21's race: from `mid` (25%), four advances, four rollbacks and a kill at
/// the same moment (forced or not), then `resume`. The kill stays; every exit 0 has its
/// `applied` record; a run that exits 4 or 5 reports what it left; `resume` restores the stage
/// the journal says the flag was killed at.
fn kill_race_round(s: &crate::unleash_server::Server, forced: bool, round: usize) {
    let flag = s.create_flag("race-kill");
    let p = s.project(&flag, THREE);
    s.rollout(&p, ["advance", "low"]).run();
    s.rollout(&p, ["advance", "mid"]).run();
    let advance: &[&str] = if forced {
        &["advance", "high", "--force", "--reason", "race", "--yes"]
    } else {
        &["advance", "--yes"]
    };
    let rollback: &[&str] = if forced {
        &["rollback", "low", "--force", "--reason", "race", "--yes"]
    } else {
        &["rollback", "--yes"]
    };
    let kill: &[&str] = &["kill", "--reason", "race"];
    let mut runs = vec![advance; 4];
    runs.extend([rollback; 4]);
    runs.push(kill);
    let results = race_each(s, &p, &runs);
    let ctx = format!("round {round} (forced: {forced}): {results:#?}");
    // The kill stays.
    assert_eq!(results[8].0, 0, "the kill: {ctx}");
    assert_eq!(
        s.environment(&flag, "development")["enabled"],
        false,
        "killed at the end: {ctx}"
    );
    let records = p.journal();
    for (i, (code, err)) in results.iter().enumerate() {
        let record = records
            .iter()
            .rev()
            .find(|r| r["actor"] == format!("racer-{i}") && r["outcome"] != "intent");
        check_racer(i, *code, err, record, &ctx);
    }
    // The rollout Unleash holds is the start, or some run's reported change.
    let held = rollout_of(s, &flag);
    let reported = |pct: u64| {
        records
            .iter()
            .any(|r| r["outcome"] != "intent" && r["outcome"] != "failed" && r["percentage"] == pct)
    };
    assert!(
        held == 25 || reported(held),
        "{held}% unreported: {records:#?}; {ctx}"
    );
    // resume restores the stage the journal last recorded for the killed flag.
    let last = records
        .iter()
        .rfind(|r| {
            r["outcome"] == "applied"
                && ["kill", "advance", "rollback"].contains(&r["action"].as_str().unwrap_or(""))
        })
        .cloned()
        .unwrap();
    s.rollout(&p, ["resume", "--yes"]).run();
    assert_eq!(
        serde_json::json!(rollout_of(s, &flag)),
        last["percentage"],
        "resumed at {last}; {ctx}"
    );
    assert_eq!(s.environment(&flag, "development")["enabled"], true);
}

#[test]
fn a_kill_racing_advances_and_rollbacks_stays_and_every_run_reports_what_it_left() {
    let s = server();
    for round in 0..10 {
        kill_race_round(&s, false, round);
    }
}

#[test]
fn a_kill_racing_forced_advances_and_rollbacks_stays_and_every_run_reports_what_it_left() {
    let s = server();
    for round in 0..10 {
        kill_race_round(&s, true, round);
    }
}
