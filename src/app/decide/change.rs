//! The stage changes asked for by a person: advance, rollback and resume.

use crate::domain::config::Config;
use crate::domain::error::{Error, Result};
use crate::domain::event::Event;
use crate::domain::gates::Verdict;
use crate::ports::provider::{Desired, FlagState, Unmanaged};

use super::{
    desired_at, settle, stage_index, Action, Decision, Override, Position, Proposal, Question,
    Situation,
};

/// Where an advance goes, decided before the target's gates are looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A move to this stage.
    Stage(usize),
    /// The named stage is where the flag already is, on: nothing to do (a re-run succeeds).
    Already(usize),
}

/// The stage an advance goes to: `target`, else the next one. A flag that is on at the named
/// stage is [`Target::Already`] there; refused when the flag is killed at it, past it, or at the
/// last stage. A `forced` advance must name its stage (a usage error otherwise): "the next one"
/// under `--force` moves one stage per run whatever happened in between, so two operators
/// forcing at once moved the flag two stages.
pub fn advance_target(
    config: &Config,
    state: &FlagState,
    target: Option<&str>,
    forced: bool,
) -> Result<Target> {
    let pos = super::position(config, state);
    if forced && target.is_none() {
        let example = pos
            .next(config)
            .map_or("STAGE", |i| config.stages[i].name.as_str());
        return Err(Error::usage(
            "a forced advance must name the stage it moves to: without one, each run moves one \
             more stage",
        )
        .with_hint(format!(
            "name the stage: `rollout advance {example} --force --reason TEXT`"
        )));
    }
    let to = match target {
        Some(name) => stage_index(config, name)?,
        None => pos.next(config).ok_or_else(|| {
            Error::refused(format!(
                "{} is already at the last stage ({})",
                config.flag,
                config.stages.last().map_or("", |s| s.name.as_str())
            ))
        })?,
    };
    let back = |message: String| {
        Error::refused(message).with_hint(format!(
            "to go back, run `rollout rollback {}`",
            config.stages[to].name
        ))
    };
    match pos {
        Position::At(i) if i == to && state.on => Ok(Target::Already(to)),
        Position::At(i) if i == to => Err(Error::refused(format!(
            "{} is killed at {}; advancing to it changes nothing",
            config.flag, config.stages[to].name
        ))
        .with_hint("to turn it back on, run `rollout resume`")),
        Position::At(i) if to < i => Err(back(format!(
            "{} is behind the current stage {}",
            config.stages[to].name, config.stages[i].name
        ))),
        Position::OffPlan { below: Some(b) } if to <= b => Err(back(format!(
            "{} is below the current {}",
            config.stages[to].name, state.percentage
        ))),
        _ => Ok(Target::Stage(to)),
    }
}

/// The event of an advance to stage `at`, where the flag already is: shown, never recorded.
#[must_use]
pub fn already_at(sit: &Situation<'_>, at: usize) -> Event {
    let name = Some(sit.config.stages[at].name.clone());
    sit.event(Action::Advance, name.clone(), name, "already-at")
}

/// An advance to stage `to` (from [`advance_target`]), given the target's gates and what the
/// provider serves that `rollout` does not manage: the rules, the gates and a widening strategy
/// may refuse it; going to everyone asks first.
#[must_use]
pub fn advance(
    sit: &Situation<'_>,
    to: usize,
    verdicts: Vec<Verdict>,
    unmanaged: &[Unmanaged],
    over: &Override,
) -> Decision {
    let config = sit.config;
    let facts = sit.facts();
    let mut refusals = crate::domain::rules::advance(&facts, to);
    refusals.extend(crate::domain::rules::gates(&verdicts));
    // Strategies rollout does not manage: one serving users with no constraint makes the
    // stage's percentage untrue, so advancing past it is refused until it is removed.
    // One the write would overwrite (the flags file's hand edits) is refused the same way.
    let warnings = unmanaged
        .iter()
        .filter(|u| !u.widens && !u.overwritten)
        .map(|u| format!("also serving the flag, left alone: {}", u.text))
        .collect();
    refusals.extend(crate::domain::rules::unmanaged(
        unmanaged
            .iter()
            .filter(|u| u.widens || u.overwritten)
            .map(|u| u.text.as_str()),
        sit.place,
    ));
    let desired = desired_at(config, to, sit.now);
    let last = to + 1 == config.stages.len() || config.stages[to].percentage.weight() == 100_000;
    let question = last.then(|| {
        let what = format!(
            "{} to {} ({}) for everyone",
            config.flag, desired.stage, desired.percentage
        );
        Question {
            text: format!("Advance {what}?"),
            doing: format!("advancing {what}"),
        }
    });
    let proposal = Proposal {
        action: Action::Advance,
        from: sit.current_name(),
        desired,
        refusals,
        verdicts,
        question,
    };
    settle(sit, proposal, over, warnings)
}

