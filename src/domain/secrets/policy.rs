//! One policy for every URL and secret, wherever it comes from (stages.yaml, its `environments:`
//! overrides, ROLLOUT_PROVIDER_URL, token and webhook variables):
//!
//! - a provider URL is an address, not a secret: credentials in it (`http://user:pass@host`) and
//!   secret-looking query parameters (`?apikey=`, `token`, `signature`, ...) are refused, with the
//!   variable to put the secret in instead;
//! - secrets (tokens, webhook URLs) come only from environment variables, and each one read is
//!   registered with [`crate::domain::secrets::redact`] exactly, trimmed, and by its distinctive
//!   parts (what is left when a prefix up to `:`, `.`, `-`, `_`, `=` or a space is cut off, such
//!   as the secret half of an Unleash `project:env.secret` token; the path and generated segments
//!   of a webhook URL), so no output shows any of them.

use super::redact;

/// Parts shorter than this (in bytes; a token is ASCII) are not registered alone: hiding a short
/// common word (`token`, `half`, `prod`) everywhere would mangle output without protecting
/// anything. docs/limits.md states it.
pub const MIN_PART: usize = 8;

/// Why a URL may not be used as a provider address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlProblem {
    /// Not an absolute http(s) URL.
    NotHttp,
    /// `user:password@` in the authority.
    Credentials,
    /// A query parameter whose name looks like it holds a secret.
    SecretParam(String),
}

impl UrlProblem {
    /// What is wrong, for a URL found in `source` (`the \`url\` in \`provider\``,
    /// `ROLLOUT_PROVIDER_URL`). Never quotes the URL.
    #[must_use]
    pub fn message(&self, source: &str) -> String {
        match self {
            UrlProblem::NotHttp => format!("{source} is not an http(s) URL"),
            UrlProblem::Credentials => format!(
                "{source} holds credentials (`user:password@`); secrets never live in a URL"
            ),
            UrlProblem::SecretParam(name) => format!(
                "{source} has the query parameter `{}`, which looks like a secret; secrets never live in a URL",
                crate::domain::sanitize::short(name, 40)
            ),
        }
    }

    /// What to do instead: the token goes in `token_var`.
    #[must_use]
    pub fn help(&self, token_var: &str) -> String {
        match self {
            UrlProblem::NotHttp => "write a full URL, e.g. http://127.0.0.1:4242".to_string(),
            _ => format!(
                "give the server address alone (e.g. https://unleash.example.com) and export the token in {token_var} (or the variable `token_env:` names)"
            ),
        }
    }
}

/// True for a query parameter name that usually carries a secret.
#[must_use]
pub fn is_secret_param(name: &str) -> bool {
    let n: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    matches!(n.as_str(), "sig" | "pwd" | "pass" | "jwt" | "code" | "sas")
        || n.ends_with("key")
        || [
            "token",
            "secret",
            "password",
            "passwd",
            "signature",
            "credential",
            "auth",
            "session",
        ]
        .iter()
        .any(|w| n.contains(w))
}

/// Checks a provider address: http(s), no credentials, no secret-looking query parameter.
pub fn check_url(raw: &str) -> Result<(), UrlProblem> {
    let url = reqwest::Url::parse(raw.trim()).map_err(|_| UrlProblem::NotHttp)?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(UrlProblem::NotHttp);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlProblem::Credentials);
    }
    if let Some((name, _)) = url.query_pairs().find(|(k, _)| is_secret_param(k)) {
        return Err(UrlProblem::SecretParam(name.into_owned()));
    }
    Ok(())
}

/// Where a token is cut into parts: after each of these a task may cut a prefix off
/// (`${TOKEN#*.}`, `${TOKEN#api-}`), as in Unleash's `project:environment.secret`, `Bearer x`,
/// LaunchDarkly's `api-<uuid>` or GitHub's `ghp_...`.
const SEPARATORS: [char; 6] = [':', '.', '-', '_', '=', ' '];

