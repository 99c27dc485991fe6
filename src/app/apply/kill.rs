//! The kill switch: never asks, never checks rules, and needs nothing but the ability to turn
//! the flag off (a stored value it cannot read does not stop it). It reads the flag, sends the
//! off, and reads it back until `--timeout`: the read-back decides what is reported, so an off
//! that was applied is a kill (journaled, notified) even when its answer was lost, and a give-up
//! names the last cause and whether the flag was last seen on, off, or never read.

use std::time::Duration;

use tokio::time::Instant;

use crate::adapters::journal;
use crate::app::context::Context;
use crate::app::decide::kill::{self as decide, GaveUp, Sent};
use crate::app::engine::situation;
use crate::app::intent::Pending;
use crate::domain::error::{Error, Kind, Result};
use crate::ports::provider::FlagState;

use super::Outcome;

/// Kills the flag (under `--dry-run`, plans the off), giving up at `--timeout`.
pub async fn kill(ctx: &Context, reason: Option<String>) -> Result<Outcome> {
    let mut run = Kill::new(ctx, reason);
    loop {
        let state = match run.read().await? {
            Read::Flag(state) => state,
            Read::Again => continue,
            Read::GiveUp => break,
        };
        let on = state.exists && state.on;
        run.on_after_off = on && run.sent.is_some();
        run.seen = if on {
            "was last seen ON (still serving)"
        } else {
            "was last seen off"
        };
        if run.before.is_none() && ctx.run.dry_run {
            return run.plan(state).await;
        }
        let first = run.before.get_or_insert_with(|| state.clone()).clone();
        if !on {
            return run.killed(&first, state).await;
        }
        if Instant::now() >= run.deadline {
            break;
        }
        if run.sent.is_some() {
            ctx.log.warn(&format!(
                "{} reads back as on after an off was sent; sending it again",
                ctx.config.flag
            ));
            // A server that keeps dropping the off is not hammered.
            if !run.pause().await {
                break;
            }
        }
        if let Some(written) = run.send_off(&state).await? {
            return run.killed(&first, written).await;
        }
    }
    Err(run.give_up())
}

/// What one read of the flag gave.
enum Read {
    Flag(FlagState),
    /// It failed in a way worth retrying, and there is time to.
    Again,
    /// The deadline came.
    GiveUp,
}

/// A kill under way: what it has seen and sent so far.
struct Kill<'a> {
    ctx: &'a Context,
    reason: Option<String>,
    deadline: Instant,
    /// The flag as first read: the kill's `from`.
    before: Option<FlagState>,
    /// An off was sent; how its answer went (None: answered).
    sent: Option<Option<String>>,
    seen: &'static str,
    /// The flag read back on after the last off was sent: that off did not take.
    on_after_off: bool,
    /// What the provider said about the off it applied (a revision), for the journal.
    applied_detail: Option<String>,
    /// The kill's intent record, journaled before the first off is sent (nothing is applied
    /// without a record); completed by the read-back, or on giving up.
    pending: Option<Pending<'a>>,
    last: Option<Error>,
    pause: Duration,
    failed_reads: u32,
}

impl<'a> Kill<'a> {
    fn new(ctx: &'a Context, reason: Option<String>) -> Self {
        Kill {
            ctx,
            reason,
            deadline: Instant::now() + ctx.run.timeout,
            before: None,
            sent: None,
            seen: "was never read, so whether it is off is unknown",
            on_after_off: false,
            applied_detail: None,
            pending: None,
            last: None,
            pause: Duration::from_millis(100),
            failed_reads: 0,
        }
    }

    fn no_answer(&self) -> Error {
        Error::provider(format!(
            "no answer from the provider within {}",
            crate::domain::clock::span(self.ctx.run.timeout)
        ))
    }

    /// Waits the current pause (doubling it, up to a second); false when the deadline would
    /// pass first.
    async fn pause(&mut self) -> bool {
        if Instant::now() + self.pause >= self.deadline {
            return false;
        }
        tokio::time::sleep(self.pause).await;
        self.pause = (self.pause * 2).min(Duration::from_secs(1));
        true
    }

    /// One read of the flag within the deadline. An answer that was no flag (an HTML page) is
    /// read again; a permanent error ends the kill.
    async fn read(&mut self) -> Result<Read> {
        let read = tokio::time::timeout_at(self.deadline, self.ctx.provider.read_for_kill()).await;
        match read {
            Ok(Ok(state)) => Ok(Read::Flag(state)),
            Ok(Err(e)) if e.permanent || !matches!(e.kind, Kind::Provider | Kind::Conflict) => {
                Err(e)
            }
            Ok(Err(e)) => {
                let why = e
                    .message
                    .strip_suffix("; nothing was changed")
                    .unwrap_or(&e.message);
                self.failed_reads += 1;
                self.ctx.log.warn(&format!(
                    "kill attempt {} failed: {why}; retrying",
                    self.failed_reads
                ));
                self.last = Some(e);
                Ok(if self.pause().await {
                    Read::Again
                } else {
                    Read::GiveUp
                })
            }
            Err(_) => {
                self.last = Some(self.no_answer());
                Ok(Read::GiveUp)
            }
        }
    }

