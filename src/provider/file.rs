//! The embedded provider: the flag lives in `.rollout/flags.json`, in the OpenFeature flagd
//! flag-definition format (https://flagd.dev/schema/v0/flags.json), so flagd or any OpenFeature
//! in-process provider serves it to real apps. The file alone is the state: stage, revision, stage
//! start and the last change's note live in the flag's `metadata`.
//!
//! Writes are atomic (temp file, fsync, rename) under an exclusive lock, and guarded: the flag must
//! still be exactly as it was read, or the write is a conflict. Other flags in the file are kept.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

mod boundary;

use super::{Desired, FlagState, Note, Request};
use crate::config::{Config, Percentage, ProviderSettings};
use crate::error::{Error, Result};
use crate::exposure::Bucketing;

const SCHEMA_URL: &str = "https://flagd.dev/schema/v0/flags.json";
/// How long a writer waits for another writer's lock before calling it a conflict.
const LOCK_WAIT: Duration = Duration::from_secs(5);

pub struct FileProvider {
    flag: String,
    /// The flags file, as configured (relative to the stages.yaml directory).
    display: String,
    path: PathBuf,
}

impl FileProvider {
    #[must_use]
    pub fn new(config: &Config, settings: &ProviderSettings) -> Self {
        FileProvider {
            flag: config.flag.clone(),
            display: settings.path.clone(),
            path: config.dir.join(&settings.path),
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
        let doc = self.load()?;
        Ok(match doc.get("flags").and_then(|f| f.get(&self.flag)) {
            Some(flag) => state_of(flag),
            None => FlagState::default(),
        })
    }

    /// The whole document, or an empty one when the file does not exist yet.
    fn load(&self) -> Result<Value> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(json!({})),
            Err(e) => {
                return Err(Error::provider(format!(
                    "cannot read {}: {e}",
                    self.display
                )));
            }
        };
        let doc: Value = serde_json::from_str(&text).map_err(|e| {
            Error::provider(format!(
                "{}:{}:{}: the flags file is not valid JSON ({e}); nothing was changed",
                self.display,
                e.line(),
                e.column()
            ))
            .with_hint("restore it from version control, or fix the JSON by hand")
        })?;
        if !doc.is_object() || doc.get("flags").is_some_and(|f| !f.is_object()) {
            return Err(Error::provider(format!(
                "{}: not a flagd flag-definition file (no `flags` object); nothing was changed",
                self.display
            )));
        }
        Ok(doc)
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
        // Where killed, keep the audience in metadata so the file alone can resume.
        if !desired.on {
            metadata.insert("rolloutUsers".into(), json!(desired.users.join(",")));
            metadata.insert("rolloutGroups".into(), json!(desired.groups.join(",")));
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

    fn next_document(
        &self,
        doc: &Value,
        expected: &FlagState,
        desired: &Desired,
        note: &Note,
    ) -> Value {
        let revision = expected.revision.unwrap_or(0) + 1;
        let mut doc = doc.clone();
        let obj = doc.as_object_mut().expect("load returns an object");
        if !obj.contains_key("$schema") {
            let mut with_schema = Map::new();
            with_schema.insert("$schema".into(), json!(SCHEMA_URL));
            with_schema.extend(std::mem::take(obj));
            *obj = with_schema;
        }
        let flags = obj.entry("flags").or_insert_with(|| json!({}));
        if let Some(flags) = flags.as_object_mut() {
            flags.insert(self.flag.clone(), self.flag_json(desired, revision, note));
        }
        doc
    }

    pub fn preview(&self, expected: &FlagState, desired: &Desired, note: &Note) -> Vec<Request> {
        let doc = self.load().unwrap_or_else(|_| json!({}));
        let next = self.next_document(&doc, expected, desired, note);
        let flag = next["flags"][&self.flag].clone();
        vec![Request {
            method: "WRITE".into(),
            url: format!("{}#/flags/{}", self.display, self.flag),
            body: Some(flag),
            headers: Vec::new(),
        }]
    }

    pub fn write(&self, expected: &FlagState, desired: &Desired, note: &Note) -> Result<FlagState> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::provider(format!(
                "cannot create {}: {e}; nothing was changed",
                dir.display()
            ))
        })?;
        let lock = self.lock(dir)?;
        let doc = self.load()?;
        let current = doc
            .get("flags")
            .and_then(|f| f.get(&self.flag))
            .map(state_of)
            .unwrap_or_default();
        if current.version != expected.version {
            return Err(conflict(&current));
        }
        let next = self.next_document(&doc, expected, desired, note);
        let mut text = serde_json::to_string_pretty(&next).expect("JSON values serialize");
        text.push('\n');
        write_atomic(&self.path, text.as_bytes()).map_err(|e| {
            Error::provider(format!(
                "could not write {}: {e}; nothing was changed",
                self.display
            ))
        })?;
        drop(lock);
        Ok(state_of(&next["flags"][&self.flag]))
    }

    /// An exclusive lock on a sibling lock file (the flags file itself is replaced by rename).
    fn lock(&self, dir: &Path) -> Result<File> {
        let name = self
            .path
            .file_name()
            .map_or_else(|| "flags.json".into(), |n| n.to_string_lossy().into_owned());
        let lock_path = dir.join(format!(".{name}.lock"));
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| {
                Error::provider(format!("cannot open the lock {}: {e}", lock_path.display()))
            })?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < LOCK_WAIT => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Error::conflict(format!(
                    "another rollout process has held the lock on {} for {}s; nothing was changed",
                    self.display,
                    LOCK_WAIT.as_secs()
                )))
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(Error::provider(format!(
                        "cannot lock {}: {e}",
                        lock_path.display()
                    )))
                }
            }
        }
    }
}

