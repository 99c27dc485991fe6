//! `rollout advance [STAGE]`

use crate::app::engine;
use crate::domain::error::Result;
use crate::interface::cli::ForceArgs;

use super::change;
use super::session::Session;

pub async fn run(ctx: &Session, stage: Option<&str>, force: &ForceArgs) -> Result<i32> {
    let decision = engine::advance(ctx, stage, &change::override_of(force)).await?;
    let outcome = change::carry_out(ctx, decision).await?;
    if !ctx.out.json && !outcome.verdicts.is_empty() {
        let to = outcome.event.to.as_deref().unwrap_or_default();
        ctx.out.info(&format!("gates of {to}:"));
        for line in super::gates::table(ctx, &outcome.verdicts, false) {
            ctx.out.info(&format!("  {line}"));
        }
    }
    change::report_move(ctx, "advanced", &outcome)
}
