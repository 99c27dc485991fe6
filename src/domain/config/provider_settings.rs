//! Where the flag lives: the `provider:` block, with per-environment overrides applied.

use std::fmt;

/// The provider kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(transform = name_the_keys)]
pub enum ProviderKind {
    /// The embedded file provider (OpenFeature flagd format).
    File,
    /// Unleash.
    Unleash,
    /// LaunchDarkly.
    LaunchDarkly,
    /// The http provider (docs/http-provider.md).
    Http,
}

/// Adds to each kind's description the keys it reads ([`ProviderKind::keys`]), for the schema.
fn name_the_keys(schema: &mut schemars::Schema) {
    let Some(kinds) = schema
        .get_mut("oneOf")
        .and_then(serde_json::Value::as_array_mut)
    else {
        return;
    };
    for kind in kinds
        .iter_mut()
        .filter_map(serde_json::Value::as_object_mut)
    {
        let Some(k) = kind
            .get("const")
            .and_then(serde_json::Value::as_str)
            .and_then(ProviderKind::parse)
        else {
            continue;
        };
        let keys: Vec<String> = k
            .keys()
            .iter()
            .filter(|key| **key != "kind")
            .map(|key| format!("`{key}`"))
            .collect();
        let text = kind
            .get("description")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .trim_end_matches('.')
            .to_string();
        kind.insert(
            "description".into(),
            format!("{text}; reads {}.", keys.join(", ")).into(),
        );
    }
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
            ProviderKind::Unleash => Some(crate::domain::env_vars::EnvVars::UNLEASH_API_TOKEN),
            ProviderKind::LaunchDarkly => Some(crate::domain::env_vars::EnvVars::LD_ACCESS_TOKEN),
            ProviderKind::Http => Some(crate::domain::env_vars::EnvVars::ROLLOUT_HTTP_TOKEN),
        }
    }

    /// The project when `project` is not set (the kinds that have projects).
    #[must_use]
    pub fn default_project(self) -> Option<&'static str> {
        match self {
            ProviderKind::File | ProviderKind::Http => None,
            ProviderKind::Unleash => Some(UnleashSettings::DEFAULT_PROJECT),
            ProviderKind::LaunchDarkly => Some(LaunchDarklySettings::DEFAULT_PROJECT),
        }
    }

    /// The base URL when neither `url` nor ROLLOUT_PROVIDER_URL is set (LaunchDarkly's own).
    #[must_use]
    pub fn default_url(self) -> Option<&'static str> {
        match self {
            ProviderKind::LaunchDarkly => Some(LaunchDarklySettings::DEFAULT_URL),
            ProviderKind::File | ProviderKind::Unleash | ProviderKind::Http => None,
        }
    }

    /// The `provider:` (and per-environment) keys this kind reads; any other is refused, so
    /// `validate` refuses what a run would ignore or trip on.
    #[must_use]
    pub fn keys(self) -> &'static [&'static str] {
        use crate::domain::keys::Keys;
        use std::sync::OnceLock;
        /// `kind` and the fields of the kind's settings struct.
        fn with_kind<T: Keys>(
            cell: &'static OnceLock<Vec<&'static str>>,
        ) -> &'static [&'static str] {
            cell.get_or_init(|| {
                std::iter::once("kind")
                    .chain(T::keys().iter().copied())
                    .collect()
            })
        }
        static FILE: OnceLock<Vec<&'static str>> = OnceLock::new();
        static UNLEASH: OnceLock<Vec<&'static str>> = OnceLock::new();
        static LAUNCHDARKLY: OnceLock<Vec<&'static str>> = OnceLock::new();
        static HTTP: OnceLock<Vec<&'static str>> = OnceLock::new();
        match self {
            ProviderKind::File => with_kind::<FileSettings>(&FILE),
            ProviderKind::Unleash => with_kind::<UnleashSettings>(&UNLEASH),
            ProviderKind::LaunchDarkly => with_kind::<LaunchDarklySettings>(&LAUNCHDARKLY),
            ProviderKind::Http => with_kind::<HttpSettings>(&HTTP),
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

/// The `provider:` block or one environment's overrides as written, before they are merged into
/// typed [`ProviderSettings`]; also their format in the stages.yaml schema (src/schema/).
#[derive(Debug, Clone, Default, schemars::JsonSchema)]
#[schemars(
    deny_unknown_fields,
    description = "Provider settings; in `environments:`, absent ones inherit from `provider:`."
)]
pub struct ProviderOverrides {
    /// The provider's base URL (unleash, launchdarkly, http); or set ROLLOUT_PROVIDER_URL. No credentials.
    #[schemars(url)]
    pub url: Option<String>,
    /// The NAME of the environment variable holding the token; never the token itself.
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"))]
    pub token_env: Option<String>,
    /// The provider's project (unleash, launchdarkly).
    pub project: Option<String>,
    /// The provider's environment.
    pub environment: Option<String>,
    /// The file provider's flags file, relative to stages.yaml (with `--env NAME`:
    /// .rollout/flags.NAME.json).
    pub path: Option<String>,
}

