//! `checklist`: running the release checklists of `checklists/*.yaml` (the format lives in
//! [`crate::domain::checklist`]).
//!
//! [`preflight`] finds what would stop a run before it starts; [`runner`] runs a plan, sending
//! [`progress`] events to one reporter and asking a person through a [`prompt`]; a `rollout:`
//! task reaches the stage engine through [`rollout`] (the interface gives it the run's options);
//! [`secrets`] registers every secret a run's tasks could print before the first one starts.

pub mod preflight;
pub mod progress;
pub mod prompt;
pub mod rollout;
pub mod rollout_task;
pub mod runner;
pub mod secrets;

/// The task types, where [`rollout_task`] names them.
pub use crate::domain::checklist::task;

pub use secrets::register_secrets;
