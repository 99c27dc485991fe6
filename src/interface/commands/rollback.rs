//! `rollout rollback [STAGE]`

use crate::app::context::Context;
use crate::app::engine;
use crate::domain::error::Result;
use crate::interface::cli::ForceArgs;

pub async fn run(ctx: &Context, stage: Option<&str>, force: &ForceArgs) -> Result<i32> {
    let outcome = engine::rollback(ctx, stage, &super::override_of(force)).await?;
    super::report_move(ctx, "rolled back", &outcome)
}
