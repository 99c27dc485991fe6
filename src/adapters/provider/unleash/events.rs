//! Unleash's event log (`GET /api/admin/search/events`, newest first): who changed the flag and
//! when, so that `status`, soak times and `history` agree on every machine, and a conflict can
//! say who got there first.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::Value;

use super::mapping::{self, Role};
use super::{enc, UnleashProvider};
use crate::adapters::provider::{Change, FlagState};
use crate::domain::config::Percentage;
use crate::domain::error::{Result, Written};

/// The server keeps 1000 as the largest page it honours.
pub const MAX_PAGE: usize = 1000;

fn rollout_of(v: &Value) -> Option<String> {
    v.pointer("/parameters/rollout")
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn pct(text: Option<&str>) -> Option<Percentage> {
    text?
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| *n <= 100)
        .and_then(|n| Percentage::from_weight(n * 1000))
}

fn role_of(v: &Value) -> Option<Role> {
    if v.is_null() {
        return None;
    }
    mapping::Strategy {
        id: String::new(),
        raw: v.clone(),
    }
    .role()
}

/// One event as a [`Change`].
#[must_use]
pub fn change(e: &Value) -> Option<Change> {
    let kind = e.get("type")?.as_str()?.to_string();
    let time = e
        .get("createdAt")
        .and_then(Value::as_str)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())?
        .with_timezone(&Utc);
    let data = e.get("data").unwrap_or(&Value::Null);
    let pre = e.get("preData").unwrap_or(&Value::Null);
    let role = role_of(data).or_else(|| role_of(pre));
    let title_now = data.get("title").and_then(Value::as_str);
    let title_before = pre.get("title").and_then(Value::as_str);
    let (from, to) = (rollout_of(pre), rollout_of(data));
    let summary = match kind.as_str() {
        "feature-environment-disabled" => "environment turned off (killed)".to_string(),
        "feature-environment-enabled" => "environment turned on".to_string(),
        "feature-strategy-add" => match role {
            Some(Role::Rollout) => format!(
                "rollout strategy added at {}%",
                to.clone().unwrap_or_default()
            ),
            Some(r) => format!("{} strategy added: {}", r.name(), values(data)),
            None => format!(
                "strategy {} added",
                data.get("name").and_then(Value::as_str).unwrap_or("?")
            ),
        },
        "feature-strategy-remove" => match role {
            Some(r) => format!("{} strategy removed", r.name()),
            None => "strategy removed".to_string(),
        },
        "feature-strategy-update" => match role {
            Some(Role::Rollout) if from != to => format!(
                "rollout changed {}% → {}%",
                from.clone().unwrap_or_default(),
                to.clone().unwrap_or_default()
            ),
            Some(Role::Rollout) => "rollout strategy edited".to_string(),
            Some(r) => format!("{} changed to {}", r.name(), values(data)),
            None => "strategy edited".to_string(),
        },
        other => other.to_string(),
    };
    // The tool's own change: it rewrites the title with the note on every strategy it touches.
    let note = match kind.as_str() {
        "feature-strategy-add" => title_now.and_then(mapping::note_of_title),
        "feature-strategy-update" if title_now != title_before => {
            title_now.and_then(mapping::note_of_title)
        }
        _ => None,
    };
    let (from_pct, to_pct) = if role == Some(Role::Rollout) {
        (pct(from.as_deref()), pct(to.as_deref()))
    } else {
        (None, None)
    };
    Some(Change {
        id: e.get("id").and_then(Value::as_u64).unwrap_or_default(),
        time,
        actor: e
            .get("createdBy")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_string(),
        kind,
        summary,
        note,
        from: from_pct,
        to: to_pct,
        rollout_role: role == Some(Role::Rollout),
    })
}

fn values(data: &Value) -> String {
    crate::adapters::provider::strings(data.pointer("/constraints/0/values")).join(", ")
}

/// When the rollout reached `current` (newest first in `changes`): the newest change that set it.
#[must_use]
pub fn since(changes: &[Change], current: Percentage) -> Option<DateTime<Utc>> {
    changes
        .iter()
        .find(|c| c.rollout_role && c.to == Some(current) && c.from != Some(current))
        .map(|c| c.time)
}

/// When the environment was last turned off.
#[must_use]
pub fn killed_at(changes: &[Change]) -> Option<DateTime<Utc>> {
    changes
        .iter()
        .find(|c| c.kind == "feature-environment-disabled")
        .map(|c| c.time)
}

