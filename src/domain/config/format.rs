//! The format of `stages.yaml`, as types: the source of `docs/schema/stages.schema.json`.
//! Doc comments become the descriptions editors show.

#![allow(dead_code)] // Described, never built: the reader in `config` builds the typed values.

use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema};
use serde_json::{json, Map, Value};

use super::defaults as d;
// Where the value read has the shape written, the reader's own type is the format: one set, not
// a copy (docs/schema.md "One source of the keys and defaults").
pub use super::{
    Compare, DefaultsDatadog, DefaultsPrometheus, GateDefaults, NotifyTarget, ProviderKind,
    ProviderOverrides, Reduce, Severity, Stage,
};

/// The rollout plan of one feature flag (`rollout validate` checks it; docs/schema.md).
#[derive(JsonSchema)]
#[schemars(title = "stages.yaml", deny_unknown_fields)]
pub struct StagesFile {
    /// The flag key, exactly as the provider knows it (no spaces).
    #[schemars(regex(pattern = r"^\S+$"))]
    flag: String,
    /// Where the flag lives. Absent: the embedded file provider (.rollout/flags.json).
    provider: Option<Provider>,
    /// Per-environment overrides of the provider block, picked with `--env NAME`.
    environments: Option<BTreeMap<String, ProviderOverrides>>,
    /// The stages, in order; percentages strictly increase.
    #[schemars(length(min = 1))]
    stages: Vec<Stage>,
    /// Webhooks that receive every recorded event (Slack-compatible).
    notify: Option<Vec<NotifyTarget>>,
    /// Shared settings of the gate sources.
    defaults: Option<GateDefaults>,
    /// Metric gates: checked before `advance` and by `watch`.
    #[schemars(length(min = 1))]
    gates: Option<Vec<Gate>>,
    /// Where the journal, the leases and watch's looks live, for every command and `checklist`
    /// (docs/team.md). Absent: `.rollout/journal.jsonl` of this checkout.
    state: Option<State>,
}

/// The `state:` block. `url_env` is read by kind postgres, `remote` and `branch` by kind git.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct State {
    /// Where the records live.
    #[schemars(extend("default" = "local"))]
    kind: Option<StateKindName>,
    /// postgres: the NAME of the environment variable holding the database URL (never the URL
    /// itself: it is never written in stages.yaml nor printed).
    #[schemars(regex(pattern = "^[A-Za-z_][A-Za-z0-9_]*$"))]
    url_env: Option<String>,
    /// git: the repository whose branch holds the records: a URL or a path.
    remote: Option<String>,
    /// git: the branch the records are committed to.
    #[schemars(extend("default" = super::DEFAULT_GIT_BRANCH))]
    branch: Option<String>,
    /// How long a lease holds without renewal (advance, rollback, resume and watch hold one).
    #[schemars(extend("default" = crate::domain::clock::span(super::DEFAULT_LEASE)))]
    lease: Option<Duration>,
}

/// The kinds of state store.
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
pub enum StateKindName {
    /// `.rollout/journal.jsonl` of this checkout: one machine's records.
    Local,
    /// A PostgreSQL database (`url_env`).
    Postgres,
    /// Commits on a branch of a git repository (`remote`, `branch`).
    Git,
}

/// The `provider:` block. Each kind reads some of these keys; the others are refused.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = provider_defaults)]
pub struct Provider {
    /// The provider kind.
    kind: Option<ProviderKind>,
    #[serde(flatten)]
    settings: ProviderOverrides,
}

/// The defaults of the `provider:` block, from the values the reader applies (`environments:`
/// entries have none: their absent keys inherit): `default` where one value holds for every
/// kind, `x-default-by-kind` (kind name to value) where it depends on the kind.
fn provider_defaults(schema: &mut Schema) {
    let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    let mut set = |key: &str, keyword: &str, value: Value| {
        if let Some(p) = props.get_mut(key).and_then(Value::as_object_mut) {
            p.insert(keyword.into(), value);
        }
    };
    set("kind", "default", json!(ProviderKind::File.name()));
    set("environment", "default", json!(d::DEFAULT_ENVIRONMENT));
    set("path", "default", json!(d::DEFAULT_FLAGS_FILE));
    let by_kind = |f: fn(ProviderKind) -> Option<&'static str>| {
        let kinds = ProviderKind::NAMES
            .iter()
            .filter_map(|n| ProviderKind::parse(n));
        Value::Object(
            kinds
                .filter_map(|k| Some((k.name().to_string(), json!(f(k)?))))
                .collect::<Map<_, _>>(),
        )
    };
    set(
        "url",
        "x-default-by-kind",
        by_kind(ProviderKind::default_url),
    );
    set(
        "token_env",
        "x-default-by-kind",
        by_kind(ProviderKind::default_token_env),
    );
    set(
        "project",
        "x-default-by-kind",
        by_kind(ProviderKind::default_project),
    );
}