/// Registers a token read from the environment: exactly, trimmed, and every part that follows
/// one of [`SEPARATORS`] (each suffix left when a prefix up to such a character is cut off), when
/// [`MIN_PART`] characters or more.
pub fn register_token(value: &str) {
    redact::register(value);
    for part in token_suffixes(value) {
        register_part(part);
    }
}

/// The suffixes of `value` (trimmed) after each separator, longest first.
fn token_suffixes(value: &str) -> impl Iterator<Item = &str> {
    let value = value.trim();
    value
        .char_indices()
        .filter(|(_, c)| SEPARATORS.contains(c))
        .map(move |(at, c)| &value[at + c.len_utf8()..])
}

/// Registers a secret URL (a webhook, whose path holds its token): exactly, trimmed, its path
/// and query, and each long path segment.
pub fn register_url(value: &str) {
    redact::register(value);
    let Ok(url) = reqwest::Url::parse(value.trim()) else {
        return;
    };
    let path = url.path();
    register_part(path);
    if let Some(q) = url.query() {
        register_part(&format!("{path}?{q}"));
        register_part(q);
        for (_, v) in url.query_pairs() {
            register_part(&v);
        }
    }
    // Segments that look generated (a digit, or long): not words such as `services`.
    for segment in path.split('/') {
        if segment.len() >= 20 || segment.bytes().any(|b| b.is_ascii_digit()) {
            register_part(segment);
        }
    }
    if let Some(p) = url.password() {
        register_part(p);
    }
}

fn register_part(part: &str) {
    if part.trim().len() >= MIN_PART {
        redact::register(part);
    }
}

/// Registers a secret of either kind: an http(s) URL, or any URL with a password
/// (`postgres://user:password@host/db`), as a URL; anything else as a token.
pub fn register_secret(value: &str) {
    if is_url(value) || has_password(value) {
        register_url(value);
    } else {
        register_token(value);
    }
}

