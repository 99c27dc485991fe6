//! What `rollout check USER` shows, gathered: the first stage whose audience includes the user,
//! and whether the flag is on for them now. The command prints it.

use crate::app::context::Context;
use crate::domain::error::Result;
use crate::ports::provider::FlagState;

use super::{position, Position};

/// One user (with their groups) against the plan and the flag.
pub struct UserCheck {
    /// The flag as read.
    pub state: FlagState,
    /// The first stage that includes the user (by name, group or bucket), if any.
    pub first: Option<usize>,
    /// The stage the flag is at, where it is at one.
    pub stage_now: Option<String>,
    /// The flag is on for the user now.
    pub on_now: bool,
    /// The flag is killed.
    pub killed: bool,
}

/// Reads the flag and how the provider buckets users, and places `user` (in `groups`).
pub async fn check(ctx: &Context, user: &str, groups: &[String]) -> Result<UserCheck> {
    let config = &ctx.config;
    let state = ctx.provider.read().await?;
    let bucketing = ctx.provider.bucketing(&state)?;
    let bucket = bucketing.bucket(user);
    let in_group = |list: &[String]| groups.iter().any(|g| list.contains(g));
    let first = (0..config.stages.len()).find(|&i| {
        let (users, stage_groups) = config.cumulative_audience(i);
        users.iter().any(|u| u == user)
            || in_group(&stage_groups)
            || bucketing.includes(bucket, config.stages[i].percentage)
    });
    let on_now = state.exists
        && state.on
        && (state.users.iter().any(|u| u == user)
            || in_group(&state.groups)
            || bucketing.includes(bucket, state.percentage));
    let stage_now = match position(config, &state) {
        Position::At(i) => Some(config.stages[i].name.clone()),
        _ => None,
    };
    Ok(UserCheck {
        killed: state.exists && !state.on,
        state,
        first,
        stage_now,
        on_now,
    })
}