fn conflict(current: &FlagState) -> Error {
    let now = match (&current.stage, current.exists) {
        (_, false) => "the flag was removed".to_string(),
        (Some(stage), true) if !current.on => format!("it is now killed at {stage}"),
        (Some(stage), true) => format!("it is now at {stage} ({})", current.percentage),
        (None, true) => format!("it is now at {}", current.percentage),
    };
    Error::conflict(format!(
        "the flag changed while this command ran: {now}; nothing was changed"
    ))
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
    let split = |s: Option<String>| -> Vec<String> {
        s.map(|s| {
            s.split(',')
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
    };
    let targeting = flag
        .get("targeting")
        .filter(|t| t.as_object().is_some_and(|o| !o.is_empty()));
    let default_on = flag.get("defaultVariant").and_then(Value::as_str) == Some("on");
    let enabled = flag.get("state").and_then(Value::as_str) != Some("DISABLED");
    let (on, percentage, users, groups) = match targeting {
        Some(t) => {
            let (users, groups, weight) = read_targeting(t);
            (enabled, weight.unwrap_or(Percentage::ZERO), users, groups)
        }
        None if default_on => (enabled, Percentage::FULL, Vec::new(), Vec::new()),
        None => {
            let weight = meta
                .and_then(|m| m.get("rolloutPercentage"))
                .and_then(Value::as_u64)
                .and_then(|w| u32::try_from(w).ok())
                .and_then(Percentage::from_weight)
                .unwrap_or(Percentage::ZERO);
            (
                false,
                weight,
                split(meta_str("rolloutUsers")),
                split(meta_str("rolloutGroups")),
            )
        }
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
    }
}

fn read_targeting(t: &Value) -> (Vec<String>, Vec<String>, Option<Percentage>) {
    let mut users = Vec::new();
    let mut groups = Vec::new();
    let mut weight = None;
    let branches: Vec<&Value> = match t.get("if").and_then(Value::as_array) {
        Some(b) => b.iter().collect(),
        None => vec![t],
    };
    for b in branches {
        if let Some(args) = b.get("in").and_then(Value::as_array) {
            let var = args
                .first()
                .and_then(|v| v.get("var"))
                .and_then(Value::as_str);
            let list = super::strings(args.get(1));
            match var {
                Some("targetingKey") => users = list,
                Some("group") => groups = list,
                _ => {}
            }
        }
        if let Some(args) = b.get("fractional").and_then(Value::as_array) {
            let mut on = 0u64;
            let mut total = 0u64;
            for v in args {
                if let Some(pair) = v.as_array() {
                    let w = pair.get(1).and_then(Value::as_u64).unwrap_or(1);
                    total += w;
                    if pair.first().and_then(Value::as_str) == Some("on") {
                        on += w;
                    }
                }
            }
            if total > 0 {
                let w = (u128::from(on) * 100_000 / u128::from(total)) as u32;
                weight = Percentage::from_weight(w);
            }
        }
    }
    (users, groups, weight)
}

/// Writes `bytes` to `path` so that readers see the old file or the new one, never a part:
/// a temp file in the same directory, fsync, rename, fsync of the directory.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".flags-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    File::open(dir)?.sync_all()?;
    Ok(())
}
