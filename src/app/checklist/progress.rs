//! What a run reports as it goes: the runner sends every task's start, output lines and end to
//! one [`Progress`]; the interface chooses and draws it (spinners, plain lines, GitHub groups).

use crate::domain::checklist::result::TaskResult;
use crate::domain::checklist::task::Task;
use crate::domain::checklist::Checklist;

/// Receives a run's events. Tasks of a parallel group report concurrently, so `key` (unique per
/// task in the run) says which task a line belongs to; each reporter keeps tasks' output apart.
pub trait Progress {
    fn checklist_started(&self, checklist: &Checklist, resumed: bool);
    fn task_started(&self, key: usize, task: &Task);
    fn task_line(&self, key: usize, line: &str);
    fn task_finished(&self, key: usize, task: &Task, result: &TaskResult);
    /// A line of context (dry-run descriptions, skipped tasks).
    fn note(&self, text: &str);
}
