//! The flags both binaries take (README.md "Commands", global flags).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::domain::env_vars::EnvVars;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Run as if started in DIR (where stages.yaml is, or below it)
    #[arg(
        short = 'C',
        long = "dir",
        value_name = "DIR",
        env = EnvVars::ROLLOUT_DIR,
        hide_env_values = true,
        global = true
    )]
    pub dir: Option<PathBuf>,

    /// Environment to act on (a name under `environments:`, or the provider's environment)
    #[arg(
        long,
        value_name = "NAME",
        env = EnvVars::ROLLOUT_ENV,
        hide_env_values = true,
        global = true
    )]
    pub env: Option<String>,

    /// Change nothing: print each request that would be sent and the event that would be recorded
    #[arg(long, global = true)]
    pub dry_run: bool,

    /// Print one JSON document on stdout (with "schema": 1)
    #[arg(long, global = true)]
    pub json: bool,

    /// When to use colour
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN", global = true)]
    pub color: ColorChoice,

    /// Print only results and errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print details: provider requests (secrets hidden), timings
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Answer yes to confirmations (for scripts and CI)
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,

    /// Who is making the change [default: ROLLOUT_ACTOR, CI's actor, git user.email, $USER]
    #[arg(long, value_name = "NAME", global = true)]
    pub actor: Option<String>,

    /// How long to keep trying the provider before giving up
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = crate::domain::clock::parse_duration, global = true)]
    pub timeout: Duration,
}
