//! Who is making a change: `--actor`, else `ROLLOUT_ACTOR`, else CI's actor variables, else git's
//! user.email, else `$USER`.

use std::process::Command;

use crate::env_vars::EnvVars;

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
