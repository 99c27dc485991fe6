//! `.rollout/journal.jsonl`: one JSON object a line, appended and fsynced under a lock, for every
//! change and every checklist run. Reading tolerates (and reports) a torn last line.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::domain::config::STATE_DIR;
use crate::domain::error::{Error, Result};

pub use crate::domain::event::Event;

pub const JOURNAL_FILE: &str = "journal.jsonl";

#[must_use]
pub fn path(dir: &Path) -> PathBuf {
    dir.join(STATE_DIR).join(JOURNAL_FILE)
}

/// Appends one record: a single write of the whole line, then fsync, under an exclusive lock so
/// concurrent writers never interleave.
pub fn append(dir: &Path, record: &impl Serialize) -> Result<()> {
    let mut locked = Locked::open(&path(dir))?;
    locked.write(record)?;
    locked.unlock()
}

/// The journal file at a path, opened for appending and locked (exclusively, across processes)
/// until [`Locked::unlock`] or drop: a reader may look at it before writing, and nobody writes
/// in between (the local state store's compare-and-swap).
pub struct Locked {
    file: File,
    path: PathBuf,
}

impl Locked {
    /// Opens (creating it and its directory) and locks the journal at `path`.
    pub fn open(path: &Path) -> Result<Locked> {
        let fail = |e: std::io::Error| write_failed(path, &e);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(fail)?;
        file.lock().map_err(fail)?;
        Ok(Locked {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Where it is.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `record` as one line (secrets scrubbed), fsynced.
    pub fn write(&mut self, record: &impl Serialize) -> Result<()> {
        let mut line = serde_json::to_string(record)
            .map_err(|e| Error::failed(format!("could not encode a journal entry: {e}")))?;
        line = crate::domain::secrets::redact::scrub(&line);
        line.push('\n');
        let path = self.path.clone();
        let fail = |e: std::io::Error| write_failed(&path, &e);
        // A torn last line (a crash mid-write) must not swallow this record: start on a fresh line.
        let needs_newline = ends_without_newline(&self.path).unwrap_or(false);
        if needs_newline {
            self.file.write_all(b"\n").map_err(fail)?;
        }
        self.file.write_all(line.as_bytes()).map_err(fail)?;
        self.file.sync_data().map_err(fail)?;
        Ok(())
    }

    /// Empties the file (the outbox, once every record in it reached the store).
    pub fn clear(&mut self) -> Result<()> {
        let path = self.path.clone();
        let fail = |e: std::io::Error| write_failed(&path, &e);
        self.file.set_len(0).map_err(fail)?;
        self.file.sync_data().map_err(fail)
    }

    /// Gives the lock up.
    pub fn unlock(self) -> Result<()> {
        self.file.unlock().map_err(|e| write_failed(&self.path, &e))
    }
}

fn write_failed(path: &Path, e: &std::io::Error) -> Error {
    Error::failed(format!(
        "could not write the journal {}: {e}",
        path.display()
    ))
    .with_hint("the change itself was made; record it by hand if the disk is full or read-only")
}

fn ends_without_newline(path: &Path) -> std::io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = File::open(path)?;
    let len = f.metadata()?.len();
    if len == 0 {
        return Ok(false);
    }
    f.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    f.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
}

/// The longest journal line read back (a record is a few hundred bytes): longer ones are reported
/// as damaged without being parsed. See docs/limits.md.
pub const MAX_LINE_BYTES: usize = 64 << 10;

/// One journal line as a record, or why it is not one.
pub fn parse_line(line: &str) -> std::result::Result<Value, String> {
    if line.len() > MAX_LINE_BYTES {
        return Err(too_long(line.len() as u64));
    }
    match serde_json::from_str::<Value>(line) {
        Ok(v) if v.is_object() => Ok(v),
        Ok(_) => Err("not a JSON object".to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// Why a line of `len` bytes, over [`MAX_LINE_BYTES`], is not read as a record.
#[must_use]
pub fn too_long(len: u64) -> String {
    format!("the line is {len} bytes, longer than the limit of {MAX_LINE_BYTES}")
}
