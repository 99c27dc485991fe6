//! `rollout watch [--interval D] [--advance] [--until STAGE]`: looks at the gates of the stage
//! the flag is at every interval, journals each look, kills the flag on a sustained critical
//! breach, holds and notifies on a warning, notifies on info; with `--advance`, advances when
//! the rules allow (soak, planned start, every gate of the next stage passing).
//!
//! Source and provider outages are ridden out: a look that cannot read is `no-data`/`error`
//! (never a pass) or a warning, and the next look tries again. Exit 0 at the last stage (with
//! `--advance`) or at `--until`, 1 after a kill (or when the flag is found killed), 130 on
//! Ctrl-C.

use std::collections::HashSet;
use std::time::Duration;

use crate::adapters::gates::{Status, Tracker, Verdict};
use crate::adapters::journal::{self, Event};
use crate::app::context::Context;
use crate::app::engine::{self, Override, Position};
use crate::domain::config::Severity;
use crate::domain::error::{Error, Kind, Result};
use crate::interface::cli::WatchArgs;

/// What a watch did, for its last line and `--json`.
struct Run {
    looks: u32,
    actions: Vec<String>,
}

pub async fn run(mut ctx: Context, w: &WatchArgs) -> Result<i32> {
    let config = ctx.config.clone();
    let until = match &w.until {
        Some(name) => Some(
            config
                .stage_index(name)
                .ok_or_else(|| config.unknown_stage(name))?,
        ),
        None => None,
    };
    if w.interval < Duration::from_millis(100) {
        return Err(Error::usage("--interval must be at least 100ms"));
    }
    if ctx.args.dry_run {
        return Err(Error::usage(
            "watch acts on what it sees, so it has no --dry-run; `rollout gates` shows the verdicts now",
        ));
    }
    let last = config.stages.len() - 1;
    let needs_yes = w.advance && until.is_none_or(|u| u == last);
    if needs_yes && !ctx.args.yes && !console::Term::stdout().is_term() {
        return Err(Error::usage(
            "watch --advance would advance to the last stage, which asks for confirmation, and there is no terminal",
        )
        .with_hint("pass --yes to let watch advance to every stage, or --until STAGE to stop earlier"));
    }
    let mut tracker = Tracker::default();
    let mut alerted: HashSet<String> = HashSet::new();
    let mut live = 0usize;
    let mut run = Run {
        looks: 0,
        actions: Vec::new(),
    };
    loop {
        ctx.now = crate::domain::clock::now()?;
        run.looks += 1;
        let mut state = match ctx.provider.read().await {
            Ok(s) => s,
            Err(e) => {
                ctx.out.warn(&format!(
                    "look {}: cannot read the flag ({}); still watching",
                    run.looks, e.message
                ));
                live = 0;
                tokio::time::sleep(w.interval).await;
                continue;
            }
        };
        engine::add_times(&ctx, &mut state).await;
        let pos = engine::position(&config, &state);
        let facts = engine::facts(&ctx, &state, pos);
        if facts.killed {
            ctx.out.data(&format!(
                "{} is killed{}: watch stops",
                config.flag,
                ctx.settings.in_environment()
            ));
            return finish(&ctx, &run, "killed", 1);
        }
        let current = match pos {
            Position::At(i) => Some(i),
            _ => None,
        };
        if let (Some(u), Some(c)) = (until, current) {
            if c >= u {
                ctx.out.data(&format!(
                    "{} is at {}: done",
                    config.flag, config.stages[c].name
                ));
                return finish(&ctx, &run, "until", 0);
            }
        }
        let verdicts = engine::look(&ctx, current, facts.since, &mut tracker).await;
        let stage_name = current.map(|i| config.stages[i].name.clone());
        journal_look(&ctx, &state, stage_name.as_deref(), &verdicts)?;
        show(&ctx, &mut live, run.looks, stage_name.as_deref(), &verdicts);

        if let Some(v) = crate::domain::rules::must_kill(&verdicts) {
            let reason = format!(
                "watch: gate {} is {} against {} for {} (critical)",
                v.gate,
                v.shown,
                v.threshold,
                v.held.clone().unwrap_or_else(|| "0s".into())
            );
            live = 0;
            match engine::kill(&ctx, Some(reason.clone())).await {
                Ok(_) => {
                    ctx.out.data(&format!("killed {}: {reason}", config.flag));
                    run.actions.push(format!("kill: {reason}"));
                    return finish(&ctx, &run, "killed", 1);
                }
                Err(e) if e.kind == Kind::Usage => return Err(e),
                Err(e) => ctx.out.warn(&format!(
                    "the kill failed ({}); trying again at the next look",
                    e.message
                )),
            }
        }
        alert(&ctx, &state, &verdicts, &mut alerted, &mut run).await?;

        if w.advance {
            match crate::domain::rules::next(&facts) {
                None => {
                    ctx.out.data(&format!(
                        "{} is at the last stage ({}): done",
                        config.flag, config.stages[last].name
                    ));
                    return finish(&ctx, &run, "last-stage", 0);
                }
                Some(next) if next.waiting.is_empty() => {
                    match engine::advance(&ctx, None, &Override::default()).await {
                        Ok(outcome) => {
                            live = 0;
                            let e = &outcome.event;
                            let step = format!(
                                "{} → {} ({})",
                                e.from.as_deref().unwrap_or("not started"),
                                e.to.as_deref().unwrap_or(""),
                                e.percentage.map(|p| p.to_string()).unwrap_or_default()
                            );
                            ctx.out.data(&format!("advanced {}: {step}", e.flag));
                            run.actions.push(format!("advance: {step}"));
                            // The next look comes at once: the new stage may be the goal.
                            continue;
                        }
                        Err(e) if e.kind == Kind::Refused => {
                            live = 0;
                            ctx.out.info(&format!(
                                "holding at {}: {}",
                                stage_name.as_deref().unwrap_or("the start"),
                                e.message.lines().next().unwrap_or_default()
                            ));
                        }
                        Err(e) if matches!(e.kind, Kind::Provider | Kind::Conflict) => {
                            live = 0;
                            ctx.out.warn(&format!(
                                "advance failed ({}); trying again at the next look",
                                e.message
                            ));
                        }
                        Err(e) => return Err(e),
                    }
                }
                Some(_) => {}
            }
        }
        tokio::time::sleep(w.interval).await;
    }
}

