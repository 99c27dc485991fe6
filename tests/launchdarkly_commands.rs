//! Every `rollout` command against the LaunchDarkly contract server ([`crate::ld_server`]): the
//! stage mapping, the engine's rules, conflicts, approvals, rate limits and the kill switch under
//! faults. The server refuses any request LaunchDarkly would refuse, so a passing run means every
//! request had LaunchDarkly's documented shape.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::ld_server::{boolean_flag, Fall, Fault, Ld, ENV, OFF_ID, ON_ID, TOKEN};
use crate::test::{Project, Test};

const FLAG: &str = "new-checkout";

fn stages_yaml(ld: &Ld, extra: &str) -> String {
    format!(
        "flag: {FLAG}\nprovider:\n  kind: launchdarkly\n  url: {}\n  project: web\n  environment: production\n{extra}stages:\n  - {{ name: internal, percentage: 1, users: [dev-1, dev-2] }}\n  - {{ name: beta, percentage: 12.5, groups: [beta-testers] }}\n  - {{ name: half, percentage: 50 }}\n  - {{ name: full, percentage: 100 }}\n",
        ld.url()
    )
}

fn setup() -> (Ld, Project) {
    let ld = Ld::start(vec![boolean_flag(FLAG)]);
    let p = Project::new().file("stages.yaml", &stages_yaml(&ld, ""));
    (ld, p)
}

fn run<const N: usize>(p: &Project, args: [&str; N]) -> Test {
    p.rollout(args).env("LD_ACCESS_TOKEN", TOKEN)
}

fn rollout(weight_on: u32) -> Fall {
    Fall::Rollout(vec![(0, weight_on), (1, 100_000 - weight_on)], None)
}

#[test]
fn ld_stages_are_the_fallthrough_rollout_targets_and_a_group_rule() {
    let (ld, p) = setup();
    run(&p, ["advance"]).stdout_has("internal").run();
    let env = ld.env();
    assert!(env.on);
    assert_eq!(env.fallthrough, rollout(1000));
    assert_eq!(env.targets, vec![(0, vec!["dev-1".into(), "dev-2".into()])]);
    assert!(env.rules.is_empty());
    // One semantic patch: the rollout in place before targeting goes on, the event as comment.
    assert_eq!(
        ld.patches()[0],
        json!({
            "environmentKey": "production",
            "comment": format!("advance {FLAG} → internal (1%) in production | by tester@example.com"),
            "instructions": [
                {"kind": "updateFallthroughVariationOrRollout", "rolloutWeights": {OFF_ID: 99000, ON_ID: 1000}, "rolloutContextKind": "user"},
                {"kind": "addTargets", "contextKind": "user", "values": ["dev-1", "dev-2"], "variationId": ON_ID},
                {"kind": "turnFlagOn"}
            ]
        })
    );
    run(&p, ["advance"]).run();
    let env = ld.env();
    assert_eq!(env.fallthrough, rollout(12_500), "thousandths of a percent");
    assert_eq!(env.rules.len(), 1);
    assert_eq!(
        env.rules[0].clauses,
        vec![
            json!({"contextKind": "user", "attribute": "group", "op": "in", "values": ["beta-testers"], "negate": false})
        ]
    );
    assert_eq!(
        env.rules[0].variation, 0,
        "the rule serves the on variation"
    );
    run(&p, ["status"])
        .stdout_has("beta")
        .stdout_has("12.5%")
        .stdout_has("launchdarkly")
        .run();
    run(&p, ["advance"]).run();
    run(&p, ["advance", "--yes"]).run();
    assert_eq!(ld.env().fallthrough, rollout(100_000));
    run(&p, ["rollback", "half"]).run();
    assert_eq!(ld.env().fallthrough, rollout(50_000));
    assert_eq!(
        ld.env().rules.len(),
        1,
        "the audience of half keeps the beta group"
    );
    assert_eq!(
        ld.patch_kinds().last().unwrap(),
        &vec!["updateFallthroughVariationOrRollout".to_string()]
    );
    let journal = p.changes();
    assert_eq!(journal.len(), 5);
    assert!(journal.iter().all(|r| r["provider"] == "launchdarkly"));
}

