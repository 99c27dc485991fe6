//! Progress while a run goes: one reporter, chosen once per run, gets every task's start, output
//! lines and end. On a terminal: spinners ([`terminal`]); elsewhere one line per task start and
//! end ([`Plain`]); on GitHub Actions also a folded group per task ([`github`]).

pub mod github;
pub mod terminal;

use std::io::Write;

use console::Style;

use crate::domain::checklist::result::{Outcome, TaskResult};
use crate::domain::checklist::task::Task;
use crate::domain::checklist::Checklist;
use crate::interface::output::Output;

pub use crate::app::checklist::progress::Progress;

/// Picks the reporter for this run: GitHub Actions, a terminal that animates, or plain lines.
#[must_use]
pub fn choose(out: &Output) -> Box<dyn Progress> {
    if crate::domain::env_vars::github_actions() {
        Box::new(github::GitHub::new(out.clone()))
    } else if out.animate && !crate::domain::env_vars::no_color() && !out.json && !out.quiet {
        // `NO_COLOR` turns animation off as well as colour (docs/checklist.md "What a run looks like").
        Box::new(terminal::Terminal::new(out.clone()))
    } else {
        Box::new(Plain { out: out.clone() })
    }
}

/// `1 task`, `6 tasks`.
#[must_use]
pub fn tasks(n: usize) -> String {
    if n == 1 {
        "1 task".to_string()
    } else {
        format!("{n} tasks")
    }
}

/// The line that ends a task, e.g. `✓ Run all tests (12.3s)`.
#[must_use]
pub fn end_line(out: &Output, task: &Task, r: &TaskResult) -> String {
    let time = crate::interface::checklist::report::seconds(r.duration());
    let (mark, style) = match r.outcome {
        Outcome::Passed => ("✓", Style::new().green()),
        Outcome::Failed => ("✗", Style::new().red().bold()),
        Outcome::FailedAllowed => ("!", Style::new().yellow()),
        Outcome::Skipped => ("-", Style::new().dim()),
        Outcome::Interrupted | Outcome::Quit => ("✗", Style::new().yellow()),
    };
    let mut line = format!("{} {} [{}]", out.paint_err(style, mark), task.name, task.id);
    match r.outcome {
        Outcome::Passed => line.push_str(&format!(" passed in {time}")),
        Outcome::Skipped => line.push_str(" skipped"),
        _ => line.push_str(&format!(" {} after {time}", r.outcome.label())),
    }
    if let Some(note) = &r.note {
        line.push_str(&format!(": {note}"));
    }
    line
}

/// The lines shown under a failed task: its last output lines and where the whole log is.
#[must_use]
pub fn failure_lines(out: &Output, r: &TaskResult) -> Vec<String> {
    let mut lines = Vec::new();
    if !matches!(
        r.outcome,
        Outcome::Failed | Outcome::FailedAllowed | Outcome::Interrupted | Outcome::Quit
    ) {
        return lines;
    }
    if !r.tail.is_empty() {
        lines.push(match r.tail.len() {
            1 => "  its last line of output:".to_string(),
            n => format!("  its last {n} lines of output:"),
        });
        for l in &r.tail {
            lines.push(format!("  {} {l}", out.paint_err(Style::new().dim(), "│")));
        }
    }
    if let Some(log) = &r.log {
        lines.push(format!("  full log: {log}"));
    }
    lines
}

/// Copies a task's log to `to`, each line after `prefix`, streaming (a log may be large); the log
/// was written scrubbed, and is scrubbed again in case a secret was registered after a line.
pub fn copy_log(log: Option<&str>, to: &mut dyn Write, prefix: &str) {
    use std::io::BufRead;
    let Some(file) = log.and_then(|l| std::fs::File::open(l).ok()) else {
        return;
    };
    let mut reader = std::io::BufReader::new(file);
    let mut buf = Vec::new();
    while reader.read_until(b'\n', &mut buf).is_ok_and(|n| n > 0) {
        let line = String::from_utf8_lossy(&buf);
        let line = crate::domain::secrets::redact::scrub(line.trim_end_matches(['\n', '\r']));
        let _ = writeln!(to, "{prefix}{line}");
        buf.clear();
    }
}

/// One line per task start and end, on stderr: for CI logs, pipes and `TERM=dumb`.
pub struct Plain {
    pub out: Output,
}

impl Progress for Plain {
    fn checklist_started(&self, checklist: &Checklist, resumed: bool) {
        let verb = if resumed { "resuming" } else { "running" };
        self.out.info(&format!(
            "{verb} checklist {} ({}): {}",
            checklist.name,
            checklist.title,
            tasks(checklist.tasks.len())
        ));
    }

    fn task_started(&self, _key: usize, task: &Task) {
        self.out
            .info(&format!("→ {} [{}] started", task.name, task.id));
    }

    fn task_line(&self, _key: usize, _line: &str) {}

    fn task_finished(&self, _key: usize, task: &Task, result: &TaskResult) {
        let failed = matches!(result.outcome, Outcome::Failed | Outcome::FailedAllowed);
        let mut err = std::io::stderr().lock();
        // -v shows a task's whole output when it ends, so parallel tasks never interleave.
        let whole = self.out.verbose && result.log.is_some();
        if whole {
            let bar = self.out.paint_err(Style::new().dim(), "│");
            copy_log(result.log.as_deref(), &mut err, &format!("  {bar} "));
        }
        if failed || !self.out.quiet {
            let mut lines = vec![end_line(&self.out, task, result)];
            if whole {
                lines.extend(result.log.as_ref().map(|l| format!("  full log: {l}")));
            } else {
                lines.extend(failure_lines(&self.out, result));
            }
            for l in lines {
                let _ = writeln!(err, "{}", crate::domain::secrets::redact::scrub(&l));
            }
        }
    }

    fn note(&self, text: &str) {
        self.out.info(text);
    }
}