fn is_url(value: &str) -> bool {
    reqwest::Url::parse(value.trim()).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

fn has_password(value: &str) -> bool {
    reqwest::Url::parse(value.trim()).is_ok_and(|u| u.password().is_some())
}

/// Registers the value of the secret variable `var`, when set (a URL as a URL, anything else as
/// a token).
pub fn register_var(var: &str) {
    if let Ok(value) = std::env::var(var) {
        register_secret(&value);
    }
}

/// Words that make a variable NAME say it holds a secret (`DD_API_KEY`, `GITHUB_TOKEN`,
/// `DB_PASSWORD`, `SENTRY_DSN`, `SLACK_WEBHOOK_URL`), whole between `_`s or ending the name.
const SECRET_WORDS: [&str; 11] = [
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "KEY",
    "CREDENTIALS",
    "CREDENTIAL",
    "DSN",
    "WEBHOOK",
];

/// True when the variable NAME says it holds a secret: one of its `_`-separated words is (or
/// ends in) a [`SECRET_WORDS`] word, and none is `PUBLIC` (`NEXT_PUBLIC_DD_APP_ID`,
/// `SSH_PUBLIC_KEY` are published on purpose).
#[must_use]
pub fn is_secret_name(var: &str) -> bool {
    let upper = var.to_ascii_uppercase();
    let words: Vec<&str> = upper.split('_').filter(|w| !w.is_empty()).collect();
    !words.contains(&"PUBLIC")
        && words
            .iter()
            .any(|w| SECRET_WORDS.iter().any(|s| w.ends_with(s)))
}

/// Registers the value of a variable a checklist names (`require_env:`): as a secret when its
/// name says so ([`is_secret_name`]); otherwise only a URL with a password in it
/// (`postgres://user:password@host/db`), whole and by its password.
pub fn register_named(var: &str) {
    let Ok(value) = std::env::var(var) else {
        return;
    };
    if is_secret_name(var) || has_password(&value) {
        register_secret(&value);
    }
}

/// The value of the secret variable `var` (trimmed; `None` when unset or blank), registered.
#[must_use]
pub fn token_from_env(var: &str) -> Option<String> {
    let raw = std::env::var(var).ok()?;
    register_token(&raw);
    let value = raw.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// The value of the webhook-URL variable `var` (trimmed; `None` when unset or blank), registered.
#[must_use]
pub fn url_from_env(var: &str) -> Option<String> {
    let raw = std::env::var(var).ok()?;
    register_url(&raw);
    let value = raw.trim();
    (!value.is_empty()).then(|| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_credentials_and_secret_parameters() {
        assert_eq!(check_url("http://127.0.0.1:4242"), Ok(()));
        assert_eq!(check_url("https://u.example.com/api?project=x"), Ok(()));
        assert_eq!(
            check_url("http://admin:PASSWORD@host"),
            Err(UrlProblem::Credentials)
        );
        assert_eq!(check_url("http://admin@host"), Err(UrlProblem::Credentials));
        for q in [
            "apikey",
            "api_key",
            "token",
            "access_token",
            "key",
            "secret",
            "sig",
            "Signature",
            "X-Amz-Signature",
            "password",
            "client_secret",
            "auth",
        ] {
            assert_eq!(
                check_url(&format!("http://h/x?a=1&{q}=v")),
                Err(UrlProblem::SecretParam(q.to_string())),
                "{q}"
            );
        }
        assert_eq!(check_url("ftp://h"), Err(UrlProblem::NotHttp));
        assert_eq!(check_url("h:4242"), Err(UrlProblem::NotHttp));
    }

    #[test]
    fn registers_tokens_by_their_secret_halves() {
        register_token("default:development.0123456789abcdef-half\n");
        assert_eq!(
            redact::scrub("a 0123456789abcdef-half b"),
            "a *** b",
            "the secret half"
        );
        assert_eq!(redact::scrub("development.0123456789abcdef-half"), "***");
        assert_eq!(redact::scrub("default development"), "default development");
        register_url("https://hooks.example.com/services/T000/B000/XYZ9secret9XYZ\n");
        assert_eq!(redact::scrub("echo XYZ9secret9XYZ"), "echo ***");
        assert_eq!(
            redact::scrub("see https://hooks.example.com/services/T000/B000/XYZ9secret9XYZ"),
            "see ***"
        );
    }

    #[test]
    fn hides_a_token_after_any_prefix_cut_at_a_separator() {
        register_token("api-9a8b7c6d-1111-4ccc-8ddd-0e0f1a2b3c4d\n");
        for cut in [
            "9a8b7c6d-1111-4ccc-8ddd-0e0f1a2b3c4d",
            "4ccc-8ddd-0e0f1a2b3c4d",
            "0e0f1a2b3c4d",
        ] {
            assert_eq!(redact::scrub(&format!("[{cut}]")), "[***]", "{cut}");
        }
        register_token("ghp_Zx81Qw72Er63Ty54");
        assert_eq!(redact::scrub("t=Zx81Qw72Er63Ty54"), "t=***");
        // Parts under MIN_PART characters stay: `api`, `1111` or `8ddd` are not hidden alone.
        register_token("xy-longsecretvalue99-ab-tail");
        assert_eq!(redact::scrub("ab-tail and 8ddd-"), "ab-tail and 8ddd-");
    }

    #[test]
    fn tells_secret_variable_names_by_their_words() {
        for name in [
            "DD_API_KEY",
            "GITHUB_TOKEN",
            "DB_PASSWORD",
            "SENTRY_DSN",
            "SLACK_WEBHOOK_URL",
            "AWS_SECRET_ACCESS_KEY",
            "npm_authToken",
            "APIKEY",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "DATABASE_URL",
            "NEXT_PUBLIC_DD_APP_ID",
            "SSH_PUBLIC_KEY",
            "HOME",
            "TOKENIZER_MODE",
            "KEYBOARD",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
