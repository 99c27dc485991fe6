//! What a gate saw and what it means, as values: each gate's verdict at one look (`pass`, `fail`,
//! `no-data`, `error`, `not-applicable`), the compact form journaled, and `for:` across looks ([`Tracker`]).
//! Reading the sources is the adapters' job (`crate::adapters::gates`); deciding what a verdict
//! means for a change is [`crate::domain::rules`]'s.

mod track;

use serde::Serialize;

pub use track::Tracker;

use crate::domain::config::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Fail,
    NoData,
    Error,
    // The gate does not apply at this look, so it neither passes nor blocks: a compare gate
    // before the first stage, when nothing is on to compare with `off`. (A plain comment: a
    // doc comment would turn the JSON Schema's enum into a oneOf.)
    NotApplicable,
}

impl Status {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NoData => "no-data",
            Status::Error => "error",
            Status::NotApplicable => "not-applicable",
        }
    }
}

/// What a source read.
#[derive(Debug, Clone)]
pub enum Reading {
    /// One number (with how it was reduced, where that applies).
    Value(f64, Option<String>),
    /// The source's own pass (HTTP status as expected, exit 0), with what it saw.
    Passed(String),
    /// The source's own fail, with what it saw and the number behind it.
    Failed(String, Option<f64>),
    /// Nothing to judge: an empty answer, NaN, all points null.
    NoData(String),
    /// The source could not answer: unreachable, a bad query, several series, bad keys.
    Error(String),
    /// The gate does not apply now (why): a compare gate before the first stage.
    NotApplicable(String),
    /// A `compare:` gate's decision (the statistics module's verdict).
    Compared(Box<crate::domain::stats::CompareVerdict>),
}

/// A gate's verdict at one look.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Verdict {
    pub gate: String,
    pub source: &'static str,
    pub severity: Severity,
    pub verdict: Status,
    /// The number read, when there is one (never NaN or infinite: those are in `shown`).
    pub value: Option<f64>,
    /// The value for people: `0.0123`, `NaN`, `+Inf`, `-`, `200`.
    pub shown: String,
    /// `max 0.01`, `min 0.05`, `status 200`, `exit 0`.
    pub threshold: String,
    /// What the value covers: `5m`, `instant`, `now`.
    pub window: String,
    /// Why the verdict is what it is, when the value alone does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// The `for:` of the gate.
    #[serde(rename = "for")]
    pub hold: String,
    /// How long the breach has held so far (consecutive failing looks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held: Option<String>,
    /// The breach has held for the gate's `for:`.
    pub sustained: bool,
    /// A `compare:` gate's whole decision: both arms (errors, total, rate), the difference with
    /// its always-valid interval, alpha, the sample still needed, the split test.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<Box<crate::domain::stats::CompareVerdict>>,
}

impl Verdict {
    #[must_use]
    pub fn passed(&self) -> bool {
        self.verdict == Status::Pass
    }

    /// The gate stops an `advance` (by its verdict; its severity decides too): anything but
    /// `pass` and `not-applicable`.
    #[must_use]
    pub fn holds(&self) -> bool {
        !matches!(self.verdict, Status::Pass | Status::NotApplicable)
    }

    /// One line for people: `error-rate fail: 0.023 > max 0.01 (5m, critical)`.
    #[must_use]
    pub fn line(&self) -> String {
        let bound = self.threshold.starts_with("max") || self.threshold.starts_with("min");
        let (value, thr) = (&self.shown, &self.threshold);
        let body = match self.verdict {
            Status::Fail if thr.starts_with("max") => format!("{value} > {thr}"),
            Status::Fail if thr.starts_with("min") => format!("{value} < {thr}"),
            Status::Fail => format!("{value}, expected {thr}"),
            Status::Pass if bound => format!("{value} within {thr}"),
            Status::Pass => value.clone(),
            _ if value == "-" => thr.clone(),
            _ => format!("{value} vs {thr}"),
        };
        let mut s = format!(
            "{} {}: {body} ({}, {})",
            self.gate,
            self.verdict.name(),
            self.window,
            self.severity.name()
        );
        if let Some(held) = self.held.as_ref().filter(|_| self.hold != "0s") {
            s.push_str(&format!(", held {held} of {}", self.hold));
        }
        if let Some(why) = &self.why {
            s.push_str(&format!(": {why}"));
        }
        s
    }

    /// The compact form journaled with each look and change.
    #[must_use]
    pub fn seen(&self) -> Seen {
        Seen {
            gate: self.gate.clone(),
            verdict: self.verdict,
            value: self.shown.clone(),
            threshold: self.threshold.clone(),
            on: self.compare.as_ref().map(|c| Arm {
                errors: c.on.errors,
                total: c.on.total,
            }),
            off: self.compare.as_ref().map(|c| Arm {
                errors: c.off.errors,
                total: c.off.total,
            }),
        }
    }
}

/// A verdict as journaled: gate, verdict, value and threshold.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Seen {
    pub gate: String,
    pub verdict: Status,
    pub value: String,
    pub threshold: String,
    /// A compare gate's treatment arm at this look.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<Arm>,
    /// A compare gate's control arm at this look.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub off: Option<Arm>,
}

/// One arm of a compare gate as journaled: errors and requests since the stage started.
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Arm {
    pub errors: f64,
    pub total: f64,
}

impl<'de> serde::Deserialize<'de> for Status {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "pass" => Status::Pass,
            "fail" => Status::Fail,
            "no-data" => Status::NoData,
            "not-applicable" => Status::NotApplicable,
            _ => Status::Error,
        })
    }
}

/// A number for people: short, exact enough to compare with the threshold.
#[must_use]
pub fn num(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    // Past a trillion, digits stop helping: `1e308` would be 309 of them.
    if v.abs() >= 1e12 {
        return format!("{v:.3e}");
    }
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "0" || s == "-0" {
        if v == 0.0 {
            "0".into()
        } else {
            format!("{v:.3e}")
        }
    } else {
        s.to_string()
    }
}

/// `text` on one line without control characters, at most `max` characters.
#[must_use]
pub fn plain(text: &str, max: usize) -> String {
    let one: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if one.chars().count() > max {
        format!("{}…", one.chars().take(max).collect::<String>())
    } else {
        one
    }
}
