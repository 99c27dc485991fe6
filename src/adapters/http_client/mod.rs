//! The one HTTP client of every REST provider and gate source (Unleash, LaunchDarkly, `http`,
//! Prometheus, Datadog): secrets in headers registered with [`crate::domain::secrets::redact`], a per-attempt
//! timeout well under the caller's deadline, retries of transient failures with backoff that
//! honours the server's `Retry-After` / `X-Ratelimit-Reset`, `-v` logging, and a give-up that
//! keeps the last real cause.

mod failure;
pub mod retry;

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
pub use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::time::Instant as Deadline;

pub use failure::{Cause, GaveUp};
pub use retry::Policy;

use crate::domain::error::{Error, Result};
use crate::ports::log::Logger;

/// The largest answer read from any service (docs/limits.md): a flag, a query result or a
/// health check is a few KB; more is refused unread past this point, so a wrong URL or a runaway
/// query cannot take the memory of the machine.
pub const MAX_ANSWER_BYTES: u64 = 16 << 20;

/// Why one attempt brought no reply.
#[derive(Debug)]
enum Attempt {
    Http(reqwest::Error),
    /// The answer (status, content type) was longer than [`MAX_ANSWER_BYTES`].
    TooLarge(u16, Option<String>),
}

impl From<reqwest::Error> for Attempt {
    fn from(e: reqwest::Error) -> Attempt {
        Attempt::Http(e)
    }
}

/// One client for one service (a provider or a gate source).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    /// For messages: `Unleash`, `LaunchDarkly`, `Prometheus` …
    service: String,
    base: String,
    headers: HeaderMap,
    policy: Policy,
    log: Option<Logger>,
}

/// What a request returned: status, headers and the raw body.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: bytes::Bytes,
}

impl Reply {
    #[must_use]
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as a typed value.
    pub fn json<T: DeserializeOwned>(&self) -> std::result::Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The body as JSON, `Null` when empty, a JSON string when it is not JSON (an HTML error
    /// page from a proxy, say).
    #[must_use]
    pub fn value(&self) -> serde_json::Value {
        if self.body.is_empty() {
            return serde_json::Value::Null;
        }
        serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            serde_json::Value::String(String::from_utf8_lossy(&self.body).into_owned())
        })
    }

    /// At most `max` characters of the body on one line, for messages.
    #[must_use]
    pub fn excerpt(&self, max: usize) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if one_line.chars().count() > max {
            let cut: String = one_line.chars().take(max).collect();
            format!("{cut}…")
        } else {
            one_line
        }
    }
}

/// One request to send.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: Method,
    /// The path under the client's base URL (`/api/v2/flags/...`), query included.
    pub path: String,
    body: Option<(String, Vec<u8>)>,
    /// Sending it twice does what sending it once does (GET, PUT, turning a flag off). Only an
    /// idempotent call is retried after a failure that may have reached the server; any call
    /// is retried after a refused connection or a 429.
    pub idempotent: bool,
    /// Replies the caller wants at once even when their status is transient (an Unleash 500
    /// that means "your JSON Patch test failed" is an answer, not an outage).
    accept: Option<fn(&Reply) -> bool>,
    /// For an idempotent call that must be fast (kill): when an attempt has not answered after
    /// this long, the same request is sent again alongside it and the first answer wins.
    hedge: Option<Duration>,
}

impl Call {
    #[must_use]
    pub fn get(path: impl Into<String>) -> Call {
        Call {
            method: Method::GET,
            path: path.into(),
            body: None,
            idempotent: true,
            accept: None,
            hedge: None,
        }
    }

    #[must_use]
    pub fn new(method: Method, path: impl Into<String>) -> Call {
        let idempotent = matches!(
            method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        );
        Call {
            method,
            path: path.into(),
            body: None,
            idempotent,
            accept: None,
            hedge: None,
        }
    }

    /// A JSON body with `application/json`.
    #[must_use]
    pub fn json(self, body: &impl Serialize) -> Call {
        self.json_as("application/json", body)
    }

