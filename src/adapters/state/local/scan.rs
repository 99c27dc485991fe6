//! Reading the local journal as stored records: forward (an append's look for its id and its
//! scope's head, under the journal's lock) and backward from the end (reads, newest first).
//! The callers hold the lock; these only read.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::adapters::journal;
use crate::adapters::state::entry;
use crate::domain::error::{Error, Result};
use crate::ports::state::{Lane, Query, Scope, Stored};

/// What a forward pass found.
#[derive(Debug, Default)]
pub struct Found {
    /// Lines in the file (a torn last line counts): the next record's seq is one more.
    pub lines: u64,
    /// Lines holding a record.
    pub records: u64,
    /// The record of the id asked for.
    pub record: Option<Stored>,
    /// The newest change record of the scope asked for.
    pub head: Option<Stored>,
}

fn read_failed(path: &Path, e: &io::Error) -> Error {
    if e.kind() == io::ErrorKind::Interrupted {
        return Error::new(
            crate::domain::error::Kind::Interrupted,
            format!("interrupted while reading the journal {}", path.display()),
        );
    }
    Error::failed(format!(
        "could not read the journal {}: {e}",
        path.display()
    ))
}

/// When the record says it happened: its `time` (the epoch when it has none).
#[must_use]
pub fn time_of(body: &Value) -> DateTime<Utc> {
    body.get("time")
        .and_then(Value::as_str)
        .and_then(|t| t.parse().ok())
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

fn stored(seq: u64, body: Value) -> Stored {
    Stored {
        seq,
        at: time_of(&body),
        entry: entry::of(body),
    }
}

/// How a line can hold `id` or be about `scope` without being parsed: the JSON text of the
/// record's own `id` or of the flag's name appears in it.
fn needle(s: &str) -> Vec<u8> {
    serde_json::to_string(s).unwrap_or_default().into_bytes()
}

/// Reads the whole journal at `path` once: its lines, the record stored under `id` and the
/// newest change record of `scope`.
pub fn forward(path: &Path, id: Option<&str>, scope: Option<&Scope>) -> Result<Found> {
    let mut found = Found::default();
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(read_failed(path, &e)),
    };
    // A derived id is in no line's text: every line is read as a record to find it.
    let id_needle = id
        .filter(|i| !i.starts_with(entry::DERIVED))
        .map(|i| needle(i.rsplit_once('/').map_or(i, |(base, _)| base)));
    let every = id.is_some_and(|i| i.starts_with(entry::DERIVED));
    let scope_needle = scope.map(|s| needle(&s.flag));
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut line = Vec::new();
    let signals = crate::adapters::journal_tail::Signals::watch();
    loop {
        signals.check().map_err(|e| read_failed(path, &e))?;
        line.clear();
        let n = (&mut reader)
            .take(journal::MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| read_failed(path, &e))?;
        if n == 0 {
            break;
        }
        found.lines += 1;
        // A line past the limit is damaged, never a record: skipped without being kept.
        if line.len() > journal::MAX_LINE_BYTES && line.last() != Some(&b'\n') {
            skip_line(&mut reader, &signals).map_err(|e| read_failed(path, &e))?;
            continue;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        found.records += 1;
        let has = |n: &Option<Vec<u8>>| {
            n.as_ref()
                .is_some_and(|n| memchr::memmem::find(&line, n).is_some())
        };
        let (maybe_id, maybe_scope) = (every || has(&id_needle), has(&scope_needle));
        if !maybe_id && !maybe_scope {
            continue;
        }
        let Ok(body) = journal::parse_line(String::from_utf8_lossy(&line).trim_end()) else {
            found.records -= 1;
            continue;
        };
        if maybe_id && id.is_some_and(|i| entry::id_of(&body) == i) {
            found.record = Some(stored(found.lines, body.clone()));
        }
        if maybe_scope
            && entry::lane_of(&body) == Lane::Change
            && entry::scope_of(&body).as_ref() == scope
        {
            found.head = Some(stored(found.lines, body));
        }
    }
    Ok(found)
}

/// Reads past the rest of the current line (to its line end or the end of the file).
fn skip_line(
    reader: &mut impl BufRead,
    signals: &crate::adapters::journal_tail::Signals,
) -> io::Result<()> {
    loop {
        signals.check()?;
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        if let Some(nl) = memchr::memchr(b'\n', buf) {
            reader.consume(nl + 1);
            return Ok(());
        }
        let len = buf.len();
        reader.consume(len);
    }
}

/// Lines in the file at `path`: its line ends, and one more for a last line without one.
fn count_lines(path: &Path) -> Result<u64> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(read_failed(path, &e)),
    };
    let mut block = vec![0u8; 1 << 20];
    let (mut lines, mut last) = (0u64, b'\n');
    let signals = crate::adapters::journal_tail::Signals::watch();
    loop {
        signals.check().map_err(|e| read_failed(path, &e))?;
        let n = file.read(&mut block).map_err(|e| read_failed(path, &e))?;
        if n == 0 {
            break;
        }
        lines += memchr::memchr_iter(b'\n', &block[..n]).count() as u64;
        last = block[n - 1];
    }
    Ok(lines + u64::from(last != b'\n'))
}

/// The records `query` asks for, newest first, read from the end of the journal at `path`.
pub fn backward(path: &Path, query: &Query) -> Result<Vec<Stored>> {
    let total = count_lines(path)?;
    let Some(mut lines) =
        crate::adapters::journal_tail::Backwards::open(path).map_err(|e| read_failed(path, &e))?
    else {
        return Ok(Vec::new());
    };
    // A line that does not hold the flag's name is not about its scope: not parsed.
    let scope_needle = query.scope.as_ref().map(|s| needle(&s.flag));
    let mut out = Vec::new();
    while let Some((from_end, line)) = lines.next_line().map_err(|e| read_failed(path, &e))? {
        if query.limit.is_some_and(|l| out.len() >= l) {
            break;
        }
        let seq = (total + 1).saturating_sub(from_end as u64);
        if query.before.is_some_and(|b| seq >= b) {
            continue;
        }
        if scope_needle
            .as_ref()
            .is_some_and(|n| memchr::memmem::find(&line, n).is_none())
        {
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        if text.trim().is_empty() {
            continue;
        }
        let Ok(body) = journal::parse_line(&text) else {
            continue;
        };
        // Scope and lane first: the id (a hash for records without one) only for those kept.
        if query
            .scope
            .as_ref()
            .is_some_and(|s| entry::scope_of(&body).as_ref() != Some(s))
            || !(query.lanes.is_empty() || query.lanes.contains(&entry::lane_of(&body)))
        {
            continue;
        }
        out.push(stored(seq, body));
    }
    Ok(out)
}

/// The journal at `path` locked for reading (None when there is none yet): no record is
/// appended until it is dropped, so line numbers hold while it is read.
pub fn shared(path: &Path) -> Result<Option<File>> {
    match File::open(path) {
        Ok(f) => {
            f.lock_shared().map_err(|e| read_failed(path, &e))?;
            Ok(Some(f))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(read_failed(path, &e)),
    }
}
