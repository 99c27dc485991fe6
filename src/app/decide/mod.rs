//! Deciding a change, with no I/O: the facts read beforehand (the flag as the provider has it,
//! when its stage started, the gates' verdicts, the time) and the action asked for go in; a
//! [`Decision`] comes out: the refusal to return if any, the warnings to show, the question to
//! ask, the provider state to write and the event to record. Reading the provider, the journal
//! and the gates happens before (`app::engine`); carrying the decision out after
//! (`app::apply`).

mod change;
pub mod kill;

pub use change::{advance, advance_target, already_at, resume, rollback, Target};

use chrono::{DateTime, Utc};

use crate::domain::config::{Config, ProviderSettings};
use crate::domain::error::{Error, Result};
use crate::domain::event::Event;
use crate::domain::gates::Verdict;
pub use crate::domain::rules::Position;
use crate::domain::rules::{Facts, Refusal};
use crate::ports::provider::{Desired, FlagState};

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

    /// The action under way, in plain words: `advancing`, `rolling back`.
    #[must_use]
    pub fn doing(self) -> &'static str {
        match self {
            Action::Advance => "advancing",
            Action::Rollback => "rolling back",
            Action::Kill => "killing",
            Action::Resume => "resuming",
        }
    }
}

/// What a person confirms before a change: the question as asked, and the change in plain
/// words for when nobody can be asked (`resuming f at beta (25%) needs confirmation`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// `Resume f at beta (25%)?`
    pub text: String,
    /// `resuming f at beta (25%)`
    pub doing: String,
}

/// What is known when a change is decided, all read beforehand.
#[derive(Debug, Clone, Copy)]
pub struct Situation<'a> {
    pub config: &'a Config,
    /// The flag as the provider has it.
    pub state: &'a FlagState,
    /// When the current stage started (the provider's word, else the journal's).
    pub since: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
    /// Who makes the change: the event's actor.
    pub actor: &'a str,
    /// The environment the flag is changed in.
    pub settings: &'a ProviderSettings,
    /// The provider's kind name (`unleash`), for the event.
    pub provider: &'a str,
    /// Where the flag lives, for people (the provider's `describe`).
    pub place: &'a str,
    /// What the provider serves that `rollout` did not write (read by rollback and resume;
    /// an advance is given them with its gates; empty where not read).
    pub unmanaged: &'a [crate::ports::provider::Unmanaged],
    /// The scope's newest change record in the state store when the facts were read: the
    /// change is recorded only if it is still the newest (compare-and-swap).
    pub head: Option<crate::ports::state::Head>,
}

impl Situation<'_> {
    /// Where the flag stands in the stage table.
    #[must_use]
    pub fn position(&self) -> Position {
        position(self.config, self.state)
    }

    /// The rules' facts about the flag now.
    #[must_use]
    pub fn facts(&self) -> Facts<'_> {
        Facts {
            config: self.config,
            pos: self.position(),
            killed: self.state.exists && !self.state.on,
            since: self.since,
            now: self.now,
        }
    }

    /// The current stage's name: the stage, or the off-plan percentage (`beta?15%` when the
    /// provider names a stage that is not at its percentage); None before the first stage.
    #[must_use]
    pub fn current_name(&self) -> Option<String> {
        current_name(self.config, self.position(), self.state)
    }

    /// The event of `action` from `from` to `to` at the flag's percentage, not forced and with
    /// no reason (callers set what differs).
    #[must_use]
    pub fn event(
        &self,
        action: Action,
        from: Option<String>,
        to: Option<String>,
        outcome: &str,
    ) -> Event {
        Event {
            time: self.now,
            actor: self.actor.to_string(),
            action: action.name().to_string(),
            flag: self.config.flag.clone(),
            environment: self.settings.environment().to_string(),
            from,
            to,
            percentage: Some(self.state.percentage),
            reason: None,
            forced: false,
            provider: self.provider.to_string(),
            outcome: outcome.to_string(),
            detail: None,
            id: None,
            gates: Vec::new(),
            interval: None,
        }
    }
}

/// A change decided on: what to show, ask, write and record.
#[derive(Debug)]
pub struct Decision {
    pub action: Action,
    /// Shown first, in order, whether or not the change goes ahead ("also serving the flag,
    /// left alone: …", "overriding: …").
    pub warnings: Vec<String>,
    /// Why the change does not go ahead: returned after the warnings are shown.
    pub refused: Option<Error>,
    /// What a person should confirm before the change is made.
    pub question: Option<Question>,
    /// The flag as read: the write expects it unchanged.
    pub state: FlagState,
    /// What the provider is to hold after the change.
    pub desired: Desired,
    /// The record of the change as applied (`apply` completes its detail and id).
    pub event: Event,
    /// The gates of the target stage as seen before the change (advance only).
    pub verdicts: Vec<Verdict>,
    /// The state store's head the decision was made on (its situation's).
    pub after: Option<crate::ports::state::Head>,
}

