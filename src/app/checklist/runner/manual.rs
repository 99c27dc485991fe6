//! A `manual:` task: confirmed by `--yes`, failed where nobody can be asked, else asked.

use std::cell::Cell;
use std::sync::Arc;

use super::{blank, Runner};
use crate::app::checklist::prompt::Answer;
use crate::domain::checklist::result::{Outcome, TaskResult};
use crate::domain::checklist::task::Task;
use crate::domain::checklist::Checklist;

impl Runner<'_> {
    /// Runs a manual task with `text` as its instructions.
    pub(super) async fn manual(&self, c: &Checklist, task: &Task, text: &str) -> TaskResult {
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
        let (name, id, text, prompt) = (
            task.name.clone(),
            task.id.clone(),
            text.to_string(),
            Arc::clone(&self.ports.prompt),
        );
        self.asking.set(self.asking.get() + 1);
        let asking = tokio::task::spawn_blocking(move || prompt.ask(&name, &id, &text));
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
        let (outcome, note) = match asked {
            Ok(Ok(Answer::Done)) => (Outcome::Passed, format!("confirmed by {actor}")),
            Ok(Ok(Answer::NotDone)) => (Outcome::Failed, format!("declined by {actor}: not done")),
            Ok(Ok(Answer::Skip)) => (Outcome::Skipped, format!("skipped by {actor}")),
            Ok(Ok(Answer::Quit)) => {
                self.quit.set(true);
                (
                    Outcome::Quit,
                    format!("{actor} quit here; `--resume` asks again"),
                )
            }
            Ok(Err(e)) => (Outcome::Failed, format!("could not read an answer: {e}")),
            Err(e) => (Outcome::Failed, format!("could not ask: {e}")),
        };
        blank(c, task, outcome, Some(note))
    }
}

/// Counts a prompt off the screen when its question ends, however it ends.
struct Asking<'a>(&'a Cell<usize>);

impl Drop for Asking<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}
