//! The watch loop's steps, one look at a time: read the flag and look at the gates of its stage
//! (journaling the look), kill on a sustained critical breach, alert once per warning or info
//! breach, and advance when the rules allow. It never prints and never asks itself: each step
//! returns what happened, warnings go to `ctx.log`, and the question before an advance is the
//! caller's `ask`. The caller paces the looks and shows them.

use std::collections::HashSet;
use std::time::Duration;

use crate::adapters::gates::{Status, Tracker, Verdict};
use crate::adapters::journal::Event;
use crate::app::context::Context;
use crate::app::decide::{Decision, Override};
use crate::app::engine::{self, Position};
use crate::domain::config::Severity;
use crate::domain::error::{Error, Kind, Result};
use crate::domain::rules::Next;
use crate::ports::provider::FlagState;

/// A watch under way: what carries from one look to the next, and what it has done so far.
pub struct Watch {
    /// `--until`: the stage at which the watch is done.
    until: Option<usize>,
    /// `--advance`: whether the watch moves the flag on when the rules allow.
    advance: bool,
    /// Carries each gate's `for:` between looks.
    tracker: Tracker,
    /// The gates whose current breach has been alerted (alerted again only after a pass).
    alerted: HashSet<String>,
    /// The looks taken so far.
    pub looks: u32,
    /// What the watch did (`kill: …`, `advance: …`, `alert: …`), for its `--json`.
    pub actions: Vec<String>,
}

/// What one look found.
pub enum Look {
    /// The flag could not be read; the next look tries again.
    Unreadable(Error),
    /// The flag is killed: the watch stops.
    Killed,
    /// The flag is at stage `index`, at or past `--until`: the watch is done.
    Reached(usize),
    /// The gates were looked at (and the look journaled).
    Seen(Seen),
}

/// A look at the gates of the flag's stage.
pub struct Seen {
    pub state: FlagState,
    /// The stage the flag is at (None before the first stage or off the plan).
    pub stage: Option<String>,
    pub verdicts: Vec<Verdict>,
    /// The next stage and what the rules still wait for (None at the last stage).
    next: Option<Next>,
}

/// What a kill on a sustained critical breach did.
pub enum Kill {
    /// The flag was killed, for this reason.
    Killed(String),
    /// The kill failed; the next look tries again.
    Failed(Error),
}

/// What `--advance` did at a look.
pub enum Step {
    /// Nothing: not advancing, or the rules still wait.
    Wait,
    /// The flag is at the last stage, whose index this is: the watch is done.
    LastStage(usize),
    /// The flag moved on: `from → to (percentage)`.
    Advanced(String),
    /// The engine refused the advance; the watch holds.
    Refused(Error),
    /// The provider failed or the flag changed under the advance; the next look tries again.
    Failed(Error),
}

impl Watch {
    #[must_use]
    pub fn new(until: Option<usize>, advance: bool) -> Watch {
        Watch {
            until,
            advance,
            tracker: Tracker::default(),
            alerted: HashSet::new(),
            looks: 0,
            actions: Vec::new(),
        }
    }

    /// Reads the flag and, unless it is killed or at `--until`, looks at the gates of its stage
    /// and journals the look.
    pub async fn look(&mut self, ctx: &Context) -> Result<Look> {
        self.looks += 1;
        let mut state = match ctx.provider.read().await {
            Ok(s) => s,
            Err(e) => return Ok(Look::Unreadable(e)),
        };
        engine::add_times(ctx, &mut state).await;
        let pos = engine::position(&ctx.config, &state);
        let facts = engine::facts(ctx, &state, pos).await;
        if facts.killed {
            return Ok(Look::Killed);
        }
        let current = match pos {
            Position::At(i) => Some(i),
            _ => None,
        };
        if let (Some(u), Some(c)) = (self.until, current) {
            if c >= u {
                return Ok(Look::Reached(c));
            }
        }
        let verdicts = engine::look(ctx, current, facts.since, &mut self.tracker).await;
        let stage = current.map(|i| ctx.config.stages[i].name.clone());
        let ev = record(
            ctx,
            &state,
            stage.as_deref(),
            "watch",
            "look",
            None,
            &verdicts,
        );
        crate::app::record::append(ctx, &ev).await?;
        let next = crate::domain::rules::next(&facts);
        Ok(Look::Seen(Seen {
            state,
            stage,
            verdicts,
            next,
        }))
    }

    /// Kills the flag when a critical gate's breach has held for its `for:` (None: no such
    /// breach). A usage error (the kill cannot be made at all) stops the watch.
    pub async fn kill_on_breach(&mut self, ctx: &Context, seen: &Seen) -> Result<Option<Kill>> {
        let Some(v) = crate::domain::rules::must_kill(&seen.verdicts) else {
            return Ok(None);
        };
        let reason = format!(
            "watch: gate {} is {} against {} for {} (critical)",
            v.gate,
            v.shown,
            v.threshold,
            v.held.clone().unwrap_or_else(|| "0s".into())
        );
        match crate::app::apply::kill(ctx, Some(reason.clone())).await {
            Ok(_) => {
                self.actions.push(format!("kill: {reason}"));
                Ok(Some(Kill::Killed(reason)))
            }
            Err(e) if e.kind == Kind::Usage => Err(e),
            Err(e) => Ok(Some(Kill::Failed(e))),
        }
    }

