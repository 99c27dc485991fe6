//! The `--json` documents of the commands, as typed structs (docs/json.md): one struct per
//! output, serialised in field order after `"schema": 1` (added by [`emit`]). A field changes
//! only where its struct does; the compatibility rule for `schema` is in docs/json.md.

pub mod checklist;
pub mod rollout;

use schemars::JsonSchema;
use serde::Serialize;

use crate::interface::output::Output;

/// Prints `doc` as the command's JSON document (with `"schema": 1` first).
pub fn emit<T: Serialize>(out: &Output, doc: &T) {
    out.json_doc(serde_json::to_value(doc).unwrap_or_default());
}

/// One file of `validate` (both binaries): ok with its count, or its problem lines.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FileCheck {
    pub path: String,
    pub ok: bool,
    /// The number of stages (stages.yaml only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stages: Option<usize>,
    /// The number of tasks (a checklist only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tasks: Option<usize>,
    /// The problems as printed without `--json`, one line each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<String>>,
}

impl FileCheck {
    #[must_use]
    pub fn stages(path: String, stages: usize) -> Self {
        FileCheck {
            path,
            ok: true,
            stages: Some(stages),
            tasks: None,
            errors: None,
        }
    }

    #[must_use]
    pub fn tasks(path: String, tasks: usize) -> Self {
        FileCheck {
            path,
            ok: true,
            stages: None,
            tasks: Some(tasks),
            errors: None,
        }
    }

    #[must_use]
    pub fn broken(path: String, message: &str) -> Self {
        FileCheck {
            path,
            ok: false,
            stages: None,
            tasks: None,
            errors: Some(message.lines().map(str::to_string).collect()),
        }
    }
}

/// `rollout validate`, `checklist validate`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Validate<'a> {
    pub ok: bool,
    pub files: &'a [FileCheck],
}

/// The documents with a published JSON Schema (`docs/schema/json/NAME.schema.json`), by name.
pub const DOCUMENTS: [&str; 19] = [
    "rollout-advance",
    "rollout-check",
    "rollout-gates",
    "rollout-history",
    "rollout-init",
    "rollout-kill",
    "rollout-plan",
    "rollout-plan-power",
    "rollout-preview",
    "rollout-resume",
    "rollout-rollback",
    "rollout-state-push",
    "rollout-state-status",
    "rollout-status",
    "rollout-validate",
    "rollout-watch",
    "checklist-list",
    "checklist-run",
    "checklist-show",
];

/// The JSON Schema of document `name` (one of [`DOCUMENTS`]; `checklist validate` has the
/// schema of `rollout-validate`), as pretty JSON with a final newline.
#[must_use]
pub fn schema_text(name: &str) -> Option<String> {
    let mut schema = match name {
        "rollout-advance" | "rollout-kill" | "rollout-resume" | "rollout-rollback" => {
            generate::<rollout::Change<'_>>()
        }
        "rollout-check" => generate::<rollout::Check<'_>>(),
        "rollout-gates" => generate::<rollout::Gates<'_>>(),
        "rollout-history" => generate::<rollout::History<'_>>(),
        "rollout-init" => generate::<rollout::Init<'_>>(),
        "rollout-plan" => generate::<rollout::Plan<'_>>(),
        "rollout-plan-power" => generate::<rollout::PlanPower<'_>>(),
        "rollout-preview" => generate::<rollout::Preview<'_>>(),
        "rollout-state-push" => generate::<rollout::StatePush<'_>>(),
        "rollout-state-status" => generate::<rollout::StateStatus<'_>>(),
        "rollout-status" => generate::<rollout::Status<'_>>(),
        "rollout-validate" => generate::<Validate<'_>>(),
        "rollout-watch" => generate::<rollout::Watch<'_>>(),
        "checklist-list" => generate::<checklist::List<'_>>(),
        "checklist-run" => generate::<checklist::Run<'_>>(),
        "checklist-show" => generate::<checklist::Show<'_>>(),
        _ => return None,
    };
    // `emit` puts `"schema": 1` first in every document.
    let obj = schema.as_object_mut()?;
    obj.insert("title".into(), serde_json::Value::from(name));
    if let Some(serde_json::Value::Object(props)) = obj.get_mut("properties") {
        let mut with = serde_json::Map::new();
        with.insert(
            "schema".into(),
            serde_json::json!({"description": "The document's format version (docs/json.md)", "const": 1}),
        );
        with.extend(std::mem::take(props));
        *props = with;
    }
    if let Some(serde_json::Value::Array(req)) = obj.get_mut("required") {
        req.insert(0, serde_json::Value::from("schema"));
    }
    let mut text = serde_json::to_string_pretty(&schema).ok()?;
    text.push('\n');
    Some(text)
}

fn generate<T: JsonSchema>() -> schemars::Schema {
    schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>()
}
