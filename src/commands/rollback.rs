//! `rollout rollback [STAGE]`

use crate::cli::ForceArgs;
use crate::context::Context;
use crate::engine;
use crate::error::Result;

pub async fn run(ctx: &Context, stage: Option<&str>, force: &ForceArgs) -> Result<i32> {
    let outcome = engine::rollback(ctx, stage, &super::override_of(force)).await?;
    let e = &outcome.event;
    let line = format!(
        "{} {}: {} → {} ({}) in {}",
        ctx.out.green("rolled back"),
        e.flag,
        e.from.as_deref().unwrap_or(""),
        ctx.out.bold(e.to.as_deref().unwrap_or("")),
        e.percentage.map(|p| p.to_string()).unwrap_or_default(),
        e.environment
    );
    super::report(ctx, &outcome, &line)
}
