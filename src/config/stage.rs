//! One named step of the rollout plan.

use std::time::Duration;

use chrono::NaiveDate;

use super::Percentage;
use crate::diagnostic::Pos;

#[derive(Debug, Clone)]
pub struct Stage {
    pub name: String,
    pub percentage: Percentage,
    /// Groups included from this stage on (the context attribute `group`).
    pub groups: Vec<String>,
    /// User ids included from this stage on.
    pub users: Vec<String>,
    /// Planned start date: advancing to this stage before it needs `--force`.
    pub start: Option<NaiveDate>,
    /// Minimum soak before the next stage.
    pub duration: Option<Duration>,
    /// The gates that apply at this stage (`None`: every gate).
    pub gates: Option<Vec<String>>,
    pub pos: Pos,
}
