//! Where stages.yaml is: the nearest directory, from the run's start directory up, that holds it.

use std::path::{Path, PathBuf};

use super::STAGES_FILE;
use crate::domain::error::{Error, Result};

/// The nearest of `start` and its parents for which `holds` is true.
pub fn walk_up(start: &Path, holds: impl Fn(&Path) -> bool) -> Option<&Path> {
    start.ancestors().find(|d| holds(d))
}

/// Finds stages.yaml in `start` or a parent directory.
pub fn find(start: &Path) -> Result<PathBuf> {
    if let Some(d) = walk_up(start, |d| d.join(STAGES_FILE).is_file()) {
        let candidate = d.join(STAGES_FILE);
        // Shown in messages: relative to the current directory where it is below it.
        let cwd = std::env::current_dir().unwrap_or_default();
        return Ok(match candidate.strip_prefix(&cwd) {
            Ok(rel) => rel.to_path_buf(),
            Err(_) => candidate,
        });
    }
    Err(Error::usage(format!(
        "no {STAGES_FILE} in {} or any parent directory",
        start.display()
    ))
    .with_hint("run `rollout init` to write a starter stages.yaml, or pass -C DIR"))
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