// Each kind's settings struct names the keys that kind reads ([`ProviderKind::keys`]): its fields
// (in the order messages list them) are those keys, through their JSON Schema (`domain::keys`).

/// The file provider's settings: its flags file, relative to the stages.yaml directory.
#[derive(Debug, Clone, PartialEq, Eq, schemars::JsonSchema)]
pub struct FileSettings {
    pub environment: String,
    pub path: String,
}

/// The Unleash provider's settings, defaults applied.
#[derive(Debug, Clone, PartialEq, Eq, schemars::JsonSchema)]
pub struct UnleashSettings {
    pub url: String,
    /// The env var that holds the API token.
    pub token_env: String,
    pub project: String,
    pub environment: String,
}

impl UnleashSettings {
    /// The project when `project` is not set.
    pub const DEFAULT_PROJECT: &'static str = "default";
}

/// The LaunchDarkly provider's settings, defaults applied (the base URL is LaunchDarkly's own
/// unless one is written or `ROLLOUT_PROVIDER_URL` is set).
#[derive(Debug, Clone, PartialEq, Eq, schemars::JsonSchema)]
pub struct LaunchDarklySettings {
    pub url: String,
    pub token_env: String,
    pub project: String,
    pub environment: String,
}

impl LaunchDarklySettings {
    /// The project when `project` is not set.
    pub const DEFAULT_PROJECT: &'static str = "default";
    /// LaunchDarkly's own API, when neither `url` nor `ROLLOUT_PROVIDER_URL` is set.
    pub const DEFAULT_URL: &'static str = "https://app.launchdarkly.com";
}

/// The `http` provider's settings.
#[derive(Debug, Clone, PartialEq, Eq, schemars::JsonSchema)]
pub struct HttpSettings {
    pub url: String,
    pub token_env: String,
    pub environment: String,
}

/// The provider settings for one run, typed per kind, with the environment chosen: built once by
/// the config reader (`stages.yaml` plus its `environments:` overrides), so each provider
/// receives only what it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderSettings {
    File(FileSettings),
    Unleash(UnleashSettings),
    LaunchDarkly(LaunchDarklySettings),
    Http(HttpSettings),
}

impl ProviderSettings {
    #[must_use]
    pub fn kind(&self) -> ProviderKind {
        match self {
            ProviderSettings::File(_) => ProviderKind::File,
            ProviderSettings::Unleash(_) => ProviderKind::Unleash,
            ProviderSettings::LaunchDarkly(_) => ProviderKind::LaunchDarkly,
            ProviderSettings::Http(_) => ProviderKind::Http,
        }
    }

    /// The provider's environment name (journaled with every event).
    #[must_use]
    pub fn environment(&self) -> &str {
        match self {
            ProviderSettings::File(s) => &s.environment,
            ProviderSettings::Unleash(s) => &s.environment,
            ProviderSettings::LaunchDarkly(s) => &s.environment,
            ProviderSettings::Http(s) => &s.environment,
        }
    }

    /// The name of the env var that holds this provider's token (none for the file provider).
    #[must_use]
    pub fn token_env(&self) -> Option<&str> {
        match self {
            ProviderSettings::File(_) => None,
            ProviderSettings::Unleash(s) => Some(&s.token_env),
            ProviderSettings::LaunchDarkly(s) => Some(&s.token_env),
            ProviderSettings::Http(s) => Some(&s.token_env),
        }
    }

    /// ` in ENV` for messages to people, or "" where the provider has no environment: see
    /// [`in_environment`].
    #[must_use]
    pub fn in_environment(&self) -> String {
        in_environment(self.kind().name(), self.environment())
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
