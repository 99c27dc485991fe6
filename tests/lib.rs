//! One integration test binary over the real `rollout` and `checklist` binaries.

mod pty;
mod test;
mod webhook;

mod completions;
mod config_fuzz;
mod exposure_vectors;
mod flagd_parity;
mod history_tail;
mod no_child_process;
mod preview_stream;
mod rollout_commands;
mod rollout_concurrency;
mod rollout_config_errors;
mod rollout_notify_secrets;
mod rollout_terminal;

mod checklist_broken;
mod checklist_commands;
mod checklist_interrupt;
mod checklist_repo;
mod checklist_reports;
mod checklist_support;
mod checklist_terminal;

mod unleash_checklist;
mod unleash_commands;
mod unleash_concurrency;
mod unleash_errors;
mod unleash_parity;
mod unleash_server;
