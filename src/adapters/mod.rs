//! Adapters: each provider, each gate source, the HTTP client, the journal file, webhooks: the outside world behind the ports.

pub mod actor;
pub mod atomic_write;
pub mod checklist;
pub mod gates;
pub mod host;
pub mod http_client;
pub mod interrupt;
pub mod journal;
pub mod journal_tail;
pub mod notify;
pub mod project;
pub mod provider;
pub mod state;
