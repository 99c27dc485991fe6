//! `checklist run NAME...`: runs checklists (or `--resume`s the last unfinished run).

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use crate::adapters::checklist::signals::Interrupt;
use crate::adapters::checklist::state::{self, RunState, Status};
use crate::app::checklist::preflight::{self, Problem};
use crate::app::checklist::rollout::RolloutTasks;
use crate::app::checklist::runner::{self, RunOptions, RunPorts, Runner};
use crate::domain::checklist::file::shown_path;
use crate::domain::checklist::result::{Outcome, RunStatus};
use crate::domain::checklist::select::{self, Planned, Step};
use crate::domain::checklist::task::{Task, TaskKind};
use crate::domain::checklist::{self as cl, Checklist};
use crate::domain::error::{Error, Result};
use crate::interface::checklist::manual::OnTerminal;
use crate::interface::checklist::progress;
use crate::interface::checklist::report::{self, ChecklistReport, RunReport};
use crate::interface::checklist::rollout::Engine;
use crate::interface::cli::global_args::GlobalArgs;
use crate::interface::cli::RunArgs;
use crate::interface::output::Output;

/// Loads the named checklists, reporting every broken one (exit 2).
fn load_named(dir: &std::path::Path, names: &[String]) -> Result<Vec<Checklist>> {
    let mut lists = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    let mut hint = None;
    for name in names {
        match cl::load(dir, name) {
            Ok(c) => lists.push(c),
            Err(e) => {
                problems.push(e.message);
                hint = hint.or(e.hint);
            }
        }
    }
    if problems.is_empty() {
        Ok(lists)
    } else {
        let mut e = Error::usage(problems.join("\n"));
        e.hint = hint;
        Err(e)
    }
}

/// What a run starts from: its checklists, its plan, its id, and the earlier attempt it resumes.
struct Start {
    checklists: Vec<Checklist>,
    plan: Vec<Planned>,
    run_id: String,
    prior: Option<RunState>,
}

/// `checklist run NAME...`
pub(super) async fn run(g: &GlobalArgs, out: &Output, a: RunArgs) -> Result<i32> {
    let dir = crate::adapters::project::dir(&crate::interface::commands::session::start_dir(g)?)?;
    let jobs = check_args(&a, &dir)?;
    let now = crate::domain::clock::now()?;
    let actor = crate::adapters::actor::resolve(g.actor.as_deref(), &dir);
    let start = start(&dir, &a, now)?;
    crate::app::checklist::register_secrets(&dir, &start.checklists);
    if !g.dry_run {
        refuse_pinned_clock(&start)?;
    }
    let can_ask = crate::interface::checklist::manual::can_ask();
    let engine = Engine {
        args: g,
        dir: dir.clone(),
    };
    // A run that cannot finish fails here, before its first task (a dry run says so too).
    let problems = preflight::check(
        g.yes,
        &engine,
        &start.checklists,
        &start.plan,
        can_ask,
        env_set,
    )
    .await;
    let (report, code) = if g.dry_run {
        let seen = Seen {
            out,
            engine: &engine,
            yes: g.yes,
            can_ask,
        };
        let report = dry_run(
            &seen,
            &start.checklists,
            &start.plan,
            &problems,
            &actor,
            now,
        )
        .await;
        let code = problems.first().map_or(0, |p| p.code);
        if code != 0 {
            out.error(&cannot_finish(&problems, true));
        }
        (report, code)
    } else if let Some(first) = problems.first() {
        let mut e = cannot_finish(&problems, false);
        if first.code == 3 {
            e.kind = crate::domain::error::Kind::Refused;
        }
        return Err(e);
    } else {
        let opts = RunOptions {
            yes: g.yes,
            jobs,
            interactive: can_ask,
        };
        let report = run_tasks(&dir, out, &engine, opts, start, actor, now).await?;
        match report::journal::append(&dir, &report).await {
            Ok(Some(kept)) => out.warn(&kept),
            Ok(None) => {}
            Err(e) => out.error(&e),
        }
        let code = report.status.exit_code();
        (report, code)
    };
    finish(out, &a, &report)?;
    if !g.dry_run && !out.json {
        closing_line(out, &report);
    }
    Ok(code)
}

/// A pinned clock (`ROLLOUT_NOW`) only rehearses: a run whose `rollout:` tasks would change the
/// flag (advance, rollback, kill, resume) refuses it before its first task, as `rollout` does.
/// Other tasks run under it (their times are pinned); `--dry-run` rehearses any run.
fn refuse_pinned_clock(start: &Start) -> Result<()> {
    use crate::domain::checklist::task::RolloutCommand;
    let changing = start.plan.iter().find_map(|p| {
        let task = &start.checklists[p.checklist].tasks[p.task];
        match (&p.step, &task.kind) {
            (Step::Run, TaskKind::Rollout(cmd))
                if !matches!(cmd, RolloutCommand::Status | RolloutCommand::Gate(_)) =>
            {
                Some(format!(
                    "{}/{}",
                    start.checklists[p.checklist].name, task.id
                ))
            }
            _ => None,
        }
    });
    match changing {
        Some(task) => {
            crate::domain::clock::refuse_pinned(crate::domain::clock::Acting::Task(&task))
        }
        None => Ok(()),
    }
}

