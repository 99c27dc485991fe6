//! `for:` windows continued from recorded looks: a watch that starts (a restart, another
//! machine, each `watch --once`) rebuilds its [`Tracker`] from the looks recorded at the current
//! stage, so a breach that began before it started counts from its first failing look.
//!
//! The rules (docs/gates.md, "watch"): a breach's start is the oldest look of the unbroken run of
//! failing looks of that gate, newest first; a `pass` ends the run, and so does a look before the
//! stage began, a look at another stage, a look without the gate, or a gap between two looks
//! longer than twice the interval the later one was taken with (`no-data`, `error` and
//! `not-applicable` neither continue nor end it, as in [`Tracker::update`]). When the newest
//! recorded look is itself longer than twice this watch's interval ago, every window starts again,
//! and [`Rebuilt::gap`] says so.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::domain::event::Event;
use crate::domain::gates::{Status, Tracker};

/// A recorded look: when the store committed it, and the record.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub at: DateTime<Utc>,
    pub event: Event,
}

impl Recorded {
    fn is_look(&self) -> bool {
        self.event.action == "watch" && self.event.outcome == "look"
    }

    /// The interval the look was taken with (`fallback` for looks that did not record one).
    fn interval(&self, fallback: Duration) -> Duration {
        self.event
            .interval
            .as_deref()
            .and_then(|i| humantime::parse_duration(i).ok())
            .unwrap_or(fallback)
    }
}

/// Where a rebuilt watch starts.
#[derive(Debug, Default)]
pub struct Rebuilt {
    /// Each failing gate's breach start.
    pub tracker: Tracker,
    /// The newest look was too long ago: how long, and the gates whose breach it cut.
    pub gap: Option<Gap>,
    /// The gates whose current breach was alerted already (a `gate-alert` record since it
    /// began): not alerted again until they pass.
    pub alerted: Vec<String>,
}

/// The newest recorded look is more than twice the interval ago.
#[derive(Debug, PartialEq, Eq)]
pub struct Gap {
    /// How long ago it was.
    pub ago: chrono::Duration,
    /// The gates failing at that look, whose windows start again.
    pub gates: Vec<String>,
}

/// Rebuilds the windows of the gates at stage `stage` (entered at `since`, when known) from
/// `looks`, newest first (other records among them are skipped), for a watch looking every
/// `interval` at `now`.
#[must_use]
pub fn rebuild(
    looks: &[Recorded],
    stage: &str,
    since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    interval: Duration,
) -> Rebuilt {
    let run = current_run(looks, stage, since, interval);
    let Some(newest) = run.first() else {
        return Rebuilt::default();
    };
    let ago = now - newest.at;
    if ago > twice(interval) {
        let gates = newest
            .event
            .gates
            .iter()
            .filter(|g| g.verdict == Status::Fail)
            .map(|g| g.gate.clone())
            .collect();
        return Rebuilt {
            tracker: Tracker::default(),
            gap: Some(Gap { ago, gates }),
            alerted: Vec::new(),
        };
    }
    let mut tracker = Tracker::default();
    let mut alerted = Vec::new();
    for gate in gate_names(newest) {
        if let Some(start) = breach_start(&run, &gate) {
            tracker.started(&gate, start);
            if alerted_since(looks, &gate, start) {
                alerted.push(gate);
            }
        }
    }
    Rebuilt {
        tracker,
        gap: None,
        alerted,
    }
}

/// Whether a `gate-alert` record of `gate` was made at or after `start`.
fn alerted_since(records: &[Recorded], gate: &str, start: DateTime<Utc>) -> bool {
    records
        .iter()
        .take_while(|r| r.at >= start)
        .any(|r| r.event.action == "gate-alert" && r.event.gates.iter().any(|g| g.gate == gate))
}

/// The looks of the current stage since it began, newest first, up to the first gap longer
/// than twice the interval of the look after it.
fn current_run<'a>(
    looks: &'a [Recorded],
    stage: &str,
    since: Option<DateTime<Utc>>,
    interval: Duration,
) -> Vec<&'a Recorded> {
    let mut run: Vec<&Recorded> = Vec::new();
    for look in looks.iter().filter(|l| l.is_look()) {
        if look.event.from.as_deref() != Some(stage) || since.is_some_and(|s| look.at < s) {
            break;
        }
        if let Some(later) = run.last() {
            if later.at - look.at > twice(later.interval(interval)) {
                break;
            }
        }
        run.push(look);
    }
    run
}

/// The gates of a look, in its order.
fn gate_names(look: &Recorded) -> Vec<String> {
    look.event.gates.iter().map(|g| g.gate.clone()).collect()
}

/// The time of the oldest failing look of `gate`'s unbroken breach in `run` (newest first).
fn breach_start(run: &[&Recorded], gate: &str) -> Option<DateTime<Utc>> {
    let mut start = None;
    for look in run {
        match look.event.gates.iter().find(|g| g.gate == gate) {
            Some(g) if g.verdict == Status::Fail => start = Some(look.at),
            Some(g) if g.verdict == Status::Pass => break,
            Some(_) => {}
            None => break,
        }
    }
    start
}

