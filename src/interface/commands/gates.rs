//! `rollout gates [--stage STAGE]`: each gate's value, threshold and verdict now. Exit 0 when
//! every critical and warning gate passes, 1 when one does not.

use super::session::Session;
use crate::adapters::gates::{Status, Tracker, Verdict};
use crate::app::engine::{self, Position};
use crate::domain::error::{Error, Result};
use crate::interface::output::table as layout;

/// Gate rows for people: GATE, VERDICT, VALUE, THRESHOLD, WINDOW, FOR, SEVERITY, and why.
#[must_use]
pub fn table(ctx: &Session, verdicts: &[Verdict], header: bool) -> Vec<String> {
    let out = &ctx.out;
    let mut rows = Vec::new();
    if header {
        rows.push(
            [
                "GATE",
                "VERDICT",
                "VALUE",
                "THRESHOLD",
                "WINDOW",
                "FOR",
                "SEVERITY",
                "",
            ]
            .iter()
            .map(|s| (*s).to_string())
            .collect(),
        );
    }
    for v in verdicts {
        let verdict = match v.verdict {
            Status::Pass => out.green("pass"),
            Status::Fail => out.red("fail"),
            other => out.paint(console::Style::new().yellow(), other.name()),
        };
        let held = match &v.held {
            Some(h) => format!("{h}/{}", v.hold),
            None => v.hold.clone(),
        };
        rows.push(vec![
            v.gate.clone(),
            verdict,
            v.shown.clone(),
            v.threshold.clone(),
            v.window.clone(),
            held,
            v.severity.name().to_string(),
            v.why.clone().unwrap_or_default(),
        ]);
    }
    layout(&rows)
}

pub async fn run(ctx: &Session, stage: Option<&str>) -> Result<i32> {
    let config = &ctx.config;
    if config.gates.is_empty() {
        return Err(
            Error::usage(format!("{} defines no gates", config.path.display()))
                .with_hint("add a `gates:` list (see docs/gates.md)"),
        );
    }
    // The stage whose gates to read: the one named, else where the flag is (the first stage
    // before it starts). A provider that cannot be read leaves every gate. Either way a compare
    // gate reads the traffic of the stage the flag is at: its window and its split.
    let (current, since) = match ctx.provider.read().await {
        Ok(mut state) => {
            engine::add_times(ctx, &mut state).await;
            let since = engine::stage_since(ctx, &state);
            (Some(engine::position(config, &state)), since)
        }
        Err(e) => {
            if stage.is_none() {
                ctx.out.warn(&format!(
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
        Some(i) => engine::look_during(ctx, Some(i), current, since, &mut Tracker::default()).await,
        None => {
            let gates: Vec<_> = config.gates.iter().collect();
            let env = ctx.gate_env(since, None);
            crate::adapters::gates::evaluate(&env, &gates, &mut Tracker::default()).await
        }
    };
    let blocked = !crate::domain::rules::gates(&verdicts).is_empty();
    let stage_name = index.map(|i| config.stages[i].name.clone());
    if ctx.out.json {
        crate::interface::json_out::emit(
            &ctx.out,
            &crate::interface::json_out::rollout::Gates {
                flag: &config.flag,
                stage: stage_name.as_deref(),
                pass: !blocked,
                gates: &verdicts,
            },
        );
    } else {
        if let Some(name) = &stage_name {
            ctx.out.info(&format!("gates of {name}:"));
        }
        if verdicts.is_empty() {
            ctx.out.data("no gates apply at this stage");
        }
        for line in table(ctx, &verdicts, !verdicts.is_empty()) {
            ctx.out.data(&line);
        }
    }
    Ok(i32::from(blocked))
}
