//! `stages.yaml`, read and validated once into typed values.

mod find;
pub mod format;
mod gate;
mod gate_defaults;
mod gate_source;
mod lookalike;
mod notify_target;
mod percentage;
mod provider_settings;
mod read_provider;
mod stage;
mod state;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

pub use find::{find, walk_up};
pub use gate::{Compare, Gate, Reduce, Severity, Source};
pub use gate_defaults::{DefaultsDatadog, DefaultsPrometheus, GateDefaults};
pub use notify_target::NotifyTarget;
pub use percentage::Percentage;
pub use provider_settings::{
    in_environment, FileSettings, HttpSettings, LaunchDarklySettings, ProviderKind,
    ProviderOverrides, ProviderSettings, UnleashSettings,
};
pub use stage::Stage;
pub use state::{StateKind, StateSettings, DEFAULT_GIT_BRANCH, DEFAULT_LEASE};

use crate::domain::error::{Error, Result};
use crate::domain::keys::Keys;
use crate::domain::yaml::Node;
use crate::domain::yaml_reader::{Fields, Reader};
use notify_target::read_notify;
use read_provider::{build_settings, read_environments, read_provider};
use stage::read_stages;

pub const STAGES_FILE: &str = "stages.yaml";
pub const STATE_DIR: &str = ".rollout";
pub const DEFAULT_FLAGS_FILE: &str = ".rollout/flags.json";
pub(crate) const DEFAULT_ENVIRONMENT: &str = "production";

/// What each absent key of stages.yaml means, as the reader applies it: the format structs
/// (`config::format`) publish these as their schema's `default`s.
pub(crate) mod defaults {
    pub(crate) use super::gate::{
        DEFAULT_DATADOG_WINDOW, DEFAULT_EXPECT_STATUS, DEFAULT_HOLD, DEFAULT_REDUCE,
        DEFAULT_SEVERITY,
    };
    pub(crate) use super::{DEFAULT_ENVIRONMENT, DEFAULT_FLAGS_FILE};
}

#[derive(Debug, Clone)]
pub struct Config {
    /// The stages.yaml that was read.
    pub path: PathBuf,
    /// Its directory: where `.rollout/` lives and checklist commands run.
    pub dir: PathBuf,
    pub flag: String,
    /// The provider settings with no `--env`: the `provider:` block, typed for its kind.
    pub provider: ProviderSettings,
    /// Each `environments:` entry merged over the `provider:` block, typed for its kind.
    pub environments: BTreeMap<String, ProviderSettings>,
    /// The `provider:` block as written and `ROLLOUT_PROVIDER_URL` as read, for an `--env` that
    /// `environments:` does not name.
    written: ProviderOverrides,
    env_url: Option<String>,
    pub stages: Vec<Stage>,
    pub notify: Vec<NotifyTarget>,
    /// Metric gates ([docs/gates.md](../../docs/gates.md)), in file order.
    pub gates: Vec<Gate>,
    pub defaults: GateDefaults,
    /// `state:`: where the journal, leases and watch looks live (default: local).
    pub state: StateSettings,
}

impl Config {
    /// Reads and validates `path`, reporting every problem at once (exit 2).
    pub fn load(path: &Path) -> Result<Config> {
        let source = crate::domain::yaml_reader::read_source(path).map_err(|err| {
            err.with_hint("run `rollout init` to write a starter stages.yaml, or pass -C DIR")
        })?;
        Self::parse(path, source)
    }

    /// Validates `source` (the bytes of `path`), within the limits of docs/limits.md.
    pub fn parse(path: &Path, source: impl AsRef<[u8]>) -> Result<Config> {
        let dir = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let mut reader = Reader::new(path);
        let Some(root) = reader.parse_root(source.as_ref()) else {
            return Err(reader.diags.into_error());
        };
        let config = read_config(&mut reader, &root, path, dir);
        reader.diags.into_result()?;
        config.ok_or_else(|| Error::usage(format!("{} is not a valid stage table", path.display())))
    }

    /// The settings for this run: those built for the named environment, or for a name
    /// `environments:` does not list, the `provider:` block with that environment.
    pub fn provider_for(&self, env: Option<&str>) -> Result<ProviderSettings> {
        let Some(name) = env else {
            return Ok(self.provider.clone());
        };
        if let Some(settings) = self.environments.get(name) {
            return Ok(settings.clone());
        }
        let kind = self.provider.kind();
        build_settings(
            kind,
            &self.written,
            None,
            Some(name),
            self.env_url.as_deref(),
        )
        .ok_or_else(|| {
            Error::usage(format!("the {kind} provider needs a URL, and none is set")).with_hint(
                "add `url:` under `provider:` in stages.yaml, or set ROLLOUT_PROVIDER_URL",
            )
        })
    }

    #[must_use]
    pub fn provider_kind(&self) -> ProviderKind {
        self.provider.kind()
    }

