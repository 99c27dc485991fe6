//! `checklist`: the release checklists in `checklists/*.yaml`, found, validated and run.
//!
//! [`file`] parses and validates a checklist into typed [`task`]s; [`select`] decides (as pure
//! functions) which tasks a run takes; [`runner`] runs them, sending [`progress`] events to one
//! reporter (terminal spinners, plain lines, GitHub Actions groups); the reports written after a
//! run (`--junit`, `--json`, the journal, `$GITHUB_STEP_SUMMARY`) are built from its [`result`].

pub mod file;
pub mod manual;
pub mod preflight;
pub mod process;
pub mod progress;
pub mod report;
pub mod result;
pub mod rollout_task;
pub mod runner;
pub mod select;
pub mod starter;
pub mod state;
pub mod task;

use std::path::{Path, PathBuf};

pub use file::Checklist;

use crate::domain::env_vars::EnvVars;
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

/// The provider tokens and webhook URLs a run could meet, registered so that task output, logs
/// and reports show them as `***`: the default token variables, and those stages.yaml names.
pub fn register_secrets(dir: &Path) {
    let mut vars: Vec<String> = [
        EnvVars::UNLEASH_API_TOKEN,
        EnvVars::LD_ACCESS_TOKEN,
        EnvVars::ROLLOUT_HTTP_TOKEN,
        EnvVars::SLACK_WEBHOOK_URL,
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    if let Ok(config) =
        crate::domain::config::Config::load(&dir.join(crate::domain::config::STAGES_FILE))
    {
        crate::adapters::notify::register_secrets(&config.notify);
        vars.extend(
            std::iter::once(&config.provider)
                .chain(config.environments.values())
                .filter_map(|s| s.token_env().map(str::to_string)),
        );
    }
    for var in vars {
        if let Ok(value) = std::env::var(&var) {
            crate::domain::secrets::policy::register_secret(&value);
        }
    }
}
