//! The `provider:` block and `environments:` of stages.yaml, read into overrides, and the typed
//! settings they give each environment (with `ROLLOUT_PROVIDER_URL` for a URL written nowhere).

use super::{
    format, is_env_name, FileSettings, HttpSettings, LaunchDarklySettings, ProviderKind,
    ProviderOverrides, ProviderSettings, UnleashSettings, DEFAULT_ENVIRONMENT, DEFAULT_FLAGS_FILE,
    STATE_DIR,
};
use std::collections::BTreeMap;

use crate::domain::error::{Error, Result};
use crate::domain::keys::Keys;
use crate::domain::yaml::{Node, Value};
use crate::domain::yaml_reader::{Fields, Reader};

/// Keys people write when they paste a secret: refused with a pointer to `token_env`.
pub(super) const SECRET_KEYS: [&str; 8] = [
    "token",
    "api_token",
    "api_key",
    "apikey",
    "access_token",
    "secret",
    "password",
    "authorization",
];
/// Typed settings for `kind` from the `provider:` block, one environment's overrides over it
/// (`over`, `env_name`) and `ROLLOUT_PROVIDER_URL` (`env_url`) for a URL written nowhere; `None`
/// when the kind needs a URL and has none (the reader has said so at the `provider:` block).
pub(super) fn build_settings(
    kind: ProviderKind,
    base: &ProviderOverrides,
    over: Option<&ProviderOverrides>,
    env_name: Option<&str>,
    env_url: Option<&str>,
) -> Option<ProviderSettings> {
    let pick = |f: fn(&ProviderOverrides) -> &Option<String>| {
        over.and_then(|o| f(o).clone()).or_else(|| f(base).clone())
    };
    let environment = pick(|o| &o.environment)
        .or_else(|| env_name.map(str::to_string))
        .unwrap_or_else(|| DEFAULT_ENVIRONMENT.to_string());
    let url = pick(|o| &o.url).or_else(|| env_url.map(str::to_string));
    let token_env = || {
        pick(|o| &o.token_env)
            .or_else(|| kind.default_token_env().map(str::to_string))
            .unwrap_or_default()
    };
    Some(match kind {
        ProviderKind::File => {
            let base_environment = base
                .environment
                .clone()
                .unwrap_or_else(|| DEFAULT_ENVIRONMENT.to_string());
            let path = pick(|o| &o.path).unwrap_or_else(|| {
                if environment == base_environment {
                    DEFAULT_FLAGS_FILE.to_string()
                } else {
                    format!("{STATE_DIR}/flags.{environment}.json")
                }
            });
            ProviderSettings::File(FileSettings { environment, path })
        }
        ProviderKind::Unleash => ProviderSettings::Unleash(UnleashSettings {
            url: url?,
            token_env: token_env(),
            project: pick(|o| &o.project)
                .or_else(|| kind.default_project().map(str::to_string))
                .unwrap_or_default(),
            environment,
        }),
        ProviderKind::LaunchDarkly => ProviderSettings::LaunchDarkly(LaunchDarklySettings {
            url: url
                .or_else(|| kind.default_url().map(str::to_string))
                .unwrap_or_default(),
            token_env: token_env(),
            project: pick(|o| &o.project)
                .or_else(|| kind.default_project().map(str::to_string))
                .unwrap_or_default(),
            environment,
        }),
        ProviderKind::Http => ProviderSettings::Http(HttpSettings {
            url: url?,
            token_env: token_env(),
            environment,
        }),
    })
}
/// ROLLOUT_PROVIDER_URL when set, checked like a URL in stages.yaml (it is an address, not a
/// secret): exit 2 naming the variable when it holds credentials.
fn env_provider_url(kind: ProviderKind) -> Result<Option<String>> {
    let Some(url) = std::env::var(crate::domain::env_vars::EnvVars::ROLLOUT_PROVIDER_URL)
        .ok()
        .filter(|u| !u.trim().is_empty())
    else {
        return Ok(None);
    };
    match crate::domain::secrets::policy::check_url(&url) {
        Ok(()) => Ok(Some(url.trim().to_string())),
        Err(problem) => Err(Error::usage(
            problem.message(crate::domain::env_vars::EnvVars::ROLLOUT_PROVIDER_URL),
        )
        .with_hint(problem.help(kind.default_token_env().unwrap_or("the token variable")))),
    }
}
pub(super) fn refuse_secrets(r: &mut Reader, fields: &Fields<'_>, what: &str, kind: ProviderKind) {
    // The hint names the variable this kind reads; the file provider reads none.
    let help = match kind.default_token_env() {
        Some(var) => format!(
            "delete this line, export the token in an env var, and name it with `token_env: {var}`"
        ),
        None => format!("delete this line: the {kind} provider needs no token"),
    };
    for (key, _) in fields.iter() {
        if SECRET_KEYS.contains(&key.text.to_ascii_lowercase().as_str()) {
            r.error(
                key.pos,
                format!(
                    "`{}` in {what} would put a secret in stages.yaml; tokens never live in YAML",
                    key.text
                ),
                help.clone(),
            );
        }
    }
}
pub(super) fn read_overrides(
    r: &mut Reader,
    fields: &Fields<'_>,
    what: &str,
    kind: ProviderKind,
) -> ProviderOverrides {
    refuse_secrets(r, fields, what, kind);
    // Each is one word or address, printed and journaled: no control characters or line breaks.
    let mut text = |key: &str| {
        fields
            .value(key)
            .and_then(|n| r.name(n, &format!("`{key}` in {what}")))
    };
    let out = ProviderOverrides {
        url: text("url"),
        token_env: text("token_env"),
        project: text("project"),
        environment: text("environment"),
        path: text("path"),
    };
    if let (Some(url), Some(node)) = (&out.url, fields.value("url")) {
        if let Err(problem) = crate::domain::secrets::policy::check_url(url) {
            let token_var = out
                .token_env
                .as_deref()
                .or(kind.default_token_env())
                .unwrap_or(crate::domain::env_vars::EnvVars::ROLLOUT_HTTP_TOKEN);
            r.error(
                node.pos,
                problem.message(&format!("the `url` in {what}")),
                problem.help(token_var),
            );
        }
    }
    if let (Some(var), Some(node)) = (&out.token_env, fields.value("token_env")) {
        if !is_env_name(var) {
            r.error(
                node.pos,
                format!(
                    "`token_env` must name an environment variable, found `{}`",
                    crate::domain::secrets::redact::excerpt(var)
                ),
                format!(
                    "write the variable's NAME, e.g. `token_env: {}`, and export the token in it",
                    kind.default_token_env()
                        .unwrap_or(crate::domain::env_vars::EnvVars::UNLEASH_API_TOKEN)
                ),
            );
        }
    }
    out
}
/// The `provider:` block: its kind, its keys as written, and `ROLLOUT_PROVIDER_URL` where the
/// block writes no URL and the kind reads one (refused here when it breaks the secret policy).
pub(super) fn read_provider(
    r: &mut Reader,
    node: &Node,
) -> Option<(ProviderKind, ProviderOverrides, Option<String>)> {
    let mut known: Vec<&str> = format::Provider::keys().to_vec();
    known.extend(SECRET_KEYS);
    let fields = r.mapping(node, "`provider`", &known)?;
    let kind = match fields.value("kind") {
        None => ProviderKind::File,
        Some(n) => {
            let name = r.string(n, "`provider.kind`")?;
            match ProviderKind::parse(&name) {
                Some(k) => k,
                None => {
                    let help =
                        match crate::domain::yaml_reader::did_you_mean(&name, &ProviderKind::NAMES)
                        {
                            Some(k) => format!("did you mean `{k}`?"),
                            None => format!("write one of: {}", ProviderKind::NAMES.join(", ")),
                        };
                    r.error(n.pos, format!("unknown provider kind `{name}`"), help);
                    return None;
                }
            }
        }
    };
    let overrides = read_overrides(r, &fields, "`provider`", kind);
    refuse_foreign_keys(r, &fields, kind, "`provider`");
    let mut env_url = None;
    if kind != ProviderKind::File && overrides.url.is_none() {
        match env_provider_url(kind) {
            Ok(Some(url)) => env_url = Some(url),
            Ok(None) if !kind.needs_url() => {}
            Ok(None) => r.error(
                fields.pos,
                format!("the {kind} provider needs `url`"),
                "add `url: http://...` under `provider:`, or set ROLLOUT_PROVIDER_URL",
            ),
            Err(e) => r.error(fields.pos, e.message, e.hint.unwrap_or_default()),
        }
    }
    Some((kind, overrides, env_url))
}
/// Keys another provider kind reads (`path` under `kind: unleash`): refused, not ignored.
pub(super) fn refuse_foreign_keys(
    r: &mut Reader,
    fields: &Fields<'_>,
    kind: ProviderKind,
    what: &str,
) {
    for (key, _) in fields.iter() {
        let k = key.text.as_str();
        if format::Provider::keys().contains(&k) && !kind.keys().contains(&k) {
            r.error(
                key.pos,
                format!("`{k}` in {what} does not apply to the {kind} provider"),
                format!(
                    "delete this line; the {kind} provider reads: {}",
                    kind.keys().join(", ")
                ),
            );
        }
    }
}
pub(super) fn read_environments(
    r: &mut Reader,
    node: &Node,
    kind: ProviderKind,
) -> BTreeMap<String, ProviderOverrides> {
    let mut out = BTreeMap::new();
    let Value::Map(entries) = &node.value else {
        r.error(
            node.pos,
            "`environments` must map names to overrides",
            "write e.g. `staging: { environment: development }`",
        );
        return out;
    };
    for (key, value) in entries {
        let mut known: Vec<&str> = format::ProviderOverrides::keys().to_vec();
        known.extend(SECRET_KEYS);
        let what = format!("environment `{}`", key.text);
        if !r.clean(&key.text, key.pos, "an environment name", true) {
            continue;
        }
        if out.contains_key(&key.text) {
            r.error(
                key.pos,
                format!("environment `{}` appears twice", key.text),
                "keep one of them",
            );
            continue;
        }
        if let Some(fields) = r.mapping(value, &what, &known) {
            let o = read_overrides(r, &fields, &what, kind);
            refuse_foreign_keys(r, &fields, kind, &what);
            out.insert(key.text.clone(), o);
        }
    }
    out
}
