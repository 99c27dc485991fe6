//! What would stop a run that has not started: a manual task nobody can answer, an unset
//! `require_env` variable, a `rollout:` change the engine's rules would refuse. Found before the
//! first task runs, so a CI job does not spend minutes on tests to fail at the first question.

use crate::app::checklist::rollout::RolloutTasks;
use crate::domain::checklist::select::{Planned, Step};
use crate::domain::checklist::task::{RolloutCommand, TaskKind};
use crate::domain::checklist::Checklist;
use crate::domain::error::Kind;

/// One task the run would fail at, and the exit code the run would end with there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub checklist: String,
    pub id: String,
    pub what: String,
    pub code: i32,
}

/// The problems of `plan`, in plan order. Tasks with `allow_failure` never stop a run and are
/// not checked. Only the first `rollout:` change is checked against the flag as it is now:
/// later ones start from what the earlier ones did, and are checked by the engine when they run.
/// `yes` (`--yes`) confirms manual tasks; `rollout` is the engine the run's `rollout:` tasks use;
/// `env_set` tells whether a variable of the run's environment is set and not empty.
pub async fn check(
    yes: bool,
    rollout: &dyn RolloutTasks,
    checklists: &[Checklist],
    plan: &[Planned],
    can_ask: bool,
    env_set: EnvSet,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut rollout_seen = false;
    for p in plan {
        let c = &checklists[p.checklist];
        let task = &c.tasks[p.task];
        if !matches!(p.step, Step::Run) {
            continue;
        }
        let problem = |what: String, code: i32| Problem {
            checklist: c.name.clone(),
            id: task.id.clone(),
            what,
            code,
        };
        match &task.kind {
            TaskKind::Manual(_) if !yes && !can_ask && !task.allow_failure => {
                problems.push(problem(
                    "a manual task, and there is no terminal to ask (or CI is set)".into(),
                    1,
                ));
            }
            TaskKind::RequireEnv(vars) if !task.allow_failure => {
                let missing = missing_env(vars, env_set);
                if !missing.is_empty() {
                    problems.push(problem(
                        format!("not set or empty: {}", missing.join(", ")),
                        1,
                    ));
                }
            }
            TaskKind::Rollout(cmd) if !rollout_seen && !cmd_is_status(cmd) => {
                rollout_seen = true;
                if task.allow_failure {
                    continue;
                }
                if let Some(e) = rollout.refusal(cmd).await {
                    let code = if e.kind == Kind::Refused { 3 } else { 1 };
                    let first = e.message.lines().next().unwrap_or_default().to_string();
                    problems.push(problem(format!("`rollout {cmd}`: {first}"), code));
                }
            }
            _ => {}
        }
    }
    problems
}

fn cmd_is_status(cmd: &RolloutCommand) -> bool {
    matches!(cmd, RolloutCommand::Status)
}

/// Whether a variable is set and not empty in the run's environment: the environment as a
/// fact, given by the interface (the app reads no environment itself).
pub type EnvSet = fn(&str) -> bool;

/// The variables of `vars` that are unset or empty by `env_set` (names only: values are never
/// shown).
#[must_use]
pub fn missing_env(vars: &[String], env_set: EnvSet) -> Vec<&str> {
    vars.iter()
        .filter(|v| !env_set(v))
        .map(String::as_str)
        .collect()
}

/// What to do about `problems`, in one line.
#[must_use]
pub fn hint(problems: &[Problem]) -> String {
    let mut parts = Vec::new();
    if problems.iter().any(|p| p.what.starts_with("a manual task")) {
        parts.push("pass --yes to confirm manual tasks, or --skip-manual to skip them");
    }
    if problems.iter().any(|p| p.what.starts_with("not set")) {
        parts.push("set the variables in the environment of this run");
    }
    if problems.iter().any(|p| p.code == 3) {
        parts.push("`rollout status` shows why the rules refuse; `--skip ID` leaves the task out");
    }
    parts.join("; ")
}
