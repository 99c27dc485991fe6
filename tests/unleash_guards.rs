//! Guarded writes cover the whole stage on the real Unleash: the environment's `enabled` and
//! every strategy `rollout` manages. A kill or a strategy deletion between one run's read and
//! its write is exit 5 naming what changed and who; racing advances and rollbacks end with one
//! applied direction and the flag at a stage of the plan; strategies added outside `rollout`
//! that widen who sees the flag are shown by `status` and stop `advance` until removed or forced.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::fault_proxy::FaultProxy;
use crate::test::Project;
use crate::unleash_server::{journal, server, Server, STAGES};

fn wait_out_internal_soak() {
    std::thread::sleep(Duration::from_millis(1100));
}

/// Points the project at a (fault-free) proxy, to see when a run has read.
fn through_proxy(s: &Server, p: &Project) -> FaultProxy {
    let proxy = FaultProxy::start(&s.url);
    let text = p.read("stages.yaml").replace(&s.url, &proxy.url());
    p.write("stages.yaml", &text);
    proxy
}

/// Waits until the proxy has seen `n` requests whose path contains `part`.
fn wait_for(proxy: &FaultProxy, part: &str, n: usize) {
    for _ in 0..400 {
        if proxy.requests().iter().filter(|r| r.contains(part)).count() >= n {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("never saw {n} × {part}: {:?}", proxy.requests());
}

/// `args` run with a pause between the read and the write, in the background.
fn paused(
    s: &Server,
    p: &Project,
    args: &[&str],
    var: &str,
    status: i32,
    has: &[&str],
) -> std::thread::JoinHandle<crate::test::Done> {
    let mut t = s.rollout(p, args).env(var, "2000").status(status);
    if var == "ROLLOUT_TEST_PAUSE_IN_WRITE_MS" {
        // A pause before the write makes the read older than the freshness bound, so the
        // pre-write check reads the flag again, always, and the pause in the write follows it.
        t = t.env("ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS", "400");
    }
    for h in has {
        t = t.stderr_has(h);
    }
    std::thread::spawn(move || t.run())
}

#[test]
fn a_kill_between_read_and_write_stops_the_advance_with_exit_5() {
    let s = server();
    let flag = s.create_flag("guard-kill");
    let p = s.project(&flag, STAGES);
    s.rollout(&p, ["advance"]).run();
    wait_out_internal_soak();
    let proxy = through_proxy(&s, &p);
    let advance = paused(
        &s,
        &p,
        &["advance"],
        "ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS",
        5,
        &[
            "changed in Unleash while this command ran: the environment was turned off (killed)",
            "environment turned off (killed) by admin",
            "nothing was changed",
        ],
    );
    // Read, and soak times from the event log: the run is in its pause now.
    wait_for(&proxy, "/api/admin/search/events", 1);
    s.rollout(&p, ["kill"]).stdout_has("KILLED").run();
    advance.join().unwrap();
    // Killed, and nothing of beta was written.
    assert_eq!(s.environment(&flag, "development")["enabled"], false);
    assert_eq!(s.rollout_strategy(&flag)["parameters"]["rollout"], "5");
    assert!(s.constrained(&flag, "userId").is_none());
    let actions: Vec<_> = journal(&p).iter().map(|e| e["action"].clone()).collect();
    assert_eq!(actions, [json!("advance"), json!("kill")]);
}

#[test]
fn a_kill_inside_a_fresh_reads_window_is_reported_by_the_read_back() {
    let s = server();
    let flag = s.create_flag("guard-fresh");
    let p = s.project(&flag, STAGES);
    s.rollout(&p, ["advance"]).run();
    wait_out_internal_soak();
    let proxy = through_proxy(&s, &p);
    // No pause before the write: the read is fresh, so it is the pre-write check; the kill
    // lands after that check, while the run writes (as it could within FRESH_READ).
    let mut t = s
        .rollout(&p, ["advance"])
        .env("ROLLOUT_TEST_PAUSE_IN_WRITE_MS", "2000")
        .status(5);
    for has in [
        "changed in Unleash while this command ran: the environment was turned off (killed)",
        "environment turned off (killed) by admin",
        "already changed: setting the rollout to 10%",
    ] {
        t = t.stderr_has(has);
    }
    let advance = std::thread::spawn(move || t.run());
    wait_for(&proxy, "/api/admin/search/events", 1);
    s.rollout(&p, ["kill"]).stdout_has("KILLED").run();
    advance.join().unwrap();
    // The rollout it wrote stays under the kill: journaled as maybe applied, not as failed.
    let advances: Vec<_> = journal(&p)
        .into_iter()
        .filter(|e| e["action"] == "advance")
        .collect();
    assert_eq!(advances.len(), 2, "{advances:#?}");
    assert_eq!(advances[1]["to"], "beta");
    assert_eq!(advances[1]["outcome"], "may-have-been-applied");
    // Killed stays killed; what the advance wrote is a whole stage, so resume brings one back.
    assert_eq!(s.environment(&flag, "development")["enabled"], false);
    s.rollout(&p, ["resume", "--yes"]).run();
    s.rollout(&p, ["status"]).stdout_has("beta (10%)").run();
}

#[test]
fn a_strategy_deleted_during_the_write_is_a_conflict_not_an_advance() {
    let s = server();
    let flag = s.create_flag("guard-delete");
    let p = s.project(&flag, STAGES);
    s.rollout(&p, ["advance"]).run();
    wait_out_internal_soak();
    s.rollout(&p, ["advance"]).run();
    // Past the moments when a run that just wrote may still be writing its audience.
    std::thread::sleep(Duration::from_millis(2500));
    let proxy = through_proxy(&s, &p);
    // beta → limited is the rollout alone; the users strategy is deleted after this run's
    // checks, while it writes.
    let advance = paused(
        &s,
        &p,
        &[
            "advance",
            "limited",
            "--force",
            "--reason",
            "guard test",
            "--yes",
        ],
        "ROLLOUT_TEST_PAUSE_IN_WRITE_MS",
        5,
        &[
            "the users strategy was deleted",
            "users strategy removed by admin",
            "already changed: setting the rollout to 25",
        ],
    );
    // Read, then read again to check nothing changed: the run is in its pause now.
    wait_for(&proxy, &format!("/features/{flag}"), 2);
    let users = s.constrained(&flag, "userId").unwrap();
    let (status, body) = s.api(
        "DELETE",
        &format!(
            "{}/environments/development/strategies/{}",
            Server::feature_path(&flag),
            users["id"].as_str().unwrap()
        ),
        None,
    );
    assert_eq!(status, 200, "{body}");
    advance.join().unwrap();
    // The rollout it wrote stays (25%): the journal does not call that change "failed".
    let changes = journal(&p);
    assert_eq!(changes.len(), 3, "{changes:#?}");
    assert_eq!(changes[2]["to"], "limited");
    assert_eq!(changes[2]["outcome"], "may-have-been-applied");
    assert!(
        changes[2]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("already changed: setting the rollout to 25")),
        "{:#?}",
        changes[2]
    );
}

#[test]
fn a_strategy_added_outside_rollout_is_shown_and_stops_advance() {
    let s = server();
    let flag = s.create_flag("guard-unmanaged");
    let p = s.project(&flag, STAGES);
    s.rollout(&p, ["advance"]).run();
    wait_out_internal_soak();
    // A second unconstrained rollout at 100%, added in the UI.
    let (status, body) = s.api(
        "POST",
        &format!(
            "{}/environments/development/strategies",
            Server::feature_path(&flag)
        ),
        Some(
            json!({"name": "flexibleRollout", "title": "everyone, for the demo", "constraints": [],
                    "parameters": {"rollout": "100", "stickiness": "default", "groupId": flag}}),
        ),
    );
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    let line = format!(
        "also:        flexibleRollout strategy \"everyone, for the demo\" ({id}) serves everyone (more than the stage)"
    );
    s.rollout(&p, ["status"]).stdout_has(&line).run();
    let doc = s.rollout(&p, ["status", "--json"]).run().json();
    assert_eq!(doc["unmanaged"][0]["widens"], true, "{doc}");
    s.rollout(&p, ["advance"])
        .status(3)
        .stderr_has(&format!(
            "flexibleRollout strategy \"everyone, for the demo\" ({id}) serves everyone, outside the plan"
        ))
        .stderr_has("nothing was changed")
        .run();
    assert_eq!(s.rollout_strategy(&flag)["parameters"]["rollout"], "5");
    // It is left alone by writes: --force goes past it and keeps it.
    s.rollout(
        &p,
        [
            "advance",
            "beta",
            "--force",
            "--reason",
            "demo strategy stays",
            "--yes",
        ],
    )
    .stderr_has("overriding: flexibleRollout strategy")
    .run();
    assert!(s.strategies(&flag).iter().any(|st| st["id"] == id.as_str()));
    // A constrained strategy is shown, and advance only warns.
    let (status, body) = s.api(
        "DELETE",
        &format!(
            "{}/environments/development/strategies/{id}",
            Server::feature_path(&flag)
        ),
        None,
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = s.api(
        "POST",
        &format!(
            "{}/environments/development/strategies",
            Server::feature_path(&flag)
        ),
        Some(json!({"name": "flexibleRollout", "constraints": [
                        {"contextName": "region", "operator": "IN", "values": ["eu"]}],
                    "parameters": {"rollout": "100", "stickiness": "default", "groupId": flag}})),
    );
    assert_eq!(status, 200, "{body}");
    s.rollout(&p, ["status"])
        .stdout_has("serves the users its constraints or segments match (100% of them)")
        .stdout_lacks("(more than the stage)")
        .run();
}

/// Runs every `args` at the same moment (actors racer-0 …): exit codes and stderr.
fn race(s: &Server, p: &Project, runs: &[Vec<&str>]) -> Vec<(i32, String)> {
    let commands = runs
        .iter()
        .enumerate()
        .map(|(i, args)| {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_rollout"));
            cmd.args(args)
                .current_dir(p.dir.path())
                .env_remove("ROLLOUT_DIR")
                .env_remove("ROLLOUT_ENV")
                .env_remove("ROLLOUT_NOW")
                .env_remove(crate::test::TEST_NOW)
                .env_remove("ROLLOUT_PROVIDER_URL")
                .env("NO_COLOR", "1")
                .env("ROLLOUT_ACTOR", format!("racer-{i}"))
                .env("UNLEASH_API_TOKEN", &s.admin)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            cmd
        })
        .collect();
    crate::test::run_together(commands)
}

/// Three stages whose audiences differ, so a move is several requests.
const AUDIENCES: &str = "  - { name: a, percentage: 10, groups: [g1] }
  - { name: b, percentage: 20, users: [u1] }
  - { name: c, percentage: 30, groups: [g2] }
";

/// The stage the flag's strategies hold exactly (rollout, users, groups, nothing else of ours).
fn exact_stage(s: &Server, flag: &str) -> Option<&'static str> {
    let list = s.strategies(flag);
    let rollouts: Vec<&Value> = list
        .iter()
        .filter(|st| st["constraints"].as_array().unwrap().is_empty())
        .collect();
    let values = |ctx: &str| -> Option<Vec<Value>> {
        let of: Vec<&Value> = list
            .iter()
            .filter(|st| st["constraints"][0]["contextName"] == ctx)
            .collect();
        match of.as_slice() {
            [] => Some(Vec::new()),
            [one] => Some(one["constraints"][0]["values"].as_array().unwrap().clone()),
            _ => None,
        }
    };
    let [rollout] = rollouts.as_slice() else {
        return None;
    };
    let shape = (
        rollout["parameters"]["rollout"].as_str()?.to_string(),
        values("userId")?,
        values("group")?,
    );
    [
        ("a", ("10", vec![], vec![json!("g1")])),
        ("b", ("20", vec![json!("u1")], vec![json!("g1")])),
        (
            "c",
            ("30", vec![json!("u1")], vec![json!("g1"), json!("g2")]),
        ),
    ]
    .into_iter()
    .find(|(_, (r, u, g))| shape == ((*r).to_string(), u.clone(), g.clone()))
    .map(|(name, _)| name)
}

#[test]
fn racing_advances_and_rollbacks_apply_one_direction_and_leave_a_stage() {
    let s = server();
    let flag = s.create_flag("guard-race");
    let p = s.project(&flag, AUDIENCES);
    s.rollout(
        &p,
        ["advance", "b", "--force", "--reason", "start at b", "--yes"],
    )
    .run();
    for round in 0..10 {
        let before = journal(&p).len();
        let mut runs = vec![vec!["advance", "--yes"]; 4];
        runs.extend(vec![vec!["rollback", "--yes"]; 4]);
        let results = race(&s, &p, &runs);
        for (code, err) in &results {
            assert!(
                [0, 3, 5].contains(code),
                "round {round}: exit {code}: {err}"
            );
        }
        let stage = exact_stage(&s, &flag).unwrap_or_else(|| {
            let shown: Vec<String> = s
                .strategies(&flag)
                .iter()
                .map(|st| {
                    format!(
                        "{} {} {}",
                        st["parameters"]["rollout"], st["constraints"], st["title"]
                    )
                })
                .collect();
            panic!("round {round}: not a stage: {shown:#?}\n{results:#?}")
        });
        assert_eq!(s.environment(&flag, "development")["enabled"], true);
        // Every applied change from one starting stage went the same way (a maybe-applied
        // one, below, is a run that cannot tell).
        let applied = &journal(&p)[before..];
        let mut to_by_from: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for e in applied.iter().filter(|e| e["outcome"] == "applied") {
            to_by_from
                .entry(e["from"].as_str().unwrap().to_string())
                .or_default()
                .push(e["to"].as_str().unwrap().to_string());
        }
        for (from, tos) in &to_by_from {
            assert!(
                tos.iter().all(|t| t == &tos[0]),
                "round {round}: from {from} both ways: {tos:?}\n{results:#?}"
            );
        }
        // One `applied` line per exit 0. A run that found the conflict after writing part of
        // its change (exit 5) is journaled `may-have-been-applied` when that part is on the flag
        // as it reads it back (docs/journal.md): mid-race, a racer may have written the same
        // value, or may yet replace it.
        let outcomes = |o: &str| applied.iter().filter(|e| e["outcome"] == o).count();
        let exits = |c: i32| results.iter().filter(|(code, _)| *code == c).count();
        assert_eq!(
            outcomes("applied"),
            exits(0),
            "round {round}: one applied line per exit 0\n{applied:#?}"
        );
        assert!(
            outcomes("may-have-been-applied") <= exits(5),
            "round {round}: a maybe-applied line without its conflict\n{applied:#?}"
        );
        for e in applied
            .iter()
            .filter(|e| e["outcome"] == "may-have-been-applied")
        {
            // What it left (`already changed: …`), or what it read back after a write it
            // finished, when a racer's landed after it.
            let detail = e["detail"].as_str().unwrap_or_default();
            assert!(
                detail.contains("already changed: ") || detail.contains("the flag reads back "),
                "round {round}: {e:#}"
            );
        }
        assert_eq!(
            applied.len(),
            outcomes("applied") + outcomes("may-have-been-applied"),
            "round {round}: {applied:#?}"
        );
        // Back to b for the next round.
        match stage {
            "a" => s.rollout(&p, ["advance", "--yes"]).run(),
            "c" => s.rollout(&p, ["rollback", "--yes"]).run(),
            _ => continue,
        };
        assert_eq!(exact_stage(&s, &flag), Some("b"));
    }
}

#[test]
fn kills_and_resumes_racing_moves_leave_a_whole_stage() {
    let s = server();
    let flag = s.create_flag("guard-mix");
    let p = s.project(&flag, AUDIENCES);
    s.rollout(
        &p,
        ["advance", "b", "--force", "--reason", "start at b", "--yes"],
    )
    .run();
    for round in 0..4 {
        let runs = vec![
            vec!["advance", "--yes"],
            vec!["rollback", "--yes"],
            vec!["advance", "--yes"],
            vec!["rollback", "--yes"],
            vec!["kill"],
            vec!["resume", "--yes"],
        ];
        let results = race(&s, &p, &runs);
        assert_eq!(
            results[4].0, 0,
            "round {round}: the kill lands: {results:#?}"
        );
        for (code, err) in &results {
            assert!(
                [0, 3, 5].contains(code),
                "round {round}: exit {code}: {err}"
            );
        }
        // On or killed, the strategies hold exactly one stage, so resume brings back a stage.
        let stage = exact_stage(&s, &flag).unwrap_or_else(|| {
            panic!(
                "round {round}: not a stage: {:#?}\n{results:#?}",
                s.strategies(&flag)
            )
        });
        if s.environment(&flag, "development")["enabled"] == false {
            s.rollout(&p, ["resume", "--yes"]).run();
        }
        // resume brings back the stage the kill recorded, which a racing move may have left.
        let stage = exact_stage(&s, &flag).unwrap_or(stage);
        match stage {
            "a" => s.rollout(&p, ["advance", "--yes"]).run(),
            "c" => s.rollout(&p, ["rollback", "--yes"]).run(),
            _ => continue,
        };
    }
}

/// A write that never reaches Unleash (every attempt answered 429) changed nothing: exit 4,
/// the message says so, the journal says `failed`, and the flag stays at its stage.
#[test]
fn an_advance_whose_write_never_reaches_unleash_is_journaled_failed() {
    let s = server();
    let flag = s.create_flag("guard-unreached");
    let p = s.project(&flag, STAGES);
    s.rollout(&p, ["advance"]).run();
    wait_out_internal_soak();
    let proxy = through_proxy(&s, &p);
    proxy.script(vec![crate::fault_proxy::rule(
        "PATCH",
        "",
        u32::MAX,
        crate::fault_proxy::Fault::RetryAfter(1),
    )]);
    s.rollout(&p, ["advance", "--timeout", "3s"])
        .status(4)
        .stderr_has("429")
        .stderr_has("nothing was changed")
        .run();
    // The whole journal: the intent record, then its outcome.
    let outcomes: Vec<_> = p
        .journal()
        .into_iter()
        .filter(|e| e["action"] == "advance")
        .map(|e| (e["to"].clone(), e["outcome"].clone()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (json!("internal"), json!("intent")),
            (json!("internal"), json!("applied")),
            (json!("beta"), json!("intent")),
            (json!("beta"), json!("failed")),
        ]
    );
    proxy.script(vec![]);
    s.rollout(&p, ["status"]).stdout_has("internal (5%)").run();
}

/// A request that never reaches Unleash after part of the change was written: the part that
/// stays is reported and journaled `may-have-been-applied`, not `failed`.
#[test]
fn a_write_that_never_reaches_unleash_after_a_part_was_written_may_have_been_applied() {
    let s = server();
    let flag = s.create_flag("guard-part-unreached");
    let p = s.project(&flag, AUDIENCES);
    s.rollout(&p, ["advance", "--yes"]).run();
    assert_eq!(exact_stage(&s, &flag), Some("a"));
    let proxy = through_proxy(&s, &p);
    // The rollout's PATCH goes through; creating the users strategy is rate limited throughout.
    proxy.script(vec![crate::fault_proxy::rule(
        "POST",
        "/strategies",
        u32::MAX,
        crate::fault_proxy::Fault::RetryAfter(1),
    )]);
    s.rollout(&p, ["advance", "--yes", "--timeout", "3s"])
        .status(4)
        .stderr_has("nothing was changed (before it, already changed: setting the rollout to 20%)")
        .run();
    let last = p.journal().pop().unwrap();
    assert_eq!(last["to"], "b");
    assert_eq!(last["outcome"], "may-have-been-applied", "{last:#}");
    proxy.script(vec![]);
    // The rollout it wrote is on the flag; the users strategy is not.
    let rollouts: Vec<Value> = s
        .strategies(&flag)
        .into_iter()
        .filter(|st| st["constraints"].as_array().unwrap().is_empty())
        .map(|st| st["parameters"]["rollout"].clone())
        .collect();
    assert_eq!(rollouts, [json!("20")]);
    assert_eq!(exact_stage(&s, &flag), None);
}