    /// Warns of (on `ctx.log`), journals and notifies a warning or info gate's sustained breach
    /// once per breach; a warning holds `--advance` through the engine's own gate rule.
    pub async fn alert(&mut self, ctx: &Context, seen: &Seen) -> Result<()> {
        for v in &seen.verdicts {
            if v.verdict == Status::Pass {
                self.alerted.remove(&v.gate);
            }
            let breach = v.verdict == Status::Fail && v.sustained;
            if !breach || v.severity == Severity::Critical || self.alerted.contains(&v.gate) {
                continue;
            }
            self.alerted.insert(v.gate.clone());
            let reason = alert_reason(v);
            ctx.log.warn(&reason);
            let stage = seen.state.stage.clone();
            let ev = record(
                ctx,
                &seen.state,
                stage.as_deref(),
                "gate-alert",
                "notified",
                Some(reason.clone()),
                std::slice::from_ref(v),
            );
            crate::app::record::append(ctx, &ev).await?;
            crate::adapters::notify::send_all(
                &ctx.config.notify,
                &ev,
                Duration::from_secs(5),
                &ctx.log,
            )
            .await;
            self.actions.push(format!("alert: {reason}"));
        }
        Ok(())
    }

    /// Under `--advance`, advances to the next stage once the rules wait for nothing, asking
    /// `ask` the decision's question; the decision's warnings go to `ctx.log`.
    pub async fn advance(
        &mut self,
        ctx: &Context,
        seen: &Seen,
        ask: impl FnOnce(&crate::app::decide::Question) -> Result<()>,
    ) -> Result<Step> {
        if !self.advance {
            return Ok(Step::Wait);
        }
        match &seen.next {
            None => return Ok(Step::LastStage(ctx.config.stages.len() - 1)),
            Some(next) if !next.waiting.is_empty() => return Ok(Step::Wait),
            Some(_) => {}
        }
        let advanced = match engine::advance(ctx, None, &Override::default()).await {
            Ok(engine::Advance::Move(decision)) => carry_out(ctx, *decision, ask).await,
            // No stage is named, so the flag is never already there.
            Ok(engine::Advance::Already(_)) => return Ok(Step::Wait),
            Err(e) => Err(e),
        };
        match advanced {
            Ok(event) => {
                let step = format!(
                    "{} → {} ({})",
                    event.from.as_deref().unwrap_or("not started"),
                    event.to.as_deref().unwrap_or(""),
                    event.percentage.map(|p| p.to_string()).unwrap_or_default()
                );
                self.actions.push(format!("advance: {step}"));
                Ok(Step::Advanced(step))
            }
            Err(e) if e.kind == Kind::Refused => Ok(Step::Refused(e)),
            Err(e) if matches!(e.kind, Kind::Provider | Kind::Conflict) => Ok(Step::Failed(e)),
            Err(e) => Err(e),
        }
    }
}

/// The decision's warnings (to the log), its refusal, its question, then the change; returns
/// the change's event.
async fn carry_out(
    ctx: &Context,
    decision: Decision,
    ask: impl FnOnce(&crate::app::decide::Question) -> Result<()>,
) -> Result<Event> {
    for w in &decision.warnings {
        ctx.log.warn(w);
    }
    if let Some(e) = decision.refused {
        return Err(e);
    }
    // A watch has no --dry-run (the command refuses it): it always applies.
    if let Some(q) = &decision.question {
        ask(q)?;
    }
    Ok(crate::app::apply::change(ctx, decision).await?.event)
}

/// Why a warning or info gate alerts: its value, threshold and how long the breach held.
fn alert_reason(v: &Verdict) -> String {
    let what = if v.severity == Severity::Warning {
        "holding"
    } else {
        "for information"
    };
    format!(
        "watch: gate {} is {} against {} for {} ({}): {what}",
        v.gate,
        v.shown,
        v.threshold,
        v.held.clone().unwrap_or_else(|| "0s".into()),
        v.severity.name()
    )
}

/// A watch record: the stage and each gate's verdict, value and threshold.
fn record(
    ctx: &Context,
    state: &FlagState,
    stage: Option<&str>,
    action: &str,
    outcome: &str,
    reason: Option<String>,
    verdicts: &[Verdict],
) -> Event {
    Event {
        time: ctx.now,
        actor: ctx.actor.clone(),
        action: action.into(),
        flag: ctx.config.flag.clone(),
        environment: ctx.settings.environment().to_string(),
        from: stage.map(str::to_string),
        to: None,
        percentage: state.exists.then_some(state.percentage),
        reason,
        forced: false,
        provider: ctx.provider.kind().name().to_string(),
        outcome: outcome.into(),
        detail: None,
        id: None,
        gates: verdicts.iter().map(Verdict::seen).collect(),
    }
}
