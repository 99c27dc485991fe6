//! Why a request was given up, kept as the last real cause (a 503 is not reported as a timeout).

use std::fmt;
use std::time::Duration;

use reqwest::Method;

use super::Reply;
use crate::domain::error::{Error, Written};

/// The last thing that went wrong before the client gave up.
#[derive(Debug)]
pub enum Cause {
    /// Nothing was listening, or the name did not resolve: the request never left.
    Connect(String),
    /// No answer within the attempt's limit.
    Timeout(Duration),
    /// The connection broke (reset, closed mid-answer).
    Broken(String),
    /// The server answered with a transient status every time.
    Status(Reply),
    /// The answer (this status and content type) was longer than `limit` bytes: not read.
    TooLarge {
        status: u16,
        content_type: Option<String>,
        limit: u64,
    },
    /// The server asked to wait longer than the deadline leaves.
    RateLimited {
        asked: Duration,
        left: Duration,
        last: Box<Cause>,
    },
}

impl Cause {
    pub(super) fn from_reqwest(e: &reqwest::Error) -> Cause {
        let mut root = String::new();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            root = s.to_string();
            source = s.source();
        }
        if e.is_connect() {
            Cause::Connect(if root.is_empty() { e.to_string() } else { root })
        } else if e.is_timeout() {
            Cause::Timeout(Duration::ZERO)
        } else if root.is_empty() {
            Cause::Broken(e.to_string())
        } else {
            Cause::Broken(root)
        }
    }

    /// The reply behind the cause, when the server answered.
    #[must_use]
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            Cause::Status(r) => Some(r),
            Cause::RateLimited { last, .. } => last.reply(),
            _ => None,
        }
    }
}

/// Seconds for people: `0.4 s`, `5 s`.
pub(super) fn secs(d: Duration) -> String {
    if d < Duration::from_secs(10) && d.subsec_millis() != 0 {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} s", d.as_secs())
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::Connect(why) => write!(f, "is unreachable ({why})"),
            Cause::Timeout(d) if d.is_zero() => f.write_str("did not answer in time"),
            Cause::Timeout(d) => write!(f, "did not answer within {}", secs(*d)),
            Cause::Broken(why) => write!(f, "broke the connection ({why})"),
            Cause::Status(reply) => {
                let excerpt = reply.excerpt(160);
                let reason = reqwest::StatusCode::from_u16(reply.status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("");
                write!(f, "answered {} {reason}", reply.status)?;
                if !excerpt.is_empty() {
                    write!(f, ": {excerpt}")?;
                }
                Ok(())
            }
            Cause::TooLarge {
                status,
                content_type,
                limit,
            } => {
                let kind = content_type.as_deref().map_or_else(String::new, |t| {
                    format!(" of {}", crate::domain::gates::plain(t, 60))
                });
                write!(
                    f,
                    "answered {status} with more than {} MiB{kind}, the limit for one answer",
                    limit >> 20
                )
            }
            Cause::RateLimited { asked, left, last } => write!(
                f,
                "{last}, and asked to wait {} — more than the {} left",
                secs(*asked),
                secs(*left)
            ),
        }
    }
}

/// The client gave up on a request.
#[derive(Debug)]
pub struct GaveUp {
    pub service: String,
    /// The service's base URL, as configured.
    pub base: String,
    pub method: Method,
    pub url: String,
    pub attempts: u32,
    pub elapsed: Duration,
    /// Some attempt may have reached the server (a write may have been applied).
    pub reached: bool,
    pub last: Cause,
}

impl fmt::Display for GaveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tries = if self.attempts == 1 {
            "1 attempt".to_string()
        } else {
            format!("{} attempts", self.attempts)
        };
        write!(
            f,
            "{} at {} {} on {} {} ({tries} in {})",
            self.service,
            self.base,
            self.last,
            self.method,
            self.url,
            secs(self.elapsed)
        )
    }
}

impl GaveUp {
    /// The error for people: what failed, the last cause, and whether this request changed
    /// anything: a GET never does, a write that never reached the server did not, any other
    /// write may have been applied.
    #[must_use]
    pub fn into_error(self) -> Error {
        let (state, written) = if self.method == Method::GET || !self.reached {
            (Written::Nothing.to_string(), Written::Nothing)
        } else {
            (
                format!("this {} may have been applied", self.method),
                Written::Unknown,
            )
        };
        let hint = match &self.last {
            Cause::Connect(_) => format!("check that {} is up and its URL is right", self.service),
            Cause::Timeout(_) => {
                "the server did not answer in time; raise --timeout for a slow server".to_string()
            }
            Cause::RateLimited { .. } => {
                "the server is rate limiting: raise --timeout to wait for it".to_string()
            }
            Cause::TooLarge { .. } => format!(
                "ask {} for less (a narrower query, a smaller list), or check that the URL is \
                 the API's (docs/limits.md)",
                self.service
            ),
            Cause::Status(_) | Cause::Broken(_) => format!(
                "{} is failing; try again, or check its logs and status page",
                self.service
            ),
        };
        Error::provider(format!("{self}; {state}"))
            .written(written)
            .with_hint(hint)
    }
}
