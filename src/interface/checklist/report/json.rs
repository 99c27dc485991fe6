//! The `--json` document of `checklist run` (its type: `json_out::checklist::Run`).

use serde_json::Value;

use super::RunReport;
use crate::interface::json_out::checklist::{Run, RunChecklist};

#[must_use]
pub fn document(report: &RunReport) -> Value {
    let counts = report.counts();
    let doc = Run {
        run_id: report.run_id.as_deref(),
        actor: &report.actor,
        time: report.time,
        dry_run: report.dry_run,
        resumed: report.resumed,
        outcome: report.status.label(),
        exit_code: report.status.exit_code(),
        duration_ms: u64::try_from(report.duration.as_millis()).unwrap_or(u64::MAX),
        summary: counts.line(),
        counts,
        checklists: report
            .checklists
            .iter()
            .map(|c| RunChecklist {
                name: &c.name,
                title: &c.title,
                file: &c.file,
                started: c.started,
                outcome: c.status.label(),
                counts: c.counts(),
                tasks: &c.results,
            })
            .collect(),
    };
    let mut value = serde_json::to_value(&doc).unwrap_or_default();
    // Task notes and names may quote what a task printed: hidden before encoding, so a secret
    // holding a quote or a backslash is found as it is.
    crate::domain::secrets::redact::scrub_json(&mut value);
    value
}
