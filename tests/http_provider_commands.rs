//! Every `rollout` command against the reference server of the `http` protocol
//! ([`crate::http_ref_server`]): the write body, version-guarded writes and conflicts, events,
//! the kill switch, and `preview` against an independent flagd `fractional` evaluator (Python).

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::http_ref_server::{Service, TOKEN};
use crate::test::{Project, Test};

const FLAG: &str = "search-v2";

fn stages_yaml(svc: &Service, extra: &str) -> String {
    format!(
        "flag: {FLAG}\nprovider:\n  kind: http\n  url: {}\n{extra}stages:\n  - {{ name: internal, percentage: 2, users: [dev-1] }}\n  - {{ name: beta, percentage: 12.5, groups: [beta-testers] }}\n  - {{ name: half, percentage: 50 }}\n  - {{ name: full, percentage: 100 }}\n",
        svc.url()
    )
}

fn setup(bucketing: Value) -> (Service, Project) {
    let svc = Service::start(FLAG, bucketing);
    let p = Project::new().file("stages.yaml", &stages_yaml(&svc, ""));
    (svc, p)
}

fn flagd() -> Value {
    json!({"algorithm": "flagd-fractional"})
}

fn run<const N: usize>(p: &Project, args: [&str; N]) -> Test {
    p.rollout(args).env("ROLLOUT_HTTP_TOKEN", TOKEN)
}

