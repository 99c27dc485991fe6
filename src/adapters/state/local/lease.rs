//! Leases of the local store: `.rollout/leases.json`, read and replaced (atomically, see
//! [`crate::adapters::atomic_write`]) while holding an exclusive lock on `.rollout/leases.lock`,
//! so two processes of this checkout never grant the same lease.
//!
//! The file keeps, per scope, the newest lease granted (released or expired ones included): its
//! token is the scope's highest, so the next grant's token is larger even after a release, and a
//! fenced append compares against it ([`current`]). Times are this machine's clock.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::config::STATE_DIR;
use crate::domain::error::{Error, Result};
use crate::ports::state::{Lease, Leased, Scope};

pub const LEASES_FILE: &str = "leases.json";
const LOCK_FILE: &str = "leases.lock";

/// `.rollout/leases.json` as written.
#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    /// The newest grant of each scope.
    #[serde(default)]
    leases: Vec<Granted>,
}

/// The newest lease granted on a scope, and whether it was given up since.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Granted {
    #[serde(flatten)]
    lease: Lease,
    #[serde(default)]
    released: bool,
}

impl Granted {
    fn live(&self, now: DateTime<Utc>) -> bool {
        !self.released && self.lease.expires > now
    }
}

#[must_use]
pub fn path(dir: &Path) -> PathBuf {
    dir.join(STATE_DIR).join(LEASES_FILE)
}

/// Takes or renews the lease on `scope` for `holder` for `ttl` from now.
pub fn take(dir: &Path, scope: &Scope, holder: &str, ttl: Duration) -> Result<Leased> {
    take_at(dir, scope, holder, ttl, Utc::now())
}

/// [`take`] at `now`: the holder's live lease is renewed (same token, new expiry); another
/// holder's live lease is busy; otherwise a new lease with the scope's next token.
fn take_at(
    dir: &Path,
    scope: &Scope,
    holder: &str,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<Leased> {
    let expires = crate::domain::clock::after(now, ttl);
    changing(dir, |file| {
        let slot = file.leases.iter_mut().find(|g| &g.lease.scope == scope);
        let answer = match slot {
            Some(g) if g.live(now) && g.lease.holder != holder => {
                return (false, Leased::Busy(g.lease.clone()));
            }
            Some(g) if g.live(now) => {
                g.lease.expires = expires;
                g.lease.clone()
            }
            Some(g) => {
                g.lease = Lease {
                    scope: scope.clone(),
                    holder: holder.to_string(),
                    token: g.lease.token + 1,
                    expires,
                };
                g.released = false;
                g.lease.clone()
            }
            None => {
                let lease = Lease {
                    scope: scope.clone(),
                    holder: holder.to_string(),
                    token: 1,
                    expires,
                };
                file.leases.push(Granted {
                    lease: lease.clone(),
                    released: false,
                });
                lease
            }
        };
        (true, Leased::Held(answer))
    })
}

/// Gives `lease` up (nothing when a newer lease was granted on its scope since).
pub fn give_up(dir: &Path, lease: &Lease) -> Result<()> {
    changing(dir, |file| {
        let slot = file
            .leases
            .iter_mut()
            .find(|g| g.lease.scope == lease.scope);
        match slot {
            Some(g) if g.lease.token == lease.token && !g.released => {
                g.released = true;
                (true, ())
            }
            _ => (false, ()),
        }
    })
}

/// The newest lease granted on `scope` (expired or given up too): what a fenced append checks
/// its token against. None when none was ever granted.
pub fn current(dir: &Path, scope: &Scope) -> Result<Option<Lease>> {
    let file = read(&path(dir))?;
    Ok(file
        .leases
        .into_iter()
        .find(|g| &g.lease.scope == scope)
        .map(|g| g.lease))
}

/// The leases not yet expired nor given up (`rollout state status`).
pub fn live(dir: &Path) -> Result<Vec<Lease>> {
    let now = Utc::now();
    let file = read(&path(dir))?;
    Ok(file
        .leases
        .into_iter()
        .filter(|g| g.live(now))
        .map(|g| g.lease)
        .collect())
}

/// Runs `change` on the file under the lock; writes it back when `change` says it changed it.
fn changing<T>(dir: &Path, change: impl FnOnce(&mut File) -> (bool, T)) -> Result<T> {
    let file = path(dir);
    let lock_path = dir.join(STATE_DIR).join(LOCK_FILE);
    let fail = |e: std::io::Error, what: &Path| {
        Error::failed(format!(
            "could not change the leases {}: {e}",
            what.display()
        ))
        .with_hint("check that .rollout/ is writable")
    };
    std::fs::create_dir_all(dir.join(STATE_DIR)).map_err(|e| fail(e, &lock_path))?;
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| fail(e, &lock_path))?;
    lock.lock().map_err(|e| fail(e, &lock_path))?;
    clean_stale_temps(&file);
    let mut leases = read(&file)?;
    let (changed, answer) = change(&mut leases);
    if changed {
        let mut bytes = serde_json::to_vec_pretty(&leases)
            .map_err(|e| Error::failed(format!("could not encode the leases: {e}")))?;
        bytes.push(b'\n');
        crate::adapters::atomic_write::replace(&file, &bytes).map_err(|e| fail(e, &file))?;
    }
    // Dropping the file unlocks it too; unlocking first lets the next taker in sooner.
    let _ = lock.unlock();
    Ok(answer)
}