fn twice(interval: Duration) -> chrono::Duration {
    chrono::Duration::from_std(interval * 2).unwrap_or(chrono::Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::gates::Seen;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    const TEN: Duration = Duration::from_secs(10);

    /// A look at `secs` at `stage` with each gate's verdict.
    fn look(secs: i64, stage: &str, gates: &[(&str, Status)]) -> Recorded {
        Recorded {
            at: t(secs),
            event: Event {
                time: t(secs),
                actor: "ci".into(),
                action: "watch".into(),
                flag: "f".into(),
                environment: "production".into(),
                from: Some(stage.into()),
                to: None,
                percentage: None,
                reason: None,
                forced: false,
                provider: "file".into(),
                outcome: "look".into(),
                detail: None,
                id: None,
                gates: gates
                    .iter()
                    .map(|(g, v)| Seen {
                        gate: (*g).into(),
                        verdict: *v,
                        value: "1".into(),
                        threshold: "max 0.5".into(),
                        on: None,
                        off: None,
                    })
                    .collect(),
                interval: Some("10s".into()),
            },
        }
    }

    /// When `gate`'s breach began by the rebuilt tracker (None: no breach under way).
    fn since(r: &Rebuilt, gate: &str) -> Option<i64> {
        r.tracker.since(gate).map(|at| (at - t(0)).num_seconds())
    }

    use Status::{Error, Fail, NoData, Pass};

    #[test]
    fn a_breach_starts_at_the_first_look_of_its_unbroken_run_of_fails() {
        let looks = [
            look(40, "one", &[("e", Fail), ("l", Pass)]),
            look(30, "one", &[("e", NoData), ("l", Fail)]),
            look(20, "one", &[("e", Fail), ("l", Fail)]),
            look(10, "one", &[("e", Pass), ("l", Fail)]),
        ];
        let r = rebuild(&looks, "one", None, t(45), TEN);
        assert_eq!(r.gap, None);
        // e failed at 20, no-data at 30 did not end it, failed at 40.
        assert_eq!(since(&r, "e"), Some(20));
        // l passed at the newest look: no breach under way.
        assert_eq!(since(&r, "l"), None);
    }

    #[test]
    fn looks_at_another_stage_or_before_the_stage_began_do_not_count() {
        let looks = [
            look(40, "two", &[("e", Fail)]),
            look(30, "two", &[("e", Fail)]),
            look(20, "one", &[("e", Fail)]),
        ];
        let r = rebuild(&looks, "two", None, t(45), TEN);
        assert_eq!(since(&r, "e"), Some(30));
        let r = rebuild(&looks, "two", Some(t(35)), t(45), TEN);
        assert_eq!(since(&r, "e"), Some(40));
        let r = rebuild(&looks, "three", None, t(45), TEN);
        assert_eq!(since(&r, "e"), None);
    }

    #[test]
    fn a_gap_between_looks_longer_than_twice_their_interval_cuts_the_breach() {
        let looks = [
            look(100, "one", &[("e", Fail)]),
            look(90, "one", &[("e", Error)]),
            // 25s before the next: more than twice 10s.
            look(65, "one", &[("e", Fail)]),
            look(55, "one", &[("e", Fail)]),
        ];
        let r = rebuild(&looks, "one", None, t(105), TEN);
        assert_eq!(since(&r, "e"), Some(100));
        // Exactly twice is no gap.
        let looks = [
            look(100, "one", &[("e", Fail)]),
            look(80, "one", &[("e", Fail)]),
        ];
        let r = rebuild(&looks, "one", None, t(105), TEN);
        assert_eq!(since(&r, "e"), Some(80));
    }

    #[test]
    fn a_last_look_longer_than_twice_the_interval_ago_restarts_every_window_and_says_which() {
        let looks = [
            look(100, "one", &[("e", Fail), ("l", Pass), ("m", Fail)]),
            look(90, "one", &[("e", Fail), ("l", Pass), ("m", Fail)]),
        ];
        let r = rebuild(&looks, "one", None, t(280), TEN);
        assert_eq!(
            r.gap,
            Some(Gap {
                ago: chrono::Duration::seconds(180),
                gates: vec!["e".into(), "m".into()],
            })
        );
        assert_eq!(since(&r, "e"), None);
        // Within twice the interval, the windows go on.
        let r = rebuild(&looks, "one", None, t(120), TEN);
        assert_eq!(r.gap, None);
    }

    #[test]
    fn other_records_are_skipped_and_no_looks_is_a_fresh_start() {
        let mut alert = look(95, "one", &[("e", Fail)]);
        alert.event.action = "gate-alert".into();
        alert.event.outcome = "notified".into();
        let looks = [
            look(100, "one", &[("e", Fail)]),
            alert,
            look(90, "one", &[("e", Fail)]),
        ];
        let r = rebuild(&looks, "one", None, t(100), TEN);
        assert_eq!(since(&r, "e"), Some(90));
        // The alert was made during the breach: it is not made again.
        assert_eq!(r.alerted, ["e"]);
        // An alert before the breach began was another breach's.
        let r = rebuild(&looks[..2], "one", None, t(100), TEN);
        assert_eq!((since(&r, "e"), r.alerted.len()), (Some(100), 0));
        let r = rebuild(&[], "one", None, t(100), TEN);
        assert!(r.gap.is_none());
    }
}