#[test]
fn http_every_command_walks_the_plan_through_the_protocol() {
    let (svc, p) = setup(flagd());
    run(&p, ["validate"]).stdout_has("stages.yaml: ok").run();
    run(&p, ["plan"])
        .stdout_has("search-v2 in production (http ")
        .run();
    run(&p, ["status"]).stdout_has("not started").run();
    run(&p, ["advance"]).at("2024-03-01T10:00:00Z").run();
    let f = svc.flag(FLAG);
    assert!(f.enabled);
    assert_eq!(f.percentage, 2.0);
    assert_eq!(f.users, ["dev-1"]);
    assert_eq!(f.stage.as_deref(), Some("internal"));
    assert_eq!(f.since.as_deref(), Some("2024-03-01T10:00:00Z"));
    run(&p, ["advance"]).at("2024-03-01T11:00:00Z").run();
    let f = svc.flag(FLAG);
    assert_eq!(
        (f.percentage, f.groups.clone()),
        (12.5, vec!["beta-testers".to_string()])
    );
    run(&p, ["status"])
        .at("2024-03-01T12:00:00Z")
        .stdout_has("beta")
        .stdout_has("http ")
        .run();
    run(&p, ["check", "dev-1"])
        .at("2024-03-01T12:10:00Z")
        .stdout_has("now on")
        .run();
    run(&p, ["rollback"]).at("2024-03-01T12:30:00Z").run();
    assert_eq!(svc.flag(FLAG).percentage, 2.0);
    run(&p, ["advance", "beta"])
        .at("2024-03-01T13:00:00Z")
        .run();
    run(&p, ["kill", "--reason", "latency"])
        .at("2024-03-01T14:00:00Z")
        .stdout_has("KILLED search-v2 in production (was beta); read back: off")
        .run();
    let f = svc.flag(FLAG);
    assert!(!f.enabled);
    assert_eq!(f.percentage, 12.5, "the stage is kept while killed");
    assert_eq!(f.killed_at.as_deref(), Some("2024-03-01T14:00:00Z"));
    run(&p, ["resume", "--yes"])
        .at("2024-03-01T15:00:00Z")
        .run();
    let f = svc.flag(FLAG);
    assert!(f.enabled && f.percentage == 12.5 && f.users == ["dev-1"]);
    // Each change posted its event, with the journal's summary.
    let summaries: Vec<String> = svc
        .events(FLAG)
        .iter()
        .map(|e| e["summary"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        summaries,
        [
            "advance search-v2 → internal (2%) in production",
            "advance search-v2 internal → beta (12.5%) in production",
            "rollback search-v2 beta → internal (2%) in production",
            "advance search-v2 internal → beta (12.5%) in production",
            "kill search-v2 at beta (12.5%) in production: latency",
            "resume search-v2 at beta (12.5%) in production",
        ]
    );
    // History: the journal, not repeated from the service's log.
    let h = run(&p, ["history", "--json"]).run().json();
    assert_eq!(h["entries"].as_array().unwrap().len(), 6);
}

#[test]
fn http_rules_dry_run_and_a_conflict() {
    let (svc, p) = setup(flagd());
    run(&p, ["advance", "half"])
        .status(3)
        .stderr_has("would skip internal, beta")
        .run();
    let dry = run(&p, ["advance", "--dry-run", "--json"]).run().json();
    assert_eq!(dry["requests"][0]["method"], "PUT");
    assert_eq!(
        dry["requests"][0]["url"],
        format!("{}/flags/{FLAG}?environment=production", svc.url())
    );
    assert_eq!(dry["requests"][0]["body"]["version"], 1);
    assert_eq!(dry["requests"][0]["body"]["percentage"], 2.0);
    assert_eq!(svc.writes(), 0);
    run(&p, ["advance"]).run();
    // Someone changes the flag in the service between this run's read and its write.
    svc.change_after_next_read(|f| f.percentage = 7.0);
    run(&p, ["advance"])
        .status(5)
        .stderr_has("search-v2 changed in the flag service while this command ran: rollout 2% → 7%")
        .run();
    assert_eq!(svc.flag(FLAG).percentage, 7.0, "the other change stands");
    // history shows the service's own event from the admin UI.
    run(&p, ["history"])
        .stdout_has("ops@example.com")
        .stdout_has("changed in the admin UI [in the flag service, event 900]")
        .run();
}

#[test]
fn http_token_errors_and_a_flaky_service() {
    let (svc, p) = setup(flagd());
    p.rollout(["status"])
        .status(2)
        .stderr_has("ROLLOUT_HTTP_TOKEN is not set")
        .run();
    p.rollout(["status"])
        .env("ROLLOUT_HTTP_TOKEN", "svc-wrong-9999")
        .status(4)
        .stderr_has("refused the token in ROLLOUT_HTTP_TOKEN (401")
        .stderr_lacks("svc-wrong-9999")
        .run();
    p.write(
        "stages.yaml",
        &stages_yaml(&svc, "  token_env: FLAGS_TOKEN\n"),
    );
    p.rollout(["advance"]).env("FLAGS_TOKEN", TOKEN).run();
    svc.fail_next(2);
    p.rollout(["kill"]).env("FLAGS_TOKEN", TOKEN).run();
    assert!(!svc.flag(FLAG).enabled);
    p.write(
        "stages.yaml",
        &p.read("stages.yaml").replace("search-v2", "serch-v2"),
    );
    p.rollout(["status"])
        .env("FLAGS_TOKEN", TOKEN)
        .status(4)
        .stderr_has("the flag service has no flag `serch-v2` in environment production")
        .run();
}

fn python_on(p: &Project, weight: u32, listed: &[&str]) -> BTreeSet<String> {
    crate::test::evaluator_stdout(
        std::process::Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/python/flagd_fractional.py"
            ))
            .arg(FLAG)
            .arg(weight.to_string())
            .arg(p.path("ids.txt"))
            .args(listed),
    )
    .lines()
    .map(str::to_string)
    .collect()
}

fn preview_ids(p: &Project, stage: Option<&str>) -> BTreeSet<String> {
    p.preview_ids(stage, &[("ROLLOUT_HTTP_TOKEN", TOKEN)])
}

