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
use super::{enc, Change, Desired, FlagState, Note, Request, Unmanaged};
use crate::domain::config::{Config, ProviderKind, UnleashSettings};
use crate::domain::error::{Error, Result, Written};
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

    /// The flag's environment entry, or the error that says which name is wrong.
    async fn read_env(&self) -> Result<Value> {
        self.read_env_with(false).await
    }

    /// `hedged`: for kill (see [`client::Client::send_hedged`]).
    async fn read_env_with(&self, hedged: bool) -> Result<Value> {
        let reply = if hedged {
            self.client
                .send_hedged(Method::GET, &self.feature_path(), None)
                .await?
        } else {
            self.client
                .send(Method::GET, &self.feature_path(), None)
                .await?
        };
        if reply.status == 404 {
            return Err(self.not_found(&reply).await);
        }
        if !reply.ok() {
            return Err(self.client.refusal(
                &reply,
                &format!("reading {}", self.flag),
                &Written::Nothing,
            ));
        }
        let Some(envs) = reply
            .body
            .get("environments")
            .and_then(Value::as_array)
            .cloned()
        else {
            // A proxy's HTML page with a 200, a truncated body: an answer that says nothing
            // about the flag. Not permanent: kill reads again.
            return Err(Error::provider(format!(
                "Unleash answered {} to reading {} with something that is not the flag ({})",
                reply.status,
                self.flag,
                excerpt(&reply.body)
            ))
            .nothing_changed()
            .with_hint("check that the URL points at Unleash itself, not a login page or proxy"));
        };
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
                    "{} in project {} has no environment `{}` in Unleash; it has: {}",
                    self.flag,
                    self.project,
                    self.environment,
                    if names.is_empty() { "none".to_string() } else { names.join(", ") }
                ))
.nothing_changed()
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
                    "Unleash has no project `{}`; its projects are: {}",
                    self.project,
                    ids.join(", ")
                ))
                .nothing_changed()
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
            "Unleash has no flag `{}` in project {} ({said}){listed}",
            self.flag, self.project
        ))
