//! The LaunchDarkly provider (REST API v2, `LD-API-Version: 20240415`): a stage is the
//! environment's fallthrough rollout, listed users individual targets and listed groups one rule
//! (see [`state`]); kill is `turnFlagOff`. Every write is one semantic patch (all or nothing)
//! carrying the event as its `comment`.
//!
//! Writes are guarded: LaunchDarkly has no If-Match, so the flag is read again just before the
//! patch (unless this run's read is younger than [`super::FRESH_READ`]) and a moved environment
//! `version` is a conflict naming what changed; a 409
//! `optimistic_locking_error` is a conflict too. A 405 (the environment requires approvals) is
//! reported, never retried. The kill switch sends `turnFlagOff` and nothing else: no check of
//! unrelated state can stand between a user and the off switch, and the read-back decides.

pub mod api;
pub mod state;

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant as Deadline;

use self::api::{AuditLog, ErrorBody, Flag, FlagList, Instruction, SemanticPatch};
use self::state::Parsed;
use super::{enc, Change, Desired, FlagState, Note, Provider, Request};
use crate::adapters::http_client::{self, Call, Method, Reply};
use crate::domain::config::{Config, LaunchDarklySettings, ProviderKind};
use crate::domain::error::{Error, Result, Written};
use crate::domain::exposure::Bucketing;
use crate::ports::log::Logger;

pub const DEFAULT_URL: &str = LaunchDarklySettings::DEFAULT_URL;
pub const DEFAULT_PROJECT: &str = LaunchDarklySettings::DEFAULT_PROJECT;

pub struct LaunchDarklyProvider {
    http: http_client::Client,
    token_var: String,
    deadline: Deadline,
    flag: String,
    project: String,
    environment: String,
    /// The plan's stages: LaunchDarkly keeps no stage name, so a read names the stage whose
    /// percentage the rollout has.
    stages: Vec<(String, crate::domain::config::Percentage)>,
    /// The last flag read: its variation ids and rule ids make the patch, its salt the bucketing.
    last: Mutex<Option<Parsed>>,
}

impl LaunchDarklyProvider {
    pub fn new(
        config: &Config,
        settings: &LaunchDarklySettings,
        timeout: Duration,
    ) -> Result<Self> {
        let (token, var) = super::token(
            ProviderKind::LaunchDarkly,
            &settings.token_env,
            "a LaunchDarkly API access token with writer rights",
        )?;
        let http = http_client::Client::new(
            "LaunchDarkly",
            &settings.url,
            http_client::Policy::for_deadline(timeout),
        )?
        .secret_header("authorization", &token, &var)?
        .header("ld-api-version", api::API_VERSION)?;
        Ok(LaunchDarklyProvider {
            http,
            token_var: var,
            deadline: Deadline::now() + timeout,
            flag: config.flag.clone(),
            project: settings.project.clone(),
            environment: settings.environment.clone(),
            stages: config
                .stages
                .iter()
                .map(|s| (s.name.clone(), s.percentage))
                .collect(),
            last: Mutex::new(None),
        })
    }

    fn flag_path(&self) -> String {
        format!("/api/v2/flags/{}/{}", enc(&self.project), enc(&self.flag))
    }

    fn read_path(&self) -> String {
        format!("{}?env={}", self.flag_path(), enc(&self.environment))
    }

    fn name_stage(&self, state: &mut FlagState) {
        if state.exists {
            state.stage = self
                .stages
                .iter()
                .find(|(_, p)| *p == state.percentage)
                .map(|(n, _)| n.clone());
        }
    }

    fn remember(&self, parsed: &Parsed) {
        if let Ok(mut last) = self.last.lock() {
            *last = Some(parsed.clone());
        }
    }

    fn last(&self) -> Option<Parsed> {
        self.last.lock().ok().and_then(|l| l.clone())
    }

    async fn send(&self, call: &Call) -> Result<Reply> {
        self.http
            .send(call, self.deadline)
            .await
            .map_err(http_client::GaveUp::into_error)
    }

    /// LaunchDarkly's `{code, message}` of a reply, for messages.
    fn said(reply: &Reply) -> String {
        let body: ErrorBody = reply.json().unwrap_or_default();
        let body = ErrorBody {
            code: super::printable(&body.code, 80),
            message: super::printable(&body.message, 300),
        };
        match (body.code.is_empty(), body.message.is_empty()) {
            (true, false) => body.message,
            (false, false) => format!("{} ({})", body.message, body.code),
            (false, true) => body.code,
            (true, true) => super::printable(&reply.excerpt(160), 200),
        }
    }

    /// The error for a reply that is no success; `changed` says what this command changed.
    fn refusal(&self, reply: &Reply, doing: &str, changed: &Written) -> Error {
        self.refused(reply, doing, changed).written(changed.clone())
    }

