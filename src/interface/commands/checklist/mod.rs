//! The `checklist` subcommands (`validate` and `completions` are shared with `rollout`).

mod list;
mod run;
mod show;

use crate::domain::error::Result;
use crate::interface::cli::{ChecklistCli, ChecklistCommand};
use crate::interface::output::Output;

/// Runs one parsed `checklist` command; `Ok` carries the exit code.
pub async fn run(cli: ChecklistCli, out: Output) -> Result<i32> {
    let g = &cli.global;
    match cli.command {
        ChecklistCommand::List => list::run(g, &out),
        ChecklistCommand::Show { name } => show::run(g, &out, &name),
        ChecklistCommand::Validate => {
            super::validate::run(g, &out, super::validate::Scope::Checklists)
        }
        ChecklistCommand::Completions { shell } => {
            super::completions::run::<ChecklistCli>(shell, "checklist")
        }
        ChecklistCommand::Run(args) => run::run(g, &out, args).await,
    }
}