/// A text value or a list of them.
#[derive(JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// A percentage from 0 to 100: `25`, or written with its sign, `25%`.
#[derive(JsonSchema)]
#[serde(untagged)]
pub enum Percent {
    Plain(#[schemars(range(min = 0, max = 100))] f64),
    Signed(PercentText),
}

/// A number followed by `%`, which the reader takes as the number.
#[derive(JsonSchema)]
#[schemars(transparent)]
pub struct PercentText(#[schemars(regex(pattern = r"^[-+]?[0-9][0-9.eE+-]*%+$"))] String);

/// A number: `0.01`, or written with a `%` sign (read as the number before it).
#[derive(JsonSchema)]
#[serde(untagged)]
pub enum Number {
    Plain(f64),
    Signed(PercentText),
}

/// A duration: a number and a unit, e.g. 30m, 36h, 3d.
#[derive(JsonSchema)]
#[schemars(transparent)]
pub struct Duration(#[schemars(regex(pattern = r"^\s*\d"))] String);

/// A metric gate: exactly one source, and a threshold (`max`, `min` or `compare`).
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Gate {
    /// The gate's name (no spaces or commas), listed by stages under `gates:`.
    #[schemars(regex(pattern = r"^[^\s,]+$"))]
    name: String,
    prometheus: Option<PrometheusSource>,
    datadog: Option<DatadogSource>,
    http: Option<HttpSource>,
    /// A shell command: its exit code, or one number on stdout.
    command: Option<String>,
    /// Fails above this.
    max: Option<Number>,
    /// Fails below this.
    min: Option<Number>,
    /// How long a breach must hold (over consecutive looks) before it counts.
    #[serde(rename = "for")]
    #[schemars(extend("default" = crate::domain::clock::span(d::DEFAULT_HOLD)))]
    hold: Option<Duration>,
    /// How much a breach matters.
    #[schemars(extend("default" = d::DEFAULT_SEVERITY))]
    severity: Option<Severity>,
    compare: Option<Compare>,
}

/// A PromQL `query`, or `errors` and `total` (with `{variant}` and `{window}`) for `compare`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PrometheusSource {
    /// A PromQL instant query.
    query: Option<String>,
    /// Errors of one variant, for a compare gate.
    errors: Option<String>,
    /// All requests of one variant, for a compare gate.
    total: Option<String>,
}

/// A Datadog metrics query.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DatadogSource {
    query: String,
    /// How far back to read.
    #[schemars(extend("default" = crate::domain::clock::span(d::DEFAULT_DATADOG_WINDOW)))]
    window: Option<Duration>,
    /// How the series becomes one value.
    #[schemars(extend("default" = d::DEFAULT_REDUCE.name()))]
    reduce: Option<Reduce>,
}

/// An HTTP GET: its status, and optionally a number at a JSON pointer of its body.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct HttpSource {
    #[schemars(url)]
    url: String,
    /// The status that passes.
    #[schemars(range(min = 100, max = 599), extend("default" = d::DEFAULT_EXPECT_STATUS))]
    expect_status: Option<u16>,
    /// A JSON pointer to the number to compare, e.g. /checks/latency_ms.
    #[schemars(regex(pattern = "^/"))]
    pointer: Option<String>,
}

crate::domain::keys::keys!(
    StagesFile,
    Provider,
    ProviderOverrides,
    super::FileSettings,
    super::UnleashSettings,
    super::LaunchDarklySettings,
    super::HttpSettings,
    Stage,
    NotifyTarget,
    GateDefaults,
    DefaultsPrometheus,
    DefaultsDatadog,
    Gate,
    PrometheusSource,
    DatadogSource,
    HttpSource,
    Compare,
    State,
);
