//! The stage engine's reading half: the facts a decision needs (the flag from the provider,
//! when its stage started from the provider's log or the journal, the gates' verdicts), read
//! before [`crate::app::decide`] weighs them. A command decides here, shows and asks, then has
//! [`crate::app::apply`] carry the decision out (or, under `--dry-run`, plan it). The facts the
//! read-only commands show are gathered here too: [`status`], [`check`], [`gates`].

use chrono::{DateTime, Utc};

use crate::adapters::gates::{Tracker, Verdict};
use crate::app::context::Context;
use crate::app::decide::{self, Decision, Override, Situation};
use crate::domain::error::Result;
use crate::domain::event::Event;
use crate::ports::provider::FlagState;

mod gates;
mod kill;
mod status;
mod user;

pub use crate::app::decide::{position, Position};
pub use crate::domain::rules::{planned_start, soak_end};
pub use gates::{gates, GateLook};
pub use kill::{kill, Killing, Read, Reads, NEVER_READ};
pub use status::{status, Status};
pub use user::{check, UserCheck};

/// Reads when the stage started and when the flag was killed from the provider's own log, where
/// it keeps one apart from the flag (Unleash's event log), so every machine sees the same soak.
/// A log that cannot be read is a warning: the journal still answers.
pub async fn add_times(ctx: &Context, state: &mut FlagState) {
    if let Err(e) = ctx.provider.add_times(state).await {
        ctx.log.warn(&format!(
            "cannot read the provider's event log, so times come from the local journal: {}",
            e.message
        ));
    }
}

/// When the current stage started: the provider's word, else the state store's time of the
/// record that moved the flag there. A store that cannot be read is a warning here (the
/// commands that change the flag read its head first and stop there).
pub async fn stage_since(ctx: &Context, state: &FlagState) -> Option<DateTime<Utc>> {
    if state.since.is_some() {
        return state.since;
    }
    let stage = state.stage.as_deref()?;
    match crate::app::record::last_move_to(ctx, stage).await {
        Ok(found) => found.map(|s| s.at),
        Err(e) => {
            ctx.log.warn(&format!(
                "the journal is unreachable, so when {stage} started is not known: {}",
                crate::app::record::unreachable(ctx, &e).message
            ));
            None
        }
    }
}

/// The state store's head of this flag here: read with the facts a change is decided on, and
/// before the provider, so a store that cannot be reached stops the change first (exit 4).
pub async fn head(ctx: &Context) -> Result<crate::ports::state::Head> {
    crate::app::record::push_outbox(ctx)
        .await
        .map_err(|e| crate::app::record::unreachable(ctx, &e))?;
    ctx.state
        .head(&crate::app::record::scope(ctx))
        .await
        .map_err(|e| {
            crate::app::record::unreachable(ctx, &e).with_hint(
                "nothing was changed: a change is recorded in the state store before it is made",
            )
        })
}

/// The rules' facts about the flag now.
pub async fn facts<'a>(
    ctx: &'a Context,
    state: &FlagState,
    pos: Position,
) -> crate::domain::rules::Facts<'a> {
    crate::domain::rules::Facts {
        config: &ctx.config,
        pos,
        killed: state.exists && !state.on,
        since: stage_since(ctx, state).await,
        now: ctx.now,
    }
}

/// What a decision about `state` knows of this run; `place` is the provider's `describe()`.
#[must_use]
pub fn situation<'a>(
    ctx: &'a Context,
    state: &'a FlagState,
    since: Option<DateTime<Utc>>,
    place: &'a str,
) -> Situation<'a> {
    Situation {
        config: &ctx.config,
        state,
        since,
        now: ctx.now,
        actor: ctx.actor.as_str(),
        settings: &ctx.settings,
        provider: ctx.provider.kind().name(),
        place,
        unmanaged: &[],
        head: None,
    }
}

/// One look at the gates of stage `index` (none before the first stage). `tracker` carries
/// `for:` between looks; a fresh one makes this look a breach's first.
pub async fn look(
    ctx: &Context,
    index: Option<usize>,
    since: Option<DateTime<Utc>>,
    tracker: &mut Tracker,
) -> Vec<Verdict> {
    look_during(ctx, index, index.map(Position::At), since, tracker).await
}