/// Checks the options that do not go together; returns how many parallel tasks run at once.
fn check_args(a: &RunArgs, dir: &std::path::Path) -> Result<usize> {
    if a.jobs == Some(0) {
        return Err(Error::usage("--jobs must be at least 1"));
    }
    let jobs = a
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from));
    let sel = &a.selection();
    if a.resume && (!sel.only.is_empty() || !sel.skip.is_empty() || sel.from.is_some()) {
        return Err(Error::usage(
            "--resume continues a run with its own selection; it takes no --only, --skip or --from",
        )
        .with_hint("drop those options, or start a new run without --resume"));
    }
    if let Some(twice) = a
        .names
        .iter()
        .enumerate()
        .find_map(|(i, n)| a.names[..i].contains(n).then_some(n))
    {
        return Err(Error::usage(format!("checklist `{twice}` is named twice"))
            .with_hint("name each checklist once"));
    }
    if a.names.is_empty() && !a.resume {
        return Err(
            Error::usage("name the checklists to run").with_hint(format!(
                "the checklists are: {}",
                cl::names(dir)?.join(", ")
            )),
        );
    }
    Ok(jobs)
}

/// The checklists and plan of a new run, or of the unfinished run `--resume` continues.
fn start(dir: &std::path::Path, a: &RunArgs, now: chrono::DateTime<chrono::Utc>) -> Result<Start> {
    if a.resume {
        let Some(prior) = state::latest_unfinished(dir, &a.names)? else {
            let what = if a.names.is_empty() {
                "checklist".to_string()
            } else {
                a.names.join(" ")
            };
            return Err(Error::usage(format!("there is no unfinished run of {what} to resume"))
                .with_hint("the last run finished (or none was recorded); start a new one without --resume"));
        };
        let checklists = load_named(dir, &prior.checklists)?;
        let plan = select::resume(&checklists, &prior.priors(), a.selection().skip_manual);
        Ok(Start {
            checklists,
            plan,
            run_id: prior.run_id.clone(),
            prior: Some(prior),
        })
    } else {
        let checklists = load_named(dir, &a.names)?;
        let plan = select::plan(&checklists, &a.selection())?;
        Ok(Start {
            checklists,
            plan,
            run_id: state::new_run_id(now),
            prior: None,
        })
    }
}

/// Runs the tasks of `start`; returns the run's report.
async fn run_tasks(
    dir: &std::path::Path,
    out: &Output,
    engine: &Engine<'_>,
    opts: RunOptions,
    start: Start,
    actor: String,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<RunReport> {
    let Start {
        checklists,
        plan,
        run_id,
        prior,
    } = start;
    let began = Instant::now();
    let state = RunState {
        run_id: run_id.clone(),
        started: prior.as_ref().map_or(now, |p| p.started),
        updated: now,
        actor: actor.clone(),
        status: Status::Running,
        checklists: checklists.iter().map(|c| c.name.clone()).collect(),
        tasks: Vec::new(),
    };
    let mut interrupt =
        Interrupt::new().map_err(|e| Error::failed(format!("cannot catch Ctrl-C: {e}")))?;
    let progress = progress::choose(out);
    let ports = RunPorts {
        progress: progress.as_ref(),
        prompt: Arc::new(OnTerminal {
            color: out.color_err,
        }),
        log: Arc::new(out.clone()),
        rollout: engine,
        env_set,
    };
    let runner = Runner::new(dir, opts, ports, &checklists, &plan, state);
    let (results, status, statuses) = runner.run(&mut interrupt).await;
    let mut lists = Vec::new();
    for (ci, c) in checklists.iter().enumerate() {
        let rs: Vec<_> = plan
            .iter()
            .zip(&results)
            .filter(|(p, _)| p.checklist == ci)
            .map(|(_, r)| r.clone())
            .collect();
        let st = statuses[ci];
        lists.push(ChecklistReport {
            name: c.name.clone(),
            title: c.title.clone(),
            file: shown_path(&c.path).display().to_string(),
            started: statuses[ci] != RunStatus::NotRun,
            status: st,
            results: rs,
        });
    }
    Ok(RunReport {
        run_id: Some(run_id),
        actor,
        time: now,
        dry_run: false,
        resumed: prior.is_some(),
        status,
        duration: began.elapsed(),
        checklists: lists,
    })
}

/// How to go on after a run that stopped or failed.
fn closing_line(out: &Output, report: &RunReport) {
    let names = report
        .checklists
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    match report.status {
        RunStatus::Interrupted => out.info(&format!(
            "stopped; to continue: checklist run {names} --resume"
        )),
        RunStatus::Failed => out.info(&format!(
            "failed; once fixed, continue with: checklist run {names} --resume"
        )),
        _ => {}
    }
}

/// The error of a run that cannot finish: each task it would fail at, and what to do.
fn cannot_finish(problems: &[Problem], dry_run: bool) -> Error {
    let mut msg = if dry_run {
        "this run would fail:".to_string()
    } else {
        "this run cannot finish, so nothing was run:".to_string()
    };
    for p in problems {
        msg.push_str(&format!("\n  {}/{}: {}", p.checklist, p.id, p.what));
    }
    Error::failed(msg).with_hint(preflight::hint(problems))
}

/// Writes the reports of a finished run and prints its closing line.
fn finish(out: &Output, a: &RunArgs, report: &RunReport) -> Result<()> {
    if let Some(path) = &a.junit {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(parent);
        }
        std::fs::write(path, report::junit::render(report)).map_err(|e| {
            Error::failed(format!(
                "cannot write the JUnit report {}: {e}",
                path.display()
            ))
        })?;
    }
    if !report.dry_run {
        if let Err(e) = report::github_summary::append_if_set(report) {
            out.warn(&format!("cannot append to $GITHUB_STEP_SUMMARY: {e}"));
        }
    }
    let counts = report.counts();
    let allowed: Vec<String> = report
        .checklists
        .iter()
        .flat_map(|c| c.results.iter())
        .filter(|r| r.outcome == Outcome::FailedAllowed)
        .map(|r| r.id.clone())
        .collect();
    if out.json {
        out.json_doc(report::json::document(report));
        let _ = writeln!(std::io::stderr(), "{}", counts.line());
    } else {
        if !allowed.is_empty() {
            out.data(&format!(
                "{} failed but allowed (allow_failure): {}",
                allowed.len(),
                allowed.join(", ")
            ));
        }
        out.data(&counts.line());
    }
    Ok(())
}

