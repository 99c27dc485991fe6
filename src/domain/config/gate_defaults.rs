//! `defaults:` in stages.yaml: what the gate sources share (the Prometheus address, the Datadog
//! site and key variables), read into [`GateDefaults`].

use crate::domain::env_vars::EnvVars;
use crate::domain::keys::Keys;
use crate::domain::yaml::Node;
use crate::domain::yaml_reader::Reader;

/// The Datadog site when `defaults.datadog.site` is not set.
pub(crate) const DEFAULT_DATADOG_SITE: &str = "datadoghq.com";

/// `defaults:`: shared settings of the gate sources, as written; also their format in the
/// stages.yaml schema (src/schema/).
#[derive(Debug, Clone, Default, PartialEq, schemars::JsonSchema)]
#[schemars(
    rename = "Defaults",
    deny_unknown_fields,
    description = "`defaults:`: shared settings of the gate sources."
)]
pub struct GateDefaults {
    pub prometheus: Option<DefaultsPrometheus>,
    pub datadog: Option<DefaultsDatadog>,
}
/// Prometheus settings (ROLLOUT_PROMETHEUS_URL overrides `url`).
#[derive(Debug, Clone, Default, PartialEq, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DefaultsPrometheus {
    /// The Prometheus base URL.
    #[schemars(url)]
    pub url: Option<String>,
}
/// Datadog settings.
#[derive(Debug, Clone, Default, PartialEq, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DefaultsDatadog {
    /// The Datadog site's domain.
    #[schemars(
        regex(pattern = r"^[A-Za-z0-9.-]+$"),
        extend("default" = DEFAULT_DATADOG_SITE)
    )]
    pub site: Option<String>,
    /// The NAME of the variable holding the API key.
    #[schemars(
        regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"),
        extend("default" = EnvVars::DD_API_KEY)
    )]
    pub api_key_env: Option<String>,
    /// The NAME of the variable holding the application key.
    #[schemars(
        regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"),
        extend("default" = EnvVars::DD_APP_KEY)
    )]
    pub app_key_env: Option<String>,
}
impl GateDefaults {
    /// The Prometheus base URL: `ROLLOUT_PROMETHEUS_URL` when set (a run's environment beats the
    /// file, so CI can point the same stages.yaml elsewhere), else `defaults.prometheus.url`.
    #[must_use]
    pub fn prometheus_url(&self) -> Option<String> {
        std::env::var(EnvVars::ROLLOUT_PROMETHEUS_URL)
            .ok()
            .filter(|u| !u.is_empty())
            .or_else(|| self.prometheus.as_ref().and_then(|p| p.url.clone()))
    }

    /// The Datadog API base URL for the site (`ROLLOUT_DATADOG_URL` overrides it, for tests
    /// and proxies).
    #[must_use]
    pub fn datadog_url(&self) -> String {
        if let Ok(url) = std::env::var(EnvVars::ROLLOUT_DATADOG_URL) {
            if !url.is_empty() {
                return url;
            }
        }
        let site = self.datadog.as_ref().and_then(|d| d.site.as_deref());
        format!("https://api.{}", site.unwrap_or(DEFAULT_DATADOG_SITE))
    }

    /// The names of the variables holding the Datadog API and application keys.
    #[must_use]
    pub fn datadog_keys(&self) -> (String, String) {
        let d = self.datadog.clone().unwrap_or_default();
        (
            d.api_key_env.unwrap_or_else(|| EnvVars::DD_API_KEY.into()),
            d.app_key_env.unwrap_or_else(|| EnvVars::DD_APP_KEY.into()),
        )
    }
}
pub(super) fn read_defaults(r: &mut Reader, node: &Node) -> GateDefaults {
    let mut out = GateDefaults::default();
    let Some(fields) = r.mapping(node, "`defaults`", GateDefaults::keys()) else {
        return out;
    };
    if let Some(n) = fields.value("prometheus") {
        if let Some(p) = r.mapping(n, "`defaults.prometheus`", DefaultsPrometheus::keys()) {
            let prometheus = out
                .prometheus
                .get_or_insert_with(DefaultsPrometheus::default);
            if let Some(u) = p.value("url") {
                if let Some(url) = r.string(u, "`defaults.prometheus.url`") {
                    super::check_url(r, &url, u.pos, "`defaults.prometheus`");
                    prometheus.url = Some(url);
                }
            }
        }
    }
    if let Some(n) = fields.value("datadog") {
        if let Some(d) = r.mapping(n, "`defaults.datadog`", DefaultsDatadog::keys()) {
            let datadog = out.datadog.get_or_insert_with(DefaultsDatadog::default);
            if let Some(s) = d.value("site") {
                if let Some(site) = r.string(s, "`defaults.datadog.site`") {
                    if site.is_empty()
                        || !site
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
                    {
                        r.error(
                            s.pos,
                            format!("`{site}` is not a Datadog site"),
                            "write the site's domain, e.g. datadoghq.com, datadoghq.eu or us5.datadoghq.com",
                        );
                    } else {
                        datadog.site = Some(site);
                    }
                }
            }
            for (key, slot) in [
                ("api_key_env", &mut datadog.api_key_env),
                ("app_key_env", &mut datadog.app_key_env),
            ] {
                if let Some(v) = d.value(key) {
                    if let Some(var) = r.string(v, &format!("`defaults.datadog.{key}`")) {
                        if super::is_env_name(&var) {
                            *slot = Some(var);
                        } else {
                            r.error(
                                v.pos,
                                format!("`{key}` must name an environment variable"),
                                "write the variable's NAME, e.g. `api_key_env: DD_API_KEY`; keys never live in YAML",
                            );
                        }
                    }
                }
            }
        }
    }
    out
}
