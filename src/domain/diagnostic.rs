//! A problem found in a configuration file, pinned to file:line:column.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::domain::error::Error;

/// A position in a source file; line and column count from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

/// One problem in one file, with what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    pub pos: Pos,
    pub message: String,
    pub help: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.pos.line,
            self.pos.col,
            self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// The problems printed for one file: past this the first ones are what a person fixes next.
const MAX_SHOWN: usize = 100;

/// Every problem found in one pass over a file: validation reports all of them at once.
#[derive(Debug, Default)]
pub struct Diagnostics {
    pub file: PathBuf,
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new(file: &Path) -> Self {
        Diagnostics {
            file: file.to_path_buf(),
            items: Vec::new(),
        }
    }

    /// Records a problem (one line, and one line of help); control characters and line breaks
    /// quoted from the file are shown as escapes.
    pub fn push(&mut self, pos: Pos, message: impl Into<String>, help: Option<String>) {
        let message = message.into();
        self.items.push(Diagnostic {
            file: self.file.clone(),
            pos,
            message: crate::domain::sanitize::one_line(&message).into_owned(),
            help: help.map(|h| crate::domain::sanitize::one_line(&h).into_owned()),
        });
    }

    pub fn error(&mut self, pos: Pos, message: impl Into<String>, help: impl Into<String>) {
        self.push(pos, message, Some(help.into()));
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The diagnostics as one configuration error (exit 2), or `Ok` when there are none.
    pub fn into_result(self) -> Result<(), Error> {
        if self.items.is_empty() {
            return Ok(());
        }
        Err(self.into_error())
    }

    #[must_use]
    pub fn into_error(mut self) -> Error {
        self.items.sort_by_key(|d| (d.pos.line, d.pos.col));
        let count = self.items.len();
        let mut text = self
            .items
            .iter()
            .take(MAX_SHOWN)
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n");
        if count > MAX_SHOWN {
            text.push_str(&format!("\n... and {} more problems", count - MAX_SHOWN));
        }
        if count > 1 {
            text.push_str(&format!("\n{count} problems in {}", self.file.display()));
        }
        Error::usage(text)
    }
}
