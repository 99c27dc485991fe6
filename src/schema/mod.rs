//! JSON Schemas of the file formats (`stages.yaml`, `checklists/*.yaml`), derived from the format
//! structs in [`stages`] and [`checklist`]: what editors complete and check through the
//! `# yaml-language-server: $schema=...` line `rollout init` writes (docs/schema.md).
//!
//! The reader (`config`, `checklist::file`) keeps positions and reports every problem at once; the
//! keys it accepts in each mapping are these structs' fields ([`keys::Keys`]), and the defaults
//! the schemas publish are the constants the reader applies.

pub mod checklist;
pub mod keys;
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
    use serde_json::Value;

    use super::keys::Keys;
    use super::text;

    /// The reader's keys are the structs' (`keys`); what it adds of its own is only the keys each
    /// provider kind reads, which must be format keys.
    #[test]
    fn every_provider_kinds_keys_are_format_keys() {
        for kind in crate::config::ProviderKind::NAMES {
            let kind = crate::config::ProviderKind::parse(kind).unwrap();
            for key in kind.keys() {
                assert!(
                    super::stages::Provider::keys().contains(key),
                    "{kind}: {key}"
                );
            }
        }
        let mut overrides = vec!["kind"];
        overrides.extend(super::stages::ProviderOverrides::keys());
        assert_eq!(super::stages::Provider::keys(), overrides);
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
