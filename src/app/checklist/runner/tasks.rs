//! The tasks that write a log: `run:` (a script under its shell, in its own process group) and
//! `rollout:` (the stage engine, in-process); and `require_env:`, which only looks.

use std::collections::VecDeque;

use super::{blank, Runner};
use crate::adapters::checklist::process::{self, Exit, Log, Sink, Stop};
use crate::adapters::checklist::state;
use crate::domain::checklist::file::shown_path;
use crate::domain::checklist::result::{Outcome, TaskResult};
use crate::domain::checklist::task::{RolloutCommand, Task};
use crate::domain::checklist::Checklist;

impl Runner<'_> {
    /// Where the log of `task` is written: `.rollout/checklists/<run-id>/<checklist>/<id>.log`.
    pub(super) fn log_path(&self, c: &Checklist, task: &Task) -> std::path::PathBuf {
        let run_id = self.state.borrow().run_id.clone();
        state::run_dir(self.dir, &run_id)
            .join(&c.name)
            .join(format!("{}.log", task.id))
    }

    /// The log of `task` as reports show it.
    pub(super) fn shown_log(&self, c: &Checklist, task: &Task) -> String {
        shown_path(&self.log_path(c, task)).display().to_string()
    }

    /// A `run:` task: its script under its shell, retried as it says, its output logged.
    pub(super) async fn run_command(
        &self,
        idx: usize,
        c: &Checklist,
        task: &Task,
        script: &str,
    ) -> TaskResult {
        let mut file = Log::new(self.log_path(c, task));
        let run_id = self.state.borrow().run_id.clone();
        let env = [
            (
                crate::domain::env_vars::EnvVars::CHECKLIST_RUN_ID,
                run_id.as_str(),
            ),
            (
                crate::domain::env_vars::EnvVars::CHECKLIST_NAME,
                c.name.as_str(),
            ),
            (
                crate::domain::env_vars::EnvVars::CHECKLIST_TASK_ID,
                task.id.as_str(),
            ),
        ];
        let on_line = |l: &str| self.ports.progress.task_line(idx, l);
        let mut tail = VecDeque::new();
        let mut attempts = 0;
        let mut last = Exit::Code(0);
        for attempt in 1..=task.retries + 1 {
            attempts = attempt;
            let mut sink = Sink {
                log: &mut file,
                tail: &mut tail,
                on_line: &on_line,
            };
            if attempt > 1 {
                sink.line(&format!(
                    "--- retrying: attempt {attempt} of {} ---",
                    task.retries + 1
                ));
            }
            last = match process::run_shell(
                script,
                &task.shell,
                self.dir,
                &env,
                task.timeout,
                &self.groups,
                &mut sink,
            )
            .await
            {
                Ok(exit) => exit,
                Err(e) => {
                    sink.line(&format!(
                        "checklist: cannot start `{}` (shell: {}): {e}",
                        task.shell.program(),
                        task.shell
                    ));
                    Exit::Code(127)
                }
            };
            if last.success() || self.groups.stopping().is_some() {
                break;
            }
        }
        file.flush();
        if let Some(e) = file.error() {
            let shown = self.shown_log(c, task);
            self.ports
                .log
                .warn(&format!("cannot write the log {shown}: {e}"));
        }
        let (outcome, note) = ended(self.groups.stopping(), last, task);
        let mut r = blank(c, task, outcome, note);
        if attempts > 1 {
            r.note = Some(match r.note.take() {
                Some(n) => format!("{n} (after {attempts} attempts)"),
                None => format!("passed on attempt {attempts}"),
            });
        }
        r.attempts = attempts;
        r.exit_code = last.code();
        r.log = file.exists().then(|| self.shown_log(c, task));
        r.tail = tail.into_iter().collect();
        r
    }

    /// A `rollout:` task: the engine's lines are its output, its error the failure.
    pub(super) async fn rollout(
        &self,
        idx: usize,
        c: &Checklist,
        task: &Task,
        cmd: &RolloutCommand,
    ) -> TaskResult {
        let mut tail = VecDeque::new();
        let mut log = Log::new(self.log_path(c, task));
        let on_line = |l: &str| self.ports.progress.task_line(idx, l);
        let mut sink = Sink {
            log: &mut log,
            tail: &mut tail,
            on_line: &on_line,
        };
        let (outcome, note) = match self.ports.rollout.run(cmd).await {
            Ok(lines) => {
                lines.iter().for_each(|l| sink.line(l));
                (Outcome::Passed, None)
            }
            Err(e) if e.kind == crate::domain::error::Kind::Interrupted => (
                Outcome::Interrupted,
                Some(e.message.lines().next().unwrap_or_default().to_string()),
            ),
            Err(e) => {
                sink.line(&format!("error: {}", e.message));
                if let Some(h) = &e.hint {
                    sink.line(&format!("hint: {h}"));
                }
                (
                    Outcome::Failed,
                    Some(e.message.lines().next().unwrap_or_default().to_string()),
                )
            }
        };
        log.flush();
        let mut r = blank(c, task, outcome, note);
        r.attempts = 1;
        r.log = log.exists().then(|| self.shown_log(c, task));
        r.tail = tail.into_iter().collect();
        r
    }
}

/// How a `run:` task ended, and its note: stopped by a signal, or its last exit.
fn ended(stopping: Option<Stop>, last: Exit, task: &Task) -> (Outcome, Option<String>) {
    match (stopping, last) {
        (Some(why), _) => (
            Outcome::Interrupted,
            Some(format!(
                "stopped by {} (its process group got SIGTERM)",
                why.label()
            )),
        ),
        (None, last) => match last {
            Exit::Code(0) => (Outcome::Passed, None),
            Exit::Code(n) => (Outcome::Failed, Some(format!("exit {n}"))),
            Exit::Signal(s) => (Outcome::Failed, Some(format!("killed by signal {s}"))),
            Exit::TimedOut => (
                Outcome::Failed,
                Some(format!(
                    "timed out after {} (its process group was killed)",
                    crate::domain::clock::span(task.timeout.unwrap_or_default())
                )),
            ),
        },
    }
}

/// A `require_env:` task: passes when every variable is set and not empty.
pub(super) fn require_env(
    c: &Checklist,
    task: &Task,
    vars: &[String],
    env_set: crate::app::checklist::preflight::EnvSet,
) -> TaskResult {
    let missing = crate::app::checklist::preflight::missing_env(vars, env_set);
    if missing.is_empty() {
        return blank(c, task, Outcome::Passed, None);
    }
    let mut r = blank(
        c,
        task,
        Outcome::Failed,
        Some(format!("not set or empty: {}", missing.join(", "))),
    );
    r.tail = missing
        .iter()
        .map(|v| format!("export {v}=… (set it in the environment of this run)"))
        .collect();
    r
}
