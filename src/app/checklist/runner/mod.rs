//! Runs a plan: tasks in order, adjacent `parallel` tasks together (at most `--jobs` at once),
//! the run state saved as tasks end (at most every 250 ms) and when the run stops, Ctrl-C
//! (SIGINT or SIGTERM) stopping every running task's process group, and the rest of the run
//! skipped after a failure.

mod manual;
mod tasks;

use std::cell::{Cell, RefCell};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use futures_util::stream::{self, StreamExt};

use crate::adapters::checklist::process::{self, Groups};
use crate::adapters::checklist::signals::Interrupt;
use crate::adapters::checklist::state::{self, RunState, StateTask, Status};
use crate::app::checklist::progress::Progress;
use crate::app::checklist::prompt::Prompt;
use crate::app::checklist::rollout::RolloutTasks;
use crate::domain::checklist::result::{Outcome, RunStatus, TaskResult};
use crate::domain::checklist::select::{Planned, Step};
use crate::domain::checklist::task::{Task, TaskKind};
use crate::domain::checklist::Checklist;
use crate::ports::log::Logger;

/// How a run goes: from the command line and the terminal.
pub struct RunOptions {
    /// `--yes`: manual tasks are confirmed without asking.
    pub yes: bool,
    /// `--jobs`: how many parallel tasks run at once.
    pub jobs: usize,
    /// A person can be asked (a terminal, no CI).
    pub interactive: bool,
}

/// What a run reaches the outside through: the reporter of its progress, the person asked at a
/// manual task, the log its warnings go to, the stage engine for `rollout:` tasks, and the
/// environment `require_env:` tasks look at.
pub struct RunPorts<'a> {
    pub progress: &'a dyn Progress,
    pub prompt: Arc<dyn Prompt>,
    pub log: Logger,
    pub rollout: &'a dyn RolloutTasks,
    pub env_set: crate::app::checklist::preflight::EnvSet,
}

/// One run of a plan: its tasks' results and its state as they come in.
pub struct Runner<'a> {
    pub dir: &'a Path,
    pub opts: RunOptions,
    pub ports: RunPorts<'a>,
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
    pub fn new(
        dir: &'a Path,
        opts: RunOptions,
        ports: RunPorts<'a>,
        checklists: &'a [Checklist],
        plan: &'a [Planned],
        state: RunState,
    ) -> Self {
        Runner {
            dir,
            opts,
            ports,
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
            self.ports.log.warn(&e.message);
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
                self.ports.progress.checklist_started(c, resumed);
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
                lists[ci] =
                    stop.unwrap_or_else(|| crate::domain::checklist::result::status_of(own));
            }
        }
        let results: Vec<TaskResult> = self.results.borrow_mut().drain(..).flatten().collect();
        let status = stop.unwrap_or_else(|| crate::domain::checklist::result::status_of(&results));
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
                    Step::Keep(r) => self.ports.progress.note(&earlier_line(r)),
                    Step::Skip(reason) => {
                        if self.ports.log.verbose() {
                            let (_, task) = self.task(idx);
                            self.ports
                                .progress
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
                    self.ports.prompt.cut_short();
                }
                self.ports.progress.note(&format!(
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
            self.ports.progress.task_started(idx, task);
        }
        let began = Instant::now();
        let mut r = match &task.kind {
            TaskKind::Run(script) => self.run_command(idx, c, task, script).await,
            TaskKind::RequireEnv(vars) => tasks::require_env(c, task, vars, self.ports.env_set),
            TaskKind::Rollout(cmd) => self.rollout(idx, c, task, cmd).await,
            TaskKind::Manual(text) => self.manual(c, task, text).await,
        };
        r.duration_ms = u64::try_from(began.elapsed().as_millis()).unwrap_or(u64::MAX);
        if r.outcome == Outcome::Failed && task.allow_failure {
            r.outcome = Outcome::FailedAllowed;
        }
        self.ports.progress.task_finished(idx, task, &r);
        self.set(idx, r);
        self.save_soon();
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
