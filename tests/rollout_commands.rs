//! Every `rollout` command, rule, confirmation path and exit code, on the embedded file provider.
//! (Whole outputs: tests/snapshots.rs.)

use crate::test::Project;

const DAY1: &str = "2024-01-15T09:00:00Z";
const DAY2: &str = "2024-01-16T09:00:00Z";
/// After internal's 3-day soak and beta's planned start.
const DAY5: &str = "2024-01-19T09:00:00Z";

#[test]
fn plan_marks_the_current_stage_and_chains_earliest_dates() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    let done = p.rollout(["plan", "--json"]).at(DAY2).run();
    let doc = done.json();
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["current"], "internal");
    assert_eq!(doc["stages"][0]["current"], true);
    // beta: planned 2024-01-18, internal soaks 3d from 2024-01-15 09:00 → 2024-01-18 09:00.
    assert_eq!(doc["stages"][1]["earliest"], "2024-01-18T09:00:00+00:00");
    // limited: beta soaks 7d → 2024-01-25 09:00 (after its planned 2024-01-25 00:00).
    assert_eq!(doc["stages"][2]["earliest"], "2024-01-25T09:00:00+00:00");
    p.rollout(["plan"]).at(DAY2).stdout_has("▶  internal").run();
}

#[test]
fn status_reports_stage_and_when_next_is_allowed() {
    let p = Project::builder_cards();
    p.rollout(["status"])
        .at(DAY1)
        .stdout_has("not started")
        .stdout_has("internal (5%): allowed now")
        .run();
    p.rollout(["advance"])
        .at(DAY1)
        .stdout_has("not started → internal (5%)")
        .run();
    p.rollout(["status"])
        .at(DAY2)
        .stdout_has("stage:       internal (5%)")
        .stdout_has("state:       on")
        .stdout_has("beta (10%): waiting for soak and planned start: allowed in 2d, at 2024-01-18 09:00 UTC")
        .run();
    let doc = p.rollout(["status", "--json"]).at(DAY2).run().json();
    assert_eq!(doc["stage"], "internal");
    assert_eq!(doc["percentage"], 5);
    assert_eq!(doc["on"], true);
    assert_eq!(doc["next"]["stage"], "beta");
    assert_eq!(doc["next"]["allowed_now"], false);
    assert_eq!(doc["since"], "2024-01-15T09:00:00+00:00");
}

#[test]
fn advance_walks_the_stages_and_journals_each_change() {
    let p = Project::builder_cards();
    p.rollout(["advance", "internal"]).at(DAY1).run();
    p.rollout(["advance", "beta"])
        .at(DAY5)
        .stdout_has("internal → beta (10%)")
        .run();
    let flags: serde_json::Value = serde_json::from_str(&p.read(".rollout/flags.json")).unwrap();
    let flag = &flags["flags"]["use-new-builder-cards"];
    assert_eq!(flag["metadata"]["rolloutStage"], "beta");
    assert_eq!(flag["metadata"]["rolloutRevision"], 2);
    assert_eq!(flag["defaultVariant"], "off");
    let frac = &flag["targeting"]["if"][2]["fractional"];
    assert_eq!(frac[1], serde_json::json!(["on", 10000]));
    assert_eq!(frac[2], serde_json::json!(["off", 90000]));
    assert_eq!(
        flag["targeting"]["if"][0]["in"][1],
        serde_json::json!(["internal", "developers", "beta_testers"])
    );
    let lines = p.changes();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["action"], "advance");
    assert_eq!(lines[1]["from"], "internal");
    assert_eq!(lines[1]["to"], "beta");
    assert_eq!(lines[1]["percentage"], 10);
    assert_eq!(lines[1]["actor"], "tester@example.com");
    assert_eq!(lines[1]["forced"], false);
    assert_eq!(lines[1]["outcome"], "applied");
    assert_eq!(lines[1]["provider"], "file");
    assert_eq!(lines[1]["environment"], "production");
}

