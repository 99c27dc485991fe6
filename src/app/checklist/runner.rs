//! Runs a plan: tasks in order, adjacent `parallel` tasks together (at most `--jobs` at once),
//! the run state saved as tasks end (at most every 250 ms) and when the run stops, Ctrl-C
//! (SIGINT or SIGTERM) stopping every running task's process group, and the rest of the run
//! skipped after a failure.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use futures_util::stream::{self, StreamExt};
use tokio::signal::unix::{signal, Signal, SignalKind};

use crate::app::checklist::file::shown_path;
use crate::app::checklist::manual::{self, Answer};
use crate::app::checklist::process::{self, Exit, Groups, Log, Sink, Stop};
use crate::app::checklist::progress::Progress;
use crate::app::checklist::result::{Outcome, RunStatus, TaskResult};
use crate::app::checklist::select::{Planned, Step};
use crate::app::checklist::state::{self, RunState, StateTask, Status};
use crate::app::checklist::task::{Task, TaskKind};
use crate::app::checklist::{rollout_task, Checklist};
use crate::interface::cli::global_args::GlobalArgs;
use crate::interface::output::Output;

/// Ctrl-C and SIGTERM, caught for the whole run so that a stop is orderly.
pub struct Interrupt {
    int: Signal,
    term: Signal,
}

impl Interrupt {
    pub fn new() -> std::io::Result<Interrupt> {
        Ok(Interrupt {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
        })
    }

    /// The next Ctrl-C (SIGINT) or SIGTERM, named.
    pub async fn recv(&mut self) -> Stop {
        tokio::select! {
            _ = self.int.recv() => Stop::Interrupt,
            _ = self.term.recv() => Stop::Terminate,
        }
    }
}

pub struct RunOptions {
    /// `--yes`: manual tasks are confirmed without asking.
    pub yes: bool,
    /// `--jobs`: how many parallel tasks run at once.
    pub jobs: usize,
    /// A person can be asked (a terminal, no CI).
    pub interactive: bool,
}

pub struct Runner<'a> {
    pub dir: &'a Path,
    pub args: &'a GlobalArgs,
    pub out: &'a Output,
    pub opts: RunOptions,
    pub progress: &'a dyn Progress,
    pub checklists: &'a [Checklist],
    pub plan: &'a [Planned],
    groups: Groups,
    results: RefCell<Vec<Option<TaskResult>>>,
    state: RefCell<RunState>,
    quit: Cell<bool>,
    /// How many prompts are on screen now (a manual task waiting for its answer).
    asking: Cell<usize>,
    last_save: Cell<Option<Instant>>,
}

/// How often at most the running state is saved (see [`Runner::save_soon`]).
const SAVE_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// A result for `task` before it has run (or instead of running it).
#[must_use]
pub fn blank(c: &Checklist, task: &Task, outcome: Outcome, note: Option<String>) -> TaskResult {
    TaskResult {
        checklist: c.name.clone(),
        id: task.id.clone(),
        name: task.name.clone(),
        kind: task.kind.name().to_string(),
        outcome,
        note,
        duration_ms: 0,
        attempts: 0,
        exit_code: None,
        log: None,
        tail: Vec::new(),
        earlier: false,
    }
}

