//! Reading the flag's environment, and the errors that say which name (project, flag,
//! environment) is wrong when Unleash does not have it.

use reqwest::Method;
use serde_json::Value;

use super::client::Reply;
use super::{enc, UnleashProvider};
use crate::domain::error::{Error, Result, Written};

impl UnleashProvider {
    /// The flag's environment entry, or the error that says which name is wrong.
    pub(super) async fn read_env(&self) -> Result<Value> {
        self.read_env_with(false).await
    }

    /// `hedged`: for kill (see [`super::client::Client::send_hedged`]).
    pub(super) async fn read_env_with(&self, hedged: bool) -> Result<Value> {
        let reply = if hedged {
            self.client
                .send_hedged(Method::GET, &self.feature_path(), None)
                .await?
        } else {
            self.client
                .send(Method::GET, &self.feature_path(), None)
                .await?
        };
        if reply.status == 404 {
            return Err(self.not_found(&reply).await);
        }
        if !reply.ok() {
            return Err(self.client.refusal(
                &reply,
                &format!("reading {}", self.flag),
                &Written::Nothing,
            ));
        }
        let Some(envs) = reply
            .body
            .get("environments")
            .and_then(Value::as_array)
            .cloned()
        else {
            // A proxy's HTML page with a 200, a truncated body: an answer that says nothing
            // about the flag. Not permanent: kill reads again.
            return Err(Error::provider(format!(
                "Unleash answered {} to reading {} with something that is not the flag ({})",
                reply.status,
                self.flag,
                excerpt(&reply.body)
            ))
            .nothing_changed()
            .with_hint("check that the URL points at Unleash itself, not a login page or proxy"));
        };
        match envs
            .iter()
            .find(|e| e.get("name").and_then(Value::as_str) == Some(&self.environment))
        {
            Some(env) => Ok(env.clone()),
            None => {
                let names: Vec<&str> = envs
                    .iter()
                    .filter_map(|e| e.get("name").and_then(Value::as_str))
                    .collect();
                Err(Error::provider(format!(
                    "{} in project {} has no environment `{}` in Unleash; it has: {}",
                    self.flag,
                    self.project,
                    self.environment,
                    if names.is_empty() { "none".to_string() } else { names.join(", ") }
                ))
.nothing_changed()
                .with_hint(
                    "set `environment:` under `provider:` (or pass --env) to one of those, or add the environment to the project in Unleash",
                )
                .permanent())
            }
        }
    }

    /// A 404 for the flag: an unknown project, or an unknown flag with the similar ones listed.
    pub(super) async fn not_found(&self, reply: &Reply) -> Error {
        let said = reply.message();
        if let Ok(r) = self
            .client
            .send(Method::GET, "/api/admin/projects", None)
            .await
        {
            let ids: Vec<String> = r
                .body
                .get("projects")
                .and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .filter_map(|p| p.get("id").and_then(Value::as_str))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            if r.ok() && !ids.is_empty() && !ids.contains(&self.project) {
                return Error::provider(format!(
                    "Unleash has no project `{}`; its projects are: {}",
                    self.project,
                    ids.join(", ")
                ))
                .nothing_changed()
                .with_hint("set `project:` under `provider:` in stages.yaml to one of them")
                .permanent();
            }
        }
        let mut similar = Vec::new();
        let list_path = format!("/api/admin/projects/{}/features", enc(&self.project));
        if let Ok(r) = self.client.send(Method::GET, &list_path, None).await {
            let mut scored: Vec<(f64, String)> = r
                .body
                .get("features")
                .and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .filter_map(|f| f.get("name").and_then(Value::as_str))
                        .map(|n| (strsim::jaro_winkler(n, &self.flag), n.to_string()))
                        .filter(|(score, _)| *score > 0.75)
                        .collect()
                })
                .unwrap_or_default();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            similar = scored.into_iter().take(5).map(|(_, n)| n).collect();
        }
        let listed = if similar.is_empty() {
            String::new()
        } else {
            format!("; similar flags: {}", similar.join(", "))
        };
        Error::provider(format!(
            "Unleash has no flag `{}` in project {} ({said}){listed}",
            self.flag, self.project
        ))
.nothing_changed()
        .with_hint(format!(
            "fix `flag:` in stages.yaml, or create the flag in Unleash first (UI, or POST {} {{\"name\": \"{}\"}}); rollout never creates flags, so a typo cannot start a flag no app reads",
            self.client.url(&list_path),
            self.flag
        ))
        .permanent()
    }
}

/// A body for a message: at most 80 characters on one line.
fn excerpt(body: &Value) -> String {
    let text = match body {
        Value::Null => return "an empty body".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 80 {
        format!("{}…", one.chars().take(80).collect::<String>())
    } else {
        one
    }
}
