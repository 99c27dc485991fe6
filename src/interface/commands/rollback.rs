//! `rollout rollback [STAGE]`

use crate::app::engine;
use crate::domain::error::Result;
use crate::interface::cli::ForceArgs;

use super::change;
use super::session::Session;

/// Holds the flag's lease while it acts (exit 5 naming the holder when another run has it).
pub async fn run(ctx: &Session, stage: Option<&str>, force: &ForceArgs) -> Result<i32> {
    crate::app::lease::during(ctx, !ctx.dry_run, rollback(ctx, stage, force)).await
}

async fn rollback(ctx: &Session, stage: Option<&str>, force: &ForceArgs) -> Result<i32> {
    let decision = engine::rollback(ctx, stage, &change::override_of(force)).await?;
    let outcome = change::carry_out(ctx, decision).await?;
    change::report_move(ctx, "rolled back", &outcome)
}
