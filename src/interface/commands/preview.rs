//! `rollout preview [STAGE] --users FILE`: exposure by the provider's own bucketing.

mod ids;
mod json;

use std::collections::HashSet;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::session::Session;
use crate::app::engine::{self, Position};
use crate::domain::error::{Error, Result};
use crate::domain::exposure::stream::{self, StreamError};
use crate::domain::exposure::{Audience, Bucketing, Ids, Items, Listed};
use crate::interface::json_out::rollout::{IdList, Preview, PreviewNow, PreviewStage};
use crate::interface::output::{table, Listing};

/// The error for a users file that stopped the listing or the count.
fn stream_error(path: &Path, e: StreamError) -> Error {
    let name = if path.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let hint = "the users file holds one user id a line";
    match e {
        StreamError::Read(e) => Error::usage(format!("cannot read the users file {name}: {e}")),
        StreamError::LineTooLong { line } => Error::usage(format!(
            "{name}:{line}: the line is longer than {} bytes, the limit for a user id",
            stream::MAX_LINE
        ))
        .with_hint(hint),
        StreamError::NotUtf8 { line } => {
            Error::usage(format!("{name}:{line}: the line is not UTF-8 text")).with_hint(hint)
        }
        StreamError::Write(e) => Error::failed(format!("cannot write the listing: {e}")),
    }
}

/// One row of the result: an audience and how many ids are on.
struct Row<'a> {
    name: Option<String>,
    audience: Audience<'a>,
    on: usize,
}

pub async fn run(ctx: &Session, stage: Option<&str>, users: &Path, list_ids: bool) -> Result<i32> {
    let config = &ctx.config;
    let only = stage
        .map(|name| {
            config
                .stage_index(name)
                .ok_or_else(|| config.unknown_stage(name))
        })
        .transpose()?;
    let listing = only.is_some() || list_ids;
    let mut reader = ids::open(users)?;
    let state = ctx.provider.read().await?;
    let pos = engine::position(config, &state);
    let live = state.exists && state.on;
    let bucketing = ctx.provider.bucketing(&state)?;

    let audiences: Vec<(usize, Vec<String>)> = (0..config.stages.len())
        .filter(|i| only.is_none_or(|o| o == *i))
        .map(|i| (i, config.cumulative_audience(i).0))
        .collect();
    let mut rows = stage_audiences(config, &audiences);
    rows.push(now_row(&state, live));
    let current_name = match pos {
        Position::At(i) => Some(config.stages[i].name.clone()),
        _ => None,
    };
    if listing {
        let now = Now {
            stage: current_name.as_deref(),
            live,
            listed: only.is_none(),
        };
        return list(ctx, &mut *reader, users, &bucketing, &mut rows, only, now);
    }
    let all: Vec<Audience<'_>> = rows.iter().map(|r| r.audience.clone()).collect();
    let counts = bucketing
        .count(&mut *reader, &all)
        .map_err(|e| stream_error(users, e))?;
    for (row, n) in rows.iter_mut().zip(counts.on) {
        row.on = n;
    }
    let total = counts.total;
    let current = rows.pop().expect("the current row was pushed last");

    if ctx.out.json {
        let doc = Preview {
            flag: &config.flag,
            algorithm: bucketing.name(),
            users: total,
            stages: stage_rows(&rows, |_| None),
            current: PreviewNow {
                stage: current_name.as_deref(),
                on_now: live,
                on: current.on,
                ids: None,
            },
        };
        crate::interface::json_out::emit(&ctx.out, &doc);
        return Ok(0);
    }
    ctx.out.data(&format!(
        "{total} users from {}, bucketed by {}",
        users.display(),
        bucketing.name()
    ));
    for line in table(&count_table(&rows, current_name.as_deref(), total)) {
        ctx.out.data(&line);
    }
    let now_text = if state.exists && !state.on {
        " (killed)"
    } else {
        ""
    };
    ctx.out.data(&format!(
        "now{now_text}: {} on ({})",
        current.on,
        share(current.on, total)
    ));
    Ok(0)
}

/// A row for each stage previewed (its index and its listed users), nobody counted yet.
fn stage_audiences<'a>(
    config: &crate::domain::config::Config,
    audiences: &'a [(usize, Vec<String>)],
) -> Vec<Row<'a>> {
    audiences
        .iter()
        .map(|(i, listed)| Row {
            name: Some(config.stages[*i].name.clone()),
            audience: Audience {
                percentage: config.stages[*i].percentage,
                users: listed.iter().map(String::as_str).collect(),
            },
            on: 0,
        })
        .collect()
}

