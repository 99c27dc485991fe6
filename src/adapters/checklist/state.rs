//! A run's state under `.rollout/checklists/<run-id>/`: `state.json` (which tasks the run took
//! and how each ended, saved as tasks end and when the run stops) and one log per task.
//! `--resume` reads the newest unfinished state of the same checklists and carries on.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::checklist::result::TaskResult;
use crate::domain::checklist::select::Prior;
use crate::domain::config::STATE_DIR;
use crate::domain::error::{Error, Result};

pub const RUNS_DIR: &str = "checklists";
const STATE_FILE: &str = "state.json";

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Running,
    Passed,
    Failed,
    Interrupted,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StateTask {
    pub checklist: String,
    pub id: String,
    pub selected: bool,
    pub result: Option<TaskResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunState {
    pub run_id: String,
    pub started: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub actor: String,
    pub status: Status,
    pub checklists: Vec<String>,
    pub tasks: Vec<StateTask>,
}

impl RunState {
    /// The earlier results, for [`crate::domain::checklist::select::resume`].
    #[must_use]
    pub fn priors(&self) -> Vec<Prior> {
        self.tasks
            .iter()
            .map(|t| Prior {
                checklist: t.checklist.clone(),
                id: t.id.clone(),
                selected: t.selected,
                result: t.result.clone(),
            })
            .collect()
    }
}

/// `.rollout/checklists/` of the project in `dir`.
#[must_use]
pub fn runs_dir(dir: &Path) -> PathBuf {
    dir.join(STATE_DIR).join(RUNS_DIR)
}

/// `.rollout/checklists/<run-id>/`.
#[must_use]
pub fn run_dir(dir: &Path, run_id: &str) -> PathBuf {
    runs_dir(dir).join(run_id)
}

/// A new run id: its start time (so ids sort by age) and the process id.
#[must_use]
pub fn new_run_id(now: DateTime<Utc>) -> String {
    format!("{}-{}", now.format("%Y%m%dT%H%M%S%3fZ"), std::process::id())
}

/// Writes the state atomically: a reader or a crash sees the old state or the new one, and the
/// new one is on disk (file and directory synced) before the next task starts.
pub fn save(dir: &Path, state: &RunState) -> Result<()> {
    let run = run_dir(dir, &state.run_id);
    let fail = |e: std::io::Error| {
        Error::failed(format!(
            "cannot write the run state in {}: {e}",
            run.display()
        ))
    };
    std::fs::create_dir_all(&run).map_err(fail)?;
    let encode = |e: serde_json::Error| Error::failed(format!("cannot encode the run state: {e}"));
    // .rollout/ never holds secrets: task notes and output tails are hidden once more here, the
    // one place the state is written, whatever wrote them.
    let mut value = serde_json::to_value(state).map_err(encode)?;
    crate::domain::secrets::redact::scrub_json(&mut value);
    let text = serde_json::to_vec(&value).map_err(encode)?;
    // A warning (the owner could not be kept, the directory not synced) leaves the new state
    // in place: the run goes on.
    crate::adapters::atomic_write::replace(&run.join(STATE_FILE), &text).map_err(fail)?;
    Ok(())
}

/// The newest run of exactly `names` (any run when `names` is empty), if it is unfinished.
/// A newest run that passed means there is nothing to resume.
pub fn latest_unfinished(dir: &Path, names: &[String]) -> Result<Option<RunState>> {
    let root = runs_dir(dir);
    let Ok(entries) = std::fs::read_dir(&root) else {
        return Ok(None);
    };
    let mut ids: Vec<String> = entries
        .flatten()
        .filter(|e| e.path().join(STATE_FILE).is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    for id in ids.iter().rev() {
        let path = root.join(id).join(STATE_FILE);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(state) = serde_json::from_str::<RunState>(&text) else {
            continue;
        };
        if !names.is_empty() && state.checklists != names {
            continue;
        }
        return Ok((state.status != Status::Passed).then_some(state));
    }
    Ok(None)
}
