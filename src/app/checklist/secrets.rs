//! Which variables of a `checklist run` hold secrets, registered before the first task so that
//! everything the run writes (terminal, task logs, state, JUnit, `--json`, GitHub annotations
//! and summary, journal) shows them as `***` (docs/limits.md "Secrets").
//!
//! A task's shell sees the whole environment, so a task can print any of them (`env | grep DD_`):
//! each variable that stages.yaml or a checklist names for a secret is registered whether or not
//! the run will use it.

use std::path::Path;

use crate::domain::checklist::task::TaskKind;
use crate::domain::checklist::Checklist;
use crate::domain::config::{Config, STAGES_FILE};
use crate::domain::env_vars::EnvVars;
use crate::domain::secrets::policy;
use crate::domain::yaml::{Node, Value};

/// The variables that hold a secret with no stages.yaml at all: the providers' default token
/// variables, the usual webhook variable and Datadog's default key variables.
const DEFAULT_SECRET_VARS: [&str; 6] = [
    EnvVars::UNLEASH_API_TOKEN,
    EnvVars::LD_ACCESS_TOKEN,
    EnvVars::ROLLOUT_HTTP_TOKEN,
    EnvVars::SLACK_WEBHOOK_URL,
    EnvVars::DD_API_KEY,
    EnvVars::DD_APP_KEY,
];

/// Registers every secret of a run of `checklists` in the project `dir`: the
/// [`DEFAULT_SECRET_VARS`], those stages.yaml names ([`stages_secret_vars`]) and the
/// `require_env:` variables of the checklists ([`policy::register_named`]).
pub fn register_secrets(dir: &Path, checklists: &[Checklist]) {
    let mut vars: Vec<String> = DEFAULT_SECRET_VARS
        .iter()
        .map(ToString::to_string)
        .collect();
    vars.extend(stages_secret_vars(&dir.join(STAGES_FILE)));
    for var in &vars {
        policy::register_var(var);
    }
    for checklist in checklists {
        for task in &checklist.tasks {
            if let TaskKind::RequireEnv(names) = &task.kind {
                names.iter().for_each(|v| policy::register_named(v));
            }
        }
    }
}

/// The variables stages.yaml names for a secret: each `token_env` (the provider and every
/// `environments:` entry, with the kind's default), each notify `url_env` and the Datadog key
/// variables of `defaults.datadog` (with their defaults). A stages.yaml that does not validate
/// still names them: then every `*_env:` key's value anywhere in the file counts.
#[must_use]
pub fn stages_secret_vars(path: &Path) -> Vec<String> {
    match Config::load(path) {
        Ok(config) => typed_vars(&config),
        Err(_) => written_vars(path),
    }
}

fn typed_vars(config: &Config) -> Vec<String> {
    let (api, app) = config.defaults.datadog_keys();
    let mut vars = vec![api, app];
    vars.extend(
        std::iter::once(&config.provider)
            .chain(config.environments.values())
            .filter_map(|s| s.token_env().map(str::to_string)),
    );
    vars.extend(config.notify.iter().map(|t| match t {
        crate::domain::config::NotifyTarget::UrlEnv(var) => var.clone(),
    }));
    vars
}

/// The values of every `*_env:` key in the file at `path` (a name or a list of names), read
/// within the limits of any YAML file; nothing when it cannot be read or parsed.
fn written_vars(path: &Path) -> Vec<String> {
    let Ok(source) = crate::domain::yaml_reader::read_source(path) else {
        return Vec::new();
    };
    let Ok(root) = crate::domain::yaml::parse(&source) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    env_values(&root, false, &mut out);
    out
}

/// Collects the scalars under keys ending in `_env` (`named`: this node is such a value).
fn env_values(node: &Node, named: bool, out: &mut Vec<String>) {
    match &node.value {
        Value::Scalar { text, .. } if named => out.push(text.trim().to_string()),
        Value::Scalar { .. } => {}
        Value::Seq(items) => items.iter().for_each(|n| env_values(n, named, out)),
        Value::Map(entries) => {
            for (key, value) in entries {
                env_values(value, key.text.ends_with("_env"), out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(text: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(STAGES_FILE);
        std::fs::write(&path, text).unwrap();
        stages_secret_vars(&path)
    }

    #[test]
    fn names_every_secret_variable_of_a_valid_file() {
        let vars = written(
            "flag: f\nprovider: { kind: launchdarkly, token_env: MY_LD, project: p }\nenvironments:\n  staging: { token_env: STAGING_LD }\nnotify:\n  - url_env: HOOK_A\ndefaults:\n  datadog: { api_key_env: OUR_DD_API }\nstages:\n  - { name: a, percentage: 10 }\n",
        );
        assert_eq!(
            vars,
            ["OUR_DD_API", "DD_APP_KEY", "MY_LD", "STAGING_LD", "HOOK_A"]
        );
    }

    #[test]
    fn names_them_in_a_file_that_does_not_validate() {
        let vars = written(
            "flag: f\nprovider: { kind: unleash, token_env: MY_UNLEASH }\nnotify:\n  - url_env: HOOK_B\ndefaults:\n  datadog: { api_key_env: [DD_X], site: 'not a site' }\nstages: nope\n",
        );
        assert_eq!(vars, ["MY_UNLEASH", "HOOK_B", "DD_X"]);
    }
}
