//! `checklist`: running the release checklists of `checklists/*.yaml` (the format lives in
//! [`crate::domain::checklist`]).
//!
//! [`preflight`] finds what would stop a run before it starts; [`runner`] runs a plan, sending
//! [`progress`] events to one reporter and asking a person through a [`prompt`]; a `rollout:`
//! task reaches the stage engine through [`rollout`] (the interface gives it the run's options).

pub mod preflight;
pub mod progress;
pub mod prompt;
pub mod rollout;
pub mod rollout_task;
pub mod runner;

/// The task types, where [`rollout_task`] names them.
pub use crate::domain::checklist::task;

use std::path::Path;

use crate::domain::env_vars::EnvVars;

/// The provider tokens and webhook URLs a run could meet, registered so that task output, logs
/// and reports show them as `***`: the default token variables, and those stages.yaml names.
pub fn register_secrets(dir: &Path) {
    let mut vars: Vec<String> = [
        EnvVars::UNLEASH_API_TOKEN,
        EnvVars::LD_ACCESS_TOKEN,
        EnvVars::ROLLOUT_HTTP_TOKEN,
        EnvVars::SLACK_WEBHOOK_URL,
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    if let Ok(config) =
        crate::domain::config::Config::load(&dir.join(crate::domain::config::STAGES_FILE))
    {
        crate::adapters::notify::register_secrets(&config.notify);
        vars.extend(
            std::iter::once(&config.provider)
                .chain(config.environments.values())
                .filter_map(|s| s.token_env().map(str::to_string)),
        );
    }
    for var in vars {
        if let Ok(value) = std::env::var(&var) {
            crate::domain::secrets::policy::register_secret(&value);
        }
    }
}
