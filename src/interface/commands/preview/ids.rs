//! The users file `preview` reads (or stdin for `-`), refused up front when it cannot be a list
//! of user ids: a named pipe (opening one with no writer would wait forever), a device
//! (`/dev/zero` never ends), a directory or a socket, and binary data (a NUL byte, or bytes that
//! are not UTF-8, in its first block: the same text `--ids` asks of every line).

use std::fs::{File, FileType, OpenOptions};
use std::io::{Cursor, Read};
use std::path::Path;

use crate::domain::error::{Error, Result};

/// How much of the input is looked at for binary data before anything is counted.
pub const HEAD: usize = 64 * 1024;

const HINT: &str = "pass a text file with one user id a line, or - for stdin";

/// The users file (or stdin for `-`), opened for reading, its first block checked.
pub fn open(path: &Path) -> Result<Box<dyn Read + Send>> {
    let mut input: Box<dyn Read + Send> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(open_file(path)?)
    };
    let mut head = Vec::with_capacity(HEAD);
    (&mut input)
        .take(HEAD as u64)
        .read_to_end(&mut head)
        .map_err(|e| {
            Error::usage(format!("cannot read the users file {}: {e}", shown(path))).with_hint(HINT)
        })?;
    check_text(&head, path)?;
    Ok(Box::new(Cursor::new(head).chain(input)))
}

/// `path` opened without waiting (a named pipe with no writer would block the open), and
/// refused unless it is a regular file (through a symbolic link, the file it points to).
fn open_file(path: &Path) -> Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Reads of a regular file never wait anyway, so the flag can stay on.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let cannot = |e: std::io::Error| {
        Error::usage(format!(
            "cannot read the users file {}: {e}",
            path.display()
        ))
        .with_hint(HINT)
    };
    let file = options.open(path).map_err(cannot)?;
    let kind = file.metadata().map_err(cannot)?.file_type();
    if kind.is_file() {
        return Ok(file);
    }
    let link = std::fs::read_link(path)
        .map(|to| format!(" (a link to {})", to.display()))
        .unwrap_or_default();
    Err(Error::usage(format!(
        "the users file {}{link} is {}, not a file of user ids",
        path.display(),
        kind_name(kind)
    ))
    .with_hint("pass a regular text file with one user id a line; to read ids from a pipe, pass --users - and pipe them in"))
}

/// What a file that is not a regular file is, for people.
fn kind_name(kind: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

fn shown(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// Refuses `head` (the input's first block) when it holds a NUL byte or bytes that are not
/// UTF-8, naming the line. A character cut by the end of the block is not an error.
fn check_text(head: &[u8], path: &Path) -> Result<()> {
    let nul = memchr::memchr(0, head);
    let bad = match std::str::from_utf8(head) {
        Err(e) if e.error_len().is_some() => Some(e.valid_up_to()),
        _ => None,
    };
    let line_of = |at: usize| memchr::memchr_iter(b'\n', &head[..at]).count() + 1;
    let name = shown(path);
    let message = match (nul, bad) {
        (Some(n), b) if b.is_none_or(|b| n < b) => format!(
            "{name}:{}: the line holds a NUL byte: this is binary data, not user ids",
            line_of(n)
        ),
        (_, Some(b)) => format!(
            "{name}:{}: the line is not UTF-8 text: this is binary data, not user ids",
            line_of(b)
        ),
        _ => return Ok(()),
    };
    Err(Error::usage(message).with_hint("the users file holds one user id a line"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(bytes: &[u8]) -> std::result::Result<(), String> {
        check_text(bytes, Path::new("ids.txt")).map_err(|e| e.message)
    }

    #[test]
    fn text_passes_and_the_first_nul_or_bad_byte_is_named_by_line() {
        assert_eq!(checked(b"user-1\nj\xc3\xbcrgen\n"), Ok(()));
        // A character cut by the end of the block is the next block's.
        assert_eq!(checked(b"user-1\nj\xc3"), Ok(()));
        assert_eq!(
            checked(b"a\nb\n\0c\n\xff"),
            Err("ids.txt:3: the line holds a NUL byte: this is binary data, not user ids".into())
        );
        assert_eq!(
            checked(b"a\n\xff\n\0"),
            Err("ids.txt:2: the line is not UTF-8 text: this is binary data, not user ids".into())
        );
    }
}
