//! The kill switch: never asks, never checks rules, and needs nothing but the ability to turn
//! the flag off (a stored value it cannot read does not stop it). It reads the flag, sends the
//! off, and reads it back until `--timeout`: the read-back decides what is reported, so an off
//! that was applied is a kill (journaled, notified) even when its answer was lost, and a give-up
//! names the last cause and whether the flag was last seen on, off, or never read.

use std::time::Duration;

use tokio::time::Instant;

use crate::app::context::Context;
use crate::app::decide::kill::{self as decide, Sent};
use crate::app::engine::{situation, Killing, Read, Reads, NEVER_READ};
use crate::app::intent::Pending;
use crate::app::record;
use crate::domain::error::{Error, Kind, Result};
use crate::ports::provider::FlagState;

use super::Outcome;

/// Kills the flag, giving up at `--timeout`.
pub async fn kill(ctx: &Context, reason: Option<String>) -> Result<Outcome> {
    let mut run = Kill::new(ctx, reason);
    loop {
        let state = match run.reads.read().await? {
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
        let first = run.before.get_or_insert_with(|| state.clone()).clone();
        if !on {
            return run.killed(&first, state).await;
        }
        if Instant::now() >= run.reads.deadline {
            break;
        }
        if run.sent.is_some() {
            ctx.log.warn(&format!(
                "{} reads back as on after an off was sent; sending it again",
                ctx.config.flag
            ));
            // A server that keeps dropping the off is not hammered.
            if !run.reads.pause().await {
                break;
            }
        }
        run.send_off(&state).await?;
    }
    Err(run.give_up().await)
}

/// `kill --dry-run`: what the kill `killing` would send (nothing when the flag is off
/// already), sending nothing.
pub fn plan_kill(ctx: &Context, killing: Killing) -> Result<Outcome> {
    match killing {
        Killing::AlreadyOff { event, state } => Ok(Outcome {
            event,
            state: Some(state),
            dry_run: true,
            requests: Vec::new(),
            verdicts: Vec::new(),
        }),
        Killing::Off(decision) => super::plan(ctx, decision),
    }
}

/// A kill under way: what it has seen and sent so far.
struct Kill<'a> {
    ctx: &'a Context,
    reason: Option<String>,
    /// The reads of the flag, until `--timeout`.
    reads: Reads<'a>,
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
}

impl<'a> Kill<'a> {
    fn new(ctx: &'a Context, reason: Option<String>) -> Self {
        Kill {
            ctx,
            reason,
            reads: Reads::new(ctx),
            before: None,
            sent: None,
            seen: NEVER_READ,
            on_after_off: false,
            applied_detail: None,
            pending: None,
        }
    }

    /// Sends the off of `state` (journaling the intent first, once); the loop's next read is
    /// its read-back.
    async fn send_off(&mut self, state: &FlagState) -> Result<()> {
        let ctx = self.ctx;
        let place = ctx.provider.describe();
        let sit = situation(ctx, state, None, &place);
        let (desired, note, mut intent) = decide::off(&sit, self.reason.clone());
        if self.pending.is_none() {
            self.pending = Some(Pending::begin_kill(ctx, &mut intent).await?);
        }
        // The off may retry, but leaves one attempt's time to read the flag back: an off
        // whose answers are all lost is still seen applied.
        let reserve =
            crate::adapters::http_client::Policy::for_deadline(ctx.run.timeout).attempt_timeout;
        let write_by = if Instant::now() + reserve * 2 <= self.reads.deadline {
            self.reads.deadline - reserve
        } else {
            self.reads.deadline
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
                // Even a write whose answer is the flag as it now is (LaunchDarkly's patch, the
                // http PUT) is read again: a 200 answer is no proof (a proxy may answer one for
                // a request it never forwarded); the read that follows decides.
            }
            Ok(Err(e)) if e.permanent || !matches!(e.kind, Kind::Provider | Kind::Conflict) => {
                return Err(e);
            }
            Ok(Err(e)) => {
                // It may have been applied: the read-back tells.
                self.sent = Some(Some(e.message.clone()));
                self.reads.last = Some(e);
            }
            Err(_) => {
                self.sent = Some(Some(self.reads.no_answer().message));
                self.reads.last = Some(self.reads.no_answer());
            }
        }
        Ok(())
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
            let landed = record::append_or_keep(ctx, &event, ctx.run.timeout / 4).await?;
            crate::app::intent::say_kept(ctx, &event, &landed);
            return Ok(done(event, back));
        };
        let sent = match answer {
            Some(lost) => Sent::Lost(lost),
            None => Sent::Answered(self.applied_detail),
        };
        let (mut ev, warning) = decide::applied(&sit, self.reason, sent);
        // The stage the flag was killed at is the one read back off (a racing write may have
        // moved it since the first read): `resume` restores it.
        if back.exists && back.percentage != first.percentage && first.detail.is_none() {
            let now = situation(ctx, &back, None, &place);
            ev.to = back.stage.clone().or(now.current_name());
            ev.percentage = Some(back.percentage);
        }
        if let Some(w) = warning {
            ctx.log.warn(&w);
        }
        // The outcome record completes the intent journaled before the first off.
        match self.pending {
            Some(mut p) => {
                ev.id = p.id();
                p.complete(&ev).await?;
                super::notify(ctx, &ev, Duration::from_secs(5)).await;
                p.stop_if_interrupted()?;
            }
            None => {
                let landed = record::append_or_keep(ctx, &ev, ctx.run.timeout / 4).await?;
                crate::app::intent::say_kept(ctx, &ev, &landed);
                super::notify(ctx, &ev, Duration::from_secs(5)).await;
            }
        }
        Ok(done(ev, back))
    }

    /// Past the deadline: the intent is closed as given up, and the error says what is known.
    async fn give_up(mut self) -> Error {
        if let Some(mut p) = self.pending.take() {
            // An off was sent and not seen applied: read back on after it, it failed; otherwise
            // it may land yet.
            p.give_up(self.on_after_off, self.seen).await;
        }
        let sent = match &self.sent {
            None => "no off was sent",
            Some(None) => "an off was sent and answered",
            Some(Some(_)) => "an off was sent but never confirmed",
        };
        self.reads.gave_up(sent, self.seen)
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
