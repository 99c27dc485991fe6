//! Reading the local journal as stored records: forward (an append's look for its id and its
//! scope's head, under the journal's lock) and backward from the end (reads, newest first).
//! The callers hold the lock; these only read.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek};
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

/// What has been counted of the journal so far: its first `bytes`, their line ends and last
/// byte. The file is only appended to (under its lock), so a later count reads only what was
/// appended since; a file shorter than what was counted (cut short, replaced) is counted again.
#[derive(Debug)]
pub struct Count {
    bytes: u64,
    newlines: u64,
    last: u8,
    /// Flags' lines read back to the first line (see [`backward`]); emptied with the count.
    pub seen: HashMap<Vec<u8>, Seen>,
}

impl Default for Count {
    fn default() -> Count {
        Count {
            bytes: 0,
            newlines: 0,
            last: b'\n',
            seen: HashMap::new(),
        }
    }
}

impl Count {
    /// Lines in the file at `path` now (its line ends, and one more for a last line without
    /// one), reading only the bytes not counted yet. The caller holds the journal's lock.
    pub fn lines(&mut self, path: &Path) -> Result<u64> {
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                *self = Count::default();
                return Ok(0);
            }
            Err(e) => return Err(read_failed(path, &e)),
        };
        let len = file.metadata().map_err(|e| read_failed(path, &e))?.len();
        if len < self.bytes {
            *self = Count::default();
        }
        file.seek(io::SeekFrom::Start(self.bytes))
            .map_err(|e| read_failed(path, &e))?;
        let mut block = vec![0u8; 1 << 20];
        let signals = crate::adapters::journal_tail::Signals::watch();
        loop {
            signals.check().map_err(|e| read_failed(path, &e))?;
            let n = file.read(&mut block).map_err(|e| read_failed(path, &e))?;
            if n == 0 {
                break;
            }
            self.newlines += memchr::memchr_iter(b'\n', &block[..n]).count() as u64;
            self.last = block[n - 1];
            self.bytes += n as u64;
        }
        Ok(self.newlines + u64::from(self.last != b'\n'))
    }
}

/// The time an id made by `rollout` (`{hex nanos}-{pid}-{n}`, then `/{outcome}` for an entry
/// id) was made, in nanoseconds since the epoch; None for any other id.
#[must_use]
pub fn id_time(id: &str) -> Option<u128> {
    let (hex, rest) = id.split_once('-')?;
    if hex.is_empty() || hex.len() > 32 || !rest.contains('-') {
        return None;
    }
    u128::from_str_radix(hex, 16).ok()
}

/// How far back an append looks for its id: records written before an id was made cannot hold
/// it, so a search stops at a record whose own id was made more than this before (clock steps
/// and the time between making an id and writing its record are within it).
pub const ID_MARGIN: std::time::Duration = std::time::Duration::from_secs(600);

/// What an append looks for, newest first: the record stored under `id` and the newest change
/// record of `scope` (None: not looked for).
#[derive(Debug, Default)]
pub struct Newest {
    pub record: Option<Stored>,
    pub head: Option<Stored>,
}

/// The line's own record id's time, read without parsing the line unless it may stop a search.
fn line_id_time(line: &[u8]) -> Option<(u128, Value)> {
    let at = memchr::memmem::find(line, b"\"id\":\"")? + 6;
    let end = line[at..].iter().position(|&b| b == b'"')? + at;
    let cheap = id_time(std::str::from_utf8(&line[at..end]).ok()?)?;
    let body = journal::parse_line(String::from_utf8_lossy(line).trim_end()).ok()?;
    let own = body.get("id").and_then(Value::as_str).and_then(id_time)?;
    (own == cheap).then_some((own, body))
}

/// Reads the journal at `path` (of `total` lines) from its end for what an append needs: the
/// record of `id` (a `rollout` id made within [`ID_MARGIN`] of now is looked for back to the
/// first record made [`ID_MARGIN`] before it; any other id back to the first line) and the
/// newest change record of `scope`. Stops as soon as both are settled.
pub fn newest(path: &Path, total: u64, id: Option<&str>, scope: Option<&Scope>) -> Result<Newest> {
    let mut found = Newest::default();
    let Some(mut lines) =
        crate::adapters::journal_tail::Backwards::open(path).map_err(|e| read_failed(path, &e))?
    else {
        return Ok(found);
    };
    let margin = ID_MARGIN.as_nanos();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    // Before this, no record can hold the id (None: any record can).
    let mut floor = id
        .and_then(id_time)
        .filter(|t| t.saturating_add(margin) >= now)
        .map(|t| t.saturating_sub(margin));
    let id_needle = id.map(|i| needle(i.rsplit_once('/').map_or(i, |(base, _)| base)));
    let scope_needle = scope.map(|s| needle(&s.flag));
    let mut want_id = id.is_some();
    while let Some((from_end, line)) = lines.next_line().map_err(|e| read_failed(path, &e))? {
        if !want_id && (scope.is_none() || found.head.is_some()) {
            break;
        }
        let seq = (total + 1).saturating_sub(from_end as u64);
        let has = |n: &Option<Vec<u8>>| {
            n.as_ref()
                .is_some_and(|n| memchr::memmem::find(&line, n).is_some())
        };
        let (maybe_id, maybe_scope) = (
            want_id && has(&id_needle),
            scope.is_some() && found.head.is_none() && has(&scope_needle),
        );
        if maybe_id || maybe_scope {
            if let Ok(body) = journal::parse_line(String::from_utf8_lossy(&line).trim_end()) {
                if maybe_id && id.is_some_and(|i| entry::id_of(&body) == i) {
                    found.record = Some(stored(seq, body.clone()));
                    want_id = false;
                }
                if maybe_scope
                    && entry::lane_of(&body) == Lane::Change
                    && entry::scope_of(&body).as_ref() == scope
                {
                    found.head = Some(stored(seq, body));
                }
            }
        }
        if want_id && floor.is_some_and(|f| line_id_time(&line).is_some_and(|(t, _)| t < f)) {
            want_id = false;
            floor = None;
        }
    }
    Ok(found)
}

