//! Carrying a decision out: the intent record, the provider write, the journal's outcome record
//! and the notifications; or [`plan`]ning it, the requests it would send (the command chooses
//! which, under `--dry-run`). It never asks and never prints: the command has shown the
//! decision's warnings and asked its question before calling here; what happens on the way
//! goes to the run's log.

mod kill;

pub use kill::{kill, plan_kill};

use std::time::Duration;

use crate::app::context::Context;
use crate::app::decide::Decision;
use crate::domain::error::{Error, Result};
use crate::domain::event::Event;
use crate::domain::gates::Verdict;
use crate::ports::provider::{Desired, FlagState, Note, Request};

/// What a run did, for printing.
pub struct Outcome {
    pub event: Event,
    pub state: Option<FlagState>,
    /// Planned, not made (`--dry-run`).
    pub dry_run: bool,
    /// When planned: the requests that would have been sent.
    pub requests: Vec<Request>,
    /// The gates of the target stage as seen before the change (advance only).
    pub verdicts: Vec<Verdict>,
}

/// What a decision that was not refused settled on, with the note that travels with its write.
struct Settled {
    state: FlagState,
    desired: Desired,
    event: Event,
    verdicts: Vec<Verdict>,
    note: Note,
    /// The state store's head the decision was made on.
    after: Option<crate::ports::state::Head>,
}

/// `decision`'s refusal as its error, else what it settled on (for `plan` and `change` alike).
fn settled(ctx: &Context, decision: Decision) -> Result<Settled> {
    let Decision {
        refused,
        state,
        desired,
        event,
        verdicts,
        after,
        ..
    } = decision;
    if let Some(e) = refused {
        return Err(e);
    }
    let note = Note {
        text: event.summary(),
        actor: ctx.actor.clone(),
    };
    Ok(Settled {
        state,
        desired,
        event,
        verdicts,
        note,
        after,
    })
}

/// The requests the change `decision` settled on would send, sending nothing and recording
/// nothing (the event's outcome is `dry-run`): `--dry-run`. A refused decision is returned as
/// its error.
pub fn plan(ctx: &Context, decision: Decision) -> Result<Outcome> {
    let Settled {
        state,
        desired,
        mut event,
        verdicts,
        note,
        ..
    } = settled(ctx, decision)?;
    event.outcome = "dry-run".into();
    let requests = ctx.provider.plan(&state, &desired, &note);
    Ok(Outcome {
        event,
        state: None,
        dry_run: true,
        requests,
        verdicts,
    })
}

/// Makes the change `decision` settled on: journaled as an intent before the write and
/// completed after it, then notified. A refused decision is returned as its error.
pub async fn change(ctx: &Context, decision: Decision) -> Result<Outcome> {
    let Settled {
        state,
        desired,
        mut event,
        verdicts,
        note,
        after,
    } = settled(ctx, decision)?;
    if ctx.log.verbose() {
        for r in ctx.provider.plan(&state, &desired, &note) {
            ctx.log.debug(&format!(
                "{} {} {}",
                r.method,
                r.url,
                r.body.map(|b| b.to_string()).unwrap_or_default()
            ));
        }
    }
    // Journaled before the write, completed after: nothing is applied without a record.
    let mut pending = begin(ctx, &state, &mut event, after).await?;
    let written = pending.write(&state, &desired, &note).await?;
    // This write turned a killed flag on (resume): a kill that ran meanwhile, and found the flag
    // still off, is not undone by it.
    let raced = match pending
        .id()
        .filter(|_| state.exists && !state.on && desired.on)
    {
        Some(id) => crate::app::record::kill_after(ctx, &id)
            .await
            .ok()
            .flatten(),
        None => None,
    };
    // A kill never writes through here (apply::kill does its own read-back); only its
    // --dry-run is planned, through `plan`.
    let said = if let Some(detail) = written.detail.clone() {
        ctx.log.warn(&detail);
        Some(detail)
    } else {
        written.revision.map(|rev| format!("revision {rev}"))
    };
    // What the decision said (a killed flag kept off) comes first.
    event.detail = match (event.detail.take(), said) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    };
    pending.complete(&event).await?;
    notify(ctx, &event, Duration::from_secs(10)).await;
    pending.stop_if_interrupted()?;
    if let Some(kill) = raced {
        return Err(kill_again(ctx, &event, &kill).await);
    }
    Ok(Outcome {
        event,
        state: Some(written),
        dry_run: false,
        requests: Vec::new(),
        verdicts,
    })
}

