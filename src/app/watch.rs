//! The watch loop's steps, one look at a time: read the flag and look at the gates of its stage
//! (journaling the look), kill on a sustained critical breach, alert once per warning or info
//! breach, and advance when the rules allow. It never prints and never asks itself: each step
//! returns what happened, warnings go to `ctx.log`, and the question before an advance is the
//! caller's `ask`. The caller paces the looks and shows them.
//!
//! A watch acts only while it holds the flag's lease ([`crate::app::lease`]): of two watches of
//! one flag, the other waits and takes over when the holder's lease expires. Whenever it takes
//! the lease, it rebuilds its gates' `for:` windows from the recorded looks
//! ([`crate::app::windows`]), so a restart, a takeover or a `--once` continues a breach.

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
use crate::domain::windows::Gap;
use crate::ports::provider::FlagState;
use crate::ports::state::{Lease, Leased};

/// A watch under way: what carries from one look to the next, and what it has done so far.
pub struct Watch {
    /// `--until`: the stage at which the watch is done.
    until: Option<usize>,
    /// `--advance`: whether the watch moves the flag on when the rules allow.
    advance: bool,
    /// `--interval`, recorded with each look.
    interval: Duration,
    /// `--once`: a look whose windows cannot be rebuilt is an error, not a fresh start.
    once: bool,
    /// Renews the lease while the watch lasts.
    keeper: crate::app::lease::Keeper,
    /// The lease was held at the last look.
    holding: bool,
    /// The tracker is not this watch's own since it (re)took the lease: it is rebuilt from the
    /// recorded looks at the next look that reaches the gates.
    stale: bool,
    /// Another run held the lease at an earlier look (a later take is a takeover).
    blocked: bool,
    /// Carries each gate's `for:` between looks.
    tracker: Tracker,
    /// The gates whose current breach has been alerted (alerted again only after a pass).
    alerted: HashSet<String>,
    /// The looks taken so far.
    pub looks: u32,
    /// What the watch did (`kill: …`, `advance: …`, `alert: …`), for its `--json`.
    pub actions: Vec<String>,
    /// Who held the flag's lease at the last look, when another run did (for its `--json`).
    pub held_by: Option<String>,
    /// When that lease ends, if it is not renewed: the watch tries again then when that comes
    /// before its next look, so a holder that died is replaced as soon as its lease lapses.
    lapses: Option<chrono::DateTime<chrono::Utc>>,
}

/// What one look found.
pub enum Look {
    /// The flag could not be read; the next look tries again.
    Unreadable(Error),
    /// Another run holds the flag's lease: this watch does not act.
    Busy(Lease),
    /// The lease (or, under `--once`, the recorded looks) could not be had from the store; the
    /// next look tries again.
    NoStore(Error),
    /// The flag is killed: the watch stops.
    Killed,
    /// The flag is at stage `index`, at or past `--until`: the watch is done.
    Reached(usize),
    /// The gates were looked at (and the look journaled).
    Seen(Box<Seen>),
}

/// A look at the gates of the flag's stage.
pub struct Seen {
    pub state: FlagState,
    /// The stage the flag is at (None before the first stage or off the plan).
    pub stage: Option<String>,
    pub verdicts: Vec<Verdict>,
    /// The next stage and what the rules still wait for (None at the last stage).
    next: Option<Next>,
    /// The windows were rebuilt at this look (the watch took the lease), and the last recorded
    /// look was too long ago: they start again.
    pub gap: Option<Gap>,
    /// The watch took the lease at this look after another holder's lapsed or was given up.
    pub took_over: bool,
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

/// How a watch runs: `--until`, `--advance`, `--interval`, `--once`.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub until: Option<usize>,
    pub advance: bool,
    pub interval: Duration,
    pub once: bool,
}

impl Watch {
    #[must_use]
    pub fn new(plan: Plan) -> Watch {
        Watch {
            until: plan.until,
            advance: plan.advance,
            interval: plan.interval,
            once: plan.once,
            keeper: crate::app::lease::Keeper::default(),
            holding: false,
            stale: true,
            blocked: false,
            tracker: Tracker::default(),
            alerted: HashSet::new(),
            looks: 0,
            actions: Vec::new(),
            held_by: None,
            lapses: None,
        }
    }

