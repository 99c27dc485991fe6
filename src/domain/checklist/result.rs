//! What happened to each task of a run: the data every report (closing line, `--json`,
//! `--junit`, the journal, the GitHub summary, the run state) is built from.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How a task ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    Failed,
    /// Failed with `allow_failure: true`: shown, never fails the run.
    FailedAllowed,
    Skipped,
    /// Stopped by Ctrl-C or SIGTERM while running (or waiting at its prompt).
    Interrupted,
    /// A person answered `quit` at its prompt.
    Quit,
}

impl Outcome {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::FailedAllowed => "failed (allowed)",
            Outcome::Skipped => "skipped",
            Outcome::Interrupted => "interrupted",
            Outcome::Quit => "quit",
        }
    }

    /// A task a resumed run need not run again.
    #[must_use]
    pub fn is_done(self) -> bool {
        matches!(self, Outcome::Passed | Outcome::FailedAllowed)
    }
}

/// One task's result.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TaskResult {
    pub checklist: String,
    pub id: String,
    pub name: String,
    pub kind: String,
    pub outcome: Outcome,
    /// Why it failed or was skipped, or how a manual task was confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default)]
    pub duration_ms: u64,
    #[serde(default)]
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// The full log, relative to the project directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
    /// The last output lines (at most 20), for failure reports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tail: Vec<String>,
    /// Passed in an earlier attempt of this run (before `--resume`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub earlier: bool,
}

impl TaskResult {
    #[must_use]
    pub fn duration(&self) -> Duration {
        Duration::from_millis(self.duration_ms)
    }
}

/// The counts of the closing line; failed-allowed, interrupted and quit tasks have their own
/// counts and are in none of the first three.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub failed_allowed: usize,
    #[serde(default)]
    pub interrupted: usize,
    #[serde(default)]
    pub quit: usize,
}

impl Counts {
    #[must_use]
    pub fn of<'a>(results: impl IntoIterator<Item = &'a TaskResult>) -> Counts {
        let mut c = Counts::default();
        for r in results {
            match r.outcome {
                Outcome::Passed => c.passed += 1,
                Outcome::Failed => c.failed += 1,
                Outcome::FailedAllowed => c.failed_allowed += 1,
                Outcome::Skipped => c.skipped += 1,
                Outcome::Interrupted => c.interrupted += 1,
                Outcome::Quit => c.quit += 1,
            }
        }
        c
    }

    #[must_use]
    pub fn total(&self) -> usize {
        self.passed
            + self.failed
            + self.skipped
            + self.failed_allowed
            + self.interrupted
            + self.quit
    }

    /// The closing line: `5 passed, 0 failed, 1 skipped`, and what else happened when it did:
    /// `…, 1 failed but allowed`, `…, 1 interrupted`, `…, 1 quit`; so every task is in one count.
    /// The first three stay in place for the parsers of CI logs.
    #[must_use]
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        );
        if self.failed_allowed > 0 {
            line.push_str(&format!(", {} failed but allowed", self.failed_allowed));
        }
        if self.interrupted > 0 {
            line.push_str(&format!(", {} interrupted", self.interrupted));
        }
        if self.quit > 0 {
            line.push_str(&format!(", {} quit", self.quit));
        }
        line
    }
}

/// How a whole run (or one checklist of it) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Passed,
    Failed,
    Interrupted,
    /// Every selected task was skipped: nothing ran, so nothing passed.
    Skipped,
    DryRun,
    /// A checklist left out because an earlier one of the same run failed or was stopped.
    NotRun,
}

impl RunStatus {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            RunStatus::Passed => "passed",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Skipped => "skipped",
            RunStatus::DryRun => "dry-run",
            RunStatus::NotRun => "not-run",
        }
    }

    #[must_use]
    pub fn exit_code(self) -> i32 {
        match self {
            RunStatus::Passed | RunStatus::Skipped | RunStatus::DryRun | RunStatus::NotRun => 0,
            RunStatus::Failed => 1,
            RunStatus::Interrupted => 130,
        }
    }
}

/// The status of a set of task results that all ran (or were skipped) to the end.
#[must_use]
pub fn status_of<'a>(results: impl IntoIterator<Item = &'a TaskResult>) -> RunStatus {
    let mut status = RunStatus::Skipped;
    for r in results {
        match r.outcome {
            Outcome::Interrupted | Outcome::Quit => return RunStatus::Interrupted,
            Outcome::Failed => status = RunStatus::Failed,
            Outcome::Passed | Outcome::FailedAllowed if status == RunStatus::Skipped => {
                status = RunStatus::Passed;
            }
            _ => {}
        }
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closing_line_counts_every_task() {
        let c = Counts {
            passed: 4,
            failed: 0,
            skipped: 1,
            failed_allowed: 1,
            interrupted: 0,
            quit: 0,
        };
        assert_eq!(
            c.line(),
            "4 passed, 0 failed, 1 skipped, 1 failed but allowed"
        );
        let every = Counts {
            interrupted: 2,
            quit: 1,
            ..c
        };
        assert_eq!(
            every.line(),
            "4 passed, 0 failed, 1 skipped, 1 failed but allowed, 2 interrupted, 1 quit"
        );
        let none = Counts {
            failed_allowed: 0,
            ..c
        };
        assert_eq!(none.line(), "4 passed, 0 failed, 1 skipped");
    }
}
