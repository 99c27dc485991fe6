//! A `rollout:` task: the stage engine run in-process, with the same rules, confirmations and
//! journal as the `rollout` command, its result as the task's output.

use std::path::Path;

use crate::checklist::task::RolloutCommand;
use crate::context::Context;
use crate::engine::{self, Override};
use crate::error::{Error, Result};
use crate::global_args::GlobalArgs;
use crate::output::Output;

/// Runs `cmd` against the stages.yaml of `dir`; returns the lines it reports.
pub async fn run(cmd: &RolloutCommand, args: &GlobalArgs, dir: &Path) -> Result<Vec<String>> {
    let mut args = args.clone();
    args.dir = Some(dir.to_path_buf());
    args.json = false;
    // The engine prints nothing itself: its outcome becomes the task's output lines.
    let out = Output {
        json: true,
        quiet: true,
        verbose: false,
        color_out: false,
        color_err: false,
        animate: false,
    };
    let ctx = Context::load(&args, out)?;
    let over = Override::default();
    let outcome = match cmd {
        RolloutCommand::Status => return status(&ctx).await,
        RolloutCommand::Advance(stage) => engine::advance(&ctx, stage.as_deref(), &over).await?,
        RolloutCommand::Rollback(stage) => engine::rollback(&ctx, stage.as_deref(), &over).await?,
        RolloutCommand::Kill(reason) => engine::kill(&ctx, reason.clone()).await?,
        RolloutCommand::Resume => engine::resume(&ctx, &over).await?,
    };
    let e = &outcome.event;
    let pct = e.percentage.map(|p| format!(" ({p})")).unwrap_or_default();
    let mut lines = vec![format!(
        "{}{} {}: {} → {}{pct} in {}",
        if outcome.dry_run {
            "dry run: would "
        } else {
            ""
        },
        e.action,
        e.flag,
        e.from.as_deref().unwrap_or("not started"),
        e.to.as_deref().unwrap_or("?"),
        e.environment
    )];
    if e.outcome != "applied" && e.outcome != "dry-run" {
        lines.push(format!("outcome: {}", e.outcome));
    }
    for r in &outcome.requests {
        lines.push(format!("  {} {}", r.method, r.url));
    }
    Ok(lines)
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
            "{} in {} is killed (at {stage}, {})",
            ctx.config.flag, ctx.settings.environment, state.percentage
        ))
        .with_hint("run `rollout resume` once the cause is fixed"));
    }
    Ok(vec![format!(
        "{} in {}: {stage} ({}), {on}",
        ctx.config.flag, ctx.settings.environment, state.percentage
    )])
}

/// Whether the engine's rules would refuse `cmd` now: the engine's own dry run (it reads the
/// provider and applies every rule, changing and recording nothing). `Some` holds the refusal
/// or the configuration error the task would fail with; a provider that cannot be reached now
/// is no reason to refuse a run up front, so that is `None` like a change that would go ahead.
pub async fn refusal(cmd: &RolloutCommand, args: &GlobalArgs, dir: &Path) -> Option<Error> {
    if matches!(cmd, RolloutCommand::Status) {
        return None;
    }
    let mut args = args.clone();
    args.dry_run = true;
    match run(cmd, &args, dir).await {
        Err(e)
            if matches!(
                e.kind,
                crate::error::Kind::Refused | crate::error::Kind::Usage
            ) =>
        {
            Some(e)
        }
        _ => None,
    }
}
