//! The kill switch's decisions: what an off writes and records, what a kill that read back off
//! records, and how a kill that gave up is reported. The kill never asks and checks no rule;
//! its loop (read, off, read back) is `app::apply::kill`.

use std::time::Duration;

use crate::domain::error::Error;
use crate::domain::event::Event;
use crate::ports::provider::{Desired, Note};

use super::{settle, Action, Decision, Override, Proposal, Situation};

/// The off of the flag in `sit`: the same stage for the same users, off, killed now; the note
/// the provider keeps with it and the event it records.
#[must_use]
pub fn off(sit: &Situation<'_>, reason: Option<String>) -> (Desired, Note, Event) {
    let state = sit.state;
    let from = sit.current_name();
    let desired = Desired {
        on: false,
        stage: state.stage.clone().or(from.clone()).unwrap_or_default(),
        percentage: state.percentage,
        users: state.users.clone(),
        groups: state.groups.clone(),
        since: state.since.unwrap_or(sit.now),
        killed_at: Some(sit.now),
    };
    let mut ev = sit.event(Action::Kill, from, Some(desired.stage.clone()), "applied");
    ev.reason = reason;
    let note = Note {
        text: ev.summary(),
        actor: sit.actor.to_string(),
    };
    (desired, note, ev)
}

/// `kill --dry-run` of a flag that is on: the off it would send, as a decision to plan.
#[must_use]
pub fn planned(sit: &Situation<'_>, reason: Option<String>) -> Decision {
    let (desired, _, _) = off(sit, reason.clone());
    let proposal = Proposal {
        action: Action::Kill,
        from: sit.current_name(),
        desired,
        refusals: Vec::new(),
        verdicts: Vec::new(),
        question: None,
    };
    let over = Override {
        force: false,
        reason,
    };
    settle(sit, proposal, &over, Vec::new())
}

/// A flag found off (`sit` as first read, `back` as last read): nothing to kill.
#[must_use]
pub fn already_off(sit: &Situation<'_>, back: &Situation<'_>, reason: Option<String>) -> Event {
    let from = sit.current_name();
    let mut ev = back.event(Action::Kill, from.clone(), from, "already-off");
    ev.reason = reason;
    ev
}

/// How the off a kill sent was answered.
#[derive(Debug, Clone)]
pub enum Sent {
    /// The provider answered it; with what it said (a revision), for the journal.
    Answered(Option<String>),
    /// Its answer was lost (why); the flag read back off, so it was applied.
    Lost(String),
}

/// The event of a kill this run applied, `sit` being the flag as first read; and the warning
/// to show when the off's answer was lost.
#[must_use]
pub fn applied(sit: &Situation<'_>, reason: Option<String>, sent: Sent) -> (Event, Option<String>) {
    let first = sit.state;
    let from = sit.current_name();
    let to = first.stage.clone().or(from.clone());
    let (from, to) = match &first.detail {
        // The percentage could not be read (say "150" typed in the UI): the stage name alone.
        Some(_) => (first.stage.clone(), first.stage.clone()),
        None => (from, to),
    };
    let mut ev = sit.event(Action::Kill, from, to, "applied");
    ev.reason = reason;
    if let Some(unreadable) = &first.detail {
        ev.percentage = None;
        ev.detail = Some(unreadable.clone());
    }
    let mut warning = None;
    match sent {
        Sent::Lost(lost) => {
            let detail = format!(
                "the off was never confirmed ({lost}); the flag read back off, so it was applied"
            );
            warning = Some(detail.clone());
            ev.detail = Some(detail);
        }
        Sent::Answered(said) => {
            if ev.detail.is_none() {
                ev.detail = said;
            }
        }
    }
    (ev, warning)
}

/// What a kill that gave up knows: why, what it sent, what it last saw.
#[derive(Debug, Clone, Copy)]
pub struct GaveUp<'a> {
    pub flag: &'a str,
    /// ` in production`, or nothing where the provider has no environments.
    pub in_environment: &'a str,
    /// Where the flag lives, for people (the provider's `describe`).
    pub place: &'a str,
    /// The last cause (an error's message).
    pub cause: &'a str,
    /// `no off was sent`, `an off was sent and answered`, `an off was sent but never confirmed`.
    pub sent: &'a str,
    /// `was last seen ON (still serving)`, `was last seen off`, or never read.
    pub seen: &'a str,
    /// `--timeout`.
    pub timeout: Duration,
}

/// The error of a kill that could not be confirmed within `--timeout`, with what to do next.
#[must_use]
pub fn gave_up(why: &GaveUp<'_>) -> Error {
    let flag = why.flag;
    let cause = why
        .cause
        .strip_suffix("; nothing was changed")
        .unwrap_or(why.cause);
    let hint = if why.seen.contains("ON") {
        format!(
            "the flag is still on: run `rollout kill` again, or turn {flag} off{} by hand in {}",
            why.in_environment, why.place
        )
    } else {
        format!(
            "run `rollout status` to see whether it is off; if not, turn {flag} off{} by hand in {}",
            why.in_environment, why.place
        )
    };
    Error::provider(format!(
        "{flag} could not be killed within {}: {cause}; {}; the flag {}",
        crate::domain::clock::span(why.timeout),
        why.sent,
        why.seen,
    ))
    .with_hint(hint)
}
