//! `rollout watch --once`: one look, act, exit, for cron, CI schedules and Kubernetes CronJobs.
//! The gates' `for:` windows continue from the looks recorded in the state store (each run
//! rebuilds them), so a breach that holds across runs is acted on once it has held for its `for:`
//! in total; give the schedule's period as `--interval`, which tells a gap in the looks (a
//! schedule that did not run) from a breach that held.
//!
//! Exit codes: 0 nothing to do, advanced, at `--until` or the last stage, or another run holds
//! the flag's lease (it says who: that run watches, so a cron job has nothing to do); 1 killed
//! (now, or found killed); 3 held (a warning gate's breach holding, or the rules refusing an
//! advance under `--advance`); 4 the provider or the state store failed.

use super::session::Session;
use super::watch::{busy_line, gap_line, show};
use crate::app::watch::{Kill, Look, Seen, Step, Watch};
use crate::domain::config::Severity;
use crate::domain::error::Result;
use crate::domain::gates::Status;

/// Takes the look and acts (at `s.now`); answers why it ended (for `--json`) and the exit code.
pub(super) async fn run(s: &Session, watch: &mut Watch) -> Result<(&'static str, i32)> {
    let flag = &s.config.flag;
    let seen = match watch.look(s).await? {
        Look::Unreadable(e) | Look::NoStore(e) => return Err(e),
        Look::Busy(other) => {
            s.out.data(&format!(
                "{}: it watches; nothing to do here",
                busy_line(s, &other)
            ));
            return Ok(("lease-busy", 0));
        }
        Look::Killed => {
            let env = s.settings.in_environment();
            s.out
                .data(&format!("{flag} is killed{env}: nothing to watch"));
            return Ok(("killed", 1));
        }
        Look::Reached(c) => {
            let at = &s.config.stages[c].name;
            s.out.data(&format!("{flag} is at {at}: done"));
            return Ok(("until", 0));
        }
        Look::Seen(seen) => *seen,
    };
    if let Some(line) = gap_line(&seen, watch.interval()) {
        s.out.data(&line);
    }
    show(
        s,
        &mut 0,
        false,
        watch.looks,
        seen.stage.as_deref(),
        &seen.verdicts,
    );
    match watch.kill_on_breach(s, &seen).await? {
        Some(Kill::Killed(reason)) => {
            s.out.data(&format!("killed {flag}: {reason}"));
            return Ok(("killed", 1));
        }
        Some(Kill::Failed(e)) => return Err(e),
        None => {}
    }
    watch.alert(s, &seen).await?;
    let step = watch
        .advance(s, &seen, |q| crate::interface::confirm::confirm(q, s.yes))
        .await?;
    act(s, &seen, step)
}

/// What `--advance` did, as the run's end.
fn act(s: &Session, seen: &Seen, step: Step) -> Result<(&'static str, i32)> {
    let flag = &s.config.flag;
    let at = seen.stage.as_deref().unwrap_or("the start");
    match step {
        Step::Advanced(step) => {
            s.out.data(&format!("advanced {flag}: {step}"));
            Ok(("advanced", 0))
        }
        Step::LastStage(last) => {
            let at = &s.config.stages[last].name;
            s.out
                .data(&format!("{flag} is at the last stage ({at}): done"));
            Ok(("last-stage", 0))
        }
        Step::Refused(e) => {
            let why = e.message.lines().next().unwrap_or_default().to_string();
            s.out.data(&format!("holding at {at}: {why}"));
            Ok(("held", 3))
        }
        Step::Failed(e) => Err(e),
        Step::Wait if warning_holds(seen) => {
            s.out
                .data(&format!("holding at {at}: a warning gate's breach holds"));
            Ok(("held", 3))
        }
        Step::Wait => Ok(("nothing-to-do", 0)),
    }
}

/// A warning gate's breach has held for its `for:`: the rollout holds.
fn warning_holds(seen: &Seen) -> bool {
    seen.verdicts
        .iter()
        .any(|v| v.severity == Severity::Warning && v.verdict == Status::Fail && v.sustained)
}
