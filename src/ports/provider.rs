//! The boundary between the application and where a flag lives. The application reads a
//! [`FlagState`], decides, and asks for a [`Desired`] state with a guarded write; each provider,
//! one folder each under `crate::adapters::provider`, turns that into its own API's requests.
//! See docs/adding-a-provider.md.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::domain::config::{Percentage, ProviderKind};
use crate::domain::error::Result;
use crate::domain::exposure::Bucketing;
use crate::ports::log::Logger;

/// The flag as the provider reports it.
#[derive(Debug, Clone, Default)]
pub struct FlagState {
    /// The flag exists at the provider (a flag never rolled out has no entry yet).
    pub exists: bool,
    /// Serving its rollout (false: killed, off in this environment).
    pub on: bool,
    /// The rollout percentage configured (kept while killed).
    pub percentage: Percentage,
    /// The stage name the tool recorded with the flag, if any.
    pub stage: Option<String>,
    pub users: Vec<String>,
    pub groups: Vec<String>,
    /// When the current stage started, where the provider keeps it.
    pub since: Option<DateTime<Utc>>,
    /// When the flag was killed, if it is.
    pub killed_at: Option<DateTime<Utc>>,
    /// Opaque: any change at the provider changes it. Compared by guarded writes.
    pub version: String,
    /// Revision counter where the provider keeps one.
    pub revision: Option<u64>,
    /// What the provider reported about the write that returned this state (e.g. a concurrent
    /// run that made the same change); journaled as the event's detail.
    pub detail: Option<String>,
    /// When the request that read this state was sent: set by reads. On what
    /// [`Provider::apply`] returns, set only where the provider read the flag back itself after
    /// its last request (Unleash's read-back), which the application then takes as its
    /// read-back; never for a write's answer (LaunchDarkly's patch, the http PUT): those are no
    /// proof, and the application reads the flag again. Never serialised; copies keep it. See
    /// [`FRESH_READ`].
    pub read_at: Option<Instant>,
}

/// How old a read may be and still guard a write by itself.
///
/// A guarded write compares the stage this run decided on with the stage at the provider just
/// before writing. Where the provider has no conditional write covering the whole stage
/// (Unleash: an environment's `enabled` and the audience strategies; LaunchDarkly: semantic
/// patches carry no version), that comparison costs a second read, and the stage can still
/// change between that read and the write. A read sent less than this long before the write is
/// the guard itself and the second read is not sent: its window is at most this bound plus a
/// round trip, where a second read's would be about one round trip, and it costs no request.
/// Anything that makes a run slow between its read and its write (a confirmation prompt, a
/// metric gate's query, a lock wait, a slow event log, the tests'
/// `ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS`) makes the read older than this, and the flag is read
/// again before writing. Measured from when the read's request was sent, so
/// the read's own round trip counts against the bound. After every write the application reads
/// the flag back (`app::intent`), on every provider: a change that landed inside the window is
/// still reported (exit 5, journaled `may-have-been-applied` with what was seen).
pub const FRESH_READ: Duration = Duration::from_millis(250);

impl FlagState {
    /// Whether this state was read recently enough to guard a write by itself ([`FRESH_READ`]).
    #[must_use]
    pub fn is_fresh(&self) -> bool {
        self.read_at.is_some_and(|at| at.elapsed() <= FRESH_READ)
    }
}

/// What the engine wants the flag to be.
#[derive(Debug, Clone)]
pub struct Desired {
    pub on: bool,
    pub stage: String,
    pub percentage: Percentage,
    pub users: Vec<String>,
    pub groups: Vec<String>,
    /// When this stage started (now for a new stage, kept on kill and resume).
    pub since: DateTime<Utc>,
    pub killed_at: Option<DateTime<Utc>>,
}

impl Desired {
    /// Whether `state` holds this: the flag exists, on or off as desired, at the desired
    /// percentage for the desired users and groups (in any order). What a read-back must show
    /// before a change is reported applied.
    #[must_use]
    pub fn held_by(&self, state: &FlagState) -> bool {
        state.exists
            && state.on == self.on
            && state.percentage == self.percentage
            && same_set(&state.users, &self.users)
            && same_set(&state.groups, &self.groups)
    }

    /// Whether this moves the audience of `state` (its percentage, users or groups): a kill
    /// does not; a forced move of a killed flag does, and keeps it off.
    #[must_use]
    pub fn moves(&self, state: &FlagState) -> bool {
        state.percentage != self.percentage
            || !same_set(&state.users, &self.users)
            || !same_set(&state.groups, &self.groups)
    }
}

