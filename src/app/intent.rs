//! Nothing is applied without a journal record. Before the provider write the engine journals the
//! change as an intent (`outcome: "intent"`, fsynced, with a fresh `id`); after it, the same
//! event under the same `id` with what happened: `applied`, `failed` (nothing was changed) or
//! `may-have-been-applied`. The flag read back after the write decides which, whatever the
//! provider answered: as written, applied; as before, failed; anything else (or no read-back),
//! may-have-been-applied, with what was seen. A run killed in between leaves the intent open,
//! and `status` and `history` report it ([`crate::app::record::open_intents`]).
//!
//! The intent of a change is recorded under the store's compare-and-swap: after the head the
//! decision was made on ([`Pending::begin`]), so of two runs deciding from the same state one
//! records its move and the other is told who won. A kill's records never wait for the store
//! ([`Pending::begin_kill`]): past their share of `--timeout` they go to the outbox.
//!
//! Interrupts during the write: the first Ctrl-C/SIGTERM lets it finish (for at most
//! `--timeout` more), and the run stops with exit 130 once it is journaled and notified; a second
//! abandons it, journaled as `may-have-been-applied`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::adapters::interrupt::{self, ChangeGuard, WriteGuard};
use crate::adapters::journal::Event;
use crate::adapters::provider::{Desired, FlagState, Note};
use crate::app::context::Context;
use crate::app::record::{self, Landed};
use crate::domain::error::{Error, Kind, Result, Written};
use crate::ports::state::{Appended, Head, Stored};

pub use crate::domain::event::outcome::{
    APPLIED, FAILED, INTENT, MAY_HAVE_BEEN_APPLIED, OPEN_NOTE,
};

/// A change between its intent record and its outcome record. Dropped before [`Pending::complete`]
/// (an error after the write, a run cancelled mid-write), it journals the outcome it can vouch
/// for: `applied` once the provider confirmed the write, else `may-have-been-applied`.
pub struct Pending<'a> {
    ctx: &'a Context,
    event: Event,
    written: bool,
    done: bool,
    interrupted: bool,
    guard: ChangeGuard,
    /// A kill's: its records go to the outbox when the store is down or slow.
    kill: bool,
}

/// How recording an intent went.
pub enum Begun<'a> {
    /// Recorded: the provider may be written.
    Pending(Pending<'a>),
    /// Another run's change record came first since the decision's head: this one.
    Lost(Stored),
}

