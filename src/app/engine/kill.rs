//! The kill's reading half: the flag read within `--timeout`, again after a failure worth
//! retrying; and, for `kill --dry-run`, what a kill of the flag as read would do. The kill
//! itself (read, off, read back) is [`crate::app::apply::kill`].

use std::time::Duration;

use tokio::time::Instant;

use crate::app::context::Context;
use crate::app::decide::kill::{self as decide, GaveUp};
use crate::app::decide::Decision;
use crate::domain::error::{Error, Kind, Result};
use crate::domain::event::Event;
use crate::ports::provider::FlagState;

use super::situation;

/// What a kill's give-up says of a flag it never read.
pub const NEVER_READ: &str = "was never read, so whether it is off is unknown";

/// What one read of the flag gave.
pub enum Read {
    Flag(FlagState),
    /// It failed in a way worth retrying, and there is time to.
    Again,
    /// The deadline came.
    GiveUp,
}

/// Reads of the flag for a kill, until its deadline (`--timeout` from the first).
pub struct Reads<'a> {
    ctx: &'a Context,
    pub deadline: Instant,
    /// The last cause of a failure, for the give-up.
    pub last: Option<Error>,
    pause: Duration,
    failed_reads: u32,
}

impl<'a> Reads<'a> {
    #[must_use]
    pub fn new(ctx: &'a Context) -> Self {
        Reads {
            ctx,
            deadline: Instant::now() + ctx.run.timeout,
            last: None,
            pause: Duration::from_millis(100),
            failed_reads: 0,
        }
    }

    /// The error of a provider that did not answer within `--timeout`.
    #[must_use]
    pub fn no_answer(&self) -> Error {
        Error::provider(format!(
            "no answer from the provider within {}",
            crate::domain::clock::span(self.ctx.run.timeout)
        ))
    }

    /// Waits the current pause (doubling it, up to a second); false when the deadline would
    /// pass first.
    pub async fn pause(&mut self) -> bool {
        if Instant::now() + self.pause >= self.deadline {
            return false;
        }
        tokio::time::sleep(self.pause).await;
        self.pause = (self.pause * 2).min(Duration::from_secs(1));
        true
    }

    /// One read of the flag within the deadline. An answer that was no flag (an HTML page) is
    /// read again; a permanent error ends the kill.
    pub async fn read(&mut self) -> Result<Read> {
        let read = tokio::time::timeout_at(self.deadline, self.ctx.provider.read_for_kill()).await;
        match read {
            Ok(Ok(state)) => Ok(Read::Flag(state)),
            Ok(Err(e)) if e.permanent || !matches!(e.kind, Kind::Provider | Kind::Conflict) => {
                Err(e)
            }
            Ok(Err(e)) => {
                let why = e
                    .message
                    .strip_suffix("; nothing was changed")
                    .unwrap_or(&e.message);
                self.failed_reads += 1;
                self.ctx.log.warn(&format!(
                    "kill attempt {} failed: {why}; retrying",
                    self.failed_reads
                ));
                self.last = Some(e);
                Ok(if self.pause().await {
                    Read::Again
                } else {
                    Read::GiveUp
                })
            }
            Err(_) => {
                self.last = Some(self.no_answer());
                Ok(Read::GiveUp)
            }
        }
    }

    /// The error of a kill that gave up: the last cause, what it `sent`, what it last `seen`.
    pub fn gave_up(&mut self, sent: &str, seen: &str) -> Error {
        let cause = self
            .last
            .take()
            .map_or_else(|| self.no_answer().message, |e| e.message);
        let ctx = self.ctx;
        decide::gave_up(&GaveUp {
            flag: &ctx.config.flag,
            in_environment: &ctx.settings.in_environment(),
            place: &ctx.provider.describe(),
            cause: &cause,
            sent,
            seen,
            timeout: ctx.run.timeout,
        })
    }
}

/// What a kill of the flag as it is now would do. (One is made per `kill --dry-run`: its size
/// is no matter.)
#[allow(clippy::large_enum_variant)]
pub enum Killing {
    /// The flag is off (or does not exist): nothing to send; `event` records it.
    AlreadyOff { event: Event, state: FlagState },
    /// The off to send, as a decision.
    Off(Decision),
}

/// Reads the flag as a kill does (until `--timeout`) and decides what a kill would do, without
/// sending anything: `kill --dry-run`.
pub async fn kill(ctx: &Context, reason: Option<String>) -> Result<Killing> {
    let mut reads = Reads::new(ctx);
    let state = loop {
        match reads.read().await? {
            Read::Flag(state) => break state,
            Read::Again => {}
            Read::GiveUp => return Err(reads.gave_up("no off was sent", NEVER_READ)),
        }
    };
    let place = ctx.provider.describe();
    let sit = situation(ctx, &state, None, &place);
    if !state.exists || !state.on {
        let event = decide::already_off(&sit, &sit, reason);
        return Ok(Killing::AlreadyOff { event, state });
    }
    Ok(Killing::Off(decide::planned(&sit, reason)))
}
