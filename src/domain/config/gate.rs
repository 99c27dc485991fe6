//! `gates:` and `defaults:` in stages.yaml (docs/gates.md), read into typed values and
//! validated with file:line:column like the rest of the file.

use std::time::Duration;

use super::format;
use super::gate_source::read_source;
use crate::domain::diagnostic::Pos;
use crate::domain::keys::Keys;
use crate::domain::yaml::{Node, Value};
use crate::domain::yaml_reader::{did_you_mean, Fields, Reader};

// What an absent key means; config::format publishes these as the schema's defaults.
pub(crate) const DEFAULT_DATADOG_WINDOW: Duration = Duration::from_secs(300);
pub(crate) const DEFAULT_REDUCE: Reduce = Reduce::Last;
pub(crate) const DEFAULT_SEVERITY: Severity = Severity::Critical;
/// `for:`: the first breach counts.
pub(crate) const DEFAULT_HOLD: Duration = Duration::ZERO;
pub(crate) const DEFAULT_EXPECT_STATUS: u16 = 200;
/// `compare.alpha`: the false-alarm bound across looks.
pub(crate) const DEFAULT_ALPHA: f64 = 0.05;

/// How much a gate's breach matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Refuses `advance`; `watch` kills the flag on a sustained breach.
    Critical,
    /// Refuses `advance`; `watch` holds (does not advance) and notifies.
    Warning,
    /// Shown and notified; never blocks.
    Info,
}

impl Severity {
    pub const NAMES: [&'static str; 3] = ["critical", "warning", "info"];

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// Whether a gate of this severity that does not pass refuses `advance`.
    #[must_use]
    pub fn blocks(self) -> bool {
        !matches!(self, Severity::Info)
    }
}

/// How a Datadog series becomes one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Reduce {
    Last,
    Avg,
    Max,
    Min,
}

impl Reduce {
    pub const NAMES: [&'static str; 4] = ["last", "avg", "max", "min"];

    pub(super) fn parse(s: &str) -> Option<Reduce> {
        match s {
            "last" => Some(Reduce::Last),
            "avg" => Some(Reduce::Avg),
            "max" => Some(Reduce::Max),
            "min" => Some(Reduce::Min),
            _ => None,
        }
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Reduce::Last => "last",
            Reduce::Avg => "avg",
            Reduce::Max => "max",
            Reduce::Min => "min",
        }
    }
}

/// Where a gate reads its value.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A PromQL instant query.
    Prometheus { query: String },
    /// Two PromQL queries with `{variant}` and `{window}`, for a `compare:` gate.
    PrometheusCounts { errors: String, total: String },
    /// A Datadog metrics query over `window`, reduced to one value.
    Datadog {
        query: String,
        window: Duration,
        reduce: Reduce,
    },
    /// An HTTP GET: its status, and optionally a number at a JSON pointer of its body.
    Http {
        url: String,
        expect_status: u16,
        pointer: Option<String>,
    },
    /// A shell command: its exit code, or one number on stdout.
    Command { run: String },
}

impl Source {
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Prometheus { .. } | Source::PrometheusCounts { .. } => "prometheus",
            Source::Datadog { .. } => "datadog",
            Source::Http { .. } => "http",
            Source::Command { .. } => "command",
        }
    }
}

/// `compare:`: treatment (`on`) against control (`off`), defaults applied; also its format in the
/// stages.yaml schema (src/schema/), where `alpha` may be left out.
#[derive(Debug, Clone, PartialEq, schemars::JsonSchema)]
#[schemars(
    deny_unknown_fields,
    description = "Treatment (`on`) against control (`off`)."
)]
pub struct Compare {
    /// How much higher the error ratio of `on` may be (absolute: 0.005 is 0.5 points).
    #[schemars(with = "crate::domain::config::format::Number")]
    pub max_increase: f64,
    /// False-alarm bound across looks.
    #[schemars(
        with = "Option<f64>",
        range(min = 0, max = 1),
        extend("default" = DEFAULT_ALPHA)
    )]
    pub alpha: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    pub name: String,
    pub source: Source,
    /// Fails above this.
    pub max: Option<f64>,
    /// Fails below this.
    pub min: Option<f64>,
    pub compare: Option<Compare>,
    /// How long a breach must hold (over consecutive looks) before it counts.
    pub hold: Duration,
    pub severity: Severity,
    pub pos: Pos,
}

