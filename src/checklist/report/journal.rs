//! The journal record of a checklist run, beside flag changes in `.rollout/journal.jsonl`
//! (`rollout history` shows both).

use serde_json::{json, Value};

use super::{ChecklistReport, RunReport};

/// One record per checklist that ran: who, when, and each task's outcome and duration.
#[must_use]
pub fn record(report: &RunReport, c: &ChecklistReport) -> Value {
    json!({
        "time": report.time,
        "actor": report.actor,
        "action": "checklist",
        "checklist": c.name,
        "run_id": report.run_id,
        "resumed": report.resumed,
        "outcome": c.status.label(),
        "counts": c.counts(),
        // The note says how a manual task was confirmed (by whom, or with --yes) or why a
        // task failed or was skipped.
        "tasks": c.results.iter().map(|r| {
            let mut t = json!({"id": r.id, "outcome": r.outcome, "duration_ms": r.duration_ms});
            if let Some(note) = &r.note {
                t["note"] = json!(note);
            }
            t
        }).collect::<Vec<_>>(),
    })
}

/// Appends one record per checklist that ran.
pub fn append(dir: &std::path::Path, report: &RunReport) -> crate::error::Result<()> {
    for c in report.checklists.iter().filter(|c| c.started) {
        crate::journal::append(dir, &record(report, c))?;
    }
    Ok(())
}