    /// Takes (or renews) the lease, then reads the flag and, unless it is killed or at
    /// `--until`, looks at the gates of its stage and journals the look.
    pub async fn look(&mut self, ctx: &Context) -> Result<Look> {
        match self.keeper.keep(ctx).await {
            Ok(Leased::Held(_)) => {}
            Ok(Leased::Busy(other)) => {
                self.holding = false;
                self.stale = true;
                self.blocked = true;
                self.held_by = Some(other.holder.clone());
                self.lapses = Some(other.expires);
                return Ok(Look::Busy(other));
            }
            Err(e) => {
                self.holding = false;
                self.stale = true;
                return Ok(Look::NoStore(store_error(ctx, &e)));
            }
        }
        self.holding = true;
        self.held_by = None;
        self.lapses = None;
        // This watch waited for another holder (a lease that lapsed before it started is
        // simply taken).
        let took_over = std::mem::take(&mut self.blocked);
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
        let gap = match (self.stale, current) {
            (true, Some(index)) => match self.rebuild(ctx, index, facts.since).await {
                Ok(gap) => gap,
                Err(e) => return Ok(Look::NoStore(e)),
            },
            _ => None,
        };
        self.stale = false;
        let verdicts = engine::look(ctx, current, facts.since, &mut self.tracker).await;
        let stage = current.map(|i| ctx.config.stages[i].name.clone());
        let mut ev = record(
            ctx,
            &state,
            stage.as_deref(),
            "watch",
            "look",
            None,
            &verdicts,
        );
        ev.interval = Some(humantime::format_duration(self.interval).to_string());
        crate::app::record::append(ctx, &ev).await?;
        let next = crate::domain::rules::next(&facts);
        Ok(Look::Seen(Box::new(Seen {
            state,
            stage,
            verdicts,
            next,
            gap,
            took_over,
        })))
    }

    /// Rebuilds the windows from the recorded looks; under `--once` a store that cannot be read
    /// is an error, else a warning and the windows start now.
    async fn rebuild(
        &mut self,
        ctx: &Context,
        index: usize,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Option<Gap>> {
        match crate::app::windows::rebuild(ctx, index, since, self.interval).await {
            Ok(rebuilt) => {
                self.tracker = rebuilt.tracker;
                self.alerted = rebuilt.alerted.into_iter().collect();
                Ok(rebuilt.gap)
            }
            Err(e) if self.once => Err(e),
            Err(e) => {
                ctx.log
                    .warn(&format!("{}; the gates' windows start now", e.message));
                Ok(None)
            }
        }
    }

    /// Between looks: renews the lease when it is due, so it does not lapse while the watch
    /// waits for its next look. Losing it (a stall) is found at the next look.
    pub async fn renew(&mut self, ctx: &Context) {
        if !self.holding || !self.keeper.due(ctx) {
            return;
        }
        match self.keeper.keep(ctx).await {
            Ok(Leased::Held(_)) => {}
            Ok(Leased::Busy(_)) => {
                self.holding = false;
                self.stale = true;
            }
            Err(e) => ctx
                .log
                .debug(&format!("could not renew the lease: {}", e.message)),
        }
    }

    /// `--interval`.
    #[must_use]
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// How long to wait before the next look: the interval, or less while another run holds
    /// the lease and it lapses sooner (just after it does), measured from `now`.
    #[must_use]
    pub fn next_look_in(&self, now: chrono::DateTime<chrono::Utc>) -> Duration {
        let Some(lapses) = self.lapses.filter(|_| !self.holding) else {
            return self.interval;
        };
        let until = (lapses - now).to_std().unwrap_or_default() + Duration::from_millis(20);
        until.min(self.interval)
    }

    /// Whether the watch holds the lease (it renews it between looks).
    #[must_use]
    pub fn holding(&self) -> bool {
        self.holding
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
        interval: None,
    }
}

/// The store could not give the lease: named, exit 4.
fn store_error(ctx: &Context, e: &Error) -> Error {
    if e.message.starts_with("the state store ") {
        // The store's own error names it (with where it was dialled): said once.
        return Error::provider(format!(
            "could not take the lease on {}: {}",
            ctx.config.flag, e.message
        ));
    }
    Error::provider(format!(
        "could not take the lease on {} from the {} store {}: {}",
        ctx.config.flag,
        ctx.state.kind(),
        ctx.state.place(),
        e.message
    ))
}
