//! `rollout advance [STAGE]`

use crate::app::context::Context;
use crate::app::engine;
use crate::domain::error::Result;
use crate::interface::cli::ForceArgs;

pub async fn run(ctx: &Context, stage: Option<&str>, force: &ForceArgs) -> Result<i32> {
    let outcome = engine::advance(ctx, stage, &super::override_of(force)).await?;
    if !ctx.out.json && !outcome.verdicts.is_empty() {
        let to = outcome.event.to.as_deref().unwrap_or_default();
        ctx.out.info(&format!("gates of {to}:"));
        for line in super::gates::table(ctx, &outcome.verdicts, false) {
            ctx.out.info(&format!("  {line}"));
        }
    }
    super::report_move(ctx, "advanced", &outcome)
}
