//! Reading the journal from its end: `history --limit N` and `status` need the newest records,
//! so they read blocks backwards from the end of the file and stop as soon as they have them.
//! Cost follows what is read, not the journal's size.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::adapters::journal::Event;
use crate::domain::error::{Error, Result};

const BLOCK: u64 = 64 * 1024;

/// The lines of a file, last first.
pub struct Backwards {
    file: File,
    /// Bytes before `pos` are not read yet; `buf` holds the unconsumed bytes from `pos` on.
    pos: u64,
    buf: Vec<u8>,
    /// The first line has been returned.
    done: bool,
    /// Lines returned so far (the last line is 1).
    seen: usize,
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
        }))
    }

    /// The next line toward the start of the file (without its line end), and its number
    /// counted from the end (the last line is 1).
    pub fn next_line(&mut self) -> io::Result<Option<(usize, Vec<u8>)>> {
        if self.done {
            return Ok(None);
        }
        loop {
            if let Some(nl) = memchr::memrchr(b'\n', &self.buf) {
                let line = self.buf[nl + 1..].to_vec();
                self.buf.truncate(nl);
                self.seen += 1;
                return Ok(Some((self.seen, line)));
            }
            if self.pos == 0 {
                self.done = true;
                self.seen += 1;
                return Ok(Some((self.seen, std::mem::take(&mut self.buf))));
            }
            let start = self.pos.saturating_sub(BLOCK);
            let size = usize::try_from(self.pos - start).unwrap_or(0);
            let mut block = vec![0u8; size + self.buf.len()];
            self.file.seek(SeekFrom::Start(start))?;
            self.file.read_exact(&mut block[..size])?;
            block[size..].copy_from_slice(&self.buf);
            self.buf = block;
            self.pos = start;
        }
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
        let Some(lines) = self.lines.as_mut() else {
            return Ok(None);
        };
        while let Some((from_end, line)) =
            lines.next_line().map_err(|e| read_failed(&self.path, &e))?
        {
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
    let mut open = Vec::new();
    while let Ok(Some(v)) = tail.next_record() {
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

/// The newest flag change of `flag` in `environment` that moved it between stages, if it moved
/// it to `stage`: when the current stage started, as far as the journal knows. Reads from the
/// end and stops at the first move of this flag here.
#[must_use]
pub fn last_move_to(dir: &Path, flag: &str, environment: &str, stage: &str) -> Option<Event> {
    let mut tail = Tail::open(&crate::adapters::journal::path(dir)).ok()?;
    while let Ok(Some(v)) = tail.next_record() {
        let Ok(e) = serde_json::from_value::<Event>(v) else {
            continue;
        };
        if e.flag == flag
            && e.environment == environment
            && e.outcome == "applied"
            && matches!(e.action.as_str(), "advance" | "rollback")
        {
            return (e.to.as_deref() == Some(stage)).then_some(e);
        }
    }
    None
}

/// The newest applied change of `flag` in `environment` that set its stage (advance, rollback,
/// kill or resume): for `resume`, the stage a kill recorded, or a forced move of the killed flag
/// after it. Reads from the end and stops at the first.
#[must_use]
pub fn last_applied_change(dir: &Path, flag: &str, environment: &str) -> Option<Event> {
    let mut tail = Tail::open(&crate::adapters::journal::path(dir)).ok()?;
    while let Ok(Some(v)) = tail.next_record() {
        let Ok(e) = serde_json::from_value::<Event>(v) else {
            continue;
        };
        if e.flag == flag
            && e.environment == environment
            && e.outcome == "applied"
            && matches!(
                e.action.as_str(),
                "advance" | "rollback" | "kill" | "resume"
            )
        {
            return Some(e);
        }
    }
    None
}

/// A kill of `flag` in `environment` (applied, or one that found the flag off) journaled after
/// the intent record `id`: a kill that ran while that change wrote. Reads from the end and
/// stops at the intent.
#[must_use]
pub fn kill_after(dir: &Path, flag: &str, environment: &str, id: &str) -> Option<Event> {
    let mut tail = Tail::open(&crate::adapters::journal::path(dir)).ok()?;
    let mut found = None;
    while let Ok(Some(v)) = tail.next_record() {
        let Ok(e) = serde_json::from_value::<Event>(v) else {
            continue;
        };
        if e.id.as_deref() == Some(id) && e.outcome == crate::domain::event::outcome::INTENT {
            return found;
        }
        if e.flag == flag
            && e.environment == environment
            && e.action == "kill"
            && matches!(e.outcome.as_str(), "applied" | "already-off")
        {
            found.get_or_insert(e);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::outcome::{APPLIED, FAILED, INTENT, MAY_HAVE_BEEN_APPLIED};

    fn lines_of(text: &str) -> (Vec<(usize, String)>, Vec<usize>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        std::fs::write(&path, text).unwrap();
        let mut b = Backwards::open(&path).unwrap().unwrap();
        let mut got = Vec::new();
        while let Some((n, l)) = b.next_line().unwrap() {
            got.push((n, String::from_utf8(l).unwrap()));
        }
        let numbers = got
            .iter()
            .map(|(n, _)| b.line_number(*n).unwrap())
            .collect();
        (got, numbers)
    }

    #[test]
    fn reads_lines_last_first_with_their_numbers() {
        let (got, numbers) = lines_of("a\nbb\n\nccc\n");
        let texts: Vec<&str> = got.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(texts, ["ccc", "", "bb", "a"]);
        assert_eq!(numbers, [4, 3, 2, 1]);
        let (got, _) = lines_of("a\ntorn");
        assert_eq!(got[0].1, "torn");
        assert!(lines_of("").0.is_empty());
        assert!(lines_of("\n").0.is_empty());
    }

    #[test]
    fn counts_line_numbers_across_blocks_before_the_start_is_reached() {
        let text: String = (0..50_000).map(|i| format!("line {i}\n")).collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        std::fs::write(&path, &text).unwrap();
        let mut b = Backwards::open(&path).unwrap().unwrap();
        for _ in 0..3 {
            b.next_line().unwrap();
        }
        let (n, l) = b.next_line().unwrap().unwrap();
        assert_eq!(String::from_utf8(l).unwrap(), "line 49996");
        assert!(!b.at_start());
        assert_eq!(b.line_number(n).unwrap(), 49_997);
        let mut all = 4;
        while let Some((n, l)) = b.next_line().unwrap() {
            all += 1;
            assert_eq!(
                String::from_utf8(l).unwrap(),
                format!("line {}", 50_000 - n)
            );
        }
        assert_eq!(all, 50_000);
    }

    /// One journal record: `flag`, `outcome` and `id` vary, the rest is fixed.
    fn record(flag: &str, outcome: &str, id: Option<String>, to: &str) -> serde_json::Value {
        serde_json::json!({
            "time": "2024-01-18T09:00:00Z", "actor": "a", "action": "advance", "flag": flag,
            "environment": "production", "from": null, "to": to, "percentage": 10,
            "reason": null, "forced": false, "provider": "file", "outcome": outcome, "id": id,
        })
    }

    /// What the journal could hold: runs of this flag and another one, each an intent followed
    /// (or not, when the run died) by its outcome, possibly after other runs' records; and
    /// records from before intents existed (no `id`).
    fn journals() -> impl proptest::strategy::Strategy<Value = Vec<serde_json::Value>> {
        use proptest::prelude::*;
        let run = (
            prop_oneof![Just("f"), Just("g")],
            prop_oneof![
                Just(None),
                Just(Some(APPLIED)),
                Just(Some(FAILED)),
                Just(Some(MAY_HAVE_BEEN_APPLIED)),
            ],
            0usize..3,
            any::<bool>(),
        );
        proptest::collection::vec(run, 0..12).prop_map(|runs| {
            let mut out: Vec<serde_json::Value> = Vec::new();
            // Outcomes still to be written: (records to wait for, the outcome record).
            let mut later: Vec<(usize, serde_json::Value)> = Vec::new();
            for (i, (flag, outcome, delay, legacy)) in runs.into_iter().enumerate() {
                let to = format!("s{i}");
                if legacy {
                    out.push(record(flag, APPLIED, None, &to));
                } else {
                    let id = Some(i.to_string());
                    out.push(record(flag, INTENT, id.clone(), &to));
                    if let Some(outcome) = outcome {
                        // Up to `delay` other runs' records come between intent and outcome.
                        later.push((delay, record(flag, outcome, id, &to)));
                    }
                }
                let mut waiting = Vec::new();
                for (wait, rec) in later.drain(..) {
                    if wait == 0 {
                        out.push(rec);
                    } else {
                        waiting.push((wait - 1, rec));
                    }
                }
                later = waiting;
            }
            out.extend(later.into_iter().map(|(_, rec)| rec));
            out
        })
    }

    proptest::proptest! {
        /// Reading from the end and stopping at the last completed change finds exactly the
        /// intents that the rule over the whole journal finds.
        #[test]
        fn open_intents_from_the_end_match_the_whole_journal_rule(records in journals()) {
            let dir = tempfile::tempdir().unwrap();
            let path = crate::adapters::journal::path(dir.path());
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let text: String = records.iter().map(|r| format!("{r}\n")).collect();
            std::fs::write(&path, text).unwrap();
            let ids = |v: Vec<crate::adapters::journal::Event>| -> Vec<Option<String>> {
                v.into_iter().map(|e| e.id).collect()
            };
            let want = ids(oracle::open_intents(&records, "f", "production"));
            let got = ids(open_intents(dir.path(), "f", "production"));
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn an_intent_left_open_behind_another_flags_records_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = crate::adapters::journal::path(dir.path());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let records = [
            record("f", INTENT, Some("1".into()), "a"),
            record("f", APPLIED, Some("1".into()), "a"),
            record("f", INTENT, Some("2".into()), "b"),
            record("g", INTENT, Some("3".into()), "x"),
            record("g", APPLIED, Some("3".into()), "x"),
        ];
        let text: String = records.iter().map(|r| format!("{r}\n")).collect();
        std::fs::write(&path, text).unwrap();
        let open: Vec<Option<String>> = open_intents(dir.path(), "f", "production")
            .into_iter()
            .map(|e| e.to)
            .collect();
        assert_eq!(open, [Some("b".to_string())]);
        assert!(open_intents(dir.path(), "g", "production").is_empty());
        assert!(open_intents(dir.path(), "f", "staging").is_empty());
    }

    fn open(records: Vec<serde_json::Value>) -> Vec<Option<String>> {
        oracle::open_intents(&records, "f", "production")
            .into_iter()
            .map(|e| e.to)
            .collect()
    }

    #[test]
    fn an_intent_is_open_until_its_outcome_or_a_later_completed_change() {
        // Completed: not open.
        assert!(open(vec![
            record("f", INTENT, Some("1".into()), "a"),
            record("f", APPLIED, Some("1".into()), "a")
        ])
        .is_empty());
        // Left open by a dead run, also behind an older completed change.
        assert_eq!(
            open(vec![
                record("f", INTENT, Some("1".into()), "a"),
                record("f", APPLIED, Some("1".into()), "a"),
                record("f", INTENT, Some("2".into()), "b"),
            ]),
            [Some("b".to_string())]
        );
        // Settled by a later change that completed.
        assert!(open(vec![
            record("f", INTENT, Some("2".into()), "b"),
            record("f", INTENT, Some("3".into()), "c"),
            record("f", FAILED, Some("3".into()), "c"),
        ])
        .is_empty());
        // Another flag's records change nothing here.
        let mut other = record("f", INTENT, Some("4".into()), "x");
        other["flag"] = "g".into();
        assert!(open(vec![other]).is_empty());
    }
}

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
