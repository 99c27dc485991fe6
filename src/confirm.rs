//! Asking a person before a change that deserves a second look.

use crate::error::{Error, Result};

/// Asks `question` on the terminal; `--yes` answers for scripts. With no terminal and no `--yes`,
/// fails naming `--yes` (exit 2), since nobody is there to answer.
pub fn confirm(question: &str, yes: bool) -> Result<()> {
    if yes {
        return Ok(());
    }
    let term = console::Term::stderr();
    if !term.is_term() || !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(Error::usage(format!(
            "{question} needs confirmation, and there is no terminal to ask"
        ))
        .with_hint("pass --yes to confirm from a script or CI"));
    }
    let _ = term.write_str(&format!("{question} [y/N] "));
    let answer = term
        .read_line()
        .map_err(|e| Error::usage(format!("could not read an answer: {e}")))?;
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(Error::failed("not confirmed; nothing was changed")),
    }
}
