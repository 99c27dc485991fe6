//! One file per subcommand: `rollout`'s here, `checklist`'s in [`checklist`]; `validate` and
//! `completions` serve both.

mod advance;
mod check;
pub mod checklist;
mod completions;
pub mod gates;
mod history;
pub mod init;
mod kill;
mod plan;
pub mod plan_power;
mod preview;
mod resume;
mod rollback;
mod schema;
mod status;
pub mod validate;
mod watch;

use crate::app::context::Context;
use crate::app::engine::{self, Outcome, Override};
use crate::domain::error::Result;
use crate::interface::cli::{Cli, Command, ForceArgs};
use crate::interface::output::Output;

/// Runs one parsed command; `Ok` carries the exit code of a run that finished.
pub async fn run(cli: Cli, out: Output) -> Result<i32> {
    let g = &cli.global;
    match cli.command {
        Command::Validate => validate::run(g, &out, validate::Scope::StagesAndChecklists),
        Command::Completions { shell } => completions::run::<Cli>(shell, "rollout"),
        Command::Schema { name } => schema::run(&out, &name),
        Command::Init { flag } => init::run(g, &out, &flag),
        Command::History { limit } => history::run(g, &out, limit).await,
        command => {
            let ctx = Context::load(g, out)?;
            match command {
                Command::Plan(args) => plan::run(&ctx, &args).await,
                Command::Status => status::run(&ctx).await,
                Command::Advance { stage, force } => {
                    advance::run(&ctx, stage.as_deref(), &force).await
                }
                Command::Rollback { stage, force } => {
                    rollback::run(&ctx, stage.as_deref(), &force).await
                }
                Command::Kill { reason } => kill::run(&ctx, reason).await,
                Command::Resume { reason } => resume::run(&ctx, reason).await,
                Command::Preview { stage, users, ids } => {
                    preview::run(&ctx, stage.as_deref(), &users, ids).await
                }
                Command::Check { user, group } => check::run(&ctx, &user, &group).await,
                Command::Gates { stage } => gates::run(&ctx, stage.as_deref()).await,
                Command::Watch(w) => watch::run(ctx, &w).await,
                Command::Validate
                | Command::Completions { .. }
                | Command::Schema { .. }
                | Command::Init { .. }
                | Command::History { .. } => {
                    unreachable!("handled above")
                }
            }
        }
    }
}

fn override_of(force: &ForceArgs) -> Override {
    Override {
        force: force.force,
        reason: force.reason.clone().filter(|r| !r.trim().is_empty()),
    }
}

/// Prints a stage change (advance, rollback): `advanced f: internal → beta (10%) in production`
/// (the environment only where the provider has one).
fn report_move(ctx: &Context, verb: &str, outcome: &Outcome) -> Result<i32> {
    let e = &outcome.event;
    let line = format!(
        "{} {}: {} → {} ({}){}",
        ctx.out.green(verb),
        e.flag,
        e.from.as_deref().unwrap_or("not started"),
        ctx.out.bold(e.to.as_deref().unwrap_or("")),
        e.percentage.map(|p| p.to_string()).unwrap_or_default(),
        crate::domain::config::in_environment(&e.provider, &e.environment)
    );
    report(ctx, outcome, &line)
}

/// Prints a change's result: a line for people, or the JSON document.
fn report(ctx: &Context, outcome: &Outcome, line: &str) -> Result<i32> {
    if ctx.out.json {
        ctx.out.json_doc(engine::outcome_json(ctx, outcome));
    } else if !outcome.dry_run {
        ctx.out.data(line);
    }
    Ok(0)
}
