//! Secrets, one concern in one place: [`policy`] decides which values are secrets and which URLs may
//! be used (never one holding a secret), and [`redact`] holds the registered secrets and hides them
//! in everything the tool prints, logs or journals. `policy` registers with `redact`; `redact`
//! points at nothing.

pub mod policy;
pub mod redact;
