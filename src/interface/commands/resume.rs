//! `rollout resume`

use crate::app::context::Context;
use crate::app::engine::{self, Override};
use crate::domain::error::Result;

pub async fn run(ctx: &Context, reason: Option<String>) -> Result<i32> {
    let over = Override {
        force: false,
        reason: reason.filter(|r| !r.trim().is_empty()),
    };
    let outcome = engine::resume(ctx, &over).await?;
    let e = &outcome.event;
    let line = format!(
        "{} {} at {} ({}){}",
        ctx.out.green("resumed"),
        e.flag,
        e.to.as_deref().unwrap_or(""),
        e.percentage.map(|p| p.to_string()).unwrap_or_default(),
        crate::domain::config::in_environment(&e.provider, &e.environment)
    );
    super::report(ctx, &outcome, &line)
}