/// The gates, and the names of every gate written (valid or not, so that a stage naming a gate
/// with a problem of its own is not reported twice).
pub(super) fn read_gates(r: &mut Reader, node: &Node) -> (Vec<Gate>, Vec<String>) {
    let items = r.items(
        node,
        "gates",
        "gate",
        "- { name: error-rate, prometheus: { query: '...' }, max: 0.01 }",
    );
    let mut out: Vec<Gate> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let what = format!("gate {}", i + 1);
        let Some(fields) = r.mapping(item, &what, format::Gate::keys()) else {
            continue;
        };
        let Some((name, name_pos)) =
            r.required(&fields, "name", &what, "error-rate")
                .and_then(|n| {
                    r.string(n, &format!("the name of {what}"))
                        .map(|s| (s, n.pos))
                })
        else {
            continue;
        };
        names.push(name.clone());
        if !name_ok(r, &out, &name, name_pos) {
            continue;
        }
        if let Some(gate) = read_gate(r, &fields, name, item.pos) {
            out.push(gate);
        }
    }
    (out, names)
}

/// Whether `name` can name a gate: one word, not taken by an earlier gate of `out`.
fn name_ok(r: &mut Reader, out: &[Gate], name: &str, name_pos: Pos) -> bool {
    if name.trim().is_empty() || name.chars().any(|c| c.is_whitespace() || c == ',') {
        r.error(
            name_pos,
            format!("gate name `{name}` is empty or has spaces"),
            "use a short word such as `error-rate`",
        );
        return false;
    }
    if let Some(prev) = out.iter().find(|g| g.name == name) {
        r.error(
            name_pos,
            format!(
                "gate `{name}` is defined twice (first at line {})",
                prev.pos.line
            ),
            "give each gate its own name",
        );
        return false;
    }
    let key = super::lookalike::skeleton(name);
    if let Some(prev) = out
        .iter()
        .find(|g| super::lookalike::skeleton(&g.name) == key)
    {
        r.error(
            name_pos,
            format!(
                "gate `{name}` looks like gate `{}` (line {}): they differ only in case or in \
                 characters drawn alike: {}",
                prev.name,
                prev.pos.line,
                super::lookalike::differences(name, &prev.name)
            ),
            "give each gate a name that reads differently; plain ASCII letters are safest",
        );
        return false;
    }
    true
}

/// The gate `name` from its mapping `fields` (at `pos`), or `None` when it has a problem.
fn read_gate(r: &mut Reader, fields: &Fields<'_>, name: String, pos: Pos) -> Option<Gate> {
    let what = format!("gate `{name}`");
    let number = |r: &mut Reader, key: &str| {
        fields
            .value(key)
            .and_then(|n| r.number(n, &format!("`{key}` of {what}")))
    };
    let max = number(r, "max");
    let min = number(r, "min");
    let hold = fields
        .value("for")
        .and_then(|n| r.duration(n, &format!("`for` of {what}")))
        .unwrap_or(DEFAULT_HOLD);
    let severity = fields
        .value("severity")
        .and_then(|n| read_severity(r, n, &what))
        .unwrap_or(DEFAULT_SEVERITY);
    let compare = fields
        .value("compare")
        .and_then(|n| read_compare(r, n, &what));
    let source = read_source(r, fields, &what)?;
    let gate = Gate {
        name,
        source,
        max,
        min,
        compare,
        hold,
        severity,
        pos,
    };
    consistent(r, fields, &what, &gate).then_some(gate)
}

