//! When to try a request again, and how long to wait first.
//!
//! Transient failures (connect errors, resets, timeouts, 5xx, 429) are retried with exponential
//! backoff and jitter (the `backon` crate's schedule); a server that says how long to wait
//! (`Retry-After`, `X-Ratelimit-Reset`) is obeyed, within the caller's deadline.

use std::time::Duration;

use backon::BackoffBuilder;
use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;

/// How one client retries. Built from the run's `--timeout` by [`Policy::for_deadline`].
#[derive(Debug, Clone)]
pub struct Policy {
    /// The most one attempt may take (connect + answer), well under the overall deadline, so a
    /// hung request leaves time for another.
    pub attempt_timeout: Duration,
    /// First wait between attempts; it doubles up to `max_backoff`, and jitter adds up to as
    /// much again.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
}

impl Policy {
    /// A per-attempt timeout of a third of the deadline, at most 5 s and at least 250 ms: a
    /// 30 s kill gets 5 s attempts, so one hung request costs 5 s, not the whole budget.
    #[must_use]
    pub fn for_deadline(total: Duration) -> Policy {
        let attempt_timeout = (total / 3).clamp(Duration::from_millis(250), Duration::from_secs(5));
        Policy {
            attempt_timeout,
            min_backoff: Duration::from_millis(100),
            // Jitter adds up to the delay again: waits stay under 2 s.
            max_backoff: Duration::from_secs(1),
        }
    }

    /// The waits between attempts: 100 ms, 200 ms, 400 ms … capped, each with jitter, forever
    /// (the deadline ends the loop, not a count).
    pub(crate) fn schedule(&self) -> impl Iterator<Item = Duration> {
        backon::ExponentialBuilder::default()
            .with_min_delay(self.min_backoff)
            .with_max_delay(self.max_backoff)
            .with_jitter()
            .without_max_times()
            .build()
    }
}

/// The wait a server asked for: `Retry-After` (seconds or an HTTP date) or `X-Ratelimit-Reset`
/// (LaunchDarkly: epoch milliseconds; Datadog: seconds until the reset). `None` when it said
/// nothing usable.
#[must_use]
pub fn server_wait(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(v) = text("retry-after") {
        if let Ok(secs) = v.parse::<f64>() {
            if secs.is_finite() && secs >= 0.0 {
                return Some(Duration::from_secs_f64(secs.min(86_400.0)));
            }
        }
        // HTTP-date (IMF-fixdate is RFC 2822 compatible).
        if let Ok(at) = DateTime::parse_from_rfc2822(v) {
            return Some((at.with_timezone(&Utc) - now).to_std().unwrap_or_default());
        }
    }
    if let Some(v) = text("x-ratelimit-reset") {
        if let Ok(n) = v.parse::<u64>() {
            return Some(reset_wait(n, now));
        }
    }
    None
}

/// `X-Ratelimit-Reset` comes as epoch milliseconds (LaunchDarkly), epoch seconds, or seconds
/// until the reset (Datadog); the magnitude tells which.
fn reset_wait(n: u64, now: DateTime<Utc>) -> Duration {
    let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
    if n >= 100_000_000_000 {
        Duration::from_millis(n.saturating_sub(now_ms))
    } else if n >= 1_000_000_000 {
        Duration::from_millis((n * 1000).saturating_sub(now_ms))
    } else {
        Duration::from_secs(n.min(86_400))
    }
}

/// A status worth another try: the server was overloaded, restarting or rate limiting.
#[must_use]
pub fn transient_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderMap, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn server_waits_in_every_documented_form() {
        let now = DateTime::parse_from_rfc3339("2026-11-26T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            server_wait(&headers(&[("retry-after", "2")]), now),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            server_wait(
                &headers(&[("retry-after", "Thu, 26 Nov 2026 10:00:03 GMT")]),
                now
            ),
            Some(Duration::from_secs(3))
        );
        // LaunchDarkly: epoch milliseconds.
        let ms = now.timestamp_millis() + 1500;
        assert_eq!(
            server_wait(&headers(&[("x-ratelimit-reset", &ms.to_string())]), now),
            Some(Duration::from_millis(1500))
        );
        // Datadog: seconds until the reset.
        assert_eq!(
            server_wait(&headers(&[("x-ratelimit-reset", "7")]), now),
            Some(Duration::from_secs(7))
        );
        // A reset in the past is no wait; garbage is no answer.
        assert_eq!(
            server_wait(&headers(&[("x-ratelimit-reset", "1000000000000")]), now),
            Some(Duration::ZERO)
        );
        assert_eq!(server_wait(&headers(&[("retry-after", "soon")]), now), None);
        assert_eq!(server_wait(&headers(&[]), now), None);
    }

    #[test]
    fn attempts_are_a_fraction_of_the_deadline() {
        assert_eq!(
            Policy::for_deadline(Duration::from_secs(30)).attempt_timeout,
            Duration::from_secs(5)
        );
        assert_eq!(
            Policy::for_deadline(Duration::from_secs(3)).attempt_timeout,
            Duration::from_secs(1)
        );
        assert_eq!(
            Policy::for_deadline(Duration::from_millis(100)).attempt_timeout,
            Duration::from_millis(250)
        );
        let waits: Vec<Duration> = Policy::for_deadline(Duration::from_secs(30))
            .schedule()
            .take(8)
            .collect();
        assert!(
            waits.iter().all(|w| *w <= Duration::from_secs(2)),
            "{waits:?}"
        );
        assert!(waits[0] >= Duration::from_millis(100), "{waits:?}");
    }
}
