//! The format of `checklists/NAME.yaml`, as types: the source of
//! `docs/schema/checklist.schema.json`.

#![allow(dead_code)] // Described, never built: `checklist::file` builds the typed values.

use schemars::JsonSchema;

use super::file::{DEFAULT_ALLOW_FAILURE, DEFAULT_PARALLEL, DEFAULT_RETRIES, MAX_RETRIES};
use crate::domain::config::format::{Duration, OneOrMany};

/// A release checklist: `checklist run NAME` runs its tasks in order (docs/checklist.md).
#[derive(JsonSchema)]
#[schemars(title = "checklist", deny_unknown_fields)]
pub struct ChecklistFile {
    /// Shown above the run (default: the file name).
    title: Option<String>,
    description: Option<String>,
    /// The shell of every `run:` task that names none (see the task's `shell`).
    #[schemars(regex(pattern = SHELL_PATTERN), extend("default" = "bash"))]
    shell: Option<String>,
    #[schemars(length(min = 1))]
    tasks: Vec<Task>,
}

/// One task: exactly one of `run`, `manual`, `require_env`, `rollout` or `gate`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Task {
    /// What the task does.
    name: String,
    /// What --only, --skip and --from take (default: a slug of the name).
    #[schemars(regex(pattern = r"^[a-z0-9._-]+$"))]
    id: Option<String>,
    /// A shell script, run in the project directory under `shell`.
    run: Option<String>,
    /// What runs `run`: `bash` (the default: `bash --noprofile --norc -e -o pipefail -c`, so the
    /// task fails at its first failing command or pipeline, and an EXIT trap runs when it is
    /// stopped; `sh -e -c` where there is no bash), `sh` (plain `sh -c`: only the last command's
    /// exit counts), `pwsh` (`pwsh -NoProfile -NonInteractive -Command`), or a command line
    /// holding `{0}`, such as `python3 {0}`, which gets the path of a file holding the script.
    #[schemars(regex(pattern = SHELL_PATTERN), extend("default" = "bash"))]
    shell: Option<String>,
    /// Instructions for a person, who answers done / not done / skip / quit.
    manual: Option<String>,
    /// Passes when every variable named is set and non-empty.
    require_env: Option<OneOrMany>,
    /// advance [STAGE], rollback [STAGE], kill [REASON], resume or status.
    #[schemars(regex(pattern = r"^\s*(advance|rollback|kill|resume|status)(\s|$)"))]
    rollout: Option<String>,
    /// Checks this gate of stages.yaml.
    gate: Option<String>,
    /// How long one attempt may take, for run and rollout tasks (default: no limit).
    timeout: Option<Duration>,
    /// Extra attempts after a failure (run and rollout tasks).
    #[schemars(range(max = MAX_RETRIES), extend("default" = DEFAULT_RETRIES))]
    retries: Option<u32>,
    /// A failure is reported but does not fail the run.
    #[schemars(extend("default" = DEFAULT_ALLOW_FAILURE))]
    allow_failure: Option<bool>,
    /// Runs together with adjacent parallel tasks (not manual ones).
    #[schemars(extend("default" = DEFAULT_PARALLEL))]
    parallel: Option<bool>,
}

/// `bash`, `sh`, `pwsh`, or a command line holding `{0}` (see `super::shell::Shell`).
const SHELL_PATTERN: &str = r"^\s*(bash|sh|pwsh)\s*$|\{0\}";

crate::domain::keys::keys!(ChecklistFile, Task);
