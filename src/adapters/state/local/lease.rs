//! Leases of the local store: `.rollout/leases.json`, changed under a file lock.
//! Not written yet: see issue 20.

use std::path::Path;
use std::time::Duration;

use crate::domain::error::{Error, Result};
use crate::ports::state::{Lease, Leased, Scope};

/// Takes or renews the lease on `scope` for `holder`.
pub fn take(dir: &Path, scope: &Scope, holder: &str, ttl: Duration) -> Result<Leased> {
    let _ = (dir, scope, holder, ttl);
    Err(Error::failed("local leases are not written yet"))
}

/// Gives `lease` up.
pub fn give_up(dir: &Path, lease: &Lease) -> Result<()> {
    let _ = (dir, lease);
    Err(Error::failed("local leases are not written yet"))
}

/// The newest lease granted on `scope` (expired or not): what a fenced append checks its
/// token against. None when none was ever granted.
pub fn current(dir: &Path, scope: &Scope) -> Result<Option<Lease>> {
    let _ = (dir, scope);
    Err(Error::failed("local leases are not written yet"))
}