/// The lines holding one flag's name, read back to the journal's first line: a store's later
/// reads of that flag take them from here and read only the lines appended since.
#[derive(Debug, Default)]
pub struct Seen {
    /// Lines 1 to `upto` were read.
    upto: u64,
    /// Those of them that hold the flag's name, newest first, with their numbers.
    lines: Vec<(u64, Vec<u8>)>,
    bytes: usize,
}

/// At most this much of one flag's lines is kept (a flag with more is read from the file).
const SEEN_BYTES: usize = 4 << 20;

/// Keeps the record on `line` (number `seq`) in `out` when `query` asks for it.
fn keep(query: &Query, seq: u64, line: &[u8], out: &mut Vec<Stored>) {
    if query.before.is_some_and(|b| seq >= b) {
        return;
    }
    let text = String::from_utf8_lossy(line);
    if text.trim().is_empty() {
        return;
    }
    let Ok(body) = journal::parse_line(&text) else {
        return;
    };
    // Scope and lane first: the id (a hash for records without one) only for those kept.
    if query
        .scope
        .as_ref()
        .is_some_and(|s| entry::scope_of(&body).as_ref() != Some(s))
        || !(query.lanes.is_empty() || query.lanes.contains(&entry::lane_of(&body)))
    {
        return;
    }
    out.push(stored(seq, body));
}

/// The records `query` asks for, newest first, read from the end of the journal at `path`
/// (of `total` lines). A read of a flag's records that reaches the first line keeps that
/// flag's lines in `seen` (within [`SEEN_BYTES`]); later reads of it stop where `seen` starts.
pub fn backward(
    path: &Path,
    total: u64,
    seen: &mut HashMap<Vec<u8>, Seen>,
    query: &Query,
) -> Result<Vec<Stored>> {
    // A line that does not hold the flag's name is not about its scope: not parsed.
    let scope_needle = query.scope.as_ref().map(|s| needle(&s.flag));
    let cached = scope_needle.as_ref().and_then(|n| seen.remove(n));
    let upto = cached.as_ref().map_or(0, |c| c.upto);
    let mut fresh = scope_needle.as_ref().map(|_| Seen::default());
    let mut out = Vec::new();
    let full = |out: &Vec<Stored>| query.limit.is_some_and(|l| out.len() >= l);
    let mut reached = true;
    if let Some(mut lines) =
        crate::adapters::journal_tail::Backwards::open(path).map_err(|e| read_failed(path, &e))?
    {
        while let Some((from_end, line)) = lines.next_line().map_err(|e| read_failed(path, &e))? {
            let seq = (total + 1).saturating_sub(from_end as u64);
            if seq <= upto {
                break;
            }
            if full(&out) {
                reached = false;
                break;
            }
            if let Some(n) = &scope_needle {
                if memchr::memmem::find(&line, n).is_none() {
                    continue;
                }
                if let Some(f) = fresh.as_mut() {
                    f.bytes += line.len();
                    f.lines.push((seq, line.clone()));
                }
                fresh = fresh.filter(|f| f.bytes <= SEEN_BYTES);
            }
            keep(query, seq, &line, &mut out);
        }
    }
    if !reached {
        if let (Some(n), Some(c)) = (scope_needle, cached) {
            seen.insert(n, c);
        }
        return Ok(out);
    }
    for (seq, line) in cached.iter().flat_map(|c| &c.lines) {
        if full(&out) {
            break;
        }
        keep(query, *seq, line, &mut out);
    }
    if let (Some(n), Some(mut f)) = (scope_needle, fresh) {
        if let Some(c) = cached {
            f.bytes += c.bytes;
            f.lines.extend(c.lines);
        }
        if f.bytes <= SEEN_BYTES {
            f.upto = total;
            seen.insert(n, f);
        }
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
