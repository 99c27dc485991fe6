//! The flags file on disk, for the file provider: where it really is (through a symbolic link),
//! the lock writers take, the document with every other flag kept byte for byte, and the temp
//! files a crash left (the write itself is [`crate::adapters::atomic_write::replace`]).

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

use indexmap::IndexMap;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::domain::error::{Error, Result};

/// A flags document: top-level keys and flags in file order. Everything but the one flag
/// `rollout` manages stays raw text, so other flags keep their exact values (a number longer than
/// an f64 keeps every digit) and their layout.
pub struct Document {
    top: IndexMap<String, Box<RawValue>>,
    flags: IndexMap<String, Box<RawValue>>,
}

impl Document {
    /// Reads `text`; `shown` names the file in errors.
    pub fn parse(text: &str, shown: &str) -> Result<Document> {
        let top: IndexMap<String, Box<RawValue>> = serde_json::from_str(text).map_err(|e| {
            if e.classify() == serde_json::error::Category::Data {
                not_flagd(shown)
            } else {
                Error::provider(format!(
                    "{shown}:{}:{}: the flags file is not valid JSON ({e})",
                    e.line(),
                    e.column()
                ))
                .nothing_changed()
                .with_hint("restore it from version control, or fix the JSON by hand")
            }
        })?;
        let flags = match top.get("flags") {
            Some(raw) => serde_json::from_str(raw.get()).map_err(|_| not_flagd(shown))?,
            None => IndexMap::new(),
        };
        Ok(Document { top, flags })
    }

    #[must_use]
    pub fn empty() -> Document {
        Document {
            top: IndexMap::new(),
            flags: IndexMap::new(),
        }
    }

    /// The flag `key`, parsed (None when absent or not JSON this crate can hold).
    #[must_use]
    pub fn flag(&self, key: &str) -> Option<Value> {
        self.flags
            .get(key)
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
    }

    /// The document with `key` set to `flag` (added last when new) and `$schema` first when the
    /// file had none; every other entry is kept as it was.
    pub fn with_flag(&self, schema: &str, key: &str, flag: &Value) -> Result<Document> {
        let raw = |v: &Value| {
            serde_json::value::to_raw_value(v)
                .map_err(|e| Error::failed(format!("cannot encode the flags file: {e}")))
        };
        // Pretty, indented for its place in the file (a flag sits two levels deep); JSON strings
        // hold no raw newline, so indenting after each one is safe.
        let pretty = serde_json::to_string_pretty(flag)
            .map_err(|e| Error::failed(format!("cannot encode the flags file: {e}")))?
            .replace('\n', "\n    ");
        let mut flags = self.flags.clone();
        flags.insert(
            key.to_string(),
            RawValue::from_string(pretty)
                .map_err(|e| Error::failed(format!("cannot encode the flags file: {e}")))?,
        );
        let mut top = IndexMap::new();
        if !self.top.contains_key("$schema") {
            top.insert("$schema".to_string(), raw(&Value::String(schema.into()))?);
        }
        for (k, v) in &self.top {
            top.insert(k.clone(), v.clone());
        }
        // A placeholder: `render` writes the flags in its place, so the order of keys is kept.
        top.entry("flags".to_string()).or_insert(raw(&Value::Null)?);
        Ok(Document { top, flags })
    }

    /// The file's text: pretty JSON, other entries exactly as they were read.
    pub fn render(&self) -> Result<String> {
        #[derive(serde::Serialize)]
        #[serde(untagged)]
        enum Entry<'a> {
            Raw(&'a RawValue),
            Flags(&'a IndexMap<String, Box<RawValue>>),
        }
        let doc: IndexMap<&str, Entry> = self
            .top
            .iter()
            .map(|(k, v)| {
                let entry = if k == "flags" {
                    Entry::Flags(&self.flags)
                } else {
                    Entry::Raw(v)
                };
                (k.as_str(), entry)
            })
            .collect();
        let mut text = serde_json::to_string_pretty(&doc)
            .map_err(|e| Error::failed(format!("cannot encode the flags file: {e}")))?;
        text.push('\n');
        Ok(text)
    }
}

fn not_flagd(shown: &str) -> Error {
    Error::provider(format!(
        "{shown}: not a flagd flag-definition file (no `flags` object)"
    ))
    .nothing_changed()
    .with_hint("restore it from version control, or point `provider.path` at a flagd flags file")
}

/// The file a write replaces: `path` itself, or where its symbolic link points (so the link is
/// kept and flagd watching either name sees the change).
pub fn target(path: &Path, shown: &str) -> Result<PathBuf> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => match std::fs::canonicalize(path) {
            Ok(real) => Ok(real),
            Err(e) => {
                let to = std::fs::read_link(path)
                    .map(|t| t.display().to_string())
                    .unwrap_or_else(|_| "?".into());
                Err(Error::provider(format!(
                    "{shown} is a symbolic link to {to}, which cannot be followed ({e})"
                ))
                .nothing_changed()
                .permanent()
                .with_hint("create the file it points to, or replace the link with the flags file"))
            }
        },
        _ => Ok(path.to_path_buf()),
    }
}