#[test]
fn ld_kill_turns_targeting_off_and_resume_brings_back_the_same_users() {
    let (ld, p) = setup();
    run(&p, ["advance"]).run();
    run(&p, ["advance"]).run();
    let before = ld.env();
    let sent = ld.requests().len();
    run(&p, ["kill", "--reason", "errors up"])
        .stdout_has("KILLED new-checkout in production (was beta); read back: off")
        .run();
    let after = ld.env();
    assert!(!after.on);
    assert_eq!(after.fallthrough, before.fallthrough, "the rollout is kept");
    assert_eq!(after.targets, before.targets);
    assert_eq!(after.rules, before.rules);
    // The kill reads, turns targeting off (nothing else) and reads the flag back: the patch's
    // answer is no proof.
    let kill: Vec<(String, u16)> = ld.requests()[sent..]
        .iter()
        .map(|r| (r.method.clone(), r.status))
        .collect();
    assert_eq!(
        kill,
        vec![
            ("GET".into(), 200),
            ("PATCH".into(), 200),
            ("GET".into(), 200)
        ]
    );
    assert_eq!(
        ld.patch_kinds().last().unwrap(),
        &vec!["turnFlagOff".to_string()]
    );
    run(&p, ["advance"])
        .status(3)
        .stderr_has("the flag is killed")
        .run();
    run(&p, ["resume", "--yes"]).run();
    let resumed = ld.env();
    assert!(resumed.on);
    assert_eq!(resumed.fallthrough, before.fallthrough);
    assert_eq!(resumed.targets, before.targets);
    assert_eq!(
        ld.patch_kinds().last().unwrap(),
        &vec!["turnFlagOn".to_string()]
    );
    // Killing a killed flag changes nothing.
    run(&p, ["kill"]).run();
    run(&p, ["kill"]).stdout_has("already").run();
    assert_eq!(
        ld.patches().len(),
        5,
        "advance, advance, kill, resume, kill"
    );
}

#[test]
fn ld_dry_run_shows_the_exact_semantic_patch_and_sends_nothing() {
    let (ld, p) = setup();
    let done = run(&p, ["advance", "--dry-run"])
        .stdout_has(&format!("PATCH {}/api/v2/flags/web/{FLAG}", ld.url()))
        .stdout_has("Content-Type: application/json; domain-model=launchdarkly.semanticpatch")
        .stdout_has("LD-API-Version: 20240415")
        .stdout_has("Authorization: ***")
        .stdout_has("\"kind\": \"turnFlagOn\"")
        .stdout_lacks(TOKEN)
        .run();
    assert!(done.stdout.contains("\"comment\": \"advance new-checkout → internal (1%) in production | by tester@example.com\""));
    let doc = run(&p, ["advance", "--dry-run", "--json"]).run().json();
    assert_eq!(doc["requests"][0]["method"], "PATCH");
    assert_eq!(
        doc["requests"][0]["body"]["instructions"],
        json!([
            {"kind": "updateFallthroughVariationOrRollout", "rolloutWeights": {OFF_ID: 99000, ON_ID: 1000}, "rolloutContextKind": "user"},
            {"kind": "addTargets", "contextKind": "user", "values": ["dev-1", "dev-2"], "variationId": ON_ID},
            {"kind": "turnFlagOn"}
        ])
    );
    assert!(ld.patches().is_empty());
    assert!(!p.exists(".rollout/journal.jsonl"));
}

#[test]
fn ld_rules_refuse_before_anything_is_sent() {
    let (ld, p) = setup();
    run(&p, ["advance", "half"])
        .status(3)
        .stderr_has("would skip internal, beta")
        .run();
    run(&p, ["advance", "internal", "--force"])
        .status(2)
        .stderr_has("--force needs --reason")
        .run();
    run(&p, ["rollback"])
        .status(3)
        .stderr_has("has not been rolled out")
        .run();
    run(&p, ["resume"]).status(3).stderr_has("not killed").run();
    assert!(ld.patches().is_empty());
    // A soak time is read from the journal (LaunchDarkly keeps no stage start).
    let soak = Project::new().file(
        "stages.yaml",
        &stages_yaml(&ld, "").replace(
            "users: [dev-1, dev-2] }",
            "users: [dev-1, dev-2], duration: 2d }",
        ),
    );
    // LaunchDarkly dates its audit entries: the server's clock follows the pinned one.
    ld.set_clock("2024-03-01T10:00:00Z");
    run(&soak, ["advance"]).at("2024-03-01T10:00:00Z").run();
    run(&soak, ["advance"])
        .at("2024-03-02T10:00:00Z")
        .status(3)
        .stderr_has("internal must soak 2d first")
        .run();
    run(&soak, ["advance"]).at("2024-03-03T10:00:05Z").run();
}

