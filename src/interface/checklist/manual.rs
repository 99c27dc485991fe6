//! A manual task on a terminal: the instructions, then done / not done / skip / quit, answered
//! with one key (Enter is not needed) when stdin is a terminal, with a line otherwise.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::os::fd::AsFd;
use std::sync::Mutex;

use nix::sys::termios::{self, LocalFlags, SetArg, SpecialCharacterIndices, Termios};

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

/// The answer a single key gives: its first letter, any case.
#[must_use]
pub fn key_answer(key: u8) -> Option<Answer> {
    match key.to_ascii_lowercase() {
        b'd' | b'y' => Some(Answer::Done),
        b'n' => Some(Answer::NotDone),
        b's' => Some(Answer::Skip),
        b'q' => Some(Answer::Quit),
        _ => None,
    }
}

/// The word an answer is shown as, after its key.
fn word(a: Answer) -> &'static str {
    match a {
        Answer::Done => "done",
        Answer::NotDone => "not done",
        Answer::Skip => "skip",
        Answer::Quit => "quit",
    }
}

/// The terminal's own settings while a prompt reads single keys: put back after each key, and
/// by [`OnTerminal::cut_short`] when the run is stopped at the prompt (the reading thread is
/// then left blocked, and the process ends before it reads again).
static SAVED: Mutex<Option<Termios>> = Mutex::new(None);

fn restore_terminal() {
    let saved = SAVED.lock().ok().and_then(|mut s| s.take());
    if let Some(t) = saved {
        let _ = termios::tcsetattr(std::io::stdin().as_fd(), SetArg::TCSANOW, &t);
    }
}

/// Puts the terminal on stdin in single-key mode (no waiting for Enter, no echo; Ctrl-C and
/// Ctrl-Z work as usual) and drops the keys typed before: they were not an answer.
fn keys_mode() -> std::io::Result<()> {
    let fd = std::io::stdin();
    let fd = fd.as_fd();
    let normal = termios::tcgetattr(fd)?;
    let mut keys = normal.clone();
    keys.local_flags
        .remove(LocalFlags::ICANON | LocalFlags::ECHO);
    keys.control_chars[SpecialCharacterIndices::VMIN as usize] = 1;
    keys.control_chars[SpecialCharacterIndices::VTIME as usize] = 0;
    if let Ok(mut s) = SAVED.lock() {
        *s = Some(normal);
    }
    termios::tcsetattr(fd, SetArg::TCSAFLUSH, &keys)?;
    Ok(())
}

/// One key; `None`: end of input (or Ctrl-D). Read from the descriptor itself: stdin's buffer
/// would keep the keys typed after this one for later.
fn read_key(file: &mut std::fs::File) -> std::io::Result<Option<u8>> {
    let mut key = [0u8; 1];
    loop {
        match file.read(&mut key) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
            Ok(0) => return Ok(None),
            Ok(_) if key[0] == 0x04 => return Ok(None),
            Ok(_) => return Ok(Some(key[0])),
        }
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
        restore_terminal();
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
    let question = |err: &mut std::io::StderrLock<'_>| -> std::io::Result<()> {
        writeln!(err, "{} {} [{id}]", bold("?"), bold(name))?;
        for line in instructions.lines() {
            writeln!(err, "  {line}")?;
        }
        Ok(())
    };
    let stdin = std::io::stdin();
    if stdin.is_terminal() && termios::tcgetattr(stdin.as_fd()).is_ok() {
        let mut file = std::fs::File::from(stdin.as_fd().try_clone_to_owned()?);
        // Single keys from here: keys typed before the question is on screen are dropped.
        keys_mode()?;
        // The lock of stderr goes before waiting: the runner writes there meanwhile.
        let asked = question(&mut std::io::stderr().lock());
        let answer = asked.and_then(|()| keys_answer(&mut file));
        restore_terminal();
        return answer;
    }
    question(&mut std::io::stderr().lock())?;
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

/// The answer as one key: d, n, s or q (Enter alone is passed over; end of input quits).
fn keys_answer(file: &mut std::fs::File) -> std::io::Result<Answer> {
    loop {
        {
            let mut err = std::io::stderr().lock();
            write!(err, "  [d]one, [n]ot done, [s]kip, [q]uit? ")?;
            err.flush()?;
        }
        loop {
            let answer = match read_key(file)? {
                None => Answer::Quit,
                Some(b'\r' | b'\n') => continue,
                Some(k) => {
                    swallow_rest(file)?;
                    match key_answer(k) {
                        Some(a) => a,
                        None => break,
                    }
                }
            };
            let _ = writeln!(std::io::stderr(), "{}", word(answer));
            return Ok(answer);
        }
        let _ = writeln!(std::io::stderr(), "\n  please answer d, n, s or q");
    }
}

/// The keys that follow a key at typing speed (the rest of `done`, Enter) belong to it: they are
/// read and dropped, not left for the next question (where the `n` of `done` would answer "not
/// done"). Stops at Enter, or when no key comes for 0.3 s.
fn swallow_rest(file: &mut std::fs::File) -> std::io::Result<()> {
    let fd = std::io::stdin();
    let fd = fd.as_fd();
    let mut t = termios::tcgetattr(fd)?;
    t.control_chars[SpecialCharacterIndices::VMIN as usize] = 0;
    t.control_chars[SpecialCharacterIndices::VTIME as usize] = 3;
    termios::tcsetattr(fd, SetArg::TCSANOW, &t)?;
    while let Some(k) = read_key(file)? {
        if k == b'\r' || k == b'\n' {
            break;
        }
    }
    t.control_chars[SpecialCharacterIndices::VMIN as usize] = 1;
    t.control_chars[SpecialCharacterIndices::VTIME as usize] = 0;
    termios::tcsetattr(fd, SetArg::TCSANOW, &t)?;
    Ok(())
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

    #[test]
    fn keys() {
        assert_eq!(key_answer(b'D'), Some(Answer::Done));
        assert_eq!(key_answer(b'n'), Some(Answer::NotDone));
        assert_eq!(key_answer(b's'), Some(Answer::Skip));
        assert_eq!(key_answer(b'q'), Some(Answer::Quit));
        assert_eq!(key_answer(b'x'), None);
        assert_eq!(key_answer(b'\r'), None);
    }
}
