//! `rollout status`: the flag as the provider reports it, and what comes next.

use super::session::Session;
use crate::app::engine::{self, Position, Status as Seen};
use crate::domain::clock::{human, stamp};
use crate::domain::error::Result;

pub async fn run(ctx: &Session) -> Result<i32> {
    let seen = crate::interface::waiting::spin(
        &ctx.out,
        "reading the flag and its gates…",
        engine::status(ctx),
    )
    .await?;
    if ctx.out.json {
        emit_json(ctx, &seen);
        return Ok(0);
    }
    print_flag(ctx, &seen);
    print_next(ctx, &seen);
    print_open(ctx, &seen);
    print_gates(ctx, &seen);
    Ok(0)
}

/// The `--json` document.
fn emit_json(ctx: &Session, seen: &Seen) {
    use crate::interface::json_out::rollout::{Next, Status, Unmanaged};
    let config = &ctx.config;
    let state = &seen.state;
    crate::interface::json_out::emit(
        &ctx.out,
        &Status {
            flag: &config.flag,
            provider: ctx.provider.describe(),
            environment: ctx.settings.environment(),
            exists: state.exists,
            on: state.exists && state.on,
            killed: seen.killed,
            stage: seen.stage_name.clone(),
            percentage: state.percentage,
            since: seen.since.map(|t| t.to_rfc3339()),
            killed_at: state.killed_at.map(|t| t.to_rfc3339()),
            revision: state.revision,
            unmanaged: seen
                .unmanaged
                .iter()
                .map(|u| Unmanaged {
                    text: &u.text,
                    widens: u.widens,
                    overwritten: u.overwritten,
                })
                .collect(),
            next: seen.next.map(|n| Next {
                stage: &config.stages[n].name,
                percentage: config.stages[n].percentage,
                allowed_at: seen.allowed_at.map(|t| t.to_rfc3339()),
                allowed_now: seen.waiting.is_empty(),
                waiting_for: seen.waiting.clone(),
            }),
            open_intents: seen.open.clone(),
            last_change: seen.last.clone(),
            gates: &seen.verdicts,
        },
    );
}

/// Where the flag is: `stage name (percentage)`, not started, or off the plan.
fn stage_text(ctx: &Session, seen: &Seen) -> String {
    let percentage = seen.state.percentage;
    match seen.pos {
        Position::NotStarted => "not started (off for everyone)".to_string(),
        Position::At(i) => format!("{} ({percentage})", ctx.config.stages[i].name),
        Position::OffPlan { .. } => format!("{percentage} (no stage has this percentage)"),
    }
}

/// The flag, its provider and environment, its stage and state, strategies added outside
/// rollout, and how long it has been at its stage.
fn print_flag(ctx: &Session, seen: &Seen) {
    let out = &ctx.out;
    let state = &seen.state;
    out.data(&format!("flag:        {}", out.bold(&ctx.config.flag)));
    out.data(&format!("provider:    {}", ctx.provider.describe()));
    if !ctx.settings.in_environment().is_empty() {
        out.data(&format!("environment: {}", ctx.settings.environment()));
    }
    out.data(&format!("stage:       {}", stage_text(ctx, seen)));
    let state_text = if !state.exists {
        "off".to_string()
    } else if seen.killed {
        let at = state
            .killed_at
            .map(|t| format!(" since {}", stamp(t)))
            .unwrap_or_default();
        out.red(&format!("KILLED{at}"))
    } else {
        out.green("on")
    };
    out.data(&format!("state:       {state_text}"));
    // Strategies added outside rollout: the flag may serve more than the stage says.
    for u in &seen.unmanaged {
        let mark = if u.widens {
            " (more than the stage)"
        } else {
            ""
        };
        out.data(&format!("also:        {}{mark}", u.text));
    }
    if let Some(t) = seen.since {
        out.data(&format!(
            "since:       {} ({} ago)",
            stamp(t),
            human(ctx.now - t)
        ));
    }
    if let Some(e) = &seen.last {
        out.data(&format!(
            "last change: {} by {}: {}",
            stamp(e.time),
            e.actor,
            e.summary()
        ));
    }
}

/// The next stage and whether it is allowed now, else what it waits for and until when.
fn print_next(ctx: &Session, seen: &Seen) {
    let Some(n) = seen.next else {
        ctx.out.data("next:        none (at the last stage)");
        return;
    };
    let s = &ctx.config.stages[n];
    let when = if seen.waiting.is_empty() {
        "allowed now".to_string()
    } else {
        let at = seen
            .allowed_at
            .filter(|t| *t > ctx.now)
            .map(|t| format!(": allowed in {}, at {}", human(t - ctx.now), stamp(t)))
            .unwrap_or_default();
        format!("waiting for {}{at}", seen.waiting.join(" and "))
    };
    ctx.out.data(&format!(
        "next:        {} ({}): {when}",
        s.name, s.percentage
    ));
}

/// A warning for each change journaled and never completed, saying whether the flag shows it.
fn print_open(ctx: &Session, seen: &Seen) {
    let state = &seen.state;
    for e in &seen.open {
        let shows = if e.action == "kill" {
            seen.killed
        } else {
            state.on && seen.stage_name == e.to && Some(state.percentage) == e.percentage
        };
        ctx.out.warn(&format!(
            "{} by {} at {}: {}; the flag now shows {}, {}what this change sets",
            e.summary(),
            e.actor,
            stamp(e.time),
            crate::app::intent::OPEN_NOTE,
            stage_text(ctx, seen),
            if shows { "" } else { "not " }
        ));
    }
}

/// The gates that decide the next advance, as a table.
fn print_gates(ctx: &Session, seen: &Seen) {
    if seen.verdicts.is_empty() {
        return;
    }
    let stage = seen
        .gate_stage
        .map_or("", |i| ctx.config.stages[i].name.as_str());
    ctx.out.data(&format!("gates of {stage}:"));
    for line in super::gates::table(ctx, &seen.verdicts, false) {
        ctx.out.data(&format!("  {line}"));
    }
}