#[test]
fn skipping_a_stage_is_refused_and_names_the_next() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    let before = p.snapshot();
    p.rollout(["advance", "expanded"])
        .at("2024-03-01T00:00:00Z")
        .status(3)
        .stderr_has("would skip beta, limited: the next stage is beta")
        .stderr_has("--force --reason")
        .run();
    assert_eq!(before, p.snapshot(), "a refusal changed .rollout/");
}

#[test]
fn soak_time_is_enforced_with_the_time_it_ends() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    p.rollout(["advance"])
        .at("2024-01-16T05:00:00Z")
        .status(3)
        .stderr_has("internal must soak 3d first: beta can start in 2d 4h, at 2024-01-18 09:00 UTC")
        .run();
}

#[test]
fn planned_start_is_enforced() {
    let p = Project::builder_cards();
    p.rollout(["advance"])
        .at("2024-01-10T00:00:00Z")
        .status(3)
        .stderr_has("internal is planned to start on 2024-01-15 (in 5d)")
        .run();
    assert!(!p.exists(".rollout/flags.json"));
}

#[test]
fn a_compare_gate_does_not_apply_before_the_first_stage() {
    // Nothing listens on port 9: a gate that read its source would be `error`.
    let p = Project::new().file(
        "stages.yaml",
        "flag: cards
defaults:
  prometheus: { url: 'http://127.0.0.1:9' }
gates:
  - name: errors-vs-control
    prometheus:
      errors: 'sum(increase(req_total{status=\"500\",variant=\"{variant}\"}[{window}]))'
      total: 'sum(increase(req_total{variant=\"{variant}\"}[{window}]))'
    compare: { max_increase: 0.005 }
stages:
  - { name: internal, percentage: 10 }
  - { name: beta, percentage: 50 }
",
    );
    let gates = p.rollout(["gates", "--json"]).at(DAY1).run().json();
    assert_eq!(gates["pass"], true);
    assert_eq!(gates["gates"][0]["verdict"], "not-applicable");
    p.rollout(["status"])
        .at(DAY1)
        .stdout_has("internal (10%): allowed now")
        .run();
    p.rollout(["advance"])
        .at(DAY1)
        .stderr_has("errors-vs-control  not-applicable")
        .stderr_has("no stage yet")
        .stdout_has("advanced cards: not started → internal (10%)")
        .run();
    assert_eq!(
        p.changes_of("advance")[0]["gates"][0]["verdict"],
        "not-applicable"
    );
}

#[test]
fn a_forced_advance_must_name_its_stage_and_its_question_names_it() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    // Two operators forcing "the next stage" at once would move the flag two stages.
    p.rollout(["advance", "--force", "--reason", "hotfix", "--yes"])
        .at(DAY2)
        .status(2)
        .stderr_has("a forced advance must name the stage it moves to")
        .stderr_has("`rollout advance beta --force --reason TEXT`")
        .run();
    assert_eq!(p.changes_of("advance").len(), 1);
    p.rollout(["advance", "beta", "--force", "--reason", "hotfix"])
        .at(DAY2)
        .status(2)
        .stderr_has("advancing use-new-builder-cards to beta (10%) with --force needs confirmation")
        .run();
    p.rollout(["advance", "beta", "--force", "--reason", "hotfix", "--yes"])
        .at(DAY2)
        .run();
    // A forced rollback's question names its stage too.
    p.rollout(["rollback", "--force", "--reason", "drill"])
        .at(DAY2)
        .status(2)
        .stderr_has(
            "rolling back use-new-builder-cards to internal (5%) with --force needs confirmation",
        )
        .run();
}

