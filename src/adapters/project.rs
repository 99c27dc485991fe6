//! The project directory: the nearest directory, from the run's start directory up, that holds
//! stages.yaml (or, for `checklist`, a checklists/ directory). Tasks run there, `.rollout/`
//! lives there. One walk up serves both binaries.

use std::path::{Path, PathBuf};

use crate::domain::checklist::CHECKLIST_DIR;
use crate::domain::config::{walk_up, STAGES_FILE};
use crate::domain::error::{Error, Result};

/// stages.yaml, from the run's start directory `start` up (as [`crate::domain::config::find`]
/// shows it).
pub fn stages_file(start: &Path) -> Result<PathBuf> {
    crate::domain::config::find(start)
}

/// The project directory of `checklist`: the nearest directory, from the run's start directory
/// `start` up, that holds stages.yaml or a checklists/ directory.
pub fn dir(start: &Path) -> Result<PathBuf> {
    let start = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
    match walk_up(&start, |d| {
        d.join(STAGES_FILE).is_file() || d.join(CHECKLIST_DIR).is_dir()
    }) {
        Some(d) => Ok(d.to_path_buf()),
        None => Err(Error::usage(format!(
            "no {CHECKLIST_DIR}/ directory or {STAGES_FILE} in {} or any parent directory",
            start.display()
        ))
        .with_hint("run `rollout init` to write starter checklists, or pass -C DIR")),
    }
}
