//! Ctrl-C and SIGTERM for `rollout`. Outside a change they stop the run at once (exit 130).
//! While a change is being made (from its intent record to its notifications, see `intent`), the
//! change's own code answers the first one, and the run stops only at the second; during the
//! provider write itself the write path answers both.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use tokio::sync::watch;

/// How many signals came so far, once [`listen`] runs.
static SIGNALS: OnceLock<watch::Receiver<u32>> = OnceLock::new();
/// Changes in flight (a [`ChangeGuard`] each), and the signal count when the first began.
static CHANGES: AtomicUsize = AtomicUsize::new(0);
static CHANGE_SINCE: AtomicU32 = AtomicU32::new(0);
/// The provider write is in flight: its own code answers every signal.
static IN_WRITE: AtomicBool = AtomicBool::new(false);
/// What the change in flight has done so far, for the message of a run stopped mid-change.
static DONE_SO_FAR: Mutex<Option<String>> = Mutex::new(None);

/// Starts counting SIGINT and SIGTERM (inside the runtime). Without it, nothing here ever fires
/// and the signals keep their default action (as in `checklist`, which handles its own).
pub fn listen() -> std::io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    let (tx, rx) = watch::channel(0u32);
    if SIGNALS.set(rx).is_err() {
        return Ok(());
    }
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            tx.send_modify(|n| *n += 1);
        }
    });
    Ok(())
}

/// Signals received so far.
#[must_use]
pub fn count() -> u32 {
    SIGNALS.get().map_or(0, |rx| *rx.borrow())
}

/// Resolves once more than `seen` signals have come, counting one more as seen (several quick
/// ones resolve one call each). Never resolves without [`listen`].
pub async fn next(seen: &mut u32) {
    let Some(rx) = SIGNALS.get() else {
        return std::future::pending().await;
    };
    let mut rx = rx.clone();
    loop {
        if *rx.borrow_and_update() > *seen {
            *seen += 1;
            return;
        }
        if rx.changed().await.is_err() {
            return std::future::pending().await;
        }
    }
}

/// Resolves at a signal that should stop the run now: any signal outside a change, a second one
/// after a change's provider write. The message says what the change in flight had done.
pub async fn stop_requested() -> String {
    let mut seen = count();
    loop {
        next(&mut seen).await;
        if CHANGES.load(Ordering::SeqCst) == 0 {
            return "interrupted".to_string();
        }
        let during = seen.saturating_sub(CHANGE_SINCE.load(Ordering::SeqCst));
        if during >= 2 && !IN_WRITE.load(Ordering::SeqCst) {
            let done = DONE_SO_FAR.lock().ok().and_then(|d| d.clone());
            return match done {
                Some(d) => format!("interrupted twice: {d}; stopped there"),
                None => "interrupted twice; stopped".to_string(),
            };
        }
    }
}

/// Marks a change in flight for as long as it lives.
pub struct ChangeGuard(());

impl ChangeGuard {
    #[must_use]
    pub fn enter() -> ChangeGuard {
        if CHANGES.fetch_add(1, Ordering::SeqCst) == 0 {
            CHANGE_SINCE.store(count(), Ordering::SeqCst);
        }
        ChangeGuard(())
    }

    /// Signals received since the change began.
    #[must_use]
    pub fn signals(&self) -> u32 {
        count().saturating_sub(CHANGE_SINCE.load(Ordering::SeqCst))
    }

    /// The signal count when the change began.
    #[must_use]
    pub fn since(&self) -> u32 {
        CHANGE_SINCE.load(Ordering::SeqCst)
    }

    /// Records what the change has done so far (for the message if the run is stopped).
    pub fn done_so_far(&self, text: &str) {
        if let Ok(mut d) = DONE_SO_FAR.lock() {
            *d = Some(text.to_string());
        }
    }
}

impl Drop for ChangeGuard {
    fn drop(&mut self) {
        CHANGES.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Marks the provider write in flight for as long as it lives.
pub struct WriteGuard(());

impl WriteGuard {
    #[must_use]
    pub fn enter() -> WriteGuard {
        IN_WRITE.store(true, Ordering::SeqCst);
        WriteGuard(())
    }
}

impl Drop for WriteGuard {
    fn drop(&mut self) {
        IN_WRITE.store(false, Ordering::SeqCst);
    }
}