#[test]
fn force_needs_a_reason_and_a_confirmation() {
    let p = Project::builder_cards();
    p.rollout(["advance", "internal", "--force"])
        .at("2024-01-10T00:00:00Z")
        .status(2)
        .stderr_has("--force needs --reason")
        .run();
    p.rollout(["advance", "internal", "--force", "--reason", "exec demo"])
        .at("2024-01-10T00:00:00Z")
        .status(2)
        .stderr_has("pass --yes")
        .run();
    assert!(!p.exists(".rollout/flags.json"));
    p.rollout([
        "advance",
        "internal",
        "--force",
        "--reason",
        "exec demo",
        "--yes",
    ])
    .at("2024-01-10T00:00:00Z")
    .stderr_has("overriding: internal is planned to start on 2024-01-15")
    .run();
    let journal = p.read(".rollout/journal.jsonl");
    assert!(journal.contains(r#""forced":true"#), "{journal}");
    assert!(journal.contains(r#""reason":"exec demo""#), "{journal}");
}

#[test]
fn advancing_to_full_asks_for_confirmation() {
    let p = Project::builder_cards_at_expanded();
    p.rollout(["advance", "full"])
        .at("2024-02-08T09:00:00Z")
        .status(2)
        .stderr_has("advancing use-new-builder-cards to full (100%) for everyone needs confirmation, and there is no terminal to ask on")
        .stderr_has("--yes")
        .run();
    p.rollout(["advance", "full", "--yes"])
        .at("2024-02-08T09:00:00Z")
        .stdout_has("expanded → full (100%)")
        .run();
    p.rollout(["advance"])
        .at("2024-03-08T09:00:00Z")
        .status(3)
        .stderr_has("already at the last stage (full)")
        .run();
}

#[test]
fn advance_to_the_current_stage_succeeds_and_records_nothing() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    p.rollout(["advance"]).at(DAY5).run();
    let journal = p.read(".rollout/journal.jsonl");
    // A re-run CI job: already there is exit 0, not a refusal.
    p.rollout(["advance", "beta"])
        .at(DAY5)
        .stdout_has("use-new-builder-cards is already at beta (10%); nothing to do")
        .run();
    let doc = p
        .rollout(["advance", "beta", "--json"])
        .at(DAY5)
        .run()
        .json();
    assert_eq!(doc["action"], "advance");
    assert_eq!(doc["event"]["outcome"], "already-at");
    assert_eq!(doc["event"]["from"], "beta");
    assert_eq!(doc["event"]["to"], "beta");
    p.rollout(["advance", "beta", "--dry-run"])
        .at(DAY5)
        .stdout_has("already at beta")
        .run();
    assert_eq!(p.read(".rollout/journal.jsonl"), journal);
    // A killed flag is not "already there".
    p.rollout(["kill", "--reason", "test"]).at(DAY5).run();
    p.rollout(["advance", "beta"])
        .at(DAY5)
        .status(3)
        .stderr_has("use-new-builder-cards is killed at beta")
        .stderr_has("rollout resume")
        .run();
}

#[test]
fn advance_to_an_earlier_stage_is_refused() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    p.rollout(["advance"]).at(DAY5).run();
    p.rollout(["advance", "internal"])
        .at(DAY5)
        .status(3)
        .stderr_has("rollout rollback internal")
        .run();
}

#[test]
fn unknown_stage_is_a_usage_error_with_a_suggestion() {
    let p = Project::builder_cards();
    p.rollout(["advance", "betta"])
        .at(DAY1)
        .status(2)
        .stderr_has("there is no stage `betta`")
        .stderr_has("did you mean `beta`?")
        .run();
}

#[test]
fn rollback_goes_down_one_stage_or_to_a_named_one() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    p.rollout(["advance"]).at(DAY5).run();
    p.rollout(["advance"]).at("2024-01-26T09:00:00Z").run();
    p.rollout(["rollback"])
        .at("2024-01-26T10:00:00Z")
        .stdout_has("limited → beta (10%)")
        .run();
    p.rollout(["rollback", "internal"])
        .at("2024-01-26T11:00:00Z")
        .stdout_has("beta → internal (5%)")
        .run();
    p.rollout(["rollback"])
        .at("2024-01-26T12:00:00Z")
        .status(3)
        .stderr_has("at the first stage")
        .stderr_has("rollout kill")
        .run();
    p.rollout(["rollback", "limited"])
        .at("2024-01-26T12:00:00Z")
        .status(3)
        .stderr_has("not below")
        .run();
    let status = p
        .rollout(["status", "--json"])
        .at("2024-01-26T12:00:00Z")
        .run()
        .json();
    assert_eq!(status["stage"], "internal");
    // A rollback restarts the soak of the stage it lands on.
    assert_eq!(status["since"], "2024-01-26T11:00:00+00:00");
}

#[test]
fn rollback_before_any_rollout_is_refused() {
    let p = Project::builder_cards();
    p.rollout(["rollback"])
        .at(DAY1)
        .status(3)
        .stderr_has("has not been rolled out")
        .run();
}

#[test]
fn kill_turns_the_flag_off_and_resume_restores_the_same_stage() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    p.rollout(["advance"]).at(DAY5).run();
    let before: serde_json::Value = serde_json::from_str(&p.read(".rollout/flags.json")).unwrap();
    p.rollout(["kill", "--reason", "error rate 4%"])
        .at("2024-01-19T10:00:00Z")
        .stdout_has("KILLED use-new-builder-cards (was beta); read back: off")
        .run();
    let killed: serde_json::Value = serde_json::from_str(&p.read(".rollout/flags.json")).unwrap();
    let flag = &killed["flags"]["use-new-builder-cards"];
    assert_eq!(flag["defaultVariant"], "off");
    assert!(
        flag.get("targeting").is_none(),
        "a killed flag has no targeting: {flag}"
    );
    assert_eq!(flag["state"], "ENABLED", "kill must not use state DISABLED");
    p.rollout(["status"])
        .at("2024-01-19T10:01:00Z")
        .stdout_has("KILLED since 2024-01-19 10:00 UTC")
        .run();
    // A killed flag neither advances nor rolls back.
    p.rollout(["advance"])
        .at("2024-03-01T00:00:00Z")
        .status(3)
        .stderr_has("killed: run `rollout resume` first")
        .run();
    p.rollout(["rollback"])
        .at("2024-03-01T00:00:00Z")
        .status(3)
        .stderr_has("killed")
        .run();
    // Killing again is harmless.
    p.rollout(["kill"])
        .at("2024-01-19T10:02:00Z")
        .stdout_has("already off")
        .run();
    p.rollout(["resume"])
        .at("2024-01-19T11:00:00Z")
        .status(2)
        .stderr_has("--yes")
        .run();
    p.rollout(["resume", "--yes"])
        .at("2024-01-19T11:00:00Z")
        .stdout_has("resumed use-new-builder-cards at beta (10%)")
        .run();
    let after: serde_json::Value = serde_json::from_str(&p.read(".rollout/flags.json")).unwrap();
    assert_eq!(
        before["flags"]["use-new-builder-cards"]["targeting"],
        after["flags"]["use-new-builder-cards"]["targeting"],
        "resume must restore exactly the same targeting"
    );
    p.rollout(["resume", "--yes"])
        .at("2024-01-19T11:00:00Z")
        .status(3)
        .stderr_has("not killed")
        .run();
    let actions: Vec<String> = p
        .changes()
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, ["advance", "advance", "kill", "kill", "resume"]);
}

