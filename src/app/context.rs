//! Everything a `rollout` command that touches the flag needs, resolved once per run.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::adapters::provider::{self, Provider};
use crate::domain::config::{Config, ProviderSettings};
use crate::domain::error::{Error, Result};
use crate::interface::cli::global_args::GlobalArgs;
use crate::interface::output::Output;

pub struct Context {
    pub args: GlobalArgs,
    pub out: Output,
    /// Where the lower layers log (`-v`, warnings): the port, rendered by `out`.
    pub log: crate::ports::log::Logger,
    pub config: Config,
    pub settings: ProviderSettings,
    pub provider: Box<dyn Provider>,
    /// Resolved when first read (see [`crate::adapters::actor::Actor`]).
    pub actor: crate::adapters::actor::Actor,
    pub now: DateTime<Utc>,
}

/// The directory a run starts from: `-C DIR` (or `ROLLOUT_DIR`), else the current one.
pub fn start_dir(args: &GlobalArgs) -> Result<PathBuf> {
    match &args.dir {
        Some(dir) if dir.is_dir() => Ok(dir.clone()),
        Some(dir) => Err(Error::usage(format!(
            "-C {}: no such directory",
            dir.display()
        ))),
        None => std::env::current_dir()
            .map_err(|e| Error::usage(format!("cannot read the current directory: {e}"))),
    }
}

/// Finds and validates stages.yaml from the run's start directory.
pub fn load_config(args: &GlobalArgs) -> Result<Config> {
    let path = crate::adapters::project::stages_file(&start_dir(args)?)?;
    Config::load(&path)
}

impl Context {
    pub fn load(args: &GlobalArgs, out: Output) -> Result<Context> {
        let config = load_config(args)?;
        Self::from_config(args, out, config)
    }

    pub fn from_config(args: &GlobalArgs, out: Output, config: Config) -> Result<Context> {
        crate::adapters::notify::register_secrets(&config.notify);
        let settings = config.provider_for(args.env.as_deref())?;
        let mut provider = provider::open(&config, &settings, args.timeout)?;
        let log: crate::ports::log::Logger = std::sync::Arc::new(out.clone());
        provider.set_log(log.clone());
        let actor = crate::adapters::actor::Actor::new(args.actor.as_deref(), &config.dir);
        Ok(Context {
            args: args.clone(),
            out,
            log,
            settings,
            provider,
            actor,
            now: crate::domain::clock::now()?,
            config,
        })
    }

    /// What reading gates needs from this run: its config, output, `--timeout` and clock, with
    /// the current stage's start and percentage where the caller knows them.
    #[must_use]
    pub fn gate_env(
        &self,
        stage_since: Option<DateTime<Utc>>,
        percentage: Option<crate::domain::config::Percentage>,
    ) -> crate::adapters::gates::Env<'_> {
        crate::adapters::gates::Env {
            config: &self.config,
            log: &self.log,
            timeout: self.args.timeout,
            now: self.now,
            stage_since,
            percentage,
        }
    }
}