    /// A JSON body with another content type (LaunchDarkly's semantic patch).
    #[must_use]
    pub fn json_as(mut self, content_type: &str, body: &impl Serialize) -> Call {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        self.body = Some((content_type.to_string(), bytes));
        self
    }

    /// Marks the call as safe (or not) to send again after a failure that may have reached the
    /// server.
    #[must_use]
    pub fn idempotent(mut self, yes: bool) -> Call {
        self.idempotent = yes;
        self
    }

    /// Replies for which `f` is true are returned at once, never retried.
    #[must_use]
    pub fn accept(mut self, f: fn(&Reply) -> bool) -> Call {
        self.accept = Some(f);
        self
    }

    /// When an attempt has not answered after `after`, sends the request again alongside it
    /// (idempotent calls only) and takes the first answer: a hung connection costs `after`,
    /// not a whole attempt.
    #[must_use]
    pub fn hedge(mut self, after: Duration) -> Call {
        self.hedge = Some(after);
        self
    }

    /// The body as sent, for `-v` and `--dry-run`.
    #[must_use]
    pub fn body_text(&self) -> Option<String> {
        self.body
            .as_ref()
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
    }
}

impl Client {
    /// A client for `service` at `base` (trailing `/` dropped).
    pub fn new(service: &str, base: &str, policy: Policy) -> Result<Client> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("rollout/", env!("CARGO_PKG_VERSION")))
            // Per-attempt limits are applied around each attempt; this only bounds a connect.
            .connect_timeout(policy.attempt_timeout)
            .build()
            .map_err(|e| Error::provider(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Client {
            http,
            service: service.to_string(),
            base: base.trim_end_matches('/').to_string(),
            headers: HeaderMap::new(),
            policy,
            log: None,
        })
    }

    /// A header sent with every request.
    pub fn header(mut self, name: &'static str, value: &str) -> Result<Client> {
        let v = HeaderValue::from_str(value)
            .map_err(|_| Error::usage(format!("the {name} header value is not valid in HTTP")))?;
        self.headers.insert(HeaderName::from_static(name), v);
        Ok(self)
    }

    /// A secret header (a token): registered with [`crate::domain::secrets::redact`], marked sensitive, never
    /// logged. `var` names the environment variable it came from, for the error.
    pub fn secret_header(mut self, name: &'static str, value: &str, var: &str) -> Result<Client> {
        crate::domain::secrets::redact::register(value);
        let mut v = HeaderValue::from_str(value).map_err(|_| {
            Error::usage(format!(
                "{var} holds characters that cannot be sent in an HTTP header"
            ))
            .with_hint(format!(
                "check the value exported in {var} (no newlines or control characters)"
            ))
        })?;
        v.set_sensitive(true);
        self.headers.insert(HeaderName::from_static(name), v);
        Ok(self)
    }

    pub fn set_log(&mut self, out: Logger) {
        self.log = Some(out);
    }

    #[must_use]
    pub fn service(&self) -> &str {
        &self.service
    }

    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }

    #[must_use]
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The full URL of a path.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn debug(&self, text: &str) {
        if let Some(out) = &self.log {
            out.debug(text);
        }
    }

    fn warn(&self, text: &str) {
        if let Some(out) = &self.log {
            out.warn(text);
        }
    }

    /// Sends `call`, retrying transient failures until `deadline`. Any reply that is not
    /// transient (2xx, 4xx but 408/429, anything `accept`ed) comes back as `Ok` for the caller
    /// to judge; `Err` means the client gave up, and says why with the last real cause.
    pub async fn send(&self, call: &Call, deadline: Deadline) -> Result<Reply, GaveUp> {
        let mut tries = Tries {
            started: Instant::now(),
            attempts: 0,
            reached: false,
        };
        let mut schedule = self.policy.schedule();
        loop {
            let now = Deadline::now();
            let left = deadline.saturating_duration_since(now);
            if left.is_zero() {
                return Err(self.gave_up_after(call, &tries, Cause::Timeout(Duration::ZERO)));
            }
            tries.attempts += 1;
            let per = self.policy.attempt_timeout.min(left);
            let attempt_started = Instant::now();
            let outcome = tokio::time::timeout(per, self.hedged(call)).await;
            let (cause, server_wait) =
                match self.judge(call, outcome, per, attempt_started, &mut tries) {
                    ControlFlow::Break(done) => return done,
                    ControlFlow::Continue(retry) => retry,
                };
            // An attempt that timed out has waited long enough: the next goes at once, so a
            // hung request costs one attempt's time and no more.
            let backoff = if matches!(cause, Cause::Timeout(_)) {
                Duration::ZERO
            } else {
                schedule.next().unwrap_or(self.policy.max_backoff)
            };
            match self.pause(call, &tries, cause, server_wait, backoff, deadline) {
                ControlFlow::Continue(wait) => tokio::time::sleep(wait).await,
                ControlFlow::Break(gave_up) => return Err(gave_up),
            }
        }
    }

    /// What one attempt's `outcome` (`per` its time limit) means: the answer to return (a reply
    /// for the caller to judge, or giving up on a request that may not be repeated), or the
    /// cause to retry on with the wait the server asked for.
    fn judge(
        &self,
        call: &Call,
        outcome: std::result::Result<
            std::result::Result<Reply, Attempt>,
            tokio::time::error::Elapsed,
        >,
        per: Duration,
        attempt_started: Instant,
        tries: &mut Tries,
    ) -> ControlFlow<Result<Reply, GaveUp>, (Cause, Option<Duration>)> {
        match outcome {
            Ok(Ok(reply)) => {
                self.debug(&format!(
                    "{}: {} in {} ms",
                    self.service,
                    reply.status,
                    attempt_started.elapsed().as_millis()
                ));
                let accepted = call.accept.is_some_and(|f| f(&reply));
                let retryable = retry::transient_status(reply.status)
                    && (call.idempotent || reply.status == 429);
                if accepted || !retryable {
                    return ControlFlow::Break(Ok(reply));
                }
                tries.reached = tries.reached || reply.status != 429;
                let wait = retry::server_wait(&reply.headers, chrono::Utc::now());
                ControlFlow::Continue((Cause::Status(reply), wait))
            }
            Ok(Err(Attempt::Http(e))) if e.is_connect() => {
                ControlFlow::Continue((Cause::from_reqwest(&e), None))
            }
            // The server answered, too much: asking again would bring the same.
            Ok(Err(Attempt::TooLarge(status, content_type))) => {
                let cause = Cause::TooLarge {
                    status,
                    content_type,
                    limit: MAX_ANSWER_BYTES,
                };
                ControlFlow::Break(Err(self.gave_up(
                    call,
                    tries.attempts,
                    tries.started,
                    true,
                    cause,
                )))
            }
            // The request may have reached the server: only an idempotent one is sent again.
            Ok(Err(Attempt::Http(e))) => self.reached(call, tries, Cause::from_reqwest(&e)),
            Err(_) => self.reached(call, tries, Cause::Timeout(per)),
        }
    }

    /// An attempt that may have reached the server failed with `cause`: retried only when the
    /// call is idempotent, else given up at once.
    fn reached(
        &self,
        call: &Call,
        tries: &mut Tries,
        cause: Cause,
    ) -> ControlFlow<Result<Reply, GaveUp>, (Cause, Option<Duration>)> {
        tries.reached = true;
        if call.idempotent {
            return ControlFlow::Continue((cause, None));
        }
        ControlFlow::Break(Err(self.gave_up(
            call,
            tries.attempts,
            tries.started,
            true,
            cause,
        )))
    }

    /// How long to wait before the next attempt after `cause`: our `backoff`, or the wait the
    /// server asked for; giving up (`Break`) when the deadline comes first. The first retry is told as a
    /// warning, the rest only with -v.
    fn pause(
        &self,
        call: &Call,
        tries: &Tries,
        cause: Cause,
        server_wait: Option<Duration>,
        backoff: Duration,
        deadline: Deadline,
    ) -> ControlFlow<GaveUp, Duration> {
        let wait = server_wait.map_or(backoff, |w| w.max(backoff.min(Duration::from_millis(250))));
        let left = deadline.saturating_duration_since(Deadline::now());
        // Our own backoff never ends the retries early: with time left for one more
        // attempt, it goes just before the deadline. A server's own wait is obeyed or
        // given up on.
        let last_try = Duration::from_millis(100);
        let wait = if wait >= left && server_wait.is_none_or(|w| w < left) && left > last_try {
            left - last_try
        } else {
            wait
        };
        if wait >= left {
            let cause = match server_wait {
                Some(asked) if asked >= left => Cause::RateLimited {
                    asked,
                    left,
                    last: Box::new(cause),
                },
                _ => cause,
            };
            return ControlFlow::Break(self.gave_up_after(call, tries, cause));
        }
        let line = format!(
            "{} {} on {} {}; retrying in {} ({} left)",
            self.service,
            cause,
            call.method,
            self.url(&call.path),
            failure::secs(wait),
            failure::secs(left),
        );
        if tries.attempts == 1 {
            self.warn(&line);
        } else {
            self.debug(&line);
        }
        ControlFlow::Continue(wait)
    }

    /// One attempt, with a second copy of an idempotent request sent alongside when the first
    /// is slow and the call asks for it; the first success wins (else the last failure).
    async fn hedged(&self, call: &Call) -> std::result::Result<Reply, Attempt> {
        let Some(after) = call.hedge.filter(|_| call.idempotent) else {
            return self.once(call).await;
        };
        let first = self.once(call);
        tokio::pin!(first);
        tokio::select! {
            r = &mut first => return r,
            () = tokio::time::sleep(after) => {}
        }
        self.debug(&format!(
            "{}: no answer to {} {} after {}; sending it again alongside",
            self.service,
            call.method,
            self.url(&call.path),
            failure::secs(after)
        ));
        let second = self.once(call);
        tokio::pin!(second);
        tokio::select! {
            r = &mut first => match r {
                Ok(reply) => Ok(reply),
                Err(_) => second.await,
            },
            r = &mut second => match r {
                Ok(reply) => Ok(reply),
                Err(_) => first.await,
            },
        }
    }

    /// One attempt, no retry, no timeout of its own. The body is read in chunks and given up
    /// past [`MAX_ANSWER_BYTES`].
    async fn once(&self, call: &Call) -> std::result::Result<Reply, Attempt> {
        let url = self.url(&call.path);
        let shown = call.body_text().unwrap_or_default();
        self.debug(format!("{}: {} {url} {shown}", self.service, call.method).trim_end());
        let mut req = self
            .http
            .request(call.method.clone(), &url)
            .headers(self.headers.clone())
            .header("Accept", "application/json");
        if let Some((ctype, bytes)) = &call.body {
            req = req.header("Content-Type", ctype).body(bytes.clone());
        }
        let mut resp = req.send().await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let too_large = || {
            let content_type = headers
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            Attempt::TooLarge(status, content_type)
        };
        if resp.content_length().is_some_and(|n| n > MAX_ANSWER_BYTES) {
            return Err(too_large());
        }
        let mut body = bytes::BytesMut::new();
        while let Some(chunk) = resp.chunk().await? {
            if (body.len() + chunk.len()) as u64 > MAX_ANSWER_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let body = body.freeze();
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    /// Giving up on `call` after `tries`, for `last`.
    fn gave_up_after(&self, call: &Call, tries: &Tries, last: Cause) -> GaveUp {
        self.gave_up(call, tries.attempts, tries.started, tries.reached, last)
    }

    fn gave_up(
        &self,
        call: &Call,
        attempts: u32,
        started: Instant,
        reached: bool,
        last: Cause,
    ) -> GaveUp {
        GaveUp {
            service: self.service.clone(),
            base: self.base.clone(),
            method: call.method.clone(),
            url: self.url(&call.path),
            attempts,
            elapsed: started.elapsed(),
            reached,
            last,
        }
    }
}

/// Where a [`Client::send`] stands: when it started, how many attempts it made, and whether one
/// reached the server (a request that may have been applied).
struct Tries {
    started: Instant,
    attempts: u32,
    reached: bool,
}
