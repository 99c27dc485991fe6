//! The Unleash provider (Admin API, Unleash 5 and later; proven against unleash-server 8.2):
//! a stage is a `flexibleRollout` strategy plus constrained strategies for listed users and groups
//! in the configured project and environment (see [`mapping`]); kill is the environment off.
//!
//! Writes are guarded: every change to a strategy is a JSON Patch that first `test`s the value
//! this run read, and a failed test (Unleash answers 500 "Test operation failed") is a conflict.
//! Unleash evaluates the test and the write separately, so two writers racing from the same value
//! can both succeed; the write then checks the event log and says so.
//!
//! The flag must exist: a typo in `flag:` must not create a flag no application reads. A missing
//! flag is exit 4, naming it and listing flags with similar names.
//!
//! Here: the provider, its paths and reads. `read.rs` reads the environment (and names what is
//! missing), [`events`] the event log, `write.rs` is the guarded write step by step, `apply.rs`
//! sends its requests, `races.rs` tells a racing run's same change from a conflict.

mod apply;
mod boundary;
pub mod client;
pub mod events;
pub mod mapping;
mod races;
mod read;
mod write;

use std::time::Duration;

use serde_json::{json, Value};

use self::client::Client;
use self::mapping::{Layout, Step};
use super::{enc, Change, Desired, FlagState, Note, Request, Unmanaged};
use crate::domain::config::{Config, ProviderKind, UnleashSettings};
use crate::domain::error::Result;
use crate::domain::exposure::Bucketing;
use crate::ports::log::Logger;

pub const DEFAULT_PROJECT: &str = UnleashSettings::DEFAULT_PROJECT;

pub struct UnleashProvider {
    client: Client,
    flag: String,
    project: String,
    environment: String,
}

impl UnleashProvider {
    pub fn new(config: &Config, settings: &UnleashSettings, timeout: Duration) -> Result<Self> {
        let (token, var) = super::token(
            ProviderKind::Unleash,
            &settings.token_env,
            "an Unleash admin or personal access token",
        )?;
        Ok(UnleashProvider {
            client: Client::new(&settings.url, token, var, timeout)?,
            flag: config.flag.clone(),
            project: settings.project.clone(),
            environment: settings.environment.clone(),
        })
    }

    pub fn set_log(&mut self, out: Logger) {
        self.client.set_log(out);
    }

    #[must_use]
    pub fn describe(&self) -> String {
        format!("unleash {} (project {})", self.client.base(), self.project)
    }

    #[must_use]
    pub fn bucketing(&self) -> Bucketing {
        Bucketing::Unleash {
            group_id: self.flag.clone(),
        }
    }

    fn feature_path(&self) -> String {
        format!(
            "/api/admin/projects/{}/features/{}",
            enc(&self.project),
            enc(&self.flag)
        )
    }

    fn env_path(&self) -> String {
        format!(
            "{}/environments/{}",
            self.feature_path(),
            enc(&self.environment)
        )
    }

    fn strategy_path(&self, id: &str) -> String {
        format!("{}/strategies/{}", self.env_path(), enc(id))
    }

    pub async fn read(&self) -> Result<FlagState> {
        let sent = std::time::Instant::now();
        let env = self.read_env().await?;
        let layout = Layout::from_env(&env);
        let mut state = mapping::state_of(&layout, &env, &self.flag, &self.environment)?;
        state.read_at = Some(sent);
        Ok(state)
    }

    /// [`Self::read`] for kill: a rollout value it cannot read does not stop it.
    pub async fn read_for_kill(&self) -> Result<FlagState> {
        let env = self.read_env_with(true).await?;
        Ok(mapping::lenient_state_of(&Layout::from_env(&env), &env))
    }

    /// The strategies in the environment that `rollout` does not manage, from a state `read`
    /// returned (none while the environment is off: they serve nobody then).
    #[must_use]
    pub fn unmanaged(&self, state: &FlagState) -> Vec<Unmanaged> {
        let layout = Self::layout_of(state);
        if !layout.enabled {
            return Vec::new();
        }
        layout
            .others
            .iter()
            .map(mapping::Strategy::unmanaged)
            .collect()
    }

    fn layout_of(expected: &FlagState) -> Layout {
        serde_json::from_str::<Value>(&expected.version)
            .map(|v| Layout::from_env(&v))
            .unwrap_or_default()
    }

    fn request_of(&self, step: &Step) -> Request {
        let (method, url, body) = match step {
            Step::Patch { id, ops, .. } => ("PATCH", self.strategy_path(id), Some(json!(ops))),
            Step::Create { body, .. } => (
                "POST",
                format!("{}/strategies", self.env_path()),
                Some(body.clone()),
            ),
            Step::Delete { id, .. } => ("DELETE", self.strategy_path(id), None),
            Step::On => ("POST", format!("{}/on", self.env_path()), None),
            Step::Off => ("POST", format!("{}/off", self.env_path()), None),
        };
        Request {
            method: method.to_string(),
            url: self.client.url(&url),
            body,
            headers: vec![("Authorization".to_string(), "***".to_string())],
        }
    }

    #[must_use]
    pub fn preview(&self, expected: &FlagState, desired: &Desired, note: &Note) -> Vec<Request> {
        let layout = Self::layout_of(expected);
        mapping::steps_from(&layout, expected, desired, note, &self.flag)
            .iter()
            .map(|s| self.request_of(s))
            .collect()
    }
}