impl<'a> Runner<'a> {
    #[must_use]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        dir: &'a Path,
        args: &'a GlobalArgs,
        out: &'a Output,
        opts: RunOptions,
        progress: &'a dyn Progress,
        checklists: &'a [Checklist],
        plan: &'a [Planned],
        state: RunState,
    ) -> Self {
        Runner {
            dir,
            args,
            out,
            opts,
            progress,
            checklists,
            plan,
            groups: Groups::default(),
            results: RefCell::new(vec![None; plan.len()]),
            state: RefCell::new(state),
            quit: Cell::new(false),
            asking: Cell::new(0),
            last_save: Cell::new(None),
        }
    }

    fn task(&self, idx: usize) -> (&'a Checklist, &'a Task) {
        let p = &self.plan[idx];
        let c = &self.checklists[p.checklist];
        (c, &c.tasks[p.task])
    }

    fn set(&self, idx: usize, r: TaskResult) {
        self.results.borrow_mut()[idx] = Some(r);
    }

    fn has(&self, idx: usize) -> bool {
        self.results.borrow()[idx].is_some()
    }

    /// Saves the running state after a task ends, at most every [`SAVE_EVERY`]: replacing a
    /// file makes ext4 and others flush it, which would cost more than a short task. The final
    /// state (passed, failed, interrupted) is always saved.
    fn save_soon(&self) {
        if self
            .last_save
            .get()
            .is_none_or(|t| t.elapsed() >= SAVE_EVERY)
        {
            self.save(Status::Running);
        }
    }

    /// Saves the run state; a state that cannot be written is reported once per save, never fatal.
    fn save(&self, status: Status) {
        self.last_save.set(Some(Instant::now()));
        let mut st = self.state.borrow_mut();
        st.status = status;
        st.updated = chrono::Utc::now();
        let results = self.results.borrow();
        st.tasks = self
            .plan
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let c = &self.checklists[p.checklist];
                StateTask {
                    checklist: c.name.clone(),
                    id: c.tasks[p.task].id.clone(),
                    selected: !matches!(p.step, Step::Skip(_)),
                    result: results[i].clone(),
                }
            })
            .collect();
        if let Err(e) = state::save(self.dir, &st) {
            self.out.warn(&e.message);
        }
    }

    /// Runs the plan; returns every task's result (in plan order), how the run ended, and how
    /// each checklist ended (`NotRun` for those left out after an earlier one stopped the run).
    pub async fn run(
        self,
        interrupt: &mut Interrupt,
    ) -> (Vec<TaskResult>, RunStatus, Vec<RunStatus>) {
        for (idx, p) in self.plan.iter().enumerate() {
            let (c, task) = self.task(idx);
            match &p.step {
                Step::Keep(r) => self.set(idx, r.clone()),
                Step::Skip(reason) => {
                    self.set(idx, blank(c, task, Outcome::Skipped, Some(reason.clone())));
                }
                Step::Run => {}
            }
        }
        self.save(Status::Running);
        let resumed = self.plan.iter().any(|p| matches!(p.step, Step::Keep(_)));
        let mut stop: Option<RunStatus> = None;
        let mut lists = vec![RunStatus::NotRun; self.checklists.len()];
        for (ci, c) in self.checklists.iter().enumerate() {
            let idxs: Vec<usize> = (0..self.plan.len())
                .filter(|&i| self.plan[i].checklist == ci)
                .collect();
            let ran = stop.is_none();
            if ran {
                self.progress.checklist_started(c, resumed);
                stop = self.run_checklist(&idxs, interrupt).await;
            }
            let why = match stop {
                Some(RunStatus::Interrupted) => "not run: the run was stopped",
                _ => "not run: an earlier task failed",
            };
            for &i in &idxs {
                if !self.has(i) {
                    let (c, task) = self.task(i);
                    self.set(i, blank(c, task, Outcome::Skipped, Some(why.into())));
                }
            }
            if ran {
                let results = self.results.borrow();
                let own = idxs.iter().filter_map(|&i| results[i].as_ref());
                lists[ci] = stop.unwrap_or_else(|| crate::app::checklist::result::status_of(own));
            }
        }
        let results: Vec<TaskResult> = self.results.borrow_mut().drain(..).flatten().collect();
        let status = stop.unwrap_or_else(|| crate::app::checklist::result::status_of(&results));
        *self.results.borrow_mut() = results.iter().cloned().map(Some).collect();
        self.save(match status {
            RunStatus::Passed | RunStatus::Skipped | RunStatus::DryRun | RunStatus::NotRun => {
                Status::Passed
            }
            RunStatus::Failed => Status::Failed,
            RunStatus::Interrupted => Status::Interrupted,
        });
        (results, status, lists)
    }

    async fn run_checklist(&self, idxs: &[usize], interrupt: &mut Interrupt) -> Option<RunStatus> {
        let mut i = 0;
        while i < idxs.len() {
            let mut end = i + 1;
            if self.task(idxs[i]).1.parallel {
                while end < idxs.len() && self.task(idxs[end]).1.parallel {
                    end += 1;
                }
            }
            let batch = &idxs[i..end];
            i = end;
            let mut to_run = Vec::new();
            for &idx in batch {
                match &self.plan[idx].step {
                    Step::Run => to_run.push(idx),
                    Step::Keep(r) => self.progress.note(&earlier_line(r)),
                    Step::Skip(reason) => {
                        if self.out.verbose {
                            let (_, task) = self.task(idx);
                            self.progress
                                .note(&format!("- {} [{}] skipped: {reason}", task.name, task.id));
                        }
                    }
                }
            }
            if to_run.is_empty() {
                continue;
            }
            let jobs = self.opts.jobs.max(1);
            let work = stream::iter(to_run.iter().map(|&idx| self.execute(idx)))
                .buffer_unordered(jobs)
                .collect::<Vec<()>>();
            tokio::pin!(work);
            let stopped = tokio::select! {
                _ = &mut work => None,
                why = interrupt.recv() => Some(why),
            };
            if let Some(why) = stopped {
                if self.asking.get() > 0 {
                    // A prompt's line has no newline yet: end it, so what follows starts clean.
                    let _ = writeln!(std::io::stderr());
                }
                self.progress.note(&format!(
                    "{}: stopping the running tasks (up to {}s for their cleanup; {} again stops them at once)",
                    why.label(),
                    process::GRACE.as_secs(),
                    why.label()
                ));
                // The running tasks go on being read while their groups clean up; those that
                // had not started do not start.
                self.groups.begin_stop(why);
                let hurry = async {
                    interrupt.recv().await;
                };
                tokio::join!(&mut work, self.groups.finish_stop(hurry));
                self.save(Status::Interrupted);
                return Some(RunStatus::Interrupted);
            }
            let interrupted = to_run.iter().any(|&idx| {
                self.results.borrow()[idx]
                    .as_ref()
                    .is_some_and(|r| r.outcome == Outcome::Interrupted)
            });
            if self.quit.get() || interrupted {
                return Some(RunStatus::Interrupted);
            }
            let failed = to_run.iter().any(|&idx| {
                self.results.borrow()[idx]
                    .as_ref()
                    .is_some_and(|r| r.outcome == Outcome::Failed)
            });
            if failed {
                return Some(RunStatus::Failed);
            }
        }
        None
    }

    async fn execute(&self, idx: usize) {
        let (c, task) = self.task(idx);
        // A task whose turn comes while the run is being stopped does not start.
        if self.groups.stopping().is_some() {
            return;
        }
        // A question to a person (a manual task, or a rollout change that asks for confirmation)
        // gets the terminal to itself: no spinner over it.
        let asks = matches!(task.kind, TaskKind::Manual(_) | TaskKind::Rollout(_))
            && !self.opts.yes
            && self.opts.interactive;
        if !asks {
            self.progress.task_started(idx, task);
        }
        let began = Instant::now();
        let mut r = match &task.kind {
            TaskKind::Run(script) => self.run_command(idx, c, task, script).await,
            TaskKind::RequireEnv(vars) => require_env(c, task, vars),
            TaskKind::Rollout(cmd) => {
                let mut tail = VecDeque::new();
                let mut log = Log::new(self.log_path(c, task));
                let on_line = |l: &str| self.progress.task_line(idx, l);
                let mut sink = Sink {
                    log: &mut log,
                    tail: &mut tail,
                    on_line: &on_line,
                };
                let (outcome, note) =
                    match rollout_task::run(cmd, &self.args.into(), self.dir).await {
                        Ok(lines) => {
                            lines.iter().for_each(|l| sink.line(l));
                            (Outcome::Passed, None)
                        }
                        Err(e) if e.kind == crate::domain::error::Kind::Interrupted => (
                            Outcome::Interrupted,
                            Some(e.message.lines().next().unwrap_or_default().to_string()),
                        ),
                        Err(e) => {
                            sink.line(&format!("error: {}", e.message));
                            if let Some(h) = &e.hint {
                                sink.line(&format!("hint: {h}"));
                            }
                            (
                                Outcome::Failed,
                                Some(e.message.lines().next().unwrap_or_default().to_string()),
                            )
                        }
                    };
                log.flush();
                let mut r = blank(c, task, outcome, note);
                r.attempts = 1;
                r.log = log.exists().then(|| self.shown_log(c, task));
                r.tail = tail.into_iter().collect();
                r
            }
            TaskKind::Manual(text) => self.manual(c, task, text).await,
        };
        r.duration_ms = u64::try_from(began.elapsed().as_millis()).unwrap_or(u64::MAX);
        if r.outcome == Outcome::Failed && task.allow_failure {
            r.outcome = Outcome::FailedAllowed;
        }
        self.progress.task_finished(idx, task, &r);
        self.set(idx, r);
        self.save_soon();
    }

    fn log_path(&self, c: &Checklist, task: &Task) -> std::path::PathBuf {
        let run_id = self.state.borrow().run_id.clone();
        state::run_dir(self.dir, &run_id)
            .join(&c.name)
            .join(format!("{}.log", task.id))
    }

    fn shown_log(&self, c: &Checklist, task: &Task) -> String {
        shown_path(&self.log_path(c, task)).display().to_string()
    }

    async fn run_command(
        &self,
        idx: usize,
        c: &Checklist,
        task: &Task,
        script: &str,
    ) -> TaskResult {
        let mut file = Log::new(self.log_path(c, task));
        let run_id = self.state.borrow().run_id.clone();
        let env = [
            (
                crate::domain::env_vars::EnvVars::CHECKLIST_RUN_ID,
                run_id.as_str(),
            ),
            (
                crate::domain::env_vars::EnvVars::CHECKLIST_NAME,
                c.name.as_str(),
            ),
            (
                crate::domain::env_vars::EnvVars::CHECKLIST_TASK_ID,
                task.id.as_str(),
            ),
        ];
        let on_line = |l: &str| self.progress.task_line(idx, l);
        let mut tail = VecDeque::new();
        let mut attempts = 0;
        let mut last = Exit::Code(0);
        for attempt in 1..=task.retries + 1 {
            attempts = attempt;
            let mut sink = Sink {
                log: &mut file,
                tail: &mut tail,
                on_line: &on_line,
            };
            if attempt > 1 {
                sink.line(&format!(
                    "--- retrying: attempt {attempt} of {} ---",
                    task.retries + 1
                ));
            }
            last = match process::run_shell(
                script,
                self.dir,
                &env,
                task.timeout,
                &self.groups,
                &mut sink,
            )
            .await
            {
                Ok(exit) => exit,
                Err(e) => {
                    sink.line(&format!("checklist: cannot start sh: {e}"));
                    Exit::Code(127)
                }
            };
            if last.success() || self.groups.stopping().is_some() {
                break;
            }
        }
        file.flush();
        if let Some(e) = file.error() {
            let shown = self.shown_log(c, task);
            self.out.warn(&format!("cannot write the log {shown}: {e}"));
        }
        let (outcome, note) = match (self.groups.stopping(), last) {
            (Some(why), _) => (
                Outcome::Interrupted,
                Some(format!(
                    "stopped by {} (its process group got SIGTERM)",
                    why.label()
                )),
            ),
            (None, last) => match last {
                Exit::Code(0) => (Outcome::Passed, None),
                Exit::Code(n) => (Outcome::Failed, Some(format!("exit {n}"))),
                Exit::Signal(s) => (Outcome::Failed, Some(format!("killed by signal {s}"))),
                Exit::TimedOut => (
                    Outcome::Failed,
                    Some(format!(
                        "timed out after {} (its process group was killed)",
                        crate::domain::clock::span(task.timeout.unwrap_or_default())
                    )),
                ),
            },
        };
        let mut r = blank(c, task, outcome, note);
        if attempts > 1 {
            r.note = Some(match r.note.take() {
                Some(n) => format!("{n} (after {attempts} attempts)"),
                None => format!("passed on attempt {attempts}"),
            });
        }
        r.attempts = attempts;
        r.exit_code = last.code();
        r.log = file.exists().then(|| self.shown_log(c, task));
        r.tail = tail.into_iter().collect();
        r
    }

    async fn manual(&self, c: &Checklist, task: &Task, text: &str) -> TaskResult {
        let actor = self.state.borrow().actor.clone();
        if self.opts.yes {
            return blank(
                c,
                task,
                Outcome::Passed,
                Some(format!("confirmed with --yes by {actor}")),
            );
        }
        if !self.opts.interactive {
            let mut r = blank(
                c,
                task,
                Outcome::Failed,
                Some("a manual task needs a person at a terminal: pass --yes to confirm it, or --skip-manual to skip it".into()),
            );
            r.tail = text.lines().map(|l| format!("instructions: {l}")).collect();
            return r;
        }
        let (name, id, text, color) = (
            task.name.clone(),
            task.id.clone(),
            text.to_string(),
            self.out.color_err,
        );
        self.asking.set(self.asking.get() + 1);
        let asking = tokio::task::spawn_blocking(move || manual::ask(&name, &id, &text, color));
        let _asked = Asking(&self.asking);
        let asked = tokio::select! {
            asked = asking => asked,
            why = self.groups.stopped() => {
                return blank(
                    c,
                    task,
                    Outcome::Interrupted,
                    Some(format!("stopped by {} at its prompt; `--resume` asks again", why.label())),
                );
            }
        };
        match asked {
            Ok(Ok(Answer::Done)) => blank(
                c,
                task,
                Outcome::Passed,
                Some(format!("confirmed by {actor}")),
            ),
            Ok(Ok(Answer::NotDone)) => blank(
                c,
                task,
                Outcome::Failed,
                Some(format!("declined by {actor}: not done")),
            ),
            Ok(Ok(Answer::Skip)) => blank(
                c,
                task,
                Outcome::Skipped,
                Some(format!("skipped by {actor}")),
            ),
            Ok(Ok(Answer::Quit)) => {
                self.quit.set(true);
                blank(
                    c,
                    task,
                    Outcome::Quit,
                    Some(format!("{actor} quit here; `--resume` asks again")),
                )
            }
            Ok(Err(e)) => blank(
                c,
                task,
                Outcome::Failed,
                Some(format!("could not read an answer: {e}")),
            ),
            Err(e) => blank(
                c,
                task,
                Outcome::Failed,
                Some(format!("could not ask: {e}")),
            ),
        }
    }
}

