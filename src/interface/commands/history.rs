//! `rollout history`: the journal, newest first; flag changes beside checklist runs. Where the
//! provider keeps its own log (Unleash's event log), its changes are merged in, so a change made
//! on another machine or in the Unleash UI shows too; changes this journal already holds are not
//! shown twice.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::session;
use crate::adapters::journal;
use crate::adapters::journal_tail::Tail;
use crate::adapters::provider::Change;
use crate::domain::config::{Config, ProviderKind};
use crate::domain::error::Result;
use crate::interface::cli::global_args::GlobalArgs;
use crate::interface::output::Output;
use crate::ports::state::{Query, Store};

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

/// When a record goes in the history: when a checklist run ended (`ended`), when anything else
/// happened (`time`). A checklist record of an older version, without `ended`, keeps its start.
fn when(v: &Value) -> Option<DateTime<Utc>> {
    let ended = text(v, "ended").parse::<DateTime<Utc>>().ok();
    ended.or_else(|| text(v, "time").parse::<DateTime<Utc>>().ok())
}

/// One journal record as a line for people, under the time it is ordered by ([`when`]).
fn line(v: &Value) -> String {
    let time = when(v).map_or_else(|| text(v, "time"), crate::domain::clock::stamp);
    let action = text(v, "action");
    let body = if action == "provider-change" {
        text(v, "summary")
    } else if action == "checklist" {
        let mut s = format!("checklist {}: {}", text(v, "checklist"), text(v, "outcome"));
        if let Some(c) = v.get("counts") {
            s.push_str(&format!(
                " ({} passed, {} failed, {} skipped)",
                c["passed"], c["failed"], c["skipped"]
            ));
        }
        // Shown under when it ended: when it started too, if that is another minute.
        let started = text(v, "time").parse::<DateTime<Utc>>();
        if let (Some(_), Ok(started)) = (v.get("ended"), started) {
            let started = crate::domain::clock::stamp(started);
            if started != time {
                s.push_str(&format!(", started {started}"));
            }
        }
        s
    } else {
        match serde_json::from_value::<journal::Event>(v.clone()) {
            Ok(e) => {
                let mut s = e.summary();
                if e.outcome == crate::app::intent::INTENT {
                    s.push_str(&format!(" [{}]", crate::app::intent::OPEN_NOTE));
                } else if e.outcome != "applied" {
                    s.push_str(&format!(" [{}]", e.outcome));
                }
                s
            }
            Err(_) => v.to_string(),
        }
    };
    format!("{time}  {}  {body}", text(v, "actor"))
}

/// Whether the journal already records the provider's `change` (made by this tool here).
fn in_journal(change: &Change, journaled: &[journal::Event], flag: &str, env: &str) -> bool {
    let near = |t: DateTime<Utc>| (t - change.time).num_seconds().abs() <= 120;
    journaled.iter().any(|e| {
        if e.flag != flag || e.environment != env || e.outcome != "applied" {
            return false;
        }
        if let Some(note) = &change.note {
            return *note == format!("{} | by {}", e.summary(), e.actor);
        }
        match change.kind.as_str() {
            "feature-environment-disabled" => e.action == "kill" && near(e.time),
            "feature-environment-enabled" => {
                matches!(e.action.as_str(), "resume" | "advance") && near(e.time)
            }
            "feature-strategy-remove" => {
                matches!(e.action.as_str(), "advance" | "rollback") && near(e.time)
            }
            _ => false,
        }
    })
}

/// The provider's changes that the journal lacks, as history records (one per note: a stage
/// change touches several strategies).
async fn remote_records(
    args: &GlobalArgs,
    out: &Output,
    config: Config,
    limit: usize,
    tail: &mut Records,
    read: &mut Vec<Value>,
) -> Result<Vec<Value>> {
    let quiet = Output {
        json: true,
        quiet: true,
        ..out.clone()
    };
    let ctx = session::Session::from_config(args, quiet, config)?;
    let changes = ctx.provider.changes(limit.max(50)).await?;
    // The journal records as old as the oldest change (and a margin: see `in_journal`), so that
    // a change made here is recognised; read further back only as far as that.
    if let Some(oldest) = changes.iter().map(|c| c.time).min() {
        let before = oldest - chrono::Duration::seconds(180);
        let time_of = |v: &Value| text(v, "time").parse::<DateTime<Utc>>().ok();
        while read.last().and_then(time_of).is_none_or(|t| t >= before) {
            match tail.next_record().await? {
                Some(v) => read.push(v),
                None => break,
            }
        }
    }
    let journaled: Vec<journal::Event> = read
        .iter()
        .filter_map(|v| serde_json::from_value(v.clone()).ok())
        .collect();
    let journaled = journaled.as_slice();
    let flag = ctx.config.flag.clone();
    let env = ctx.settings.environment().to_string();
    let mut seen_notes: Vec<String> = Vec::new();
    let mut records = Vec::new();
    for c in changes {
        if in_journal(&c, journaled, &flag, &env) {
            continue;
        }
        if let Some(note) = &c.note {
            if seen_notes.contains(note) {
                continue;
            }
            seen_notes.push(note.clone());
        }
        let (actor, summary) = match c.note.as_deref().and_then(|n| n.rsplit_once(" | by ")) {
            Some((text, actor)) => (
                actor.to_string(),
                format!("{text} [in {}, event {}]", ctx.provider.label(), c.id),
            ),
            None => (
                c.actor.clone(),
                format!(
                    "{flag}: {} in {env} [in {}, event {}]",
                    c.summary,
                    ctx.provider.label(),
                    c.id
                ),
            ),
        };
        let record = crate::interface::json_out::rollout::ProviderChange {
            time: c.time,
            actor: &actor,
            action: "provider-change",
            source: ctx.provider.kind().name(),
            flag: &flag,
            environment: &env,
            kind: &c.kind,
            event_id: c.id,
            summary: &summary,
            unleash_actor: &c.actor,
        };
        records.push(serde_json::to_value(&record).unwrap_or_default());
    }
    Ok(records)
}

