//! `rollout watch [--interval D] [--advance] [--until STAGE]`: looks at the gates of the stage
//! the flag is at every interval, journals each look, kills the flag on a sustained critical
//! breach, holds and notifies on a warning, notifies on info; with `--advance`, advances when
//! the rules allow (soak, planned start, every gate of the next stage passing).
//!
//! Source and provider outages are ridden out: a look that cannot read is `no-data`/`error`
//! (never a pass) or a warning, and the next look tries again. Exit 0 at the last stage (with
//! `--advance`) or at `--until`, 1 after a kill (or when the flag is found killed), 130 on
//! Ctrl-C.
//!
//! It acts only while it holds the flag's lease: another watch of the flag says who holds it and
//! tries again at each interval, taking over when that lease lapses. `--once` is
//! [`super::watch_once`].

use std::time::Duration;

use super::session::Session;
use crate::adapters::gates::Verdict;
use crate::app::watch::{Kill, Look, Plan, Seen, Step, Watch};
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

/// What the terminal shows between looks.
#[derive(Default)]
pub(super) struct Screen {
    /// The lines of the live table on the terminal, cleared before the next look is drawn.
    live: usize,
    /// The lease holder this watch last said it waits for.
    waiting_for: Option<String>,
}

pub async fn run(mut ctx: Session, w: &WatchArgs) -> Result<i32> {
    let until = check(&ctx, w)?;
    let mut watch = Watch::new(Plan {
        until,
        advance: w.advance,
        interval: w.interval,
        once: w.once,
    });
    if w.once {
        ctx.now = crate::domain::clock::now()?;
        // Its look and what it does keep the lease it takes, however long they take.
        let ended =
            crate::app::lease::renewing(&ctx, super::watch_once::run(&ctx, &mut watch)).await;
        crate::app::lease::release(&ctx).await;
        let (why, code) = ended?;
        return finish(&ctx, &watch, why, code);
    }
    let mut screen = Screen::default();
    let ended = loop {
        ctx.now = crate::domain::clock::now()?;
        // A look that takes long (slow sources, an advance) keeps the lease it holds.
        let look = if watch.holding() {
            crate::app::lease::renewing(&ctx, one_look(&ctx, &mut watch, &mut screen)).await
        } else {
            one_look(&ctx, &mut watch, &mut screen).await
        };
        match look {
            Ok(After::Sleep) => {
                let wait = watch.next_look_in(chrono::Utc::now());
                pause(&ctx, &mut watch, wait).await;
            }
            Ok(After::LookAgain) => {}
            Ok(After::Stop(why, code)) => break Ok((why, code)),
            Err(e) => break Err(e),
        }
    };
    crate::app::lease::release(&ctx).await;
    let (why, code) = ended?;
    finish(&ctx, &watch, why, code)
}

/// Waits `interval`, renewing the lease on the way so that it never lapses between looks.
async fn pause(ctx: &Session, watch: &mut Watch, interval: Duration) {
    let step = (crate::app::lease::ttl(ctx) / 3).max(Duration::from_millis(50));
    let end = tokio::time::Instant::now() + interval;
    loop {
        let now = tokio::time::Instant::now();
        if now >= end {
            return;
        }
        tokio::time::sleep((end - now).min(step)).await;
        watch.renew(ctx).await;
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
async fn one_look(s: &Session, watch: &mut Watch, screen: &mut Screen) -> Result<After> {
    let flag = &s.config.flag;
    let look = watch.look(s).await?;
    if !matches!(look, Look::Busy(_)) {
        screen.waiting_for = None;
    }
    let seen = match look {
        Look::Unreadable(e) => {
            s.out.warn(&format!(
                "look {}: cannot read the flag ({}); still watching",
                watch.looks, e.message
            ));
            screen.live = 0;
            return Ok(After::Sleep);
        }
        Look::Busy(other) => {
            waiting(s, watch, screen, &other);
            return Ok(After::Sleep);
        }
        Look::NoStore(e) => {
            screen.live = 0;
            s.out.warn(&format!("{}; still watching", e.message));
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
        Look::Seen(seen) => *seen,
    };
    let live = &mut screen.live;
    if seen.took_over {
        *live = 0;
        s.out.data(&format!(
            "took over the lease on {flag}{}: watching",
            s.settings.in_environment()
        ));
    }
    if let Some(line) = gap_line(&seen, watch.interval()) {
        *live = 0;
        s.out.data(&line);
    }
    let animate = s.out.animate;
    show(
        s,
        live,
        animate,
        watch.looks,
        seen.stage.as_deref(),
        &seen.verdicts,
    );
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

/// Says who holds the lease, once per holder this watch waits for.
fn waiting(s: &Session, watch: &Watch, screen: &mut Screen, other: &crate::ports::state::Lease) {
    if screen.waiting_for.as_ref() != Some(&other.holder) {
        screen.live = 0;
        s.out.data(&format!(
            "{}; waiting, trying again every {}",
            busy_line(s, other),
            humantime::format_duration(watch.interval())
        ));
        screen.waiting_for = Some(other.holder.clone());
    }
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
pub(super) fn show(
    ctx: &Session,
    live: &mut usize,
    animate: bool,
    look: u32,
    stage: Option<&str>,
    verdicts: &[Verdict],
) {
    let out = &ctx.out;
    if out.json || out.quiet {
        return;
    }
    let at = stage.unwrap_or("not started");
    let time = ctx.now.format("%H:%M:%S");
    if animate {
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

/// Who holds the lease and until when: `alice on build-7 (pid 42) holds the lease on cards until
/// 2026-12-08 04:12:30 UTC`.
pub(super) fn busy_line(s: &Session, other: &crate::ports::state::Lease) -> String {
    format!(
        "{} holds the lease on {}{} until {}",
        crate::domain::sanitize::short(&other.holder, 120),
        s.config.flag,
        s.settings.in_environment(),
        crate::app::lease::until(other)
    )
}

/// Says that the windows start again when the last recorded look was too long ago.
pub(super) fn gap_line(seen: &Seen, interval: Duration) -> Option<String> {
    let gap = seen.gap.as_ref()?;
    let gates = match gap.gates.as_slice() {
        [] => return None,
        [one] => format!("the window of gate {one} starts"),
        many => format!("the windows of gates {} start", many.join(", ")),
    };
    Some(format!(
        "the last look was {} ago, more than twice the interval ({}): {gates} again",
        crate::domain::clock::human(gap.ago),
        humantime::format_duration(interval)
    ))
}

/// Ends the watch: its `--json` document (looks, why it ended, what it did), and the exit code.
pub(super) fn finish(ctx: &Session, run: &Watch, why: &str, code: i32) -> Result<i32> {
    if ctx.out.json {
        crate::interface::json_out::emit(
            &ctx.out,
            &crate::interface::json_out::rollout::Watch {
                flag: &ctx.config.flag,
                looks: run.looks,
                ended: why,
                actions: &run.actions,
                held_by: run.held_by.as_deref(),
            },
        );
    }
    Ok(code)
}
