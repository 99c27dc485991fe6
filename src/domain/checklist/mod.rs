//! `checklist`: the release checklist format, `checklists/*.yaml`: found and read ([`file`]) into
//! typed [`task`]s; [`select`] decides (as pure functions) which tasks a run takes; [`result`]
//! holds how each task and the run ended, from which every report is built.

pub mod file;
pub mod format;
pub mod result;
pub mod select;
pub mod shell;
pub mod task;

use std::path::{Path, PathBuf};

pub use file::Checklist;

use crate::domain::error::{Error, Result};

/// Where checklists live, beside stages.yaml.
pub const CHECKLIST_DIR: &str = "checklists";

/// The checklist files in `dir/checklists/`, sorted by name.
pub fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    let root = dir.join(CHECKLIST_DIR);
    let entries = match std::fs::read_dir(&root) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::usage(format!("cannot read {}: {e}", root.display()))),
    };
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
        })
        .collect();
    out.sort();
    Ok(out)
}

/// The names of the checklists in `dir` (file stems).
pub fn names(dir: &Path) -> Result<Vec<String>> {
    Ok(files(dir)?
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect())
}

/// Loads the checklist called `name`; an unknown name is a usage error with a suggestion.
pub fn load(dir: &Path, name: &str) -> Result<Checklist> {
    for path in files(dir)? {
        if path
            .file_stem()
            .is_some_and(|s| s.to_string_lossy() == name)
        {
            return Checklist::load(&path);
        }
    }
    let known = names(dir)?;
    let refs: Vec<&str> = known.iter().map(String::as_str).collect();
    let hint = if known.is_empty() {
        format!(
            "there are no checklists in {}; run `rollout init` to write starters",
            dir.join(CHECKLIST_DIR).display()
        )
    } else {
        match crate::domain::yaml_reader::did_you_mean(name, &refs) {
            Some(k) => format!(
                "did you mean `{k}`? The checklists are: {}",
                known.join(", ")
            ),
            None => format!("the checklists are: {}", known.join(", ")),
        }
    };
    Err(Error::usage(format!(
        "there is no checklist `{name}` in {}",
        dir.join(CHECKLIST_DIR).display()
    ))
    .with_hint(hint))
}

/// Every checklist file, each loaded or with its problems.
pub fn load_all(dir: &Path) -> Result<Vec<(PathBuf, Result<Checklist>)>> {
    Ok(files(dir)?
        .into_iter()
        .map(|p| {
            let c = Checklist::load(&p);
            (p, c)
        })
        .collect())
}