.nothing_changed()
        .with_hint(format!(
            "fix `flag:` in stages.yaml, or create the flag in Unleash first (UI, or POST {} {{\"name\": \"{}\"}}); rollout never creates flags, so a typo cannot start a flag no app reads",
            self.client.url(&list_path),
            self.flag
        ))
        .permanent()
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

    /// The flag's changes in this environment, newest first, from Unleash's event log.
    pub async fn changes(&self, limit: usize) -> Result<Vec<Change>> {
        self.events(limit, None).await
    }

    async fn events(&self, limit: usize, types: Option<&str>) -> Result<Vec<Change>> {
        Ok(self.events_page(limit, 0, types).await?.0)
    }

    /// One page of the event log, newest first, and how many events the page held.
    async fn events_page(
        &self,
        limit: usize,
        offset: usize,
        types: Option<&str>,
    ) -> Result<(Vec<Change>, usize)> {
        let mut path = format!(
            "/api/admin/search/events?feature=IS:{}&project=IS:{}&environment=IS:{}&limit={}",
            enc(&self.flag),
            enc(&self.project),
            enc(&self.environment),
            limit.clamp(1, events::MAX_PAGE)
        );
        if offset > 0 {
            path.push_str(&format!("&offset={offset}"));
        }
        if let Some(t) = types {
            path.push_str(&format!("&type=IS_ANY_OF:{t}"));
        }
        let reply = self.client.send(Method::GET, &path, None).await?;
        if !reply.ok() {
            return Err(self
                .client
                .refusal(&reply, "reading the event log", &Written::Nothing));
        }
        let raw = reply
            .body
            .get("events")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        Ok((raw.iter().filter_map(events::change).collect(), raw.len()))
    }

    /// Fills in when the stage started and when the flag was killed, from the event log: only
    /// the event types that say so, a small page at a time, newest first, stopping as soon as
    /// both are known (one request for a flag changed in its last 50 strategy events).
    pub async fn add_times(&self, state: &mut FlagState) -> Result<()> {
        if !state.exists {
            return Ok(());
        }
        const PAGE: usize = 50;
        let types = if state.on {
            "feature-strategy-add,feature-strategy-update"
        } else {
            "feature-strategy-add,feature-strategy-update,feature-environment-disabled"
        };
        let mut changes = Vec::new();
        let mut offset = 0;
        while offset < events::MAX_PAGE {
            let (page, held) = self.events_page(PAGE, offset, Some(types)).await?;
            changes.extend(page);
            offset += held;
            state.since = events::since(&changes, state.percentage);
            if !state.on {
                state.killed_at = events::killed_at(&changes);
            }
            let done = state.since.is_some() && (state.on || state.killed_at.is_some());
            if done || held < PAGE {
                break;
            }
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
        let started = chrono::Utc::now();
        let layout = Self::layout_of(expected);
        let mut steps = mapping::steps(&layout, desired, note, &self.flag);
        // For the conflict tests: a window between the read and the write, long enough for a
        // test to change the flag through the Admin API. Unset in normal use.
        super::test_pause(crate::domain::env_vars::EnvVars::ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS)
            .await;
        if desired.on && !expected.is_fresh() {
            // The whole stage is guarded, not just the rollout value (Unleash has no
            // conditional write for an environment's `enabled`): what was read must still be
            // there, or the decision was made on a flag that no longer exists. A read younger
            // than FRESH_READ is that check already (a window of at most FRESH_READ plus a round
            // trip); the read-back after the write reports anything that landed in between.
            let now = Layout::from_env(&self.read_env().await?);
            let diffs = mapping::differences(&layout, &now);
            if !diffs.is_empty() {
                return Err(self.changed_under(&diffs, note, &Written::Nothing).await);
            }
        }
        if desired.on {
            super::test_pause(crate::domain::env_vars::EnvVars::ROLLOUT_TEST_PAUSE_IN_WRITE_MS)
                .await;
        }
        let mut run = Run::default();
        let mut details: Vec<String> = Vec::new();
        for round in 0..3 {
            self.apply_steps(&steps, desired, note, &mut run, &mut details)
                .await?;
            if !desired.on {
                break;
            }
            // Everything this run wrote must still hold: a kill, a deleted strategy or a
            // racing run in the other direction since the read is a conflict, never "done".
            if run.rollout_patched && !run.checked {
                settle().await;
            }
            let now = Layout::from_env(&self.read_env().await?);
            for (role, created, what) in std::mem::take(&mut run.created) {
                let before: Vec<String> =
                    run.done.iter().filter(|d| **d != what).cloned().collect();
                if let Some(d) = self
                    .keep_oldest_in(&now, role, &created, &what, &before)
                    .await?
                {
                    details.push(d);
                }
            }
            let mut diffs = mapping::missing(&now, desired);
            // What the pre-write check would have refused, had it run after this came in.
            diffs.extend(mapping::widening_added(&layout, &now));
            if diffs.is_empty() {
                // The same change made by a racing run after this one's: its note is on the
                // rollout strategy now (that run sees this one's, if it wrote first).
                let mine = mapping::title(Role::Rollout, &desired.stage, note);
                let title = now.rollout.as_ref().and_then(mapping::Strategy::title);
                if run.rollout_patched && title != Some(mine.as_str()) {
                    details.push(format!(
                        "another run moved {} to {} at the same moment (Unleash's patch test is not atomic); the flag is at {} once",
                        self.flag, desired.percentage, desired.stage
                    ));
                }
                break;
            }
            // The rollout (written first, the change's commit point) is this run's and the
            // environment is on, but another rollout run that lost the race to it wrote its
            // audience afterwards: this run owns the stage, so it puts its audience back.
            // Anything else (a strategy deleted, values edited in the UI) is a conflict.
            let ours = mapping::note_text(note);
            let by_racing_run = |role: Role, values: &[String]| {
                let Some(st) = now.get(role) else {
                    return values.is_empty();
                };
                // A racing run rewrites the title with its own note; an edit in the UI keeps
                // the title that was read.
                let read_title = layout.get(role).and_then(mapping::Strategy::title);
                st.values() == values
                    || st.title().is_some_and(|t| {
                        t.starts_with(mapping::TITLE_PREFIX)
                            && !t.ends_with(ours.as_str())
                            && Some(t) != read_title
                    })
            };
            // Even when a kill came in meanwhile (that is still exit 5), so that `resume`
            // brings back a whole stage.
            let rollout_ours = now.rollout.as_ref().and_then(mapping::Strategy::rollout)
                == Some(&mapping::rollout_value(desired.percentage));
            let audience_ok = |role: Role, values: &[String]| {
                now.get(role)
                    .map(mapping::Strategy::values)
                    .unwrap_or_default()
                    == values
            };
            let audience_ok = audience_ok(Role::Users, &desired.users)
                && audience_ok(Role::Groups, &desired.groups);
            let fixable = round < 2
                && !audience_ok
                && rollout_ours
                && ((by_racing_run(Role::Users, &desired.users)
                    && by_racing_run(Role::Groups, &desired.groups))
                    || self.raced_other_way(&layout, desired, started).await);
            if !fixable {
                return Err(self.changed_under(&diffs, note, &run.written()).await);
            }
            // The audience only: a killed environment stays off.
            steps = mapping::steps(&now, desired, note, &self.flag)
                .into_iter()
                .filter(|s| !matches!(s, Step::On))
                .collect();
            run.checked = true;
        }
        let mut state = expected.clone();
        state.exists = true;
        state.on = desired.on;
        state.percentage = desired.percentage;
        state.stage = Some(desired.stage.clone());
        state.users.clone_from(&desired.users);
        state.groups.clone_from(&desired.groups);
        state.version = String::new();
        // Made up from what was written, not read: never taken for a read-back.
        state.read_at = None;
        state.detail = (!details.is_empty()).then(|| details.join("; "));
        Ok(state)
    }

    /// Sends `steps` in order, each guarded; what was done goes into `run`.
    async fn apply_steps(
        &self,
        steps: &[Step],
        desired: &Desired,
        note: &Note,
        run: &mut Run,
        details: &mut Vec<String>,
    ) -> Result<()> {
        for (i, step) in steps.iter().enumerate() {
            let req = self.request_of(step);
            let path = req
                .url
                .strip_prefix(self.client.base())
                .unwrap_or(&req.url)
                .to_string();
            let method = Method::from_bytes(req.method.as_bytes()).unwrap_or(Method::POST);
            let sent = if matches!(step, Step::Off) {
                self.client
                    .send_hedged(method, &path, req.body.as_ref())
                    .await
            } else {
                self.client.send(method, &path, req.body.as_ref()).await
            };
            let reply = match sent {
                Ok(r) => r,
                Err(mut e) => {
                    if !run.done.is_empty() {
                        e.message = format!("{} (before it, {})", e.message, run.written());
                        e.written = run.written();
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
                return Err(self.conflict(&what, &run.written()).await);
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
                return Err(self.conflict(&what, &run.written()).await);
            }
            if !reply.ok() {
                let err = if reply.status == 404 {
                    self.not_found(&reply).await
                } else {
                    self.client.refusal(&reply, &what, &run.written())
                };
                return Err(err);
            }
            if let Step::Create { role, .. } = step {
                // The last strategy written before the environment goes on: the read-back
                // after the write shows a concurrent creator's copy as well as a read now
                // would, so the check waits for it (one request fewer).
                let last = desired.on && steps[i + 1..].iter().all(|s| matches!(s, Step::On));
                if last {
                    run.created.push((*role, reply.body.clone(), what.clone()));
                } else if let Some(d) = self
                    .keep_oldest(*role, &reply.body, &what, &run.done)
                    .await?
                {
                    details.push(d);
                }
            }
            run.done.push(what);
            if let Step::Patch {
                role: Role::Rollout,
                id,
                wanted,
                ..
            } = step
            {
                // Unleash checks a patch's `test` and applies it separately: a run moving the
                // other way from the same value may have passed too, and the last write
                // stands. The loser stops here, before touching the audience, so the flag is
                // never left half one stage, half another.
                run.rollout_patched = true;
                if steps.len() > 1 {
                    settle().await;
                    run.checked = true;
                    if let Some(now) = self.rollout_now(id).await {
                        if &now != wanted {
                            return Err(self
                                .changed_under(
                                    &[format!(
                                        "another run moved the rollout to {now} at the same moment, after this run's change"
                                    )],
                                    note,
                                    &run.written(),
                                )
                                .await);
                        }
                    }
                }
            }
        }
        Ok(())
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
        let Ok(env) = self.read_env().await else {
            return Ok(None);
        };
        self.keep_oldest_in(&Layout::from_env(&env), role, created, what, done)
            .await
    }

    /// [`Self::keep_oldest`] on a layout already read.
    async fn keep_oldest_in(
        &self,
        layout: &Layout,
        role: Role,
        created: &Value,
        what: &str,
        done: &[String],
    ) -> Result<Option<String>> {
        let id = created
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
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
        // Its own copy removed, this run leaves only what it wrote before.
        let (before, written) = if done.is_empty() {
            ("nothing else was changed".to_string(), Written::Nothing)
        } else {
            let written = Written::Partly(done.to_vec());
            (written.to_string(), written)
        };
        Err(Error::conflict(format!(
            "{} changed at the same moment by another run ({what} raced with strategy {}, which differs); this run removed its own copy; {before}",
            self.flag, kept.id
        ))
        .written(written)
        .with_hint("run `rollout status` to see the new state, then decide again"))
    }

    /// Whether another `rollout` run may have written the audience while this one wrote: it
    /// moved the rollout from the value this run read to another value (a race in the other
    /// direction, which the event log keeps even when overwritten), or it set the value this
    /// run read moments ago, so its audience requests may have landed after this run's read.
    async fn raced_other_way(
        &self,
        layout: &Layout,
        desired: &Desired,
        started: chrono::DateTime<chrono::Utc>,
    ) -> bool {
        let Ok(before) = mapping::parse_rollout(
            layout.rollout.as_ref().and_then(mapping::Strategy::rollout),
            &self.flag,
            &self.environment,
        ) else {
            return false;
        };
        let changes = self
            .events(20, Some("feature-strategy-update"))
            .await
            .unwrap_or_default();
        let mut moves = changes.iter().filter(|c| c.rollout_role && c.from != c.to);
        // Newest first: what happened since the change that set the value read, then that one.
        for c in moves.by_ref() {
            if c.to == Some(before) {
                // A run writes its audience within a second of its rollout.
                let recent = started - c.time < chrono::TimeDelta::seconds(2);
                return recent && c.note.is_some();
            }
            if c.from == Some(before) && c.to != Some(desired.percentage) {
                return true;
            }
        }
        false
    }

    /// The rollout value strategy `id` holds now (None when it cannot be read).
    async fn rollout_now(&self, id: &str) -> Option<Value> {
        match self
            .client
            .send(Method::GET, &self.strategy_path(id), None)
            .await
        {
            Ok(r) if r.ok() => r.body.pointer("/parameters/rollout").cloned(),
            Ok(r) if r.status == 404 => Some(Value::String("(deleted)".into())),
            _ => None,
        }
    }

    /// A conflict: what changed since this run read the flag, and who changed it (the newest
    /// changes in the event log not made by this run).
    async fn changed_under(&self, diffs: &[String], note: &Note, changed: &Written) -> Error {
        let ours = mapping::note_text(note);
        let who: Vec<String> = self
            .events(10, None)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.note.as_deref() != Some(ours.as_str()))
            .take(3)
            .map(|c| {
                format!(
                    "{} by {} at {}",
                    c.summary,
                    c.actor,
                    crate::domain::clock::stamp(c.time)
                )
            })
            .collect();
        let who = if who.is_empty() {
            String::new()
        } else {
            format!("; latest changes in Unleash: {}", who.join(", "))
        };
        Error::conflict(format!(
            "{} changed in Unleash while this command ran: {}{who}; {changed}",
            self.flag,
            diffs.join("; ")
        ))
        .written(changed.clone())
        .with_hint("run `rollout status` to see the new state, then decide again")
    }

    /// A conflict, naming who changed the flag last where the event log says.
    async fn conflict(&self, what: &str, changed: &Written) -> Error {
        let last = Change::last_note(self.events(5, None).await.ok(), "Unleash");
        Error::conflict(format!(
            "{} changed in Unleash while this command ran ({what} found a different value than it read){last}; {changed}",
            self.flag
        ))
        .written(changed.clone())
        .with_hint("run `rollout status` to see the new state, then decide again")
    }
}

/// Waits a moment after a guarded patch, so that a racing run's patch that passed the same
/// `test` has landed before this run looks (Unleash applies it a few milliseconds after
/// testing).
async fn settle() {
    tokio::time::sleep(Duration::from_millis(150)).await;
}

/// A body for a message: at most 80 characters on one line.
fn excerpt(body: &Value) -> String {
    let text = match body {
        Value::Null => return "an empty body".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 80 {
        format!("{}…", one.chars().take(80).collect::<String>())
    } else {
        one
    }
}

/// What one write has done so far.
#[derive(Default)]
struct Run {
    done: Vec<String>,
    /// Strategies created last, whose check for a concurrent creator's copy
    /// ([`UnleashProvider::keep_oldest`]) is made on the read-back: role, Unleash's answer,
    /// what the step was.
    created: Vec<(Role, Value, String)>,
    rollout_patched: bool,
    /// The rollout was checked after a pause (a racing run's patch has landed).
    checked: bool,
}

impl Run {
    fn written(&self) -> Written {
        if self.done.is_empty() {
            Written::Nothing
        } else {
            Written::Partly(self.done.clone())
        }
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
