//! What a write does when another writer got there at the same moment: the checks that tell a
//! racing `rollout` run making the same change from a conflict, and the conflict errors that say
//! who changed the flag.

use reqwest::Method;
use serde_json::Value;

use super::mapping::{self, Layout, Role};
use super::{Change, Desired, Note, UnleashProvider};
use crate::domain::error::{Error, Result, Written};

impl UnleashProvider {
    /// Whether strategy `id` already holds `wanted` (constraint values).
    pub(super) async fn already(&self, id: &str, wanted: &Value) -> bool {
        match self
            .client
            .send(Method::GET, &self.strategy_path(id), None)
            .await
        {
            Ok(r) if r.ok() => r.body.pointer("/constraints/0/values") == Some(wanted),
            _ => false,
        }
    }

    /// After creating a strategy: if a concurrent run created one of the same role, the oldest
    /// stays and this run removes its own copy. The same content is the same change (both runs
    /// report it, and say so); different content is a conflict.
    pub(super) async fn keep_oldest(
        &self,
        role: Role,
        created: &Value,
        what: &str,
        done: &[String],
    ) -> Result<Option<String>> {
        let Ok(env) = self.read_env().await else {
            return Ok(None);
        };
        self.keep_oldest_in(&Layout::from_env(&env), role, created, what, done)
            .await
    }

    /// [`Self::keep_oldest`] on a layout already read.
    pub(super) async fn keep_oldest_in(
        &self,
        layout: &Layout,
        role: Role,
        created: &Value,
        what: &str,
        done: &[String],
    ) -> Result<Option<String>> {
        let id = created
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(kept) = layout.get(role) else {
            return Ok(None);
        };
        if kept.id == id {
            return Ok(None);
        }
        let _ = self
            .client
            .send(Method::DELETE, &self.strategy_path(id), None)
            .await;
        let same = kept.rollout() == created.pointer("/parameters/rollout")
            && kept.raw.pointer("/constraints/0/values")
                == created.pointer("/constraints/0/values");
        if same {
            return Ok(Some(format!(
                "another run created the same {} strategy at the same moment; its copy was kept",
                role.name()
            )));
        }
        // Its own copy removed, this run leaves only what it wrote before.
        let (before, written) = if done.is_empty() {
            ("nothing else was changed".to_string(), Written::Nothing)
        } else {
            let written = Written::Partly(done.to_vec());
            (written.to_string(), written)
        };
        Err(Error::conflict(format!(
            "{} changed at the same moment by another run ({what} raced with strategy {}, which differs); this run removed its own copy; {before}",
            self.flag, kept.id
        ))
        .written(written)
        .with_hint("run `rollout status` to see the new state, then decide again"))
    }

    /// Whether another `rollout` run may have written the audience while this one wrote: it
    /// moved the rollout from the value this run read to another value (a race in the other
    /// direction, which the event log keeps even when overwritten), or it set the value this
    /// run read moments ago, so its audience requests may have landed after this run's read.
    pub(super) async fn raced_other_way(
        &self,
        layout: &Layout,
        desired: &Desired,
        started: chrono::DateTime<chrono::Utc>,
    ) -> bool {
        let Ok(before) = mapping::parse_rollout(
            layout.rollout.as_ref().and_then(mapping::Strategy::rollout),
            &self.flag,
            &self.environment,
        ) else {
            return false;
        };
        let changes = self
            .events(20, Some("feature-strategy-update"))
            .await
            .unwrap_or_default();
        let mut moves = changes.iter().filter(|c| c.rollout_role && c.from != c.to);
        // Newest first: what happened since the change that set the value read, then that one.
        for c in moves.by_ref() {
            if c.to == Some(before) {
                // A run writes its audience within a second of its rollout.
                let recent = started - c.time < chrono::TimeDelta::seconds(2);
                return recent && c.note.is_some();
            }
            if c.from == Some(before) && c.to != Some(desired.percentage) {
                return true;
            }
        }
        false
    }

    /// The rollout value strategy `id` holds now (None when it cannot be read).
    pub(super) async fn rollout_now(&self, id: &str) -> Option<Value> {
        match self
            .client
            .send(Method::GET, &self.strategy_path(id), None)
            .await
        {
            Ok(r) if r.ok() => r.body.pointer("/parameters/rollout").cloned(),
            Ok(r) if r.status == 404 => Some(Value::String("(deleted)".into())),
            _ => None,
        }
    }

    /// A conflict: what changed since this run read the flag, and who changed it (the newest
    /// changes in the event log not made by this run).
    pub(super) async fn changed_under(
        &self,
        diffs: &[String],
        note: &Note,
        changed: &Written,
    ) -> Error {
        let ours = mapping::note_text(note);
        let who: Vec<String> = self
            .events(10, None)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.note.as_deref() != Some(ours.as_str()))
            .take(3)
            .map(|c| {
                format!(
                    "{} by {} at {}",
                    c.summary,
                    c.actor,
                    crate::domain::clock::stamp(c.time)
                )
            })
            .collect();
        let who = if who.is_empty() {
            String::new()
        } else {
            format!("; latest changes in Unleash: {}", who.join(", "))
        };
        Error::conflict(format!(
            "{} changed in Unleash while this command ran: {}{who}; {changed}",
            self.flag,
            diffs.join("; ")
        ))
        .written(changed.clone())
        .with_hint("run `rollout status` to see the new state, then decide again")
    }

    /// A conflict, naming who changed the flag last where the event log says.
    pub(super) async fn conflict(&self, what: &str, changed: &Written) -> Error {
        let last = Change::last_note(self.events(5, None).await.ok(), "Unleash");
        Error::conflict(format!(
            "{} changed in Unleash while this command ran ({what} found a different value than it read){last}; {changed}",
            self.flag
        ))
        .written(changed.clone())
        .with_hint("run `rollout status` to see the new state, then decide again")
    }
}
