//! `state:` in stages.yaml: where a team's records live (the journal of changes, checklist runs
//! and watch looks, and the leases). docs/team.md describes each kind.

use std::time::Duration;

/// The branch a git store commits to when `state.branch` is not given.
pub const DEFAULT_GIT_BRANCH: &str = "rollout-state";

/// How long a lease lasts without renewal when `state.lease` is not given.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

/// Where the records live.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum StateKind {
    /// `.rollout/journal.jsonl` beside stages.yaml, on this machine only (the default).
    #[default]
    Local,
    /// A PostgreSQL database; its URL is read from the variable `url_env` names, never printed.
    Postgres { url_env: String },
    /// Every record a commit on `branch` of the git repository at `remote` (a URL or a path).
    Git { remote: String, branch: String },
}

/// The `state:` block, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateSettings {
    pub kind: StateKind,
    /// How long a lease holds without renewal (`state.lease`, default 30 s).
    pub lease: Duration,
}

impl Default for StateSettings {
    fn default() -> Self {
        StateSettings {
            kind: StateKind::Local,
            lease: DEFAULT_LEASE,
        }
    }
}

impl StateKind {
    /// The kind's name as written in stages.yaml.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            StateKind::Local => "local",
            StateKind::Postgres { .. } => "postgres",
            StateKind::Git { .. } => "git",
        }
    }
}

/// The kinds as written in stages.yaml.
pub const KIND_NAMES: &[&str] = &["local", "postgres", "git"];

/// Reads the `state:` block (docs/team.md): errors go to `r` with their line and column.
pub(super) fn read_state(
    r: &mut crate::domain::yaml_reader::Reader,
    node: &crate::domain::yaml::Node,
) -> Option<StateSettings> {
    use crate::domain::keys::Keys;
    let fields = r.mapping(node, "`state`", super::format::State::keys())?;
    let kind_name = match fields.value("kind") {
        Some(n) => {
            let name = r.string(n, "`state.kind`")?;
            if !KIND_NAMES.contains(&name.as_str()) {
                let help = match crate::domain::yaml_reader::did_you_mean(&name, KIND_NAMES) {
                    Some(k) => format!("did you mean `{k}`?"),
                    None => format!("write one of: {}", KIND_NAMES.join(", ")),
                };
                r.error(
                    n.pos,
                    format!(
                        "unknown state kind `{}`",
                        crate::domain::sanitize::short(&name, 60)
                    ),
                    help,
                );
                return None;
            }
            name
        }
        None => "local".to_string(),
    };
    let lease = match fields.value("lease") {
        Some(n) => lease_of(r, n)?,
        None => DEFAULT_LEASE,
    };
    // Keys another kind reads are refused, naming the kind that reads them.
    for (key, reader) in [
        ("url_env", "postgres"),
        ("remote", "git"),
        ("branch", "git"),
    ] {
        if let (Some(pos), true) = (fields.key_pos(key), kind_name != reader) {
            r.error(
                pos,
                format!(
                    "`state.{key}` is read by kind {reader} only, and this is kind {kind_name}"
                ),
                format!("remove `{key}`, or write `kind: {reader}`"),
            );
        }
    }
    let kind = match kind_name.as_str() {
        "postgres" => {
            let node = r.required(
                &fields,
                "url_env",
                "`state` of kind postgres",
                "ROLLOUT_STATE_URL",
            )?;
            let var = r.string(node, "`state.url_env`")?;
            if !super::is_env_name(&var) {
                r.error(
                    node.pos,
                    format!(
                        "`state.url_env` must name an environment variable, found `{}`",
                        crate::domain::secrets::redact::excerpt(&var)
                    ),
                    "write the variable's NAME, e.g. `url_env: ROLLOUT_STATE_URL`, and export \
                     the database URL in it (a URL is never written in stages.yaml)",
                );
                return None;
            }
            StateKind::Postgres { url_env: var }
        }
        "git" => {
            let node = r.required(&fields, "remote", "`state` of kind git", "../state.git")?;
            let remote = r.name(node, "`state.remote`")?;
            let branch = match fields.value("branch") {
                Some(n) => branch_of(r, n)?,
                None => DEFAULT_GIT_BRANCH.to_string(),
            };
            StateKind::Git { remote, branch }
        }
        _ => StateKind::Local,
    };
    Some(StateSettings { kind, lease })
}

