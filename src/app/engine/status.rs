//! What `rollout status` shows, gathered: the flag, where it is and since when, the next stage
//! and what it waits for, the gates that decide it, the changes left open, and what the
//! provider holds outside rollout. The command prints it.

use chrono::{DateTime, Utc};

use crate::adapters::gates::{Tracker, Verdict};
use crate::app::context::Context;
use crate::domain::error::{Error, Kind, Result};
use crate::domain::event::Event;
use crate::ports::provider::{FlagState, Unmanaged};

use super::{add_times, look_during, position, stage_since, Position};

/// The flag as `status` sees it: read from the provider, the journal and the gates.
pub struct Status {
    pub state: FlagState,
    pub pos: Position,
    /// When the current stage started.
    pub since: Option<DateTime<Utc>>,
    pub killed: bool,
    /// The stage the flag is at.
    pub stage_name: Option<String>,
    /// The next stage, and when the rules allow it at the earliest.
    pub next: Option<usize>,
    pub allowed_at: Option<DateTime<Utc>>,
    /// The stage whose gates decide the next advance (at the last stage: the current one).
    pub gate_stage: Option<usize>,
    pub verdicts: Vec<Verdict>,
    /// The rules the next advance waits for, each once.
    pub waiting: Vec<String>,
    /// Changes journaled as intents and never completed.
    pub open: Vec<Event>,
    /// What the provider serves that rollout did not write (Unleash strategies added by hand,
    /// the flags file's hand edits).
    pub unmanaged: Vec<Unmanaged>,
    /// The newest change that set the flag's stage or state (who, when, why), as everyone
    /// sharing the state store sees it; None when the store holds none or cannot be read.
    pub last: Option<Event>,
}

/// Reads the flag, its stage's start, the rules for the next stage and the gates that decide
/// it, and the intents the journal holds open.
pub async fn status(ctx: &Context) -> Result<Status> {
    let config = &ctx.config;
    let mut state = ctx.provider.read().await?;
    add_times(ctx, &mut state).await;
    let pos = position(config, &state);
    let since = stage_since(ctx, &state).await;
    let current = match pos {
        Position::At(i) => Some(i),
        _ => None,
    };
    // The facts of `engine::facts`, with the stage's start read once (from the journal's end,
    // as far back as the stage's last move).
    let facts = crate::domain::rules::Facts {
        config,
        pos,
        killed: state.exists && !state.on,
        since,
        now: ctx.now,
    };
    let next_rules = crate::domain::rules::next(&facts);
    let next = next_rules.as_ref().map(|n| n.index);
    // The gates that decide the next advance (at the last stage: the current stage's).
    let gate_stage = next.or(current);
    let verdicts = look_during(ctx, gate_stage, Some(pos), since, &mut Tracker::default()).await;
    let unmanaged = ctx.provider.unmanaged(&state);
    let mut gate_refusals = if next.is_some() {
        crate::domain::rules::gates(&verdicts)
    } else {
        Vec::new()
    };
    // What the provider serves outside the plan refuses the next advance as the gates do (a
    // killed flag waits for its resume, which replaces what a write replaces).
    if next.is_some() && (state.on || !state.exists) {
        gate_refusals.extend(crate::domain::rules::unmanaged(
            unmanaged
                .iter()
                .filter(|u| u.widens || u.overwritten)
                .map(|u| u.text.as_str()),
            "",
        ));
    }
    let mut waiting: Vec<String> = Vec::new();
    for r in next_rules
        .iter()
        .flat_map(|n| n.waiting.iter())
        .chain(gate_refusals.iter())
    {
        let rule = r.rule().to_string();
        if !waiting.contains(&rule) {
            waiting.push(rule);
        }
    }
    let (open, last) = recorded(ctx).await;
    // Those reads stop at Ctrl-C or SIGTERM: then what they found is partial, not to be shown.
    if crate::adapters::journal_tail::interrupted() {
        return Err(Error::new(
            Kind::Interrupted,
            "interrupted while reading the journal",
        ));
    }
    Ok(Status {
        killed: state.exists && !state.on,
        stage_name: current.map(|i| config.stages[i].name.clone()),
        allowed_at: next_rules.as_ref().and_then(|n| n.allowed_at),
        state,
        pos,
        since,
        next,
        gate_stage,
        verdicts,
        waiting,
        open,
        unmanaged,
        last,
    })
}

/// The intents the store holds open and its newest applied change. A store that cannot be read
/// is said (the flag's state is the provider's) and is no failure. Records a kill kept in the
/// outbox reach the store first, when it answers.
async fn recorded(ctx: &Context) -> (Vec<Event>, Option<Event>) {
    if let Err(e) = crate::app::record::push_outbox(ctx).await {
        ctx.log
            .debug(&format!("the outbox stays for later: {}", e.message));
    }
    let open = match crate::app::record::open_intents(ctx).await {
        Ok(open) => open,
        // Ctrl-C or SIGTERM stopped the read: the command stops (see `status`), says no more.
        Err(e) if e.kind == crate::domain::error::Kind::Interrupted => Vec::new(),
        Err(e) => {
            ctx.log.warn(&format!(
                "the journal is unreachable, so open intents are not known: {}",
                crate::app::record::unreachable(ctx, &e).message
            ));
            Vec::new()
        }
    };
    let last = crate::app::record::last_applied_change(ctx)
        .await
        .ok()
        .flatten();
    (open, last)
}
