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
    /// Strategies added outside rollout.
    pub unmanaged: Vec<Unmanaged>,
}

/// Reads the flag, its stage's start, the rules for the next stage and the gates that decide
/// it, and the intents the journal holds open.
pub async fn status(ctx: &Context) -> Result<Status> {
    let config = &ctx.config;
    let mut state = ctx.provider.read().await?;
    add_times(ctx, &mut state).await;
    let pos = position(config, &state);
    let since = stage_since(ctx, &state);
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
    let gate_refusals = if next.is_some() {
        crate::domain::rules::gates(&verdicts)
    } else {
        Vec::new()
    };
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
    // Read from the journal's end, as far back as its last completed change.
    let open = crate::adapters::journal_tail::open_intents(
        &config.dir,
        &config.flag,
        ctx.settings.environment(),
    );
    // Those reads stop at Ctrl-C or SIGTERM: then what they found is partial, not to be shown.
    if crate::adapters::journal_tail::interrupted() {
        return Err(Error::new(
            Kind::Interrupted,
            "interrupted while reading the journal",
        ));
    }
    let unmanaged = ctx.provider.unmanaged(&state);
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
    })
}
