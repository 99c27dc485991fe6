//! Everything a `rollout` command that touches the flag needs, resolved once per run: the
//! config, the provider, the actor, the clock, the log, and how the run was asked to change
//! things ([`Run`]). Built by the interface from its command line.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::adapters::provider::{self, Provider};
use crate::domain::config::{Config, ProviderSettings};
use crate::domain::error::Result;
use crate::ports::log::Logger;

/// How a run changes the flag: how long it may wait on the provider. (`--dry-run` is the
/// command's choice: it plans through [`crate::app::apply::plan`] instead of applying.)
#[derive(Debug, Clone, Copy)]
pub struct Run {
    /// `--timeout`: the longest a provider request (a kill with its read-back) may take.
    pub timeout: Duration,
}

/// Where a run points, as given on its command line.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// `--env`: the environment whose provider settings apply.
    pub env: Option<&'a str>,
    /// `--actor` (or `ROLLOUT_ACTOR`): who is recorded as making the change.
    pub actor: Option<&'a str>,
    pub run: Run,
}

pub struct Context {
    pub run: Run,
    /// Where the lower layers and the engine log (`-v`, warnings).
    pub log: Logger,
    pub config: Config,
    pub settings: ProviderSettings,
    pub provider: Box<dyn Provider>,
    /// Resolved when first read (see [`crate::adapters::actor::Actor`]).
    pub actor: crate::adapters::actor::Actor,
    pub now: DateTime<Utc>,
    /// Where records are written and read (`state:`; docs/team.md).
    pub state: Box<dyn crate::ports::state::Store>,
    /// The lease this run holds on the flag, if it took one: appends are fenced with it.
    pub lease: std::sync::Mutex<Option<crate::ports::state::Lease>>,
}

impl Context {
    /// Opens the provider of `config` for the environment of `options`, logging to `log`.
    pub fn open(config: Config, options: &Options<'_>, log: Logger) -> Result<Context> {
        crate::adapters::notify::register_secrets(&config.notify);
        let settings = config.provider_for(options.env)?;
        let mut provider = provider::open(&config, &settings, options.run.timeout)?;
        provider.set_log(log.clone());
        let actor = crate::adapters::actor::Actor::new(options.actor, &config.dir);
        Ok(Context {
            run: options.run,
            log,
            settings,
            provider,
            actor,
            now: crate::domain::clock::now()?,
            state: crate::adapters::state::open(&config.state, &config.dir, options.run.timeout)?,
            lease: std::sync::Mutex::new(None),
            config,
        })
    }

    /// What reading gates needs from this run: its config, log, `--timeout` and clock, with
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
            timeout: self.run.timeout,
            now: self.now,
            stage_since,
            percentage,
            not_started: false,
        }
    }
}
