//! A manual task on a terminal: the instructions, then done / not done / skip / quit.

use std::io::{BufRead, Write};

pub use crate::app::checklist::prompt::Answer;

/// Parses an answer: the word or its first letter, any case. `None` asks again.
#[must_use]
pub fn parse_answer(text: &str) -> Option<Answer> {
    match text.trim().to_ascii_lowercase().as_str() {
        "d" | "done" | "y" | "yes" => Some(Answer::Done),
        "n" | "not done" | "no" => Some(Answer::NotDone),
        "s" | "skip" => Some(Answer::Skip),
        "q" | "quit" => Some(Answer::Quit),
        _ => None,
    }
}

/// Whether a person can be asked: stdin and stderr are terminals and `CI` is not set.
#[must_use]
pub fn can_ask() -> bool {
    use std::io::IsTerminal;
    !crate::domain::env_vars::is_ci()
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal()
}

/// Manual tasks asked on this terminal; `color` paints the question (stderr's colour policy).
pub struct OnTerminal {
    pub color: bool,
}

impl crate::app::checklist::prompt::Prompt for OnTerminal {
    fn ask(&self, name: &str, id: &str, instructions: &str) -> std::io::Result<Answer> {
        ask(name, id, instructions, self.color)
    }

    fn cut_short(&self) {
        let _ = writeln!(std::io::stderr());
    }
}

/// Asks on stderr and reads the answer from stdin (blocking: run it off the async runtime).
/// End of input counts as quit.
pub fn ask(name: &str, id: &str, instructions: &str, color: bool) -> std::io::Result<Answer> {
    let bold = |t: &str| {
        if color {
            console::Style::new()
                .bold()
                .force_styling(true)
                .apply_to(t)
                .to_string()
        } else {
            t.to_string()
        }
    };
    let mut err = std::io::stderr().lock();
    writeln!(err, "{} {} [{id}]", bold("?"), bold(name))?;
    for line in instructions.lines() {
        writeln!(err, "  {line}")?;
    }
    drop(err);
    let stdin = std::io::stdin();
    loop {
        {
            let mut err = std::io::stderr().lock();
            write!(err, "  [d]one, [n]ot done, [s]kip, [q]uit? ")?;
            err.flush()?;
        }
        let mut line = String::new();
        if stdin.lock().read_line(&mut line)? == 0 {
            let _ = writeln!(std::io::stderr());
            return Ok(Answer::Quit);
        }
        if let Some(a) = parse_answer(&line) {
            return Ok(a);
        }
        let _ = writeln!(std::io::stderr(), "  please answer d, n, s or q");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        assert_eq!(parse_answer("D\n"), Some(Answer::Done));
        assert_eq!(parse_answer("not done"), Some(Answer::NotDone));
        assert_eq!(parse_answer(" s "), Some(Answer::Skip));
        assert_eq!(parse_answer("quit"), Some(Answer::Quit));
        assert_eq!(parse_answer("maybe"), None);
    }
}
