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
    let path = path(dir);
    let mut line = serde_json::to_string(record)
        .map_err(|e| Error::failed(format!("could not encode a journal entry: {e}")))?;
    line = crate::domain::secrets::redact::scrub(&line);
    line.push('\n');
    let fail = |e: std::io::Error| {
        Error::failed(format!(
            "could not write the journal {}: {e}",
            path.display()
        ))
        .with_hint("the change itself was made; record it by hand if the disk is full or read-only")
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(fail)?;
    file.lock().map_err(fail)?;
    // A torn last line (a crash mid-write) must not swallow this record: start on a fresh line.
    let needs_newline = ends_without_newline(&path).unwrap_or(false);
    if needs_newline {
        file.write_all(b"\n").map_err(fail)?;
    }
    file.write_all(line.as_bytes()).map_err(fail)?;
    file.sync_data().map_err(fail)?;
    file.unlock().map_err(fail)?;
    Ok(())
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