    fn refused(&self, reply: &Reply, doing: &str, changed: &Written) -> Error {
        let said = Self::said(reply);
        match reply.status {
            401 => Error::provider(format!(
                "LaunchDarkly at {} refused the token in {} (401: {said}); {changed}",
                self.http.base(),
                self.token_var
            ))
            .with_hint(format!(
                "export a LaunchDarkly API access token in {} (Account settings → Authorization)",
                self.token_var
            ))
            .permanent(),
            403 => Error::provider(format!(
                "LaunchDarkly refused to let the token in {} do this (403: {said}); {changed}",
                self.token_var
            ))
            .with_hint("the token needs a role that may update flags in this project and environment")
            .permanent(),
            405 => Error::provider(format!(
                "LaunchDarkly requires an approval to change {} in {} (405: {said}); {changed}",
                self.flag, self.environment
            ))
            .with_hint("request the change in LaunchDarkly's approval flow, or use an environment without required approvals; rollout does not retry it")
            .permanent(),
            400 | 404 | 422 => Error::provider(format!(
                "LaunchDarkly answered {} to {doing}: {said}; {changed}",
                reply.status
            ))
            .permanent(),
            _ => Error::provider(format!(
                "LaunchDarkly answered {} to {doing}: {said}; {changed}",
                reply.status
            )),
        }
    }

    /// A 404 for the flag: the similar flags in the project, or the project missing.
    async fn not_found(&self, reply: &Reply) -> Error {
        let said = Self::said(reply);
        let list = format!("/api/v2/flags/{}?summary=true", enc(&self.project));
        let mut similar: Vec<String> = Vec::new();
        match self.send(&Call::get(&list)).await {
            Ok(r) if r.status == 404 => {
                return Error::provider(format!(
                    "LaunchDarkly has no project `{}` ({said})",
                    self.project
                ))
                .nothing_changed()
                .with_hint("set `project:` under `provider:` in stages.yaml to the project's key")
                .permanent();
            }
            Ok(r) if r.ok() => {
                if let Ok(l) = r.json::<FlagList>() {
                    let mut scored: Vec<(f64, String)> = l
                        .items
                        .into_iter()
                        .map(|f| (strsim::jaro_winkler(&f.key, &self.flag), f.key))
                        .filter(|(s, _)| *s > 0.75)
                        .collect();
                    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
                    similar = scored.into_iter().take(5).map(|(_, k)| k).collect();
                }
            }
            _ => {}
        }
        let listed = if similar.is_empty() {
            String::new()
        } else {
            format!("; similar flags: {}", similar.join(", "))
        };
        Error::provider(format!(
            "LaunchDarkly has no flag `{}` in project {} ({said}){listed}",
            self.flag, self.project
        ))
.nothing_changed()
        .with_hint("fix `flag:` in stages.yaml, or create the boolean flag in LaunchDarkly first; rollout never creates flags")
        .permanent()
    }

