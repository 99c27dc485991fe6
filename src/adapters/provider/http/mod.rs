//! The `http` provider: a team's own flag service speaking a small JSON protocol
//! (docs/http-provider.md): read the flag, write its whole state guarded by its version (a
//! mismatch is a conflict, exit 5), then post the event. The service says which bucketing it uses;
//! `preview` and `check` reproduce it or refuse to guess.

pub mod api;

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant as Deadline;

use self::api::{BucketingDoc, ErrorDoc, EventDoc, EventList, FlagDoc, WriteDoc};
use super::{enc, Change, Desired, FlagState, Note, Provider, Request};
use crate::adapters::http_client::{self, Call, Method, Reply};
use crate::domain::config::{Config, HttpSettings, Percentage, ProviderKind};
use crate::domain::error::{Error, Result, Written};
use crate::domain::exposure::Bucketing;
use crate::ports::log::Logger;

pub struct HttpProvider {
    http: http_client::Client,
    token_var: String,
    deadline: Deadline,
    flag: String,
    environment: String,
    /// The bucketing the service declared with the last read.
    declared: Mutex<Option<Option<BucketingDoc>>>,
    /// The version each read returned, as the service spells it (sent back with writes).
    version: Mutex<Option<api::Version>>,
    log: Option<Logger>,
}

/// A 409 is the service's answer to a stale version: never retried.
fn is_answer(reply: &Reply) -> bool {
    reply.status == 409
}

fn state_of(doc: &FlagDoc) -> Result<FlagState> {
    let percentage = Percentage::from_percent(doc.percentage).ok_or_else(|| {
        Error::provider(format!(
            "the flag service reports the percentage {}, not a number from 0 to 100 with at most three decimals",
            doc.percentage
        ))
.nothing_changed()
        .permanent()
    })?;
    Ok(FlagState {
        exists: doc.enabled || doc.stage.is_some() || percentage > Percentage::ZERO,
        on: doc.enabled,
        percentage,
        stage: doc.stage.as_deref().map(|s| super::printable(s, 80)),
        users: doc.users.clone(),
        groups: doc.groups.clone(),
        since: doc.since,
        killed_at: doc.killed_at,
        version: doc.version.to_string(),
        revision: match doc.version {
            api::Version::Number(n) => Some(n),
            api::Version::Text(_) => None,
        },
        detail: None,
        read_at: None,
    })
}

/// What differs between two reads, for a conflict message.
fn differences(before: &FlagState, after: &FlagState) -> Vec<String> {
    crate::adapters::provider::launchdarkly::state::differences(before, after)
        .into_iter()
        .map(|d| d.replacen("targeting ", "enabled ", 1))
        .chain((before.stage != after.stage).then(|| {
            format!(
                "stage {} → {}",
                before.stage.as_deref().unwrap_or("none"),
                after.stage.as_deref().unwrap_or("none")
            )
        }))
        .collect()
}

impl HttpProvider {
    pub fn new(config: &Config, settings: &HttpSettings, timeout: Duration) -> Result<Self> {
        let (token, var) = super::token(
            ProviderKind::Http,
            &settings.token_env,
            "the flag service's API token",
        )?;
        let http = http_client::Client::new(
            "the flag service",
            &settings.url,
            http_client::Policy::for_deadline(timeout),
        )?
        .secret_header("authorization", &format!("Bearer {token}"), &var)?;
        crate::domain::secrets::redact::register(&token);
        Ok(HttpProvider {
            http,
            token_var: var,
            deadline: Deadline::now() + timeout,
            flag: config.flag.clone(),
            environment: settings.environment.clone(),
            declared: Mutex::new(None),
            version: Mutex::new(None),
            log: None,
        })
    }

    fn flag_path(&self) -> String {
        format!(
            "/flags/{}?environment={}",
            enc(&self.flag),
            enc(&self.environment)
        )
    }

    fn events_path(&self, limit: Option<usize>) -> String {
        let mut p = format!(
            "/flags/{}/events?environment={}",
            enc(&self.flag),
            enc(&self.environment)
        );
        if let Some(n) = limit {
            p.push_str(&format!("&limit={n}"));
        }
        p
    }

    async fn send(&self, call: &Call) -> Result<Reply> {
        self.http
            .send(call, self.deadline)
            .await
            .map_err(http_client::GaveUp::into_error)
    }

    fn said(reply: &Reply) -> String {
        let doc: ErrorDoc = reply.json().unwrap_or_default();
        let text = if doc.error.message.is_empty() {
            reply.excerpt(160)
        } else if doc.error.code.is_empty() {
            doc.error.message
        } else {
            format!("{} ({})", doc.error.message, doc.error.code)
        };
        super::printable(&text, 300)
    }