    /// Sends the off of `state` (journaling the intent first, once). `Some` is the flag as the
    /// write's answer shows it, off: the read-back already.
    async fn send_off(&mut self, state: &FlagState) -> Result<Option<FlagState>> {
        let ctx = self.ctx;
        let place = ctx.provider.describe();
        let sit = situation(ctx, state, None, &place);
        let (desired, note, mut intent) = decide::off(&sit, self.reason.clone());
        if self.pending.is_none() {
            self.pending = Some(Pending::begin(ctx, &mut intent)?);
        }
        // The off may retry, but leaves one attempt's time to read the flag back: an off
        // whose answers are all lost is still seen applied.
        let reserve =
            crate::adapters::http_client::Policy::for_deadline(ctx.run.timeout).attempt_timeout;
        let write_by = if Instant::now() + reserve * 2 <= self.deadline {
            self.deadline - reserve
        } else {
            self.deadline
        };
        self.on_after_off = false;
        match tokio::time::timeout_at(write_by, ctx.provider.apply(state, &desired, &note)).await {
            Ok(Ok(written)) => {
                self.sent = Some(None);
                // As every applied change journals it: the provider's note, else its revision.
                self.applied_detail = written
                    .detail
                    .clone()
                    .or_else(|| written.revision.map(|rev| format!("revision {rev}")));
                // A write whose answer is the flag as it now is (LaunchDarkly's patch, the
                // http PUT: `read_at` set) is the read-back already: reading again tells nothing
                // more.
                if written.read_at.is_some() && !(written.exists && written.on) {
                    return Ok(Some(written));
                }
            }
            Ok(Err(e)) if e.permanent || !matches!(e.kind, Kind::Provider | Kind::Conflict) => {
                return Err(e);
            }
            Ok(Err(e)) => {
                // It may have been applied: the read-back tells.
                self.sent = Some(Some(e.message.clone()));
                self.last = Some(e);
            }
            Err(_) => {
                self.sent = Some(Some(self.no_answer().message));
                self.last = Some(self.no_answer());
            }
        }
        Ok(None)
    }

    /// `kill --dry-run`: what a kill of `state` would send (nothing when it is off already).
    async fn plan(self, state: FlagState) -> Result<Outcome> {
        let ctx = self.ctx;
        let place = ctx.provider.describe();
        let sit = situation(ctx, &state, None, &place);
        if !state.exists || !state.on {
            let event = decide::already_off(&sit, &sit, self.reason);
            return Ok(Outcome {
                event,
                state: Some(state),
                dry_run: ctx.run.dry_run,
                requests: Vec::new(),
                verdicts: Vec::new(),
            });
        }
        let decision = decide::planned(&sit, self.reason);
        super::change(ctx, decision).await
    }

    /// The flag reads back off: a kill this run applied (journaled `applied`, notified), or one
    /// it found already done (`already-off`).
    async fn killed(self, first: &FlagState, back: FlagState) -> Result<Outcome> {
        let ctx = self.ctx;
        let place = ctx.provider.describe();
        let sit = situation(ctx, first, None, &place);
        let Some(answer) = self.sent else {
            let event =
                decide::already_off(&sit, &situation(ctx, &back, None, &place), self.reason);
            journal::append(&ctx.config.dir, &event)?;
            return Ok(done(event, back));
        };
        let sent = match answer {
            Some(lost) => Sent::Lost(lost),
            None => Sent::Answered(self.applied_detail),
        };
        let (mut ev, warning) = decide::applied(&sit, self.reason, sent);
        if let Some(w) = warning {
            ctx.log.warn(&w);
        }
        // The outcome record completes the intent journaled before the first off.
        match self.pending {
            Some(mut p) => {
                ev.id = p.id();
                p.complete(&ev)?;
                super::notify(ctx, &ev, Duration::from_secs(5)).await;
                p.stop_if_interrupted()?;
            }
            None => {
                journal::append(&ctx.config.dir, &ev)?;
                super::notify(ctx, &ev, Duration::from_secs(5)).await;
            }
        }
        Ok(done(ev, back))
    }

    /// Past the deadline: the intent is closed as given up, and the error says what is known.
    fn give_up(mut self) -> Error {
        if let Some(mut p) = self.pending.take() {
            // An off was sent and not seen applied: read back on after it, it failed; otherwise
            // it may land yet.
            p.give_up(self.on_after_off, self.seen);
        }
        let cause = self
            .last
            .take()
            .map_or_else(|| self.no_answer().message, |e| e.message);
        let sent = match &self.sent {
            None => "no off was sent",
            Some(None) => "an off was sent and answered",
            Some(Some(_)) => "an off was sent but never confirmed",
        };
        let ctx = self.ctx;
        decide::gave_up(&GaveUp {
            flag: &ctx.config.flag,
            in_environment: &ctx.settings.in_environment(),
            place: &ctx.provider.describe(),
            cause: &cause,
            sent,
            seen: self.seen,
            timeout: ctx.run.timeout,
        })
    }
}

/// A kill's outcome: `event`, with the flag as last read.
fn done(event: crate::domain::event::Event, back: FlagState) -> Outcome {
    Outcome {
        event,
        state: Some(back),
        dry_run: false,
        requests: Vec::new(),
        verdicts: Vec::new(),
    }
}
