//! Reading the journal from its end: `history --limit N` and `status` need the newest records,
//! so they read blocks backwards from the end of the file and stop as soon as they have them.
//! Cost follows what is read, not the journal's size, and stays linear in it: a line longer than
//! the journal's [`MAX_LINE_BYTES`] (damaged anyway) is not kept, only scanned for the line end
//! before it and remembered by its length. Ctrl-C and SIGTERM stop a read between two blocks.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::Value;

use crate::adapters::journal::{Event, MAX_LINE_BYTES};
use crate::domain::error::{Error, Kind, Result};

const BLOCK: u64 = 64 * 1024;
/// Blocks read while skipping an over-long line: nothing is kept of them.
const SKIP_BLOCK: usize = 1 << 20;

/// A signal came while some journal read was under way: the run is being stopped (the command
/// loop sees the same signal), so later reads give up at once too.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether Ctrl-C or SIGTERM stopped a journal read in this process. A command whose reads do
/// not return errors (`status`, through [`open_intents`]) checks it before showing anything.
#[must_use]
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// SIGINT and SIGTERM noticed while a reader lives (the reads themselves are blocking, so the
/// async signal handling of `interrupt` cannot run meanwhile); unregistered when it is dropped.
pub(crate) struct Signals {
    flag: Arc<AtomicBool>,
    ids: Vec<signal_hook::SigId>,
}

impl Signals {
    pub(crate) fn watch() -> Signals {
        let flag = Arc::new(AtomicBool::new(false));
        let ids = [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM]
            .into_iter()
            .filter_map(|sig| signal_hook::flag::register(sig, Arc::clone(&flag)).ok())
            .collect();
        Signals { flag, ids }
    }

    /// An `Interrupted` error once a signal came.
    pub(crate) fn check(&self) -> io::Result<()> {
        if self.flag.load(Ordering::SeqCst) || INTERRUPTED.load(Ordering::SeqCst) {
            INTERRUPTED.store(true, Ordering::SeqCst);
            return Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "stopped by Ctrl-C or SIGTERM",
            ));
        }
        Ok(())
    }
}

impl Drop for Signals {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// The lines of a file, last first.
pub struct Backwards {
    file: File,
    /// Bytes before `pos` are not read yet; `buf` holds the unconsumed bytes from `pos` on. It
    /// never grows past `MAX_LINE_BYTES` and a block: a longer line is skipped, not kept.
    pos: u64,
    buf: Vec<u8>,
    /// The first line has been returned.
    done: bool,
    /// Lines returned so far (the last line is 1).
    seen: usize,
    /// The length of the line last returned, when it was longer than `MAX_LINE_BYTES`: such a
    /// line is returned empty.
    too_long: Option<u64>,
    signals: Signals,
}

impl Backwards {
    /// Opens `path`; `None` when there is no such file.
    pub fn open(path: &Path) -> io::Result<Option<Backwards>> {
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut pos = file.metadata()?.len();
        let mut done = pos == 0;
        // The last line end closes the last line; nothing follows it.
        if pos > 0 {
            file.seek(SeekFrom::Start(pos - 1))?;
            let mut last = [0u8; 1];
            file.read_exact(&mut last)?;
            if last[0] == b'\n' {
                pos -= 1;
                done = pos == 0;
            }
        }
        Ok(Some(Backwards {
            file,
            pos,
            buf: Vec::new(),
            done,
            seen: 0,
            too_long: None,
            signals: Signals::watch(),
        }))
    }

    /// The next line toward the start of the file (without its line end), and its number
    /// counted from the end (the last line is 1). A line longer than `MAX_LINE_BYTES` comes
    /// back empty, with its length in [`Backwards::too_long`]. An `Interrupted` error when
    /// Ctrl-C or SIGTERM came.
    pub fn next_line(&mut self) -> io::Result<Option<(usize, Vec<u8>)>> {
        self.too_long = None;
        if self.done {
            return Ok(None);
        }
        // Bytes of the line being read that were dropped, once it is known to be too long.
        let mut dropped: Option<u64> = None;
        loop {
            self.signals.check()?;
            let nl = memchr::memrchr(b'\n', &self.buf);
            if nl.is_some() || self.pos == 0 {
                let from = nl.map_or(0, |i| i + 1);
                let len = (self.buf.len() - from) as u64 + dropped.unwrap_or(0);
                let line = if dropped.is_some() || len > MAX_LINE_BYTES as u64 {
                    self.too_long = Some(len);
                    Vec::new()
                } else {
                    self.buf[from..].to_vec()
                };
                self.buf.truncate(nl.unwrap_or(0));
                self.done = nl.is_none();
                self.seen += 1;
                return Ok(Some((self.seen, line)));
            }
            if dropped.is_some() || self.buf.len() > MAX_LINE_BYTES {
                // Damaged anyway: keep nothing of it, only find where it starts.
                let kept = self.buf.len() as u64;
                self.buf.clear();
                dropped = Some(dropped.unwrap_or(0) + kept + self.skip_to_line_end()?);
                continue;
            }
            let start = self.pos.saturating_sub(BLOCK);
            let size = usize::try_from(self.pos - start).unwrap_or(0);
            let mut block = vec![0u8; size];
            self.file.seek(SeekFrom::Start(start))?;
            self.file.read_exact(&mut block)?;
            block.extend_from_slice(&self.buf);
            self.buf = block;
            self.pos = start;
        }
    }