/// An id no other run makes: the time in nanoseconds, the process id and a counter.
fn new_id() -> String {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{nanos:x}-{:x}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

impl<'a> Pending<'a> {
    /// Records `event` as an intent (and gives it its id) after `after`, the scope's head the
    /// decision was made on: the provider may be written only once this is [`Begun::Pending`].
    pub async fn begin(
        ctx: &'a Context,
        event: &mut Event,
        after: Option<Head>,
    ) -> Result<Begun<'a>> {
        let guard = ChangeGuard::enter();
        let intent = Self::intent_of(event);
        let refused = |e: &Error| {
            let mut e = record::unreachable(ctx, e);
            e.hint = Some(
                "nothing was changed: rollout records a change before making it; \
                 make the state store reachable (free space or fix the permissions of \
                 .rollout/ for the local one), then run the command again"
                    .into(),
            );
            e
        };
        match record::append_after(ctx, &intent, after).await {
            Ok(Appended::Stored(_)) => {}
            Ok(Appended::Conflict(winner)) => return Ok(Begun::Lost(winner)),
            Ok(Appended::Fenced(lease)) => return Err(record::fenced(&lease)),
            Err(e) if e.kind == Kind::Conflict => return Err(e),
            Err(e) => return Err(refused(&e)),
        }
        guard.done_so_far(&format!("{} was journaled as an intent", event.summary()));
        Ok(Begun::Pending(Self::new(ctx, event, guard, false)))
    }

    /// Records a kill's intent without waiting for the store past its share of `--timeout`:
    /// kept in the outbox then (and said so), and the kill goes ahead.
    pub async fn begin_kill(ctx: &'a Context, event: &mut Event) -> Result<Pending<'a>> {
        let guard = ChangeGuard::enter();
        let intent = Self::intent_of(event);
        let landed = record::append_or_keep(ctx, &intent, kill_budget(ctx)).await?;
        say_kept(ctx, &intent, &landed);
        guard.done_so_far(&format!("{} was journaled as an intent", event.summary()));
        Ok(Self::new(ctx, event, guard, true))
    }

    fn intent_of(event: &mut Event) -> Event {
        event.id = Some(new_id());
        let mut intent = event.clone();
        intent.outcome = INTENT.into();
        intent.detail = None;
        intent
    }

    fn new(ctx: &'a Context, event: &Event, guard: ChangeGuard, kill: bool) -> Pending<'a> {
        Pending {
            ctx,
            event: event.clone(),
            written: false,
            done: false,
            interrupted: false,
            guard,
            kill,
        }
    }

    /// The provider write, answering interrupts: the first lets it finish (within `--timeout`),
    /// the second abandons it. A failed write is journaled here.
    pub async fn write(
        &mut self,
        state: &FlagState,
        desired: &Desired,
        note: &Note,
    ) -> Result<FlagState> {
        let ctx = self.ctx;
        let mut seen = self.guard.since();
        let mut bound: Option<tokio::time::Instant> = None;
        let result = {
            let _in_write = WriteGuard::enter();
            let write = ctx.provider.apply(state, desired, note);
            tokio::pin!(write);
            loop {
                let give_up = async {
                    match bound {
                        Some(at) => tokio::time::sleep_until(at).await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    r = &mut write => break r,
                    () = interrupt::next(&mut seen) => {
                        if self.interrupted {
                            return Err(self.abandon("abandoned by a second interrupt during the write").await);
                        }
                        self.interrupted = true;
                        let now = tokio::time::Instant::now();
                        bound = Some(now.checked_add(ctx.run.timeout).unwrap_or(now + crate::domain::clock::MAX_DURATION));
                        ctx.log.warn(&format!(
                            "interrupted: letting the write of {} finish (up to {}); \
                             press Ctrl-C again to abandon it",
                            self.event.summary(),
                            crate::domain::clock::span(ctx.run.timeout)
                        ));
                    }
                    () = give_up => {
                        return Err(self.abandon(&format!(
                            "the write did not finish within {} of the interrupt (--timeout)",
                            crate::domain::clock::span(ctx.run.timeout)
                        )).await);
                    }
                }
            }
        };
        match result {
            Ok(written) => self.verify(state, desired, written).await,
            Err(e) => self.failed(e, state, desired).await,
        }
    }

    /// A write the provider answered as done: the answer is no proof, the read-back decides.
    /// Read back as written: applied. As it was before: failed (exit 4, nothing was changed).
    /// Anything else: may-have-been-applied, with what was seen (exit 5: another change landed,
    /// a kill among them; exit 4 when the flag could not be read back).
    async fn verify(
        &mut self,
        before: &FlagState,
        desired: &Desired,
        written: FlagState,
    ) -> Result<FlagState> {
        let summary = self.event.summary();
        let label = self.ctx.provider.label();
        // A provider that read the flag back itself after its last request (Unleash: `read_at`
        // set on what the write returns) has made the read-back; a write's answer never is one.
        let read = if written.read_at.is_some() {
            Ok(written.clone())
        } else {
            self.read_back().await
        };
        let now = match read {
            Ok(now) => now,
            Err(e) => {
                let why = format!(
                    "{label} answered the write as done, but the flag could not be read back ({})",
                    e.message
                );
                self.finish(MAY_HAVE_BEEN_APPLIED, Some(why.clone())).await;
                return Err(self.interrupted_or(
                    Error::provider(format!(
                        "{summary}: {why}; it may have been applied (journaled as \
                         may-have-been-applied)"
                    ))
                    .with_hint("run `rollout status` to see where the flag is"),
                ));
            }
        };
        if desired.held_by(&now) {
            self.written = true;
            self.guard
                .done_so_far(&format!("{summary} was applied and journaled"));
            let mut now = now;
            now.detail = written.detail;
            now.revision = now.revision.or(written.revision);
            return Ok(now);
        }
        let seen = now.seen();
        if now.serves_as(before) {
            let why = format!(
                "{label} answered the write as done, but the flag reads back as it was ({seen})"
            );
            self.finish(FAILED, Some(why.clone())).await;
            return Err(self.interrupted_or(
                Error::provider(format!("{summary}: {why}"))
                    .nothing_changed()
                    .with_hint(format!(
                        "{label} did not apply the change: run `rollout status`, then the command again"
                    )),
            ));
        }
        let why = format!("the flag reads back {seen} after this run's write, not as written");
        self.finish(MAY_HAVE_BEEN_APPLIED, Some(why.clone())).await;
        Err(self.interrupted_or(
            Error::conflict(format!(
                "{summary}: {why} (another change landed at the same moment); this run's \
                 change may have been applied in part (journaled as may-have-been-applied)"
            ))
            .with_hint("run `rollout status` to see the new state, then decide again"),
        ))
    }

    /// A write that ended in an error: the read-back decides what it did
    /// ([`Self::outcome_of_failure`]). Read back as this run wrote it, though its answer was an
    /// error (lost, then retried): applied, with a warning. Otherwise the error, journaled.
    async fn failed(
        &mut self,
        e: Error,
        before: &FlagState,
        desired: &Desired,
    ) -> Result<FlagState> {
        let (outcome, now) = self.outcome_of_failure(&e, before, desired).await;
        let mut e = e;
        if outcome == APPLIED {
            if let Some(mut now) = now.clone().filter(|_| e.kind != Kind::Conflict) {
                let said = e
                    .message
                    .strip_suffix("; nothing was changed")
                    .unwrap_or(&e.message);
                let warning = format!(
                    "the write's answer was an error ({said}), but the flag reads back as this \
                     run wrote it: the change was applied"
                );
                // Shown by the command with the change's detail.
                self.written = true;
                now.detail = Some(warning);
                return Ok(now);
            }
        }
        let outcome = if outcome == APPLIED {
            MAY_HAVE_BEEN_APPLIED
        } else {
            outcome
        };
        if let (MAY_HAVE_BEEN_APPLIED, Some(now)) = (outcome, &now) {
            if let Some(kept) = e.message.strip_suffix("; nothing was changed") {
                e.message = kept.to_string();
            }
            e.message.push_str(&format!(
                "; the flag reads back {} (journaled as may-have-been-applied)",
                now.seen()
            ));
            if e.written == Written::Nothing {
                e.written = Written::Unknown;
            }
        }
        if let (FAILED, Some(now)) = (outcome, &now) {
            if e.written != Written::Nothing {
                e.message.push_str(&format!(
                    "; the flag reads back as it was ({}): nothing was changed",
                    now.seen()
                ));
                e.written = Written::Nothing;
            }
        }
        self.finish(outcome, Some(e.message.clone())).await;
        Err(self.interrupted_or(e))
    }

    /// The flag read again after a write, trying for at most `--timeout` (5 s at most).
    async fn read_back(&self) -> Result<FlagState> {
        let wait = self.ctx.run.timeout.min(Duration::from_secs(5));
        let until = tokio::time::Instant::now() + wait;
        let mut pause = Duration::from_millis(100);
        loop {
            let last = match tokio::time::timeout_at(until, self.ctx.provider.read()).await {
                Ok(Ok(now)) => return Ok(now),
                Ok(Err(e)) if e.permanent => return Err(e),
                Ok(Err(e)) => e,
                Err(_) => Error::provider(format!(
                    "no answer within {}",
                    crate::domain::clock::span(wait)
                )),
            };
            if tokio::time::Instant::now() + pause >= until {
                return Err(last);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(1));
        }
    }

    /// `e`, or, when this run was interrupted during the write, the interrupt (exit 130) that
    /// says what `e` said.
    fn interrupted_or(&self, e: Error) -> Error {
        if !self.interrupted && self.guard.signals() == 0 {
            return e;
        }
        let mut out = Error::new(Kind::Interrupted, format!("interrupted: {}", e.message));
        out.hint = e.hint;
        out.written = e.written;
        out
    }

    /// What a failed write did, and the flag as read back (None when not read). A conflict the
    /// provider found before sending anything ([`Written::Nothing`]) changed nothing. Otherwise
    /// the read-back decides: as this run wrote it, applied (its answer was lost); as it was
    /// before, failed; anything else, or no read-back, may-have-been-applied.
    async fn outcome_of_failure(
        &self,
        e: &Error,
        before: &FlagState,
        desired: &Desired,
    ) -> (&'static str, Option<FlagState>) {
        // Every error that says "nothing was changed" records it (Error::nothing_changed).
        debug_assert!(
            e.written != Written::Unknown || !e.message.contains("nothing was changed"),
            "an error says nothing was changed but does not record it: {}",
            e.message
        );
        if e.kind == Kind::Conflict && e.written == Written::Nothing {
            return (FAILED, None);
        }
        match self.read_back().await {
            Ok(now) if desired.held_by(&now) && !desired.held_by(before) => (APPLIED, Some(now)),
            Ok(now) if now.serves_as(before) => (FAILED, Some(now)),
            Ok(now) => (MAY_HAVE_BEEN_APPLIED, Some(now)),
            Err(_) if e.written == Written::Nothing => (FAILED, None),
            Err(_) => (MAY_HAVE_BEEN_APPLIED, None),
        }
    }

    /// The outcome record of this change, once (None when recorded already).
    fn outcome(&mut self, outcome: &str, detail: Option<String>) -> Option<Event> {
        if self.done {
            return None;
        }
        self.done = true;
        let mut ev = self.event.clone();
        ev.outcome = outcome.to_string();
        ev.detail = detail;
        Some(ev)
    }

    /// Records the outcome record (once), warning when the store cannot take it.
    async fn finish(&mut self, outcome: &str, detail: Option<String>) {
        if let Some(ev) = self.outcome(outcome, detail) {
            let landed = self.store(&ev).await;
            self.landed(&ev, landed);
        }
    }

    /// [`Pending::finish`] where nothing can be awaited (a drop): a store that does not answer
    /// at once leaves the record in the outbox.
    fn finish_now(&mut self, outcome: &str, detail: Option<String>) {
        if let Some(ev) = self.outcome(outcome, detail) {
            let landed = record::append_now(self.ctx, &ev);
            self.landed(&ev, landed);
        }
    }

    async fn store(&self, ev: &Event) -> Result<Landed> {
        if self.kill {
            record::append_or_keep(self.ctx, ev, kill_budget(self.ctx)).await
        } else {
            record::append(self.ctx, ev).await.map(|_| Landed::Stored)
        }
    }

    fn landed(&self, ev: &Event, landed: Result<Landed>) {
        match landed {
            Ok(l) => say_kept(self.ctx, ev, &l),
            Err(e) => self.ctx.log.warn(&format!(
                "the outcome of {} ({}) could not be journaled: {}",
                ev.summary(),
                ev.outcome,
                e.message
            )),
        }
    }

    async fn abandon(&mut self, why: &str) -> Error {
        self.finish(MAY_HAVE_BEEN_APPLIED, Some(why.to_string()))
            .await;
        Error::new(
            Kind::Interrupted,
            format!(
                "interrupted: {why}; {} may have been applied (journaled as \
                 may-have-been-applied)",
                self.event.summary()
            ),
        )
        .with_hint("run `rollout status` to see where the flag is")
    }

    /// The id linking the intent record to its outcome.
    #[must_use]
    pub fn id(&self) -> Option<String> {
        self.event.id.clone()
    }

    /// Journals the applied change: `event` is the change as written, with what the provider said.
    pub async fn complete(&mut self, event: &Event) -> Result<()> {
        self.done = true;
        let mut ev = event.clone();
        ev.id.clone_from(&self.event.id);
        let landed = match self.store(&ev).await {
            Ok(landed) => landed,
            Err(e) if e.kind == Kind::Conflict => return Err(e),
            Err(e) => return Err(record::applied_but_not_stored(self.ctx, &ev, &e)),
        };
        say_kept(self.ctx, &ev, &landed);
        self.guard.done_so_far(&format!(
            "{} was applied and journaled",
            self.event.summary()
        ));
        Ok(())
    }

    /// A change given up on after its write was sent (a kill past its `--timeout`): `failed`
    /// when the flag was read back unchanged after the last write, else `may-have-been-applied`
    /// (it may land yet); the detail says what was last seen.
    pub async fn give_up(&mut self, unchanged: bool, seen: &str) {
        let outcome = if unchanged {
            FAILED
        } else {
            MAY_HAVE_BEEN_APPLIED
        };
        self.finish(outcome, Some(format!("given up; the flag {seen}")))
            .await;
    }

    /// After the notifications: a run interrupted during the change stops here, exit 130.
    pub fn stop_if_interrupted(self) -> Result<()> {
        if self.interrupted || self.guard.signals() > 0 {
            return Err(Error::new(
                Kind::Interrupted,
                format!(
                    "interrupted: {} was applied, journaled and notified; stopped there",
                    self.event.summary()
                ),
            ));
        }
        Ok(())
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if self.written {
            self.finish_now(
                APPLIED,
                Some("written; the run stopped before it was read back or notified".into()),
            );
        } else {
            self.finish_now(
                MAY_HAVE_BEEN_APPLIED,
                Some("the run stopped during the write".into()),
            );
        }
    }
}

/// How long a kill waits for the store with one record: a quarter of `--timeout`, so the
/// flag is still turned off in time when the store is down or slow.
fn kill_budget(ctx: &Context) -> Duration {
    ctx.run.timeout / 4
}

/// Says where a record went when the store did not take it.
pub fn say_kept(ctx: &Context, ev: &Event, landed: &Landed) {
    if let Landed::Outbox(why) = landed {
        ctx.log.warn(&format!(
            "the state store ({}) did not take the record of {} ({why}); it is kept in {} \
             and reaches the store with the next command that can write there",
            record::store_name(ctx),
            ev.summary(),
            crate::adapters::state::outbox::path(&ctx.config.dir).display()
        ));
    }
}