/// A change before the rules are weighed against `--force`: what it is and what refuses it.
struct Proposal {
    action: Action,
    from: Option<String>,
    desired: Desired,
    refusals: Vec<Refusal>,
    verdicts: Vec<Verdict>,
    question: Option<Question>,
}

/// Weighs `proposal`'s refusals against `--force`/`--reason`: a refusal unless forced (with a
/// reason), else warnings naming what is overridden; under `--force` a question always.
fn settle(
    sit: &Situation<'_>,
    proposal: Proposal,
    over: &Override,
    mut warnings: Vec<String>,
) -> Decision {
    let Proposal {
        action,
        from,
        mut desired,
        refusals,
        verdicts,
        question,
    } = proposal;
    let forced = over.force;
    let refused = if forced && over.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        Some(Error::usage(
            "--force needs --reason TEXT: say why the rule is overridden (it is journaled)",
        ))
    } else if !refusals.is_empty() && !forced {
        Some(refusal(action, &desired.stage, &refusals, &verdicts))
    } else {
        warnings.extend(refusals.iter().map(|r| format!("overriding: {r}")));
        None
    };
    // Only a change that goes ahead says it keeps a killed flag off.
    let kept_off = keep_killed(sit, action, &mut desired).filter(|_| refused.is_none());
    if let Some(said) = &kept_off {
        warnings.push(said.clone());
    }
    let question = match (forced, question) {
        (true, Some(q)) => Some(Question {
            text: format!("{} (--force overrides the rules)", q.text),
            doing: format!("{}, overriding the rules with --force", q.doing),
        }),
        (true, None) => {
            let what = format!(
                "{} to {} ({}) with --force",
                sit.config.flag, desired.stage, desired.percentage
            );
            Some(Question {
                text: format!("{} {what}?", action.name()),
                doing: format!("{} {what}", action.doing()),
            })
        }
        (false, q) => q,
    };
    let mut event = sit.event(action, from, Some(desired.stage.clone()), "applied");
    event.percentage = Some(desired.percentage);
    event.reason.clone_from(&over.reason);
    event.forced = forced;
    event.gates = verdicts.iter().map(Verdict::seen).collect();
    event.detail = kept_off;
    Decision {
        action,
        warnings,
        refused,
        question,
        state: sit.state.clone(),
        desired,
        event,
        verdicts,
        after: sit.head,
    }
}

/// A kill stays killed until `resume`: a (forced) advance or rollback of a killed flag moves
/// the stage that `resume` restores and leaves the flag off. Returns what to say so (a warning,
/// and the event's detail) when it does.
fn keep_killed(sit: &Situation<'_>, action: Action, desired: &mut Desired) -> Option<String> {
    let killed = sit.state.exists && !sit.state.on;
    if !killed || !matches!(action, Action::Advance | Action::Rollback) {
        return None;
    }
    desired.on = false;
    desired.killed_at = sit.state.killed_at.or(Some(sit.now));
    Some(format!(
        "{} is killed and stays off: this moves the stage `rollout resume` turns it on at to {} ({})",
        sit.config.flag, desired.stage, desired.percentage
    ))
}

/// The error of a refused change: the rules that refuse it, how many gates failed, and every
/// gate's verdict under it.
fn refusal(action: Action, stage: &str, refusals: &[Refusal], verdicts: &[Verdict]) -> Error {
    let said: Vec<String> = refusals
        .iter()
        .filter(|r| !matches!(r, Refusal::Gate(_)))
        .map(ToString::to_string)
        .collect();
    let failing = refusals.len() - said.len();
    let mut message = format!("{} refused: ", action.name());
    if said.is_empty() {
        message.push_str(&format!(
            "{failing} gate{} of {stage} did not pass",
            if failing == 1 { "" } else { "s" },
        ));
    } else {
        message.push_str(&said.join("; "));
        if failing > 0 {
            message.push_str(&format!("; and {failing} gate(s) did not pass"));
        }
    }
    message.push_str(&gates_text(stage, verdicts));
    Error::refused(message)
        .with_hint("nothing was changed; to override, pass --force --reason TEXT")
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

/// Where the flag in `state` stands in the stage table.
#[must_use]
pub fn position(config: &Config, state: &FlagState) -> Position {
    crate::domain::rules::position(config, state.exists, state.percentage)
}

/// The name of where the flag is: the stage at `pos`, or the percentage off the plan.
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

/// The provider state of stage `index`, started at `since`: its percentage and the audience of
/// it and every earlier stage.
fn desired_at(config: &Config, index: usize, since: DateTime<Utc>) -> Desired {
    let stage = &config.stages[index];
    let (users, groups) = config.cumulative_audience(index);
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

/// A target stage by name, or the config's error naming the stages.
fn stage_index(config: &Config, name: &str) -> Result<usize> {
    config
        .stage_index(name)
        .ok_or_else(|| config.unknown_stage(name))
}

#[cfg(test)]
mod tests;
