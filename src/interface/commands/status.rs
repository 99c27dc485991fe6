//! `rollout status`: the flag as the provider reports it, and what comes next.

use super::session::Session;
use crate::app::engine::{self, Position};
use crate::domain::clock::{human, stamp};
use crate::domain::error::Result;

pub async fn run(ctx: &Session) -> Result<i32> {
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
    let facts = engine::facts(ctx, &state, pos);
    let next_rules = crate::domain::rules::next(&facts);
    let next = next_rules.as_ref().map(|n| n.index);
    let allowed_at = next_rules.as_ref().and_then(|n| n.allowed_at);
    // The gates that decide the next advance (at the last stage: the current stage's).
    let gate_stage = next.or(match pos {
        Position::At(i) => Some(i),
        _ => None,
    });
    let verdicts = engine::look_during(
        ctx,
        gate_stage,
        match pos {
            Position::At(i) => Some(i),
            _ => None,
        },
        since,
        &mut crate::adapters::gates::Tracker::default(),
    )
    .await;
    let mut waiting: Vec<String> = Vec::new();
    let gate_refusals = if next.is_some() {
        crate::domain::rules::gates(&verdicts)
    } else {
        Vec::new()
    };
    for r in next_rules
        .iter()
        .flat_map(|n| n.waiting.iter())
        .chain(gate_refusals.iter())
    {
        let rule = r.rule().to_string();
        if !waiting.contains(&rule) {
            waiting.push(rule);
        }
    }
    // Read from the journal's end, as far back as its last completed change.
    let open = crate::adapters::journal_tail::open_intents(
        &config.dir,
        &config.flag,
        ctx.settings.environment(),
    );
    let unmanaged = ctx.provider.unmanaged(&state);
    if ctx.out.json {
        use crate::interface::json_out::rollout::{Next, Status, Unmanaged};
        let allowed_now = waiting.is_empty();
        crate::interface::json_out::emit(
            &ctx.out,
            &Status {
                flag: &config.flag,
                provider: ctx.provider.describe(),
                environment: ctx.settings.environment(),
                exists: state.exists,
                on: state.exists && state.on,
                killed,
                stage: stage_name.clone(),
                percentage: state.percentage,
                since: since.map(|t| t.to_rfc3339()),
                killed_at: state.killed_at.map(|t| t.to_rfc3339()),
                revision: state.revision,
                unmanaged: unmanaged
                    .iter()
                    .map(|u| Unmanaged {
                        text: &u.text,
                        widens: u.widens,
                    })
                    .collect(),
                next: next.map(|n| Next {
                    stage: &config.stages[n].name,
                    percentage: config.stages[n].percentage,
                    allowed_at: allowed_at.map(|t| t.to_rfc3339()),
                    allowed_now,
                    waiting_for: waiting.clone(),
                }),
                open_intents: open.clone(),
                gates: &verdicts,
            },
        );
        return Ok(0);
    }
    let out = &ctx.out;
    out.data(&format!("flag:        {}", out.bold(&config.flag)));
    out.data(&format!("provider:    {}", ctx.provider.describe()));
    if !ctx.settings.in_environment().is_empty() {
        out.data(&format!("environment: {}", ctx.settings.environment()));
    }
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
    for e in &open {
        let shows = if e.action == "kill" {
            killed
        } else {
            state.on && stage_name == e.to && Some(state.percentage) == e.percentage
        };
        out.warn(&format!(
            "{} by {} at {}: {}; the flag now shows {stage_text}, {}what this change sets",
            e.summary(),
            e.actor,
            stamp(e.time),
            crate::app::intent::OPEN_NOTE,
            if shows { "" } else { "not " }
        ));
    }
    if !verdicts.is_empty() {
        let stage = gate_stage.map_or("", |i| config.stages[i].name.as_str());
        out.data(&format!("gates of {stage}:"));
        for line in super::gates::table(ctx, &verdicts, false) {
            out.data(&format!("  {line}"));
        }
    }
    Ok(0)
}
