//! The `rollout` command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use clap_complete::Shell;

use crate::interface::cli::global_args::GlobalArgs;

#[derive(Debug, Parser)]
#[command(
    name = "rollout",
    version,
    about = "Move a feature flag through named rollout stages, with a kill switch, soak times and a journal",
    after_help = "Examples:\n  rollout plan\n  rollout advance --dry-run\n  rollout kill --reason \"error spike\"\n\n\
                  Exit codes: 0 done, 1 failed, 2 usage or configuration error, 3 refused by a rule, \
                  4 provider error, 5 conflict with a concurrent change, 130 interrupted."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone, Default)]
pub struct ForceArgs {
    /// Override a refusing rule (skip, soak, planned start, killed); needs --reason
    #[arg(long)]
    pub force: bool,

    /// Why this change is made (journaled and sent to notify targets)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the stage table as a timeline, marking the current stage
    #[command(
        after_help = "Examples:\n  rollout plan\n  rollout plan --env staging\n  rollout plan --json\n  rollout plan --power --traffic 12000/h --baseline 1% --max-increase 0.5%"
    )]
    Plan(crate::interface::cli::plan_args::PlanArgs),
    /// Show the flag's state as the provider reports it, and when the next stage is allowed
    #[command(after_help = "Examples:\n  rollout status\n  rollout status --env staging --json")]
    Status,
    /// Move to the next stage (or STAGE, which must be the next one)
    #[command(
        after_help = "Examples:\n  rollout advance\n  rollout advance beta --dry-run\n  rollout advance --yes                          # CI: no question\n  rollout advance beta --force --reason \"hotfix verified\""
    )]
    Advance {
        /// The stage to move to
        stage: Option<String>,
        #[command(flatten)]
        force: ForceArgs,
    },
    /// Move down to the previous stage (or an earlier STAGE)
    #[command(
        after_help = "Examples:\n  rollout rollback\n  rollout rollback internal --reason \"error rate up\""
    )]
    Rollback {
        /// The stage to move back to
        stage: Option<String>,
        #[command(flatten)]
        force: ForceArgs,
    },
    /// The emergency switch: turn the flag off in the environment now
    #[command(
        after_help = "Examples:\n  rollout kill --reason \"checkout errors\"\n  rollout kill --env production --yes"
    )]
    Kill {
        /// Why (journaled and sent to notify targets)
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Turn a killed flag back on, at the stage it was killed at, for the same users
    #[command(after_help = "Examples:\n  rollout resume --reason \"fix deployed\"")]
    Resume {
        /// Why (journaled and sent to notify targets)
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Show the journal, newest first
    #[command(after_help = "Examples:\n  rollout history\n  rollout history --limit 5 --json")]
    History {
        /// Show at most N entries
        #[arg(long, value_name = "N", default_value_t = 20)]
        limit: usize,
    },
    /// Exposure: how many and which user ids in FILE are on at each stage
    #[command(
        after_help = "Examples:\n  rollout preview --users users.txt\n  rollout preview beta --users users.txt --ids\n  cut -d, -f1 users.csv | rollout preview --users -"
    )]
    Preview {
        /// Only this stage (prints the ids that are on)
        stage: Option<String>,
        /// A file of user ids, one a line (- for stdin)
        #[arg(long, value_name = "FILE")]
        users: PathBuf,
        /// List the ids that are on (for STAGE, or for the flag's current state)
        #[arg(long)]
        ids: bool,
    },
    /// The first stage that includes USER, and whether the flag is on for USER now
    #[command(
        after_help = "Examples:\n  rollout check user-42\n  rollout check user-42 --group beta-testers"
    )]
    Check {
        /// The user id (the flagd targetingKey, Unleash userId)
        user: String,
        /// A group USER belongs to (repeatable)
        #[arg(long, value_name = "GROUP")]
        group: Vec<String>,
    },
    /// Each gate's value, threshold and verdict now; exit 1 when one blocks
    #[command(after_help = "Examples:\n  rollout gates\n  rollout gates --stage beta --json")]
    Gates {
        /// The gates of this stage (default: the stage the flag is at)
        #[arg(long, value_name = "STAGE")]
        stage: Option<String>,
    },
    /// Look at the gates every --interval; kill on a critical breach; --advance
    #[command(
        after_help = "Examples:\n  rollout watch                                   # kill on a sustained critical breach\n  rollout watch --advance --yes --interval 1m     # CI: walk the whole plan\n  rollout watch --advance --until limited\n  rollout watch --once --advance --yes --interval 5m  # cron every 5 minutes"
    )]
    Watch(WatchArgs),
    /// The shared state store (`state:`): its status, or push the journal into it
    #[command(
        subcommand,
        disable_help_subcommand = true,
        after_help = "Examples:\n  rollout state status\n  rollout state status --json\n  rollout state push                              # move a team onto the store"
    )]
    State(StateCommand),
    /// Check stages.yaml and every checklist; exit 0 or 2
    #[command(after_help = "Examples:\n  rollout validate\n  rollout validate --json")]
    Validate,
    /// Print a completion script for SHELL
    #[command(
        after_help = "Examples:\n  rollout completions bash > ~/.local/share/bash-completion/completions/rollout\n  rollout completions zsh > ~/.zfunc/_rollout"
    )]
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: Shell,
    },
    /// Print the JSON Schema of stages.yaml or of a checklist (for editors; docs/schema.md)
    #[command(
        after_help = "Examples:\n  rollout schema stages > .rollout/schema/stages.schema.json\n  rollout schema checklist"
    )]
    Schema {
        /// The file format
        #[arg(value_parser = crate::domain::schema::NAMES)]
        name: String,
    },
    /// Write a commented starter stages.yaml (and checklists/) into a project that has none
    #[command(
        after_help = "Examples:\n  rollout init --flag new-checkout\n  rollout init --dry-run"
    )]
    Init {
        /// The flag key to write into stages.yaml
        #[arg(long, value_name = "KEY", default_value = "my-new-feature")]
        flag: String,
    },
}

/// `rollout state` subcommands (docs/team.md).
#[derive(Debug, Subcommand, Clone)]
pub enum StateCommand {
    /// Which store, whether it is reachable, its schema version, records and lease holders; exit 4 when unreachable
    #[command(after_help = "Examples:\n  rollout state status\n  rollout state status --json")]
    Status,
    /// Copy the local journal (.rollout/journal.jsonl) into the configured store; records it holds already are skipped
    #[command(after_help = "Examples:\n  rollout state push\n  rollout state push --json")]
    Push,
}

#[derive(Debug, Args, Clone)]
pub struct WatchArgs {
    /// Time between looks
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = humantime::parse_duration)]
    pub interval: std::time::Duration,

    /// Also advance when the soak has passed, the planned start has come and every gate of the next stage passes
    #[arg(long)]
    pub advance: bool,

    /// Stop (exit 0) once the flag is at STAGE
    #[arg(long, value_name = "STAGE")]
    pub until: Option<String>,

    /// One look, act, exit: 0 nothing to do or advanced (or another run holds the lease), 1 killed, 3 held, 4 provider or store error (for cron and CI schedules; pass the schedule's period as --interval)
    #[arg(long)]
    pub once: bool,

    // Watch has no --dry-run (it acts on what it sees), so its help does not list the global
    // one: this hidden flag of the same id stands in for it here and is refused when given.
    #[arg(
        long,
        hide = true,
        help = "Refused: watch acts on what it sees (`rollout gates` shows the verdicts now)"
    )]
    pub dry_run: bool,
}
