//! A spinner for slow reads: when stderr can animate and a wait passes one second, indicatif
//! draws "reading gates…" on stderr until it ends, then clears it. Not on a terminal, on CI,
//! under `-q` or `-v` (whose lines would break it): nothing is drawn and nothing changes.

use std::future::Future;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::interface::output::Output;

/// How long a wait stays silent before the spinner shows.
const QUIET_FOR: Duration = Duration::from_secs(1);

/// Clears the spinner however the wait ends (done, an error, an interrupt).
struct Spinner(ProgressBar);

impl Drop for Spinner {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// Awaits `wait`; past one second on a terminal, with a spinner saying `what`.
pub async fn spin<F: Future>(out: &Output, what: &str, wait: F) -> F::Output {
    if !out.animate || out.quiet || out.verbose {
        return wait.await;
    }
    tokio::pin!(wait);
    tokio::select! {
        done = &mut wait => return done,
        () = tokio::time::sleep(QUIET_FOR) => {}
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    bar.enable_steady_tick(Duration::from_millis(100));
    let _spinner = Spinner(bar);
    wait.await
}
