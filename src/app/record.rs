//! Every record a run writes or reads goes through the state store (`ctx.state`, docs/team.md):
//! an [`Event`] becomes a store entry (id, scope, lane), is appended fenced by the run's lease,
//! and the journal's questions (when did the stage start, which intents are open) are asked of
//! the store. Records a `kill` could not hand over in its time wait in the outbox, and the
//! next append pushes them first.

use std::time::Duration;

use futures_util::FutureExt;

use crate::adapters::state::{entry, outbox};
use crate::app::context::Context;
use crate::domain::error::{Error, Kind, Result};
use crate::domain::event::Event;
use crate::ports::state::{Appended, Entry, Head, Lane, Query, Scope, Stored};

/// The flag and environment this run is about.
#[must_use]
pub fn scope(ctx: &Context) -> Scope {
    Scope {
        flag: ctx.config.flag.clone(),
        environment: ctx.settings.environment().to_string(),
    }
}

/// `record` as the store keeps it: its JSON with secrets scrubbed, and its id, scope and lane.
pub fn entry(record: &impl serde::Serialize) -> Result<Entry> {
    let text = serde_json::to_string(record)
        .map_err(|e| Error::failed(format!("could not encode a journal entry: {e}")))?;
    let text = crate::domain::secrets::redact::scrub(&text);
    let body = serde_json::from_str(&text)
        .map_err(|e| Error::failed(format!("could not encode a journal entry: {e}")))?;
    Ok(entry::of(body))
}

/// How messages name the store: its kind and place (`local ./.rollout/journal.jsonl`), or the
/// place alone when it already says the kind (`postgres ($VAR)`).
#[must_use]
pub fn store_name(ctx: &Context) -> String {
    let (kind, place) = (ctx.state.kind(), ctx.state.place());
    if place.starts_with(kind) {
        place
    } else {
        format!("{kind} {place}")
    }
}

/// The store's error, naming it: it could not be reached or could not keep the record. An
/// error that already names the store (`the state store postgres ($VAR) at … is
/// unreachable`) is said once, not wrapped in a second naming.
#[must_use]
pub fn unreachable(ctx: &Context, e: &Error) -> Error {
    if e.message.starts_with("the state store ") {
        return Error::new(Kind::Provider, e.message.clone());
    }
    Error::new(
        Kind::Provider,
        format!(
            "the state store ({}) cannot be reached: {}",
            store_name(ctx),
            e.message
        ),
    )
}

/// A change written to the flag whose outcome record the store did not take (`e`): the record
/// goes to the outbox, to reach the store with the next command that can write there, and the
/// error (exit 4) says the flag WAS changed, so nobody makes the change a second time.
#[must_use]
pub fn applied_but_not_stored(ctx: &Context, event: &Event, e: &Error) -> Error {
    let cause = unreachable(ctx, e).message;
    let kept = match keep(ctx, event, cause.clone()) {
        Ok(_) => format!(
            "its record is kept in {} and reaches the store with the next command that can \
             write there",
            outbox::path(&ctx.config.dir).display()
        ),
        Err(k) => format!(
            "its record could not be kept either ({}): its intent stays open, and \
             `rollout status` shows it",
            k.message
        ),
    };
    Error::new(
        Kind::Provider,
        format!(
            "{} was applied to the flag, but its record was not stored: {cause}; {kept}",
            event.summary()
        ),
    )
    .with_hint("do not make the change again: run `rollout status` once the store answers")
}

/// The run's lease (if it holds one), the fence of its appends.
fn fence(ctx: &Context) -> Option<crate::ports::state::Lease> {
    ctx.lease.lock().ok().and_then(|l| l.clone())
}

/// Appends `event`; with `after`, only if the scope's newest change record is still `after`.
/// A record stranded in the outbox is pushed first.
pub async fn append_after(ctx: &Context, event: &Event, after: Option<Head>) -> Result<Appended> {
    push_outbox(ctx).await?;
    let e = entry(event)?;
    let fence = fence(ctx);
    ctx.state.append(&e, after, fence.as_ref()).await
}

