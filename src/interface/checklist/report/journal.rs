//! The journal record of a checklist run, beside flag changes in `.rollout/journal.jsonl`
//! (`rollout history` shows both).

use serde::Serialize;

use super::{ChecklistReport, RunReport};
use crate::domain::checklist::result::{Counts, Outcome};

/// One record per checklist that ran: who, when, and each task's outcome and duration.
#[derive(Debug, Serialize)]
pub struct Record<'a> {
    /// When the run started.
    pub time: chrono::DateTime<chrono::Utc>,
    /// When it ended: `rollout history` orders checklist runs by it.
    pub ended: chrono::DateTime<chrono::Utc>,
    pub actor: &'a str,
    /// Always `checklist`.
    pub action: &'a str,
    pub checklist: &'a str,
    pub run_id: Option<&'a str>,
    pub resumed: bool,
    pub outcome: &'a str,
    pub counts: Counts,
    pub tasks: Vec<Task<'a>>,
}

/// One task of a checklist's [`Record`].
#[derive(Debug, Serialize)]
pub struct Task<'a> {
    pub id: &'a str,
    pub outcome: Outcome,
    pub duration_ms: u64,
    /// How a manual task was confirmed (by whom, or with --yes) or why a task failed or was
    /// skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'a str>,
}

/// The record of checklist `c` of `report`, a run that `ended` then.
#[must_use]
pub fn record<'a>(
    report: &'a RunReport,
    c: &'a ChecklistReport,
    ended: chrono::DateTime<chrono::Utc>,
) -> Record<'a> {
    Record {
        time: report.time,
        ended,
        actor: &report.actor,
        action: "checklist",
        checklist: &c.name,
        run_id: report.run_id.as_deref(),
        resumed: report.resumed,
        outcome: c.status.label(),
        counts: c.counts(),
        tasks: c
            .results
            .iter()
            .map(|r| Task {
                id: &r.id,
                outcome: r.outcome,
                duration_ms: r.duration_ms,
                note: r.note.as_deref(),
            })
            .collect(),
    }
}

/// The state store checklist runs are recorded in: the one `state:` of the stages.yaml in `dir`
/// names (docs/team.md), else (no stages.yaml, or one that does not load: its own commands
/// say why) the local journal in `dir`.
pub fn store(
    dir: &std::path::Path,
) -> crate::domain::error::Result<Box<dyn crate::ports::state::Store>> {
    let stages = dir.join(crate::domain::config::STAGES_FILE);
    let settings = crate::domain::config::Config::load(&stages)
        .map(|c| c.state)
        .unwrap_or_default();
    crate::adapters::state::open(&settings, dir, STORE_WAIT)
}

/// How long a checklist run's end waits for the store with one record before keeping it in the
/// outbox.
const STORE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Appends one record per checklist that ran, as the run ends, to the state store of `dir`
/// ([`store`]): its end time is now (from the same clock as its start, so `ROLLOUT_NOW` sets
/// both). A record the store does not take (unreachable, slow) is kept in the outbox, which the
/// next `rollout` command that reaches the store pushes; the answer says so.
pub async fn append(
    dir: &std::path::Path,
    report: &RunReport,
) -> crate::domain::error::Result<Option<String>> {
    let ended = crate::domain::clock::now().unwrap_or_else(|_| {
        report.time + chrono::Duration::from_std(report.duration).unwrap_or_default()
    });
    let store = store(dir)?;
    let mut kept = None;
    for c in report.checklists.iter().filter(|c| c.started) {
        let entry = crate::app::record::entry(&record(report, c, ended))?;
        let why = match tokio::time::timeout(STORE_WAIT, store.append(&entry, None, None)).await {
            Ok(Ok(_)) => continue,
            Ok(Err(e)) => e.message,
            Err(_) => format!(
                "no answer within {}",
                crate::domain::clock::span(STORE_WAIT)
            ),
        };
        crate::adapters::state::outbox::add(dir, &entry.body)?;
        kept = Some(format!(
            "the state store ({} {}) did not take the record of this run ({why}); it is kept \
             in {} and reaches the store with the next rollout command that can write there",
            store.kind(),
            store.place(),
            crate::adapters::state::outbox::path(dir).display()
        ));
    }
    Ok(kept)
}
