//! Ports: the traits and typed values through which the application reaches the outside (providers, metric sources, the journal, the log, the clock).
pub mod log;
pub mod provider;
pub mod state;
