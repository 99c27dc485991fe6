//! The `--json` documents of `rollout` (docs/json.md "rollout").

use schemars::JsonSchema;
use serde::Serialize;

use crate::adapters::gates::Verdict;
use crate::adapters::journal::Event;
use crate::domain::config::Percentage;

/// `rollout check USER`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Check<'a> {
    pub user: &'a str,
    pub groups: &'a [String],
    pub flag: &'a str,
    pub first_stage: Option<&'a str>,
    pub stage_now: Option<&'a str>,
    pub killed: bool,
    pub on_now: bool,
}

/// `rollout status`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Status<'a> {
    pub flag: &'a str,
    pub provider: String,
    pub environment: &'a str,
    pub exists: bool,
    pub on: bool,
    pub killed: bool,
    pub stage: Option<String>,
    #[schemars(with = "f64")]
    pub percentage: Percentage,
    pub since: Option<String>,
    pub killed_at: Option<String>,
    pub revision: Option<u64>,
    /// What the provider serves that `rollout` does not manage (Unleash strategies).
    pub unmanaged: Vec<Unmanaged<'a>>,
    pub next: Option<Next<'a>>,
    pub open_intents: Vec<Event>,
    /// The newest applied change of the flag in the state store (who, when, why).
    pub last_change: Option<Event>,
    pub gates: &'a [Verdict],
}

/// Something at the provider that `rollout` does not manage, as `status` shows it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Unmanaged<'a> {
    pub text: &'a str,
    /// It serves users beyond the stage with no constraint: `advance` refuses until removed.
    pub widens: bool,
    /// A write of `rollout` would replace it (a hand edit of the flags file): `advance` and
    /// `rollback` refuse until removed, or forced.
    pub overwritten: bool,
}

/// The next stage of `status`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Next<'a> {
    pub stage: &'a str,
    #[schemars(with = "f64")]
    pub percentage: Percentage,
    pub allowed_at: Option<String>,
    pub allowed_now: bool,
    pub waiting_for: Vec<String>,
}

/// `rollout plan`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Plan<'a> {
    pub flag: &'a str,
    pub environment: &'a str,
    pub current: Option<&'a str>,
    pub killed: bool,
    pub stages: Vec<PlanStage<'a>>,
}

/// One stage of `plan`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PlanStage<'a> {
    pub name: &'a str,
    #[schemars(with = "f64")]
    pub percentage: Percentage,
    pub groups: &'a [String],
    pub users: &'a [String],
    pub duration: Option<String>,
    pub start: Option<String>,
    pub earliest: Option<String>,
    pub current: bool,
    pub done: bool,
    pub gates: Vec<String>,
}

/// `rollout gates`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Gates<'a> {
    pub flag: &'a str,
    pub stage: Option<&'a str>,
    pub pass: bool,
    pub gates: &'a [Verdict],
}

/// `rollout watch`, when it ends.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Watch<'a> {
    pub flag: &'a str,
    pub looks: u32,
    pub ended: &'a str,
    pub actions: &'a [String],
    /// Who held the flag's lease when the watch ended, when another run did (`ended`:
    /// `lease-busy` under `--once`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_by: Option<&'a str>,
}

/// `rollout init`: what it wrote, or with `--dry-run` would write.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Init<'a> {
    pub flag: &'a str,
    pub dry_run: bool,
    /// The project directory, absolute.
    pub dir: String,
    /// The files, relative to `dir`, in the order written.
    pub files: Vec<InitFile>,
    /// The commands to run next, in order.
    pub next: &'a [&'a str],
}

/// One file `rollout init` writes.
#[derive(Debug, Serialize, JsonSchema)]
pub struct InitFile {
    /// Relative to the project directory, `/`-separated.
    pub path: String,
    /// `stages`, `checklist` or `schema` (open: more kinds may come).
    pub kind: &'static str,
}

/// `rollout preview`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Preview<'a> {
    pub flag: &'a str,
    pub algorithm: &'a str,
    pub users: usize,
    pub stages: Vec<PreviewStage<'a>>,
    pub current: PreviewNow<'a>,
}

/// One stage of `preview`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PreviewStage<'a> {
    pub name: Option<&'a str>,
    #[schemars(with = "f64")]
    pub percentage: Percentage,
    pub on: usize,
    pub newly_on: usize,
    /// With a STAGE: the ids that are on at that stage, in file order.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<String>>")]
    pub ids: Option<IdList<'a>>,
}

/// The flag's state now, in `preview`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PreviewNow<'a> {
    pub stage: Option<&'a str>,
    pub on_now: bool,
    pub on: usize,
    /// With `--ids` and no STAGE: the ids that are on now, in file order (the same list as
    /// `preview --ids` prints).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<String>>")]
    pub ids: Option<IdList<'a>>,
}

