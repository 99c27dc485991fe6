//! The `--json` documents of the commands, as typed structs (docs/json.md): one struct per
//! output, serialised in field order after `"schema": 1` (added by [`emit`]). A field changes
//! only where its struct does; the compatibility rule for `schema` is in docs/json.md.

pub mod checklist;
pub mod rollout;

use serde::Serialize;

use crate::output::Output;

/// Prints `doc` as the command's JSON document (with `"schema": 1` first).
pub fn emit<T: Serialize>(out: &Output, doc: &T) {
    out.json_doc(serde_json::to_value(doc).unwrap_or_default());
}

/// One file of `validate` (both binaries): ok with its count, or its problem lines.
#[derive(Debug, Serialize)]
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
#[derive(Debug, Serialize)]
pub struct Validate<'a> {
    pub ok: bool,
    pub files: &'a [FileCheck],
}
