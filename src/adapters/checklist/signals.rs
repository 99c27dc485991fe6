//! The signals that stop a checklist run: caught for the whole run, so that a stop is orderly.

use tokio::signal::unix::{signal, Signal, SignalKind};

use super::process::Stop;

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
