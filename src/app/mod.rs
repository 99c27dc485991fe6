//! Application: the engine reads the facts, `decide` weighs them (pure), `apply` carries a
//! decision out (intent, write, read-back, journal, notify); the watch loop and the checklist
//! runner drive them.

pub mod apply;
pub mod checklist;
pub mod context;
pub mod decide;
pub mod engine;
pub mod intent;
pub mod lease;
pub mod record;
pub mod watch;
pub mod windows;
