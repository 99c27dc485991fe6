//! On GitHub Actions (`GITHUB_ACTIONS=true`): each task's output folded in a `::group::`, printed
//! whole when the task ends (so parallel tasks never interleave), and a failure as an `::error::`
//! annotation. The summary table for `$GITHUB_STEP_SUMMARY` is written after the run by
//! [`crate::interface::checklist::report::github_summary`].

use std::io::Write;

use super::{copy_log, end_line, failure_lines, Plain, Progress};
use crate::domain::checklist::result::{Outcome, TaskResult};
use crate::domain::checklist::task::Task;
use crate::domain::checklist::Checklist;
use crate::interface::output::Output;

pub struct GitHub {
    plain: Plain,
}

impl GitHub {
    #[must_use]
    pub fn new(out: Output) -> Self {
        GitHub {
            plain: Plain { out },
        }
    }
}

/// Escapes a workflow command's message (`%`, CR and LF), with every registered secret hidden
/// first: once escaped, a secret holding `%`, `:` or `,` would no longer be found.
#[must_use]
pub fn escape_data(text: &str) -> String {
    crate::domain::secrets::redact::scrub(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value (also `:` and `,`).
#[must_use]
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

impl Progress for GitHub {
    fn checklist_started(&self, checklist: &Checklist, resumed: bool) {
        self.plain.checklist_started(checklist, resumed);
    }

    fn task_started(&self, key: usize, task: &Task) {
        self.plain.task_started(key, task);
    }

    fn task_line(&self, _key: usize, _line: &str) {}

    fn task_finished(&self, _key: usize, task: &Task, result: &TaskResult) {
        let out = &self.plain.out;
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "::group::{}",
            crate::domain::secrets::redact::scrub(&end_line(out, task, result))
        );
        copy_log(result.log.as_deref(), &mut err, "");
        let mut lines = vec!["::endgroup::".to_string()];
        if matches!(
            result.outcome,
            Outcome::Failed | Outcome::Interrupted | Outcome::Quit
        ) {
            lines.extend(failure_lines(out, result));
            let why = result
                .note
                .clone()
                .unwrap_or_else(|| result.outcome.label().to_string());
            lines.push(format!(
                "::error title={}::{}",
                escape_property(&format!("{}: {}", result.checklist, task.name)),
                escape_data(&format!(
                    "{} [{}] {}: {why}",
                    task.name,
                    task.id,
                    result.outcome.label()
                ))
            ));
        } else if result.outcome == Outcome::FailedAllowed {
            let why = result.note.clone().unwrap_or_default();
            lines.push(format!(
                "::warning title={}::{}",
                escape_property(&format!("{}: {}", result.checklist, task.name)),
                escape_data(&format!(
                    "{} [{}] failed (allowed): {why}",
                    task.name, task.id
                ))
            ));
        }
        for l in lines {
            let _ = writeln!(err, "{}", crate::domain::secrets::redact::scrub(&l));
        }
    }

    fn note(&self, text: &str) {
        self.plain.note(text);
    }
}
