//! Format and domain: the file formats, the rules, statistics and bucketing. No I/O of its own beyond reading the files it is given; points at nothing above it.

pub mod checklist;
pub mod clock;
pub mod config;
pub mod diagnostic;
pub mod env_vars;
pub mod error;
pub mod event;
pub mod exposure;
pub mod gates;
pub mod keys;
pub mod rules;
pub mod sanitize;
pub mod schema;
pub mod secrets;
pub mod stats;
pub mod windows;
pub mod yaml;
pub mod yaml_reader;
