//! The stage engine: where the flag is in the plan, which change is asked for, the rules that
//! may refuse it, and applying it (provider write, journal, notifications).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::adapters::gates::Verdict;
use crate::adapters::journal::{self, Event};
use crate::adapters::provider::{Desired, FlagState, Note};
use crate::app::context::Context;
use crate::domain::config::Config;
use crate::domain::error::{Error, Kind, Result};
pub use crate::domain::rules::Position;

/// Where the flag in `state` stands in the stage table.
#[must_use]
pub fn position(config: &Config, state: &FlagState) -> Position {
    crate::domain::rules::position(config, state.exists, state.percentage)
}

/// `--force` and `--reason`, as given.
#[derive(Debug, Clone, Default)]
pub struct Override {
    pub force: bool,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Advance,
    Rollback,
    Kill,
    Resume,
}

impl Action {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Action::Advance => "advance",
            Action::Rollback => "rollback",
            Action::Kill => "kill",
            Action::Resume => "resume",
        }
    }
}

/// What a run did, for printing.
pub struct Outcome {
    pub event: Event,
    pub state: Option<FlagState>,
    pub dry_run: bool,
    /// Under `--dry-run`: the requests that would have been sent.
    pub requests: Vec<crate::adapters::provider::Request>,
    /// The gates of the target stage as seen before the change (advance only).
    pub verdicts: Vec<Verdict>,
}

/// Reads when the stage started and when the flag was killed from the provider's own log, where
/// it keeps one apart from the flag (Unleash's event log), so every machine sees the same soak.
/// A log that cannot be read is a warning: the journal still answers.
pub async fn add_times(ctx: &Context, state: &mut FlagState) {
    if let Err(e) = ctx.provider.add_times(state).await {
        ctx.out.warn(&format!(
            "cannot read the provider's event log, so times come from the local journal: {}",
            e.message
        ));
    }
}

/// When the current stage started: the provider's word, else the journal's last move to it.
pub fn stage_since(ctx: &Context, state: &FlagState) -> Option<DateTime<Utc>> {
    state.since.or_else(|| {
        let stage = state.stage.as_deref()?;
        crate::adapters::journal_tail::last_move_to(
            &ctx.config.dir,
            &ctx.config.flag,
            ctx.settings.environment(),
            stage,
        )
        .map(|e| e.time)
    })
}

pub use crate::domain::rules::{planned_start, soak_end};

/// The rules' facts about the flag now.
#[must_use]
pub fn facts<'a>(
    ctx: &'a Context,
    state: &FlagState,
    pos: Position,
) -> crate::domain::rules::Facts<'a> {
    crate::domain::rules::Facts {
        config: &ctx.config,
        pos,
        killed: state.exists && !state.on,
        since: stage_since(ctx, state),
        now: ctx.now,
    }
}

/// One look at the gates of stage `index` (none before the first stage). `tracker` carries
/// `for:` between looks; a fresh one makes this look a breach's first.
pub async fn look(
    ctx: &Context,
    index: Option<usize>,
    since: Option<DateTime<Utc>>,
    tracker: &mut crate::adapters::gates::Tracker,
) -> Vec<Verdict> {
    look_during(ctx, index, index, since, tracker).await
}

