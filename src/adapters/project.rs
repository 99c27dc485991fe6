//! The project directory: the nearest directory, from the run's start directory up, that holds
//! stages.yaml (or, for `checklist`, a checklists/ directory). Tasks run there, `.rollout/`
//! lives there. One walk up serves both binaries.

use std::path::{Path, PathBuf};

use crate::app::checklist::CHECKLIST_DIR;
use crate::domain::config::STAGES_FILE;
use crate::domain::error::{Error, Result};
use crate::interface::cli::GlobalArgs;

/// The nearest of `start` and its parents for which `holds` is true.
pub fn walk_up(start: &Path, holds: impl Fn(&Path) -> bool) -> Option<&Path> {
    start.ancestors().find(|d| holds(d))
}

/// stages.yaml, from the run's start directory up (as [`crate::domain::config::find`] shows it).
pub fn stages_file(args: &GlobalArgs) -> Result<PathBuf> {
    crate::domain::config::find(&crate::interface::commands::session::start_dir(args)?)
}

/// The project directory of `checklist`: the nearest directory, from the run's start directory
/// up, that holds stages.yaml or a checklists/ directory.
pub fn dir(args: &GlobalArgs) -> Result<PathBuf> {
    let start = crate::interface::commands::session::start_dir(args)?;
    let start = start.canonicalize().unwrap_or(start);
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

#[cfg(test)]
mod tests {
    use super::walk_up;

    #[test]
    fn the_nearest_directory_that_holds_it_wins() {
        let root = tempfile::tempdir().unwrap();
        let deep = root.path().join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(root.path().join("a/stages.yaml"), "").unwrap();
        std::fs::write(root.path().join("stages.yaml"), "").unwrap();
        let found = walk_up(&deep, |d| d.join("stages.yaml").is_file());
        assert_eq!(found, Some(root.path().join("a").as_path()));
        assert_eq!(walk_up(&deep, |d| d.join("nothing-here").exists()), None);
    }
}