/// Journals one look compactly: the stage and each gate's verdict, value and threshold.
fn journal_look(
    ctx: &Context,
    state: &crate::adapters::provider::FlagState,
    stage: Option<&str>,
    verdicts: &[Verdict],
) -> Result<()> {
    let ev = record(ctx, state, stage, "watch", "look", None, verdicts);
    journal::append(&ctx.config.dir, &ev)
}

fn record(
    ctx: &Context,
    state: &crate::adapters::provider::FlagState,
    stage: Option<&str>,
    action: &str,
    outcome: &str,
    reason: Option<String>,
    verdicts: &[Verdict],
) -> Event {
    Event {
        time: ctx.now,
        actor: ctx.actor.clone(),
        action: action.into(),
        flag: ctx.config.flag.clone(),
        environment: ctx.settings.environment().to_string(),
        from: stage.map(str::to_string),
        to: None,
        percentage: state.exists.then_some(state.percentage),
        reason,
        forced: false,
        provider: ctx.provider.kind().name().to_string(),
        outcome: outcome.into(),
        detail: None,
        id: None,
        gates: verdicts.iter().map(Verdict::seen).collect(),
    }
}

/// Notifies (and journals) a warning or info gate's sustained breach once per breach; a
/// warning holds `--advance` through the engine's own gate rule.
async fn alert(
    ctx: &Context,
    state: &crate::adapters::provider::FlagState,
    verdicts: &[Verdict],
    alerted: &mut HashSet<String>,
    run: &mut Run,
) -> Result<()> {
    for v in verdicts {
        if v.verdict == Status::Pass {
            alerted.remove(&v.gate);
        }
        let breach = v.verdict == Status::Fail && v.sustained;
        if !breach || v.severity == Severity::Critical || alerted.contains(&v.gate) {
            continue;
        }
        alerted.insert(v.gate.clone());
        let what = if v.severity == Severity::Warning {
            "holding"
        } else {
            "for information"
        };
        let reason = format!(
            "watch: gate {} is {} against {} for {} ({}): {what}",
            v.gate,
            v.shown,
            v.threshold,
            v.held.clone().unwrap_or_else(|| "0s".into()),
            v.severity.name()
        );
        ctx.out.warn(&reason);
        let stage = state.stage.clone();
        let ev = record(
            ctx,
            state,
            stage.as_deref(),
            "gate-alert",
            "notified",
            Some(reason.clone()),
            std::slice::from_ref(v),
        );
        journal::append(&ctx.config.dir, &ev)?;
        crate::adapters::notify::send_all(
            &ctx.config.notify,
            &ev,
            Duration::from_secs(5),
            &ctx.log,
        )
        .await;
        run.actions.push(format!("alert: {reason}"));
    }
    Ok(())
}

/// A look for people: a live table on a terminal, else one line.
fn show(ctx: &Context, live: &mut usize, look: u32, stage: Option<&str>, verdicts: &[Verdict]) {
    let out = &ctx.out;
    if out.json || out.quiet {
        return;
    }
    let at = stage.unwrap_or("not started");
    let time = ctx.now.format("%H:%M:%S");
    if out.animate {
        let term = console::Term::stderr();
        if *live > 0 {
            let _ = term.clear_last_lines(*live);
        }
        let mut lines = vec![format!(
            "watching {} at {at} — look {look} at {time} UTC",
            ctx.config.flag
        )];
        if verdicts.is_empty() {
            lines.push("  no gates apply at this stage".into());
        }
        lines.extend(
            super::gates::table(ctx, verdicts, !verdicts.is_empty())
                .into_iter()
                .map(|l| format!("  {l}")),
        );
        for l in &lines {
            let _ = term.write_line(&crate::domain::secrets::redact::scrub(l));
        }
        *live = lines.len();
    } else {
        let gates: Vec<String> = verdicts
            .iter()
            .map(|v| {
                let held = v
                    .held
                    .as_ref()
                    .map(|h| format!(" {h}/{}", v.hold))
                    .unwrap_or_default();
                let why = v
                    .why
                    .as_ref()
                    .map(|w| format!(" [{w}]"))
                    .unwrap_or_default();
                format!(
                    "{} {} {} ({}{held}){why}",
                    v.gate,
                    v.verdict.name(),
                    v.shown,
                    v.threshold
                )
            })
            .collect();
        let body = if gates.is_empty() {
            "no gates".to_string()
        } else {
            gates.join("; ")
        };
        out.data(&format!("{time} look {look} at {at}: {body}"));
    }
}

fn finish(ctx: &Context, run: &Run, why: &str, code: i32) -> Result<i32> {
    if ctx.out.json {
        crate::interface::json_out::emit(
            &ctx.out,
            &crate::interface::json_out::rollout::Watch {
                flag: &ctx.config.flag,
                looks: run.looks,
                ended: why,
                actions: &run.actions,
            },
        );
    }
    Ok(code)
}
