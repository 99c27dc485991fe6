//! Whole-output snapshots of every `rollout` and `checklist` command (on the file provider, and
//! `status` on the http and LaunchDarkly contract servers): exit code, stdout and stderr together,
//! human and `--json`, including refusals, errors and dry runs. Gates are `command:` gates, so
//! no network is needed.
//!
//! The clock (`ROLLOUT_NOW`) and the actor (`ROLLOUT_ACTOR`) are pinned; the scratch project's
//! path, run ids, journal record ids, contract servers' ports and durations are replaced by
//! placeholders (`[DIR]`, `[PORT]`, `[RUN-ID]`, `[ID]`, `[MS]`, ...). The `.snap` files live in
//! tests/snapshots/. After an intended output change:
//! `INSTA_UPDATE=always cargo test --test integration snapshots` (or
//! `cargo insta test --review`), then review the diff of tests/snapshots/ like code.

use std::path::Path;

use crate::test::{Done, Project, Test};

/// Before any stage's planned start.
const BEFORE: &str = "2024-01-10T00:00:00Z";
const DAY1: &str = "2024-01-15T09:00:00Z";
const DAY2: &str = "2024-01-16T09:00:00Z";
/// After internal's 3-day soak and beta's planned start.
const DAY5: &str = "2024-01-19T09:00:00Z";
/// Mid-plan: the Builder Card plan walked to `expanded` (50%) on 2024-02-01.
const MID: &str = "2024-02-03T12:00:00Z";

/// One run as a snapshot text: the exit code, then stdout and stderr whole. ESC is shown as `␛`
/// so coloured output stays readable in the `.snap` file.
pub fn transcript(done: &Done) -> String {
    fn block(text: &str) -> String {
        let mut s = text.replace('\u{1b}', "␛");
        if !s.is_empty() && !s.ends_with('\n') {
            s.push_str("\n[no newline at end]\n");
        }
        s
    }
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        done.code,
        block(&done.stdout),
        block(&done.stderr)
    )
}

