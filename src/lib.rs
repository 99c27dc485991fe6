//! `rollout`: move a feature flag through named stages with a kill switch, soak times and a
//! journal; and `checklist`: run release checklists. The binaries are thin: each calls one `run`
//! here and exits with the code it returns.

pub mod adapters;
pub mod app;
pub mod domain;
pub mod interface;
pub mod ports;

pub use interface::entry::{run_checklist, run_rollout};
