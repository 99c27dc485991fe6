//! `rollout kill`: the emergency switch.

use crate::app::{apply, engine};
use crate::domain::config::in_environment;
use crate::domain::error::Result;

use super::change;
use super::session::Session;

pub async fn run(ctx: &Session, reason: Option<String>) -> Result<i32> {
    let reason = reason.filter(|r| !r.trim().is_empty());
    let outcome = if ctx.dry_run {
        // Read and decide as the kill would, then plan the off instead of sending it.
        let outcome = apply::plan_kill(ctx, engine::kill(ctx, reason).await?)?;
        change::show_dry_run(ctx, &outcome);
        outcome
    } else {
        apply::kill(ctx, reason).await?
    };
    let e = &outcome.event;
    let line = if e.outcome == "already-off" {
        format!(
            "{} is already off{}; nothing to kill",
            e.flag,
            in_environment(&e.provider, &e.environment)
        )
    } else {
        format!(
            "{} {}{} (was {}); read back: off",
            ctx.out.red("KILLED"),
            e.flag,
            in_environment(&e.provider, &e.environment),
            e.from.as_deref().unwrap_or("?")
        )
    };
    change::report(ctx, &outcome, &line)?;
    if e.outcome != "already-off" && !outcome.dry_run && !ctx.out.json {
        ctx.out
            .info("to turn it back on for the same users: rollout resume");
    }
    Ok(0)
}