/// The row of the flag as served now: nobody while killed or not started.
fn now_row(state: &crate::ports::provider::FlagState, live: bool) -> Row<'_> {
    Row {
        name: None,
        audience: Audience {
            percentage: if live {
                state.percentage
            } else {
                crate::domain::config::Percentage::ZERO
            },
            users: if live {
                state.users.iter().map(String::as_str).collect()
            } else {
                HashSet::new()
            },
        },
        on: 0,
    }
}

/// The text table of the counts: a header, then each stage with its share and the ids newly on
/// since the stage before, the current one marked.
fn count_table(rows: &[Row<'_>], current_name: Option<&str>, total: usize) -> Vec<Vec<String>> {
    let mut table_rows = vec![vec![
        "STAGE".into(),
        "PERCENT".into(),
        "ON".into(),
        "SHARE".into(),
        "NEWLY ON".into(),
    ]];
    let mut previous = 0;
    for r in rows {
        let name = r.name.clone().unwrap_or_default();
        let marked = if current_name == Some(name.as_str()) {
            format!("{name} ◀ now")
        } else {
            name
        };
        table_rows.push(vec![
            marked,
            r.audience.percentage.to_string(),
            r.on.to_string(),
            share(r.on, total),
            r.on.saturating_sub(previous).to_string(),
        ]);
        previous = r.on;
    }
    table_rows
}

#[allow(clippy::cast_precision_loss)]
fn share(n: usize, total: usize) -> String {
    format!("{:.1}%", n as f64 * 100.0 / total.max(1) as f64)
}

/// The stage rows of the JSON document, with the ids `ids(k)` gives stage row `k`.
fn stage_rows<'a>(
    rows: &'a [Row<'_>],
    ids: impl Fn(usize) -> Option<IdList<'a>>,
) -> Vec<PreviewStage<'a>> {
    let mut previous = 0;
    rows.iter()
        .enumerate()
        .map(|(k, r)| {
            let stage = PreviewStage {
                name: r.name.as_deref(),
                percentage: r.audience.percentage,
                on: r.on,
                newly_on: r.on.saturating_sub(previous),
                ids: ids(k),
            };
            previous = r.on;
            stage
        })
        .collect()
}

/// What a listing's JSON document says besides the counts: the current stage, whether the flag
/// is on, and whether the listed ids are the current row's (else the one stage row's).
#[derive(Clone, Copy)]
struct Now<'a> {
    stage: Option<&'a str>,
    live: bool,
    listed: bool,
}

/// The `--json` document of a listing: the current row's ids streamed when `now.listed`, else
/// the one stage row's.
fn listing_doc<'a>(
    ctx: &'a Session,
    bucketing: &'a Bucketing,
    rows: &'a [Row<'_>],
    total: usize,
    now: Now<'a>,
) -> String {
    let current = rows.len() - 1;
    let doc = Preview {
        flag: &ctx.config.flag,
        algorithm: bucketing.name(),
        users: total,
        stages: stage_rows(&rows[..current], |_| {
            (!now.listed).then_some(IdList::Streamed(0))
        }),
        current: PreviewNow {
            stage: now.stage,
            on_now: now.live,
            on: rows[current].on,
            ids: now.listed.then_some(IdList::Streamed(0)),
        },
    };
    ctx.out
        .json_text(serde_json::to_value(&doc).unwrap_or_default())
}

/// The listing's bytes as a writer: each write scrubbed of secrets, as [`Listing::write`].
struct Scrubbed<'a>(&'a mut Listing);

impl Write for Scrubbed<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// `preview STAGE` or `--ids`: the ids that are on, streamed in file order. Text goes straight
/// to stdout ([`list_text`]); JSON, whose counts come before the list, spools it to a temporary
/// file and writes the typed document once the counts are known, the list copied in where it
/// stands ([`list_json`]). Memory stays bounded either way.
///
/// (A second pass that writes each list from a byte of marks per id, re-reading the input
/// instead of spooling the lists, was measured slower: re-scanning a million lines per list
/// costs more than writing and copying the spool, which mostly stays in the page cache.)
fn list(
    ctx: &Session,
    reader: &mut (dyn Read + Send),
    users: &Path,
    bucketing: &Bucketing,
    rows: &mut [Row<'_>],
    only: Option<usize>,
    now: Now<'_>,
) -> Result<i32> {
    // Text and JSON list the same ids: the named stage's, or under `--ids` alone the current
    // state's (each stage's own list is `preview STAGE`).
    let shown = if only.is_some() { 0 } else { rows.len() - 1 };
    let source = Source {
        reader,
        users,
        bucketing,
    };
    if ctx.out.json {
        list_json(ctx, source, rows, shown, now)
    } else {
        list_text(ctx, source, rows, shown, only)
    }
}

/// Where a listing reads its ids from and how it buckets them.
struct Source<'s> {
    reader: &'s mut (dyn Read + Send),
    users: &'s Path,
    bucketing: &'s Bucketing,
}

