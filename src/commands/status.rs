//! `rollout status`: the flag as the provider reports it, and what comes next.

use serde_json::json;

use crate::clock::{human, stamp};
use crate::context::Context;
use crate::engine::{self, Position};
use crate::error::Result;

pub async fn run(ctx: &Context) -> Result<i32> {
    let config = &ctx.config;
    let mut state = ctx.provider.read().await?;
    engine::add_times(ctx, &mut state).await;
    let pos = engine::position(config, &state);
    let since = engine::stage_since(ctx, &state);
    let killed = state.exists && !state.on;
    let stage_name = match pos {
        Position::At(i) => Some(config.stages[i].name.clone()),
        _ => None,
    };
    let next = pos.next(config);
    // When the next stage is allowed: the later of the soak end and its planned start.
    let soak_end = engine::soak_end(config, pos, since);
    let planned = next.and_then(|n| engine::planned_start(&config.stages[n]));
    let allowed_at = [soak_end, planned].into_iter().flatten().max();
    let mut waiting = Vec::new();
    if killed {
        waiting.push("resume (the flag is killed)".to_string());
    }
    if soak_end.is_some_and(|t| t > ctx.now) {
        waiting.push("soak".to_string());
    }
    if planned.is_some_and(|t| t > ctx.now) {
        waiting.push("planned start".to_string());
    }
    let unmanaged = ctx.provider.unmanaged(&state);
    if ctx.out.json {
        ctx.out.json_doc(json!({
            "flag": config.flag,
            "provider": ctx.provider.describe(),
            "environment": ctx.settings.environment,
            "exists": state.exists,
            "on": state.exists && state.on,
            "killed": killed,
            "stage": stage_name,
            "percentage": state.percentage,
            "since": since.map(|t| t.to_rfc3339()),
            "killed_at": state.killed_at.map(|t| t.to_rfc3339()),
            "revision": state.revision,
            "unmanaged": unmanaged.iter().map(|u| json!({"text": u.text, "widens": u.widens})).collect::<Vec<_>>(),
            "next": next.map(|n| json!({
                "stage": config.stages[n].name,
                "percentage": config.stages[n].percentage,
                "allowed_at": allowed_at.map(|t| t.to_rfc3339()),
                "allowed_now": waiting.is_empty(),
                "waiting_for": waiting,
            })),
        }));
        return Ok(0);
    }
    let out = &ctx.out;
    out.data(&format!("flag:        {}", out.bold(&config.flag)));
    out.data(&format!("provider:    {}", ctx.provider.describe()));
    out.data(&format!("environment: {}", ctx.settings.environment));
    let stage_text = match pos {
        Position::NotStarted => "not started (off for everyone)".to_string(),
        Position::At(i) => format!("{} ({})", config.stages[i].name, state.percentage),
        Position::OffPlan { .. } => format!("{} (no stage has this percentage)", state.percentage),
    };
    out.data(&format!("stage:       {stage_text}"));
    let state_text = if !state.exists {
        "off".to_string()
    } else if killed {
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
    for u in &unmanaged {
        let mark = if u.widens {
            " (more than the stage)"
        } else {
            ""
        };
        out.data(&format!("also:        {}{mark}", u.text));
    }
    if let Some(t) = since {
        out.data(&format!(
            "since:       {} ({} ago)",
            stamp(t),
            human(ctx.now - t)
        ));
    }
    match next {
        Some(n) => {
            let s = &config.stages[n];
            let when = if waiting.is_empty() {
                "allowed now".to_string()
            } else {
                let at = allowed_at
                    .filter(|t| *t > ctx.now)
                    .map(|t| format!(": allowed in {}, at {}", human(t - ctx.now), stamp(t)))
                    .unwrap_or_default();
                format!("waiting for {}{at}", waiting.join(" and "))
            };
            out.data(&format!(
                "next:        {} ({}): {when}",
                s.name, s.percentage
            ));
        }
        None => out.data("next:        none (at the last stage)"),
    }
    Ok(0)
}
