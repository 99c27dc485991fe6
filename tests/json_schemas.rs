//! The JSON Schemas of the `--json` documents (docs/schema/json/, derived from the typed structs
//! in src/interface/json_out/): committed and fresh, and every real document of both binaries follows its
//! schema (so a schema cannot drift from what the commands print).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::test::{Project, Test};

fn committed(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("docs/schema/json/{name}.schema.json"))
}

#[test]
fn the_committed_output_schemas_are_fresh() {
    let write = std::env::var_os("ROLLOUT_WRITE_SCHEMAS").is_some();
    for name in rollout::interface::json_out::DOCUMENTS {
        let text = rollout::interface::json_out::schema_text(name).unwrap();
        if write {
            std::fs::create_dir_all(committed(name).parent().unwrap()).unwrap();
            std::fs::write(committed(name), &text).unwrap();
        }
        let on_disk = std::fs::read_to_string(committed(name)).unwrap_or_default();
        assert!(
            on_disk == text,
            "docs/schema/json/{name}.schema.json is stale: run scripts/gen-schemas"
        );
    }
}

/// `doc` (a command's whole stdout) checked against the committed schema `name`.
fn follows(name: &str, stdout: &str) {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(committed(name)).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let doc: Value = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{name}: {e}"));
    let problems: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        problems.is_empty(),
        "{name}:\n{}\n{stdout}",
        problems.join("\n")
    );
}

const CHECKLIST: &str = "title: Release
tasks:
  - { name: Build, run: 'echo built', timeout: 5m }
  - { name: Env, require_env: [HOME] }
  - { name: Lint, run: 'exit 3', allow_failure: true }
";

/// A command's `--json` stdout, whatever its exit status.
type Json<'a> = &'a dyn Fn(&[&str]) -> String;

#[test]
fn every_document_follows_its_schema() {
    let p = Project::builder_cards().file("checklists/release.yaml", CHECKLIST);
    let at = "2024-01-15T09:00:00Z";
    let json = |args: &[&str]| {
        let mut all = args.to_vec();
        all.push("--json");
        p.rollout(all).at(at).any_status().run().stdout
    };
    follows("rollout-status", &json(&["status"]));
    follows("rollout-plan", &json(&["plan"]));
    follows("rollout-advance", &json(&["advance", "--dry-run"]));
    follows("rollout-advance", &json(&["advance"]));
    follows("rollout-status", &json(&["status"]));
    follows("rollout-plan", &json(&["plan"]));
    follows(
        "rollout-check",
        &json(&["check", "user-1", "--group", "internal"]),
    );
    gate_documents(at);
    plan_power_documents(at, &json);
    p.write("ids.txt", "u1\nu2\nu3\nu4\n");
    follows("rollout-preview", &json(&["preview", "--users", "ids.txt"]));
    follows(
        "rollout-preview",
        &json(&["preview", "--users", "ids.txt", "--ids"]),
    );
    follows("rollout-kill", &json(&["kill", "--reason", "spike"]));
    follows(
        "rollout-resume",
        &json(&["resume", "--yes", "--reason", "ok"]),
    );
    follows(
        "rollout-advance",
        &json(&["advance", "beta", "--force", "--reason", "test", "--yes"]),
    );
    follows("rollout-rollback", &json(&["rollback", "--dry-run"]));
    follows("rollout-rollback", &json(&["rollback"]));
    follows("rollout-validate", &json(&["validate"]));
    init_documents();
    let checklist = |args: &[&str]| checklist_json(&p, at, args);
    follows("checklist-list", &checklist(&["list"]));
    follows("checklist-show", &checklist(&["show", "release"]));
    follows("rollout-validate", &checklist(&["validate"]));
    follows("checklist-run", &checklist(&["run", "release", "--yes"]));
    follows(
        "checklist-run",
        &checklist(&["run", "release", "--dry-run"]),
    );
    follows("rollout-history", &json(&["history"]));

    the_status_schema_has_teeth(&json(&["status"]));

    // A broken file: validate's errors, and list's broken entry.
    p.write(
        "checklists/broken.yaml",
        "tasks: [{ name: A, timout: 5s }]\n",
    );
    follows("rollout-validate", &json(&["validate"]));
    follows("checklist-list", &checklist(&["list"]));
}

/// `checklist ARGS --json` in the project `p` at `at`: its stdout, whatever its exit status.
fn checklist_json(p: &Project, at: &str, args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.push("--json");
    Test::new(env!("CARGO_BIN_EXE_checklist"), p.dir.path(), all)
        .at(at)
        .any_status()
        .run()
        .stdout
}

/// `gates` and `status` of a project with command gates.
fn gate_documents(at: &str) {
    let gated = Project::new().file(
        "stages.yaml",
        "flag: f\ngates:\n  - { name: up, command: 'echo 3', max: 5 }\n  - { name: sh, command: 'true', severity: info }\nstages: [{ name: a, percentage: 5 }, { name: b, percentage: 50 }]\n",
    );
    let done = gated.rollout(["gates", "--json"]).at(at).run();
    follows("rollout-gates", &done.stdout);
    let done = gated.rollout(["status", "--json"]).at(at).run();
    follows("rollout-status", &done.stdout);
}

/// `plan --power` with the figures given (through `json`), and for stages that differ.
fn plan_power_documents(at: &str, json: Json) {
    follows(
        "rollout-plan-power",
        &json(&[
            "plan",
            "--power",
            "--traffic",
            "12000/h",
            "--baseline",
            "1%",
            "--max-increase",
            "0.5%",
        ]),
    );
    // Stages that differ: per-stage figures, null shared ones, a stage without a compare gate.
    let differing = Project::new().file(
        "stages.yaml",
        "flag: f\ndefaults:\n  prometheus: { url: 'http://127.0.0.1:9' }\ngates:\n  - name: cmp\n    prometheus:\n      errors: 'e{variant=\"{variant}\"}'\n      total: 't{variant=\"{variant}\"}'\n    compare: { max_increase: 0.005, alpha: 0.01 }\nstages:\n  - { name: a, percentage: 5, gates: [] }\n  - { name: b, percentage: 20, duration: 1d }\n",
    );
    let done = differing
        .rollout([
            "plan",
            "--power",
            "--json",
            "--traffic",
            "12000/h",
            "--baseline",
            "1%",
        ])
        .at(at)
        .run();
    assert!(
        done.stdout.contains("\"compare_gate\": false"),
        "{}",
        done.stdout
    );
    assert!(done.stdout.contains("\"alpha\": 0.01"), "{}", done.stdout);
    follows("rollout-plan-power", &done.stdout);
}

/// `init --dry-run` and `init` in an empty directory.
fn init_documents() {
    let fresh = Project::new();
    let done = fresh.rollout(["init", "--dry-run", "--json"]).run();
    follows("rollout-init", &done.stdout);
    let done = fresh.rollout(["init", "--json"]).run();
    follows("rollout-init", &done.stdout);
}

/// The schema has teeth: the `status` document with a field missing or retyped fails it.
fn the_status_schema_has_teeth(status: &str) {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(committed("rollout-status")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut doc: Value = serde_json::from_str(status).unwrap();
    assert!(validator.is_valid(&doc));
    doc.as_object_mut().unwrap().remove("killed");
    assert!(!validator.is_valid(&doc));
    let mut doc: Value = serde_json::from_str(status).unwrap();
    doc["percentage"] = Value::from("5%");
    assert!(!validator.is_valid(&doc));
    doc["percentage"] = Value::from(5);
    doc["schema"] = Value::from(2);
    assert!(!validator.is_valid(&doc));
}
