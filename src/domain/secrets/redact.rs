//! Keeping secrets out of everything we print, log or journal.
//!
//! Secrets come only from the environment. Each one read is registered here, and every line the
//! tool writes to a terminal, a log or the journal goes through [`scrub`] as a last line of defence.

use std::sync::{Mutex, OnceLock};

fn registry() -> &'static Mutex<Vec<String>> {
    static SECRETS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    SECRETS.get_or_init(|| Mutex::new(Vec::new()))
}

/// Remembers a secret value so that [`scrub`] hides it, exactly as given and trimmed (a variable
/// set from a file often ends in a newline). Short values are ignored: hiding "a" everywhere
/// would mangle output without protecting anything. [`crate::domain::secrets::policy`] decides what else of
/// a secret to register (its distinctive parts).
pub fn register(secret: &str) {
    add(secret);
    add(secret.trim());
}

fn add(secret: &str) {
    if secret.len() < 4 {
        return;
    }
    if let Ok(mut list) = registry().lock() {
        if !list.iter().any(|s| s == secret) {
            list.push(secret.to_string());
            // Longest first, so a secret that contains another is hidden whole.
            list.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }
}

/// `text` with every registered secret replaced by `***`.
#[must_use]
pub fn scrub(text: &str) -> String {
    let Ok(list) = registry().lock() else {
        return text.to_string();
    };
    let mut out = text.to_string();
    for secret in list.iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), "***");
        }
    }
    out
}

/// `value` with every registered secret in its strings (keys included) replaced by `***`: for a
/// JSON document before it is encoded, where a secret holding a quote or a backslash would no
/// longer match in the text.
pub fn scrub_json(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s) => {
            let clean = scrub(s);
            if clean != *s {
                *s = clean;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(scrub_json),
        Value::Object(map) => {
            let old = std::mem::take(map);
            for (k, mut v) in old {
                scrub_json(&mut v);
                map.insert(scrub(&k), v);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// The registered secrets, longest first: for scrubbing bulk output without a lock per line.
#[must_use]
pub fn registered() -> Vec<String> {
    registry()
        .lock()
        .map(|list| list.clone())
        .unwrap_or_default()
}

/// A URL shown without anything that may be a secret: scheme and host only.
#[must_use]
pub fn url(raw: &str) -> String {
    match reqwest::Url::parse(raw) {
        Ok(u) => match u.host_str() {
            Some(host) => {
                let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
                let rest = if u.path().len() > 1 || u.query().is_some() {
                    "/***"
                } else {
                    ""
                };
                format!("{}://{host}{port}{rest}", u.scheme())
            }
            None => "***".to_string(),
        },
        Err(_) => "***".to_string(),
    }
}

/// A value that may be a pasted secret, for an error message: never shown.
#[must_use]
pub fn excerpt(_value: &str) -> &'static str {
    "*** (value hidden)"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_url_paths_and_registered_secrets() {
        assert_eq!(
            url("https://hooks.slack.com/services/T0/B0/XYZ"),
            "https://hooks.slack.com/***"
        );
        assert_eq!(url("http://127.0.0.1:9/"), "http://127.0.0.1:9");
        register("s3cret-token-value");
        assert_eq!(
            scrub("Authorization: s3cret-token-value!"),
            "Authorization: ***!"
        );
    }
}