    #[must_use]
    pub fn stage_index(&self, name: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.name == name)
    }

    /// The error for a stage name that is not in the table, with a suggestion.
    #[must_use]
    pub fn unknown_stage(&self, name: &str) -> Error {
        let names: Vec<&str> = self.stages.iter().map(|s| s.name.as_str()).collect();
        let hint = match crate::domain::yaml_reader::did_you_mean(name, &names) {
            Some(s) => format!("did you mean `{s}`? The stages are: {}", names.join(", ")),
            None => format!("the stages are: {}", names.join(", ")),
        };
        Error::usage(format!(
            "there is no stage `{name}` in {}",
            self.path.display()
        ))
        .with_hint(hint)
    }

    /// The gates that apply at stage `index`: those it lists, else every gate.
    #[must_use]
    pub fn stage_gates(&self, index: usize) -> Vec<&Gate> {
        match self.stages.get(index).and_then(|s| s.gates.as_ref()) {
            Some(names) => self
                .gates
                .iter()
                .filter(|g| names.contains(&g.name))
                .collect(),
            None => self.gates.iter().collect(),
        }
    }

    #[must_use]
    pub fn gate(&self, name: &str) -> Option<&Gate> {
        self.gates.iter().find(|g| g.name == name)
    }

    /// Everyone included by stage `index`: its users and groups and those of every earlier stage.
    #[must_use]
    pub fn cumulative_audience(&self, index: usize) -> (Vec<String>, Vec<String>) {
        let mut users: Vec<String> = Vec::new();
        let mut groups: Vec<String> = Vec::new();
        let mut seen_users: HashSet<&str> = HashSet::new();
        let mut seen_groups: HashSet<&str> = HashSet::new();
        for stage in &self.stages[..=index] {
            for u in &stage.users {
                if seen_users.insert(u) {
                    users.push(u.clone());
                }
            }
            for g in &stage.groups {
                if seen_groups.insert(g) {
                    groups.push(g.clone());
                }
            }
        }
        (users, groups)
    }
}

/// `flag:`, the flag key: one word, as the provider knows it.
fn read_flag(r: &mut Reader, top: &Fields<'_>) -> Option<String> {
    let flag = r
        .required(top, "flag", "stages.yaml", "my-flag-key")
        .and_then(|n| r.name(n, "`flag`"));
    if let (Some(flag), Some(node)) = (&flag, top.value("flag")) {
        if flag.trim().is_empty() || flag.chars().any(char::is_whitespace) {
            r.error(
                node.pos,
                format!("flag key `{flag}` is empty or has spaces"),
                "write the flag key exactly as the provider knows it, e.g. use-new-builder-cards",
            );
        }
    }
    flag
}

fn read_config(r: &mut Reader, root: &Node, path: &Path, dir: PathBuf) -> Option<Config> {
    if root.is_null() {
        r.error(
            root.pos,
            "stages.yaml is empty",
            "write `flag:` and `stages:`, or run `rollout init` for a commented starter",
        );
        return None;
    }
    let top = r.mapping(root, "stages.yaml", format::StagesFile::keys())?;
    let flag = read_flag(r, &top);
    let (provider_kind, provider_written, env_url) = top
        .value("provider")
        .and_then(|node| read_provider(r, node))
        .unwrap_or((ProviderKind::File, ProviderOverrides::default(), None));
    let provider = build_settings(
        provider_kind,
        &provider_written,
        None,
        None,
        env_url.as_deref(),
    );
    let environments = top
        .value("environments")
        .map(|n| read_environments(r, n, provider_kind))
        .unwrap_or_default()
        .iter()
        .filter_map(|(name, over)| {
            let settings = build_settings(
                provider_kind,
                &provider_written,
                Some(over),
                Some(name),
                env_url.as_deref(),
            );
            settings.map(|s| (name.clone(), s))
        })
        .collect();
    let defaults = top
        .value("defaults")
        .map(|n| gate_defaults::read_defaults(r, n))
        .unwrap_or_default();
    let (gates, written) = top
        .value("gates")
        .map(|n| gate::read_gates(r, n))
        .unwrap_or_default();
    let gate_names: Vec<&str> = written.iter().map(String::as_str).collect();
    let stages = match r.required(
        &top,
        "stages",
        "stages.yaml",
        "[{ name: internal, percentage: 5 }, ...]",
    ) {
        Some(node) => read_stages(r, node, provider_kind, &gate_names),
        None => Vec::new(),
    };
    let notify = top
        .value("notify")
        .map(|n| read_notify(r, n))
        .unwrap_or_default();
    let state = match top.value("state") {
        Some(n) => state::read_state(r, n)?,
        None => StateSettings::default(),
    };
    Some(Config {
        path: path.to_path_buf(),
        dir,
        flag: flag?,
        provider: provider?,
        environments,
        written: provider_written,
        env_url,
        stages,
        notify,
        gates,
        defaults,
        state,
    })
}

/// A gate source's address, under the one secret policy (http(s), no credentials, no
/// secret-looking query parameter).
pub(crate) fn check_url(
    r: &mut Reader,
    url: &str,
    pos: crate::domain::diagnostic::Pos,
    what: &str,
) {
    if let Err(problem) = crate::domain::secrets::policy::check_url(url) {
        r.error(
            pos,
            problem.message(&format!("the `url` in {what}")),
            problem.help("an environment variable"),
        );
    }
}
pub(crate) fn is_env_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}
