//! Asking a person before a change that deserves a second look.

use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::app::decide::Question;
use crate::domain::error::{Error, Kind, Result};

/// Asks `question` on the terminal; `--yes` answers for scripts. With no terminal and no `--yes`,
/// fails saying what needed confirming and naming `--yes` (exit 2), since nobody is there to
/// answer.
///
/// The answer is read as a line in the terminal's normal (cooked) mode, so the screen keeps its
/// line endings; Ctrl-D (end of input) declines, and Ctrl-C or SIGTERM stops with exit 130.
pub fn confirm(question: &Question, yes: bool) -> Result<()> {
    if yes {
        return Ok(());
    }
    let term = console::Term::stderr();
    if !term.is_term() || !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(Error::usage(format!(
            "{} needs confirmation, and there is no terminal to ask on",
            question.doing
        ))
        .with_hint("nothing was changed; pass --yes to confirm from a script or CI"));
    }
    match read_answer(&format!("{} [y/N] ", question.text))? {
        Some(answer) if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") => {
            Ok(())
        }
        Some(_) => Err(Error::failed("not confirmed").nothing_changed()),
        None => {
            // Ctrl-D leaves the cursor after the question.
            let _ = writeln!(std::io::stderr());
            Err(Error::failed("not confirmed (end of input)").nothing_changed())
        }
    }
}

/// Shows `prompt`, then reads one line from stdin (`None` at end of input), or an interrupted
/// error on Ctrl-C / SIGTERM (caught from before the prompt is shown).
///
/// The read blocks in a thread of its own while this one watches for the signals: a blocked
/// read is restarted by the kernel after a signal, so it cannot notice one itself.
fn read_answer(prompt: &str) -> Result<Option<String>> {
    let int = Arc::new(AtomicBool::new(false));
    let term = Arc::new(AtomicBool::new(false));
    let ids: Vec<_> = [
        (signal_hook::consts::SIGINT, &int),
        (signal_hook::consts::SIGTERM, &term),
    ]
    .into_iter()
    .filter_map(|(sig, flag)| signal_hook::flag::register(sig, Arc::clone(flag)).ok())
    .collect();
    {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "{prompt}");
        let _ = err.flush();
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::Builder::new()
        .name("confirm".into())
        .spawn(move || {
            let mut line = String::new();
            let read = std::io::stdin().lock().read_line(&mut line);
            let _ = tx.send(read.map(|n| (n > 0).then_some(line)));
        });
    let result = match reader {
        Err(e) => Err(Error::failed(format!("could not read an answer: {e}"))),
        Ok(_) => loop {
            let by = if int.load(Ordering::SeqCst) {
                Some("Ctrl-C")
            } else if term.load(Ordering::SeqCst) {
                Some("SIGTERM")
            } else {
                None
            };
            if let Some(by) = by {
                // The terminal echoed ^C after the question: end that line.
                let _ = writeln!(std::io::stderr());
                break Err(Error::new(
                    Kind::Interrupted,
                    format!("stopped by {by} at the confirmation"),
                )
                .nothing_changed());
            }
            match rx.recv_timeout(Duration::from_millis(20)) {
                Ok(Ok(answer)) => break Ok(answer),
                Ok(Err(e)) => break Err(Error::failed(format!("could not read an answer: {e}"))),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break Ok(None),
            }
        },
    };
    for id in ids {
        signal_hook::low_level::unregister(id);
    }
    result
}
