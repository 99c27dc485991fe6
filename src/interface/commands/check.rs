//! `rollout check USER`: the first stage that includes USER, and whether it is on for USER now.

use super::session::Session;
use crate::app::engine::{self, Position};
use crate::domain::error::Result;

pub async fn run(ctx: &Session, user: &str, groups: &[String]) -> Result<i32> {
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
    let pos = engine::position(config, &state);
    let on_now = state.exists
        && state.on
        && (state.users.iter().any(|u| u == user)
            || in_group(&state.groups)
            || bucketing.includes(bucket, state.percentage));
    let stage_now = match pos {
        Position::At(i) => Some(config.stages[i].name.clone()),
        _ => None,
    };
    if ctx.out.json {
        crate::interface::json_out::emit(
            &ctx.out,
            &crate::interface::json_out::rollout::Check {
                user,
                groups,
                flag: &config.flag,
                first_stage: first.map(|i| config.stages[i].name.as_str()),
                stage_now: stage_now.as_deref(),
                killed: state.exists && !state.on,
                on_now,
            },
        );
        return Ok(0);
    }
    let first_text = match first {
        Some(i) => format!(
            "first on at {} ({})",
            config.stages[i].name, config.stages[i].percentage
        ),
        None => "on at no stage".to_string(),
    };
    let now_text = if on_now {
        ctx.out.green("on")
    } else {
        ctx.out.red("off")
    };
    let where_text = match (&stage_now, state.exists && !state.on) {
        (_, true) => " (the flag is killed)".to_string(),
        (Some(s), false) => format!(" (at {s})"),
        (None, false) if !state.exists => " (not started)".to_string(),
        (None, false) => format!(" (at {})", state.percentage),
    };
    ctx.out
        .data(&format!("{user}: {first_text}; now {now_text}{where_text}"));
    Ok(0)
}