    /// The flag's environment names, for "no such environment".
    async fn environments(&self) -> Vec<String> {
        match self.send(&Call::get(self.flag_path())).await {
            Ok(r) if r.ok() => r
                .json::<Flag>()
                .map(|f| f.environments.into_keys().collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    async fn fetch(&self) -> Result<Parsed> {
        let sent = std::time::Instant::now();
        let reply = self.send(&Call::get(self.read_path())).await?;
        if reply.status == 404 {
            return Err(self.not_found(&reply).await);
        }
        if !reply.ok() {
            return Err(self.refusal(&reply, &format!("reading {}", self.flag), &Written::Nothing));
        }
        let flag: Flag = reply.json().map_err(|e| {
            Error::provider(format!(
                "LaunchDarkly's answer for {} is not a flag as documented ({e})",
                self.flag
            ))
            .nothing_changed()
        })?;
        if !flag.environments.contains_key(&self.environment) {
            let names = self.environments().await;
            return Err(Error::provider(format!(
                "LaunchDarkly flag `{}` in project {} has no environment `{}`; it has: {}",
                self.flag,
                self.project,
                self.environment,
                if names.is_empty() { "none".to_string() } else { names.join(", ") }
            ))
.nothing_changed()
            .with_hint("set `environment:` under `provider:` (or pass --env) to an environment key of the project")
            .permanent());
        }
        let mut parsed = state::parse(&flag, &self.environment)?;
        parsed.state.read_at = Some(sent);
        self.name_stage(&mut parsed.state);
        self.remember(&parsed);
        Ok(parsed)
    }

    /// For the kill switch: the flag as this run read it (no second read stands between a user
    /// and the off switch).
    fn read_for_kill(&self, expected: &FlagState) -> Option<Parsed> {
        self.last().filter(|p| p.state.version == expected.version)
    }

    fn patch_of(&self, parsed: Option<&Parsed>, desired: &Desired, note: &Note) -> SemanticPatch {
        let instructions = match parsed {
            Some(p) => p.instructions(desired),
            None if !desired.on => vec![Instruction::TurnFlagOff],
            None => Vec::new(),
        };
        SemanticPatch {
            environment_key: self.environment.clone(),
            comment: format!("{} | by {}", note.text, note.actor),
            instructions,
        }
    }

    /// A conflict: what moved between this run's read and now, and who moved it where the audit
    /// log says.
    async fn conflict(&self, expected: &FlagState, why: &str) -> Error {
        let now = self.fetch().await.ok();
        let changed = match &now {
            Some(p) => {
                let diffs = state::differences(expected, &p.state);
                if diffs.is_empty() {
                    format!(
                        "version {} → {} (a change outside what rollout manages, e.g. other rules or prerequisites)",
                        expected.version, p.state.version
                    )
                } else {
                    diffs.join(", ")
                }
            }
            None => "the flag could not be read again".to_string(),
        };
        let last = Change::last_note(self.changes(1).await.ok(), "LaunchDarkly");
        Error::conflict(format!(
            "{} changed in LaunchDarkly while this command ran ({why}): {changed}{last}",
            self.flag
        ))
        .nothing_changed()
        .with_hint("run `rollout status` to see the new state, then decide again")
    }
}

fn is_answer(reply: &Reply) -> bool {
    matches!(reply.status, 405 | 409)
}

#[async_trait::async_trait(?Send)]
impl Provider for LaunchDarklyProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::LaunchDarkly
    }

    fn describe(&self) -> String {
        format!(
            "launchdarkly {} (project {})",
            self.http.base(),
            self.project
        )
    }

    fn label(&self) -> &'static str {
        "LaunchDarkly"
    }

    fn set_log(&mut self, out: Logger) {
        self.http.set_log(out);
    }

    async fn read(&self) -> Result<FlagState> {
        Ok(self.fetch().await?.state)
    }

    fn plan(&self, expected: &FlagState, desired: &Desired, note: &Note) -> Vec<Request> {
        let last = self.last().filter(|p| p.state.version == expected.version);
        let patch = self.patch_of(last.as_ref(), desired, note);
        if patch.instructions.is_empty() {
            return Vec::new();
        }
        vec![Request {
            method: "PATCH".to_string(),
            url: self.http.url(&self.flag_path()),
            body: serde_json::to_value(&patch).ok(),
            headers: vec![
                ("Authorization".to_string(), "***".to_string()),
                ("Content-Type".to_string(), api::SEMANTIC_PATCH.to_string()),
                ("LD-API-Version".to_string(), api::API_VERSION.to_string()),
            ],
        }]
    }

    async fn apply(
        &self,
        expected: &FlagState,
        desired: &Desired,
        note: &Note,
    ) -> Result<FlagState> {
        // A kill (an off that moves nothing) is never held back by a guard.
        let kill = !desired.on && !desired.moves(expected);
        super::test_pause(crate::domain::env_vars::EnvVars::ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS)
            .await;
        let parsed = if kill {
            self.read_for_kill(expected)
        } else if let Some(read) = self
            .last()
            .filter(|p| expected.is_fresh() && p.state.version == expected.version)
        {
            // Read moments ago (FRESH_READ): that read is the guard; the answer's version
            // below tells whether anything else landed before the patch.
            Some(read)
        } else {
            // The guard: the flag must still be at the version this run decided on.
            let now = self.fetch().await?;
            if now.state.version != expected.version {
                return Err(self
                    .conflict(expected, "its version moved since it was read")
                    .await);
            }
            Some(now)
        };
        let patch = self.patch_of(parsed.as_ref(), desired, note);
        if patch.instructions.is_empty() {
            return Ok(expected.clone());
        }
        // Sending the patch twice does what sending it once does, except adding a rule.
        let idempotent = !patch
            .instructions
            .iter()
            .any(|i| matches!(i, Instruction::AddRule { .. }));
        let call = Call::new(Method::PATCH, self.flag_path())
            .json_as(api::SEMANTIC_PATCH, &patch)
            .idempotent(idempotent)
            .accept(is_answer);
        let doing = if kill {
            format!("turning {} off", self.flag)
        } else {
            format!("changing {}", self.flag)
        };
        let reply = self.send(&call).await?;
        if reply.status == 409 {
            return Err(self
                .conflict(
                    expected,
                    &format!("LaunchDarkly answered 409: {}", Self::said(&reply)),
                )
                .await);
        }
        if !reply.ok() {
            let changed = if retry_may_have_applied(reply.status) {
                Written::Unknown
            } else {
                Written::Nothing
            };
            return Err(self.refusal(&reply, &doing, &changed));
        }
        let flag: Flag = reply.json().map_err(|e| {
            Error::provider(format!(
                "LaunchDarkly answered the change with something that is not a flag as documented ({e})"
            ))
        })?;
        let mut parsed = state::parse(&flag, &self.environment)?;
        self.name_stage(&mut parsed.state);
        self.remember(&parsed);
        let mut state = parsed.state;
        // The answer says how the write left the flag, but is no proof of it (a proxy can answer
        // for a request it never forwarded): not a read, so the application reads the flag back.
        state.read_at = None;
        let moved = expected.revision.map(|v| v + 1);
        if !kill && moved.is_some_and(|m| state.revision.is_some_and(|r| r > m)) {
            state.detail = Some(format!(
                "another change landed in LaunchDarkly together with this one (version {} → {})",
                expected.version, state.version
            ));
        }
        Ok(state)
    }