/// What a dry run looks through: where it prints, the engine that previews `rollout:` tasks, and
/// the options that decide what a manual task would do.
struct Seen<'a> {
    out: &'a Output,
    engine: &'a Engine<'a>,
    yes: bool,
    can_ask: bool,
}

/// `--dry-run`: each task and what it would do; nothing runs and nothing is written.
async fn dry_run(
    seen: &Seen<'_>,
    checklists: &[Checklist],
    plan: &[Planned],
    problems: &[Problem],
    actor: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> RunReport {
    let out = seen.out;
    let mut lists = Vec::new();
    for (ci, c) in checklists.iter().enumerate() {
        if !out.json {
            out.data(&format!(
                "dry run: checklist {} ({}), nothing is run",
                c.name, c.title
            ));
        }
        let mut results = Vec::new();
        for p in plan.iter().filter(|p| p.checklist == ci) {
            let task = &c.tasks[p.task];
            let problem = problems
                .iter()
                .find(|q| q.checklist == c.name && q.id == task.id);
            let (what, note) = match (&p.step, problem) {
                (Step::Run, Some(q)) => (format!("would fail: {}", q.what), "dry run".to_string()),
                (Step::Run, None) => (
                    format!("would {}", would(task, seen.yes, seen.can_ask)),
                    "dry run".to_string(),
                ),
                (Step::Skip(reason), _) => (format!("skip ({reason})"), reason.clone()),
                (Step::Keep(r), _) => (
                    format!("keep ({} in the earlier attempt)", r.outcome.label()),
                    format!("{} earlier", r.outcome.label()),
                ),
            };
            let extra = task.options();
            let extra = if extra.is_empty() {
                String::new()
            } else {
                format!(" ({})", extra.join(", "))
            };
            if !out.json {
                out.data(&format!("  {} [{}]: {what}{extra}", task.name, task.id));
            }
            // A rollout task previews its change: the engine under --dry-run reads the
            // provider, applies its rules and shows the requests it would send.
            if let (Step::Run, TaskKind::Rollout(cmd), None) = (&p.step, &task.kind, problem) {
                let lines = match seen.engine.run(cmd).await {
                    Ok(lines) => lines,
                    Err(e) => vec![format!("would fail: {}", e.message)],
                };
                for line in lines.iter().filter(|_| !out.json) {
                    out.data(&format!("    {line}"));
                }
            }
            results.push(runner::blank(c, task, Outcome::Skipped, Some(note)));
        }
        lists.push(ChecklistReport {
            name: c.name.clone(),
            title: c.title.clone(),
            file: shown_path(&c.path).display().to_string(),
            started: false,
            status: RunStatus::DryRun,
            results,
        });
    }
    RunReport {
        run_id: None,
        actor: actor.to_string(),
        time: now,
        dry_run: true,
        resumed: false,
        status: RunStatus::DryRun,
        duration: std::time::Duration::ZERO,
        checklists: lists,
    }
}

/// What a task would do in a dry run with these options: a manual task is confirmed with
/// `--yes`, asked on a terminal (and fails without one: see [`preflight`]).
fn would(task: &Task, yes: bool, can_ask: bool) -> String {
    match &task.kind {
        TaskKind::Manual(text) if yes => format!(
            "confirm with --yes: {}",
            text.trim().lines().next().unwrap_or_default()
        ),
        TaskKind::Manual(_) if !can_ask => "fail: no terminal to ask".to_string(),
        _ => task.describe(),
    }
}

/// Whether `var` is set and not empty in this process's environment (what a `require_env:`
/// task checks).
fn env_set(var: &str) -> bool {
    std::env::var_os(var).is_some_and(|x| !x.is_empty())
}
