//! `rollout history` with a large `--limit` (the whole journal, say) on the file provider:
//! entries are printed as they are read, not held. They are shown by time (a checklist run
//! where it ended), and the journal is in that order but for records appended a little late, so
//! a window of [`WINDOW`] entries restores the order; memory follows the window, not the limit.
//! The output is the same as the held path's ([`super::history`]) when no record is more than
//! the window out of place.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::adapters::journal_tail::Tail;
use crate::domain::error::Result;
use crate::interface::json_out::rollout::Damaged;
use crate::interface::output::Output;

/// How entries are ordered (their time) and shown (their line for people).
pub type Show = (fn(&Value) -> Option<DateTime<Utc>>, fn(&Value) -> String);

/// Limits above this stream.
pub const FROM: usize = 1000;
/// Entries held to put late records in their place.
const WINDOW: usize = 1000;

/// An entry waiting in the window: newest (then first read) comes out first.
struct Pending {
    key: (Option<DateTime<Utc>>, Reverse<usize>),
    value: Value,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

/// Where the entries go: lines for people, or the `--json` document written piece by piece
/// exactly as [`Output::json_doc`] would print it whole.
struct Sink<'a> {
    out: &'a Output,
    line: fn(&Value) -> String,
    shown: usize,
}

impl Sink<'_> {
    fn write(&self, text: &str) {
        let text =
            crate::domain::secrets::redact::scrub(&crate::domain::sanitize::json_escaped(text));
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(text.as_bytes());
    }

    fn start(&self) {
        if self.out.json {
            self.write("{\n  \"schema\": 1,\n  \"entries\": [");
        }
    }

    fn entry(&mut self, v: &Value) {
        if self.out.json {
            let pretty = serde_json::to_string_pretty(v).unwrap_or_default();
            let indented: Vec<String> = pretty.lines().map(|l| format!("    {l}")).collect();
            let sep = if self.shown == 0 { "\n" } else { ",\n" };
            self.write(&format!("{sep}{}", indented.join("\n")));
        } else {
            self.out.data(&(self.line)(v));
        }
        self.shown += 1;
    }

    fn end(&self, more: bool, damaged: &[(usize, String)]) {
        if !self.out.json {
            if self.shown == 0 {
                self.out
                    .info("the journal is empty: no changes recorded yet");
            }
            return;
        }
        /// What follows the entries in `rollout history --json`.
        #[derive(serde::Serialize)]
        struct End<'a> {
            more: bool,
            damaged: Vec<Damaged<'a>>,
        }
        let rest = End {
            more,
            damaged: damaged
                .iter()
                .map(|(line, why)| Damaged {
                    line: *line,
                    error: why,
                })
                .collect(),
        };
        let rest = serde_json::to_string_pretty(&rest).unwrap_or_default();
        let rest = rest.strip_prefix("{\n").unwrap_or(&rest);
        let close = if self.shown == 0 { "],\n" } else { "\n  ],\n" };
        self.write(&format!("{close}{rest}\n"));
    }
}

/// Prints up to `limit` entries of `tail` that `keep` lets through, by `when`, newest first;
/// then warns of the damaged lines met and says whether older records exist.
pub fn run(
    out: &Output,
    journal: &Path,
    tail: &mut Tail,
    limit: usize,
    (when, line): Show,
    mut keep: impl FnMut(&Value) -> bool,
) -> Result<i32> {
    let mut sink = Sink {
        out,
        line,
        shown: 0,
    };
    let mut window: BinaryHeap<Pending> = BinaryHeap::new();
    let mut read = 0usize;
    sink.start();
    while read < limit {
        let Some(value) = tail.next_record()? else {
            break;
        };
        if !keep(&value) {
            continue;
        }
        window.push(Pending {
            key: (when(&value), Reverse(read)),
            value,
        });
        read += 1;
        if window.len() > WINDOW {
            if let Some(p) = window.pop() {
                sink.entry(&p.value);
            }
        }
    }
    while let Some(p) = window.pop() {
        sink.entry(&p.value);
    }
    let damaged = tail.damaged()?;
    for (line_no, why) in &damaged {
        out.warn(&format!(
            "{}:{line_no}: a damaged journal line was skipped ({why})",
            journal.display()
        ));
    }
    sink.end(!tail.at_start(), &damaged);
    Ok(0)
}
