//! The one log port: what `-v` shows and the warnings a run gives on its way (a retried request,
//! a notification not sent, an event log that could not be read). The HTTP client, providers,
//! gate sources and notify report through it; the interface renders it (`Output` implements
//! [`Log`]), and a caller that wants silence passes [`Quiet`].

use std::sync::Arc;

/// Where the lower layers report what they do.
pub trait Log: Send + Sync {
    /// A detail shown with `-v` (a request sent, a retry).
    fn debug(&self, text: &str);
    /// Something the person running the command should know; never fails the run.
    fn warn(&self, text: &str);
    /// Whether details are wanted at all (`-v`): lets a caller skip building them.
    fn verbose(&self) -> bool;
}

/// A shared handle to the run's log.
pub type Logger = Arc<dyn Log>;

/// A log that drops everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Log for Quiet {
    fn debug(&self, _text: &str) {}
    fn warn(&self, _text: &str) {}
    fn verbose(&self) -> bool {
        false
    }
}

/// The quiet log, shared.
#[must_use]
pub fn quiet() -> Logger {
    Arc::new(Quiet)
}