#[test]
fn http_preview_matches_the_declared_flagd_bucketing_or_refuses_to_guess() {
    let (svc, p) = setup(flagd());
    let ids: Vec<String> = (0..10_000).map(|i| format!("user-{i}")).collect();
    p.write("ids.txt", &ids.join("\n"));
    let checked = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/python/flagd_fractional.py"
        ))
        .arg("--vectors")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&checked.stdout),
        "ok\n",
        "the Python evaluator passes flagd's vectors"
    );
    for (stage, weight) in [
        ("internal", 2000),
        ("beta", 12_500),
        ("half", 50_000),
        ("full", 100_000),
    ] {
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
        let served = python_on(&p, weight, &["dev-1"]);
        assert_eq!(
            preview_ids(&p, None),
            served,
            "stage {stage}: preview (current)"
        );
        assert_eq!(
            preview_ids(&p, Some(stage)),
            served,
            "stage {stage}: preview {stage}"
        );
        if stage == "half" {
            run(&p, ["kill"]).run();
            assert!(preview_ids(&p, None).is_empty());
            run(&p, ["resume", "--yes"]).run();
            assert_eq!(preview_ids(&p, None), served, "the same users come back");
        }
    }
    assert!(svc.flag(FLAG).enabled);
    // A service that declares an algorithm rollout does not know: preview and check refuse.
    let (_svc, p) = setup(json!({"algorithm": "sha256-mod-100"}));
    p.write("ids.txt", "u1\nu2\n");
    run(&p, ["preview", "--users", "ids.txt"])
        .status(4)
        .stderr_has("the flag service buckets users by `sha256-mod-100`, an algorithm rollout does not know")
        .stderr_has("does not guess")
        .run();
    run(&p, ["check", "u1"])
        .status(4)
        .stderr_has("does not guess")
        .run();
    let (_svc, p) = setup(Value::Null);
    run(&p, ["check", "u1"])
        .status(4)
        .stderr_has("declares no bucketing")
        .run();
}

#[test]
fn http_a_checklist_rollout_task_uses_the_same_engine() {
    let (svc, p) = setup(flagd());
    p.write(
        "checklists/deploy.yaml",
        "title: Deploy\ntasks:\n  - name: Update feature flags\n    rollout: advance internal\n",
    );
    Test::new(
        env!("CARGO_BIN_EXE_checklist"),
        p.dir.path(),
        ["run", "deploy", "--yes"],
    )
    .env("ROLLOUT_HTTP_TOKEN", TOKEN)
    .stdout_has("1 passed")
    .run();
    assert_eq!(svc.flag(FLAG).stage.as_deref(), Some("internal"));
    assert_eq!(svc.events(FLAG).len(), 1);
}

/// The requests `rollout ARGS` sent to the reference server.
fn sent<const N: usize>(svc: &Service, p: &Project, args: [&str; N]) -> Vec<String> {
    let before = svc.requests().len();
    run(p, args).run();
    svc.requests()[before..].to_vec()
}

/// docs/requests.md's http column, request by request: one read (the flag carries its stage's
/// start), one PUT carrying the version read (the service refuses a stale one, so no second
/// read guards it; its answer is the flag, which kill takes as its read-back), and the event.
#[test]
fn http_each_command_sends_the_fewest_requests() {
    let (svc, p) = setup(flagd());
    let flag = format!("GET /flags/{FLAG}");
    let put = format!("PUT /flags/{FLAG}");
    let event = format!("POST /flags/{FLAG}/events");
    // Read, write, its event, and the read-back that decides the outcome (a 200 is no proof).
    let write = [flag.clone(), put.clone(), event.clone(), flag.clone()];
    assert_eq!(sent(&svc, &p, ["status"]), [flag.as_str()]);
    assert_eq!(sent(&svc, &p, ["advance"]), write);
    assert_eq!(sent(&svc, &p, ["status"]), [flag.as_str()]);
    assert_eq!(sent(&svc, &p, ["advance"]), write);
    assert_eq!(
        sent(
            &svc,
            &p,
            ["advance", "half", "--force", "--reason", "pin", "--yes"]
        ),
        write
    );
    assert_eq!(sent(&svc, &p, ["rollback", "--yes"]), write);
    assert_eq!(sent(&svc, &p, ["kill"]), write);
    assert_eq!(sent(&svc, &p, ["resume", "--yes"]), write);
    assert_eq!(
        sent(&svc, &p, ["history"]),
        [format!("GET /flags/{FLAG}/events")]
    );
}
