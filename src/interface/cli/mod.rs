//! The command lines of both binaries: [`rollout`] and [`checklist`], with the flags they share
//! ([`global_args`]). The commands they name live in `crate::interface::commands`.

pub mod checklist;
pub mod global_args;
pub mod plan_args;
pub mod rollout;

pub use checklist::{ChecklistCli, ChecklistCommand, RunArgs};
pub use global_args::GlobalArgs;
pub use rollout::{Cli, Command, ForceArgs, StateCommand, WatchArgs};

/// Adds "a similar subcommand exists" to an unknown-subcommand error when clap found none: its
/// own test misses short typos (`checklist rn`), so one typing slip (a letter missing, extra,
/// wrong or swapped) also counts.
#[must_use]
pub fn suggest_subcommand(mut err: clap::Error, cmd: &clap::Command) -> clap::Error {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if err.kind() != ErrorKind::InvalidSubcommand
        || err.get(ContextKind::SuggestedSubcommand).is_some()
    {
        return err;
    }
    let Some(ContextValue::String(typed)) = err.get(ContextKind::InvalidSubcommand) else {
        return err;
    };
    let best = cmd
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| {
            (
                strsim::damerau_levenshtein(typed, c.get_name()),
                c.get_name(),
            )
        })
        .filter(|(d, name)| *d <= 1 + name.len() / 4)
        .min_by_key(|(d, _)| *d)
        .map(|(_, name)| name.to_string());
    if let Some(name) = best {
        err.insert(ContextKind::SuggestedSubcommand, ContextValue::String(name));
    }
    err
}