fn lease_of(
    r: &mut crate::domain::yaml_reader::Reader,
    n: &crate::domain::yaml::Node,
) -> Option<Duration> {
    let d = r.duration(n, "`state.lease`")?;
    if d < Duration::from_secs(1) {
        r.error(
            n.pos,
            "`state.lease` must be at least 1s",
            "write a lease of a few seconds or more, for example 30s",
        );
        return None;
    }
    Some(d)
}

fn branch_of(
    r: &mut crate::domain::yaml_reader::Reader,
    n: &crate::domain::yaml::Node,
) -> Option<String> {
    let b = r.name(n, "`state.branch`")?;
    let bad = b.is_empty()
        || b.starts_with('-')
        || b.contains("..")
        || b.chars()
            .any(|c| c.is_whitespace() || "~^:?*[\\".contains(c));
    if bad {
        r.error(
            n.pos,
            format!(
                "`state.branch` `{}` is not a git branch name",
                crate::domain::sanitize::short(&b, 60)
            ),
            format!("write a branch name such as {DEFAULT_GIT_BRANCH}"),
        );
        return None;
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::config::Config;

    fn read(state: &str) -> std::result::Result<StateSettings, String> {
        let text = format!("flag: f\nstages:\n  - {{ name: a, percentage: 5 }}\nstate:\n{state}");
        Config::parse(std::path::Path::new("stages.yaml"), text)
            .map(|c| c.state)
            .map_err(|e| format!("{}\n{}", e.message, e.hint.unwrap_or_default()))
    }

    #[test]
    fn each_kind_reads_its_keys_with_defaults() {
        assert_eq!(read("  kind: local\n").unwrap(), StateSettings::default());
        let pg = read("  kind: postgres\n  url_env: ROLLOUT_STATE_URL\n  lease: 10s\n").unwrap();
        assert_eq!(
            pg,
            StateSettings {
                kind: StateKind::Postgres {
                    url_env: "ROLLOUT_STATE_URL".into()
                },
                lease: Duration::from_secs(10)
            }
        );
        let git = read("  kind: git\n  remote: ../state.git\n").unwrap();
        assert_eq!(
            git.kind,
            StateKind::Git {
                remote: "../state.git".into(),
                branch: DEFAULT_GIT_BRANCH.into()
            }
        );
        assert_eq!(git.lease, DEFAULT_LEASE);
    }

    #[test]
    fn mistakes_are_named_where_they_are_written() {
        let e = read("  kind: postgres\n  url_env: postgres://u:pw@h/db\n").unwrap_err();
        assert!(
            e.contains("stages.yaml:6:12: `state.url_env` must name an environment variable"),
            "{e}"
        );
        assert!(!e.contains("pw@"), "{e}");
        let e = read("  kind: gitt\n").unwrap_err();
        assert!(
            e.contains("stages.yaml:5:9: unknown state kind `gitt`")
                && e.contains("did you mean `git`?"),
            "{e}"
        );
        let e = read("  kind: git\n  remote: r\n  brnch: x\n").unwrap_err();
        assert!(
            e.contains("stages.yaml:7:3: unknown key `brnch`")
                && e.contains("did you mean `branch`?"),
            "{e}"
        );
        let e = read("  kind: postgres\n").unwrap_err();
        assert!(e.contains("has no `url_env`"), "{e}");
        let e = read("  kind: local\n  remote: r\n").unwrap_err();
        assert!(e.contains("`state.remote` is read by kind git only"), "{e}");
        let e = read("  lease: 0s\n").unwrap_err();
        assert!(e.contains("at least 1s"), "{e}");
    }
}
