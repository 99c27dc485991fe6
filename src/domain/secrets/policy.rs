//! One policy for every URL and secret, wherever it comes from (stages.yaml, its `environments:`
//! overrides, ROLLOUT_PROVIDER_URL, token and webhook variables):
//!
//! - a provider URL is an address, not a secret: credentials in it (`http://user:pass@host`) and
//!   secret-looking query parameters (`?apikey=`, `token`, `signature`, ...) are refused, with the
//!   variable to put the secret in instead;
//! - secrets (tokens, webhook URLs) come only from environment variables, and each one read is
//!   registered with [`crate::domain::secrets::redact`] exactly, trimmed, and by its distinctive parts (the secret
//!   half of an Unleash `project:env.secret` token, the path of a webhook URL), so no output shows
//!   any of them.

use super::redact;

/// Parts shorter than this are not registered alone: hiding a short common word everywhere would
/// mangle output without protecting anything.
const MIN_PART: usize = 8;

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

/// Registers a token read from the environment: exactly, trimmed, and its distinctive parts (what
/// follows a `:`, `.` or space, as in Unleash's `project:environment.secret` or `Bearer x`).
pub fn register_token(value: &str) {
    redact::register(value);
    let value = value.trim();
    for sep in [':', '.', ' ', '='] {
        for at in [value.find(sep), value.rfind(sep)].into_iter().flatten() {
            register_part(&value[at + 1..]);
        }
    }
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

/// Registers a secret of either kind: an http(s) URL as a URL, anything else as a token.
pub fn register_secret(value: &str) {
    if reqwest::Url::parse(value.trim()).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
        register_url(value);
    } else {
        register_token(value);
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
}
