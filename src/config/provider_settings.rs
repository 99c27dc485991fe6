//! Where the flag lives: the `provider:` block, with per-environment overrides applied.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    File,
    Unleash,
    LaunchDarkly,
    Http,
}

impl ProviderKind {
    pub const NAMES: [&'static str; 4] = ["file", "unleash", "launchdarkly", "http"];

    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "file" => Some(ProviderKind::File),
            "unleash" => Some(ProviderKind::Unleash),
            "launchdarkly" => Some(ProviderKind::LaunchDarkly),
            "http" => Some(ProviderKind::Http),
            _ => None,
        }
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            ProviderKind::File => "file",
            ProviderKind::Unleash => "unleash",
            ProviderKind::LaunchDarkly => "launchdarkly",
            ProviderKind::Http => "http",
        }
    }

    /// The env var that holds the token when `token_env` is not set.
    #[must_use]
    pub fn default_token_env(self) -> Option<&'static str> {
        match self {
            ProviderKind::File => None,
            ProviderKind::Unleash => Some(crate::env_vars::EnvVars::UNLEASH_API_TOKEN),
            ProviderKind::LaunchDarkly => Some(crate::env_vars::EnvVars::LD_ACCESS_TOKEN),
            ProviderKind::Http => Some(crate::env_vars::EnvVars::ROLLOUT_HTTP_TOKEN),
        }
    }

    /// The `provider:` (and per-environment) keys this kind reads; any other is refused, so
    /// `validate` refuses what a run would ignore or trip on.
    #[must_use]
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            ProviderKind::File => &["kind", "environment", "path"],
            ProviderKind::Unleash | ProviderKind::LaunchDarkly => {
                &["kind", "url", "token_env", "project", "environment"]
            }
            ProviderKind::Http => &["kind", "url", "token_env", "environment"],
        }
    }

    /// Whether this kind's stages may have fractions of a percent.
    #[must_use]
    pub fn fractional(self) -> bool {
        !matches!(self, ProviderKind::Unleash)
    }

    #[must_use]
    pub fn needs_url(self) -> bool {
        matches!(self, ProviderKind::Unleash | ProviderKind::Http)
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The settings one may override per environment. Absent fields inherit.
#[derive(Debug, Clone, Default)]
pub struct ProviderOverrides {
    pub url: Option<String>,
    pub token_env: Option<String>,
    pub project: Option<String>,
    pub environment: Option<String>,
    pub path: Option<String>,
}

impl ProviderOverrides {
    pub const KEYS: [&'static str; 5] = ["url", "token_env", "project", "environment", "path"];
}

/// The provider settings for one run, with the environment chosen.
#[derive(Debug, Clone)]
pub struct ProviderSettings {
    pub kind: ProviderKind,
    pub url: Option<String>,
    pub token_env: Option<String>,
    pub project: Option<String>,
    /// The provider's environment name (journaled with every event).
    pub environment: String,
    /// The file provider's flags file, relative to the stages.yaml directory.
    pub path: String,
}

impl ProviderSettings {
    /// The name of the env var that holds this provider's token.
    #[must_use]
    pub fn token_var(&self) -> Option<String> {
        self.token_env
            .clone()
            .or_else(|| self.kind.default_token_env().map(str::to_string))
    }
}

impl ProviderSettings {
    /// ` in ENV` for messages to people, or "" where the provider has no environment: see
    /// [`in_environment`].
    #[must_use]
    pub fn in_environment(&self) -> String {
        in_environment(self.kind.name(), &self.environment)
    }
}

/// ` in ENV` for messages to people about a change at `provider` (a [`ProviderKind`] name).
/// The file provider has no environments: its one flags file is named by none, so nothing is
/// said; `--env NAME` (which picks `.rollout/flags.NAME.json`) is shown. The journal and `--json`
/// keep the environment field either way.
#[must_use]
pub fn in_environment(provider: &str, environment: &str) -> String {
    if provider == ProviderKind::File.name() && environment == super::DEFAULT_ENVIRONMENT {
        String::new()
    } else {
        format!(" in {environment}")
    }
}