/// The error for a listing that could not be written.
fn write_failed(e: io::Error) -> Error {
    Error::failed(format!("cannot write the listing: {e}"))
}

/// One id a line; a control character in an id is shown as an escape, as in every other text
/// output, not sent to the terminal.
const TEXT_ITEMS: Items = Items {
    tail: b"\n",
    as_is: |bytes| {
        !bytes.iter().fold(false, |bad, &b| {
            bad | ((b < 0x20) & (b != b'\n') & (b != b'\t')) | (b >= 0x7f)
        })
    },
    escape: |id, out| out.extend_from_slice(crate::domain::sanitize::visible(id).as_bytes()),
};

/// The listing as text: the ids of row `shown` one a line on stdout, then how many are on on
/// stderr. A closed pipe ends it quietly.
fn list_text(
    ctx: &Session,
    source: Source<'_>,
    rows: &[Row<'_>],
    shown: usize,
    only: Option<usize>,
) -> Result<i32> {
    let audiences: Vec<Audience<'_>> = rows.iter().map(|r| r.audience.clone()).collect();
    let mut out = Listing::new();
    let list = Listed {
        audience: shown,
        lead: Vec::new(),
        items: TEXT_ITEMS,
    };
    let counts =
        source
            .bucketing
            .select(source.reader, &audiences, Ids::Text, Some(&list), |bytes| {
                out.write(bytes)
            });
    let flushed = out.flush();
    let counts = match counts {
        Err(StreamError::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(0),
        other => other.map_err(|e| stream_error(source.users, e))?,
    };
    match flushed {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(0),
        other => other.map_err(write_failed)?,
    }
    let total = counts.total;
    let on = counts.on[shown];
    if let Some(i) = only {
        let s = &ctx.config.stages[i];
        ctx.out.info(&format!(
            "{} ({}): {on} of {total} users on ({})",
            s.name,
            s.percentage,
            share(on, total)
        ));
    } else {
        ctx.out.info(&format!("now: {on} of {total} users on"));
    }
    Ok(0)
}

/// The error for a spool file that could not be made or written.
fn spool_failed(e: io::Error) -> Error {
    Error::failed(format!("cannot write a temporary file for the listing: {e}"))
        .with_hint("the JSON listing is spooled to the temporary directory (TMPDIR): free space there or point TMPDIR elsewhere")
}

/// The listing as JSON: the ids of row `shown` spooled as the items of a JSON list, then the
/// document written with the spool copied in where the list stands.
fn list_json(
    ctx: &Session,
    source: Source<'_>,
    rows: &mut [Row<'_>],
    shown: usize,
    now: Now<'_>,
) -> Result<i32> {
    let audiences: Vec<Audience<'_>> = rows.iter().map(|r| r.audience.clone()).collect();
    let mut out = Listing::new();
    // Where each list stands in the document (its indent) does not depend on the counts.
    let indents = json::indents(&listing_doc(ctx, source.bucketing, rows, 0, now));
    let mut spool = tempfile::tempfile().map_err(spool_failed)?;
    // Each item: ",\n" and the indent of the list, then the id as a JSON string.
    let list = Listed {
        audience: shown,
        lead: json::lead(indents.first().copied().unwrap_or_default()),
        items: json::ITEMS,
    };
    let counts = source
        .bucketing
        .select(source.reader, &audiences, Ids::Text, Some(&list), |bytes| {
            spool.write_all(&out.scrubbed(bytes))
        })
        .map_err(|e| match e {
            StreamError::Write(e) => spool_failed(e),
            e => stream_error(source.users, e),
        })?;
    for (row, n) in rows.iter_mut().zip(&counts.on) {
        row.on = *n;
    }
    let text = listing_doc(ctx, source.bucketing, rows, counts.total, now);
    let written = write_spliced(&text, &mut spool, &mut out);
    match written {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(0),
        other => other.map(|()| 0).map_err(write_failed),
    }
}

/// Writes the document `text` to `out` with the spooled items copied in as its list.
fn write_spliced(text: &str, spool: &mut std::fs::File, out: &mut Listing) -> io::Result<()> {
    let mut w = Scrubbed(out);
    json::splice(text, &mut w, |_, _, w| {
        // Each item was spooled with a leading comma: the first one's is skipped.
        if spool.seek(SeekFrom::End(0))? == 0 {
            return Ok(false);
        }
        spool.seek(SeekFrom::Start(1))?;
        w.0.copy(spool)?;
        Ok(true)
    })
    .and_then(|()| {
        w.write_all(b"\n")?;
        w.flush()
    })
}
