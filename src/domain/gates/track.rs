//! `for:` across looks: when each gate's current breach began.
//!
//! A `fail` starts a breach (or continues it); a `pass` ends it; `no-data`, `error` and
//! `not-applicable` neither start, continue nor end one (a source outage does not reset a breach, and never makes one).
//! `watch` keeps one tracker for its whole run; `gates`, `advance` and checklist tasks start a
//! fresh one, so their single look is a breach starting now.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{Status, Verdict};
use crate::domain::config::Gate;

#[derive(Debug, Default)]
pub struct Tracker {
    since: HashMap<String, DateTime<Utc>>,
}

impl Tracker {
    /// Continues `gate`'s breach that began at `since` (a watch rebuilt from recorded looks,
    /// [`crate::domain::windows`]).
    pub fn started(&mut self, gate: &str, since: DateTime<Utc>) {
        self.since.insert(gate.to_string(), since);
    }

    /// When `gate`'s current breach began (None: it is not failing).
    #[must_use]
    pub fn since(&self, gate: &str) -> Option<DateTime<Utc>> {
        self.since.get(gate).copied()
    }

    /// Records `v` at `now` and fills in how long its breach has held and whether it counts.
    pub fn update(&mut self, v: &mut Verdict, gate: &Gate, now: DateTime<Utc>) {
        match v.verdict {
            Status::Pass => {
                self.since.remove(&gate.name);
            }
            Status::Fail => {
                let since = *self.since.entry(gate.name.clone()).or_insert(now);
                let held = (now - since).max(chrono::Duration::zero());
                v.held = Some(crate::domain::clock::human(held));
                v.sustained = held.to_std().unwrap_or_default() >= gate.hold;
            }
            Status::NoData | Status::Error | Status::NotApplicable => {}
        }
    }
}