    fn refusal(&self, reply: &Reply, doing: &str, changed: &Written) -> Error {
        self.refused(reply, doing, changed).written(changed.clone())
    }

    fn refused(&self, reply: &Reply, doing: &str, changed: &Written) -> Error {
        let said = Self::said(reply);
        match reply.status {
            401 | 403 => Error::provider(format!(
                "the flag service at {} refused the token in {} ({}: {said}); {changed}",
                self.http.base(),
                self.token_var,
                reply.status
            ))
            .with_hint(format!(
                "export a token the service accepts for writes in {}",
                self.token_var
            ))
            .permanent(),
            404 => Error::provider(format!(
                "the flag service has no flag `{}` in environment {} ({said}); {changed}",
                self.flag, self.environment
            ))
            .with_hint("fix `flag:` or `environment:` in stages.yaml, or create the flag in the service first")
            .permanent(),
            s if s < 500 => Error::provider(format!(
                "the flag service answered {s} to {doing}: {said}; {changed}"
            ))
            .permanent(),
            s => Error::provider(format!(
                "the flag service answered {s} to {doing}: {said}; {changed}"
            )),
        }
    }

    fn remember(&self, doc: &FlagDoc) {
        if let Ok(mut d) = self.declared.lock() {
            *d = Some(doc.bucketing.clone());
        }
        if let Ok(mut v) = self.version.lock() {
            *v = Some(doc.version.clone());
        }
    }

    /// The version to send back: as the service spelled it when it matches `expected`.
    fn version_of(&self, expected: &FlagState) -> api::Version {
        self.version
            .lock()
            .ok()
            .and_then(|v| v.clone())
            .filter(|v| v.to_string() == expected.version)
            .unwrap_or_else(|| api::Version::Text(expected.version.clone()))
    }

    fn body_of(&self, expected: &FlagState, desired: &Desired, note: &Note) -> WriteDoc {
        WriteDoc {
            version: self.version_of(expected),
            enabled: desired.on,
            percentage: desired.percentage.as_f64(),
            users: desired.users.clone(),
            groups: desired.groups.clone(),
            stage: desired.stage.clone(),
            since: desired.since,
            killed_at: desired.killed_at,
            comment: format!("{} | by {}", note.text, note.actor),
        }
    }
}

