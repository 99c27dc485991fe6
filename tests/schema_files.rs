//! The JSON Schemas of stages.yaml and checklists: committed (and fresh), printed by
//! `rollout schema`, written by `rollout init` with the editor line, and in agreement with the
//! files this repository ships and with `rollout validate`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::test::Project;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A YAML file as JSON, through the project's own YAML reader: plain scalars that read as
/// null, booleans or numbers become those (as the reader takes them); everything else is text.
fn yaml_to_json(source: &str) -> Value {
    fn node(n: &rollout::domain::yaml::Node) -> Value {
        use rollout::domain::yaml::Value as Y;
        match &n.value {
            Y::Scalar { .. } if n.is_null() => Value::Null,
            Y::Scalar { text, plain: true } => match text.as_str() {
                "true" | "True" | "TRUE" => Value::Bool(true),
                "false" | "False" | "FALSE" => Value::Bool(false),
                t => t
                    .parse::<i64>()
                    .map(Value::from)
                    .ok()
                    .or_else(|| t.parse::<f64>().ok().map(Value::from))
                    .unwrap_or_else(|| Value::String(t.to_string())),
            },
            Y::Scalar { text, .. } => Value::String(text.clone()),
            Y::Seq(items) => Value::Array(items.iter().map(node).collect()),
            Y::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.text.clone(), node(v)))
                    .collect(),
            ),
        }
    }
    node(&rollout::domain::yaml::parse(source).expect("YAML"))
}

