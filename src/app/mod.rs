//! Application: decide (pure), apply (intent, write, read-back, journal, notify), the watch loop and the checklist runner.

pub mod checklist;
pub mod context;
pub mod engine;
pub mod intent;
