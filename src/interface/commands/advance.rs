//! `rollout advance [STAGE]`

use crate::app::apply::Outcome;
use crate::app::engine::{self, Advance};
use crate::domain::config::in_environment;
use crate::domain::error::Result;
use crate::domain::event::Event;
use crate::interface::cli::ForceArgs;

use super::change;
use super::session::Session;
use crate::interface::waiting::spin;

/// Holds the flag's lease while it acts (exit 5 naming the holder when another run has it).
pub async fn run(ctx: &Session, stage: Option<&str>, force: &ForceArgs) -> Result<i32> {
    crate::app::lease::during(ctx, !ctx.dry_run, advance(ctx, stage, force)).await
}

async fn advance(ctx: &Session, stage: Option<&str>, force: &ForceArgs) -> Result<i32> {
    let over = change::override_of(force);
    let reading = engine::advance(ctx, stage, &over);
    let decision = match spin(&ctx.out, "reading the flag and its gates…", reading).await? {
        Advance::Move(decision) => *decision,
        Advance::Already(event) => return already(ctx, *event),
    };
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

/// The flag is already on at the stage named: says so (exit 0), records nothing.
fn already(ctx: &Session, event: Event) -> Result<i32> {
    let line = format!(
        "{} is already at {} ({}){}; nothing to do",
        event.flag,
        event.to.as_deref().unwrap_or_default(),
        event.percentage.map(|p| p.to_string()).unwrap_or_default(),
        in_environment(&event.provider, &event.environment)
    );
    let outcome = Outcome {
        event,
        state: None,
        dry_run: ctx.dry_run,
        requests: Vec::new(),
        verdicts: Vec::new(),
    };
    if outcome.dry_run && !ctx.out.json {
        ctx.out.data(&line);
    }
    change::report(ctx, &outcome, &line)
}