    async fn changes(&self, limit: usize) -> Result<Vec<Change>> {
        let spec = format!(
            "proj/{}:env/{}:flag/{}",
            self.project, self.environment, self.flag
        );
        let path = format!(
            "/api/v2/auditlog?spec={}&limit={}",
            enc(&spec),
            limit.clamp(1, 20)
        );
        let reply = self.send(&Call::get(path)).await?;
        if !reply.ok() {
            return Err(self.refusal(&reply, "reading the audit log", &Written::Nothing));
        }
        let log: AuditLog = reply.json().map_err(|e| {
            Error::provider(format!(
                "LaunchDarkly's audit log answer is not as documented ({e})"
            ))
        })?;
        Ok(log
            .items
            .into_iter()
            .filter_map(|e| {
                let time = chrono::DateTime::from_timestamp_millis(e.date)?;
                let actor = e
                    .member
                    .as_ref()
                    .and_then(|m| m.email.clone())
                    .or_else(|| e.token.as_ref().and_then(|t| t.name.clone()))
                    .unwrap_or_else(|| "someone".to_string());
                let summary = e
                    .short_description
                    .clone()
                    .or(e.title_verb.clone())
                    .unwrap_or_else(|| "changed the flag".to_string());
                Some(Change {
                    id: u64::try_from(e.date).unwrap_or_default(),
                    time,
                    actor,
                    kind: e.kind.clone().unwrap_or_else(|| "flag".to_string()),
                    summary: super::printable(&summary, 200),
                    note: e.comment.clone().filter(|c| !c.is_empty()),
                    from: None,
                    to: None,
                    rollout_role: false,
                })
            })
            .collect())
    }

    /// When the stage started and when the flag was killed, from the audit entries `rollout`
    /// wrote (their comment is the journal's event), so every machine sees the same soak.
    async fn add_times(&self, state: &mut FlagState) -> Result<()> {
        let Some(stage) = state.stage.clone().filter(|_| state.exists) else {
            return Ok(());
        };
        let changes = self.changes(20).await?;
        let flag = &self.flag;
        let ours = |c: &Change| {
            c.note
                .as_deref()
                .and_then(|n| n.rsplit_once(" | by "))
                .map(|(summary, _)| summary.to_string())
        };
        state.since = changes
            .iter()
            .find(|c| {
                ours(c).is_some_and(|s| {
                    ((s.starts_with(&format!("advance {flag} "))
                        || s.starts_with(&format!("rollback {flag} ")))
                        && s.contains(&format!("→ {stage} (")))
                        || s.starts_with(&format!("resume {flag} at {stage} ("))
                })
            })
            .map(|c| c.time);
        if !state.on {
            state.killed_at = changes
                .iter()
                .find(|c| ours(c).is_some_and(|s| s.starts_with(&format!("kill {flag} "))))
                .map(|c| c.time);
        }
        Ok(())
    }

    fn bucketing(&self, _state: &FlagState) -> Result<Bucketing> {
        let parsed = self.last().ok_or_else(|| {
            Error::provider("the flag was not read, so its salt is unknown".to_string())
        })?;
        parsed.bucketing(&self.flag).map_err(|why| {
            Error::provider(format!(
                "rollout cannot reproduce LaunchDarkly's bucketing of {}: {why}; it does not guess",
                self.flag
            ))
            .with_hint(
                "set the rollout to bucket by the user key (LaunchDarkly's default) to preview it",
            )
            .permanent()
        })
    }
}

/// A status after which a write may have landed (a gateway answered, not LaunchDarkly).
fn retry_may_have_applied(status: u16) -> bool {
    status >= 500
}
