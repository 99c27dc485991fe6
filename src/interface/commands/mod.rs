//! One file per subcommand: `rollout`'s here, `checklist`'s in [`checklist`]; `validate` and
//! `completions` serve both.

mod advance;
mod change;
mod check;
pub mod checklist;
mod completions;
pub mod gates;
mod history;
mod history_stream;
pub mod init;
mod kill;
mod plan;
pub mod plan_power;
mod preview;
mod resume;
mod rollback;
mod schema;
pub mod session;
mod status;
pub mod validate;
mod watch;

use crate::domain::error::Result;
use crate::interface::cli::{Cli, Command};
use crate::interface::output::Output;
use session::Session;

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
            let ctx = Session::load(g, out)?;
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
