//! The embedded provider: the flag lives in `.rollout/flags.json`, in the OpenFeature flagd
//! flag-definition format (https://flagd.dev/schema/v0/flags.json), so flagd or any OpenFeature
//! in-process provider serves it to real apps. The file alone is the state: stage, revision, stage
//! start and the last change's note live in the flag's `metadata`.
//!
//! Writes are atomic (temp file, fsync, rename) under an exclusive lock, and guarded: the flag must
//! still be exactly as it was read, or the write is a conflict. Other flags in the file are kept
//! byte for byte, and so are the file's mode, owner and symbolic link (see [`store`]).

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use self::store::Document;

mod boundary;
mod store;
mod targeting;

use super::{Desired, FlagState, Note, Request};
use crate::domain::config::{Config, FileSettings, Percentage};
use crate::domain::error::{Error, Result};
use crate::domain::exposure::Bucketing;

const SCHEMA_URL: &str = "https://flagd.dev/schema/v0/flags.json";

pub struct FileProvider {
    flag: String,
    /// The flags file, as configured (relative to the stages.yaml directory).
    display: String,
    path: PathBuf,
    /// `--timeout`, and its end counted from the start of the run: how long a write waits for
    /// another writer's lock (a kill's retries share the run's deadline).
    timeout: Duration,
    deadline: tokio::time::Instant,
}

impl FileProvider {
    #[must_use]
    pub fn new(config: &Config, settings: &FileSettings, timeout: Duration) -> Self {
        let now = tokio::time::Instant::now();
        FileProvider {
            flag: config.flag.clone(),
            display: settings.path.clone(),
            path: config.dir.join(&settings.path),
            timeout,
            deadline: after(now, timeout),
        }
    }

    #[must_use]
    pub fn describe(&self) -> String {
        format!("file {}", self.display)
    }

    #[must_use]
    pub fn bucketing(&self) -> Bucketing {
        Bucketing::Flagd {
            flag_key: self.flag.clone(),
        }
    }

    pub fn read(&self) -> Result<FlagState> {
        let doc = self.load(&self.path)?;
        Ok(doc
            .flag(&self.flag)
            .map_or_else(FlagState::default, |f| state_of(&f)))
    }

    /// The document in `file`, or an empty one when the file does not exist yet.
    fn load(&self, file: &std::path::Path) -> Result<Document> {
        match std::fs::read_to_string(file) {
            Ok(text) => Document::parse(&text, &self.display),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Document::empty()),
            Err(e) => {
                Err(Error::provider(format!("cannot read {}: {e}", self.display)).nothing_changed())
            }
        }
    }

    fn flag_json(&self, desired: &Desired, revision: u64, note: &Note) -> Value {
        let mut metadata = Map::new();
        metadata.insert("rolloutStage".into(), json!(desired.stage));
        metadata.insert(
            "rolloutPercentage".into(),
            json!(desired.percentage.weight()),
        );
        metadata.insert("rolloutRevision".into(), json!(revision));
        metadata.insert(
            "rolloutSince".into(),
            json!(desired.since.to_rfc3339_opts(SecondsFormat::Secs, true)),
        );
        metadata.insert("rolloutKilled".into(), json!(!desired.on));
        if let Some(at) = desired.killed_at {
            metadata.insert(
                "rolloutKilledAt".into(),
                json!(at.to_rfc3339_opts(SecondsFormat::Secs, true)),
            );
        }
        // Where killed, keep the audience in metadata so the file alone can resume. Metadata
        // values must be scalars (flagd's schema), so each list is a JSON array in a string:
        // any user id or group name, commas included, comes back as it was.
        if !desired.on {
            metadata.insert("rolloutUsers".into(), json!(list_text(&desired.users)));
            metadata.insert("rolloutGroups".into(), json!(list_text(&desired.groups)));
        }
        metadata.insert("rolloutNote".into(), json!(note.text));
        let mut flag = Map::new();
        flag.insert("state".into(), json!("ENABLED"));
        flag.insert("variants".into(), json!({"on": true, "off": false}));
        flag.insert("defaultVariant".into(), json!("off"));
        if desired.on {
            flag.insert(
                "targeting".into(),
                targeting(&desired.users, &desired.groups, desired.percentage),
            );
        }
        flag.insert("metadata".into(), Value::Object(metadata));
        Value::Object(flag)
    }

    pub fn preview(&self, expected: &FlagState, desired: &Desired, note: &Note) -> Vec<Request> {
        let revision = expected.revision.unwrap_or(0) + 1;
        vec![Request {
            method: "WRITE".into(),
            url: format!("{}#/flags/{}", self.display, self.flag),
            body: Some(self.flag_json(desired, revision, note)),
            headers: Vec::new(),
        }]
    }

    pub async fn write(
        &self,
        expected: &FlagState,
        desired: &Desired,
        note: &Note,
    ) -> Result<FlagState> {
        let file = store::target(&self.path, &self.display)?;
        let dir = file.parent().unwrap_or(std::path::Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::provider(format!("cannot create {}: {e}", dir.display())).nothing_changed()
        })?;
        // Past the run's deadline (a person took long to answer a question), a write still
        // gets its whole --timeout.
        let now = tokio::time::Instant::now();
        let deadline = if self.deadline > now {
            self.deadline
        } else {
            after(now, self.timeout)
        };
        let lock = store::lock(&file, &self.display, deadline).await?;
        // For the interrupt tests: a window inside the write, holding the lock, long enough to
        // press Ctrl-C or to start a second writer. Only with the `test-hooks` feature.
        super::test_pause(crate::domain::env_vars::EnvVars::ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS)
            .await;
        store::clean_stale_temps(&file);
        let doc = self.load(&file)?;
        let current = doc
            .flag(&self.flag)
            .map_or_else(FlagState::default, |f| state_of(&f));
        if current.version != expected.version {
            return Err(conflict(&current));
        }
        let revision = expected.revision.unwrap_or(0) + 1;
        let flag = self.flag_json(desired, revision, note);
        let text = doc.with_flag(SCHEMA_URL, &self.flag, &flag)?.render()?;
        let warning =
            crate::adapters::atomic_write::replace(&file, text.as_bytes()).map_err(|e| {
                Error::provider(format!("could not write {}: {e}", self.display)).nothing_changed()
            })?;
        drop(lock);
        let mut written = state_of(&flag);
        written.detail = warning;
        Ok(written)
    }
}