#[test]
fn ld_history_shows_launchdarkly_audit_entries() {
    let (ld, p) = setup();
    run(&p, ["advance"]).run();
    ld.change("alice@example.com", "hotfix: more internal users", |env| {
        env.targets[0].1.push("dev-3".into());
    });
    let done = run(&p, ["history"]).run();
    assert!(
        done.stdout
            .contains("advance new-checkout → internal (1%) in production"),
        "{}",
        done.stdout
    );
    assert!(done.stdout.contains("alice@example.com"), "{}", done.stdout);
    assert!(done.stdout.contains("[in LaunchDarkly"), "{}", done.stdout);
    // rollout's own change is in the journal and not listed twice.
    assert_eq!(
        done.stdout.matches("→ internal (1%)").count(),
        1,
        "{}",
        done.stdout
    );
    let audit: Vec<_> = ld
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v2/auditlog")
        .collect();
    assert_eq!(
        audit[0].query["spec"],
        format!("proj/web:env/{ENV}:flag/{FLAG}")
    );
}

#[test]
fn ld_a_missing_flag_environment_or_non_boolean_flag_is_exit_4_with_what_exists() {
    let ld = Ld::start(vec![
        boolean_flag("new-checkout-v2"),
        boolean_flag("search"),
    ]);
    let p = Project::new().file("stages.yaml", &stages_yaml(&ld, ""));
    run(&p, ["status"])
        .status(4)
        .stderr_has("LaunchDarkly has no flag `new-checkout` in project web")
        .stderr_has("similar flags: new-checkout-v2")
        .run();
    let (_ld, p) = setup();
    p.write(
        "stages.yaml",
        &p.read("stages.yaml")
            .replace("environment: production", "environment: staging"),
    );
    run(&p, ["advance"])
        .status(4)
        .stderr_has("has no environment `staging`; it has: production, test")
        .run();
    let mut colors = boolean_flag(FLAG);
    colors.variations = vec![("a".into(), json!("red")), ("b".into(), json!("blue"))];
    let ld = Ld::start(vec![colors]);
    let p = Project::new().file("stages.yaml", &stages_yaml(&ld, ""));
    run(&p, ["advance"])
        .status(4)
        .stderr_has("is not a boolean flag with the variations true and false; its variations are: \"red\", \"blue\"")
        .run();
    assert!(ld.patches().is_empty());
}

#[test]
fn ld_token_missing_or_refused() {
    let (ld, p) = setup();
    p.rollout(["status"])
        .status(2)
        .stderr_has("LD_ACCESS_TOKEN is not set")
        .run();
    p.rollout(["status"])
        .env("LD_ACCESS_TOKEN", "api-wrong-secret-123")
        .status(4)
        .stderr_has("refused the token in LD_ACCESS_TOKEN (401")
        .stderr_lacks("api-wrong-secret-123")
        .run();
    // The variable's name is overridable.
    p.write(
        "stages.yaml",
        &stages_yaml(&ld, "  token_env: MY_LD_TOKEN\n"),
    );
    p.rollout(["status"]).env("MY_LD_TOKEN", TOKEN).run();
}