/// The lock every writer of `file` takes: `.NAME.lock` beside it (the file itself is replaced by
/// rename, so it cannot hold a lock).
pub fn lock_path(file: &Path) -> PathBuf {
    file.with_file_name(format!(".{}.lock", file_name(file)))
}

fn file_name(file: &Path) -> String {
    file.file_name()
        .map_or_else(|| "flags.json".into(), |n| n.to_string_lossy().into_owned())
}

/// Takes the exclusive lock on `file`, waiting for another writer without blocking the runtime
/// until `deadline` (the run's `--timeout`); past it the write is a conflict, nothing changed.
pub async fn lock(file: &Path, shown: &str, deadline: tokio::time::Instant) -> Result<File> {
    let lock_path = lock_path(file);
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| {
            Error::provider(format!("cannot open the lock {}: {e}", lock_path.display()))
                .nothing_changed()
        })?;
    let started = tokio::time::Instant::now();
    loop {
        match lock.try_lock() {
            Ok(()) => return Ok(lock),
            Err(std::fs::TryLockError::WouldBlock) => {
                let now = tokio::time::Instant::now();
                if now >= deadline {
                    return Err(Error::conflict(format!(
                        "another rollout process held the lock on {shown} for the whole {} \
                         this run may wait (--timeout)",
                        crate::domain::clock::span((now - started).max(Duration::from_secs(1)))
                    ))
                    .nothing_changed()
                    .with_hint("try again when the other run has finished, or raise --timeout")
                    // The whole --timeout is spent: a retry (kill retries conflicts) cannot help.
                    .permanent());
                }
                tokio::time::sleep_until((now + Duration::from_millis(20)).min(deadline)).await;
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(
                    Error::provider(format!("cannot lock {}: {e}", lock_path.display()))
                        .nothing_changed(),
                )
            }
        }
    }
}

/// Removes the temp files a crashed writer of `file` left. Only under the lock: every writer
/// makes its temp file while holding it, so any temp file seen now is a dead writer's. Older
/// versions named them `.flags-XXXXXX.tmp`; those go too.
pub fn clean_stale_temps(file: &Path) {
    let dir = file.parent().unwrap_or(Path::new("."));
    let prefix = crate::adapters::atomic_write::temp_prefix(file);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours = name.starts_with(&prefix) || name.starts_with(".flags-");
        if ours && name.ends_with(".tmp") && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_entries_keep_their_text_and_order_and_schema_comes_first() {
        let text = "{\n  \"flags\": {\n    \"x\": {\"n\": 123456789012345678901234567890}\n  },\n  \"z\": 1e400\n}\n";
        let doc = Document::parse(text, "f.json").unwrap();
        let flag = serde_json::json!({"state": "ENABLED"});
        let out = doc.with_flag("S", "mine", &flag).unwrap().render().unwrap();
        assert_eq!(
            out,
            "{\n  \"$schema\": \"S\",\n  \"flags\": {\n    \"x\": {\"n\": 123456789012345678901234567890},\n    \"mine\": {\n      \"state\": \"ENABLED\"\n    }\n  },\n  \"z\": 1e400\n}\n"
        );
        // Written back, it reads back the same and renders to the same text.
        let again = Document::parse(&out, "f.json").unwrap();
        assert_eq!(again.flag("mine"), Some(flag.clone()));
        assert_eq!(
            again
                .with_flag("S", "mine", &flag)
                .unwrap()
                .render()
                .unwrap(),
            out
        );
    }

    #[test]
    fn a_file_that_is_no_flags_document_is_refused() {
        for text in ["[]", "{\"flags\": []}", "{\"flags\": 3}"] {
            let e = Document::parse(text, "f.json").err().unwrap();
            assert!(
                e.message.contains("not a flagd flag-definition file"),
                "{text}: {}",
                e.message
            );
        }
        let e = Document::parse("{\"flags\": {", "f.json").err().unwrap();
        assert!(
            e.message
                .starts_with("f.json:1:11: the flags file is not valid JSON"),
            "{}",
            e.message
        );
    }
}