/// The ids of a `preview` listing: held in memory (serialised as a list of strings), or
/// streamed, where [`IdList::Streamed`] stands in the document's text for list `k` until the
/// listing writer (`commands::preview::json`) puts the ids there. Either way the text is the
/// same: the writer's unit tests compare the two.
#[derive(Debug, Clone, Copy)]
pub enum IdList<'a> {
    Held(&'a [&'a str]),
    Streamed(usize),
}

impl IdList<'_> {
    /// The string that stands for streamed list `k` (a NUL starts it: no id or name is one).
    #[must_use]
    pub fn marker(k: usize) -> String {
        format!("\u{0}ids-{k}")
    }
}

impl Serialize for IdList<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            IdList::Held(ids) => ids.serialize(s),
            IdList::Streamed(k) => s.serialize_str(&Self::marker(*k)),
        }
    }
}

/// `rollout history`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct History<'a> {
    /// Journal records as written (events, checklist runs) and provider changes, newest first.
    pub entries: Vec<&'a serde_json::Value>,
    /// Older records exist beyond `--limit` (the journal is read from its end).
    pub more: bool,
    pub damaged: Vec<Damaged<'a>>,
}

/// A journal line that could not be read.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Damaged<'a> {
    pub line: usize,
    pub error: &'a str,
}

/// `rollout advance|rollback|kill|resume`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Change<'a> {
    pub action: &'a str,
    pub dry_run: bool,
    pub event: &'a Event,
    /// Only with `dry_run`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<&'a [crate::adapters::provider::Request]>,
    /// Only with `dry_run`: the webhook targets as `$VARIABLE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify: Option<Vec<String>>,
}

/// `rollout plan --power`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PlanPower<'a> {
    pub flag: &'a str,
    /// The figures every stage shares; null when stages differ (then each stage has its own).
    pub baseline: Option<f64>,
    pub max_increase: Option<f64>,
    pub alpha: Option<f64>,
    pub gates: Option<u32>,
    pub power: f64,
    pub traffic_per_hour: Option<f64>,
    pub stages: Vec<PowerStage<'a>>,
}

/// One stage of `plan --power`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PowerStage<'a> {
    pub name: &'a str,
    #[schemars(with = "f64")]
    pub percentage: Percentage,
    pub duration: Option<String>,
    /// The sample the stage needs; null when the stage compares nothing (0% or 100%) or has
    /// no compare gate.
    pub minimum: Option<crate::domain::stats::power::MinimumSample>,
    pub minimum_soak_seconds: Option<u64>,
    pub too_short: bool,
    /// Only for a stage without a compare gate (and no flags to stand in): always false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare_gate: Option<bool>,
    /// The stage's own figures, only when stages differ (the top-level ones are then null).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub figures: Option<PowerFigures>,
}

/// A stage's figures in `plan --power`, when they differ between stages.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PowerFigures {
    pub baseline: f64,
    pub max_increase: f64,
    pub alpha: f64,
    pub gates: u32,
    pub traffic_per_hour: f64,
}

/// A change read from the provider's own event log (Unleash), among `history`'s entries.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProviderChange<'a> {
    pub time: chrono::DateTime<chrono::Utc>,
    /// Who made it: from the note `rollout` wrote, else the provider's actor.
    pub actor: &'a str,
    /// Always `provider-change`.
    pub action: &'a str,
    /// The provider kind.
    pub source: &'a str,
    pub flag: &'a str,
    pub environment: &'a str,
    /// The provider's event type, e.g. `feature-strategy-update`.
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub event_id: u64,
    pub summary: &'a str,
    /// The actor as the provider recorded it.
    pub unleash_actor: &'a str,
}

/// `rollout state status`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct StateStatus<'a> {
    /// `local`, `postgres` or `git`.
    pub kind: &'a str,
    /// Where it is (never a URL's password).
    pub place: &'a str,
    pub reachable: bool,
    /// Why it could not be reached.
    pub error: Option<&'a str>,
    /// The store's schema version (None when unreachable).
    pub schema_version: Option<u32>,
    /// Records stored (None when unreachable).
    pub records: Option<u64>,
    /// Leases not yet expired.
    pub leases: Vec<LeaseHeld<'a>>,
    /// Records a kill kept in `.rollout/outbox.jsonl` that have not reached the store yet.
    pub outbox: usize,
}

/// `rollout state push`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct StatePush<'a> {
    pub kind: &'a str,
    pub place: &'a str,
    /// Records read from the local journal and outbox.
    pub read: usize,
    /// Records the store did not hold and now does.
    pub stored: usize,
    /// Records the store held already (by id): not stored twice.
    pub already: usize,
}

/// A lease held on a flag in an environment.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LeaseHeld<'a> {
    pub flag: &'a str,
    pub environment: &'a str,
    /// `{actor} on {hostname} (pid {pid})`.
    pub holder: &'a str,
    /// The fencing token: grows with every grant.
    pub token: u64,
    pub expires: chrono::DateTime<chrono::Utc>,
}
