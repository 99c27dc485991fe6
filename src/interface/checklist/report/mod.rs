//! What a finished run writes: the closing line, `--json`, `--junit`, the journal record and the
//! GitHub step summary, each built from the same [`RunReport`].

pub mod github_summary;
pub mod journal;
pub mod json;
pub mod junit;

use std::time::Duration;

use crate::domain::checklist::result::{Counts, RunStatus, TaskResult};

/// One checklist of a run.
#[derive(Debug, Clone)]
pub struct ChecklistReport {
    pub name: String,
    pub title: String,
    pub file: String,
    /// It ran (it was not left out after an earlier checklist failed).
    pub started: bool,
    pub status: RunStatus,
    pub results: Vec<TaskResult>,
}

impl ChecklistReport {
    #[must_use]
    pub fn counts(&self) -> Counts {
        Counts::of(&self.results)
    }
}

/// A whole `checklist run`.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub run_id: Option<String>,
    pub actor: String,
    pub time: chrono::DateTime<chrono::Utc>,
    pub dry_run: bool,
    pub resumed: bool,
    pub status: RunStatus,
    pub duration: Duration,
    pub checklists: Vec<ChecklistReport>,
}

impl RunReport {
    #[must_use]
    pub fn counts(&self) -> Counts {
        Counts::of(self.checklists.iter().flat_map(|c| c.results.iter()))
    }
}

/// `1.2s`, `12s`, `3m 05s`.
#[must_use]
pub fn seconds(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 10_000 {
        format!("{:.1}s", d.as_secs_f64())
    } else if ms < 60_000 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}m {:02}s", d.as_secs() / 60, d.as_secs() % 60)
    }
}