/// A kill (`kill`) ran while `event` turned the flag on: the flag is turned off again (a kill of
/// its own, journaled), and the error (exit 5) says so.
async fn kill_again(ctx: &Context, event: &Event, kill: &Event) -> Error {
    let what = format!(
        "{} turned {} on while a kill by {} ran",
        event.summary(),
        ctx.config.flag,
        kill.actor
    );
    let again = kill::kill(ctx, Some(format!("kept killed: {what}"))).await;
    let (tail, hint) = match again {
        Ok(_) => (
            "; it was turned off again (journaled as a kill): the kill stays until `rollout resume`"
                .to_string(),
            "run `rollout resume` once the kill's cause is fixed".to_string(),
        ),
        Err(e) => (
            format!("; turning it off again failed: {}", e.message),
            "run `rollout kill` now".to_string(),
        ),
    };
    Error::conflict(format!("{what}{tail}")).with_hint(hint)
}

/// Records `event`'s intent after the head its decision was made on. When another run's change
/// record came first: if that record changed nothing (a failed change) and the flag still reads
/// as decided on, the decision still holds and is recorded after it; otherwise the move no
/// longer applies and the run stops (exit 5) naming the change that won.
async fn begin<'a>(
    ctx: &'a Context,
    state: &FlagState,
    event: &mut Event,
    mut after: Option<crate::ports::state::Head>,
) -> Result<crate::app::intent::Pending<'a>> {
    use crate::app::intent::{Begun, Pending, FAILED};
    crate::adapters::provider::test_pause(
        crate::domain::env_vars::EnvVars::ROLLOUT_TEST_PAUSE_BEFORE_RECORD_MS,
    )
    .await;
    for _ in 0..3 {
        let winner = match Pending::begin(ctx, event, after).await? {
            Begun::Pending(p) => return Ok(p),
            Begun::Lost(winner) => winner,
        };
        let failed = winner.entry.body.get("outcome").and_then(|o| o.as_str()) == Some(FAILED);
        let now = ctx.provider.read().await?;
        if !failed || now.version != state.version || now.stage != state.stage {
            return Err(lost(ctx, event, &winner));
        }
        after = Some(crate::ports::state::Head(winner.seq));
    }
    Err(Error::conflict(format!(
        "{} kept changing while it was recorded; nothing was changed",
        event.summary()
    )))
}

/// The error of a change another run's record beat: names that change, who and when.
fn lost(ctx: &Context, event: &Event, winner: &crate::ports::state::Stored) -> Error {
    let body = &winner.entry.body;
    let what = serde_json::from_value::<Event>(body.clone()).map_or_else(
        |_| body.to_string(),
        |w| format!("{} by {} ({})", w.summary(), w.actor, w.outcome),
    );
    Error::conflict(format!(
        "{} was not made: another run recorded a change of {} first: {what}, stored {}; \
         nothing was changed by this run",
        event.summary(),
        ctx.config.flag,
        crate::domain::clock::stamp(winner.at)
    ))
    .with_hint("run `rollout status` to see where the flag is now, then decide again")
}

/// Sends `event` to every notification target, waiting at most `--timeout` or `most`.
async fn notify(ctx: &Context, event: &Event, most: Duration) {
    let wait = ctx.run.timeout.min(most);
    crate::adapters::notify::send_all(&ctx.config.notify, event, wait, &ctx.log).await;
}