/// One look at the gates of stage `index` while the traffic since `since` follows the flag at
/// `now` (its current position, None when not known: `advance` and `status` judge the next
/// stage's gates on it). A compare gate checks the split of requests against the current
/// stage's percentage, unless that stage's audience also names users or groups (then the share
/// of `on` is not known); before the first stage it does not apply (`not-applicable`).
pub async fn look_during(
    ctx: &Context,
    index: Option<usize>,
    now: Option<Position>,
    since: Option<DateTime<Utc>>,
    tracker: &mut Tracker,
) -> Vec<Verdict> {
    let Some(index) = index else {
        return Vec::new();
    };
    let gates = ctx.config.stage_gates(index);
    if gates.is_empty() {
        return Vec::new();
    }
    let percentage = match now {
        Some(Position::At(t)) => on_share(ctx, t),
        _ => None,
    };
    let mut env = ctx.gate_env(since, percentage);
    env.not_started = now == Some(Position::NotStarted);
    crate::adapters::gates::evaluate(&env, &gates, tracker).await
}

/// The share of requests stage `index` sends to `on`: its percentage, unless its audience
/// (with the earlier stages') also names users or groups, whose requests go to `on` whatever
/// the percentage (then None: a compare gate has no split to check).
#[must_use]
pub fn on_share(ctx: &Context, index: usize) -> Option<crate::domain::config::Percentage> {
    let (users, groups) = ctx.config.cumulative_audience(index);
    let stage = ctx.config.stages.get(index)?;
    (users.is_empty() && groups.is_empty()).then_some(stage.percentage)
}

/// What `advance` found to do.
#[derive(Debug)]
pub enum Advance {
    /// A move, decided on (maybe refused).
    Move(Box<Decision>),
    /// The flag is already on at the named stage: this event says so; nothing is written or
    /// recorded.
    Already(Box<Event>),
}

/// Reads the flag and the target's gates, then decides an advance to `target` (else the next
/// stage).
pub async fn advance(ctx: &Context, target: Option<&str>, over: &Override) -> Result<Advance> {
    let head = head(ctx).await?;
    let mut state = ctx.provider.read().await?;
    // The stage's start matters for the soak rule; under --force every rule is overridden, so
    // the provider's log is not read and the local journal dates the stage (issue 13: the
    // fewest requests).
    if !over.force {
        add_times(ctx, &mut state).await;
    }
    let to = match decide::advance_target(&ctx.config, &state, target, over.force)? {
        decide::Target::Stage(to) => to,
        decide::Target::Already(at) => {
            let place = ctx.provider.describe();
            let sit = situation(ctx, &state, None, &place);
            return Ok(Advance::Already(Box::new(decide::already_at(&sit, at))));
        }
    };
    let since = stage_since(ctx, &state).await;
    let now = Some(position(&ctx.config, &state));
    let verdicts = look_during(ctx, Some(to), now, since, &mut Tracker::default()).await;
    let unmanaged = ctx.provider.unmanaged(&state);
    let place = ctx.provider.describe();
    let mut sit = situation(ctx, &state, since, &place);
    sit.head = Some(head);
    Ok(Advance::Move(Box::new(decide::advance(
        &sit, to, verdicts, &unmanaged, over,
    ))))
}

/// Reads the flag and decides a rollback to `target` (else the stage below).
pub async fn rollback(ctx: &Context, target: Option<&str>, over: &Override) -> Result<Decision> {
    let head = head(ctx).await?;
    let state = ctx.provider.read().await?;
    let since = stage_since(ctx, &state).await;
    let place = ctx.provider.describe();
    let unmanaged = ctx.provider.unmanaged(&state);
    let sit = decide::Situation {
        unmanaged: &unmanaged,
        head: Some(head),
        ..situation(ctx, &state, since, &place)
    };
    decide::rollback(&sit, target, over)
}

/// Reads the flag and decides turning it back on where it was killed: at the stage the kill
/// recorded in the journal (or a forced move of the killed flag after it), should a racing
/// write have moved the provider's since.
pub async fn resume(ctx: &Context, over: &Override) -> Result<Decision> {
    let head = head(ctx).await?;
    let state = ctx.provider.read().await?;
    let place = ctx.provider.describe();
    let unmanaged = ctx.provider.unmanaged(&state);
    let sit = decide::Situation {
        unmanaged: &unmanaged,
        head: Some(head),
        ..situation(ctx, &state, None, &place)
    };
    let recorded = crate::app::record::last_applied_change(ctx)
        .await?
        .filter(|e| e.action != "resume");
    decide::resume(&sit, recorded.as_ref(), over)
}