/// A rollback to `target`, else the stage below the current one.
pub fn rollback(sit: &Situation<'_>, target: Option<&str>, over: &Override) -> Result<Decision> {
    let config = sit.config;
    let pos = sit.position();
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
            let t = stage_index(config, name)?;
            if below.is_none_or(|b| t > b) {
                return Err(Error::refused(format!(
                    "{} is not below the current stage {}",
                    name,
                    sit.current_name().unwrap_or_default()
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
    let proposal = Proposal {
        action: Action::Rollback,
        from: sit.current_name(),
        desired: desired_at(config, to, sit.now),
        refusals: [
            crate::domain::rules::rollback(&sit.facts()),
            overwritten(sit),
        ]
        .concat(),
        verdicts: Vec::new(),
        question: None,
    };
    Ok(settle(sit, proposal, over, Vec::new()))
}

/// Turning a killed flag back on: the same stage for the same users, exactly as at the kill.
/// `recorded` is the journal's newest applied change that set the stage (the kill, or a forced
/// move of the killed flag): where the provider no longer holds its stage (a racing write moved
/// it after the kill), that stage is resumed, and a warning says so.
pub fn resume(sit: &Situation<'_>, recorded: Option<&Event>, over: &Override) -> Result<Decision> {
    let state = sit.state;
    if !state.exists || state.on {
        return Err(Error::refused(format!(
            "{} is not killed; nothing to resume",
            sit.config.flag
        )));
    }
    let mut name = sit.current_name().unwrap_or_default();
    let mut desired = Desired {
        on: true,
        stage: state.stage.clone().unwrap_or_else(|| name.clone()),
        percentage: state.percentage,
        users: state.users.clone(),
        groups: state.groups.clone(),
        since: sit.now,
        killed_at: None,
    };
    let mut warnings = Vec::new();
    if let Some(i) = recorded_stage(sit.config, recorded) {
        let stage = &sit.config.stages[i];
        if stage.percentage != state.percentage {
            warnings.push(format!(
                "{} is killed at {} in {}, but its kill recorded {} ({}): a write after the \
                 kill moved it; resuming at {}",
                sit.config.flag,
                state.percentage,
                sit.place,
                stage.name,
                stage.percentage,
                stage.name
            ));
            desired = super::desired_at(sit.config, i, sit.now);
            name.clone_from(&stage.name);
        }
    }
    let what = format!("{} at {} ({})", sit.config.flag, name, desired.percentage);
    let question = Some(Question {
        text: format!("Resume {what}?"),
        doing: format!("resuming {what}"),
    });
    let proposal = Proposal {
        action: Action::Resume,
        from: Some(name),
        desired,
        refusals: Vec::new(),
        verdicts: Vec::new(),
        question,
    };
    // A resume restores the flag exactly as it was killed (it has no --force): what was edited
    // in since is replaced, and said so.
    warnings.extend(
        sit.unmanaged
            .iter()
            .filter(|u| u.overwritten)
            .map(|u| format!("replacing what rollout did not write: {}", u.text)),
    );
    Ok(settle(sit, proposal, over, warnings))
}

/// What the provider serves that `rollout` did not write and this change would overwrite (the
/// flags file's hand edits): each refuses a rollback unless forced.
fn overwritten(sit: &Situation<'_>) -> Vec<crate::domain::rules::Refusal> {
    crate::domain::rules::unmanaged(
        sit.unmanaged
            .iter()
            .filter(|u| u.overwritten)
            .map(|u| u.text.as_str()),
        sit.place,
    )
}

/// The stage a journal record set, when it names a stage of the plan at its percentage.
fn recorded_stage(config: &Config, recorded: Option<&Event>) -> Option<usize> {
    let e = recorded?;
    let i = config.stage_index(e.to.as_deref()?)?;
    (e.percentage? == config.stages[i].percentage).then_some(i)
}
