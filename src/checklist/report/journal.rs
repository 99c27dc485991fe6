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
        "tasks": c.results.iter().map(|r| json!({
            "id": r.id,
            "outcome": r.outcome,
            "duration_ms": r.duration_ms,
        })).collect::<Vec<_>>(),
    })
}

/// Appends one record per checklist that ran.
pub fn append(dir: &std::path::Path, report: &RunReport) -> crate::error::Result<()> {
    for c in report.checklists.iter().filter(|c| c.started) {
        crate::journal::append(dir, &record(report, c))?;
    }
    Ok(())
}
