//! Who is making a change: `--actor`, else `ROLLOUT_ACTOR`, else CI's actor variables, else git's
//! user.email, else `$USER`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::domain::env_vars::EnvVars;

/// The actor for this run; `flag` is `--actor` (clap also fills it from `ROLLOUT_ACTOR`).
#[must_use]
pub fn resolve(flag: Option<&str>, dir: &std::path::Path) -> String {
    if let Some(a) = flag.filter(|a| !a.trim().is_empty()) {
        return a.trim().to_string();
    }
    let from_env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if let Some(a) = from_env(EnvVars::ROLLOUT_ACTOR) {
        return a;
    }
    for var in EnvVars::CI_ACTORS {
        if let Some(a) = from_env(var) {
            return a;
        }
    }
    if let Ok(out) = Command::new("git")
        .args(["config", "user.email"])
        .current_dir(dir)
        .output()
    {
        let email = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if out.status.success() && !email.is_empty() {
            return email;
        }
    }
    from_env(EnvVars::USER)
        .or_else(|| from_env(EnvVars::USERNAME))
        .unwrap_or_else(|| "unknown".to_string())
}

/// The actor of a run, resolved the first time it is read: a command that changes nothing never
/// reads it, so never starts `git config user.email`. Reads as a `String` (`ctx.actor.clone()`).
#[derive(Debug)]
pub struct Actor {
    flag: Option<String>,
    dir: PathBuf,
    resolved: OnceLock<String>,
}

impl Actor {
    /// `flag` is `--actor` (or `ROLLOUT_ACTOR`); `dir` is where git is asked.
    #[must_use]
    pub fn new(flag: Option<&str>, dir: &Path) -> Self {
        Actor {
            flag: flag.map(str::to_string),
            dir: dir.to_path_buf(),
            resolved: OnceLock::new(),
        }
    }
}

impl std::ops::Deref for Actor {
    type Target = String;

    fn deref(&self) -> &String {
        self.resolved
            .get_or_init(|| resolve(self.flag.as_deref(), &self.dir))
    }
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}
