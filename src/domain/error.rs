//! The errors a user reads, each with the exit code chosen for its class (README.md "Exit codes").

use std::fmt;

/// What kind of failure this is; decides the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 1: a task or gate failed, a manual task was declined.
    Failed,
    /// 2: bad arguments or configuration; nothing was changed.
    Usage,
    /// 3: refused by a rollout rule; nothing was changed.
    Refused,
    /// 4: the provider failed (unreachable, auth, rejected, timed out).
    Provider,
    /// 5: somebody else changed the flag between our read and our write.
    Conflict,
    /// 130: interrupted by the user.
    Interrupted,
}

impl Kind {
    #[must_use]
    pub fn exit_code(self) -> i32 {
        match self {
            Kind::Failed => 1,
            Kind::Usage => 2,
            Kind::Refused => 3,
            Kind::Provider => 4,
            Kind::Conflict => 5,
            Kind::Interrupted => 130,
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Kind::Failed => "failed",
            Kind::Usage => "usage",
            Kind::Refused => "refused",
            Kind::Provider => "provider",
            Kind::Conflict => "conflict",
            Kind::Interrupted => "interrupted",
        }
    }
}

/// What a failed change had written of itself when it stopped, as far as the one that failed
/// knows: the journal's outcome record is decided from it ([`crate::app::intent`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Written {
    /// Not known: the journal learns it by reading the flag back.
    #[default]
    Unknown,
    /// Nothing.
    Nothing,
    /// These parts, before a conflict stopped the rest.
    Partly(Vec<String>),
}

impl fmt::Display for Written {
    /// How an error's message ends: what the failed command changed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Written::Unknown => f.write_str("the change may have been applied"),
            Written::Nothing => f.write_str("nothing was changed"),
            Written::Partly(done) => write!(f, "already changed: {}", done.join(", ")),
        }
    }
}

/// An error for people: what went wrong, and (where we know it) what to do about it.
#[derive(Debug, thiserror::Error)]
pub struct Error {
    pub kind: Kind,
    pub message: String,
    pub hint: Option<String>,
    /// Retrying cannot help (a refused token, an unknown flag): `kill` stops retrying at once.
    pub permanent: bool,
    /// What the failed change had written; the message says it too.
    pub written: Written,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            hint: None,
            permanent: false,
            written: Written::Unknown,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    pub fn refused(message: impl Into<String>) -> Self {
        Self::new(Kind::Refused, message)
    }

    pub fn provider(message: impl Into<String>) -> Self {
        Self::new(Kind::Provider, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(Kind::Conflict, message)
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(Kind::Failed, message)
    }

    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Records what the failed change had written (the message says it already).
    #[must_use]
    pub fn written(mut self, written: Written) -> Self {
        self.written = written;
        self
    }

    /// Ends the message with "; nothing was changed", and records it.
    #[must_use]
    pub fn nothing_changed(mut self) -> Self {
        self.message.push_str("; nothing was changed");
        self.written = Written::Nothing;
        self
    }

    /// Marks an error that no retry can fix.
    #[must_use]
    pub fn permanent(mut self) -> Self {
        self.permanent = true;
        self
    }

    #[must_use]
    pub fn exit_code(&self) -> i32 {
        self.kind.exit_code()
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::failed(err.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
