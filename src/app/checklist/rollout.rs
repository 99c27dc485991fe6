//! How a `rollout:` task reaches the stage engine: the runner and the preflight ask a
//! [`RolloutTasks`], which the interface builds from the run's options (`-C`, `--dry-run`,
//! `--yes`, the provider flags), so that the engine runs with the same options as the command.

use crate::domain::checklist::task::RolloutCommand;
use crate::domain::error::{Error, Result};

/// Runs `rollout:` tasks in-process.
#[async_trait::async_trait(?Send)]
pub trait RolloutTasks {
    /// Runs `cmd`; returns the lines it reports (the task's output).
    async fn run(&self, cmd: &RolloutCommand) -> Result<Vec<String>>;

    /// Whether the engine's rules would refuse `cmd` now (`Some`: the refusal, or the
    /// configuration error the task would fail with).
    async fn refusal(&self, cmd: &RolloutCommand) -> Option<Error>;
}