/// Appends `record` (any journal record), answering what was stored. A newer lease than the
/// run's is an error (exit 5).
pub async fn append(ctx: &Context, record: &impl serde::Serialize) -> Result<Stored> {
    push_outbox(ctx).await?;
    let e = entry(record)?;
    let fence = fence(ctx);
    match ctx.state.append(&e, None, fence.as_ref()).await? {
        Appended::Stored(s) | Appended::Conflict(s) => Ok(s),
        Appended::Fenced(lease) => Err(fenced(&lease)),
    }
}

/// The error of an append refused by a newer lease.
#[must_use]
pub fn fenced(lease: &crate::ports::state::Lease) -> Error {
    Error::conflict(format!(
        "the lease on {} in {} was lost to {} (until {}); nothing more is recorded by this run",
        lease.scope.flag,
        lease.scope.environment,
        lease.holder,
        crate::domain::clock::stamp(lease.expires)
    ))
}

/// Where a record went when the store may not be waited for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Landed {
    Stored,
    /// In the outbox, with why the store did not take it.
    Outbox(String),
}

/// Appends `event` within `budget`, never failing for the store: when it errs or is slow the
/// record goes to the outbox (a `kill`'s records). Fails only when neither takes it.
pub async fn append_or_keep(ctx: &Context, event: &Event, budget: Duration) -> Result<Landed> {
    let why = match tokio::time::timeout(budget, append(ctx, event)).await {
        Ok(Ok(_)) => return Ok(Landed::Stored),
        Ok(Err(e)) if e.kind == Kind::Conflict => return Err(e),
        Ok(Err(e)) => e.message,
        Err(_) => format!("no answer within {}", crate::domain::clock::span(budget)),
    };
    keep(ctx, event, why)
}

/// Appends `event` without waiting (from a drop, where nothing can be awaited): a store that
/// answers at once (the local one) takes it, otherwise it goes to the outbox.
pub fn append_now(ctx: &Context, event: &Event) -> Result<Landed> {
    let e = entry(event)?;
    let fence = fence(ctx);
    match ctx.state.append(&e, None, fence.as_ref()).now_or_never() {
        Some(Ok(Appended::Stored(_) | Appended::Conflict(_))) => Ok(Landed::Stored),
        Some(Ok(Appended::Fenced(lease))) => Err(fenced(&lease)),
        Some(Err(err)) => keep(ctx, event, err.message),
        None => keep(ctx, event, "the store did not answer at once".into()),
    }
}

/// Keeps `event` in the outbox (the store did not take it, `why`).
pub fn keep(ctx: &Context, event: &Event, why: String) -> Result<Landed> {
    let e = entry(event)?;
    outbox::add(&ctx.config.dir, &e.body)?;
    Ok(Landed::Outbox(why))
}

/// Pushes the records waiting in the outbox to the store (each once: the store keeps one
/// record per id), then empties it. Nothing to do when it is empty.
pub async fn push_outbox(ctx: &Context) -> Result<usize> {
    let pushed = push_outbox_to(ctx.state.as_ref(), &ctx.config.dir).await?;
    if pushed > 0 {
        ctx.log.warn(&pushed_note(pushed, &ctx.config.dir));
    }
    Ok(pushed)
}

/// [`push_outbox`] for a command without a [`Context`] (`history`): the outbox of `dir` into
/// `store`.
pub async fn push_outbox_to(
    store: &dyn crate::ports::state::Store,
    dir: &std::path::Path,
) -> Result<usize> {
    if !outbox::waiting(dir) {
        return Ok(0);
    }
    let (mut locked, records) = outbox::open(dir)?;
    for body in &records {
        let e = entry::of(body.clone());
        store.append(&e, None, None).await?;
    }
    locked.clear()?;
    locked.unlock()?;
    Ok(records.len())
}