#[test]
fn kill_of_a_flag_never_rolled_out_succeeds_and_changes_nothing() {
    let p = Project::builder_cards();
    p.rollout(["kill"])
        .at(DAY1)
        .stdout_has("already off")
        .stdout_lacks("KILLED")
        .run();
    assert!(!p.exists(".rollout/flags.json"));
}

#[test]
fn dry_run_changes_nothing_and_shows_the_write_and_event() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    p.rollout(["advance"]).at(DAY5).run();
    let later = "2024-01-26T10:00:00Z";
    let before = p.snapshot();
    for args in [
        vec!["advance", "--dry-run"],
        vec!["rollback", "--dry-run", "--force", "--reason", "drill"],
        vec!["kill", "--dry-run"],
    ] {
        p.rollout(args)
            .at(later)
            .stdout_has("dry run: nothing was changed")
            .stdout_has("WRITE .rollout/flags.json#/flags/use-new-builder-cards")
            .stdout_has("\"outcome\": \"dry-run\"")
            .run();
        assert_eq!(before, p.snapshot(), "--dry-run changed .rollout/");
    }
    let doc = p
        .rollout(["advance", "--dry-run", "--json"])
        .at(later)
        .run()
        .json();
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["dry_run"], true);
    assert_eq!(doc["event"]["to"], "limited");
    assert_eq!(doc["requests"][0]["method"], "WRITE");
    assert_eq!(before, p.snapshot());
}

