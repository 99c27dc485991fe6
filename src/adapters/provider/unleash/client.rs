//! The HTTP side of the Unleash provider, on the project's one HTTP client ([`crate::adapters::http_client`]):
//! the token on every request (never printed), retries of transient failures within the run's
//! `--timeout`, and Unleash's error bodies turned into errors a user can act on.

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;
use tokio::time::Instant as Deadline;

use crate::adapters::http_client::{self as http, Call};
use crate::domain::error::{Error, Result, Written};
use crate::ports::log::Logger;

/// What a request returned: the status and the body as JSON (`Null` when empty, a string when
/// it is not JSON).
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

/// An Unleash 500 that means "your JSON Patch test failed" is an answer, not an outage.
fn is_test_failure(reply: &http::Reply) -> bool {
    reply.status == 500 && String::from_utf8_lossy(&reply.body).contains("Test operation failed")
}

pub struct Client {
    http: http::Client,
    /// The env var the token came from: named in errors, the value never is.
    pub token_var: String,
    /// The run's `--timeout`: every request of this run ends by then.
    deadline: Deadline,
    log: Option<Logger>,
}

impl Client {
    /// `base` is the server URL as configured; the token is registered as a secret. Requests
    /// are retried within `timeout` from now.
    pub fn new(base: &str, token: String, token_var: String, timeout: Duration) -> Result<Client> {
        crate::domain::secrets::policy::register_token(&token);
        let http = http::Client::new("Unleash", base, http::Policy::for_deadline(timeout))?
            .secret_header("authorization", &token, &token_var)?;
        Ok(Client {
            http,
            token_var,
            deadline: Deadline::now() + timeout,
            log: None,
        })
    }

    pub fn set_log(&mut self, out: Logger) {
        self.http.set_log(out.clone());
        self.log = Some(out);
    }

    /// The full URL of an API path (`/api/admin/...`).
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        self.http.url(path)
    }

    #[must_use]
    pub fn base(&self) -> &str {
        self.http.base()
    }

    /// A warning for people (also without `-v`).
    pub fn warn(&self, text: &str) {
        if let Some(out) = &self.log {
            out.warn(text);
        }
    }

    /// Sends one request, retrying transient failures until the run's deadline. Only giving up
    /// (unreachable, no answer in time, failing every time) is an `Err`; any other HTTP status
    /// comes back as a [`Reply`] for the caller to judge.
    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Reply> {
        self.send_with(method, path, body, false).await
    }

    /// [`Self::send`] for kill: a read or an off that has not answered after a tenth of an
    /// attempt's time is sent again alongside, so a hung connection costs that, not a whole
    /// attempt.
    pub async fn send_hedged(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply> {
        self.send_with(method, path, body, true).await
    }

    async fn send_with(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        hedge: bool,
    ) -> Result<Reply> {
        // Turning an environment on or off twice does what once does: safe to send again after
        // an answer was lost. A guarded PATCH is not (its `test` fails the second time).
        let switch = method == Method::POST && (path.ends_with("/on") || path.ends_with("/off"));
        let mut call = Call::new(method, path).accept(is_test_failure);
        if switch {
            call = call.idempotent(true);
        }
        if hedge {
            let after = (self.http.policy().attempt_timeout / 10).max(Duration::from_millis(100));
            call = call.hedge(after);
        }
        if let Some(b) = body {
            call = call.json(b);
        }
        match self.http.send(&call, self.deadline).await {
            Ok(reply) => Ok(Reply {
                status: reply.status,
                body: reply.value(),
            }),
            Err(gave_up) => Err(gave_up.into_error()),
        }
    }

    /// The error for a reply that is not a success, for people: what Unleash said, what it
    /// means, what to do. `changed` says what this command had already changed (or "nothing").
    #[must_use]
    pub fn refusal(&self, reply: &Reply, doing: &str, changed: &Written) -> Error {
        self.refused(reply, doing, changed).written(changed.clone())
    }

    fn refused(&self, reply: &Reply, doing: &str, changed: &Written) -> Error {
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
                self.base(), self.token_var
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
            &Written::Nothing,
        );
        assert_eq!(e.kind, crate::domain::error::Kind::Provider);
        assert_eq!(e.written, Written::Nothing);
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
            &Written::Nothing,
        );
        assert!(e.message.contains("wrong kind"), "{}", e.message);
        // A permission or change-request (approval) refusal.
        let e = c.refusal(
            &reply(403, json!({"name": "PermissionError", "message": "You don't have the required permissions"})),
            "turning the environment on",
            &Written::Partly(vec!["setting the rollout to 10%".into()]),
        );
        assert!(e
            .message
            .contains("refused to let the token in UNLEASH_API_TOKEN do this (403)"));
        assert!(e
            .message
            .ends_with("already changed: setting the rollout to 10%"));
        // The journal reads what was written from the error, not from its words.
        assert_eq!(
            e.written,
            Written::Partly(vec!["setting the rollout to 10%".into()])
        );
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
            &Written::Nothing,
        );
        assert!(!e.permanent, "a bad gateway may pass: kill retries it");
        assert_eq!(
            c.url("/api/admin/projects"),
            "http://127.0.0.1:4242/api/admin/projects"
        );
    }
}
