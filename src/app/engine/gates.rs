//! What `rollout gates [--stage STAGE]` shows, gathered: the gates of a stage looked at now,
//! and whether they block. The command prints them.

use crate::adapters::gates::{Tracker, Verdict};
use crate::app::context::Context;
use crate::domain::error::{Error, Result};

use super::{add_times, look_during, position, stage_since, Position};

/// One look at the gates of a stage.
pub struct GateLook {
    /// The stage whose gates were read (none: every gate, the flag's stage being unknown).
    pub stage: Option<usize>,
    pub verdicts: Vec<Verdict>,
    /// A critical or warning gate does not pass.
    pub blocked: bool,
}

/// Looks at the gates of `stage`, else of the stage the flag is at (the first stage before it
/// starts). A flag that cannot be read leaves every gate (with a warning when no stage was
/// named). Either way a compare gate reads the traffic of the stage the flag is at: its window
/// and its split.
pub async fn gates(ctx: &Context, stage: Option<&str>) -> Result<GateLook> {
    let config = &ctx.config;
    if config.gates.is_empty() {
        return Err(
            Error::usage(format!("{} defines no gates", config.path.display()))
                .with_hint("add a `gates:` list (see docs/gates.md)"),
        );
    }
    let (current, since) = match ctx.provider.read().await {
        Ok(mut state) => {
            add_times(ctx, &mut state).await;
            let since = stage_since(ctx, &state).await;
            (Some(position(config, &state)), since)
        }
        Err(e) => {
            if stage.is_none() {
                ctx.log.warn(&format!(
                    "cannot read the flag, so every gate is shown: {}",
                    e.message
                ));
            }
            (None, None)
        }
    };
    let index = match stage {
        Some(name) => Some(
            config
                .stage_index(name)
                .ok_or_else(|| config.unknown_stage(name))?,
        ),
        None => match current {
            Some(Position::At(i)) => Some(i),
            Some(Position::NotStarted) => Some(0),
            Some(Position::OffPlan { .. }) | None => None,
        },
    };
    let verdicts = match index {
        Some(i) => look_during(ctx, Some(i), current, since, &mut Tracker::default()).await,
        None => {
            let gates: Vec<_> = config.gates.iter().collect();
            let env = ctx.gate_env(since, None);
            crate::adapters::gates::evaluate(&env, &gates, &mut Tracker::default()).await
        }
    };
    let blocked = !crate::domain::rules::gates(&verdicts).is_empty();
    Ok(GateLook {
        stage: index,
        verdicts,
        blocked,
    })
}