#[test]
fn dry_run_on_a_fresh_project_creates_no_state_dir() {
    let p = Project::builder_cards();
    p.rollout(["advance", "--dry-run"]).at(DAY1).run();
    p.rollout(["kill", "--dry-run"]).at(DAY1).run();
    assert!(!p.exists(".rollout"), ".rollout/ was created by a dry run");
}

#[test]
fn json_output_parses_for_every_reading_command() {
    let p = Project::builder_cards().file("ids.txt", "user-1\nuser-2\nbeta-1\n");
    p.rollout(["advance"]).at(DAY1).run();
    for args in [
        vec!["plan", "--json"],
        vec!["status", "--json"],
        vec!["history", "--json"],
        vec!["check", "user-1", "--json"],
        vec!["preview", "--users", "ids.txt", "--json"],
        vec!["validate", "--json"],
    ] {
        let doc = p.rollout(args.clone()).at(DAY2).run().json();
        assert_eq!(doc["schema"], 1, "{args:?}");
    }
    let doc = p.rollout(["advance", "--json"]).at(DAY5).run().json();
    assert_eq!(doc["event"]["to"], "beta");
}

#[test]
fn history_is_newest_first_and_limited() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    p.rollout(["advance"]).at(DAY5).run();
    p.rollout(["kill", "--reason", "spike"])
        .at("2024-01-19T10:00:00Z")
        .run();
    let done = p.rollout(["history"]).run();
    let lines: Vec<&str> = done.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", done.stdout);
    assert!(
        lines[0].contains("kill") && lines[0].contains("spike"),
        "{}",
        lines[0]
    );
    assert!(lines[2].contains("→ internal"), "{}", lines[2]);
    let doc = p
        .rollout(["history", "--limit", "1", "--json"])
        .run()
        .json();
    assert_eq!(doc["entries"].as_array().unwrap().len(), 1);
    assert_eq!(doc["more"], true);
    let doc = p.rollout(["history", "--json"]).run().json();
    assert_eq!(doc["entries"].as_array().unwrap().len(), 3);
    assert_eq!(doc["more"], false);
}

#[test]
fn history_reports_a_torn_last_line_and_appends_after_it() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    let mut journal = p.read(".rollout/journal.jsonl");
    journal.push_str(r#"{"time":"2024-01-16T00:00:00Z","actor":"x","act"#);
    p.write(".rollout/journal.jsonl", &journal);
    p.rollout(["history"])
        .stderr_has("journal.jsonl:3: a damaged journal line was skipped")
        .stdout_has("→ internal")
        .run();
    p.rollout(["advance"]).at(DAY5).run();
    let doc = p.rollout(["history", "--json"]).run().json();
    assert_eq!(
        doc["entries"].as_array().unwrap().len(),
        2,
        "the new entry was lost after a torn line: {doc}"
    );
    assert_eq!(doc["damaged"][0]["line"], 3);
}

