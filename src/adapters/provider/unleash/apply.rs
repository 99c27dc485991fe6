//! The write step of a guarded write: a write's requests sent in order, each guarded, and what
//! each answer means for the run.

use reqwest::Method;
use serde_json::Value;

use super::client::Reply;
use super::mapping::{Role, Step};
use super::write::{settle, Run};
use super::{Desired, Note, UnleashProvider};
use crate::domain::error::Result;

/// What Unleash's answer to one request leaves the write with.
enum Answer {
    /// The request was applied.
    Applied,
    /// Nothing was applied: a concurrent run had made this very change (the detail says so).
    AlreadyDone(String),
}

impl UnleashProvider {
    /// Sends `steps` in order, each guarded; what was done goes into `run`.
    pub(super) async fn apply_steps(
        &self,
        steps: &[Step],
        desired: &Desired,
        note: &Note,
        run: &mut Run,
    ) -> Result<()> {
        for (i, step) in steps.iter().enumerate() {
            let reply = self.send_step(step, run).await?;
            let what = describe_step(step, desired);
            if let Answer::AlreadyDone(detail) = self.answer(step, &reply, &what, run).await? {
                run.details.push(detail);
                continue;
            }
            if let Step::Create { role, .. } = step {
                // The last strategy written before the environment goes on: the read-back
                // after the write shows a concurrent creator's copy as well as a read now
                // would, so the check waits for it (one request fewer).
                let last = desired.on && steps[i + 1..].iter().all(|s| matches!(s, Step::On));
                self.after_create(*role, &reply.body, &what, last, run)
                    .await?;
            }
            run.done.push(what);
            if let Step::Patch {
                role: Role::Rollout,
                id,
                wanted,
                ..
            } = step
            {
                self.after_rollout_patch(id, wanted, steps.len() > 1, note, run)
                    .await?;
            }
        }
        Ok(())
    }

    /// Sends one step (turning the environment off hedged, like kill's read). A request that
    /// never got an answer says what this run had written before it.
    async fn send_step(&self, step: &Step, run: &Run) -> Result<Reply> {
        let req = self.request_of(step);
        let path = req
            .url
            .strip_prefix(self.client.base())
            .unwrap_or(&req.url)
            .to_string();
        let method = Method::from_bytes(req.method.as_bytes()).unwrap_or(Method::POST);
        let sent = if matches!(step, Step::Off) {
            self.client
                .send_hedged(method, &path, req.body.as_ref())
                .await
        } else {
            self.client.send(method, &path, req.body.as_ref()).await
        };
        sent.map_err(|mut e| {
            if !run.done.is_empty() {
                e.message = format!("{} (before it, {})", e.message, run.written());
                e.written = run.written();
            }
            e
        })
    }

    /// What Unleash's answer to `step` (`what`, in words) means: applied, made already by a
    /// concurrent run, or an error (a failed guard or a strategy deleted since the read is a
    /// conflict).
    async fn answer(&self, step: &Step, reply: &Reply, what: &str, run: &Run) -> Result<Answer> {
        if reply.is_test_failure() {
            if let Step::Patch {
                role, id, wanted, ..
            } = step
            {
                // Someone else may have made this very change (a racing advance): fine.
                if *role != Role::Rollout && self.already(id, wanted).await {
                    return Ok(Answer::AlreadyDone(format!(
                        "{} was already changed by a concurrent run",
                        role.name()
                    )));
                }
            }
            return Err(self.conflict(what, &run.written()).await);
        }
        if let (404, Step::Delete { role, .. }) = (reply.status, step) {
            // Removed a moment ago by a concurrent run making the same change.
            return Ok(Answer::AlreadyDone(format!(
                "the {} strategy was already removed by a concurrent run",
                role.name()
            )));
        }
        if reply.status == 404 && matches!(step, Step::Patch { .. }) {
            // The strategy read a moment ago is gone: someone deleted it.
            return Err(self.conflict(what, &run.written()).await);
        }
        if !reply.ok() {
            return Err(if reply.status == 404 {
                self.not_found(reply).await
            } else {
                self.client.refusal(reply, what, &run.written())
            });
        }
        Ok(Answer::Applied)
    }

    /// After creating a `role` strategy: the `last` one written is checked for a concurrent
    /// creator's copy on the read-back; any other now ([`Self::keep_oldest`]).
    async fn after_create(
        &self,
        role: Role,
        created: &Value,
        what: &str,
        last: bool,
        run: &mut Run,
    ) -> Result<()> {
        if last {
            run.created.push((role, created.clone(), what.to_string()));
        } else if let Some(d) = self.keep_oldest(role, created, what, &run.done).await? {
            run.details.push(d);
        }
        Ok(())
    }

    /// After patching the rollout strategy `id` to `wanted`, with `more` requests to follow.
    /// Unleash checks a patch's `test` and applies it separately: a run moving the other way
    /// from the same value may have passed too, and the last write stands. The loser stops
    /// here, before touching the audience, so the flag is never left half one stage, half
    /// another.
    async fn after_rollout_patch(
        &self,
        id: &str,
        wanted: &Value,
        more: bool,
        note: &Note,
        run: &mut Run,
    ) -> Result<()> {
        run.rollout_patched = true;
        if !more {
            return Ok(());
        }
        settle().await;
        run.checked = true;
        if let Some(now) = self.rollout_now(id).await {
            if &now != wanted {
                return Err(self
                    .changed_under(
                        &[format!(
                            "another run moved the rollout to {now} at the same moment, after this run's change"
                        )],
                        note,
                        &run.written(),
                    )
                    .await);
            }
        }
        Ok(())
    }
}

/// A step in words, for messages and the journal.
fn describe_step(step: &Step, desired: &Desired) -> String {
    match step {
        Step::Patch {
            role: Role::Rollout,
            ..
        }
        | Step::Create {
            role: Role::Rollout,
            ..
        } => {
            format!("setting the rollout to {}", desired.percentage)
        }
        Step::Patch { role, .. } | Step::Create { role, .. } => {
            format!("setting the {}", role.name())
        }
        Step::Delete { role, .. } => format!("removing the {} strategy", role.name()),
        Step::On => "turning the environment on".to_string(),
        Step::Off => "turning the environment off".to_string(),
    }
}
