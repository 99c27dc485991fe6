//! `rollout check USER`: the first stage that includes USER, and whether it is on for USER now.

use super::session::Session;
use crate::app::engine::{self, UserCheck};
use crate::domain::error::Result;

pub async fn run(ctx: &Session, user: &str, groups: &[String]) -> Result<i32> {
    let config = &ctx.config;
    let UserCheck {
        state,
        first,
        stage_now,
        on_now,
        killed,
    } = engine::check(ctx, user, groups).await?;
    if ctx.out.json {
        crate::interface::json_out::emit(
            &ctx.out,
            &crate::interface::json_out::rollout::Check {
                user,
                groups,
                flag: &config.flag,
                first_stage: first.map(|i| config.stages[i].name.as_str()),
                stage_now: stage_now.as_deref(),
                killed,
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
    let where_text = match (&stage_now, killed) {
        (_, true) => " (the flag is killed)".to_string(),
        (Some(s), false) => format!(" (at {s})"),
        (None, false) if !state.exists => " (not started)".to_string(),
        (None, false) => format!(" (at {})", state.percentage),
    };
    ctx.out
        .data(&format!("{user}: {first_text}; now {now_text}{where_text}"));
    Ok(0)
}