#[test]
fn ld_a_change_made_in_between_is_a_conflict_naming_what_changed() {
    let (ld, p) = setup();
    run(&p, ["advance"]).run();
    ld.change_after_next_read(|env| {
        env.fallthrough = Fall::Rollout(vec![(0, 30_000), (1, 70_000)], None)
    });
    // A run slow between its read and its write (a prompt, a gate query; here the test pause)
    // reads the flag again just before the patch, and finds it moved.
    run(&p, ["advance"])
        .env("ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS", "400")
        .status(5)
        .stderr_has("changed in LaunchDarkly while this command ran")
        .stderr_has("rollout 1% → 30%")
        .stderr_has("by alice@example.com")
        .run();
    assert_eq!(ld.patches().len(), 1, "the guarded write sent nothing");
    // LaunchDarkly's own 409 is a conflict too, and is not retried.
    ld.fail("PATCH", Fault::Status(409, vec![], json!({"code": "optimistic_locking_error", "message": "Conflict: the resource was modified"})));
    run(&p, ["advance"])
        .status(5)
        .stderr_has("LaunchDarkly answered 409: Conflict: the resource was modified (optimistic_locking_error)")
        .run();
    assert_eq!(ld.patches().len(), 2);
    assert_eq!(p.changes().len(), 1);
}

#[test]
fn ld_a_change_within_a_fresh_reads_window_is_reported_with_the_write() {
    let (ld, p) = setup();
    run(&p, ["advance"]).run();
    // Someone adds a target right after a fast run's read: the read is fresh, so no second
    // read precedes the patch; the patch's answer shows the version moved by more than this
    // change, and the run says so and journals it.
    ld.change_after_next_read(|env| env.targets.push((1, vec!["someone".into()])));
    run(&p, ["advance"])
        .stderr_has("another change landed in LaunchDarkly together with this one")
        .run();
    let last = p.changes().last().cloned().unwrap();
    assert!(
        last["detail"]
            .as_str()
            .is_some_and(|d| d.contains("another change landed")),
        "{last}"
    );
    assert_eq!(ld.patches().len(), 2);
}

#[test]
fn ld_an_approval_requirement_is_exit_4_and_never_retried() {
    let (ld, p) = setup();
    ld.fail(
        "PATCH",
        Fault::Status(
            405,
            vec![],
            json!({"code": "method_not_allowed", "message": "This environment requires approvals"}),
        ),
    );
    run(&p, ["advance"])
        .status(4)
        .stderr_has("LaunchDarkly requires an approval to change new-checkout in production (405")
        .stderr_has("approval flow")
        .run();
    assert_eq!(ld.patches().len(), 1);
    assert!(!ld.env().on);
}

#[test]
fn ld_rate_limits_wait_for_the_reset_within_the_timeout() {
    let (ld, p) = setup();
    let reset = |ms: u64| {
        let at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            + Duration::from_millis(ms);
        at.as_millis().to_string()
    };
    ld.fail(
        "GET",
        Fault::Status(
            429,
            vec![("X-Ratelimit-Reset".into(), reset(1500))],
            json!({"code": "rate_limited", "message": "Rate limit exceeded"}),
        ),
    );
    let started = Instant::now();
    run(&p, ["advance"]).run();
    assert!(
        started.elapsed() >= Duration::from_millis(1200),
        "waited for the reset"
    );
    assert!(ld.env().on);
    ld.fail(
        "PATCH",
        Fault::Status(
            429,
            vec![("Retry-After".into(), "30".into())],
            json!({"code": "rate_limited", "message": "Rate limit exceeded"}),
        ),
    );
    let started = Instant::now();
    run(&p, ["advance", "--timeout", "2s"])
        .status(4)
        .stderr_has("asked to wait 30 s")
        .stderr_has("rate limiting")
        .run();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "gave up without waiting past --timeout"
    );
}

