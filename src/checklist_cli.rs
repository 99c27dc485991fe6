//! The `checklist` command line: the same global flags as `rollout`, and list / show / run /
//! validate.

use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand};
use clap_complete::Shell;

use crate::checklist::commands::{self, RunArgs};
use crate::checklist::select::Selection;
use crate::error::Result;
use crate::global_args::GlobalArgs;
use crate::output::Output;

#[derive(Debug, Parser)]
#[command(
    name = "checklist",
    version,
    about = "Run the release checklists in checklists/*.yaml: automated tasks run a command, manual tasks ask a person",
    after_help = "Exit codes: 0 done, 1 a task failed or a manual task was declined, 2 usage or a broken checklist, \
                  130 interrupted (continue with --resume)."
)]
pub struct ChecklistCli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: ChecklistCommand,
}

#[derive(Debug, Subcommand)]
pub enum ChecklistCommand {
    /// The checklists found, with task counts
    List,
    /// The tasks of checklist NAME, in order, with their kind
    Show {
        /// The checklist (its file name without .yaml)
        name: String,
    },
    /// Run one or more checklists in order
    Run {
        /// The checklists to run (with --resume: optional, the last unfinished run)
        #[arg(value_name = "NAME")]
        names: Vec<String>,
        /// Skip manual tasks
        #[arg(long)]
        skip_manual: bool,
        /// Start at task ID (the tasks before it are skipped)
        #[arg(long, value_name = "ID")]
        from: Option<String>,
        /// Run only task ID (repeatable; ID or CHECKLIST/ID)
        #[arg(long, value_name = "ID")]
        only: Vec<String>,
        /// Skip task ID (repeatable; ID or CHECKLIST/ID)
        #[arg(long, value_name = "ID")]
        skip: Vec<String>,
        /// Continue the last unfinished run after its last passed task
        #[arg(long)]
        resume: bool,
        /// How many parallel tasks run at once [default: the number of CPUs]
        #[arg(long, short = 'j', value_name = "N")]
        jobs: Option<usize>,
        /// Write a JUnit XML report to FILE
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
    },
    /// Check every checklist file; exit 0 or 2
    Validate,
    /// Print a completion script for SHELL (the same files live in completions/)
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: Shell,
    },
}

/// Runs one parsed `checklist` command; `Ok` carries the exit code.
pub async fn run(cli: ChecklistCli, out: Output) -> Result<i32> {
    let g = &cli.global;
    match cli.command {
        ChecklistCommand::List => commands::list(g, &out),
        ChecklistCommand::Show { name } => commands::show(g, &out, &name),
        ChecklistCommand::Validate => commands::validate(g, &out),
        ChecklistCommand::Completions { shell } => {
            let mut cmd = ChecklistCli::command();
            // Written whole, and a closed stdout (`| head -1`) ends it quietly (clap_complete panics).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "checklist", &mut script);
            let _ = std::io::Write::write_all(&mut std::io::stdout(), &script);
            Ok(0)
        }
        ChecklistCommand::Run {
            names,
            skip_manual,
            from,
            only,
            skip,
            resume,
            jobs,
            junit,
        } => {
            let args = RunArgs {
                names,
                selection: Selection {
                    only,
                    skip,
                    from,
                    skip_manual,
                },
                resume,
                jobs,
                junit,
            };
            commands::run(g, &out, args).await
        }
    }
}
