//! `rollout advance [STAGE]`

use crate::cli::ForceArgs;
use crate::context::Context;
use crate::engine;
use crate::error::Result;

pub async fn run(ctx: &Context, stage: Option<&str>, force: &ForceArgs) -> Result<i32> {
    let outcome = engine::advance(ctx, stage, &super::override_of(force)).await?;
    super::report_move(ctx, "advanced", &outcome)
}
