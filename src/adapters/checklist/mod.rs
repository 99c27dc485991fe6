//! `checklist` on the machine: the task processes (their process groups, output and logs) and
//! the run state under `.rollout/checklists/` that `--resume` continues from.

pub mod process;
pub mod shell;
pub mod signals;
pub mod spawn;
pub mod state;