#[test]
fn check_names_the_first_stage_and_the_state_now() {
    let p = Project::builder_cards();
    // A member of a stage group is on from that stage.
    p.rollout(["check", "someone", "--group", "beta_testers"])
        .at(DAY1)
        .stdout_has("someone: first on at beta (10%); now off (not started)")
        .run();
    p.rollout(["advance"]).at(DAY1).run();
    p.rollout(["check", "dev-7", "--group", "developers"])
        .at(DAY1)
        .stdout_has("first on at internal (5%); now on (at internal)")
        .run();
    p.rollout(["kill"]).at(DAY2).run();
    p.rollout(["check", "dev-7", "--group", "developers"])
        .at(DAY2)
        .stdout_has("now off (the flag is killed)")
        .run();
}

#[test]
fn preview_counts_users_per_stage() {
    let ids: String = (0..2000).map(|i| format!("user-{i}\n")).collect();
    let p = Project::builder_cards().file("ids.txt", &ids);
    let doc = p
        .rollout(["preview", "--users", "ids.txt", "--json"])
        .at(DAY1)
        .run()
        .json();
    assert_eq!(doc["users"], 2000);
    let on: Vec<u64> = doc["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["on"].as_u64().unwrap())
        .collect();
    assert_eq!(on.len(), 5);
    assert!(
        on.windows(2).all(|w| w[0] <= w[1]),
        "exposure must grow stage by stage: {on:?}"
    );
    assert_eq!(on[4], 2000);
    // 5% of 2000 is about 100: the hash spreads users evenly.
    assert!((60..=140).contains(&on[0]), "{on:?}");
    assert!((900..=1100).contains(&on[3]), "{on:?}");
    assert_eq!(doc["current"]["on"], 0);
    let beta = p
        .rollout(["preview", "beta", "--users", "ids.txt"])
        .at(DAY1)
        .stderr_has("beta (10%): ")
        .run();
    assert_eq!(beta.stdout.lines().count() as u64, on[1]);
    p.rollout(["preview", "--users", "missing.txt"])
        .status(2)
        .stderr_has("cannot read the users file")
        .run();
}

#[test]
fn stages_yaml_is_found_in_a_parent_or_with_dash_c() {
    let p = Project::builder_cards().file("sub/dir/keep", "");
    crate::test::Test::new(
        env!("CARGO_BIN_EXE_rollout"),
        &p.path("sub/dir"),
        ["status"],
    )
    .at(DAY1)
    .stdout_has("not started")
    .run();
    let elsewhere = Project::new();
    elsewhere
        .rollout(["-C", p.dir.path().to_str().unwrap(), "status"])
        .at(DAY1)
        .stdout_has("use-new-builder-cards")
        .run();
    elsewhere
        .rollout(["status"])
        .status(2)
        .stderr_has("no stages.yaml")
        .stderr_has("rollout init")
        .run();
}

#[test]
fn init_writes_a_starter_that_validates_and_refuses_to_overwrite() {
    let p = Project::new();
    p.rollout(["init", "--flag", "checkout-v2"])
        .stdout_has("wrote")
        .run();
    assert!(p.read("stages.yaml").contains("flag: checkout-v2"));
    p.rollout(["validate"]).run();
    p.rollout(["plan"]).stdout_has("checkout-v2").run();
    p.rollout(["init"])
        .status(2)
        .stderr_has("already exists")
        .run();
}

#[test]
fn actor_comes_from_flag_env_ci_then_git() {
    let p = Project::builder_cards();
    p.rollout(["advance", "--actor", "alice"]).at(DAY1).run();
    p.rollout(["kill"])
        .at(DAY2)
        .env("ROLLOUT_ACTOR", "")
        .env("GITHUB_ACTOR", "octocat")
        .run();
    p.rollout(["resume", "--yes"])
        .at(DAY2)
        .env("ROLLOUT_ACTOR", "")
        .env("USER", "carol")
        .run();
    let actors: Vec<String> = p
        .changes()
        .iter()
        .map(|r| r["actor"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actors, ["alice", "octocat", "carol"]);
}

#[test]
fn environments_keep_separate_flag_files() {
    let p = Project::new().file(
        "stages.yaml",
        "flag: f\nenvironments:\n  staging: { environment: development }\nstages:\n  - { name: a, percentage: 10 }\n  - { name: b, percentage: 100 }\n",
    );
    p.rollout(["advance", "--env", "staging"])
        .stdout_has("in development")
        .run();
    assert!(p.exists(".rollout/flags.development.json"));
    assert!(!p.exists(".rollout/flags.json"));
    p.rollout(["status"]).stdout_has("not started").run();
}

#[test]
fn other_flags_in_the_file_are_kept_untouched() {
    let other = r#"{"$schema":"https://flagd.dev/schema/v0/flags.json","flags":{"other-flag":{"state":"ENABLED","variants":{"a":"x","b":"y"},"defaultVariant":"b"}},"metadata":{"owner":"web"}}"#;
    let p = Project::builder_cards().file(".rollout/flags.json", other);
    p.rollout(["advance"]).at(DAY1).run();
    let doc: serde_json::Value = serde_json::from_str(&p.read(".rollout/flags.json")).unwrap();
    let original: serde_json::Value = serde_json::from_str(other).unwrap();
    assert_eq!(doc["flags"]["other-flag"], original["flags"]["other-flag"]);
    assert_eq!(doc["metadata"], original["metadata"]);
    assert_eq!(
        doc["flags"]["use-new-builder-cards"]["metadata"]["rolloutStage"],
        "internal"
    );
}

#[test]
fn a_hand_edit_to_an_off_plan_percentage_is_shown_not_hidden() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    let mut doc: serde_json::Value = serde_json::from_str(&p.read(".rollout/flags.json")).unwrap();
    let frac = &mut doc["flags"]["use-new-builder-cards"]["targeting"]["if"][2]["fractional"];
    frac[1][1] = 33000.into();
    frac[2][1] = 67000.into();
    p.write(".rollout/flags.json", &doc.to_string());
    p.rollout(["status"])
        .at(DAY2)
        .stdout_has("33% (no stage has this percentage)")
        .run();
    // The next stage above 33% is expanded.
    p.rollout(["advance", "--dry-run"])
        .at("2024-02-02T00:00:00Z")
        .stdout_has("\"to\": \"expanded\"")
        .run();
}

#[test]
fn a_corrupt_flags_file_is_a_provider_error_naming_the_place() {
    let p = Project::builder_cards().file(".rollout/flags.json", "{\"flags\": {\n  \"x\": [1,\n}");
    p.rollout(["status"])
        .status(4)
        .stderr_has(".rollout/flags.json:3:")
        .stderr_has("nothing was changed")
        .run();
    p.rollout(["kill", "--timeout", "1s"])
        .at(DAY1)
        .status(4)
        .stderr_has("could not be killed within 1s")
        .run();
}

#[test]
fn no_terminal_and_no_yes_never_hangs_on_resume() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    p.rollout(["kill"]).at(DAY1).run();
    p.rollout(["resume"])
        .at(DAY1)
        .stdin("y\n")
        .status(2)
        .stderr_has("error: resuming use-new-builder-cards at internal (5%) needs confirmation, and there is no terminal to ask on\n")
        .stderr_has("hint: nothing was changed; pass --yes to confirm from a script or CI")
        .run();
}