#[async_trait::async_trait(?Send)]
impl Provider for HttpProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Http
    }

    fn describe(&self) -> String {
        format!("http {}", self.http.base())
    }

    fn label(&self) -> &'static str {
        "the flag service"
    }

    fn set_log(&mut self, out: Logger) {
        self.http.set_log(out.clone());
        self.log = Some(out);
    }

    async fn read(&self) -> Result<FlagState> {
        let sent = std::time::Instant::now();
        let reply = self.send(&Call::get(self.flag_path())).await?;
        if !reply.ok() {
            return Err(self.refusal(&reply, &format!("reading {}", self.flag), &Written::Nothing));
        }
        let doc: FlagDoc = reply.json().map_err(|e| {
            Error::provider(format!(
                "the flag service's answer for {} does not follow the protocol ({e})",
                self.flag
            ))
            .nothing_changed()
            .with_hint("see docs/http-provider.md for the shape of a flag")
            .permanent()
        })?;
        self.remember(&doc);
        let mut state = state_of(&doc)?;
        state.read_at = Some(sent);
        Ok(state)
    }

    fn plan(&self, expected: &FlagState, desired: &Desired, note: &Note) -> Vec<Request> {
        let body = self.body_of(expected, desired, note);
        vec![
            Request {
                method: "PUT".to_string(),
                url: self.http.url(&self.flag_path()),
                body: serde_json::to_value(&body).ok(),
                headers: vec![("Authorization".to_string(), "Bearer ***".to_string())],
            },
            Request {
                method: "POST".to_string(),
                url: self.http.url(&self.events_path(None)),
                body: None,
                headers: vec![("Authorization".to_string(), "Bearer ***".to_string())],
            },
        ]
    }

    async fn apply(
        &self,
        expected: &FlagState,
        desired: &Desired,
        note: &Note,
    ) -> Result<FlagState> {
        let body = self.body_of(expected, desired, note);
        // A PUT of the state the flag already has answers 200 whatever the version (the
        // protocol's rule), so sending it again after a lost answer is safe.
        let call = Call::new(Method::PUT, self.flag_path())
            .json(&body)
            .accept(is_answer);
        let reply = self.send(&call).await?;
        if reply.status == 409 {
            let doc: ErrorDoc = reply.json().unwrap_or_default();
            let changed = doc
                .current
                .as_ref()
                .and_then(|c| state_of(c).ok())
                .map(|now| {
                    let d = differences(expected, &now);
                    if d.is_empty() {
                        format!("version {} → {}", expected.version, now.version)
                    } else {
                        d.join(", ")
                    }
                })
                .unwrap_or_else(|| "its version moved".to_string());
            return Err(Error::conflict(format!(
                "{} changed in the flag service while this command ran: {changed}",
                self.flag
            ))
            .nothing_changed()
            .with_hint("run `rollout status` to see the new state, then decide again"));
        }
        if !reply.ok() {
            let changed = if reply.status >= 500 {
                Written::Unknown
            } else {
                Written::Nothing
            };
            return Err(self.refusal(&reply, &format!("writing {}", self.flag), &changed));
        }
        let doc: FlagDoc = reply.json().map_err(|e| {
            Error::provider(format!(
                "the flag service answered the change with something that does not follow the protocol ({e})"
            ))
        })?;
        self.remember(&doc);
        let mut state = state_of(&doc)?;
        // The answer says how the write left the flag, but is no proof of it (a proxy can answer
        // for a request it never forwarded): not a read, so the application reads the flag back.
        state.read_at = None;
        let event = EventDoc {
            time: crate::domain::clock::now().unwrap_or_else(|_| chrono::Utc::now()),
            actor: note.actor.clone(),
            summary: note.text.clone(),
            stage: desired.stage.clone(),
            percentage: desired.percentage.as_f64(),
            enabled: desired.on,
            version: doc.version.clone(),
        };
        let posted = self
            .send(&Call::new(Method::POST, self.events_path(None)).json(&event))
            .await;
        let failed = match posted {
            Ok(r) if r.ok() => None,
            Ok(r) => Some(format!("it answered {}: {}", r.status, Self::said(&r))),
            Err(e) => Some(e.message),
        };
        if let (Some(why), Some(out)) = (failed, &self.log) {
            out.warn(&format!(
                "the change is applied, but the flag service did not take its event ({why}); the local journal has it"
            ));
        }
        Ok(state)
    }

    async fn changes(&self, limit: usize) -> Result<Vec<Change>> {
        let reply = self
            .send(&Call::get(self.events_path(Some(limit.max(1)))))
            .await?;
        if !reply.ok() {
            return Err(self.refusal(&reply, "reading the event log", &Written::Nothing));
        }
        let list: EventList = reply.json().map_err(|e| {
            Error::provider(format!(
                "the flag service's event log does not follow the protocol ({e})"
            ))
        })?;
        Ok(list
            .events
            .into_iter()
            .map(|e| {
                let summary = super::printable(&e.summary, 300);
                let actor = super::printable(&e.actor, 80);
                Change {
                    id: e.id,
                    time: e.time,
                    // As rollout's other providers keep it: the change, then who made it.
                    note: Some(format!("{summary} | by {actor}")),
                    actor,
                    kind: "event".to_string(),
                    summary,
                    from: None,
                    to: None,
                    rollout_role: false,
                }
            })
            .collect())
    }

    fn bucketing(&self, _state: &FlagState) -> Result<Bucketing> {
        let declared = self.declared.lock().ok().and_then(|d| d.clone()).flatten();
        let refuse = |why: String| {
            Error::provider(format!(
                "{why}, so rollout cannot tell which users the service serves; it does not guess"
            ))
            .with_hint("have the service declare `bucketing: {algorithm: flagd-fractional}` (or unleash-flexible, launchdarkly) in its flag answer; see docs/http-provider.md")
            .permanent()
        };
        let Some(b) = declared else {
            return Err(refuse(
                "the flag service declares no bucketing for this flag".to_string(),
            ));
        };
        match b.algorithm.as_str() {
            "flagd-fractional" => Ok(Bucketing::Flagd {
                flag_key: b.flag_key.unwrap_or_else(|| self.flag.clone()),
            }),
            "unleash-flexible" => Ok(Bucketing::Unleash {
                group_id: b.group_id.unwrap_or_else(|| self.flag.clone()),
            }),
            "launchdarkly" => match b.salt {
                Some(salt) => Ok(Bucketing::LaunchDarkly {
                    flag_key: b.flag_key.unwrap_or_else(|| self.flag.clone()),
                    salt,
                    seed: b.seed,
                    on_first: true,
                }),
                None => Err(refuse(
                    "the flag service declares launchdarkly bucketing without its salt".to_string(),
                )),
            },
            other => Err(refuse(format!(
                "the flag service buckets users by `{}`, an algorithm rollout does not know",
                super::printable(other, 60)
            ))),
        }
    }
}