/// One look at the gates of stage `index` while the traffic since `since` follows stage
/// `traffic` (the flag's current stage: `advance` and `status` judge the next stage's gates on
/// it). A compare gate checks the split of requests against `traffic`'s percentage, unless
/// that stage's audience also names users or groups (then the share of `on` is not known).
pub async fn look_during(
    ctx: &Context,
    index: Option<usize>,
    traffic: Option<usize>,
    since: Option<DateTime<Utc>>,
    tracker: &mut crate::adapters::gates::Tracker,
) -> Vec<Verdict> {
    let Some(index) = index else {
        return Vec::new();
    };
    let gates = ctx.config.stage_gates(index);
    if gates.is_empty() {
        return Vec::new();
    }
    let percentage = traffic.and_then(|t| on_share(ctx, t));
    let env = ctx.gate_env(since, percentage);
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

fn desired_at(ctx: &Context, index: usize, since: DateTime<Utc>) -> Desired {
    let stage = &ctx.config.stages[index];
    let (users, groups) = ctx.config.cumulative_audience(index);
    Desired {
        on: true,
        stage: stage.name.clone(),
        percentage: stage.percentage,
        users,
        groups,
        since,
        killed_at: None,
    }
}

fn current_name(config: &Config, pos: Position, state: &FlagState) -> Option<String> {
    match pos {
        Position::NotStarted => None,
        Position::At(i) => Some(config.stages[i].name.clone()),
        Position::OffPlan { .. } => Some(state.stage.clone().map_or_else(
            || state.percentage.to_string(),
            |s| format!("{s}?{}", state.percentage),
        )),
    }
}

pub async fn advance(ctx: &Context, target: Option<&str>, over: &Override) -> Result<Outcome> {
    let mut state = ctx.provider.read().await?;
    // The stage's start matters for the soak rule; under --force every rule is overridden, so
    // the provider's log is not read and the local journal dates the stage (issue 13: the
    // fewest requests).
    if !over.force {
        add_times(ctx, &mut state).await;
    }
    let config = &ctx.config;
    let pos = position(config, &state);
    let to = match target {
        Some(name) => config
            .stage_index(name)
            .ok_or_else(|| config.unknown_stage(name))?,
        None => pos.next(config).ok_or_else(|| {
            Error::refused(format!(
                "{} is already at the last stage ({})",
                config.flag,
                config.stages.last().map_or("", |s| s.name.as_str())
            ))
        })?,
    };
    match pos {
        Position::At(i) if i == to => {
            return Err(Error::refused(format!(
                "{} is already at {}; nothing to do",
                config.flag, config.stages[to].name
            )));
        }
        Position::At(i) if to < i => {
            return Err(Error::refused(format!(
                "{} is behind the current stage {}",
                config.stages[to].name, config.stages[i].name
            ))
            .with_hint(format!(
                "to go back, run `rollout rollback {}`",
                config.stages[to].name
            )));
        }
        Position::OffPlan { below: Some(b) } if to <= b => {
            return Err(Error::refused(format!(
                "{} is below the current {}",
                config.stages[to].name, state.percentage
            ))
            .with_hint(format!(
                "to go back, run `rollout rollback {}`",
                config.stages[to].name
            )));
        }
        _ => {}
    }
    let facts = facts(ctx, &state, pos);
    let mut tracker = crate::adapters::gates::Tracker::default();
    let current = match pos {
        Position::At(i) => Some(i),
        _ => None,
    };
    let verdicts = look_during(ctx, Some(to), current, facts.since, &mut tracker).await;
    let mut refusals = crate::domain::rules::advance(&facts, to);
    refusals.extend(crate::domain::rules::gates(&verdicts));
    // Strategies rollout does not manage: one serving users with no constraint makes the
    // stage's percentage untrue, so advancing past it is refused until it is removed.
    let unmanaged = ctx.provider.unmanaged(&state);
    for u in unmanaged.iter().filter(|u| !u.widens) {
        ctx.out
            .warn(&format!("also serving the flag, left alone: {}", u.text));
    }
    refusals.extend(crate::domain::rules::unmanaged(
        unmanaged
            .iter()
            .filter(|u| u.widens)
            .map(|u| u.text.as_str()),
        &ctx.provider.describe(),
    ));
    let desired = desired_at(ctx, to, ctx.now);
    let last = to + 1 == config.stages.len() || config.stages[to].percentage.weight() == 100_000;
    let question = last.then(|| {
        format!(
            "Advance {} to {} ({}) for everyone?",
            config.flag, desired.stage, desired.percentage
        )
    });
    let from = current_name(config, pos, &state);
    apply(
        ctx,
        Action::Advance,
        &state,
        from,
        desired,
        &refusals,
        &verdicts,
        question,
        over,
    )
    .await
}

pub async fn rollback(ctx: &Context, target: Option<&str>, over: &Override) -> Result<Outcome> {
    let state = ctx.provider.read().await?;
    let config = &ctx.config;
    let pos = position(config, &state);
    let below = match pos {
        Position::NotStarted => {
            return Err(Error::refused(format!(
                "{} has not been rolled out; nothing to roll back",
                config.flag
            )));
        }
        Position::At(i) => i.checked_sub(1),
        Position::OffPlan { below } => below,
    };
    let to = match target {
        Some(name) => {
            let t = config
                .stage_index(name)
                .ok_or_else(|| config.unknown_stage(name))?;
            if below.is_none_or(|b| t > b) {
                return Err(Error::refused(format!(
                    "{} is not below the current stage {}",
                    name,
                    current_name(config, pos, &state).unwrap_or_default()
                ))
                .with_hint(format!("to go forward, run `rollout advance {name}`")));
            }
            t
        }
        None => below.ok_or_else(|| {
            Error::refused(format!(
                "{} is at the first stage; there is no stage to roll back to",
                config.flag
            ))
            .with_hint("to turn it off for everyone, run `rollout kill`")
        })?,
    };
    let refusals = crate::domain::rules::rollback(&facts(ctx, &state, pos));
    let desired = desired_at(ctx, to, ctx.now);
    let from = current_name(config, pos, &state);
    apply(
        ctx,
        Action::Rollback,
        &state,
        from,
        desired,
        &refusals,
        &[],
        None,
        over,
    )
    .await
}

pub async fn resume(ctx: &Context, over: &Override) -> Result<Outcome> {
    let state = ctx.provider.read().await?;
    let config = &ctx.config;
    if !state.exists || state.on {
        return Err(Error::refused(format!(
            "{} is not killed; nothing to resume",
            config.flag
        )));
    }
    let pos = position(config, &state);
    let name = current_name(config, pos, &state).unwrap_or_default();
    // The same stage for the same users: percentage and audience exactly as they were at the kill.
    let desired = Desired {
        on: true,
        stage: state.stage.clone().unwrap_or_else(|| name.clone()),
        percentage: state.percentage,
        users: state.users.clone(),
        groups: state.groups.clone(),
        since: ctx.now,
        killed_at: None,
    };
    let question = Some(format!(
        "Resume {} at {} ({})?",
        config.flag, name, state.percentage
    ));
    apply(
        ctx,
        Action::Resume,
        &state,
        Some(name),
        desired,
        &[],
        &[],
        question,
        over,
    )
    .await
}

/// The kill switch: never asks, never checks rules, and needs nothing but the ability to turn
/// the flag off (a stored value it cannot read does not stop it). It reads the flag, sends the
/// off, and reads it back until `--timeout`: the read-back decides what is reported, so an off
/// that was applied is a kill (journaled, notified) even when its answer was lost, and a give-up
/// names the last cause and whether the flag was last seen on, off, or never read.
pub async fn kill(ctx: &Context, reason: Option<String>) -> Result<Outcome> {
    let config = &ctx.config;
    let deadline = tokio::time::Instant::now() + ctx.args.timeout;
    // The flag as first read: the kill's `from`.
    let mut before: Option<FlagState> = None;
    // An off was sent; how its answer went (None: answered).
    let mut sent: Option<Option<String>> = None;
    let mut seen = "was never read, so whether it is off is unknown";
    // The flag read back on after the last off was sent: that off did not take.
    let mut on_after_off = false;
    // What the provider said about the off it applied (a revision), for the journal.
    let mut applied_detail: Option<String> = None;
    // The kill's intent record, journaled before the first off is sent (nothing is applied
    // without a record); completed by the read-back, or on giving up.
    let mut pending: Option<crate::app::intent::Pending> = None;
    let mut last: Option<Error> = None;
    let mut pause = Duration::from_millis(100);
    let mut failed_reads = 0u32;
    let no_answer = || {
        Error::provider(format!(
            "no answer from the provider within {}",
            crate::domain::clock::span(ctx.args.timeout)
        ))
    };
    loop {
        let state = match tokio::time::timeout_at(deadline, ctx.provider.read_for_kill()).await {
            Ok(Ok(state)) => state,
            Ok(Err(e)) if e.permanent || !matches!(e.kind, Kind::Provider | Kind::Conflict) => {
                return Err(e);
            }
            Ok(Err(e)) => {
                // An answer that was no flag (an HTML page): read again, within the deadline.
                let why = e
                    .message
                    .strip_suffix("; nothing was changed")
                    .unwrap_or(&e.message);
                failed_reads += 1;
                ctx.out.warn(&format!(
                    "kill attempt {failed_reads} failed: {why}; retrying"
                ));
                last = Some(e);
                if tokio::time::Instant::now() + pause >= deadline {
                    break;
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(1));
                continue;
            }
            Err(_) => {
                last = Some(no_answer());
                break;
            }
        };
        let on = state.exists && state.on;
        on_after_off = on && sent.is_some();
        seen = if on {
            "was last seen ON (still serving)"
        } else {
            "was last seen off"
        };
        if before.is_none() && ctx.args.dry_run {
            return kill_once(ctx, state, reason).await;
        }
        let first = before.get_or_insert_with(|| state.clone()).clone();
        if !on {
            return killed(ctx, &first, state, reason, sent, pending, applied_detail).await;
        }
        if tokio::time::Instant::now() >= deadline {
            break;
        }
        if sent.is_some() {
            ctx.out.warn(&format!(
                "{} reads back as on after an off was sent; sending it again",
                config.flag
            ));
            // A server that keeps dropping the off is not hammered.
            if tokio::time::Instant::now() + pause >= deadline {
                break;
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(1));
        }
        let (desired, note, mut intent) = kill_request(ctx, &state, reason.clone());
        if pending.is_none() {
            pending = Some(crate::app::intent::Pending::begin(ctx, &mut intent)?);
        }
        // The off may retry, but leaves one attempt's time to read the flag back: an off
        // whose answers are all lost is still seen applied.
        let reserve =
            crate::adapters::http_client::Policy::for_deadline(ctx.args.timeout).attempt_timeout;
        let now = tokio::time::Instant::now();
        let write_by = if now + reserve * 2 <= deadline {
            deadline - reserve
        } else {
            deadline
        };
        on_after_off = false;
        match tokio::time::timeout_at(write_by, ctx.provider.apply(&state, &desired, &note)).await {
            Ok(Ok(written)) => {
                sent = Some(None);
                // As every applied change journals it: the provider's note, else its revision.
                applied_detail = written
                    .detail
                    .clone()
                    .or_else(|| written.revision.map(|rev| format!("revision {rev}")));
                // A write whose answer is the flag as it now is (LaunchDarkly's patch, the
                // http PUT: `read_at` set) is the read-back already: reading again tells nothing
                // more.
                if written.read_at.is_some() && !(written.exists && written.on) {
                    let first = before.clone().unwrap_or_else(|| state.clone());
                    return killed(ctx, &first, written, reason, sent, pending, applied_detail)
                        .await;
                }
            }
            Ok(Err(e)) if e.permanent || !matches!(e.kind, Kind::Provider | Kind::Conflict) => {
                return Err(e);
            }
            Ok(Err(e)) => {
                // It may have been applied: the read-back tells.
                sent = Some(Some(e.message.clone()));
                last = Some(e);
            }
            Err(_) => {
                sent = Some(Some(no_answer().message));
                last = Some(no_answer());
            }
        }
    }
    if let Some(mut p) = pending {
        // An off was sent and not seen applied: read back on after it, it failed; otherwise
        // it may land yet.
        p.give_up(on_after_off, seen);
    }
    let cause = last.map_or_else(|| no_answer().message, |e| e.message);
    let cause = cause
        .strip_suffix("; nothing was changed")
        .unwrap_or(&cause)
        .to_string();
    let sent_text = match &sent {
        None => "no off was sent".to_string(),
        Some(None) => "an off was sent and answered".to_string(),
        Some(Some(_)) => "an off was sent but never confirmed".to_string(),
    };
    let hint = if seen.contains("ON") {
        format!(
            "the flag is still on: run `rollout kill` again, or turn {} off{} by hand in {}",
            config.flag,
            ctx.settings.in_environment(),
            ctx.provider.describe()
        )
    } else {
        format!(
            "run `rollout status` to see whether it is off; if not, turn {} off{} by hand in {}",
            config.flag,
            ctx.settings.in_environment(),
            ctx.provider.describe()
        )
    };
    Err(Error::provider(format!(
        "{} could not be killed within {}: {cause}; {sent_text}; the flag {seen}",
        config.flag,
        crate::domain::clock::span(ctx.args.timeout),
    ))
    .with_hint(hint))
}

/// The desired state and note of a kill from `state`.
fn kill_request(
    ctx: &Context,
    state: &FlagState,
    reason: Option<String>,
) -> (Desired, Note, Event) {
    let pos = position(&ctx.config, state);
    let from = current_name(&ctx.config, pos, state);
    let desired = Desired {
        on: false,
        stage: state.stage.clone().or(from.clone()).unwrap_or_default(),
        percentage: state.percentage,
        users: state.users.clone(),
        groups: state.groups.clone(),
        since: state.since.unwrap_or(ctx.now),
        killed_at: Some(ctx.now),
    };
    let ev = event(
        ctx,
        Action::Kill,
        from,
        Some(desired.stage.clone()),
        state,
        reason,
        false,
        "applied",
    );
    let note = Note {
        text: ev.summary(),
        actor: ctx.actor.clone(),
    };
    (desired, note, ev)
}

/// The flag reads back off: a kill this run applied (journaled `applied`, notified), or one it
/// found already done (`already-off`).
async fn killed(
    ctx: &Context,
    first: &FlagState,
    back: FlagState,
    reason: Option<String>,
    sent: Option<Option<String>>,
    pending: Option<crate::app::intent::Pending<'_>>,
    applied_detail: Option<String>,
) -> Result<Outcome> {
    let config = &ctx.config;
    let pos = position(config, first);
    let from = current_name(config, pos, first);
    let Some(answer) = sent else {
        let event = event(
            ctx,
            Action::Kill,
            from.clone(),
            from,
            &back,
            reason,
            false,
            "already-off",
        );
        journal::append(&config.dir, &event)?;
        return Ok(Outcome {
            event,
            state: Some(back),
            dry_run: false,
            requests: Vec::new(),
            verdicts: Vec::new(),
        });
    };
    let to = first.stage.clone().or(from.clone());
    let (from, to) = match &first.detail {
        // The percentage could not be read (say "150" typed in the UI): the stage name alone.
        Some(_) => (first.stage.clone(), first.stage.clone()),
        None => (from, to),
    };
    let mut ev = event(ctx, Action::Kill, from, to, first, reason, false, "applied");
    if let Some(unreadable) = &first.detail {
        ev.percentage = None;
        ev.detail = Some(unreadable.clone());
    }
    if let Some(lost) = answer {
        let detail = format!(
            "the off was never confirmed ({lost}); the flag read back off, so it was applied"
        );
        ctx.out.warn(&detail);
        ev.detail = Some(detail);
    } else if ev.detail.is_none() {
        ev.detail = applied_detail;
    }
    // The outcome record completes the intent journaled before the first off.
    match pending {
        Some(mut p) => {
            ev.id = p.id();
            p.complete(&ev)?;
            let wait = ctx.args.timeout.min(Duration::from_secs(5));
            crate::adapters::notify::send_all(&config.notify, &ev, wait, &ctx.log).await;
            p.stop_if_interrupted()?;
        }
        None => {
            journal::append(&config.dir, &ev)?;
            let wait = ctx.args.timeout.min(Duration::from_secs(5));
            crate::adapters::notify::send_all(&config.notify, &ev, wait, &ctx.log).await;
        }
    }
    Ok(Outcome {
        event: ev,
        state: Some(back),
        dry_run: false,
        requests: Vec::new(),
        verdicts: Vec::new(),
    })
}

/// `kill --dry-run`: what a kill of `state` would send.
async fn kill_once(ctx: &Context, state: FlagState, reason: Option<String>) -> Result<Outcome> {
    let config = &ctx.config;
    let pos = position(config, &state);
    let from = current_name(config, pos, &state);
    if !state.exists || !state.on {
        let event = event(
            ctx,
            Action::Kill,
            from.clone(),
            from,
            &state,
            reason,
            false,
            "already-off",
        );
        return Ok(Outcome {
            event,
            state: Some(state),
            dry_run: ctx.args.dry_run,
            requests: Vec::new(),
            verdicts: Vec::new(),
        });
    }
    let (desired, _, _) = kill_request(ctx, &state, reason.clone());
    let over = Override {
        force: false,
        reason,
    };
    apply(
        ctx,
        Action::Kill,
        &state,
        from,
        desired,
        &[],
        &[],
        None,
        &over,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
fn event(
    ctx: &Context,
    action: Action,
    from: Option<String>,
    to: Option<String>,
    state: &FlagState,
    reason: Option<String>,
    forced: bool,
    outcome: &str,
) -> Event {
    Event {
        time: ctx.now,
        actor: ctx.actor.clone(),
        action: action.name().to_string(),
        flag: ctx.config.flag.clone(),
        environment: ctx.settings.environment().to_string(),
        from,
        to,
        percentage: Some(state.percentage),
        reason,
        forced,
        provider: ctx.provider.kind().name().to_string(),
        outcome: outcome.to_string(),
        detail: None,
        id: None,
        gates: Vec::new(),
    }
}

/// Checks refusals against `--force`/`--reason`, asks where a person should confirm, then writes,
/// journals and notifies (or, under `--dry-run`, shows what it would do).
#[allow(clippy::too_many_arguments)]
async fn apply(
    ctx: &Context,
    action: Action,
    state: &FlagState,
    from: Option<String>,
    desired: Desired,
    refusals: &[crate::domain::rules::Refusal],
    verdicts: &[Verdict],
    question: Option<String>,
    over: &Override,
) -> Result<Outcome> {
    let forced = over.force;
    if forced && over.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(Error::usage(
            "--force needs --reason TEXT: say why the rule is overridden (it is journaled)",
        ));
    }
    if !refusals.is_empty() && !forced {
        let said: Vec<String> = refusals
            .iter()
            .filter(|r| !matches!(r, crate::domain::rules::Refusal::Gate(_)))
            .map(ToString::to_string)
            .collect();
        let failing = refusals.len() - said.len();
        let mut message = format!("{} refused: ", action.name());
        if said.is_empty() {
            message.push_str(&format!(
                "{failing} gate{} of {} did not pass",
                if failing == 1 { "" } else { "s" },
                desired.stage
            ));
        } else {
            message.push_str(&said.join("; "));
            if failing > 0 {
                message.push_str(&format!("; and {failing} gate(s) did not pass"));
            }
        }
        message.push_str(&gates_text(&desired.stage, verdicts));
        let mut err = Error::refused(message);
        err = err.with_hint("nothing was changed; to override, pass --force --reason TEXT");
        return Err(err);
    }
    for r in refusals {
        ctx.out.warn(&format!("overriding: {r}"));
    }
    let question = match (forced, question) {
        (true, Some(q)) => Some(format!("{q} (--force overrides the rules)")),
        (true, None) => Some(format!(
            "{} {} with --force?",
            action.name(),
            ctx.config.flag
        )),
        (false, q) => q,
    };
    if let (Some(q), false) = (&question, ctx.args.dry_run) {
        crate::interface::confirm::confirm(q, ctx.args.yes)?;
    }
    let to = Some(desired.stage.clone());
    let after = FlagState {
        percentage: desired.percentage,
        ..state.clone()
    };
    let mut ev = event(
        ctx,
        action,
        from,
        to,
        &after,
        over.reason.clone(),
        forced,
        "applied",
    );
    ev.gates = verdicts.iter().map(Verdict::seen).collect();
    let note = Note {
        text: ev.summary(),
        actor: ctx.actor.clone(),
    };
    if ctx.args.dry_run {
        ev.outcome = "dry-run".into();
        let requests = ctx.provider.plan(state, &desired, &note);
        show_dry_run(ctx, &requests, &ev);
        return Ok(Outcome {
            event: ev,
            state: None,
            dry_run: true,
            requests,
            verdicts: verdicts.to_vec(),
        });
    }
    for r in ctx.provider.plan(state, &desired, &note) {
        ctx.out.debug(&format!(
            "{} {} {}",
            r.method,
            r.url,
            r.body.map(|b| b.to_string()).unwrap_or_default()
        ));
    }
    // Journaled before the write, completed after: nothing is applied without a record.
    let mut pending = crate::app::intent::Pending::begin(ctx, &mut ev)?;
    let written = pending.write(state, &desired, &note).await?;
    // A kill never writes through here (engine::kill does its own read-back); only its
    // --dry-run passes, and returns above.
    if let Some(detail) = written.detail.clone() {
        ctx.out.warn(&detail);
        ev.detail = Some(detail);
    } else if let Some(rev) = written.revision {
        ev.detail = Some(format!("revision {rev}"));
    }
    pending.complete(&ev)?;
    let wait = ctx.args.timeout.min(Duration::from_secs(10));
    crate::adapters::notify::send_all(&ctx.config.notify, &ev, wait, &ctx.log).await;
    pending.stop_if_interrupted()?;
    Ok(Outcome {
        event: ev,
        state: Some(written),
        dry_run: false,
        requests: Vec::new(),
        verdicts: verdicts.to_vec(),
    })
}

/// Every gate's verdict, as lines under the refusal: `gates of beta:` then one line each.
#[must_use]
pub fn gates_text(stage: &str, verdicts: &[Verdict]) -> String {
    if verdicts.is_empty() {
        return String::new();
    }
    let mut s = format!("\ngates of {stage}:");
    for v in verdicts {
        s.push_str("\n  ");
        s.push_str(&v.line());
    }
    s
}

fn show_dry_run(ctx: &Context, requests: &[crate::adapters::provider::Request], ev: &Event) {
    let notify: Vec<Value> = ctx
        .config
        .notify
        .iter()
        .map(|t| json!({"method": "POST", "url": t.label(), "body": crate::adapters::notify::payload(ev)}))
        .collect();
    if ctx.out.json {
        return;
    }
    ctx.out.data("dry run: nothing was changed. It would send:");
    for r in requests {
        ctx.out.data(&format!("  {} {}", r.method, r.url));
        for (name, value) in &r.headers {
            ctx.out.data(&format!("    {name}: {value}"));
        }
        if let Some(body) = &r.body {
            ctx.out.data(&indent(
                &serde_json::to_string_pretty(body).unwrap_or_default(),
                4,
            ));
        }
    }
    for n in &notify {
        ctx.out
            .data(&format!("  POST {}", n["url"].as_str().unwrap_or_default()));
    }
    ctx.out.data("and record:");
    ctx.out.data(&indent(
        &serde_json::to_string_pretty(ev).unwrap_or_default(),
        4,
    ));
}

/// The `--json` document for a change.
#[must_use]
pub fn outcome_json(ctx: &Context, outcome: &Outcome) -> Value {
    let doc = crate::interface::json_out::rollout::Change {
        action: &outcome.event.action,
        dry_run: outcome.dry_run,
        event: &outcome.event,
        requests: outcome.dry_run.then_some(outcome.requests.as_slice()),
        notify: outcome
            .dry_run
            .then(|| ctx.config.notify.iter().map(|t| t.label()).collect()),
    };
    serde_json::to_value(&doc).unwrap_or_default()
}

fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