/// The schema problems of `yaml` against the committed `name` schema, one a line.
fn problems(name: &str, yaml: &str) -> Vec<String> {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo(&format!("docs/schema/{name}.schema.json"))).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let instance = yaml_to_json(yaml);
    validator
        .iter_errors(&instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn the_committed_schemas_are_what_rollout_schema_prints() {
    let p = Project::new();
    for name in ["stages", "checklist"] {
        let printed = p.rollout(["schema", name]).run().stdout;
        let committed =
            std::fs::read_to_string(repo(&format!("docs/schema/{name}.schema.json"))).unwrap();
        assert!(
            printed == committed,
            "docs/schema/{name}.schema.json is stale: run scripts/gen-schemas"
        );
        let v: Value = serde_json::from_str(&printed).unwrap();
        assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
    }
    p.rollout(["schema", "nope"]).status(2).run();
}

#[test]
fn the_repositorys_own_files_follow_the_schemas() {
    let mut files: Vec<(String, &str)> = vec![
        ("stages.yaml".into(), "stages"),
        ("examples/builder-cards/stages.yaml".into(), "stages"),
    ];
    for dir in ["checklists", "examples/builder-cards/checklists"] {
        let mut names: Vec<_> = std::fs::read_dir(repo(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml"))
            .collect();
        names.sort();
        assert!(!names.is_empty(), "{dir}");
        for n in names {
            files.push((format!("{dir}/{n}"), "checklist"));
        }
    }
    for (file, schema) in &files {
        let text = std::fs::read_to_string(repo(file)).unwrap();
        let found = problems(schema, &text);
        assert!(found.is_empty(), "{file}:\n{}", found.join("\n"));
    }
}

/// Every key of the format, written once, passes both; a key the reader refuses is refused by
/// the schema too.
#[test]
fn the_schemas_and_rollout_validate_agree() {
    let full = "flag: f
provider: { kind: launchdarkly, url: 'https://app.launchdarkly.com', token_env: LD_TOKEN, project: p, environment: production }
environments:
  staging: { environment: test }
defaults:
  prometheus: { url: 'http://127.0.0.1:9090' }
  datadog: { site: datadoghq.eu, api_key_env: DD_API, app_key_env: DD_APP }
gates:
  - { name: errors, prometheus: { query: 'sum(rate(x[5m]))' }, max: 0.01, for: 5m, severity: warning }
  - { name: cmp, prometheus: { errors: 'e{variant}[{window}]', total: 't{variant}[{window}]' }, compare: { max_increase: 0.005, alpha: 0.05 } }
  - { name: dd, datadog: { query: 'avg:x{*}', window: 10m, reduce: max }, min: 1, severity: info }
  - { name: hz, http: { url: 'http://127.0.0.1/healthz', expect_status: 200, pointer: /ms }, max: 300 }
  - { name: sh, command: 'true' }
stages:
  - { name: internal, percentage: 0.5, groups: [dev], users: u1, start: 2024-01-15, duration: 3d, gates: [errors] }
  - { name: half, percentage: 50%, gates: [] }
  - { name: full, percentage: 100 }
notify:
  - url_env: SLACK_WEBHOOK_URL
";
    assert_eq!(problems("stages", full), Vec::<String>::new());
    let p = Project::new()
        .file("stages.yaml", full)
        .file(
            "checklists/all.yaml",
            "title: All
description: every key
tasks:
  - { name: Tests, id: tests, run: 'true', timeout: 5m, retries: 2, allow_failure: true, parallel: true }
  - { name: Ask, manual: Look at it. }
  - { name: Env, require_env: [HOME] }
  - { name: Up, rollout: advance internal }
  - { name: Gate, gate: errors }
",
        );
    assert_eq!(
        problems("checklist", &p.read("checklists/all.yaml")),
        Vec::<String>::new()
    );
    p.rollout(["validate"]).status(0).run();

    for (schema, bad) in [
        ("stages", "flag: f\nstages: [{ name: a, percentage: 5, duraton: 3d }]\n"),
        ("stages", "flag: f\nprovider: { kind: consul }\nstages: [{ name: a, percentage: 5 }]\n"),
        ("stages", "flag: f\nnotify: [{ url: 'https://hooks.example.com/x' }]\nstages: [{ name: a, percentage: 5 }]\n"),
        ("stages", "flag: f\nstages: [{ name: a, percentage: 150 }]\n"),
        ("stages", "flag: f\nstages: [{ name: a, percentage: five }]\n"),
        ("stages", "flag: f\nstages: []\n"),
        ("stages", "stages: [{ name: a, percentage: 5 }]\n"),
        ("checklist", "tasks: [{ name: A, run: 'true', timout: 5s }]\n"),
        ("checklist", "tasks: [{ name: A, run: 'true', retries: 21 }]\n"),
        ("checklist", "tasks: [{ name: A, id: 'Has Space', run: 'true' }]\n"),
    ] {
        assert!(!problems(schema, bad).is_empty(), "the schema passed {bad}");
        let p = Project::new();
        let file = if schema == "stages" {
            p.write("stages.yaml", bad);
            "stages.yaml"
        } else {
            p.write("stages.yaml", "flag: f\nstages: [{ name: a, percentage: 5 }]\n");
            p.write("checklists/c.yaml", bad);
            "checklists/c.yaml"
        };
        p.rollout(["validate"]).status(2).stderr_has(file).run();
    }
}

#[test]
fn init_writes_the_schemas_and_the_editor_line() {
    let p = Project::new();
    p.rollout(["init", "--flag", "checkout-v2"]).run();
    assert!(p
        .read("stages.yaml")
        .starts_with("# yaml-language-server: $schema=.rollout/schema/stages.schema.json\n"));
    let checklist = p.read("checklists/pre-deployment.yaml");
    assert!(checklist
        .starts_with("# yaml-language-server: $schema=../.rollout/schema/checklist.schema.json\n"));
    for name in ["stages", "checklist"] {
        // Both relative paths resolve to the schema the binary prints.
        let written = p.read(&format!(".rollout/schema/{name}.schema.json"));
        assert_eq!(written, p.rollout(["schema", name]).run().stdout);
    }
    assert_eq!(
        problems("stages", &p.read("stages.yaml")),
        Vec::<String>::new()
    );
    for name in ["pre-deployment", "deployment", "post-deployment"] {
        let text = p.read(&format!("checklists/{name}.yaml"));
        assert_eq!(problems("checklist", &text), Vec::<String>::new(), "{name}");
    }
    p.rollout(["validate"]).status(0).run();
}

/// docs/reference/NAME.md are rendered from the schemas (every key, type, default and
/// description); `ROLLOUT_WRITE_SCHEMAS=1` (scripts/gen-schemas) rewrites them.
#[test]
fn the_committed_reference_pages_are_fresh() {
    let write = std::env::var_os("ROLLOUT_WRITE_SCHEMAS").is_some();
    for name in rollout::domain::schema::NAMES {
        let page = rollout::domain::schema::reference::markdown(name).unwrap();
        let path = repo(&format!("docs/reference/{name}.md"));
        if write {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &page).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == page,
            "docs/reference/{name}.md is stale: run scripts/gen-schemas"
        );
    }
}
