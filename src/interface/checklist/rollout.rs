//! The stage engine for a checklist's `rollout:` tasks, run with the options of the `checklist`
//! command line (`-C`, `--dry-run`, `--yes`, the provider flags) against the project's
//! stages.yaml.

use std::path::PathBuf;

use crate::app::checklist::rollout::RolloutTasks;
use crate::app::checklist::rollout_task;
use crate::domain::checklist::task::RolloutCommand;
use crate::domain::error::{Error, Result};
use crate::interface::cli::global_args::GlobalArgs;

/// The engine as the `checklist` command line sets it up: its options, and the project directory.
pub struct Engine<'a> {
    pub args: &'a GlobalArgs,
    pub dir: PathBuf,
}

#[async_trait::async_trait(?Send)]
impl RolloutTasks for Engine<'_> {
    async fn run(&self, cmd: &RolloutCommand) -> Result<Vec<String>> {
        rollout_task::run(cmd, &self.args.into(), &self.dir).await
    }

    async fn refusal(&self, cmd: &RolloutCommand) -> Option<Error> {
        rollout_task::refusal(cmd, &self.args.into(), &self.dir).await
    }
}
