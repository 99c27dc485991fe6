//! Interface: the command lines, the commands (which ask and print), output, confirmations and the --json documents.

pub mod checklist;
pub mod cli;
pub mod commands;
pub mod confirm;
pub mod entry;
pub mod json_out;
pub mod output;
pub mod waiting;
