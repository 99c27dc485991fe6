//! `rollout gates [--stage STAGE]`: each gate's value, threshold and verdict now. Exit 0 when
//! every critical and warning gate passes, 1 when one does not.

use super::session::Session;
use crate::adapters::gates::{Status, Verdict};
use crate::app::engine;
use crate::domain::error::Result;
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
    let engine::GateLook {
        stage: index,
        verdicts,
        blocked,
    } = crate::interface::waiting::spin(&ctx.out, "reading gates…", engine::gates(ctx, stage))
        .await?;
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