/// Whether the thresholds of `gate` go together and with its source; says what does not.
fn consistent(r: &mut Reader, fields: &Fields<'_>, what: &str, gate: &Gate) -> bool {
    let (max, min, compare, source) = (gate.max, gate.min, &gate.compare, &gate.source);
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            r.error(
                fields.key_pos("min").unwrap_or(fields.pos),
                format!("{what} has min {lo} above max {hi}: it could never pass"),
                "swap them, or drop one",
            );
        }
    }
    let own_verdict = matches!(source, Source::Http { .. } | Source::Command { .. });
    // A `compare:` with a problem of its own is reported there, not again here.
    let compare_written = fields.get("compare").is_some();
    if max.is_none() && min.is_none() && !compare_written && !own_verdict {
        r.error(
            fields.pos,
            format!("{what} has no threshold: neither `max`, `min` nor `compare`"),
            "add `max: 0.01` (fails above it) or `min: 0.05` (fails below it)",
        );
        return false;
    }
    if compare_written && compare.is_none() {
        return false;
    }
    if compare.is_some() != matches!(source, Source::PrometheusCounts { .. }) {
        r.error(
            fields.key_pos("compare").unwrap_or(fields.pos),
            format!("{what}: `compare` goes with a prometheus source of `errors:` and `total:` queries (and only with that)"),
            "write `prometheus: { errors: '...{variant}...[{window}]', total: '...' }` with `compare: { max_increase: 0.005 }`",
        );
        return false;
    }
    if compare.is_some() && (max.is_some() || min.is_some()) {
        r.error(
            fields.pos,
            format!("{what} has both `compare` and `max`/`min`"),
            "a compare gate judges treatment against control: drop `max`/`min`",
        );
        return false;
    }
    if let Source::Http { pointer: None, .. } = source {
        if max.is_some() || min.is_some() {
            r.error(
                fields.pos,
                format!("{what} compares with `max`/`min` but reads no value"),
                "add `pointer: /path/to/number` under `http:` (a JSON pointer into the body)",
            );
            return false;
        }
    }
    true
}

fn read_severity(r: &mut Reader, node: &Node, what: &str) -> Option<Severity> {
    let text = r.string(node, &format!("`severity` of {what}"))?;
    match text.as_str() {
        "critical" => Some(Severity::Critical),
        "warning" => Some(Severity::Warning),
        "info" => Some(Severity::Info),
        _ => {
            let help = match did_you_mean(&text, &Severity::NAMES) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "write one of: critical, warning, info".into(),
            };
            r.error(node.pos, format!("unknown severity `{text}`"), help);
            None
        }
    }
}

fn read_compare(r: &mut Reader, node: &Node, what: &str) -> Option<Compare> {
    let what = format!("`compare` of {what}");
    let fields = r.mapping(node, &what, format::Compare::keys())?;
    let max_increase = r
        .required(&fields, "max_increase", &what, "0.005")
        .and_then(|n| r.number(n, &format!("`max_increase` of {what}")))?;
    let alpha = match fields.value("alpha") {
        Some(n) => {
            let a = r.number(n, &format!("`alpha` of {what}"))?;
            if !(a > 0.0 && a < 1.0) {
                r.error(
                    n.pos,
                    format!("`alpha` of {what} is {a}, not between 0 and 1"),
                    "write a small probability, e.g. 0.05",
                );
                return None;
            }
            a
        }
        None => DEFAULT_ALPHA,
    };
    Some(Compare {
        max_increase,
        alpha,
    })
}

