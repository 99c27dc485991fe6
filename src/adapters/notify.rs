//! POSTs each recorded event to the `notify` webhooks: a Slack-compatible `{"text": ...}` plus the
//! event's own fields. A failing target is reported as a warning; it never fails the change.

use std::time::Duration;

use serde_json::Value;

use crate::adapters::journal::Event;
use crate::domain::config::NotifyTarget;
use crate::ports::log::Logger;

/// The body sent for `event`.
#[must_use]
pub fn payload(event: &Event) -> Value {
    let mut body =
        serde_json::to_value(event).unwrap_or_else(|_| Value::Object(serde_json::Map::new()));
    if let Value::Object(map) = &mut body {
        map.insert(
            "text".into(),
            Value::String(format!("rollout: {} (by {})", event.summary(), event.actor)),
        );
    }
    body
}

/// The target's URL, registered as a secret (with its token-bearing path) before anything else.
fn resolve(target: &NotifyTarget) -> Option<String> {
    match target {
        NotifyTarget::UrlEnv(var) => crate::domain::secrets::policy::url_from_env(var),
    }
}

/// Registers every notify URL as a secret, so no output path can show one.
pub fn register_secrets(targets: &[NotifyTarget]) {
    for t in targets {
        let _ = resolve(t);
    }
}

/// Sends `event` to every target at once and waits at most `deadline` for all of them.
pub async fn send_all(targets: &[NotifyTarget], event: &Event, deadline: Duration, out: &Logger) {
    if targets.is_empty() {
        return;
    }
    let client = match reqwest::Client::builder().timeout(deadline).build() {
        Ok(c) => c,
        Err(e) => {
            out.warn(&format!("notifications not sent: {e}"));
            return;
        }
    };
    let body = payload(event);
    let sends = targets.iter().map(|target| {
        let client = client.clone();
        let body = body.clone();
        async move {
            let label = target.label();
            let Some(url) = resolve(target) else {
                return Err(format!("notify target {label} is not set; skipped"));
            };
            match client.post(&url).json(&body).send().await {
                Ok(resp) if resp.status().is_success() => Ok(label),
                Ok(resp) => Err(format!("notify target {label} answered {}", resp.status())),
                // reqwest errors name the URL: say what happened without it.
                Err(e) if e.is_timeout() => Err(format!(
                    "notify target {label} did not answer within {}s",
                    deadline.as_secs_f32()
                )),
                Err(e) if e.is_connect() => Err(format!("notify target {label} is unreachable")),
                Err(_) => Err(format!("notify target {label} failed")),
            }
        }
    });
    let all = futures_util::future::join_all(sends);
    let results = match tokio::time::timeout(deadline + Duration::from_millis(200), all).await {
        Ok(r) => r,
        Err(_) => {
            out.warn(&format!(
                "notifications did not finish within {}s",
                deadline.as_secs_f32()
            ));
            return;
        }
    };
    for r in results {
        match r {
            Ok(label) => out.debug(&format!("notified {label}")),
            Err(msg) => out.warn(&msg),
        }
    }
}
