//! The guarded write, as steps: read (the layout the decision was made on), compare (the guard),
//! write (the requests, [`super::apply`]), settle, read back, decide (done, repair the audience
//! after a racing run, or a conflict).
//!
//! Unleash checks a patch's `test` and applies it separately, so two runs racing from the same
//! value can both pass. The rollout is written first and is the change's commit point: the run
//! whose rollout stands owns the stage and, for up to [`ROUNDS`] rounds, puts back an audience a
//! losing run wrote after it. Anything else that differs after the write is a conflict.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::mapping::{self, Layout, Role, Step};
use super::{Desired, FlagState, Note, UnleashProvider};
use crate::adapters::provider::test_pause;
use crate::domain::env_vars::EnvVars;
use crate::domain::error::{Result, Written};

/// How many times a write sends its requests: once, and at most twice more to put back an
/// audience a racing run overwrote.
const ROUNDS: usize = 3;

/// What one write has done so far.
#[derive(Default)]
pub(super) struct Run {
    /// What each request that went through did, in words.
    pub(super) done: Vec<String>,
    /// Strategies created last, whose check for a concurrent creator's copy
    /// ([`UnleashProvider::keep_oldest`]) is made on the read-back: role, Unleash's answer,
    /// what the step was.
    pub(super) created: Vec<(Role, Value, String)>,
    /// The rollout strategy was patched (not created): a racing run may have passed the same
    /// `test`.
    pub(super) rollout_patched: bool,
    /// The rollout was checked after a pause (a racing run's patch has landed).
    pub(super) checked: bool,
    /// What the run noticed on the way (a racing run's same change), for the state's `detail`.
    pub(super) details: Vec<String>,
    /// The environment as last read back after a write, and when that read was sent.
    pub(super) last_read: Option<(Value, std::time::Instant)>,
}

impl Run {
    /// What this run changed so far, for an error's message and journal.
    pub(super) fn written(&self) -> Written {
        if self.done.is_empty() {
            Written::Nothing
        } else {
            Written::Partly(self.done.clone())
        }
    }
}

/// What a write goes by: the layout its decision was made on, the stage it writes, its note,
/// and when it started.
struct Plan<'a> {
    read: Layout,
    desired: &'a Desired,
    note: &'a Note,
    started: DateTime<Utc>,
}

/// After the read-back: the stage holds, or the audience is to be written again.
enum Decision {
    Done,
    Repair(Vec<Step>),
}

impl UnleashProvider {
    /// Takes the flag from the stage read in `expected` to `desired`, guarded, and returns the
    /// state written: read, compare, then rounds of write, settle, read back and decide.
    pub async fn write(
        &self,
        expected: &FlagState,
        desired: &Desired,
        note: &Note,
    ) -> Result<FlagState> {
        let plan = Plan {
            started: Utc::now(),
            read: Self::layout_of(expected),
            desired,
            note,
        };
        let mut steps = mapping::steps_from(&plan.read, expected, desired, note, &self.flag);
        self.compare(&plan, expected).await?;
        let mut run = Run::default();
        for round in 0..ROUNDS {
            self.apply_steps(&steps, desired, note, &mut run).await?;
            if !desired.on {
                break;
            }
            settle_unless_checked(&run).await;
            let now = self.read_back(&mut run).await?;
            let last = round + 1 == ROUNDS;
            match self.decide(&plan, &now, &mut run, last).await? {
                Decision::Done => break,
                Decision::Repair(next) => steps = next,
            }
        }
        let written = written_state(expected, desired, &run.details);
        Ok(self
            .as_read_back(&run, desired)
            .map_or(written, |mut read| {
                read.detail = written_state(expected, desired, &run.details).detail;
                read
            }))
    }

    /// The flag as this write's own last read-back showed it (a GET after the last request),
    /// when it shows `desired`: the application takes it as its read-back and does not read
    /// again (`read_at` set). None otherwise (a duplicate strategy removed since, an off).
    fn as_read_back(&self, run: &Run, desired: &Desired) -> Option<FlagState> {
        let (env, sent) = run.last_read.as_ref()?;
        let mut state =
            mapping::state_of(&Layout::from_env(env), env, &self.flag, &self.environment).ok()?;
        state.read_at = Some(*sent);
        desired.held_by(&state).then_some(state)
    }

    /// The guard before the first request. The whole stage is guarded, not just the rollout
    /// value (Unleash has no conditional write for an environment's `enabled`): what was read
    /// must still be there, or the decision was made on a flag that no longer exists. A read
    /// younger than FRESH_READ is that check already (a window of at most FRESH_READ plus a
    /// round trip); the read-back after the write reports anything that landed in between.
    async fn compare(&self, plan: &Plan<'_>, expected: &FlagState) -> Result<()> {
        let (desired, note) = (plan.desired, plan.note);
        // For the conflict tests: a window between the read and the write, long enough for a
        // test to change the flag through the Admin API. Only with the `test-hooks` feature.
        test_pause(EnvVars::ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS).await;
        // A kill is never held back; any other write (a move of a killed flag's stage too) is.
        let guarded = desired.on || desired.moves(expected);
        if guarded && !expected.is_fresh() {
            let now = Layout::from_env(&self.read_env().await?);
            let diffs = mapping::differences(&plan.read, &now);
            if !diffs.is_empty() {
                return Err(self.changed_under(&diffs, note, &Written::Nothing).await);
            }
        }
        if desired.on {
            test_pause(EnvVars::ROLLOUT_TEST_PAUSE_IN_WRITE_MS).await;
        }
        Ok(())
    }

