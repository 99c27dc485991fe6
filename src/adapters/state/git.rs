//! The git store (docs/team.md). Not written yet: see issue 20.

use std::path::Path;

use crate::domain::error::{Error, Result};
use crate::ports::state::Store;

/// Opens the store on `branch` of `remote`; `dir` is the directory of stages.yaml.
pub fn open(remote: &str, branch: &str, dir: &Path) -> Result<Box<dyn Store>> {
    let _ = dir;
    Err(Error::usage(format!(
        "state kind `git` ({remote}, branch {branch}) is not available in this build yet"
    )))
}
