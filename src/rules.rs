//! The rollout rules in one place (SPEC.md "Rules"): no skipping, soak, planned start, killed,
//! and gates. Each takes the facts (where the flag is, since when, now, the gates' verdicts)
//! and returns typed refusals; it prints nothing and reads nothing. `advance`, `status`, `plan`,
//! `gates`, `watch` and checklist tasks all ask here.

use std::fmt;

use chrono::{DateTime, NaiveTime, Utc};

use crate::clock::{human, span, stamp};
use crate::config::{Config, Stage};
use crate::engine::Position;
use crate::gates::Verdict;

/// What is known about the flag when a rule is asked.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub config: &'a Config,
    pub pos: Position,
    /// The provider has the flag and it is off: killed.
    pub killed: bool,
    /// When the current stage started.
    pub since: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// Why a change is refused.
#[derive(Debug, Clone)]
pub enum Refusal {
    Killed,
    Skips {
        target: String,
        skipped: Vec<String>,
        next: String,
    },
    Soak {
        stage: String,
        duration: std::time::Duration,
        target: String,
        end: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    SoakUnknown {
        stage: String,
    },
    PlannedStart {
        target: String,
        date: chrono::NaiveDate,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    /// A critical or warning gate of the target stage that does not pass.
    Gate(Box<Verdict>),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Killed => f.write_str("the flag is killed: run `rollout resume` first"),
            Refusal::Skips {
                target,
                skipped,
                next,
            } => write!(
                f,
                "advancing to {target} would skip {}: the next stage is {next}",
                skipped.join(", ")
            ),
            Refusal::Soak {
                stage,
                duration,
                target,
                end,
                now,
            } => write!(
                f,
                "{stage} must soak {} first: {target} can start in {}, at {}",
                span(*duration),
                human(*end - *now),
                stamp(*end)
            ),
            Refusal::SoakUnknown { stage } => write!(
                f,
                "cannot tell when {stage} started, so its soak time cannot be checked"
            ),
            Refusal::PlannedStart {
                target,
                date,
                at,
                now,
            } => write!(
                f,
                "{target} is planned to start on {date} (in {})",
                human(*at - *now)
            ),
            Refusal::Gate(v) => write!(f, "gate {}", v.line()),
        }
    }
}

impl Refusal {
    /// A short name of the rule, for `status --json`'s `waiting_for`.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        match self {
            Refusal::Killed => "resume (the flag is killed)",
            Refusal::Skips { .. } => "no skipping",
            Refusal::Soak { .. } | Refusal::SoakUnknown { .. } => "soak",
            Refusal::PlannedStart { .. } => "planned start",
            Refusal::Gate(_) => "gates",
        }
    }
}

/// When the soak of the stage at `pos` ends (None: no soak, or not at a stage).
#[must_use]
pub fn soak_end(
    config: &Config,
    pos: Position,
    since: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let duration = pos.stage(config)?.duration?;
    Some(crate::clock::after(since?, duration))
}

/// The earliest time `stage` may start by its planned date.
#[must_use]
pub fn planned_start(stage: &Stage) -> Option<DateTime<Utc>> {
    stage.start.map(|d| d.and_time(NaiveTime::MIN).and_utc())
}

/// Every rule but the gates for moving to stage `to` now.
#[must_use]
pub fn advance(facts: &Facts<'_>, to: usize) -> Vec<Refusal> {
    let config = facts.config;
    let target = &config.stages[to];
    let mut out = Vec::new();
    if facts.killed {
        out.push(Refusal::Killed);
    }
    if let Some(next) = facts.pos.next(config) {
        if to > next {
            out.push(Refusal::Skips {
                target: target.name.clone(),
                skipped: config.stages[next..to]
                    .iter()
                    .map(|s| s.name.clone())
                    .collect(),
                next: config.stages[next].name.clone(),
            });
        }
    }
    if let Some(current) = facts.pos.stage(config) {
        if let Some(duration) = current.duration {
            match soak_end(config, facts.pos, facts.since) {
                Some(end) if end > facts.now => out.push(Refusal::Soak {
                    stage: current.name.clone(),
                    duration,
                    target: target.name.clone(),
                    end,
                    now: facts.now,
                }),
                Some(_) => {}
                None => out.push(Refusal::SoakUnknown {
                    stage: current.name.clone(),
                }),
            }
        }
    }
    if let (Some(at), Some(date)) = (planned_start(target), target.start) {
        if at > facts.now {
            out.push(Refusal::PlannedStart {
                target: target.name.clone(),
                date,
                at,
                now: facts.now,
            });
        }
    }
    out
}

/// The gate rule: every critical or warning gate must pass (info gates never block).
#[must_use]
pub fn gates(verdicts: &[Verdict]) -> Vec<Refusal> {
    verdicts
        .iter()
        .filter(|v| v.severity.blocks() && !v.passed())
        .map(|v| Refusal::Gate(Box::new(v.clone())))
        .collect()
}

/// The rules for a rollback: only the kill refuses one.
#[must_use]
pub fn rollback(facts: &Facts<'_>) -> Vec<Refusal> {
    if facts.killed {
        vec![Refusal::Killed]
    } else {
        Vec::new()
    }
}

/// What the next stage waits for (the rules but the gates and skipping), and when the time
/// rules allow it.
#[derive(Debug, Clone)]
pub struct Next {
    pub index: usize,
    /// The later of the soak end and the planned start.
    pub allowed_at: Option<DateTime<Utc>>,
    pub waiting: Vec<Refusal>,
}

#[must_use]
pub fn next(facts: &Facts<'_>) -> Option<Next> {
    let index = facts.pos.next(facts.config)?;
    let soak = soak_end(facts.config, facts.pos, facts.since);
    let planned = planned_start(&facts.config.stages[index]);
    Some(Next {
        index,
        allowed_at: [soak, planned].into_iter().flatten().max(),
        waiting: advance(facts, index),
    })
}

/// A watch with `--advance` stops the kill on this: whether a gate's sustained breach means
/// the flag must be killed now (critical gates of the current stage only).
#[must_use]
pub fn must_kill(verdicts: &[Verdict]) -> Option<&Verdict> {
    verdicts.iter().find(|v| {
        v.severity == crate::config::Severity::Critical
            && v.verdict == crate::gates::Status::Fail
            && v.sustained
    })
}