#[test]
fn completions_print_for_every_shell() {
    let p = Project::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let done = p.rollout(["completions", shell]).run();
        assert!(done.stdout.contains("advance"), "{shell}");
    }
    p.rollout(["completions", "tcsh"]).status(2).run();
}

#[test]
fn bad_flags_are_usage_errors() {
    let p = Project::builder_cards();
    p.rollout(["advance", "--bogus"]).status(2).run();
    p.rollout(["history", "--limit", "many"]).status(2).run();
    p.rollout(["kill", "--timeout", "soon"]).status(2).run();
    p.rollout(["status"])
        .env("ROLLOUT_NOW", "yesterday")
        .status(2)
        .stderr_has("ROLLOUT_NOW")
        .run();
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    let coloured = p.rollout(["status", "--color", "always"]).at(DAY2).run();
    assert!(
        coloured.stdout.contains("\u{1b}[32mon\u{1b}[0m"),
        "{:?}",
        coloured.stdout
    );
    let plain = p.rollout(["status", "--color", "never"]).at(DAY2).run();
    assert!(!plain.stdout.contains('\u{1b}'), "{:?}", plain.stdout);
    // Not a terminal (the test's pipe) means no colour by default.
    let auto = p.rollout(["status"]).at(DAY2).env("NO_COLOR", "").run();
    assert!(!auto.stdout.contains('\u{1b}'), "{:?}", auto.stdout);
}

