//! A `rollout:` task: the stage engine run in-process, with the same rules, confirmations and
//! journal as the `rollout` command, its result as the task's output.

use std::path::Path;
use std::time::Duration;

use crate::app::apply::{self, Outcome};
use crate::app::checklist::task::RolloutCommand;
use crate::app::context::{Context, Run};
use crate::app::decide::{Decision, Override};
use crate::app::engine;
use crate::domain::error::{Error, Result};
use crate::ports::log::Logger;

/// What a rollout task needs of the checklist's command line (built from it by the interface).
#[derive(Clone)]
pub struct Options {
    /// `--env`, `--actor`, `--timeout`.
    pub env: Option<String>,
    pub actor: Option<String>,
    pub timeout: Duration,
    /// `--dry-run`: the engine decides and plans, changing nothing.
    pub dry_run: bool,
    /// `--yes`: answers the engine's questions.
    pub yes: bool,
    /// Asks a person a question (the terminal's confirmation), given `yes`.
    pub ask: fn(&crate::app::decide::Question, bool) -> Result<()>,
    /// Where the engine's warnings go: the task prints nothing else itself.
    pub log: Logger,
}

/// Runs `cmd` against the stages.yaml of `dir`; returns the lines it reports.
pub async fn run(cmd: &RolloutCommand, options: &Options, dir: &Path) -> Result<Vec<String>> {
    if !dir.is_dir() {
        return Err(Error::usage(format!(
            "-C {}: no such directory",
            dir.display()
        )));
    }
    let config = crate::domain::config::Config::load(&crate::domain::config::find(dir)?)?;
    let opened = crate::app::context::Options {
        env: options.env.as_deref(),
        actor: options.actor.as_deref(),
        run: Run {
            timeout: options.timeout,
        },
    };
    let ctx = Context::open(config, &opened, options.log.clone())?;
    match cmd {
        RolloutCommand::Status => status(&ctx).await,
        RolloutCommand::Gate(name) => gate(&ctx, name).await,
        RolloutCommand::Kill(reason) if options.dry_run => {
            let killing = engine::kill(&ctx, reason.clone()).await?;
            Ok(lines(&apply::plan_kill(&ctx, killing)?))
        }
        // A kill never waits for a lease.
        RolloutCommand::Kill(reason) => Ok(lines(&apply::kill(&ctx, reason.clone()).await?)),
        // A move holds the flag's lease, as `rollout advance` does (issue 20).
        RolloutCommand::Advance(stage) => {
            let to = Move::Advance(stage.as_deref());
            crate::app::lease::during(&ctx, !options.dry_run, moved(&ctx, to, options)).await
        }
        RolloutCommand::Rollback(stage) => {
            let to = Move::Rollback(stage.as_deref());
            crate::app::lease::during(&ctx, !options.dry_run, moved(&ctx, to, options)).await
        }
        RolloutCommand::Resume => {
            crate::app::lease::during(&ctx, !options.dry_run, moved(&ctx, Move::Resume, options))
                .await
        }
    }
}

