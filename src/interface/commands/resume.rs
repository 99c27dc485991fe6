//! `rollout resume`

use crate::app::decide::Override;
use crate::app::engine;
use crate::domain::error::Result;

use super::change;
use super::session::Session;

/// Holds the flag's lease while it acts (exit 5 naming the holder when another run has it).
pub async fn run(ctx: &Session, reason: Option<String>) -> Result<i32> {
    crate::app::lease::during(ctx, !ctx.dry_run, resume(ctx, reason)).await
}

async fn resume(ctx: &Session, reason: Option<String>) -> Result<i32> {
    let over = Override {
        force: false,
        reason: reason.filter(|r| !r.trim().is_empty()),
    };
    let decision = engine::resume(ctx, &over).await?;
    let outcome = change::carry_out(ctx, decision).await?;
    let e = &outcome.event;
    let line = format!(
        "{} {} at {} ({}){}",
        ctx.out.green("resumed"),
        e.flag,
        e.to.as_deref().unwrap_or(""),
        e.percentage.map(|p| p.to_string()).unwrap_or_default(),
        crate::domain::config::in_environment(&e.provider, &e.environment)
    );
    change::report(ctx, &outcome, &line)
}
