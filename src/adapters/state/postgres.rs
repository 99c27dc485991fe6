//! The PostgreSQL store (docs/team.md). Not written yet: see issue 20.

use crate::domain::error::{Error, Result};
use crate::ports::state::Store;

/// Opens the store whose URL the variable `url_env` holds.
pub fn open(url_env: &str) -> Result<Box<dyn Store>> {
    Err(Error::usage(format!(
        "state kind `postgres` (url from {url_env}) is not available in this build yet"
    )))
}
