//! Retrying a write whose push was refused: fetch again, decide again, push again, a bounded
//! number of times; and telling a race (the branch moved) from a remote that refuses the push
//! whatever it holds (a protected branch, a checked-out branch, a hook).

use std::time::Duration;

use super::view::View;
use super::GitStore;
use crate::domain::error::{Error, Result};

/// How many refused pushes in a row one request lives through.
pub const TRIES: u32 = 24;

/// How many refused pushes with the branch unchanged make a refusal that is not a race (a
/// competing push may still be landing when the branch is fetched again).
const STUCK: u32 = 3;

/// One decision on one view of the branch: done, or the push was refused.
pub enum Step<T> {
    Done(T),
    Lost(String),
}

/// The retry state of one write request.
#[derive(Default)]
pub struct Tries {
    force: bool,
    /// The tip the refused push was built on.
    lost_on: Option<Option<String>>,
    stuck: u32,
    why: String,
}

impl Tries {
    /// Before an attempt: the view brought up to date (fetched when it is older than a second,
    /// or after a refusal); answers whether it fetched. An error when pushes keep being
    /// refused while the branch does not move.
    pub async fn start(&mut self, store: &GitStore, view: &mut View) -> Result<bool> {
        let fetched = store.current(view, self.force).await?;
        if let Some(parent) = self.lost_on.take() {
            if parent == view.tip {
                self.stuck += 1;
                if self.stuck >= STUCK {
                    return Err(Error::provider(format!(
                        "{}: the remote refuses the push: {}",
                        store.git.place, self.why
                    ))
                    .with_hint(
                        "the state branch must accept pushes from this machine: not protected, \
                         not checked out in a work tree, no hook refusing it",
                    ));
                }
            }
        }
        Ok(fetched)
    }

    /// The decision was a refusal made on an older fetch: decide again on the remote's tip.
    pub fn stale(&mut self) {
        self.force = true;
    }

    /// The push built on `parent` was refused for `why`: wait a little, then fetch again.
    pub async fn lost(&mut self, attempt: u32, why: String, parent: Option<String>) {
        self.why = why;
        self.force = true;
        self.lost_on = Some(parent);
        back_off(attempt).await;
    }

    /// The error after [`TRIES`] refused pushes.
    #[must_use]
    pub fn gave_up(&self, store: &GitStore) -> Error {
        Error::provider(format!(
            "{}: the remote refused {TRIES} pushes in a row (last: {})",
            store.git.place, self.why
        ))
        .with_hint("many machines are writing at once: try again")
    }
}

/// A short random pause before retrying after a refused push, growing with `attempt`, so
/// that racing machines do not collide again in step.
async fn back_off(attempt: u32) {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos())
        ^ std::process::id().wrapping_mul(2_654_435_761);
    let span = 10 + 15 * u64::from(attempt.min(10));
    tokio::time::sleep(Duration::from_millis(5 + u64::from(seed) % span)).await;
}
