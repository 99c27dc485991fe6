//! `rollout watch [--interval D] [--advance] [--until STAGE]`: looks at the gates of the stage
//! the flag is at every interval, journals each look, kills the flag on a sustained critical
//! breach, holds and notifies on a warning, notifies on info; with `--advance`, advances when
//! the rules allow (soak, planned start, every gate of the next stage passing).
//!
//! Source and provider outages are ridden out: a look that cannot read is `no-data`/`error`
//! (never a pass) or a warning, and the next look tries again. Exit 0 at the last stage (with
//! `--advance`) or at `--until`, 1 after a kill (or when the flag is found killed), 130 on
//! Ctrl-C.

use std::time::Duration;

use super::session::Session;
use crate::adapters::gates::Verdict;
use crate::app::watch::{Kill, Look, Seen, Step, Watch};
use crate::domain::error::{Error, Result};
use crate::interface::cli::WatchArgs;

/// What the loop does after a look.
enum After {
    /// Waits the interval, then looks again.
    Sleep,
    /// Looks again at once (the flag moved on: the new stage may be the goal).
    LookAgain,
    /// The watch ends: why (for `--json`) and the exit code.
    Stop(&'static str, i32),
}

pub async fn run(mut ctx: Session, w: &WatchArgs) -> Result<i32> {
    let until = check(&ctx, w)?;
    let mut watch = Watch::new(until, w.advance);
    // The lines of the live table on the terminal, cleared before the next look is drawn.
    let mut live = 0usize;
    loop {
        ctx.now = crate::domain::clock::now()?;
        match one_look(&ctx, &mut watch, &mut live).await? {
            After::Sleep => tokio::time::sleep(w.interval).await,
            After::LookAgain => {}
            After::Stop(why, code) => return finish(&ctx, &watch, why, code),
        }
    }
}

/// Checks the command line before the first look; returns the `--until` stage's index.
fn check(ctx: &Session, w: &WatchArgs) -> Result<Option<usize>> {
    let config = &ctx.config;
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
    if ctx.dry_run || w.dry_run {
        return Err(Error::usage(
            "watch acts on what it sees, so it has no --dry-run; `rollout gates` shows the verdicts now",
        ));
    }
    let last = config.stages.len() - 1;
    let needs_yes = w.advance && until.is_none_or(|u| u == last);
    if needs_yes && !ctx.yes && !console::Term::stdout().is_term() {
        return Err(Error::usage(
            "watch --advance would advance to the last stage, which asks for confirmation, and there is no terminal",
        )
        .with_hint("pass --yes to let watch advance to every stage, or --until STAGE to stop earlier"));
    }
    Ok(until)
}

/// One look: shows it, then prints what the watch did about it (a kill, an advance, a hold).
async fn one_look(s: &Session, watch: &mut Watch, live: &mut usize) -> Result<After> {
    let flag = &s.config.flag;
    let seen = match watch.look(s).await? {
        Look::Unreadable(e) => {
            s.out.warn(&format!(
                "look {}: cannot read the flag ({}); still watching",
                watch.looks, e.message
            ));
            *live = 0;
            return Ok(After::Sleep);
        }
        Look::Killed => {
            let env = s.settings.in_environment();
            s.out.data(&format!("{flag} is killed{env}: watch stops"));
            return Ok(After::Stop("killed", 1));
        }
        Look::Reached(c) => {
            let at = &s.config.stages[c].name;
            s.out.data(&format!("{flag} is at {at}: done"));
            return Ok(After::Stop("until", 0));
        }
        Look::Seen(seen) => seen,
    };
    show(s, live, watch.looks, seen.stage.as_deref(), &seen.verdicts);
    if let Some(kill) = watch.kill_on_breach(s, &seen).await? {
        *live = 0;
        match kill {
            Kill::Killed(reason) => {
                s.out.data(&format!("killed {flag}: {reason}"));
                return Ok(After::Stop("killed", 1));
            }
            Kill::Failed(e) => s.out.warn(&format!(
                "the kill failed ({}); trying again at the next look",
                e.message
            )),
        }
    }
    watch.alert(s, &seen).await?;
    let step = watch
        .advance(s, &seen, |q| crate::interface::confirm::confirm(q, s.yes))
        .await?;
    Ok(report_step(s, &seen, step, live))
}

/// Prints what `--advance` did at a look.
fn report_step(s: &Session, seen: &Seen, step: Step, live: &mut usize) -> After {
    let flag = &s.config.flag;
    match step {
        Step::Wait => return After::Sleep,
        Step::LastStage(last) => {
            let at = &s.config.stages[last].name;
            s.out
                .data(&format!("{flag} is at the last stage ({at}): done"));
            return After::Stop("last-stage", 0);
        }
        Step::Advanced(step) => {
            *live = 0;
            s.out.data(&format!("advanced {flag}: {step}"));
            return After::LookAgain;
        }
        Step::Refused(e) => s.out.info(&format!(
            "holding at {}: {}",
            seen.stage.as_deref().unwrap_or("the start"),
            e.message.lines().next().unwrap_or_default()
        )),
        Step::Failed(e) => s.out.warn(&format!(
            "advance failed ({}); trying again at the next look",
            e.message
        )),
    }
    *live = 0;
    After::Sleep
}

/// A look for people: a live table on a terminal, else one line.
fn show(ctx: &Session, live: &mut usize, look: u32, stage: Option<&str>, verdicts: &[Verdict]) {
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

/// Ends the watch: its `--json` document (looks, why it ended, what it did), and the exit code.
fn finish(ctx: &Session, run: &Watch, why: &str, code: i32) -> Result<i32> {
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
