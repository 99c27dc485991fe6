//! A command's run: the application's [`Context`] built from the command line, with the
//! output the command prints to and the answers it was given (`--yes`). The app layer sees only
//! the `Context`; a `Session` reads as one (`session.config`, `&session` where a `&Context` is
//! wanted).

use std::path::PathBuf;

use crate::app::context::{Context, Options, Run};
use crate::domain::config::Config;
use crate::domain::error::{Error, Result};
use crate::interface::cli::global_args::GlobalArgs;
use crate::interface::output::Output;

pub struct Session {
    pub ctx: Context,
    /// Where the command prints; also the `ctx.log` of the run.
    pub out: Output,
    /// `--yes`: answers every confirmation.
    pub yes: bool,
    /// `--dry-run`: the change commands plan what they would send instead of applying it.
    pub dry_run: bool,
}

impl std::ops::Deref for Session {
    type Target = Context;

    fn deref(&self) -> &Context {
        &self.ctx
    }
}

impl std::ops::DerefMut for Session {
    fn deref_mut(&mut self) -> &mut Context {
        &mut self.ctx
    }
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

/// What the app needs of the command line: `--env`, `--actor`, `--timeout`.
#[must_use]
pub fn options(args: &GlobalArgs) -> Options<'_> {
    Options {
        env: args.env.as_deref(),
        actor: args.actor.as_deref(),
        run: Run {
            timeout: args.timeout,
        },
    }
}

impl Session {
    pub fn load(args: &GlobalArgs, out: Output) -> Result<Session> {
        let config = load_config(args)?;
        Self::from_config(args, out, config)
    }

    pub fn from_config(args: &GlobalArgs, out: Output, config: Config) -> Result<Session> {
        let log: crate::ports::log::Logger = std::sync::Arc::new(out.clone());
        let ctx = Context::open(config, &options(args), log)?;
        Ok(Session {
            ctx,
            out,
            yes: args.yes,
            dry_run: args.dry_run,
        })
    }
}

/// A checklist's `rollout:` tasks run with the checklist's `--env`, `--actor`, `--timeout`,
/// `--dry-run` and `--yes`, asking on the terminal; the engine's warnings still show, and
/// nothing else it would print.
impl From<&GlobalArgs> for crate::app::checklist::rollout_task::Options {
    fn from(args: &GlobalArgs) -> Self {
        let quiet = Output {
            json: true,
            quiet: true,
            verbose: false,
            color_out: false,
            color_err: false,
            animate: false,
        };
        crate::app::checklist::rollout_task::Options {
            env: args.env.clone(),
            actor: args.actor.clone(),
            timeout: args.timeout,
            dry_run: args.dry_run,
            yes: args.yes,
            ask: crate::interface::confirm::confirm,
            log: std::sync::Arc::new(quiet),
        }
    }
}
