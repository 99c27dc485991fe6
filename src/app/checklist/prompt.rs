//! The question a manual task asks a person: the runner asks through a [`Prompt`] (the
//! interface asks on the terminal) and acts on the [`Answer`].

/// What a person answered to a manual task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Done,
    NotDone,
    Skip,
    Quit,
}

/// Asks a person about a manual task. Blocking: the runner calls it off the async runtime.
pub trait Prompt: Send + Sync {
    /// Shows the task `name` [`id`] and its instructions, and waits for the answer; the end of
    /// input counts as [`Answer::Quit`].
    fn ask(&self, name: &str, id: &str, instructions: &str) -> std::io::Result<Answer>;

    /// A question on screen is left unanswered (the run is stopping): its line has no newline
    /// yet, so end it, and what follows starts clean.
    fn cut_short(&self);
}
