//! The `--json` documents of `checklist` (docs/json.md "checklist").

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Serialize;

/// `checklist list`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct List<'a> {
    pub dir: &'a std::path::Path,
    pub checklists: &'a [ListEntry],
}

/// One checklist of `list`; `title`, `tasks` and `manual` only when it is valid.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ListEntry {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tasks: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manual: Option<usize>,
    pub file: PathBuf,
    pub ok: bool,
}

/// `checklist show NAME`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Show<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub file: PathBuf,
    pub tasks: Vec<ShowTask<'a>>,
}

/// One task of `show`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ShowTask<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub does: String,
    pub timeout: Option<String>,
    pub retries: u32,
    pub allow_failure: bool,
    pub parallel: bool,
}

/// `checklist run` (also `--dry-run` and `--resume`).
#[derive(Debug, Serialize, JsonSchema)]
pub struct Run<'a> {
    pub run_id: Option<&'a str>,
    pub actor: &'a str,
    pub time: chrono::DateTime<chrono::Utc>,
    pub dry_run: bool,
    pub resumed: bool,
    pub outcome: &'a str,
    pub exit_code: i32,
    pub duration_ms: u64,
    pub counts: Counts,
    /// The counts for people.
    pub summary: String,
    pub checklists: Vec<RunChecklist<'a>>,
}

/// One checklist of `run`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RunChecklist<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub file: &'a str,
    pub started: bool,
    pub outcome: &'a str,
    pub counts: Counts,
    pub tasks: &'a [TaskResult],
}

use crate::domain::checklist::result::{Counts, TaskResult};
