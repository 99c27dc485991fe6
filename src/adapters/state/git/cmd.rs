//! Running the `git` command for the git store: in the store's own bare cache repository, under
//! a time bound, with the user's hooks, system config and repository variables kept out, and
//! every message cleaned of credentials and control characters before anyone reads it.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::domain::error::{Error, Result};
use crate::domain::sanitize;

/// Settings that would change what git does, pinned on every command (`-c` wins over the
/// global config, the only one still read: it says how to reach the remote, with credential
/// helpers, `url.*.insteadOf` and `core.sshCommand`).
const PINNED: [&str; 13] = [
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "core.autocrlf=false",
    "gc.auto=0",
    "maintenance.auto=false",
    "commit.gpgSign=false",
    "push.gpgSign=false",
    "push.recurseSubmodules=no",
    "fetch.recurseSubmodules=false",
    "submodule.recurse=false",
    "fetch.writeCommitGraph=false",
    "init.defaultBranch=rollout-cache",
    "advice.detachedHead=false",
];

/// Variables that would point git at another repository, index or config than the store's
/// (set when `rollout` runs from inside a git hook, for instance).
const LOCATION_VARS: [&str; 16] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_QUARANTINE_PATH",
    "GIT_CEILING_DIRECTORIES",
    "GIT_REPLACE_REF_BASE",
    "GIT_GRAFT_FILE",
    "GIT_SHALLOW_FILE",
    "GIT_EDITOR",
];

/// How the store reaches git: its cache repository, the remote and the time bound.
pub struct Git {
    /// The bare cache repository (`.rollout/state-git/`), absolute.
    pub cache: PathBuf,
    /// Where git runs, so a relative remote path means what it says in stages.yaml.
    pub cwd: PathBuf,
    /// The remote as configured (may hold credentials: never printed).
    pub remote: String,
    /// The store as printed: `git REMOTE (branch B)` without credentials.
    pub place: String,
    /// The bound on each git command.
    pub timeout: Duration,
}

/// What a finished git command answered.
pub struct Output {
    pub ok: bool,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Git {
    /// Runs `git ARGS` in the cache repository with `input` on its standard input and the
    /// extra variables `env`; an error only when git could not run or took too long.
    pub async fn run(
        &self,
        args: &[&str],
        input: Option<&[u8]>,
        env: &[(&str, OsString)],
    ) -> Result<Output> {
        let mut cmd = self.command(args, env);
        cmd.stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = cmd.spawn().map_err(|e| {
            Error::provider(format!("{}: cannot run `git`: {e}", self.place))
                .with_hint("the git state store runs the `git` command: install git")
        })?;
        let stdin = child.stdin.take();
        let write = async move {
            if let (Some(mut pipe), Some(data)) = (stdin, input) {
                // A git that exits early closes the pipe; its exit status tells why.
                let _ = pipe.write_all(data).await;
            }
        };
        let both = async { tokio::join!(write, child.wait_with_output()).1 };
        let out = match tokio::time::timeout(self.timeout, both).await {
            Ok(out) => out?,
            Err(_) => {
                return Err(Error::provider(format!(
                    "{}: `git {}` did not finish within {}",
                    self.place,
                    args.first().copied().unwrap_or_default(),
                    humantime::format_duration(self.timeout)
                ))
                .with_hint("check that the state remote is reachable from this machine"));
            }
        };
        Ok(Output {
            ok: out.status.success(),
            stdout: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    /// Runs `git ARGS` and answers its standard output, or the error naming `doing`.
    pub async fn ok(&self, doing: &str, args: &[&str], input: Option<&[u8]>) -> Result<Vec<u8>> {
        self.ok_env(doing, args, input, &[]).await
    }

    /// [`Git::ok`] with extra variables.
    pub async fn ok_env(
        &self,
        doing: &str,
        args: &[&str],
        input: Option<&[u8]>,
        env: &[(&str, OsString)],
    ) -> Result<Vec<u8>> {
        let out = self.run(args, input, env).await?;
        if out.ok {
            Ok(out.stdout)
        } else {
            Err(self.failure(doing, &out.stderr))
        }
    }

    fn command(&self, args: &[&str], env: &[(&str, OsString)]) -> Command {
        let mut cmd = Command::new("git");
        for var in LOCATION_VARS {
            cmd.env_remove(var);
        }
        cmd.env("GIT_DIR", &self.cache)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_NO_REPLACE_OBJECTS", "1")
            .env("GIT_AUTHOR_NAME", "rollout")
            .env("GIT_AUTHOR_EMAIL", "rollout@localhost")
            .env("GIT_COMMITTER_NAME", "rollout")
            .env("GIT_COMMITTER_EMAIL", "rollout@localhost")
            .env("LC_ALL", "C")
            .env("LANGUAGE", "C")
            .current_dir(&self.cwd)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (name, value) in env {
            cmd.env(name, value);
        }
        for setting in PINNED {
            cmd.arg("-c").arg(setting);
        }
        cmd.args(args);
        cmd
    }

    /// The error for a git command that failed while `doing` something: exit 4 naming the
    /// store, with git's own words cleaned.
    pub fn failure(&self, doing: &str, stderr: &str) -> Error {
        let said = self.clean(stderr);
        let said = if said.is_empty() {
            "git said nothing".to_string()
        } else {
            said
        };
        Error::provider(format!("{}: {doing} failed: {said}", self.place)).with_hint(
            "check that the state remote is reachable from this machine and that it may push there",
        )
    }

    /// `text` from git, safe to print: no credentials, one line, no control characters.
    #[must_use]
    pub fn clean(&self, text: &str) -> String {
        let text = text.replace(&self.remote, &without_credentials(&self.remote));
        let text = without_credentials(&text);
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let loud: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| l.starts_with("fatal:") || l.starts_with("error:"))
            .collect();
        let chosen = if loud.is_empty() { lines } else { loud };
        let joined = chosen.join("; ");
        sanitize::short(&sanitize::one_line(&joined), 400).into_owned()
    }
}

/// `text` with the user information of every `scheme://user:pass@host` URL in it removed.
#[must_use]
pub fn without_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c == '/' || c.is_whitespace() || c == '\'' || c == '"')
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(sign) => out.push_str(&authority[sign + 1..]),
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::without_credentials;

    #[test]
    fn credentials_never_survive() {
        assert_eq!(
            without_credentials("https://bob:s3cret@example.com/state.git"),
            "https://example.com/state.git"
        );
        assert_eq!(
            without_credentials("fatal: unable to access 'https://tok@h/x/': 403"),
            "fatal: unable to access 'https://h/x/': 403"
        );
        assert_eq!(without_credentials("../state.git"), "../state.git");
        assert_eq!(
            without_credentials("git@github.com:team/state.git"),
            "git@github.com:team/state.git"
        );
    }
}