impl FlagState {
    /// Whether `other` serves what this serves: the same existence, on/off, percentage, users
    /// and groups (a read-back that shows the flag as it was before a write: nothing changed).
    #[must_use]
    pub fn serves_as(&self, other: &FlagState) -> bool {
        self.exists == other.exists
            && (!self.exists
                || (self.on == other.on
                    && self.percentage == other.percentage
                    && same_set(&self.users, &other.users)
                    && same_set(&self.groups, &other.groups)))
    }

    /// The flag in words, for a read-back's report: `on at 10%`, `off (killed) at 25%`,
    /// `missing`.
    #[must_use]
    pub fn seen(&self) -> String {
        if !self.exists {
            return "missing".to_string();
        }
        let mut s = format!(
            "{} at {}",
            if self.on { "on" } else { "off (killed)" },
            self.percentage
        );
        if !self.users.is_empty() {
            s.push_str(&format!(
                ", users [{}]",
                crate::domain::sanitize::visible(&crate::domain::sanitize::short(
                    &self.users.join(", "),
                    120
                ))
            ));
        }
        if !self.groups.is_empty() {
            s.push_str(&format!(
                ", groups [{}]",
                crate::domain::sanitize::visible(&crate::domain::sanitize::short(
                    &self.groups.join(", "),
                    120
                ))
            ));
        }
        s
    }
}

/// Whether two lists hold the same items, in any order.
fn same_set(a: &[String], b: &[String]) -> bool {
    let mut a: Vec<&String> = a.iter().collect();
    let mut b: Vec<&String> = b.iter().collect();
    a.sort();
    a.dedup();
    b.sort();
    b.dedup();
    a == b
}

/// The change's note, which travels with the change where the provider keeps one.
#[derive(Debug, Clone)]
pub struct Note {
    pub text: String,
    /// Who made the change (the note travels with it where the provider has room).
    pub actor: String,
}

/// A change as the provider's own log records it (Unleash's event log): for `history`, soak
/// times read on any machine, and naming who made a conflicting change.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Change {
    pub id: u64,
    pub time: DateTime<Utc>,
    /// Who the provider says made it (for Unleash: the user, or the API token's name).
    pub actor: String,
    /// The provider's event type, e.g. `feature-strategy-update`.
    pub kind: String,
    /// One line for people: `rollout changed 10% → 30%`.
    pub summary: String,
    /// The note `rollout` wrote with the change, when `rollout` made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip)]
    pub from: Option<Percentage>,
    #[serde(skip)]
    pub to: Option<Percentage>,
    /// A change of the rollout strategy (its percentage).
    #[serde(skip)]
    pub rollout_role: bool,
}

/// Something at the provider, not managed by `rollout`, that changes who sees the flag (a
/// strategy added in the Unleash UI, a rule added to the flags file by hand): shown by `status`;
/// `advance` refuses while one `widens` or would be `overwritten`, `rollback` while one would be
/// `overwritten`; `resume` (which restores the flag as it was killed) says it replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmanaged {
    /// One line for people: `default strategy (01J…) serves everyone`.
    pub text: String,
    /// It serves users beyond the stage's audience with no constraint (a 100% `default`, a
    /// second unconstrained rollout).
    pub widens: bool,
    /// Any write of `rollout` replaces it (the file provider rewrites the whole flag), so an
    /// advance or a rollback refuses while it is there, unless forced.
    pub overwritten: bool,
}

impl Change {
    /// The newest change of `changes`, as a conflict message's tail:
    /// `; last change in Unleash: rollout changed 10% → 30% by ana at 2024-01-18 09:00 UTC`.
    #[must_use]
    pub fn last_note(changes: Option<Vec<Change>>, label: &str) -> String {
        changes
            .and_then(|c| c.into_iter().next())
            .map(|c| {
                format!(
                    "; last change in {label}: {} by {} at {}",
                    c.summary,
                    c.actor,
                    crate::domain::clock::stamp(c.time)
                )
            })
            .unwrap_or_default()
    }
}

/// A request as `--dry-run` and `-v` show it: secrets already replaced by `***`.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Request {
    pub method: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Headers worth showing (secret values as `***`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
}

/// Where a flag lives, as the engine sees it. One implementation per provider, each in its own
/// folder (`file`, `unleash`, `launchdarkly`, `http`); [`open`] picks one from the settings. See
/// docs/adding-a-provider.md.
#[async_trait::async_trait(?Send)]
pub trait Provider {
    fn kind(&self) -> ProviderKind;

    /// For status lines: `file .rollout/flags.json`.
    fn describe(&self) -> String;

    /// The provider's name in messages and history: `Unleash`, `LaunchDarkly`.
    fn label(&self) -> &'static str;

