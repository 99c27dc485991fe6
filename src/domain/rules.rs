//! The rollout rules in one place (README "Commands"): no skipping, soak, planned start, killed,
//! and gates. Each takes the facts (where the flag is, since when, now, the gates' verdicts)
//! and returns typed refusals; it prints nothing and reads nothing. `advance`, `status`, `plan`,
//! `gates`, `watch` and checklist tasks all ask here.

use std::fmt;

use chrono::{DateTime, NaiveTime, Utc};

use crate::domain::clock::{human, span, stamp};
use crate::domain::config::{Config, Percentage, Stage};
use crate::domain::gates::Verdict;

/// Where the flag stands in the stage table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// The provider has no rollout of this flag yet.
    NotStarted,
    /// At the stage with this index.
    At(usize),
    /// At a percentage that is no stage (someone edited it); `below` is the last stage under it.
    OffPlan { below: Option<usize> },
}

#[must_use]
pub fn position(config: &Config, exists: bool, percentage: Percentage) -> Position {
    if !exists {
        return Position::NotStarted;
    }
    if let Some(i) = config
        .stages
        .iter()
        .position(|s| s.percentage == percentage)
    {
        return Position::At(i);
    }
    Position::OffPlan {
        below: config
            .stages
            .iter()
            .rposition(|s| s.percentage < percentage),
    }
}

impl Position {
    #[must_use]
    pub fn stage<'c>(&self, config: &'c Config) -> Option<&'c Stage> {
        match self {
            Position::At(i) => config.stages.get(*i),
            _ => None,
        }
    }

    /// The index the next `advance` goes to, if any.
    #[must_use]
    pub fn next(&self, config: &Config) -> Option<usize> {
        let n = match self {
            Position::NotStarted => 0,
            Position::At(i) => i + 1,
            Position::OffPlan { below } => below.map_or(0, |b| b + 1),
        };
        (n < config.stages.len()).then_some(n)
    }
}

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
    /// Something at the provider that `rollout` does not manage serves users beyond the stage
    /// (a second unconstrained rollout, a 100% default): the stage's percentage would be untrue.
    Unmanaged {
        what: String,
        place: String,
    },
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
            Refusal::Unmanaged { what, place } => {
                write!(f, "{what}, outside the plan: remove it in {place}")
            }
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
            Refusal::Unmanaged { .. } => "removal of changes outside the plan",
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
    Some(crate::domain::clock::after(since?, duration))
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

/// The gate rule: every critical or warning gate must pass (info gates never block; a gate that
/// does not apply yet, `not-applicable`, neither).
#[must_use]
pub fn gates(verdicts: &[Verdict]) -> Vec<Refusal> {
    verdicts
        .iter()
        .filter(|v| v.severity.blocks() && v.holds())
        .map(|v| Refusal::Gate(Box::new(v.clone())))
        .collect()
}

/// The rule on what `rollout` does not manage: anything at the provider that serves users beyond
/// the stage with no constraint (`widening`, each as one line for people) refuses an advance until it is removed (or `--force`d).
#[must_use]
pub fn unmanaged<'a>(widening: impl IntoIterator<Item = &'a str>, place: &str) -> Vec<Refusal> {
    widening
        .into_iter()
        .map(|what| Refusal::Unmanaged {
            what: what.to_string(),
            place: place.to_string(),
        })
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

/// The gate whose breach means `watch` must kill the flag now: the first critical gate whose
/// `fail` has held for its `for:` (no-data and error never kill).
#[must_use]
pub fn must_kill(verdicts: &[Verdict]) -> Option<&Verdict> {
    verdicts.iter().find(|v| {
        v.severity == crate::domain::config::Severity::Critical
            && v.verdict == crate::domain::gates::Status::Fail
            && v.sustained
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::config::Config;

    fn config() -> Config {
        Config::parse(
            std::path::Path::new("stages.yaml"),
            "flag: f
stages:
  - { name: a, percentage: 5, duration: 1d }
  - { name: b, percentage: 10, start: 2024-03-10 }
  - { name: c, percentage: 100 }
",
        )
        .unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn each_rule_refuses_with_its_own_reason() {
        let config = config();
        let facts = Facts {
            config: &config,
            pos: Position::At(0),
            killed: true,
            since: Some(at("2024-03-09T12:00:00Z")),
            now: at("2024-03-09T18:00:00Z"),
        };
        let got: Vec<String> = advance(&facts, 2).iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "the flag is killed: run `rollout resume` first",
                "advancing to c would skip b: the next stage is b",
                "a must soak 1d first: c can start in 18h, at 2024-03-10 12:00 UTC",
            ]
        );
        let next = next(&facts).unwrap();
        assert_eq!(next.index, 1);
        assert_eq!(next.allowed_at, Some(at("2024-03-10T12:00:00Z")));
        let rules: Vec<&str> = next.waiting.iter().map(Refusal::rule).collect();
        assert_eq!(
            rules,
            ["resume (the flag is killed)", "soak", "planned start"]
        );
    }

    #[test]
    fn nothing_refuses_once_the_time_has_come() {
        let config = config();
        let facts = Facts {
            config: &config,
            pos: Position::At(0),
            killed: false,
            since: Some(at("2024-03-01T00:00:00Z")),
            now: at("2024-03-10T00:00:00Z"),
        };
        assert!(advance(&facts, 1).is_empty());
        let unknown = Facts {
            since: None,
            ..facts
        };
        assert_eq!(
            advance(&unknown, 1)[0].to_string(),
            "cannot tell when a started, so its soak time cannot be checked"
        );
    }

    #[test]
    fn only_critical_and_warning_gates_refuse_and_only_a_sustained_critical_fail_kills() {
        let gate =
            |name: &str, severity, status: crate::domain::gates::Status, sustained| Verdict {
                gate: name.into(),
                source: "command",
                severity,
                verdict: status,
                value: None,
                shown: "-".into(),
                threshold: "exit 0".into(),
                window: "now".into(),
                why: None,
                hold: "0s".into(),
                held: None,
                sustained,
                compare: None,
            };
        use crate::domain::config::Severity::{Critical, Info, Warning};
        use crate::domain::gates::Status::{Error, Fail, NoData, Pass};
        let verdicts = [
            gate("c-pass", Critical, Pass, false),
            gate("c-nodata", Critical, NoData, false),
            gate("w-error", Warning, Error, false),
            gate("i-fail", Info, Fail, true),
            gate("c-fail-new", Critical, Fail, false),
        ];
        let refused: Vec<String> = gates(&verdicts)
            .iter()
            .map(|r| match r {
                Refusal::Gate(v) => v.gate.clone(),
                other => other.to_string(),
            })
            .collect();
        assert_eq!(refused, ["c-nodata", "w-error", "c-fail-new"]);
        assert!(must_kill(&verdicts).is_none());
        let mut sustained = verdicts.to_vec();
        sustained.push(gate("c-fail-held", Critical, Fail, true));
        assert_eq!(must_kill(&sustained).unwrap().gate, "c-fail-held");
    }
}