    /// Reads backwards from `pos` to the line end before it, keeping only that line end (and
    /// what precedes it in its block) in `buf`; the bytes passed over, counted.
    fn skip_to_line_end(&mut self) -> io::Result<u64> {
        let mut passed = 0u64;
        let mut block = vec![0u8; SKIP_BLOCK];
        while self.pos > 0 {
            self.signals.check()?;
            let start = self.pos.saturating_sub(SKIP_BLOCK as u64);
            let size = usize::try_from(self.pos - start).unwrap_or(0);
            self.file.seek(SeekFrom::Start(start))?;
            self.file.read_exact(&mut block[..size])?;
            self.pos = start;
            if let Some(nl) = memchr::memrchr(b'\n', &block[..size]) {
                passed += (size - nl - 1) as u64;
                block.truncate(nl + 1);
                self.buf = block;
                return Ok(passed);
            }
            passed += size as u64;
        }
        Ok(passed)
    }

    /// The length in bytes of the line last returned by [`Backwards::next_line`], when it was
    /// longer than `MAX_LINE_BYTES` (and so returned empty).
    #[must_use]
    pub fn too_long(&self) -> Option<u64> {
        self.too_long
    }

    /// Whether every line has been returned.
    #[must_use]
    pub fn at_start(&self) -> bool {
        self.done
    }

    /// The number from the start (1-based) of the line numbered `from_end` from the end. Known
    /// without more reading once the start is reached; otherwise the line ends before the
    /// unread part are counted (only for a damaged line, which is rare).
    pub fn line_number(&mut self, from_end: usize) -> io::Result<usize> {
        let total = if self.done {
            self.seen
        } else {
            let mut before = 0usize;
            let mut left = self.pos;
            self.file.seek(SeekFrom::Start(0))?;
            let mut block = vec![0u8; 1 << 20];
            while left > 0 {
                self.signals.check()?;
                let n = usize::try_from(left.min(1 << 20)).unwrap_or(1 << 20);
                self.file.read_exact(&mut block[..n])?;
                before += memchr::memchr_iter(b'\n', &block[..n]).count();
                left -= n as u64;
            }
            // Lines wholly unread, the line partly in `buf`, and those returned.
            before + memchr::memchr_iter(b'\n', &self.buf).count() + 1 + self.seen
        };
        Ok(total + 1 - from_end)
    }
}

/// The journal read from its end, newest record first.
pub struct Tail {
    path: PathBuf,
    lines: Option<Backwards>,
    /// Damaged lines met so far: (number from the end, why).
    damaged: Vec<(usize, String)>,
}

impl Tail {
    pub fn open(path: &Path) -> Result<Tail> {
        let lines = Backwards::open(path).map_err(|e| read_failed(path, &e))?;
        Ok(Tail {
            path: path.to_path_buf(),
            lines,
            damaged: Vec::new(),
        })
    }

    /// The next older record, skipping blank and damaged lines (remembered for
    /// [`Tail::damaged`]).
    pub fn next_record(&mut self) -> Result<Option<Value>> {
        self.next_record_with(&[])
    }

