//! One task of a checklist, validated into typed values: what it does and how it is run.

use std::time::Duration;

use super::shell::Shell;
use crate::domain::diagnostic::Pos;

/// What a task does: exactly one kind per task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskKind {
    /// A script, run in the project directory under the task's [`Shell`].
    Run(String),
    /// Instructions for a person, who answers done / not done / skip / quit.
    Manual(String),
    /// Passes when each variable is set and non-empty.
    RequireEnv(Vec<String>),
    /// A `rollout` command run in-process by the stage engine.
    Rollout(RolloutCommand),
}

impl TaskKind {
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            TaskKind::Run(_) => "run",
            TaskKind::Manual(_) => "manual",
            TaskKind::RequireEnv(_) => "require_env",
            TaskKind::Rollout(RolloutCommand::Gate(_)) => "gate",
            TaskKind::Rollout(_) => "rollout",
        }
    }

    /// What the task would do, in one line, a script under the default shell (for `show` and
    /// `--dry-run`: [`Task::describe`] names the task's own shell).
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            TaskKind::Run(cmd) => format!("{} {}", Shell::default().prefix(), first_line(cmd)),
            TaskKind::Manual(text) => format!("ask: {}", first_line(text)),
            TaskKind::RequireEnv(vars) => format!("require {}", vars.join(", ")),
            TaskKind::Rollout(RolloutCommand::Gate(name)) => format!("check gate {name}"),
            TaskKind::Rollout(cmd) => format!("rollout {cmd}"),
        }
    }
}

fn first_line(text: &str) -> String {
    let mut lines = text.trim().lines();
    let first = lines.next().unwrap_or_default().to_string();
    if lines.next().is_some() {
        format!("{first} …")
    } else {
        first
    }
}

/// The `rollout:` commands a checklist may run, with the engine's own rules and journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RolloutCommand {
    Advance(Option<String>),
    Rollback(Option<String>),
    Kill(Option<String>),
    Resume,
    Status,
    /// `gate: NAME`: checks one gate of stages.yaml; passes when the gate passes.
    Gate(String),
}

impl RolloutCommand {
    pub const VERBS: [&'static str; 5] = ["advance", "rollback", "kill", "resume", "status"];

    /// Parses `advance [STAGE]`, `rollback [STAGE]`, `kill [REASON...]`, `resume`, `status`.
    pub fn parse(text: &str) -> Result<RolloutCommand, String> {
        let mut words = text.split_whitespace();
        let verb = words.next().unwrap_or_default();
        let rest: Vec<&str> = words.collect();
        let one = |rest: &[&str]| -> Result<Option<String>, String> {
            match rest {
                [] => Ok(None),
                [stage] => Ok(Some((*stage).to_string())),
                _ => Err(format!(
                    "`{verb}` takes at most one stage name, found `{}`",
                    rest.join(" ")
                )),
            }
        };
        match verb {
            "advance" => one(&rest).map(RolloutCommand::Advance),
            "rollback" => one(&rest).map(RolloutCommand::Rollback),
            "kill" => Ok(RolloutCommand::Kill(
                (!rest.is_empty()).then(|| rest.join(" ")),
            )),
            "resume" | "status" if !rest.is_empty() => Err(format!(
                "`{verb}` takes no arguments, found `{}`",
                rest.join(" ")
            )),
            "resume" => Ok(RolloutCommand::Resume),
            "status" => Ok(RolloutCommand::Status),
            "" => Err("the rollout command is empty".to_string()),
            other => Err(format!(
                "`{other}` is not a rollout command a checklist can run"
            )),
        }
    }
}

impl std::fmt::Display for RolloutCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RolloutCommand::Advance(s) => write!(
                f,
                "advance{}",
                s.as_ref().map(|s| format!(" {s}")).unwrap_or_default()
            ),
            RolloutCommand::Rollback(s) => write!(
                f,
                "rollback{}",
                s.as_ref().map(|s| format!(" {s}")).unwrap_or_default()
            ),
            RolloutCommand::Kill(r) => write!(
                f,
                "kill{}",
                r.as_ref().map(|s| format!(" {s}")).unwrap_or_default()
            ),
            RolloutCommand::Resume => f.write_str("resume"),
            RolloutCommand::Status => f.write_str("status"),
            RolloutCommand::Gate(name) => write!(f, "gates: {name}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Task {
    /// Unique in its checklist: `id:` as written, else a slug of `name`.
    pub id: String,
    pub name: String,
    pub kind: TaskKind,
    /// Each attempt is stopped (its whole process group killed) after this long.
    pub timeout: Option<Duration>,
    /// Extra attempts after a failure.
    pub retries: u32,
    /// A failure is counted as failed-allowed and never fails the run.
    pub allow_failure: bool,
    /// Runs together with the adjacent parallel tasks.
    pub parallel: bool,
    /// What runs a `run:` script: `shell:` of the task, else of the checklist, else bash.
    pub shell: Shell,
    /// Where `shell:` is written (on the task or its checklist); `None` for the default.
    pub shell_pos: Option<Pos>,
    pub pos: Pos,
}

impl Task {
    /// What the task would do, in one line, naming its shell (for `show` and `--dry-run`).
    #[must_use]
    pub fn describe(&self) -> String {
        match &self.kind {
            TaskKind::Run(cmd) => format!("{} {}", self.shell.prefix(), first_line(cmd)),
            kind => kind.describe(),
        }
    }

    /// The options set on the task, as `show` and a dry run print them: `timeout 5m`,
    /// `retries 2`, `allow_failure`, `parallel`, and a shell other than the default (`shell sh`).
    #[must_use]
    pub fn options(&self) -> Vec<String> {
        let mut opts = Vec::new();
        if self.shell != Shell::default() && matches!(self.kind, TaskKind::Run(_)) {
            opts.push(format!("shell {}", self.shell));
        }
        if let Some(d) = self.timeout {
            opts.push(format!("timeout {}", crate::domain::clock::span(d)));
        }
        if self.retries > 0 {
            opts.push(format!("retries {}", self.retries));
        }
        if self.allow_failure {
            opts.push("allow_failure".into());
        }
        if self.parallel {
            opts.push("parallel".into());
        }
        opts
    }
}

/// `Run all tests (unit, e2e)` → `run-all-tests-unit-e2e`.
#[must_use]
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Whether `id` can be typed after `--only`: lowercase letters, digits, `-`, `_` and `.`.
#[must_use]
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            slug("Run all tests (unit, integration, e2e)"),
            "run-all-tests-unit-integration-e2e"
        );
        assert_eq!(slug("  Deploy to production! "), "deploy-to-production");
        assert_eq!(slug("Ünïcode only"), "n-code-only");
        assert_eq!(slug("???"), "");
    }

    #[test]
    fn rollout_commands() {
        assert_eq!(
            RolloutCommand::parse("advance internal"),
            Ok(RolloutCommand::Advance(Some("internal".into())))
        );
        assert_eq!(
            RolloutCommand::parse("rollback"),
            Ok(RolloutCommand::Rollback(None))
        );
        assert_eq!(
            RolloutCommand::parse("kill error spike"),
            Ok(RolloutCommand::Kill(Some("error spike".into())))
        );
        assert!(RolloutCommand::parse("advance a b").is_err());
        assert!(RolloutCommand::parse("status now").is_err());
        assert!(RolloutCommand::parse("promote").is_err());
        assert_eq!(
            RolloutCommand::parse("advance beta").unwrap().to_string(),
            "advance beta"
        );
    }
}