/// The task commands that move the flag.
enum Move<'a> {
    Advance(Option<&'a str>),
    Rollback(Option<&'a str>),
    Resume,
}

/// An advance, rollback or resume: decided, then carried out as the `rollout` command does.
async fn moved(ctx: &Context, to: Move<'_>, options: &Options) -> Result<Vec<String>> {
    let over = Override::default();
    let decision = match to {
        Move::Advance(stage) => match engine::advance(ctx, stage, &over).await? {
            engine::Advance::Move(decision) => *decision,
            engine::Advance::Already(e) => {
                return Ok(vec![format!(
                    "{} is already at {}{}; nothing to do",
                    e.flag,
                    e.to.as_deref().unwrap_or_default(),
                    crate::domain::config::in_environment(&e.provider, &e.environment)
                )]);
            }
        },
        Move::Rollback(stage) => engine::rollback(ctx, stage, &over).await?,
        Move::Resume => engine::resume(ctx, &over).await?,
    };
    let outcome = carry_out(ctx, options, decision).await?;
    Ok(lines(&outcome))
}

/// As the `rollout` command does: the warnings, the refusal, the question (not under
/// `--dry-run`), then the change (under `--dry-run`, its plan).
async fn carry_out(ctx: &Context, options: &Options, decision: Decision) -> Result<Outcome> {
    for w in &decision.warnings {
        ctx.log.warn(w);
    }
    if let Some(e) = decision.refused {
        return Err(e);
    }
    if options.dry_run {
        return apply::plan(ctx, decision);
    }
    if let Some(q) = &decision.question {
        (options.ask)(q, options.yes)?;
    }
    apply::change(ctx, decision).await
}

/// The task's output: the change made (or planned), its outcome when not plain, the requests
/// it would send.
fn lines(outcome: &Outcome) -> Vec<String> {
    let e = &outcome.event;
    let pct = e.percentage.map(|p| format!(" ({p})")).unwrap_or_default();
    let mut lines = vec![format!(
        "{}{} {}: {} → {}{pct}{}",
        if outcome.dry_run {
            "dry run: would "
        } else {
            ""
        },
        e.action,
        e.flag,
        e.from.as_deref().unwrap_or("not started"),
        e.to.as_deref().unwrap_or("?"),
        crate::domain::config::in_environment(&e.provider, &e.environment)
    )];
    if e.outcome != "applied" && e.outcome != "dry-run" {
        lines.push(format!("outcome: {}", e.outcome));
    }
    for r in &outcome.requests {
        lines.push(format!("  {} {}", r.method, r.url));
    }
    lines
}

async fn status(ctx: &Context) -> Result<Vec<String>> {
    let state = ctx.provider.read().await?;
    let pos = engine::position(&ctx.config, &state);
    let stage = match pos {
        engine::Position::NotStarted => "not started".to_string(),
        engine::Position::At(i) => ctx.config.stages[i].name.clone(),
        engine::Position::OffPlan { .. } => format!("off plan at {}", state.percentage),
    };
    let on = if !state.exists {
        "not rolled out"
    } else if state.on {
        "on"
    } else {
        "killed"
    };
    if state.exists && !state.on {
        return Err(Error::failed(format!(
            "{}{} is killed (at {stage}, {})",
            ctx.config.flag,
            ctx.settings.in_environment(),
            state.percentage
        ))
        .with_hint("run `rollout resume` once the cause is fixed"));
    }
    Ok(vec![format!(
        "{}{}: {stage} ({}), {on}",
        ctx.config.flag,
        ctx.settings.in_environment(),
        state.percentage
    )])
}

/// A `gate:` task: one look at the gate; it passes when the gate passes (whatever its
/// severity: a checklist asks "does this gate pass now?").
async fn gate(ctx: &Context, name: &str) -> Result<Vec<String>> {
    let Some(gate) = ctx.config.gate(name) else {
        let names: Vec<&str> = ctx.config.gates.iter().map(|g| g.name.as_str()).collect();
        return Err(Error::usage(format!(
            "there is no gate `{name}` in {}",
            ctx.config.path.display()
        ))
        .with_hint(if names.is_empty() {
            "define it under `gates:` in stages.yaml".to_string()
        } else {
            format!("the gates are: {}", names.join(", "))
        }));
    };
    // The stage's start fills a compare gate's window and its percentage the expected split; a
    // provider that cannot be read leaves both unknown (the gate then says so).
    let (since, percentage) = match ctx.provider.read().await {
        Ok(mut state) => {
            engine::add_times(ctx, &mut state).await;
            let share = match engine::position(&ctx.config, &state) {
                engine::Position::At(i) => engine::on_share(ctx, i),
                _ => None,
            };
            (engine::stage_since(ctx, &state).await, share)
        }
        Err(_) => (None, None),
    };
    let env = ctx.gate_env(since, percentage);
    let mut tracker = crate::adapters::gates::Tracker::default();
    let verdict = crate::adapters::gates::evaluate(&env, &[gate], &mut tracker)
        .await
        .remove(0);
    if verdict.passed() {
        Ok(vec![verdict.line()])
    } else {
        Err(Error::failed(verdict.line()))
    }
}

/// Whether the engine's rules would refuse `cmd` now: the engine's own dry run (it reads the
/// provider and applies every rule, changing and recording nothing). `Some` holds the refusal
/// or the configuration error the task would fail with; a provider that cannot be reached now
/// is no reason to refuse a run up front, so that is `None` like a change that would go ahead.
pub async fn refusal(cmd: &RolloutCommand, options: &Options, dir: &Path) -> Option<Error> {
    // A status changes nothing; a gate is looked at when its task runs (it may pass by then).
    if matches!(cmd, RolloutCommand::Status | RolloutCommand::Gate(_)) {
        return None;
    }
    let options = Options {
        dry_run: true,
        ..options.clone()
    };
    match run(cmd, &options, dir).await {
        Err(e)
            if matches!(
                e.kind,
                crate::domain::error::Kind::Refused | crate::domain::error::Kind::Usage
            ) =>
        {
            Some(e)
        }
        _ => None,
    }
}
