//! The HTTP side of the Unleash provider: one `reqwest` client with the run's `--timeout`, the
//! token on every request (never printed: registered with [`crate::redact`]), `-v` logging, and
//! Unleash's error bodies turned into errors a user can act on.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::output::Output;

/// What a request returned: the status and the body as JSON (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    #[must_use]
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Unleash's own message: `message`, else the first `details[].message`, else the body.
    #[must_use]
    pub fn message(&self) -> String {
        let body = &self.body;
        let msg = body
            .get("message")
            .and_then(Value::as_str)
            .or_else(|| {
                body.get("details")
                    .and_then(|d| d.get(0))
                    .and_then(|d| d.get("message"))
                    .and_then(Value::as_str)
            })
            .map_or_else(
                || match body {
                    Value::Null => String::new(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
                str::to_string,
            );
        // A failed JSON Patch test carries the whole strategy after a newline: keep the first line.
        msg.lines().next().unwrap_or_default().trim().to_string()
    }

    /// A failed JSON Patch `test` op: Unleash answers 500 "Test operation failed".
    #[must_use]
    pub fn is_test_failure(&self) -> bool {
        self.status == 500 && self.message().starts_with("Test operation failed")
    }
}

pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
    /// The env var the token came from: named in errors, the value never is.
    pub token_var: String,
    timeout: Duration,
    log: Option<Output>,
}

impl Client {
    /// `base` is the server URL as configured; the token is registered as a secret.
    pub fn new(base: &str, token: String, token_var: String, timeout: Duration) -> Result<Client> {
        crate::secret_policy::register_token(&token);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("rollout/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::provider(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Client {
            http,
            base: base.trim_end_matches('/').to_string(),
            token,
            token_var,
            timeout,
            log: None,
        })
    }

    pub fn set_log(&mut self, out: Output) {
        self.log = Some(out);
    }

    /// The full URL of an API path (`/api/admin/...`).
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A warning for people (also without `-v`).
    pub fn warn(&self, text: &str) {
        if let Some(out) = &self.log {
            out.warn(text);
        }
    }

    fn debug(&self, text: &str) {
        if let Some(out) = &self.log {
            out.debug(text);
        }
    }

    /// Sends one request. Only a transport failure (unreachable, timed out) is an `Err`; any HTTP
    /// status comes back as a [`Reply`] for the caller to judge.
    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Reply> {
        let url = self.url(path);
        let started = Instant::now();
        let shown_body = body.map(Value::to_string).unwrap_or_default();
        self.debug(format!("unleash: {method} {url} {shown_body}").trim_end());
        let mut req = self
            .http
            .request(method.clone(), &url)
            .header("Authorization", &self.token)
            .header("Accept", "application/json");
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| self.transport(&method, &url, &e))?;
        let status = resp.status().as_u16();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| self.transport(&method, &url, &e))?;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        self.debug(&format!(
            "unleash: {status} in {} ms",
            started.elapsed().as_millis()
        ));
        Ok(Reply { status, body })
    }

    fn transport(&self, method: &Method, url: &str, e: &reqwest::Error) -> Error {
        let what = if e.is_timeout() {
            format!("no answer within {}", crate::clock::span(self.timeout))
        } else if e.is_connect() {
            "cannot connect".to_string()
        } else {
            "the request failed".to_string()
        };
        let mut cause = String::new();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            cause = s.to_string();
            source = s.source();
        }
        let cause = if cause.is_empty() {
            String::new()
        } else {
            format!(" ({cause})")
        };
        let changed = if *method == Method::GET {
            "nothing was changed"
        } else {
            "this request may or may not have been applied"
        };
        Error::provider(format!(
            "Unleash at {} is unreachable: {what}{cause} on {method} {url}; {changed}",
            self.base
        ))
        .with_hint("check the `url:` under `provider:` (or ROLLOUT_PROVIDER_URL) and that the server is up; raise --timeout for a slow server")
    }

    /// The error for a reply that is not a success, for people: what Unleash said, what it
    /// means, what to do. `changed` says what this command had already changed (or "nothing").
    #[must_use]
    pub fn refusal(&self, reply: &Reply, doing: &str, changed: &str) -> Error {
        let said = reply.message();
        let said = if said.is_empty() {
            String::new()
        } else {
            format!(": {said}")
        };
        let base = format!(
            "Unleash answered {} to {doing}{said}; {changed}",
            reply.status
        );
        match reply.status {
            401 => Error::provider(format!(
                "Unleash at {} refused the token in {} (401){said}; {changed}",
                self.base, self.token_var
            ))
            .with_hint(format!(
                "export an Unleash admin or personal access token in {} (Admin → API access)",
                self.token_var
            ))
            .permanent(),
            403 if said.contains("token type") => Error::provider(format!(
                "the token in {} is the wrong kind for the Admin API (403{said}); {changed}",
                self.token_var
            ))
            .with_hint(format!(
                "a backend (client) or frontend token cannot change flags: put an admin or personal access token in {}",
                self.token_var
            ))
            .permanent(),
            403 => Error::provider(format!(
                "Unleash refused to let the token in {} do this (403){said}; {changed}",
                self.token_var
            ))
            .with_hint("the token lacks the permission, or the environment needs a change request (approval) in Unleash")
            .permanent(),
            400 | 404 | 405 | 409 | 422 => Error::provider(base).permanent(),
            _ => Error::provider(base),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn client() -> Client {
        Client::new(
            "http://127.0.0.1:4242/",
            "*:*.unit-test-secret".into(),
            "UNLEASH_API_TOKEN".into(),
            Duration::from_secs(1),
        )
        .unwrap()
    }

    fn reply(status: u16, body: serde_json::Value) -> Reply {
        Reply { status, body }
    }

    #[test]
    fn refusals_name_the_variable_and_what_to_do() {
        let c = client();
        let e = c.refusal(
            &reply(
                401,
                json!({"name": "UnauthorizedError", "message": "You must log in to use Unleash."}),
            ),
            "reading f",
            "nothing was changed",
        );
        assert_eq!(e.kind, crate::error::Kind::Provider);
        assert!(e.permanent);
        assert!(
            e.message
                .contains("refused the token in UNLEASH_API_TOKEN (401)"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("unit-test-secret"));
        let e = c.refusal(
            &reply(403, json!({"message": "invalid token: expected a different token type for this endpoint"})),
            "reading f",
            "nothing was changed",
        );
        assert!(e.message.contains("wrong kind"), "{}", e.message);
        // A permission or change-request (approval) refusal.
        let e = c.refusal(
            &reply(403, json!({"name": "PermissionError", "message": "You don't have the required permissions"})),
            "turning the environment on",
            "already changed: setting the rollout to 10%",
        );
        assert!(e
            .message
            .contains("refused to let the token in UNLEASH_API_TOKEN do this (403)"));
        assert!(e
            .message
            .ends_with("already changed: setting the rollout to 10%"));
        assert!(e.hint.unwrap().contains("change request"));
        // A failed JSON Patch test keeps only its first line.
        let r = reply(
            500,
            json!({"name": "UnknownError", "message": "Test operation failed\nname: TEST_OPERATION_FAILED\ntree: {}"}),
        );
        assert!(r.is_test_failure());
        assert_eq!(r.message(), "Test operation failed");
        let e = c.refusal(
            &reply(502, serde_json::Value::Null),
            "reading f",
            "nothing was changed",
        );
        assert!(!e.permanent, "a bad gateway may pass: kill retries it");
        assert_eq!(
            c.url("/api/admin/projects"),
            "http://127.0.0.1:4242/api/admin/projects"
        );
    }
}