#[test]
fn ld_kill_switch_under_faults() {
    // Two gateway errors, then the real answer: the kill retries and succeeds.
    let (ld, p) = setup();
    run(&p, ["advance"]).run();
    for _ in 0..2 {
        ld.fail(
            "PATCH",
            Fault::Status(
                503,
                vec![],
                json!({"code": "service_unavailable", "message": "try again"}),
            ),
        );
    }
    run(&p, ["kill"]).run();
    assert!(!ld.env().on);

    // A PATCH that hangs: the attempt times out, the retry turns the flag off.
    let (ld, p) = setup();
    run(&p, ["advance"]).run();
    ld.fail("PATCH", Fault::Hang(Duration::from_secs(20)));
    let started = Instant::now();
    run(&p, ["kill", "--timeout", "9s"]).run();
    assert!(!ld.env().on);
    assert!(started.elapsed() < Duration::from_secs(9));

    // A 200 that did not turn it off: the read-back decides, and the kill tries again.
    let (ld, p) = setup();
    run(&p, ["advance"]).run();
    let still_on = ld.flag_json();
    ld.fail("PATCH", Fault::Status(200, vec![], still_on));
    run(&p, ["kill", "--timeout", "10s"])
        .stderr_has("reads back as on")
        .run();
    assert!(!ld.env().on);

    // Rate limited, then a read that hangs: the kill waits for the reset, retries the read.
    let (ld, p) = setup();
    run(&p, ["advance"]).run();
    let reset = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        + Duration::from_millis(800))
    .as_millis()
    .to_string();
    ld.fail(
        "PATCH",
        Fault::Status(
            429,
            vec![("X-Ratelimit-Reset".into(), reset)],
            json!({"code": "rate_limited", "message": "slow down"}),
        ),
    );
    ld.fail("GET", Fault::Hang(Duration::from_secs(20)));
    let started = Instant::now();
    run(&p, ["kill", "--timeout", "9s"]).run();
    assert!(!ld.env().on);
    assert!(started.elapsed() < Duration::from_secs(9));

    // Nobody answers: exit 4 within --timeout, saying it may not be off.
    let (_ld, p) = setup();
    let closed = crate::gates_support::closed_port();
    let port = closed.port;
    p.write(
        "stages.yaml",
        &p.read("stages.yaml")
            .replace(&_ld.url(), &format!("http://127.0.0.1:{port}")),
    );
    let started = Instant::now();
    run(&p, ["kill", "--timeout", "2s"])
        .status(4)
        .stderr_has("could not be killed within 2s")
        .run();
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn ld_validate_refuses_what_a_run_would() {
    let (ld, p) = setup();
    p.write("stages.yaml", &stages_yaml(&ld, "  path: flags.json\n"));
    run(&p, ["validate"])
        .status(2)
        .stderr_has("stages.yaml:7:3")
        .stderr_has("`path` in `provider` does not apply to the launchdarkly provider")
        .run();
    run(&p, ["status"])
        .status(2)
        .stderr_has("does not apply")
        .run();
}

fn ids_file(p: &Project) -> Vec<String> {
    let mut ids: Vec<String> = (0..10_000).map(|i| format!("user-{i}")).collect();
    ids.extend(["dev-1", "dev-2"].map(String::from));
    p.write("ids.txt", &ids.join("\n"));
    ids
}

/// The ids the independent Node evaluator serves `true`, from the flag as the server holds it.
fn node_on(ld: &Ld, p: &Project) -> BTreeSet<String> {
    p.write("flag.json", &ld.flag_json().to_string());
    crate::test::evaluator_stdout(
        std::process::Command::new("node")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/node-ld/eval.mjs"
            ))
            .arg(p.path("flag.json"))
            .arg(ENV)
            .arg(p.path("ids.txt")),
    )
    .lines()
    .map(str::to_string)
    .collect()
}

fn preview_ids(p: &Project, stage: Option<&str>) -> BTreeSet<String> {
    p.preview_ids(stage, &[("LD_ACCESS_TOKEN", TOKEN)])
}

#[test]
fn ld_preview_agrees_with_an_independent_evaluator_at_every_stage_and_after_kill_and_resume() {
    let (ld, p) = setup();
    let ids = ids_file(&p);
    for stage in ["internal", "beta", "half", "full"] {
        run(
            &p,
            [
                "advance",
                stage,
                "--force",
                "--reason",
                "parity walk",
                "--yes",
            ],
        )
        .run();
        let served = node_on(&ld, &p);
        assert_eq!(
            served,
            preview_ids(&p, None),
            "stage {stage}: preview (current)"
        );
        assert_eq!(
            served,
            preview_ids(&p, Some(stage)),
            "stage {stage}: preview {stage}"
        );
        // The counting path (no id lists) agrees too.
        let counted = run(&p, ["preview", "--users", "ids.txt", "--json"])
            .run()
            .json();
        assert_eq!(
            counted["current"]["on"],
            served.len(),
            "stage {stage}: counted"
        );
        let expected = match stage {
            "internal" => 100.0,
            "beta" => 1250.0,
            "half" => 5000.0,
            _ => 10_002.0,
        };
        let n = served.len() as f64;
        assert!(
            (n - expected).abs() < expected.max(100.0) * 0.2 + 30.0,
            "{stage}: {n} on"
        );
        for id in ids.iter().step_by(1499) {
            let on = served.contains(id);
            run(&p, ["check", id])
                .stdout_has(if on { "now on" } else { "now off" })
                .run();
        }
        if stage == "half" {
            run(&p, ["kill"]).run();
            assert!(node_on(&ld, &p).is_empty());
            assert!(preview_ids(&p, None).is_empty());
            run(&p, ["resume", "--yes"]).run();
            assert_eq!(node_on(&ld, &p), served, "the same users come back");
            assert_eq!(preview_ids(&p, None), served);
        }
    }
}