    /// The environment after the write, with any strategy this run created last and a racing
    /// run created too reduced to the oldest copy ([`Self::keep_oldest_in`]).
    async fn read_back(&self, run: &mut Run) -> Result<Layout> {
        let sent = std::time::Instant::now();
        let env = self.read_env().await?;
        let now = Layout::from_env(&env);
        run.last_read = Some((env, sent));
        for (role, created, what) in std::mem::take(&mut run.created) {
            let before: Vec<String> = run.done.iter().filter(|d| **d != what).cloned().collect();
            if let Some(d) = self
                .keep_oldest_in(&now, role, &created, &what, &before)
                .await?
            {
                run.details.push(d);
            }
        }
        Ok(now)
    }

    /// Everything this run wrote must still hold: a kill, a deleted strategy or a racing run in
    /// the other direction since the read is a conflict, never "done". A racing run's audience
    /// written over this run's is repaired, unless this was the `last` round.
    async fn decide(
        &self,
        plan: &Plan<'_>,
        now: &Layout,
        run: &mut Run,
        last: bool,
    ) -> Result<Decision> {
        let (desired, note) = (plan.desired, plan.note);
        let mut diffs = mapping::missing(now, desired);
        // What the pre-write check would have refused, had it run after this came in.
        diffs.extend(mapping::widening_added(&plan.read, now));
        if diffs.is_empty() {
            self.note_same_change(now, desired, note, run);
            return Ok(Decision::Done);
        }
        if last || !self.repairable(plan, now).await {
            return Err(self.changed_under(&diffs, note, &run.written()).await);
        }
        run.checked = true;
        // The audience only: a killed environment stays off.
        Ok(Decision::Repair(
            mapping::steps(now, desired, note, &self.flag)
                .into_iter()
                .filter(|s| !matches!(s, Step::On))
                .collect(),
        ))
    }

    /// The same change made by a racing run after this one's: its note is on the rollout
    /// strategy now (that run sees this one's, if it wrote first).
    fn note_same_change(&self, now: &Layout, desired: &Desired, note: &Note, run: &mut Run) {
        let mine = mapping::title(Role::Rollout, &desired.stage, note);
        let title = now.rollout.as_ref().and_then(mapping::Strategy::title);
        if run.rollout_patched && title != Some(mine.as_str()) {
            run.details.push(format!(
                "another run moved {} to {} at the same moment (Unleash's patch test is not atomic); the flag is at {} once",
                self.flag, desired.percentage, desired.stage
            ));
        }
    }

    /// Whether the stage may be put back: the rollout (written first, the change's commit point)
    /// is this run's and the environment is on, but another rollout run that lost the race to it
    /// wrote its audience afterwards, so this run owns the stage and puts its audience back.
    /// Anything else (a strategy deleted, values edited in the UI) is a conflict.
    async fn repairable(&self, plan: &Plan<'_>, now: &Layout) -> bool {
        let desired = plan.desired;
        // Even when a kill came in meanwhile (that is still exit 5), so that `resume` brings
        // back a whole stage.
        let rollout_ours = now.rollout.as_ref().and_then(mapping::Strategy::rollout)
            == Some(&mapping::rollout_value(desired.percentage));
        let audience_ok = |role: Role, values: &[String]| {
            now.get(role)
                .map(mapping::Strategy::values)
                .unwrap_or_default()
                == values
        };
        let audience_ok =
            audience_ok(Role::Users, &desired.users) && audience_ok(Role::Groups, &desired.groups);
        let ours = mapping::note_text(plan.note);
        let by_racing_run =
            |role: Role, values: &[String]| by_racing_run(&plan.read, now, &ours, role, values);
        !audience_ok
            && rollout_ours
            && ((by_racing_run(Role::Users, &desired.users)
                && by_racing_run(Role::Groups, &desired.groups))
                || self
                    .raced_other_way(&plan.read, desired, plan.started)
                    .await)
    }
}

/// Whether the `role` strategy now was last written by a racing `rollout` run (or holds
/// `values`). A racing run rewrites the title with its own note; an edit in the UI keeps the
/// title that was read.
fn by_racing_run(read: &Layout, now: &Layout, ours: &str, role: Role, values: &[String]) -> bool {
    let Some(st) = now.get(role) else {
        return values.is_empty();
    };
    let read_title = read.get(role).and_then(mapping::Strategy::title);
    st.values() == values
        || st.title().is_some_and(|t| {
            t.starts_with(mapping::TITLE_PREFIX) && !t.ends_with(ours) && Some(t) != read_title
        })
}

/// Before the read-back: after a rollout patch not yet checked, waits for a racing run's patch.
async fn settle_unless_checked(run: &Run) {
    if run.rollout_patched && !run.checked {
        settle().await;
    }
}

/// Waits a moment after a guarded patch, so that a racing run's patch that passed the same
/// `test` has landed before this run looks (Unleash applies it a few milliseconds after
/// testing).
pub(super) async fn settle() {
    tokio::time::sleep(Duration::from_millis(150)).await;
}

/// The state a write leaves: made up from what was written, not read, so never taken for a
/// read-back.
fn written_state(expected: &FlagState, desired: &Desired, details: &[String]) -> FlagState {
    let mut state = expected.clone();
    state.exists = true;
    state.on = desired.on;
    state.percentage = desired.percentage;
    state.stage = Some(desired.stage.clone());
    state.users.clone_from(&desired.users);
    state.groups.clone_from(&desired.groups);
    state.version = String::new();
    state.read_at = None;
    state.detail = (!details.is_empty()).then(|| details.join("; "));
    state
}
