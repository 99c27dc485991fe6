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

mod boundary;
pub mod client;
pub mod events;
pub mod mapping;

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use self::client::{Client, Reply};
use self::mapping::{Layout, Role, Step};
use super::{Change, Desired, FlagState, Note, Request};
use crate::config::{Config, ProviderSettings};
use crate::error::{Error, Result};
use crate::exposure::Bucketing;
use crate::output::Output;

pub const DEFAULT_PROJECT: &str = "default";

pub struct UnleashProvider {
    client: Client,
    flag: String,
    project: String,
    environment: String,
    /// Strategies the tool does not manage were reported (once a run).
    warned: std::sync::atomic::AtomicBool,
}

fn enc(s: &str) -> String {
    // Flag, project and environment names are URL-friendly in Unleash; escape the rest anyway.
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl UnleashProvider {
    pub fn new(config: &Config, settings: &ProviderSettings, timeout: Duration) -> Result<Self> {
        let url = settings.url.clone().ok_or_else(|| {
            Error::usage("the unleash provider needs a URL, and none is set").with_hint(
                "add `url:` under `provider:` in stages.yaml, or set ROLLOUT_PROVIDER_URL",
            )
        })?;
        let var = settings
            .token_var()
            .unwrap_or_else(|| crate::env_vars::EnvVars::UNLEASH_API_TOKEN.to_string());
        let token = match std::env::var(&var) {
            Ok(t) if !t.trim().is_empty() => t.trim().to_string(),
            _ => {
                return Err(Error::usage(format!(
                    "{var} is not set: the unleash provider reads its API token from it"
                ))
                .with_hint(format!(
                    "export {var}=<an Unleash admin or personal access token>, or name another variable with `token_env:` under `provider:`"
                )))
            }
        };
        Ok(UnleashProvider {
            client: Client::new(&url, token, var, timeout)?,
            flag: config.flag.clone(),
            project: settings
                .project
                .clone()
                .unwrap_or_else(|| DEFAULT_PROJECT.to_string()),
            environment: settings.environment.clone(),
            warned: std::sync::atomic::AtomicBool::new(false),
        })
    }

    pub fn set_log(&mut self, out: Output) {
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

    /// The flag's environment entry, or the error that says which name is wrong.
    async fn read_env(&self) -> Result<Value> {
        let reply = self
            .client
            .send(Method::GET, &self.feature_path(), None)
            .await?;
        if reply.status == 404 {
            return Err(self.not_found(&reply).await);
        }
        if !reply.ok() {
            return Err(self.client.refusal(
                &reply,
                &format!("reading {}", self.flag),
                "nothing was changed",
            ));
        }
        let envs = reply
            .body
            .get("environments")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        match envs
            .iter()
            .find(|e| e.get("name").and_then(Value::as_str) == Some(&self.environment))
        {
            Some(env) => Ok(env.clone()),
            None => {
                let names: Vec<&str> = envs
                    .iter()
                    .filter_map(|e| e.get("name").and_then(Value::as_str))
                    .collect();
                Err(Error::provider(format!(
                    "{} in project {} has no environment `{}` in Unleash; it has: {}; nothing was changed",
                    self.flag,
                    self.project,
                    self.environment,
                    if names.is_empty() { "none".to_string() } else { names.join(", ") }
                ))
                .with_hint(
                    "set `environment:` under `provider:` (or pass --env) to one of those, or add the environment to the project in Unleash",
                )
                .permanent())
            }
        }
    }

    /// A 404 for the flag: an unknown project, or an unknown flag with the similar ones listed.
    async fn not_found(&self, reply: &Reply) -> Error {
        let said = reply.message();
        if let Ok(r) = self
            .client
            .send(Method::GET, "/api/admin/projects", None)
            .await
        {
            let ids: Vec<String> = r
                .body
                .get("projects")
                .and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .filter_map(|p| p.get("id").and_then(Value::as_str))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            if r.ok() && !ids.is_empty() && !ids.contains(&self.project) {
                return Error::provider(format!(
                    "Unleash has no project `{}`; its projects are: {}; nothing was changed",
                    self.project,
                    ids.join(", ")
                ))
                .with_hint("set `project:` under `provider:` in stages.yaml to one of them")
                .permanent();
            }
        }
        let mut similar = Vec::new();
        let list_path = format!("/api/admin/projects/{}/features", enc(&self.project));
        if let Ok(r) = self.client.send(Method::GET, &list_path, None).await {
            let mut scored: Vec<(f64, String)> = r
                .body
                .get("features")
                .and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .filter_map(|f| f.get("name").and_then(Value::as_str))
                        .map(|n| (strsim::jaro_winkler(n, &self.flag), n.to_string()))
                        .filter(|(score, _)| *score > 0.75)
                        .collect()
                })
                .unwrap_or_default();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            similar = scored.into_iter().take(5).map(|(_, n)| n).collect();
        }
        let listed = if similar.is_empty() {
            String::new()
        } else {
            format!("; similar flags: {}", similar.join(", "))
        };
        Error::provider(format!(
            "Unleash has no flag `{}` in project {} ({said}){listed}; nothing was changed",
            self.flag, self.project
        ))
        .with_hint(format!(
            "fix `flag:` in stages.yaml, or create the flag in Unleash first (UI, or POST {} {{\"name\": \"{}\"}}); rollout never creates flags, so a typo cannot start a flag no app reads",
            self.client.url(&list_path),
            self.flag
        ))
        .permanent()
    }

    pub async fn read(&self) -> Result<FlagState> {
        let env = self.read_env().await?;
        let layout = Layout::from_env(&env);
        if layout.enabled
            && layout.others > 0
            && !self.warned.swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            self.client.warn(&format!(
                "{} other strategies in {} also serve {} (added in Unleash, not by rollout): more users may see it than the stage's percentage says; rollout leaves them alone",
                layout.others, self.environment, self.flag
            ));
        }
        mapping::state_of(&layout, &env, &self.flag, &self.environment)
    }

    /// The flag's changes in this environment, newest first, from Unleash's event log.
    pub async fn changes(&self, limit: usize) -> Result<Vec<Change>> {
        self.events(limit, None).await
    }

    async fn events(&self, limit: usize, types: Option<&str>) -> Result<Vec<Change>> {
        let mut path = format!(
            "/api/admin/search/events?feature=IS:{}&project=IS:{}&environment=IS:{}&limit={}",
            enc(&self.flag),
            enc(&self.project),
            enc(&self.environment),
            limit.clamp(1, events::MAX_PAGE)
        );
        if let Some(t) = types {
            path.push_str(&format!("&type=IS_ANY_OF:{t}"));
        }
        let reply = self.client.send(Method::GET, &path, None).await?;
        if !reply.ok() {
            return Err(self.client.refusal(
                &reply,
                "reading the event log",
                "nothing was changed",
            ));
        }
        Ok(reply
            .body
            .get("events")
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(events::change).collect())
            .unwrap_or_default())
    }

    /// Fills in when the stage started and when the flag was killed, from the event log.
    pub async fn add_times(&self, state: &mut FlagState) -> Result<()> {
        if !state.exists {
            return Ok(());
        }
        let changes = self.events(events::MAX_PAGE, None).await?;
        state.since = events::since(&changes, state.percentage);
        if !state.on {
            state.killed_at = events::killed_at(&changes);
        }
        Ok(())
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
        mapping::steps(&layout, desired, note, &self.flag)
            .iter()
            .map(|s| self.request_of(s))
            .collect()
    }

    pub async fn write(
        &self,
        expected: &FlagState,
        desired: &Desired,
        note: &Note,
    ) -> Result<FlagState> {
        let layout = Self::layout_of(expected);
        let steps = mapping::steps(&layout, desired, note, &self.flag);
        // For the conflict tests: a window between the read and the write, long enough for a
        // test to change the flag through the Admin API. Unset in normal use.
        if let Some(pause) = crate::env_vars::test_pause_before_write() {
            tokio::time::sleep(pause).await;
        }
        let mut done: Vec<String> = Vec::new();
        let mut details: Vec<String> = Vec::new();
        let changed = |done: &[String]| {
            if done.is_empty() {
                "nothing was changed".to_string()
            } else {
                format!("already changed: {}", done.join(", "))
            }
        };
        for step in &steps {
            let req = self.request_of(step);
            let path = req
                .url
                .strip_prefix(self.client.base())
                .unwrap_or(&req.url)
                .to_string();
            let method = Method::from_bytes(req.method.as_bytes()).unwrap_or(Method::POST);
            let reply = match self.client.send(method, &path, req.body.as_ref()).await {
                Ok(r) => r,
                Err(mut e) => {
                    if !done.is_empty() {
                        e.message = format!("{} (before it, {})", e.message, changed(&done));
                    }
                    return Err(e);
                }
            };
            let what = describe_step(step, desired);
            if reply.is_test_failure() {
                if let Step::Patch {
                    role, id, wanted, ..
                } = step
                {
                    // Someone else may have made this very change (a racing advance): fine.
                    if *role != Role::Rollout && self.already(id, wanted).await {
                        details.push(format!(
                            "{} was already changed by a concurrent run",
                            role.name()
                        ));
                        continue;
                    }
                }
                return Err(self.conflict(&what, &changed(&done)).await);
            }
            if let (404, Step::Delete { role, .. }) = (reply.status, step) {
                // Removed a moment ago by a concurrent run making the same change.
                details.push(format!(
                    "the {} strategy was already removed by a concurrent run",
                    role.name()
                ));
                continue;
            }
            if reply.status == 404 && matches!(step, Step::Patch { .. }) {
                // The strategy read a moment ago is gone: someone deleted it.
                return Err(self.conflict(&what, &changed(&done)).await);
            }
            if !reply.ok() {
                let err = if reply.status == 404 {
                    self.not_found(&reply).await
                } else {
                    self.client.refusal(&reply, &what, &changed(&done))
                };
                return Err(err);
            }
            if let Step::Create { role, .. } = step {
                if let Some(d) = self.keep_oldest(*role, &reply.body, &what, &done).await? {
                    details.push(d);
                }
            }
            done.push(what);
        }
        if let Some(race) = self.race(&steps, &layout, desired).await {
            details.push(race);
        }
        let mut state = expected.clone();
        state.exists = true;
        state.on = desired.on;
        state.percentage = desired.percentage;
        state.stage = Some(desired.stage.clone());
        state.users.clone_from(&desired.users);
        state.groups.clone_from(&desired.groups);
        state.version = String::new();
        state.detail = (!details.is_empty()).then(|| details.join("; "));
        Ok(state)
    }

    /// Whether strategy `id` already holds `wanted` (constraint values).
    async fn already(&self, id: &str, wanted: &Value) -> bool {
        match self
            .client
            .send(Method::GET, &self.strategy_path(id), None)
            .await
        {
            Ok(r) if r.ok() => r.body.pointer("/constraints/0/values") == Some(wanted),
            _ => false,
        }
    }

    /// After creating a strategy: if a concurrent run created one of the same role, the oldest
    /// stays and this run removes its own copy. The same content is the same change (both runs
    /// report it, and say so); different content is a conflict.
    async fn keep_oldest(
        &self,
        role: Role,
        created: &Value,
        what: &str,
        done: &[String],
    ) -> Result<Option<String>> {
        let id = created
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Ok(env) = self.read_env().await else {
            return Ok(None);
        };
        let layout = Layout::from_env(&env);
        let Some(kept) = layout.get(role) else {
            return Ok(None);
        };
        if kept.id == id {
            return Ok(None);
        }
        let _ = self
            .client
            .send(Method::DELETE, &self.strategy_path(id), None)
            .await;
        let same = kept.rollout() == created.pointer("/parameters/rollout")
            && kept.raw.pointer("/constraints/0/values")
                == created.pointer("/constraints/0/values");
        if same {
            return Ok(Some(format!(
                "another run created the same {} strategy at the same moment; its copy was kept",
                role.name()
            )));
        }
        let before = if done.is_empty() {
            "nothing else was changed".to_string()
        } else {
            format!("already changed: {}", done.join(", "))
        };
        Err(Error::conflict(format!(
            "{} changed at the same moment by another run ({what} raced with strategy {}, which differs); this run removed its own copy; {before}",
            self.flag, kept.id
        ))
        .with_hint("run `rollout status` to see the new state, then decide again"))
    }

    /// Unleash's patch `test` is not atomic: two runs moving from the same value can both pass.
    /// The event log shows it; the journal then says so.
    async fn race(&self, steps: &[Step], layout: &Layout, desired: &Desired) -> Option<String> {
        let rollout_patched = steps.iter().any(|s| {
            matches!(
                s,
                Step::Patch {
                    role: Role::Rollout,
                    ..
                }
            )
        });
        if !rollout_patched {
            return None;
        }
        let before = mapping::parse_rollout(
            layout.rollout.as_ref().and_then(mapping::Strategy::rollout),
            &self.flag,
            &self.environment,
        )
        .ok()?;
        let changes = self
            .events(20, Some("feature-strategy-update"))
            .await
            .ok()?;
        let racing = changes
            .iter()
            .filter(|c| c.rollout_role && c.from != c.to)
            .take_while(|c| c.from == Some(before) && c.to == Some(desired.percentage))
            .count();
        (racing > 1).then(|| {
            format!(
                "{racing} runs moved {} from {before} to {} at the same moment (Unleash's patch test is not atomic); the flag is at {} once",
                self.flag, desired.percentage, desired.stage
            )
        })
    }

    /// A conflict, naming who changed the flag last where the event log says.
    async fn conflict(&self, what: &str, changed: &str) -> Error {
        let last = self
            .events(5, None)
            .await
            .ok()
            .and_then(|c| c.into_iter().next())
            .map(|c| {
                format!(
                    "; last change in Unleash: {} by {} at {}",
                    c.summary,
                    c.actor,
                    crate::clock::stamp(c.time)
                )
            })
            .unwrap_or_default();
        Error::conflict(format!(
            "{} changed in Unleash while this command ran ({what} found a different value than it read){last}; {changed}",
            self.flag
        ))
        .with_hint("run `rollout status` to see the new state, then decide again")
    }
}

fn describe_step(step: &Step, desired: &Desired) -> String {
    match step {
        Step::Patch {
            role: Role::Rollout,
            ..
        }
        | Step::Create {
            role: Role::Rollout,
            ..
        } => {
            format!("setting the rollout to {}", desired.percentage)
        }
        Step::Patch { role, .. } | Step::Create { role, .. } => {
            format!("setting the {}", role.name())
        }
        Step::Delete { role, .. } => format!("removing the {} strategy", role.name()),
        Step::On => "turning the environment on".to_string(),
        Step::Off => "turning the environment off".to_string(),
    }
}