/// What a command says when it pushed `n` records from the outbox of `dir`.
#[must_use]
pub fn pushed_note(n: usize, dir: &std::path::Path) -> String {
    format!(
        "{n} record(s) kept in {} while the state store was unreachable now reached it",
        outbox::path(dir).display()
    )
}

/// The scope's change records, newest first, read a page at a time until `stop` says so.
/// Pages grow fourfold: a store that reads from its newest record for every page (the local
/// journal) reads the file a few times, not once a page.
async fn changes_until(ctx: &Context, mut stop: impl FnMut(&Stored) -> bool) -> Result<()> {
    let mut query = Query {
        scope: Some(scope(ctx)),
        lanes: vec![Lane::Change],
        before: None,
        limit: Some(64),
    };
    loop {
        let page = ctx.state.read(&query).await?;
        for s in &page {
            if stop(s) {
                return Ok(());
            }
        }
        match (page.last(), query.limit) {
            (Some(last), Some(limit)) if page.len() == limit => {
                query.before = Some(last.seq);
                query.limit = Some(limit * 4);
            }
            _ => return Ok(()),
        }
    }
}

fn event_of(s: &Stored) -> Option<Event> {
    serde_json::from_value(s.entry.body.clone()).ok()
}

/// The newest change of the flag here that moved it between stages, if it moved it to
/// `stage`: the stored record (its `at` is when the stage started, by the store's clock).
pub async fn last_move_to(ctx: &Context, stage: &str) -> Result<Option<Stored>> {
    let mut found = None;
    changes_until(ctx, |s| {
        let Some(e) = event_of(s) else {
            return false;
        };
        if e.outcome == "applied" && matches!(e.action.as_str(), "advance" | "rollback") {
            if e.to.as_deref() == Some(stage) {
                found = Some(s.clone());
            }
            return true;
        }
        false
    })
    .await?;
    Ok(found)
}

/// The intents of the flag here that no outcome record completed, made after its last
/// completed change, oldest first (see `app::intent`).
pub async fn open_intents(ctx: &Context) -> Result<Vec<Event>> {
    let mut open = Vec::new();
    changes_until(ctx, |s| {
        let Some(e) = event_of(s) else {
            return false;
        };
        if e.id.is_none() {
            return false;
        }
        if e.outcome != crate::domain::event::outcome::INTENT {
            return true;
        }
        open.push(e);
        false
    })
    .await?;
    open.reverse();
    Ok(open)
}

/// The newest applied change of the flag here that set its stage (an advance, rollback, kill or
/// resume): what a resume restores when the provider no longer holds the killed stage.
pub async fn last_applied_change(ctx: &Context) -> Result<Option<Event>> {
    let mut found = None;
    changes_until(ctx, |s| {
        let Some(e) = event_of(s) else {
            return false;
        };
        let sets_stage = matches!(
            e.action.as_str(),
            "advance" | "rollback" | "kill" | "resume"
        );
        if e.outcome == "applied" && sets_stage {
            found = Some(e);
            return true;
        }
        false
    })
    .await?;
    Ok(found)
}

/// A kill of the flag here (applied, or one that found the flag off) recorded after the intent
/// record `id`: a kill that ran while that change wrote. Reads back to the intent.
pub async fn kill_after(ctx: &Context, id: &str) -> Result<Option<Event>> {
    let mut found = None;
    changes_until(ctx, |s| {
        let Some(e) = event_of(s) else {
            return false;
        };
        if e.id.as_deref() == Some(id) && e.outcome == crate::domain::event::outcome::INTENT {
            return true;
        }
        let killed = matches!(e.outcome.as_str(), "applied" | "already-off");
        if e.action == "kill" && killed && found.is_none() {
            found = Some(e);
        }
        false
    })
    .await?;
    Ok(found)
}