    /// [`Tail::next_record`], skipping unparsed every line that lacks one of `needles` (a
    /// record as the journal writes it names its flag as a JSON string): a search that wants
    /// one flag's records passes over the others at the speed of reading.
    fn next_record_with(&mut self, needles: &[memchr::memmem::Finder]) -> Result<Option<Value>> {
        let Some(lines) = self.lines.as_mut() else {
            return Ok(None);
        };
        while let Some((from_end, line)) =
            lines.next_line().map_err(|e| read_failed(&self.path, &e))?
        {
            if needles.iter().any(|n| n.find(&line).is_none()) && lines.too_long().is_none() {
                continue;
            }
            if let Some(len) = lines.too_long() {
                self.damaged
                    .push((from_end, crate::adapters::journal::too_long(len)));
                continue;
            }
            let text = String::from_utf8_lossy(&line);
            if text.trim().is_empty() {
                continue;
            }
            // The same reading as the journal's own (a bounded line, a JSON object).
            match crate::adapters::journal::parse_line(&text) {
                Ok(v) => return Ok(Some(v)),
                Err(why) => self.damaged.push((from_end, why)),
            }
        }
        Ok(None)
    }

    /// Whether the whole journal has been read.
    #[must_use]
    pub fn at_start(&self) -> bool {
        self.lines.as_ref().is_none_or(Backwards::at_start)
    }

    /// The damaged lines met so far, as (line number from the start, why), in file order.
    pub fn damaged(&mut self) -> Result<Vec<(usize, String)>> {
        let mut found = Vec::new();
        if let Some(lines) = self.lines.as_mut() {
            for (from_end, why) in self.damaged.iter().rev() {
                let line = lines
                    .line_number(*from_end)
                    .map_err(|e| read_failed(&self.path, &e))?;
                found.push((line, why.clone()));
            }
        }
        Ok(found)
    }
}

fn read_failed(path: &Path, e: &io::Error) -> Error {
    if e.kind() == io::ErrorKind::Interrupted {
        return Error::new(
            Kind::Interrupted,
            format!("interrupted while reading {}", path.display()),
        );
    }
    Error::failed(format!("could not read {}: {e}", path.display()))
}

/// The intents of `flag` in `environment` that no outcome record completed, made after its last
/// completed change, in file order (the rule over the whole journal is [`oracle`], which the
/// tests compare this with). Reads from the
/// end and stops at that change: an outcome follows its intent, so every intent met before it
/// is open.
#[must_use]
pub fn open_intents(dir: &Path, flag: &str, environment: &str) -> Vec<Event> {
    let Ok(mut tail) = Tail::open(&crate::adapters::journal::path(dir)) else {
        return Vec::new();
    };
    let name = serde_json::to_string(flag).unwrap_or_default();
    let needles = [
        memchr::memmem::Finder::new(name.as_bytes()),
        memchr::memmem::Finder::new(b"\"id\":"),
    ];
    let mut open = Vec::new();
    while let Ok(Some(v)) = tail.next_record_with(&needles) {
        let Ok(e) = serde_json::from_value::<Event>(v) else {
            continue;
        };
        if e.flag != flag || e.environment != environment || e.id.is_none() {
            continue;
        }
        if e.outcome != crate::domain::event::outcome::INTENT {
            break;
        }
        open.push(e);
    }
    open.reverse();
    open
}

#[cfg(test)]
#[path = "journal_tail_tests.rs"]
mod tests;

/// The rule for open intents stated over the whole journal in file order: the oracle that
/// [`open_intents`] (which reads from the end and stops early) is tested
/// against.
#[cfg(test)]
pub mod oracle {
    use serde_json::Value;

    use crate::adapters::journal::Event;
    use crate::domain::event::outcome::INTENT;

    /// Intents with no outcome record, for `flag` in `environment`, made after its last completed
    /// change: a run that stopped (killed, crashed, power lost) between intent and outcome.
    pub fn open_intents(records: &[Value], flag: &str, environment: &str) -> Vec<Event> {
        let events: Vec<Event> = records
            .iter()
            .filter_map(|v| serde_json::from_value::<Event>(v.clone()).ok())
            .filter(|e| e.flag == flag && e.environment == environment)
            .collect();
        let closed = |id: &str| {
            events
                .iter()
                .any(|e| e.outcome != INTENT && e.id.as_deref() == Some(id))
        };
        // A later change that completed was decided on the flag as it then was: older open intents
        // are settled by it.
        let last_completed = events
            .iter()
            .rposition(|e| e.outcome != INTENT && e.id.is_some());
        events
            .iter()
            .enumerate()
            .filter(|(i, e)| {
                e.outcome == INTENT
                    && last_completed.is_none_or(|l| *i > l)
                    && e.id.as_deref().is_some_and(|id| !closed(id))
            })
            .map(|(_, e)| e.clone())
            .collect()
    }
}
