//! The boundary between the stage engine and where a flag lives. The engine reads a [`FlagState`],
//! decides, and asks for a [`Desired`] state with a guarded write; each provider, one folder each,
//! maps that onto its own API behind the [`Provider`] trait (docs/adding-a-provider.md).

pub mod file;
pub mod http;
pub mod launchdarkly;
pub mod unleash;

use serde_json::Value;

use crate::domain::config::{Config, ProviderKind, ProviderSettings};
use crate::domain::error::{Error, Result};
pub use crate::ports::provider::*;

/// The strings of a JSON array (other values skipped); empty when `v` is absent or no array.
#[must_use]
pub fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// For the interrupt and conflict tests: the pause `var` asks for ([`crate::domain::env_vars::test_pause`]).
/// `ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS` between a run's read and its write also makes the read
/// older than [`FRESH_READ`], so the guard reads again. Only with the `test-hooks` feature,
/// which the tests turn on (Cargo.toml).
#[cfg(feature = "test-hooks")]
pub async fn test_pause(var: &str) {
    if let Some(pause) = crate::domain::env_vars::test_pause(var) {
        tokio::time::sleep(pause).await;
    }
}

/// Without the `test-hooks` feature (every build but the tests'): no pause, and `var` is not
/// read.
#[cfg(not(feature = "test-hooks"))]
pub async fn test_pause(_var: &str) {}

/// The provider for this run's settings.
pub fn open(
    config: &Config,
    settings: &ProviderSettings,
    timeout: std::time::Duration,
) -> Result<Box<dyn Provider>> {
    Ok(match settings {
        ProviderSettings::File(s) => Box::new(file::FileProvider::new(config, s, timeout)),
        ProviderSettings::Unleash(s) => {
            Box::new(unleash::UnleashProvider::new(config, s, timeout)?)
        }
        ProviderSettings::LaunchDarkly(s) => {
            Box::new(launchdarkly::LaunchDarklyProvider::new(config, s, timeout)?)
        }
        ProviderSettings::Http(s) => Box::new(http::HttpProvider::new(config, s, timeout)?),
    })
}

/// The token for a `kind` provider from the environment variable its settings name (`var`): a
/// usage error (exit 2) naming the variable when it is unset or blank.
pub fn token(kind: ProviderKind, var: &str, what: &str) -> Result<(String, String)> {
    let var = var.to_string();
    // Registered as a secret exactly, trimmed and by its distinctive parts (secret_policy).
    match crate::domain::secrets::policy::token_from_env(&var) {
        Some(t) => Ok((t, var)),
        None => Err(Error::usage(format!(
            "{var} is not set: the {} provider reads its API token from it",
            kind
        ))
        .with_hint(format!(
            "export {var}=<{what}>, or name another variable with `token_env:` under `provider:`"
        ))),
    }
}

/// Percent-encodes a path segment (keys are URL-friendly in every provider; escape the rest).
#[must_use]
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Text from a provider (an error message, a variation, an audit entry) made safe to print:
/// control characters shown escaped, at most `max` characters.
#[must_use]
pub fn printable(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}
