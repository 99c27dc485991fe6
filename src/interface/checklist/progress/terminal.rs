//! On a terminal: a spinner per running task with its elapsed time and latest output line, drawn
//! on stderr by indicatif; finished tasks print one line above the spinners.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{end_line, failure_lines, tasks, Progress};
use crate::domain::checklist::result::TaskResult;
use crate::domain::checklist::task::Task;
use crate::domain::checklist::Checklist;
use crate::interface::output::Output;

pub struct Terminal {
    out: Output,
    multi: MultiProgress,
    bars: RefCell<HashMap<usize, (ProgressBar, String)>>,
}

impl Terminal {
    #[must_use]
    pub fn new(out: Output) -> Self {
        Terminal {
            out,
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            bars: RefCell::new(HashMap::new()),
        }
    }

    fn println(&self, line: &str) {
        let line = crate::domain::secrets::redact::scrub(line);
        if self.multi.println(&line).is_err() {
            let _ = writeln!(std::io::stderr(), "{line}");
        }
    }
}

/// The spinner's message: the task's name and, dimmed, its latest output line.
fn message(out: &Output, name: &str, latest: &str) -> String {
    let width = usize::from(console::Term::stderr().size().1)
        .saturating_sub(name.len() + 16)
        .max(10);
    // A task's own colours and cursor moves (a progress bar redrawn with `\r`) would break the
    // spinner's line: show the text of the last redraw, plain.
    let plain = console::strip_ansi_codes(latest);
    let last = plain
        .rsplit('\r')
        .find(|s| !s.trim().is_empty())
        .unwrap_or("");
    let clean: String = last
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let latest = console::truncate_str(clean.trim(), width, "…");
    if latest.is_empty() {
        name.to_string()
    } else {
        format!(
            "{name}  {}",
            out.paint_err(console::Style::new().dim(), &latest)
        )
    }
}

impl Progress for Terminal {
    fn checklist_started(&self, checklist: &Checklist, resumed: bool) {
        let verb = if resumed { "resuming" } else { "running" };
        self.println(&format!(
            "{verb} checklist {} ({}): {}",
            self.out
                .paint_err(console::Style::new().bold(), &checklist.name),
            checklist.title,
            tasks(checklist.tasks.len())
        ));
    }

    fn task_started(&self, key: usize, task: &Task) {
        let bar = self.multi.add(ProgressBar::new_spinner());
        let style = ProgressStyle::with_template("{spinner:.cyan} {msg} {elapsed:.dim}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        let name = format!("{} [{}]", task.name, task.id);
        bar.set_message(message(&self.out, &name, ""));
        bar.enable_steady_tick(Duration::from_millis(100));
        self.bars.borrow_mut().insert(key, (bar, name));
    }

    fn task_line(&self, key: usize, line: &str) {
        if let Some((bar, name)) = self.bars.borrow().get(&key) {
            bar.set_message(crate::domain::secrets::redact::scrub(&message(
                &self.out, name, line,
            )));
        }
    }

    fn task_finished(&self, key: usize, task: &Task, result: &TaskResult) {
        if let Some((bar, _)) = self.bars.borrow_mut().remove(&key) {
            bar.finish_and_clear();
            self.multi.remove(&bar);
        }
        self.println(&end_line(&self.out, task, result));
        for l in failure_lines(&self.out, result) {
            self.println(&l);
        }
    }

    fn note(&self, text: &str) {
        if !self.out.quiet {
            self.println(text);
        }
    }
}
