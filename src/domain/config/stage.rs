//! One named step of the rollout plan.

use std::time::Duration;

use chrono::NaiveDate;

use super::format;
use super::Percentage;
use crate::domain::diagnostic::Pos;

/// One stage as read, validated; also its format in the stages.yaml schema (src/schema/), where
/// each field is described as written.
#[derive(Debug, Clone, schemars::JsonSchema)]
#[schemars(deny_unknown_fields, description = "One named step of the plan.")]
pub struct Stage {
    /// The stage's name, typed as `rollout advance NAME` (no spaces or commas).
    #[schemars(regex(pattern = r"^[^\s,]+$"))]
    pub name: String,
    /// The share of users on, from 0 to 100 (whole numbers for Unleash; at most 3 decimals).
    #[schemars(with = "format::Percent")]
    pub percentage: Percentage,
    /// User groups on from this stage on (the context attribute `group`).
    #[schemars(with = "Option<format::OneOrMany>")]
    pub groups: Vec<String>,
    /// User ids on from this stage on.
    #[schemars(with = "Option<format::OneOrMany>")]
    pub users: Vec<String>,
    /// Planned start date (YYYY-MM-DD); advancing before it needs --force --reason.
    #[schemars(with = "Option<String>", extend("format" = "date"))]
    pub start: Option<NaiveDate>,
    /// Minimum soak before the next stage: 30m, 36h, 3d (default: none, the next stage may follow
    /// at once).
    #[schemars(with = "Option<format::Duration>")]
    pub duration: Option<Duration>,
    /// The gates that apply at this stage (default: every gate; `[]`: none).
    #[schemars(with = "Option<format::OneOrMany>")]
    pub gates: Option<Vec<String>>,
    #[schemars(skip)]
    pub pos: Pos,
}