fn after(t: tokio::time::Instant, d: Duration) -> tokio::time::Instant {
    t.checked_add(d)
        .unwrap_or_else(|| t + crate::domain::clock::MAX_DURATION)
}

/// A list as a metadata value: a JSON array in a string.
fn list_text(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

/// A list kept in metadata: a JSON array in a string, or (files written by older versions) a
/// comma-separated string.
fn list_of(text: Option<String>) -> Vec<String> {
    let Some(text) = text else {
        return Vec::new();
    };
    if let Ok(items) = serde_json::from_str::<Vec<String>>(&text) {
        return items;
    }
    text.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn conflict(current: &FlagState) -> Error {
    let now = match (&current.stage, current.exists) {
        (_, false) => "the flag was removed".to_string(),
        (Some(stage), true) if !current.on => format!("it is now killed at {stage}"),
        (Some(stage), true) => format!("it is now at {stage} ({})", current.percentage),
        (None, true) => format!("it is now at {}", current.percentage),
    };
    Error::conflict(format!("the flag changed while this command ran: {now}"))
        .nothing_changed()
        .with_hint("run `rollout status` to see the new state, then decide again")
}

/// The flagd targeting for a live stage: listed users, then groups, then the percentage.
fn targeting(users: &[String], groups: &[String], pct: Percentage) -> Value {
    let mut branches = Vec::new();
    if !users.is_empty() {
        branches.push(json!({"in": [{"var": "targetingKey"}, users]}));
        branches.push(json!("on"));
    }
    if !groups.is_empty() {
        branches.push(json!({"in": [{"var": "group"}, groups]}));
        branches.push(json!("on"));
    }
    let on = pct.weight();
    branches.push(json!({"fractional": [
        {"cat": [{"var": "$flagd.flagKey"}, {"var": "targetingKey"}]},
        ["on", on],
        ["off", 100_000 - on]
    ]}));
    json!({"if": branches})
}

/// Reads our own shape back; tolerant of hand edits (the percentage comes from the weights).
fn state_of(flag: &Value) -> FlagState {
    let meta = flag.get("metadata");
    let meta_str = |k: &str| {
        meta.and_then(|m| m.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let meta_time = |k: &str| {
        meta_str(k)
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    let enabled = flag.get("state").and_then(Value::as_str) != Some("DISABLED");
    let reading = targeting::read(flag);
    // With no targeting, a default variant served as `true` serves everyone; else the flag is
    // killed, and its metadata keeps what `resume` restores.
    let default_on = reading.weight == Some(Percentage::FULL);
    let (on, percentage, users, groups) = if reading.targeted || default_on {
        (
            enabled,
            reading.weight.unwrap_or(Percentage::ZERO),
            reading.users,
            reading.groups,
        )
    } else {
        let weight = meta
            .and_then(|m| m.get("rolloutPercentage"))
            .and_then(Value::as_u64)
            .and_then(|w| u32::try_from(w).ok())
            .and_then(Percentage::from_weight)
            .unwrap_or(Percentage::ZERO);
        (
            false,
            weight,
            list_of(meta_str("rolloutUsers")),
            list_of(meta_str("rolloutGroups")),
        )
    };
    FlagState {
        exists: true,
        on,
        percentage,
        stage: meta_str("rolloutStage"),
        users,
        groups,
        since: meta_time("rolloutSince"),
        killed_at: if on {
            None
        } else {
            meta_time("rolloutKilledAt")
        },
        version: serde_json::to_string(flag).unwrap_or_default(),
        revision: meta
            .and_then(|m| m.get("rolloutRevision"))
            .and_then(Value::as_u64),
        detail: None,
        read_at: None,
    }
}

/// What the flag in `state` serves that `rollout` did not write (from the flag as read, kept as
/// its version): each is replaced by any write, so an advance or a rollback refuses while one
/// is there, unless forced (a kill turns everyone off; a resume says what it replaces).
fn unmanaged(state: &FlagState) -> Vec<crate::ports::provider::Unmanaged> {
    if !state.exists {
        return Vec::new();
    }
    let Ok(flag) = serde_json::from_str::<Value>(&state.version) else {
        return Vec::new();
    };
    targeting::read(&flag)
        .foreign
        .into_iter()
        .map(|text| crate::ports::provider::Unmanaged {
            text,
            widens: false,
            overwritten: true,
        })
        .collect()
}
