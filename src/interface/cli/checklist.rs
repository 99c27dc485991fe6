//! The `checklist` command line: the same global flags as `rollout`, and list / show / run /
//! validate.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use clap_complete::Shell;

use crate::domain::checklist::select::Selection;
use crate::interface::cli::global_args::GlobalArgs;

#[derive(Debug, Parser)]
#[command(
    name = "checklist",
    version,
    about = "Run the release checklists in checklists/*.yaml: automated tasks run a command, manual tasks ask a person",
    after_help = "Examples:\n  \
                  checklist list\n  \
                  checklist run pre-deployment --skip-manual --junit target/checklist.xml\n  \
                  checklist run deployment --resume\n\n\
                  Exit codes: 0 done, 1 a task failed or a manual task was declined, 2 usage or a broken checklist, \
                  3 a rollout: task refused by a rule, 130 interrupted (continue with --resume).",
    // The global flags, in checklist terms (the same flags as `rollout`: README "Commands").
    mut_arg("dry_run", |a| a.help("Run nothing and write nothing: print each task and what it would do (rollout: tasks preview their change); exit as the run would")),
    mut_arg("verbose", |a| a.help("Print each task's whole output when it ends, and the tasks that are skipped")),
    mut_arg("quiet", |a| a.help("Print only failed tasks, the closing line and errors")),
    mut_arg("timeout", |a| a.help("How long rollout: tasks keep trying the provider before giving up (task time limits are `timeout:` in the checklist)")),
    mut_arg("yes", |a| a.help("Confirm manual tasks and rollout: confirmations without asking (for CI)")),
    mut_arg("env", |a| a.help("Environment the rollout: tasks act on (a name under `environments:` in stages.yaml)")),
    mut_arg("actor", |a| a.help("Who runs the checklist, as journaled [default: ROLLOUT_ACTOR, CI's actor, git user.email, $USER]")),
    mut_arg("json", |a| a.help("Print one JSON document on stdout (with \"schema\": 1); the closing line goes to stderr")),
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
    #[command(
        after_help = "Examples:\n  checklist list\n  checklist list --json\n  checklist -C ../app list"
    )]
    List,
    /// The tasks of checklist NAME, in order, with their kind
    #[command(
        after_help = "Examples:\n  checklist show pre-deployment\n  checklist show deployment -v      # each task's command or instructions\n  checklist show deployment --json"
    )]
    Show {
        /// The checklist (its file name without .yaml)
        name: String,
    },
    /// Run one or more checklists in order
    #[command(after_help = "Examples:\n  \
        checklist run pre-deployment\n  \
        checklist run pre-deployment --skip-manual --junit target/checklist.xml   # CI\n  \
        checklist run deployment --from update-feature-flags --yes\n  \
        checklist run pre-deployment --only run-all-tests\n  \
        checklist run post-deployment --dry-run\n  \
        checklist run deployment --resume      # after fixing what failed, or after Ctrl-C\n\n\
        A run that cannot finish (a manual task and no terminal, an unset require_env variable, a \
        rollout: change the rules refuse) fails before its first task. Ctrl-C or SIGTERM stops the \
        running tasks' process groups (10 s for their cleanup; a second Ctrl-C: at once).")]
    Run(RunArgs),
    /// Check every checklist file; exit 0 or 2
    #[command(
        after_help = "Examples:\n  checklist validate\n  checklist validate --json\n\n\
        Also checks that each task's `shell:` program is on this machine. `run:` tasks run under \
        `bash -e -o pipefail` (`sh -e` without bash): a task stops and fails at its first failing \
        command or pipeline; `shell: sh` keeps plain `sh -c`, where only the last command counts."
    )]
    Validate,
    /// Print a completion script for SHELL (the same files live in completions/)
    #[command(
        after_help = "Examples:\n  checklist completions bash > ~/.local/share/bash-completion/completions/checklist\n  checklist completions zsh > ~/.zfunc/_checklist"
    )]
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: Shell,
    },
}

/// The options of `checklist run`.
#[derive(Debug, Clone, Default, Args)]
pub struct RunArgs {
    /// The checklists to run (with --resume: optional, the last unfinished run)
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Skip manual tasks
    #[arg(long)]
    pub skip_manual: bool,
    /// Start at task ID (the tasks before it are skipped)
    #[arg(long, value_name = "ID")]
    pub from: Option<String>,
    /// Run only task ID (repeatable; ID or CHECKLIST/ID)
    #[arg(long, value_name = "ID")]
    pub only: Vec<String>,
    /// Skip task ID (repeatable; ID or CHECKLIST/ID)
    #[arg(long, value_name = "ID")]
    pub skip: Vec<String>,
    /// Continue the last unfinished run after its last passed task
    #[arg(long)]
    pub resume: bool,
    /// How many parallel tasks run at once [default: the number of CPUs]
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Write a JUnit XML report to FILE
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

impl RunArgs {
    /// Which tasks of the named checklists the run takes.
    #[must_use]
    pub fn selection(&self) -> Selection {
        Selection {
            only: self.only.clone(),
            skip: self.skip.clone(),
            from: self.from.clone(),
            skip_manual: self.skip_manual,
        }
    }
}
