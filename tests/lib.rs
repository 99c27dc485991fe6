//! One integration test binary over the real `rollout` and `checklist` binaries.

mod fault_proxy;
mod http_ref_server;
mod http_server;
mod ld_server;
mod pty;
mod test;
mod webhook;

mod bounded_answers;
mod completions;
mod config_fuzz;
mod duration_limits;
mod exposure_vectors;
mod file_provider_crash;
mod file_provider_faults;
mod file_provider_unmanaged;
mod flagd_parity;
mod history_tail;
mod hostile_input;
mod http_provider_commands;
mod interrupt_write;
mod journal_bounds;
mod json_schemas;
mod launchdarkly_commands;
mod man_pages;
mod no_child_process;
mod pinned_clock;
mod preview_stream;
mod provider_config;
mod rollout_commands;
mod rollout_concurrency;
mod rollout_config_errors;
mod rollout_notify_secrets;
mod rollout_terminal;
mod schema_files;
mod secrets_everywhere;
mod snapshots;
mod state_commands;
mod state_git;
mod state_local;
mod truthful_writes;
mod validate_both;

mod checklist_broken;
mod checklist_commands;
mod checklist_help;
mod checklist_history;
mod checklist_interrupt;
mod checklist_output;
mod checklist_preflight;
mod checklist_prompts;
mod checklist_repo;
mod checklist_reports;
mod checklist_resume;
mod checklist_secrets;
mod checklist_services;
mod checklist_shell;
mod checklist_spawn;
mod checklist_support;
mod checklist_terminal;

mod gates_datadog;
mod gates_prometheus;
mod gates_sources;
mod gates_support;
mod gates_watch;
mod state_lease;
mod watch_once;

mod unleash_checklist;
mod unleash_commands;
mod unleash_concurrency;
mod unleash_errors;
mod unleash_faults;
mod unleash_gates;
mod unleash_guards;
mod unleash_parity;
mod unleash_server;

mod stats_plan_power;
mod stats_simulation;

mod compare_gates;

mod state_postgres;
mod team_faults;
mod team_state;
mod team_watch;
