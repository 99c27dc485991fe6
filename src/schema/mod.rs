//! JSON Schemas of the file formats (`stages.yaml`, `checklists/*.yaml`), derived from the format
//! structs in [`stages`] and [`checklist`]: what editors complete and check through the
//! `# yaml-language-server: $schema=...` line `rollout init` writes (docs/schema.md).
//!
//! The reader (`config`, `checklist::file`) keeps positions and reports every problem at once; its
//! known-key lists are checked against these structs by the tests below, so a key added to one and
//! not the other fails the build's tests.

pub mod checklist;
pub mod reference;
pub mod stages;

use schemars::{generate::SchemaSettings, JsonSchema, Schema};

/// The files with a schema, by the name `rollout schema NAME` takes.
pub const NAMES: [&str; 2] = ["stages", "checklist"];

/// Where `rollout init` writes the schemas, relative to the project directory.
pub const DIR: &str = ".rollout/schema";

/// The schema's file name: `stages.schema.json`.
#[must_use]
pub fn file_name(name: &str) -> String {
    format!("{name}.schema.json")
}

/// The schema of `name` (one of [`NAMES`]) as pretty JSON with a final newline, or `None`.
#[must_use]
pub fn text(name: &str) -> Option<String> {
    let schema = match name {
        "stages" => generate::<stages::StagesFile>(),
        "checklist" => generate::<checklist::ChecklistFile>(),
        _ => return None,
    };
    let mut text = serde_json::to_string_pretty(&schema).ok()?;
    text.push('\n');
    Some(text)
}

/// The first line of a file `rollout init` writes, pointing editors (the YAML language server)
/// at the schema `rollout init` writes beside it; `to_dir` is the path from the file to the
/// project directory ("" for stages.yaml, "../" for a checklist).
#[must_use]
pub fn modeline(name: &str, to_dir: &str) -> String {
    format!(
        "# yaml-language-server: $schema={to_dir}{DIR}/{}\n",
        file_name(name)
    )
}

/// Writes every schema into `dir/.rollout/schema/` (replacing older copies: they are generated),
/// or says what it would write.
pub fn write_into(
    dir: &std::path::Path,
    dry_run: bool,
    out: &crate::output::Output,
) -> crate::error::Result<()> {
    let root = dir.join(DIR);
    for name in NAMES {
        let path = root.join(file_name(name));
        if dry_run {
            out.data(&format!("dry run: would write {}", path.display()));
            continue;
        }
        let text = text(name).unwrap_or_default();
        std::fs::create_dir_all(&root)
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|e| {
                crate::error::Error::failed(format!("cannot write {}: {e}", path.display()))
            })?;
        out.data(&format!("wrote {}", path.display()));
    }
    Ok(())
}

fn generate<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::text;

    /// The property names of the object at `pointer` in the `name` schema (following one `$ref`).
    fn keys(name: &str, pointer: &str) -> BTreeSet<String> {
        let root: Value = serde_json::from_str(&text(name).unwrap()).unwrap();
        let mut node = root.pointer(pointer).unwrap_or_else(|| panic!("{pointer}"));
        if let Some(r) = node.get("$ref").and_then(Value::as_str) {
            node = root.pointer(r.trim_start_matches('#')).unwrap();
        }
        // `Option<Struct>` becomes `anyOf: [{$ref}, {type: null}]`.
        if let Some(any) = node.get("anyOf").and_then(Value::as_array) {
            let r = any
                .iter()
                .find_map(|s| s.get("$ref").and_then(Value::as_str))
                .unwrap();
            node = root.pointer(r.trim_start_matches('#')).unwrap();
        }
        node["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("no properties at {pointer}: {node}"))
            .keys()
            .cloned()
            .collect()
    }

    fn set(keys: &[&str]) -> BTreeSet<String> {
        keys.iter().map(|k| (*k).to_string()).collect()
    }

    #[test]
    fn the_stages_schema_has_exactly_the_keys_the_reader_accepts() {
        use crate::config::keys as k;
        let s = "stages";
        assert_eq!(keys(s, ""), set(&k::TOP_KEYS));
        assert_eq!(keys(s, "/properties/provider"), set(&k::PROVIDER_KEYS));
        assert_eq!(
            keys(s, "/properties/environments/additionalProperties"),
            set(&crate::config::ProviderOverrides::KEYS)
        );
        assert_eq!(keys(s, "/properties/stages/items"), set(&k::STAGE_KEYS));
        // `url` is known to the reader only to refuse it (webhook URLs hold tokens).
        let mut notify = set(&k::NOTIFY_KEYS);
        assert!(notify.remove("url"));
        assert_eq!(keys(s, "/properties/notify/items"), notify);
        assert_eq!(keys(s, "/properties/defaults"), set(&k::DEFAULTS_KEYS));
        assert_eq!(
            keys(s, "/$defs/DefaultsPrometheus"),
            set(&k::DEFAULTS_PROMETHEUS_KEYS)
        );
        assert_eq!(
            keys(s, "/$defs/DefaultsDatadog"),
            set(&k::DEFAULTS_DATADOG_KEYS)
        );
        assert_eq!(keys(s, "/properties/gates/items"), set(&k::GATE_KEYS));
        assert_eq!(keys(s, "/$defs/PrometheusSource"), set(&k::PROMETHEUS_KEYS));
        assert_eq!(keys(s, "/$defs/DatadogSource"), set(&k::DATADOG_KEYS));
        assert_eq!(keys(s, "/$defs/HttpSource"), set(&k::HTTP_KEYS));
        assert_eq!(keys(s, "/$defs/Compare"), set(&k::COMPARE_KEYS));
        // Every provider kind's keys are provider keys.
        for kind in crate::config::ProviderKind::NAMES {
            let kind = crate::config::ProviderKind::parse(kind).unwrap();
            for key in kind.keys() {
                assert!(k::PROVIDER_KEYS.contains(key), "{kind}: {key}");
            }
        }
    }

    #[test]
    fn the_checklist_schema_has_exactly_the_keys_the_reader_accepts() {
        use crate::checklist::file::keys as k;
        assert_eq!(keys("checklist", ""), set(&k::TOP_KEYS));
        assert_eq!(
            keys("checklist", "/properties/tasks/items"),
            set(&k::TASK_KEYS)
        );
    }

    #[test]
    fn the_provider_kinds_and_enums_match_the_reader() {
        let root: Value = serde_json::from_str(&text("stages").unwrap()).unwrap();
        // An enum is `enum: [...]`, or `oneOf: [{const}]` when its variants have descriptions.
        let names = |def: &str| -> Vec<String> {
            let d = &root["$defs"][def];
            match d.get("enum") {
                Some(e) => e.as_array().unwrap().clone(),
                None => d["oneOf"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v["const"].clone())
                    .collect(),
            }
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
        };
        assert_eq!(
            names("ProviderKindName"),
            crate::config::ProviderKind::NAMES
        );
        assert_eq!(names("SeverityName"), crate::config::Severity::NAMES);
        assert_eq!(names("ReduceName"), crate::config::Reduce::NAMES);
    }
}