/// The gate names a stage lists under `gates:`, checked against the defined gates.
pub(super) fn read_stage_gates(
    r: &mut Reader,
    node: &Node,
    what: &str,
    defined: &[&str],
) -> Option<Vec<String>> {
    let names = r.string_list(node, &format!("`gates` of {what}"))?;
    if matches!(node.value, Value::Scalar { .. }) && node.is_null() {
        return Some(Vec::new());
    }
    let mut out = Vec::new();
    for (name, pos) in names {
        if !defined.contains(&name.as_str()) {
            let help = match did_you_mean(&name, defined) {
                Some(s) => format!("did you mean `{s}`?"),
                None if defined.is_empty() => "define it under the top-level `gates:`".into(),
                None => format!("the gates are: {}", defined.join(", ")),
            };
            r.error(
                pos,
                format!("{what} names gate `{name}`, which is not defined"),
                help,
            );
        } else if out.contains(&name) {
            r.error(
                pos,
                format!("gate `{name}` is listed twice in {what}"),
                "list each gate once",
            );
        } else {
            out.push(name);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use crate::domain::config::Config;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(std::path::Path::new("stages.yaml"), text).map_err(|e| e.message)
    }

    #[test]
    fn defaults_pick_the_datadog_site_and_key_variables() {
        let c = parse(
            "flag: f
defaults:
  datadog: { site: us5.datadoghq.com, api_key_env: OUR_DD_API }
gates:
  - { name: r, datadog: { query: 'avg:x{*}', window: 15m, reduce: max }, max: 1, severity: warning }
stages: [{ name: a, percentage: 5, gates: [r] }]
",
        )
        .unwrap();
        if std::env::var_os("ROLLOUT_DATADOG_URL").is_none() {
            assert_eq!(c.defaults.datadog_url(), "https://api.us5.datadoghq.com");
        }
        assert_eq!(
            c.defaults.datadog_keys(),
            ("OUR_DD_API".to_string(), "DD_APP_KEY".to_string())
        );
        let g = &c.gates[0];
        assert_eq!(g.severity, super::Severity::Warning);
        assert_eq!(
            g.source,
            super::Source::Datadog {
                query: "avg:x{*}".into(),
                window: std::time::Duration::from_secs(900),
                reduce: super::Reduce::Max
            }
        );
        assert_eq!(c.stage_gates(0).len(), 1);
    }

    #[test]
    fn a_compare_gate_needs_counts_and_a_bad_default_is_pinned() {
        let err = parse(
            "flag: f
defaults:
  datadog: { site: 'not a site', api_key_env: 'dd key' }
  prometheus: { url: 'ftp://x' }
gates:
  - { name: c, prometheus: { query: 'up' }, compare: { max_increase: 0.01 } }
  - { name: d, prometheus: { errors: 'a', total: 'b' }, compare: { max_increase: 0.01, alpha: 2 } }
  - { name: e, http: { url: 'http://x', pointer: 'latency' }, max: 3 }
  - { name: f, http: { url: 'http://x' }, max: 3 }
  - { name: g, command: 'true', min: 2, max: 1 }
stages: [{ name: a, percentage: 5 }]
",
        )
        .unwrap_err();
        for want in [
            "stages.yaml:3:20: `not a site` is not a Datadog site",
            "stages.yaml:3:47: `api_key_env` must name an environment variable",
            "stages.yaml:4:22: the `url` in `defaults.prometheus` is not an http(s) URL",
            "stages.yaml:6:45: gate `c`: `compare` goes with a prometheus source of `errors:` and `total:` queries",
            "stages.yaml:7:95: `alpha` of `compare` of gate `d` is 2, not between 0 and 1",
            "stages.yaml:8:50: `pointer` of `http` of gate `e` is not a JSON pointer",
            "stages.yaml:9:5: gate `f` compares with `max`/`min` but reads no value",
            "stages.yaml:10:33: gate `g` has min 2 above max 1: it could never pass",
        ] {
            assert!(err.contains(want), "missing {want:?} in\n{err}");
        }
        assert!(err.contains("8 problems in stages.yaml"), "{err}");
    }
}