/// Escapes `text` for use as a literal in an insta filter (a regex).
fn literal(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The insta settings that hide what varies between runs of the same scenario.
pub fn settings(dir: &Path) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    let dir = dir.to_string_lossy();
    s.add_filter(&literal(&dir), "[DIR]");
    if let Ok(real) = std::fs::canonicalize(&*dir) {
        s.add_filter(&literal(&real.to_string_lossy()), "[DIR]");
    }
    // Checklist run ids: the start time to the millisecond and the process id.
    s.add_filter(r"\d{8}T\d{9}Z-\d+", "[RUN-ID]");
    // Journal record ids: a time in hex, the process id, a counter.
    s.add_filter(r"\b[0-9a-f]{16}-[0-9a-f]+-\d+\b", "[ID]");
    // Durations of tasks and runs.
    s.add_filter(r#""duration_ms": \d+"#, r#""duration_ms": [MS]"#);
    s.add_filter(r"\b(in|after) \d+\.\d+s\b", "$1 [T]s");
    s.add_filter(r#"time="\d+\.\d+""#, r#"time="[T]""#);
    s
}

/// Runs `test` (any exit code) and compares its transcript with the snapshot `name`.
fn snap(p: &Project, name: &str, test: Test) {
    let done = test.any_status().run();
    let text = transcript(&done);
    settings(p.dir.path()).bind(|| insta::assert_snapshot!(name, text));
}

/// [`snap`] with `port` (a contract server's, which varies between runs) shown as `[PORT]`.
fn snap_port(p: &Project, name: &str, test: Test, port: u16) {
    let done = test.any_status().run();
    let text = transcript(&done);
    let mut s = settings(p.dir.path());
    s.add_filter(&format!(r"127\.0\.0\.1:{port}\b"), "127.0.0.1:[PORT]");
    s.bind(|| insta::assert_snapshot!(name, text));
}

/// Asserts a run printed exactly the committed file `rel` (a generated artefact too long to
/// repeat as a snapshot) on stdout, nothing on stderr, and exited 0.
fn prints_committed(test: Test, rel: &str) {
    let done = test.any_status().run();
    let committed = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert_eq!(done.code, 0, "{}", transcript(&done));
    assert!(done.stdout == committed, "stdout is not {rel} whole");
    assert_eq!(done.stderr, "", "stderr of a run that prints {rel}");
}

/// Compares a file the run wrote (a report, a generated file) with the snapshot `name`.
fn snap_file(p: &Project, name: &str, rel: &str) {
    let text = p.read(rel);
    settings(p.dir.path()).bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn plan_and_status_before_the_rollout() {
    let p = Project::builder_cards();
    snap(&p, "plan_not_started", p.rollout(["plan"]).at(BEFORE));
    snap(
        &p,
        "plan_not_started_json",
        p.rollout(["plan", "--json"]).at(BEFORE),
    );
    snap(&p, "status_not_started", p.rollout(["status"]).at(BEFORE));
    snap(
        &p,
        "status_not_started_json",
        p.rollout(["status", "--json"]).at(DAY1),
    );
    snap(&p, "history_empty", p.rollout(["history"]).at(DAY1));
    snap(
        &p,
        "history_empty_json",
        p.rollout(["history", "--json"]).at(DAY1),
    );
}

#[test]
fn advance_its_refusals_and_dry_run() {
    let p = Project::builder_cards();
    snap(
        &p,
        "advance_dry_run",
        p.rollout(["advance", "--dry-run"]).at(DAY1),
    );
    snap(
        &p,
        "advance_dry_run_json",
        p.rollout(["advance", "--dry-run", "--json"]).at(DAY1),
    );
    snap(
        &p,
        "advance_before_planned_start_refused",
        p.rollout(["advance"]).at(BEFORE),
    );
    snap(&p, "advance", p.rollout(["advance"]).at(DAY1));
    snap(&p, "advance_soak_refused", p.rollout(["advance"]).at(DAY2));
    snap(
        &p,
        "advance_soak_refused_json",
        p.rollout(["advance", "--json"]).at(DAY2),
    );
    snap(
        &p,
        "advance_skip_refused",
        p.rollout(["advance", "limited"]).at(DAY5),
    );
    snap(
        &p,
        "advance_unknown_stage",
        p.rollout(["advance", "betta"]).at(DAY5),
    );
    snap(
        &p,
        "advance_force_without_reason",
        p.rollout(["advance", "beta", "--force"]).at(DAY2),
    );
    snap(
        &p,
        "advance_force_without_yes",
        p.rollout(["advance", "beta", "--force", "--reason", "demo"])
            .at(DAY2),
    );
    snap(
        &p,
        "advance_forced",
        p.rollout(["advance", "beta", "--force", "--reason", "demo", "--yes"])
            .at(DAY2),
    );
    snap(
        &p,
        "advance_json",
        p.rollout(["advance", "--json"]).at("2024-01-25T09:00:00Z"),
    );
    snap(&p, "history_after_advances", p.rollout(["history"]));
}

#[test]
fn status_plan_and_rollback_mid_plan() {
    let p = Project::builder_cards_at_expanded();
    snap(&p, "status_mid_plan", p.rollout(["status"]).at(MID));
    snap(
        &p,
        "status_mid_plan_json",
        p.rollout(["status", "--json"]).at(MID),
    );
    snap(
        &p,
        "status_mid_plan_color_always",
        p.rollout(["status", "--color", "always"]).at(MID),
    );
    snap(
        &p,
        "plan_mid_plan_color_always",
        p.rollout(["plan", "--color", "always"]).at(MID),
    );
    snap(&p, "plan_mid_plan", p.rollout(["plan"]).at(MID));
    snap(
        &p,
        "plan_mid_plan_json",
        p.rollout(["plan", "--json"]).at(MID),
    );
    snap(
        &p,
        "advance_to_last_stage_without_yes",
        p.rollout(["advance"]).at("2024-02-09T09:00:00Z"),
    );
    snap(
        &p,
        "rollback_dry_run",
        p.rollout(["rollback", "--dry-run"]).at(MID),
    );
    snap(&p, "rollback", p.rollout(["rollback"]).at(MID));
    snap(
        &p,
        "rollback_to_named_json",
        p.rollout(["rollback", "internal", "--json"]).at(MID),
    );
    snap(
        &p,
        "rollback_upwards_refused",
        p.rollout(["rollback", "full"]).at(MID),
    );
    snap(
        &p,
        "history_limit_json",
        p.rollout(["history", "--limit", "2", "--json"]),
    );
    snap(
        &p,
        "kill_json",
        p.rollout(["kill", "--reason", "5xx spike", "--json"])
            .at(MID),
    );
}

#[test]
fn kill_resume_and_the_killed_state() {
    let p = Project::builder_cards();
    snap(
        &p,
        "kill_not_rolled_out",
        p.rollout(["kill", "--reason", "nothing yet"]).at(DAY1),
    );
    snap(
        &p,
        "rollback_not_rolled_out_refused",
        p.rollout(["rollback"]).at(DAY1),
    );
    p.rollout(["advance"]).at(DAY1).run();
    snap(
        &p,
        "kill_dry_run",
        p.rollout(["kill", "--dry-run", "--reason", "5xx spike"])
            .at(DAY2),
    );
    snap(
        &p,
        "kill",
        p.rollout(["kill", "--reason", "5xx spike"]).at(DAY2),
    );
    snap(
        &p,
        "kill_already_off_json",
        p.rollout(["kill", "--json"]).at(DAY2),
    );
    snap(&p, "status_killed", p.rollout(["status"]).at(DAY2));
    snap(
        &p,
        "status_killed_json",
        p.rollout(["status", "--json"]).at(DAY2),
    );
    snap(&p, "plan_killed", p.rollout(["plan"]).at(DAY2));
    snap(
        &p,
        "advance_killed_refused",
        p.rollout(["advance"]).at(DAY5),
    );
    snap(&p, "resume_without_yes", p.rollout(["resume"]).at(DAY5));
    snap(
        &p,
        "resume_dry_run_json",
        p.rollout(["resume", "--yes", "--dry-run", "--json"])
            .at(DAY5),
    );
    snap(
        &p,
        "resume",
        p.rollout(["resume", "--yes", "--reason", "fixed"]).at(DAY5),
    );
    snap(&p, "history_after_kill", p.rollout(["history"]));
    snap(
        &p,
        "history_after_kill_json",
        p.rollout(["history", "--json"]),
    );
}

/// The file provider has no environments: its messages name one only when `--env` picked it
/// (and with it `.rollout/flags.NAME.json`).
#[test]
fn an_environment_is_named_only_when_chosen() {
    let p = Project::builder_cards();
    snap(
        &p,
        "advance_env_staging",
        p.rollout(["--env", "staging", "advance"]).at(DAY1),
    );
    snap(
        &p,
        "status_env_staging",
        p.rollout(["--env", "staging", "status"]).at(DAY2),
    );
    snap(
        &p,
        "kill_env_staging",
        p.rollout(["--env", "staging", "kill"]).at(DAY2),
    );
}

#[test]
fn a_held_lock_is_a_conflict() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    let lock = std::fs::File::open(p.path(".rollout/.flags.json.lock"))
        .or_else(|_| std::fs::File::create(p.path(".rollout/.flags.json.lock")))
        .unwrap();
    lock.lock().unwrap();
    snap(
        &p,
        "kill_conflict_held_lock",
        p.rollout(["kill", "--timeout", "300ms"]).at(DAY2),
    );
    lock.unlock().unwrap();
}

#[test]
fn preview_and_check() {
    let ids: String = (0..40).map(|i| format!("user-{i}\n")).collect();
    let p = Project::builder_cards().file("ids.txt", &ids);
    snap(
        &p,
        "preview",
        p.rollout(["preview", "--users", "ids.txt"]).at(DAY1),
    );
    snap(
        &p,
        "preview_json",
        p.rollout(["preview", "--users", "ids.txt", "--json"])
            .at(DAY1),
    );
    snap(
        &p,
        "preview_stage",
        p.rollout(["preview", "limited", "--users", "ids.txt"])
            .at(DAY1),
    );
    snap(
        &p,
        "preview_missing_file",
        p.rollout(["preview", "--users", "missing.txt"]).at(DAY1),
    );
    p.rollout(["advance"]).at(DAY1).run();
    snap(
        &p,
        "preview_current_ids",
        p.rollout(["preview", "--users", "-", "--ids"])
            .stdin(&ids)
            .at(DAY2),
    );
    snap(
        &p,
        "check_group_member",
        p.rollout(["check", "dev-7", "--group", "developers"])
            .at(DAY2),
    );
    snap(
        &p,
        "check_json",
        p.rollout(["check", "user-3", "--json"]).at(DAY2),
    );
}

#[test]
fn validate_init_and_config_errors() {
    let p = Project::builder_cards();
    snap(&p, "validate", p.rollout(["validate"]));
    snap(&p, "validate_json", p.rollout(["validate", "--json"]));

    let broken = Project::new().file(
        "stages.yaml",
        "flag: f\nprovider:\n  kind: file\n  token: abc\nstages:\n  - name: a\n    percentage: 50\n    duraton: 3d\n  - name: b\n    percentage: 20\n",
    );
    snap(
        &broken,
        "validate_config_errors",
        broken.rollout(["validate"]),
    );
    snap(
        &broken,
        "validate_config_errors_json",
        broken.rollout(["validate", "--json"]),
    );
    snap(&broken, "status_config_errors", broken.rollout(["status"]));

    let fresh = Project::new();
    snap(&fresh, "status_no_stages_yaml", fresh.rollout(["status"]));
    snap(
        &broken,
        "plan_config_errors_json",
        broken.rollout(["plan", "--json"]),
    );
    snap(
        &fresh,
        "init",
        fresh.rollout(["init", "--flag", "checkout-v2"]),
    );
    snap_file(&fresh, "init_stages_yaml", "stages.yaml");
    snap_file(
        &fresh,
        "init_pre_deployment_yaml",
        "checklists/pre-deployment.yaml",
    );
    snap(&fresh, "validate_after_init", fresh.rollout(["validate"]));
    snap(
        &fresh,
        "init_refuses_to_overwrite",
        fresh.rollout(["init", "--json"]),
    );
    let fresh_json = Project::new();
    snap(
        &fresh_json,
        "init_dry_run_json",
        fresh_json.rollout(["init", "--dry-run", "--json", "--flag", "checkout-v2"]),
    );
    snap(
        &fresh_json,
        "init_json",
        fresh_json.rollout(["init", "--json"]),
    );
    let kept = Project::new().file(
        "checklists/release.yaml",
        "tasks:\n  - { name: a, run: 'true' }\n",
    );
    snap(&kept, "init_keeps_checklists", kept.rollout(["init"]));
    let empty = Project::new();
    snap(
        &empty,
        "init_bad_flag_key",
        empty.rollout(["init", "--flag", "two words"]),
    );
}

#[test]
fn usage_errors() {
    let p = Project::builder_cards();
    snap(&p, "usage_unknown_command", p.rollout(["bogus"]));
    snap(&p, "usage_unknown_flag", p.rollout(["advance", "--bogus"]));
    snap(
        &p,
        "usage_bad_limit",
        p.rollout(["history", "--limit", "many"]),
    );
    snap(
        &p,
        "usage_bad_clock",
        p.rollout(["status"]).env("ROLLOUT_NOW", "yesterday"),
    );
    snap(&p, "usage_bad_shell", p.rollout(["completions", "tcsh"]));
    // clap wraps help at the terminal's width, or COLUMNS.
    snap(
        &p,
        "rollout_help",
        p.rollout(["--help"]).env("COLUMNS", "100"),
    );
    snap(
        &p,
        "checklist_help",
        p.checklist(["--help"]).env("COLUMNS", "100"),
    );
}

const RELEASE: &str = r"
title: Release
description: Build, approve, turn the flag's next stage on.
tasks:
  - name: Build
    run: echo building; echo built
    timeout: 5m
    retries: 1
  - name: Check environment
    require_env: [HOME]
  - name: Approve
    manual: Look at the report and approve it.
  - name: Update feature flags
    rollout: advance
  - name: Lint
    run: echo linted
";

const FAILING: &str = r#"
title: Failing
tasks:
  - name: Security scan
    run: echo "1 advisory"; exit 1
    allow_failure: true
  - name: Compile
    run: "echo compiling; echo 'error[E0308]: mismatched types'; exit 3"
  - name: Package
    run: echo packaged
"#;

#[test]
fn checklist_list_show_and_validate() {
    let p = Project::with_checklist("release", RELEASE).file("checklists/failing.yaml", FAILING);
    snap(&p, "checklist_list", p.checklist(["list"]));
    snap(&p, "checklist_list_json", p.checklist(["list", "--json"]));
    snap(&p, "checklist_show", p.checklist(["show", "release"]));
    snap(
        &p,
        "checklist_show_verbose",
        p.checklist(["show", "release", "-v"]),
    );
    snap(
        &p,
        "checklist_show_json",
        p.checklist(["show", "release", "--json"]),
    );
    snap(
        &p,
        "checklist_show_unknown",
        p.checklist(["show", "relase"]),
    );
    snap(&p, "checklist_validate", p.checklist(["validate"]));
    snap(
        &p,
        "checklist_validate_json",
        p.checklist(["validate", "--json"]),
    );
    let broken = Project::with_checklist(
        "broken",
        "tasks:\n  - name: a\n    run: 'true'\n    timout: 5m\n  - name: b\n    manual: Check.\n    parallel: true\n",
    );
    snap(
        &broken,
        "checklist_validate_broken",
        broken.checklist(["validate"]),
    );
    snap(
        &broken,
        "checklist_run_broken",
        broken.checklist(["run", "broken"]),
    );
}

#[test]
fn checklist_runs() {
    let p = Project::with_checklist("release", RELEASE).file("checklists/failing.yaml", FAILING);
    snap(
        &p,
        "checklist_run_dry_run",
        p.checklist(["run", "release", "--dry-run"]).at(DAY1),
    );
    snap(
        &p,
        "checklist_run_dry_run_json",
        p.checklist(["run", "release", "--dry-run", "--json"])
            .at(DAY1),
    );
    snap(
        &p,
        "checklist_run_manual_without_yes",
        p.checklist(["run", "release"]).at(DAY1),
    );
    snap(
        &p,
        "checklist_run",
        p.checklist(["run", "release", "--yes"]).at(DAY1),
    );
    snap(
        &p,
        "checklist_run_json",
        p.checklist(["run", "release", "--yes", "--json"]).at(DAY5),
    );
    snap(
        &p,
        "checklist_run_failing",
        p.checklist(["run", "failing", "--junit", "report.xml"])
            .at(DAY5),
    );
    snap_file(&p, "checklist_run_failing_junit", "report.xml");
    snap(
        &p,
        "checklist_run_failing_json",
        p.checklist(["run", "failing", "--json"]).at(DAY5),
    );
    snap(&p, "history_with_checklist_runs", p.rollout(["history"]));
}

/// Gates of every source outcome, through `command:` gates (no network): a pass, a warning that
/// fails, a critical source that errors, an info gate that fails, one with no data.
const GATED: &str = "flag: cards
gates:
  - { name: errors, command: 'echo 0.002', max: 0.01 }
  - { name: latency, command: 'echo 0.3', max: 0.1, severity: warning }
  - { name: upstream, command: 'echo no route to upstream >&2; exit 2', max: 1 }
  - { name: clicks, command: 'echo 0.01', min: 0.05, severity: info }
  - { name: empty, command: 'true', max: 1, severity: info }
stages:
  - { name: internal, percentage: 5 }
  - { name: beta, percentage: 10, gates: [errors] }
";

#[test]
fn gates_pass_fail_error_and_no_data() {
    let p = Project::new().file("stages.yaml", GATED);
    snap(&p, "gates", p.rollout(["gates"]).at(DAY1));
    snap(&p, "gates_json", p.rollout(["gates", "--json"]).at(DAY1));
    snap(
        &p,
        "gates_stage_passing",
        p.rollout(["gates", "--stage", "beta"]).at(DAY1),
    );
    snap(
        &p,
        "gates_unknown_stage",
        p.rollout(["gates", "--stage", "betta"]).at(DAY1),
    );
    let none = Project::builder_cards();
    snap(
        &none,
        "gates_none_defined",
        none.rollout(["gates", "--json"]),
    );
}

/// A critical gate over its threshold.
const BREACHED: &str = "flag: cards
gates:
  - { name: errors, command: 'echo 0.05', max: 0.01 }
  - { name: latency, command: 'echo 0.3', max: 0.1, severity: warning }
stages:
  - { name: internal, percentage: 5 }
  - { name: beta, percentage: 10 }
";

/// A critical gate whose source errors at the first look and passes after (the command leaves a
/// file behind), and an info gate that fails.
const FLAKY: &str = "flag: cards
gates:
  - name: errors
    command: 'if [ -f seen ]; then echo 0.001; else touch seen; echo no route to upstream >&2; exit 2; fi'
    max: 0.01
  - { name: clicks, command: 'echo 0.01', min: 0.05, severity: info }
stages:
  - { name: internal, percentage: 5 }
  - { name: beta, percentage: 10 }
  - { name: full, percentage: 100 }
";

/// A project with `yaml` whose flag was started (forced past its gates) at DAY1.
fn started(yaml: &str) -> Project {
    let p = Project::new().file("stages.yaml", yaml);
    p.rollout([
        "advance", "internal", "--force", "--reason", "start", "--yes",
    ])
    .at(DAY1)
    .run();
    p
}

#[test]
fn watch_kills_on_a_critical_breach() {
    let p = started(BREACHED);
    snap(
        &p,
        "watch_kill",
        p.rollout(["watch", "--interval", "100ms"]).at(DAY1),
    );
    snap(
        &p,
        "watch_flag_killed",
        p.rollout(["watch", "--interval", "100ms"]).at(DAY1),
    );
    let json = started(BREACHED);
    snap(
        &json,
        "watch_kill_json",
        json.rollout(["watch", "--interval", "100ms", "--json"])
            .at(DAY1),
    );
    snap(
        &json,
        "watch_flag_killed_json",
        json.rollout(["watch", "--interval", "100ms", "--json"])
            .at(DAY1),
    );
}

#[test]
fn watch_rides_out_a_source_error_and_advances() {
    let p = started(FLAKY);
    std::fs::remove_file(p.path("seen")).unwrap();
    snap(
        &p,
        "watch_advance_until",
        p.rollout([
            "watch",
            "--interval",
            "100ms",
            "--advance",
            "--until",
            "beta",
        ])
        .at(DAY2),
    );
    let json = started(FLAKY);
    std::fs::remove_file(json.path("seen")).unwrap();
    snap(
        &json,
        "watch_advance_until_json",
        json.rollout([
            "watch",
            "--interval",
            "100ms",
            "--advance",
            "--until",
            "beta",
            "--json",
        ])
        .at(DAY2),
    );
    snap(
        &json,
        "watch_dry_run_refused",
        json.rollout(["watch", "--dry-run"]).at(DAY2),
    );
    snap(
        &json,
        "watch_unknown_until",
        json.rollout(["watch", "--until", "betta"]).at(DAY2),
    );
    snap(
        &json,
        "watch_advance_to_last_without_yes",
        json.rollout(["watch", "--advance"]).at(DAY2),
    );
}

#[test]
fn check_a_user_out_of_the_rollout() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    snap(
        &p,
        "check_out_of_rollout",
        p.rollout(["check", "user-3"]).at(DAY2),
    );
    snap(
        &p,
        "check_out_of_rollout_json",
        p.rollout(["check", "user-3", "--group", "nobody", "--json"])
            .at(DAY2),
    );
    let fresh = Project::new();
    snap(
        &fresh,
        "check_no_stages_yaml",
        fresh.rollout(["check", "user-3"]),
    );
}

/// A run that stopped between journaling its intent and its outcome: the journal ends with the
/// intent record a real `advance` wrote, its outcome record cut off.
#[test]
fn history_and_status_show_an_open_intent() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at(DAY1).run();
    let journal = p.read(".rollout/journal.jsonl");
    let mut lines: Vec<&str> = journal.lines().collect();
    assert_eq!(lines.len(), 2, "{journal}");
    assert!(lines[0].contains(r#""outcome":"intent""#), "{journal}");
    lines.pop();
    p.write(".rollout/journal.jsonl", &(lines.join("\n") + "\n"));
    snap(&p, "history_open_intent", p.rollout(["history"]));
    snap(
        &p,
        "history_open_intent_json",
        p.rollout(["history", "--json"]),
    );
    snap(&p, "status_open_intent", p.rollout(["status"]).at(DAY2));

    // A torn last line (a crash mid-append) is reported by line number and skipped.
    let torn = Project::builder_cards();
    torn.rollout(["advance"]).at(DAY1).run();
    let mut text = torn.read(".rollout/journal.jsonl");
    text.push_str(r#"{"time":"2024-01-16T09:00:00Z","actor":"tes"#);
    torn.write(".rollout/journal.jsonl", &text);
    snap(&torn, "history_torn_line", torn.rollout(["history"]));
    snap(
        &torn,
        "history_torn_line_json",
        torn.rollout(["history", "--json"]),
    );
}

#[test]
fn plan_power() {
    let p = Project::builder_cards();
    let figures = [
        "--traffic",
        "12000/h",
        "--baseline",
        "1%",
        "--max-increase",
        "0.5%",
    ];
    let with = |extra: &[&str]| {
        let mut args = vec!["plan", "--power"];
        args.extend_from_slice(&figures);
        args.extend_from_slice(extra);
        p.rollout(args).at(DAY1)
    };
    snap(&p, "plan_power", with(&[]));
    snap(&p, "plan_power_json", with(&["--json"]));
    snap(
        &p,
        "plan_power_without_figures",
        p.rollout(["plan", "--power"]).at(DAY1),
    );
    snap(
        &p,
        "plan_power_bad_traffic",
        p.rollout(["plan", "--power", "--traffic", "lots"]).at(DAY1),
    );
}

#[test]
fn schema_and_completions_print_the_committed_files() {
    let p = Project::new();
    prints_committed(
        p.rollout(["schema", "stages"]),
        "docs/schema/stages.schema.json",
    );
    prints_committed(
        p.rollout(["schema", "checklist", "--json"]),
        "docs/schema/checklist.schema.json",
    );
    prints_committed(
        p.rollout(["completions", "bash"]),
        "completions/rollout.bash",
    );
    prints_committed(
        p.checklist(["completions", "zsh"]),
        "completions/_checklist",
    );
    snap(&p, "schema_unknown_name", p.rollout(["schema", "stage"]));
    snap(&p, "completions_no_shell", p.checklist(["completions"]));
}

#[test]
fn http_and_launchdarkly_status() {
    let svc = crate::http_ref_server::Service::start(
        "search-v2",
        serde_json::json!({"algorithm": "flagd-fractional"}),
    );
    let p = Project::new().file(
        "stages.yaml",
        &format!(
            "flag: search-v2\nprovider:\n  kind: http\n  url: {}\nstages:\n  - {{ name: internal, percentage: 2, users: [dev-1] }}\n  - {{ name: beta, percentage: 12.5, groups: [beta-testers] }}\n",
            svc.url()
        ),
    );
    let http = |args: &[&str]| {
        p.rollout(args.to_vec())
            .env("ROLLOUT_HTTP_TOKEN", crate::http_ref_server::TOKEN)
    };
    http(&["advance"]).at(DAY1).run();
    snap_port(&p, "http_status", http(&["status"]).at(DAY2), svc.port);
    snap_port(
        &p,
        "http_status_json",
        http(&["status", "--json"]).at(DAY2),
        svc.port,
    );
    snap_port(
        &p,
        "http_status_without_token",
        p.rollout(["status"]).at(DAY2),
        svc.port,
    );

    let ld = crate::ld_server::Ld::start(vec![crate::ld_server::boolean_flag("new-checkout")]);
    ld.set_clock(DAY1);
    let q = Project::new().file(
        "stages.yaml",
        &format!(
            "flag: new-checkout\nprovider:\n  kind: launchdarkly\n  url: {}\n  project: web\n  environment: production\nstages:\n  - {{ name: internal, percentage: 1, users: [dev-1, dev-2] }}\n  - {{ name: beta, percentage: 12.5, groups: [beta-testers] }}\n",
            ld.url()
        ),
    );
    let launchdarkly = |args: &[&str]| {
        q.rollout(args.to_vec())
            .env("LD_ACCESS_TOKEN", crate::ld_server::TOKEN)
    };
    launchdarkly(&["advance"]).at(DAY1).run();
    snap_port(
        &q,
        "launchdarkly_status",
        launchdarkly(&["status"]).at(DAY2),
        ld.port,
    );
    snap_port(
        &q,
        "launchdarkly_status_json",
        launchdarkly(&["status", "--json"]).at(DAY2),
        ld.port,
    );
}

#[test]
fn checklist_errors() {
    let p = Project::with_checklist("release", RELEASE).file(
        "checklists/bad.yaml",
        "title: Bad\ntasks:\n  - name: a\n    run: [echo, 'unclosed\n",
    );
    snap(&p, "checklist_run_unknown", p.checklist(["run", "relase"]));
    snap(
        &p,
        "checklist_run_unknown_json",
        p.checklist(["run", "relase", "--json"]),
    );
    snap(
        &p,
        "checklist_show_unknown_json",
        p.checklist(["show", "relase", "--json"]),
    );
    snap(&p, "checklist_show_bad_yaml", p.checklist(["show", "bad"]));
    snap(&p, "checklist_validate_bad_yaml", p.checklist(["validate"]));
    snap(
        &p,
        "checklist_validate_bad_yaml_json",
        p.checklist(["validate", "--json"]),
    );
    snap(
        &p,
        "checklist_run_bad_yaml_json",
        p.checklist(["run", "bad", "--json"]),
    );
    snap(&p, "checklist_list_with_bad_yaml", p.checklist(["list"]));
    snap(
        &p,
        "checklist_list_with_bad_yaml_json",
        p.checklist(["list", "--json"]),
    );
    snap(&p, "checklist_run_bad_yaml", p.checklist(["run", "bad"]));
    snap(
        &p,
        "checklist_usage_unknown_flag",
        p.checklist(["run", "release", "--bogus"]),
    );
}