#[test]
fn ld_env_picks_the_environment_key_and_a_checklist_task_uses_the_same_engine() {
    let (ld, p) = setup();
    p.write(
        "stages.yaml",
        &stages_yaml(&ld, "").replace(
            "stages:\n",
            "environments:\n  staging: { environment: test }\nstages:\n",
        ),
    );
    run(&p, ["advance", "--env", "staging"]).run();
    let patch = &ld.patches()[0];
    assert_eq!(patch["environmentKey"], "test");
    assert!(patch["comment"].as_str().unwrap().contains("in test"));
    assert!(!ld.env().on, "production is untouched");
    p.write(
        "checklists/deploy.yaml",
        "title: Deploy\ntasks:\n  - name: Update feature flags\n    rollout: advance internal\n",
    );
    Test::new(
        env!("CARGO_BIN_EXE_checklist"),
        p.dir.path(),
        ["run", "deploy", "--yes"],
    )
    .env("LD_ACCESS_TOKEN", TOKEN)
    .stdout_has("1 passed")
    .run();
    assert!(ld.env().on);
    assert_eq!(ld.env().fallthrough, rollout(1000));
    assert_eq!(p.changes_of("advance").len(), 2);
}

#[test]
fn ld_provider_text_is_printed_without_control_characters() {
    let (ld, p) = setup();
    ld.fail(
        "PATCH",
        Fault::Status(
            400,
            vec![],
            json!({"code": "invalid_request", "message": "bad\u{1b}[2J\u{7}patch"}),
        ),
    );
    let done = run(&p, ["advance"])
        .status(4)
        .stderr_has("LaunchDarkly answered 400 to changing new-checkout: bad\\u{1b}[2J\\u{7}patch (invalid_request); nothing was changed")
        .run();
    assert!(!done.stderr.contains('\u{1b}') && !done.stderr.contains('\u{7}'));
}

#[test]
fn ld_another_machine_sees_the_same_soak_from_the_audit_log() {
    let ld = Ld::start(vec![boolean_flag(FLAG)]);
    let yaml = stages_yaml(&ld, "").replace(
        "users: [dev-1, dev-2] }",
        "users: [dev-1, dev-2], duration: 2d }",
    );
    let here = Project::new().file("stages.yaml", &yaml);
    let there = Project::new().file("stages.yaml", &yaml);
    run(&here, ["advance"]).run();
    // No journal over there: the stage start comes from LaunchDarkly's audit log.
    run(&there, ["advance"])
        .status(3)
        .stderr_has("internal must soak 2d first: beta can start in 2d, at ")
        .run();
    run(&here, ["kill"]).run();
    let status = run(&there, ["status", "--json"]).run().json();
    assert_eq!(status["killed"], true, "{status}");
    assert!(status["killed_at"].is_string(), "{status}");
}

#[test]
fn ld_changes_are_notified_like_any_provider() {
    let (ld, p) = setup();
    let hook = crate::webhook::Webhook::start(200, false);
    p.write(
        "stages.yaml",
        &format!(
            "{}notify:\n  - url_env: SLACK_WEBHOOK_URL\n",
            stages_yaml(&ld, "")
        ),
    );
    let url = hook.url("/hook/T000/secret");
    run(&p, ["advance"]).env("SLACK_WEBHOOK_URL", &url).run();
    run(&p, ["kill"]).env("SLACK_WEBHOOK_URL", &url).run();
    let bodies = hook.bodies();
    assert_eq!(bodies.len(), 2);
    let first: serde_json::Value = serde_json::from_str(&bodies[0].body).unwrap();
    assert_eq!(first["provider"], "launchdarkly");
    assert_eq!(first["action"], "advance");
    let second: serde_json::Value = serde_json::from_str(&bodies[1].body).unwrap();
    assert_eq!(second["action"], "kill");
}