/// Removes the temp files of `file` that writers killed mid-write left (under the lock, no
/// other writer's temp file exists).
fn clean_stale_temps(file: &Path) {
    let prefix = crate::adapters::atomic_write::temp_prefix(file);
    let Ok(entries) = std::fs::read_dir(file.parent().unwrap_or(Path::new("."))) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&prefix)
            && name.ends_with(".tmp")
            && entry.file_type().is_ok_and(|t| t.is_file())
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The leases file, empty when there is none yet.
fn read(file: &Path) -> Result<File> {
    match std::fs::read(file) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            Error::usage(format!("{} is not a leases file: {e}", file.display())).with_hint(
                "it holds only leases that expire: remove it when no rollout or watch runs here",
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(File::default()),
        Err(e) => Err(Error::failed(format!(
            "could not read the leases {}: {e}",
            file.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(flag: &str) -> Scope {
        Scope {
            flag: flag.into(),
            environment: "production".into(),
        }
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    const TTL: Duration = Duration::from_secs(30);

    fn held(l: Leased) -> Lease {
        match l {
            Leased::Held(l) => l,
            Leased::Busy(l) => panic!("busy: {l:?}"),
        }
    }

    #[test]
    fn a_lease_is_busy_for_another_holder_until_it_expires_then_the_next_gets_a_larger_token() {
        let dir = tempfile::tempdir().unwrap();
        let (d, s) = (dir.path(), scope("f"));
        let a = held(take_at(d, &s, "alice", TTL, at(0)).unwrap());
        assert_eq!((a.token, a.expires), (1, at(30)));
        assert_eq!(
            take_at(d, &s, "bob", TTL, at(29)).unwrap(),
            Leased::Busy(a.clone())
        );
        let b = held(take_at(d, &s, "bob", TTL, at(30)).unwrap());
        assert_eq!((b.holder.as_str(), b.token, b.expires), ("bob", 2, at(60)));
        assert_eq!(current(d, &s).unwrap(), Some(b));
    }

    #[test]
    fn the_holder_renews_with_the_same_token_and_a_later_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let (d, s) = (dir.path(), scope("f"));
        let a = held(take_at(d, &s, "alice", TTL, at(0)).unwrap());
        let renewed = held(take_at(d, &s, "alice", TTL, at(10)).unwrap());
        assert_eq!((renewed.token, renewed.expires), (a.token, at(40)));
        assert!(matches!(
            take_at(d, &s, "bob", TTL, at(35)).unwrap(),
            Leased::Busy(_)
        ));
    }

    #[test]
    fn a_token_is_never_granted_twice_even_after_a_release_or_to_the_same_holder() {
        let dir = tempfile::tempdir().unwrap();
        let (d, s) = (dir.path(), scope("f"));
        let a = held(take_at(d, &s, "alice", TTL, at(0)).unwrap());
        give_up(d, &a).unwrap();
        // Released: another holder takes it at once, with a larger token.
        let b = held(take_at(d, &s, "bob", TTL, at(1)).unwrap());
        assert_eq!(b.token, 2);
        // Alice's stale release does not free Bob's lease.
        give_up(d, &a).unwrap();
        assert!(matches!(
            take_at(d, &s, "alice", TTL, at(2)).unwrap(),
            Leased::Busy(_)
        ));
        // Bob's own lease, expired, then taken again by him: a new grant, a new token.
        let again = held(take_at(d, &s, "bob", TTL, at(100)).unwrap());
        assert_eq!(again.token, 3);
        // The released lease stays the newest granted for fencing.
        give_up(d, &again).unwrap();
        assert_eq!(current(d, &s).unwrap().map(|l| l.token), Some(3));
        assert_eq!(live(d).unwrap(), Vec::new());
    }

    #[test]
    fn scopes_are_leased_apart() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let f = held(take_at(d, &scope("f"), "alice", TTL, at(0)).unwrap());
        let g = held(take_at(d, &scope("g"), "bob", TTL, at(0)).unwrap());
        assert_eq!((f.token, g.token), (1, 1));
        let staging = Scope {
            flag: "f".into(),
            environment: "staging".into(),
        };
        assert!(matches!(
            take_at(d, &staging, "bob", TTL, at(0)).unwrap(),
            Leased::Held(_)
        ));
        assert_eq!(current(d, &scope("h")).unwrap(), None);
    }

    #[test]
    fn concurrent_takers_of_one_scope_get_one_lease() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_path_buf();
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let d = d.clone();
                std::thread::spawn(move || take(&d, &scope("f"), &format!("h{i}"), TTL).unwrap())
            })
            .collect();
        let held = threads
            .into_iter()
            .map(|t| t.join().unwrap())
            .filter(|l| matches!(l, Leased::Held(_)))
            .count();
        assert_eq!(held, 1);
        assert_eq!(current(&d, &scope("f")).unwrap().map(|l| l.token), Some(1));
    }

    #[test]
    fn temp_files_a_killed_writer_left_are_removed_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join(STATE_DIR)).unwrap();
        let stale = d.join(STATE_DIR).join(".leases.json-abc123.tmp");
        std::fs::write(&stale, "{").unwrap();
        take(d, &scope("f"), "alice", TTL).unwrap();
        assert!(!stale.exists());
    }

    #[test]
    fn a_damaged_leases_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(STATE_DIR)).unwrap();
        std::fs::write(path(dir.path()), "{not json").unwrap();
        let e = take(dir.path(), &scope("f"), "alice", TTL).unwrap_err();
        assert!(e.message.contains("is not a leases file"), "{}", e.message);
    }
}