#[test]
fn quiet_keeps_results_and_drops_hints() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    p.rollout(["kill", "-q"])
        .at(DAY2)
        .stdout_has("KILLED")
        .stderr_lacks("rollout resume")
        .run();
    p.rollout(["resume", "--yes"]).at(DAY2).run();
    p.rollout(["kill"])
        .at(DAY2)
        .stderr_has("rollout resume")
        .run();
}

#[test]
fn ctrl_c_interrupts_a_retrying_kill_with_130() {
    let p = Project::builder_cards().file(".rollout/flags.json", "{ not json");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_rollout"))
        .args(["kill", "--timeout", "60s"])
        .current_dir(p.dir.path())
        .env("ROLLOUT_ACTOR", "t")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it is retrying: its first warning is printed.
    std::thread::sleep(std::time::Duration::from_millis(700));
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("kill attempt 1 failed"), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
}

#[test]
fn actor_falls_back_to_git_user_email() {
    let p = Project::builder_cards().file("gitconfig", "[user]\n\temail = dana@example.com\n");
    p.rollout(["advance"])
        .at(DAY1)
        .env("ROLLOUT_ACTOR", "")
        .env("GIT_CONFIG_GLOBAL", p.path("gitconfig").to_str().unwrap())
        .run();
    assert!(p
        .read(".rollout/journal.jsonl")
        .contains(r#""actor":"dana@example.com""#));
}

#[test]
fn streamed_counts_match_listed_ids_across_chunk_boundaries() {
    // Over 1 MiB, so counting reads it in chunks: CRLF lines, blank lines, and one id as long
    // as a line may be (64 KiB) must be counted exactly as when the ids are listed.
    let mut ids: String = (0..150_000).map(|i| format!("user-{i}\r\n")).collect();
    ids.push_str("\n\n");
    ids.push_str(&"x".repeat(65_536));
    ids.push('\n');
    ids.push_str("last-user");
    let p = Project::builder_cards().file("ids.txt", &ids);
    p.rollout(["advance"]).at(DAY1).run();
    let counted = p
        .rollout(["preview", "--users", "ids.txt", "--json"])
        .at(DAY2)
        .run()
        .json();
    let listed = p
        .rollout(["preview", "--users", "ids.txt", "--ids", "--json"])
        .at(DAY2)
        .run()
        .json();
    assert_eq!(counted["users"], 150_002);
    assert_eq!(counted["users"], listed["users"]);
    assert_eq!(counted["stages"], listed["stages"]);
    assert_eq!(counted["current"]["on"], listed["current"]["on"]);
    assert_eq!(
        counted["current"]["on"].as_u64().unwrap(),
        listed["current"]["ids"].as_array().unwrap().len() as u64
    );
    for c in counted["stages"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let stage = p
            .rollout(["preview", name, "--users", "ids.txt", "--json"])
            .at(DAY2)
            .run()
            .json();
        assert_eq!(c["on"], stage["stages"][0]["on"], "{name}");
        assert_eq!(
            c["on"].as_u64().unwrap(),
            stage["stages"][0]["ids"].as_array().unwrap().len() as u64,
            "{name}"
        );
    }
    let from_stdin = p
        .rollout(["preview", "--users", "-", "--json"])
        .at(DAY2)
        .stdin(&ids)
        .run()
        .json();
    assert_eq!(from_stdin["stages"], counted["stages"]);
}