#[test]
fn ld_kill_makes_off_serve_false_when_the_flag_serves_true_when_off() {
    // Targeting is off, but off serves true: everyone has the feature.
    let mut flag = boolean_flag(FLAG);
    flag.envs.get_mut(ENV).unwrap().off_variation = 0;
    let ld = Ld::start(vec![flag]);
    let p = Project::new().file("stages.yaml", &stages_yaml(&ld, ""));
    run(&p, ["status"]).stdout_has("state:       on").run();
    run(&p, ["kill"]).stdout_has("KILLED").run();
    assert_eq!(
        ld.patch_kinds(),
        vec![vec![
            "updateOffVariation".to_string(),
            "turnFlagOff".to_string()
        ]]
    );
    let env = ld.env();
    assert!(!env.on);
    assert_eq!(env.off_variation, 1, "off now serves false");
}

/// The requests `rollout ARGS` sent to the contract server, as `METHOD PATH` (query left out).
fn sent<const N: usize>(ld: &Ld, p: &Project, args: [&str; N]) -> Vec<String> {
    let before = ld.requests().len();
    run(p, args).run();
    ld.requests()[before..]
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// docs/requests.md's LaunchDarkly column, request by request: one read of the flag, the audit
/// log only where a soak needs the stage's start, one semantic patch (its answer is the flag,
/// so nothing is read back), and no second read before the patch when the first one is fresh.
#[test]
fn ld_each_command_sends_the_fewest_requests() {
    let ld = Ld::start(vec![boolean_flag(FLAG)]);
    let p = Project::new().file("stages.yaml", &stages_yaml(&ld, ""));
    let lf = format!("GET /api/v2/flags/web/{FLAG}");
    let patch = format!("PATCH /api/v2/flags/web/{FLAG}");
    let audit = "GET /api/v2/auditlog".to_string();
    // Not started: nothing to date, so no audit log read.
    assert_eq!(sent(&ld, &p, ["status"]), [lf.as_str()]);
    // To the first stage: read, patch, read back (the answer is no proof).
    assert_eq!(
        sent(&ld, &p, ["advance"]),
        [lf.clone(), patch.clone(), lf.clone()]
    );
    // A live stage: the flag and the audit log (the stage's start).
    assert_eq!(sent(&ld, &p, ["status"]), [lf.clone(), audit.clone()]);
    // internal → beta: rollout, targets and a group rule in one semantic patch.
    assert_eq!(
        sent(&ld, &p, ["advance"]),
        [lf.clone(), audit.clone(), patch.clone(), lf.clone()]
    );
    // --force overrides the soak, so the audit log is not read.
    assert_eq!(
        sent(
            &ld,
            &p,
            ["advance", "half", "--force", "--reason", "pin", "--yes"]
        ),
        [lf.clone(), patch.clone(), lf.clone()]
    );
    assert_eq!(
        sent(&ld, &p, ["rollback", "--yes"]),
        [lf.clone(), patch.clone(), lf.clone()]
    );
    assert_eq!(
        sent(&ld, &p, ["kill"]),
        [lf.clone(), patch.clone(), lf.clone()]
    );
    assert_eq!(
        sent(&ld, &p, ["resume", "--yes"]),
        [lf.clone(), patch.clone(), lf.clone()]
    );
    assert_eq!(sent(&ld, &p, ["history"]), [audit.as_str()]);
    // A run slow between its read and its write reads the flag again before the patch.
    assert_eq!(
        sent(
            &ld,
            &p,
            ["advance", "half", "--force", "--reason", "pin", "--yes"]
        )
        .len(),
        3
    );
    let slow = {
        let before = ld.requests().len();
        run(&p, ["rollback", "--yes"])
            .env("ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS", "400")
            .run();
        ld.requests()[before..]
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect::<Vec<_>>()
    };
    assert_eq!(slow, [lf.clone(), lf.clone(), patch, lf]);
    assert!(ld.requests().iter().all(|r| r.status == 200));
}