impl UnleashProvider {
    /// The flag's changes in this environment, newest first, from Unleash's event log.
    pub async fn changes(&self, limit: usize) -> Result<Vec<Change>> {
        self.events(limit, None).await
    }

    pub(super) async fn events(&self, limit: usize, types: Option<&str>) -> Result<Vec<Change>> {
        Ok(self.events_page(limit, 0, types).await?.0)
    }

    /// One page of the event log, newest first, and how many events the page held.
    pub(super) async fn events_page(
        &self,
        limit: usize,
        offset: usize,
        types: Option<&str>,
    ) -> Result<(Vec<Change>, usize)> {
        let mut path = format!(
            "/api/admin/search/events?feature=IS:{}&project=IS:{}&environment=IS:{}&limit={}",
            enc(&self.flag),
            enc(&self.project),
            enc(&self.environment),
            limit.clamp(1, MAX_PAGE)
        );
        if offset > 0 {
            path.push_str(&format!("&offset={offset}"));
        }
        if let Some(t) = types {
            path.push_str(&format!("&type=IS_ANY_OF:{t}"));
        }
        let reply = self.client.send(Method::GET, &path, None).await?;
        if !reply.ok() {
            return Err(self
                .client
                .refusal(&reply, "reading the event log", &Written::Nothing));
        }
        let raw = reply
            .body
            .get("events")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        Ok((raw.iter().filter_map(change).collect(), raw.len()))
    }

    /// Fills in when the stage started and when the flag was killed, from the event log: only
    /// the event types that say so, a small page at a time, newest first, stopping as soon as
    /// both are known (one request for a flag changed in its last 50 strategy events).
    pub async fn add_times(&self, state: &mut FlagState) -> Result<()> {
        if !state.exists {
            return Ok(());
        }
        const PAGE: usize = 50;
        let types = if state.on {
            "feature-strategy-add,feature-strategy-update"
        } else {
            "feature-strategy-add,feature-strategy-update,feature-environment-disabled"
        };
        let mut changes = Vec::new();
        let mut offset = 0;
        while offset < MAX_PAGE {
            let (page, held) = self.events_page(PAGE, offset, Some(types)).await?;
            changes.extend(page);
            offset += held;
            state.since = since(&changes, state.percentage);
            if !state.on {
                state.killed_at = killed_at(&changes);
            }
            let done = state.since.is_some() && (state.on || state.killed_at.is_some());
            if done || held < PAGE {
                break;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn strategy(rollout: &str, title: &str) -> Value {
        json!({"id": "01A", "name": "flexibleRollout", "title": title, "constraints": [],
               "parameters": {"rollout": rollout, "stickiness": "default", "groupId": "f"}})
    }

    #[test]
    fn events_become_changes_with_the_stage_start_and_the_tool_note() {
        let events = [
            json!({"id": 9, "type": "feature-environment-disabled", "createdBy": "admin",
                   "createdAt": "2026-11-26T07:00:09Z", "data": null, "preData": null}),
            // Someone moved the rollout in the UI: the title is unchanged.
            json!({"id": 8, "type": "feature-strategy-update", "createdBy": "bob",
                   "createdAt": "2026-11-26T07:00:08Z",
                   "data": strategy("30", "rollout stage beta | advance f | by alice"),
                   "preData": strategy("10", "rollout stage beta | advance f | by alice")}),
            json!({"id": 7, "type": "feature-strategy-update", "createdBy": "admin",
                   "createdAt": "2026-11-26T07:00:07Z",
                   "data": strategy("10", "rollout stage beta | advance f | by alice"),
                   "preData": strategy("5", "rollout stage internal | advance f | by alice")}),
        ];
        let changes: Vec<Change> = events.iter().filter_map(change).collect();
        assert_eq!(changes[1].summary, "rollout changed 10% → 30%");
        assert_eq!(changes[1].note, None, "not the tool's change");
        assert_eq!(changes[2].note.as_deref(), Some("advance f | by alice"));
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let pct = |n: u32| Percentage::from_weight(n * 1000).unwrap();
        assert_eq!(since(&changes, pct(30)), Some(at("2026-11-26T07:00:08Z")));
        assert_eq!(since(&changes, pct(10)), Some(at("2026-11-26T07:00:07Z")));
        assert_eq!(since(&changes, pct(50)), None);
        assert_eq!(killed_at(&changes), Some(at("2026-11-26T07:00:09Z")));
    }
}