fn require_env(c: &Checklist, task: &Task, vars: &[String]) -> TaskResult {
    let missing = crate::app::checklist::preflight::missing_env(vars);
    if missing.is_empty() {
        return blank(c, task, Outcome::Passed, None);
    }
    let mut r = blank(
        c,
        task,
        Outcome::Failed,
        Some(format!("not set or empty: {}", missing.join(", "))),
    );
    r.tail = missing
        .iter()
        .map(|v| format!("export {v}=… (set it in the environment of this run)"))
        .collect();
    r
}

/// Counts a prompt off the screen when its question ends, however it ends.
struct Asking<'a>(&'a Cell<usize>);

impl Drop for Asking<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

/// How a task kept from the earlier attempt of a resumed run ended, truthfully: `✓ Build [build]
/// passed in the earlier attempt of this run`, `! Scan [scan] failed (allowed) …`.
fn earlier_line(r: &TaskResult) -> String {
    let mark = match r.outcome {
        Outcome::Passed => "✓",
        Outcome::FailedAllowed => "!",
        Outcome::Skipped => "-",
        Outcome::Failed | Outcome::Interrupted | Outcome::Quit => "✗",
    };
    let mut line = format!(
        "{mark} {} [{}] {} in the earlier attempt of this run",
        r.name,
        r.id,
        r.outcome.label()
    );
    if let Some(note) = r.note.as_ref().filter(|_| r.outcome != Outcome::Passed) {
        line.push_str(&format!(": {note}"));
    }
    line
}