/// The state store's records, newest first, read a page at a time.
struct Records {
    store: Box<dyn Store>,
    before: Option<u64>,
    page: std::collections::VecDeque<Value>,
    /// The oldest record has been read from the store.
    end: bool,
    /// Records handed out so far.
    given: usize,
    /// The next page's size: fourfold each time (see `app::record`'s reads).
    size: usize,
}

impl Records {
    async fn next_record(&mut self) -> Result<Option<Value>> {
        if self.page.is_empty() && !self.end {
            let query = Query {
                before: self.before,
                limit: Some(self.size),
                ..Query::default()
            };
            let got = self.store.read(&query).await?;
            self.end = got.len() < self.size;
            self.size *= 4;
            self.before = got.last().map(|s| s.seq);
            self.page = got.into_iter().map(|s| s.entry.body).collect();
        }
        let next = self.page.pop_front();
        self.given += usize::from(next.is_some());
        Ok(next)
    }

    fn at_start(&self) -> bool {
        self.end && self.page.is_empty()
    }

    /// The damaged lines of the local journal among the records read (as line number, why):
    /// the store skips them; the journal is read again as far back as the store was.
    fn damaged(&self, dir: &std::path::Path) -> Result<Vec<(usize, String)>> {
        if self.store.kind() != "local" {
            return Ok(Vec::new());
        }
        let mut tail = Tail::open(&journal::path(dir))?;
        for _ in 0..self.given {
            tail.next_record()?;
        }
        if self.at_start() {
            while tail.next_record()?.is_some() {}
        }
        tail.damaged()
    }
}

/// The newest `limit` records to show, newest first. An intent with its outcome record is one
/// change: only the outcome is shown (read first, from the end). An intent without one is a
/// run that stopped mid-write, shown as such.
async fn newest(tail: &mut Records, limit: usize, hide_looks: bool) -> Result<Vec<Value>> {
    let mut completed: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut read: Vec<Value> = Vec::new();
    while read.len() < limit {
        let Some(v) = tail.next_record().await? else {
            break;
        };
        let id = text(&v, "id");
        if text(&v, "outcome") == crate::app::intent::INTENT {
            if completed.contains(&id) {
                continue;
            }
        } else if !id.is_empty() {
            completed.insert(id);
        }
        if hide_looks && text(&v, "action") == "watch" {
            continue;
        }
        read.push(v);
    }
    Ok(read)
}

pub async fn run(args: &GlobalArgs, out: &Output, limit: usize) -> Result<i32> {
    let config_path = crate::domain::config::find(&session::start_dir(args)?)?;
    let dir = config_path.parent().map_or_else(
        || std::path::PathBuf::from("."),
        std::path::Path::to_path_buf,
    );
    let loaded = Config::load(&config_path);
    let state = loaded.as_ref().map(|c| c.state.clone()).unwrap_or_default();
    // The newest `limit` records, read from the store's newest; newest first.
    let mut tail = Records {
        store: crate::adapters::state::open(&state, &dir, args.timeout)?,
        before: None,
        page: std::collections::VecDeque::new(),
        end: false,
        given: 0,
        size: 64,
    };
    // A kill's records kept in the outbox reach the store first, when it answers.
    if let Ok(n @ 1..) = crate::app::record::push_outbox_to(tail.store.as_ref(), &dir).await {
        out.warn(&crate::app::record::pushed_note(n, &dir));
    }
    // `rollout watch` journals every look: people see them with -v (`--json` has them all).
    let mut read = newest(&mut tail, limit, !out.verbose && !out.json).await?;
    let mut remote = Vec::new();
    if let Ok(config) = loaded {
        if config.provider_kind() != ProviderKind::File {
            match remote_records(args, out, config, limit, &mut tail, &mut read).await {
                Ok(found) => remote = found,
                Err(e) => out.warn(&format!(
                    "cannot read the provider's event log, so this is the local journal only: {}",
                    e.message
                )),
            }
        }
    }
    let damaged = tail.damaged(&dir)?;
    for (line_no, why) in &damaged {
        out.warn(&format!(
            "{}:{line_no}: a damaged journal line was skipped ({why})",
            journal::path(&dir).display()
        ));
    }
    // Oldest first by `when` (a checklist run where it ended, not above the changes made while
    // it ran), stable: the journal's own order breaks ties.
    let mut records: Vec<Value> = read.into_iter().rev().collect();
    records.extend(remote);
    records.sort_by_key(when);
    let more = records.len() > limit || !tail.at_start();
    let newest: Vec<&Value> = records.iter().rev().take(limit).collect();
    if out.json {
        use crate::interface::json_out::rollout::{Damaged, History};
        crate::interface::json_out::emit(
            out,
            &History {
                entries: newest,
                more,
                damaged: damaged
                    .iter()
                    .map(|(line, why)| Damaged {
                        line: *line,
                        error: why,
                    })
                    .collect(),
            },
        );
        return Ok(0);
    }
    if newest.is_empty() {
        out.info("the journal is empty: no changes recorded yet");
    }
    for v in newest {
        out.data(&line(v));
    }
    Ok(0)
}