    /// Where `-v` logs the provider's requests (secrets hidden).
    fn set_log(&mut self, _log: Logger) {}

    /// The flag as the provider reports it now.
    async fn read(&self) -> Result<FlagState>;

    /// The requests [`Provider::apply`] would send to make `expected` into `desired`: pure, for
    /// `--dry-run` and `-v`.
    fn plan(&self, expected: &FlagState, desired: &Desired, note: &Note) -> Vec<Request>;

    /// The flag as `read` reports it, but never refusing over state a kill does not need (an
    /// unreadable rollout value): kill only needs to know whether the flag is on.
    async fn read_for_kill(&self) -> Result<FlagState> {
        self.read().await
    }

    /// What else at the provider changes who sees the flag, from a state `read` returned.
    /// None where the provider holds nothing but what `rollout` writes.
    fn unmanaged(&self, _state: &FlagState) -> Vec<Unmanaged> {
        Vec::new()
    }

    /// Writes `desired` if the flag is still as `expected` (else a conflict, exit 5). An off
    /// that moves the audience ([`Desired::moves`]: a forced advance or rollback of a killed
    /// flag) writes the new stage and leaves the flag off. The answer is not the outcome: the
    /// application reads the flag back after every write and that read decides.
    async fn apply(
        &self,
        expected: &FlagState,
        desired: &Desired,
        note: &Note,
    ) -> Result<FlagState>;

    /// The flag's changes in this environment from the provider's own log, newest first (none
    /// where the journal is the only log).
    async fn changes(&self, _limit: usize) -> Result<Vec<Change>> {
        Ok(Vec::new())
    }

    /// Fills `since` and `killed_at` from the provider's log where it keeps them apart from the
    /// flag.
    async fn add_times(&self, _state: &mut FlagState) -> Result<()> {
        Ok(())
    }

    /// How the provider places users, for `preview` and `check`, after a [`read`] of `state`
    /// (LaunchDarkly's salt and the `http` service's declared algorithm come with the flag). An
    /// error when the provider's bucketing cannot be reproduced: never a guess.
    ///
    /// [`read`]: Provider::read
    fn bucketing(&self, state: &FlagState) -> Result<Bucketing>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(on: bool, pct: u32, users: &[&str]) -> FlagState {
        FlagState {
            exists: true,
            on,
            percentage: Percentage::from_weight(pct * 1000).unwrap(),
            users: users.iter().map(|u| (*u).to_string()).collect(),
            ..FlagState::default()
        }
    }

    fn desired(on: bool, pct: u32, users: &[&str]) -> Desired {
        Desired {
            on,
            stage: "s".into(),
            percentage: Percentage::from_weight(pct * 1000).unwrap(),
            users: users.iter().map(|u| (*u).to_string()).collect(),
            groups: Vec::new(),
            since: chrono::DateTime::UNIX_EPOCH,
            killed_at: None,
        }
    }

    #[test]
    fn a_read_back_is_as_written_as_before_or_neither() {
        let want = desired(true, 10, &["a", "b"]);
        assert!(want.held_by(&state(true, 10, &["b", "a"])), "any order");
        assert!(
            !want.held_by(&state(false, 10, &["a", "b"])),
            "killed since"
        );
        assert!(!want.held_by(&state(true, 25, &["a", "b"])));
        let before = state(true, 25, &["a"]);
        assert!(state(true, 25, &["a"]).serves_as(&before));
        assert!(!state(true, 10, &["a"]).serves_as(&before));
        assert!(FlagState::default().serves_as(&FlagState::default()));
        assert_eq!(
            state(false, 10, &["a"]).seen(),
            "off (killed) at 10%, users [a]"
        );
    }

    #[test]
    fn a_kill_moves_nothing_a_forced_move_of_a_killed_flag_does() {
        let killed = state(false, 25, &["a"]);
        assert!(
            !desired(false, 25, &["a"]).moves(&killed),
            "the kill itself"
        );
        assert!(desired(false, 10, &["a"]).moves(&killed));
        assert!(desired(false, 25, &[]).moves(&killed));
    }

    #[test]
    fn a_read_guards_a_write_only_while_fresh() {
        let mut state = FlagState::default();
        assert!(!state.is_fresh(), "never read: the guard reads");
        state.read_at = Some(Instant::now());
        assert!(state.is_fresh());
        assert!(state.clone().is_fresh(), "copies keep when it was read");
        state.read_at = Instant::now().checked_sub(FRESH_READ + Duration::from_millis(1));
        assert!(
            !state.is_fresh(),
            "older than FRESH_READ: the guard reads again"
        );
    }
}
