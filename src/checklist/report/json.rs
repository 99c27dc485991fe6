//! The `--json` document of `checklist run`.

use serde_json::{json, Value};

use super::RunReport;

#[must_use]
pub fn document(report: &RunReport) -> Value {
    let counts = report.counts();
    json!({
        "run_id": report.run_id,
        "actor": report.actor,
        "time": report.time,
        "dry_run": report.dry_run,
        "resumed": report.resumed,
        "outcome": report.status.label(),
        "exit_code": report.status.exit_code(),
        "duration_ms": u64::try_from(report.duration.as_millis()).unwrap_or(u64::MAX),
        "counts": counts,
        "summary": counts.line(),
        "checklists": report.checklists.iter().map(|c| json!({
            "name": c.name,
            "title": c.title,
            "file": c.file,
            "started": c.started,
            "outcome": c.status.label(),
            "counts": c.counts(),
            "tasks": c.results,
        })).collect::<Vec<_>>(),
    })
}
