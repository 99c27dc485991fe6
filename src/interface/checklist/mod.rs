//! `checklist` on the terminal and in files: progress while a run goes, the questions of manual
//! tasks, the reports written after a run (`--junit`, `--json`, the journal,
//! `$GITHUB_STEP_SUMMARY`) and the starter checklists `rollout init` writes.

pub mod manual;
pub mod progress;
pub mod report;
pub mod rollout;
pub mod starter;
