//! Text from outside (config, a provider, a task) made safe to print: control characters are
//! refused at validation, or shown as visible escapes, never sent to the terminal raw. An escape
//! sequence could otherwise rewrite the window title, hide text or move the cursor over a warning.

use std::borrow::Cow;
use std::fmt::Write;

/// A character the terminal would act on instead of showing: C0 and C1 controls, DEL, and the
/// bidirectional overrides that reorder what is shown.
#[must_use]
pub fn is_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The first control character in `text` (its index in characters) other than a line break or
/// tab, or also those when `strict` (names and keys are one line).
#[must_use]
pub fn find_control(text: &str, strict: bool) -> Option<(usize, char)> {
    text.chars()
        .enumerate()
        .find(|&(_, c)| is_control(c) && (strict || !matches!(c, '\n' | '\t')))
}

fn escape(c: char, out: &mut String) {
    let _ = match c {
        '\r' => write!(out, "\\r"),
        '\u{0}'..='\u{7f}' => write!(out, "\\x{:02x}", c as u32),
        _ => write!(out, "\\u{{{:x}}}", c as u32),
    };
}

/// `text` with every control character but line breaks and tabs shown as an escape (`\x1b`,
/// `\u{9b}`): for messages and logs that may quote config, provider or task text.
#[must_use]
pub fn visible(text: &str) -> Cow<'_, str> {
    if find_control(text, false).is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_control(c) && !matches!(c, '\n' | '\t') {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A JSON text with every control character serde_json leaves as it is (DEL, the C1 controls,
/// the bidirectional overrides) written as a `\uXXXX` escape: the same document, which no
/// terminal acts on. Such a character can only stand inside a string, where the escape means
/// the same character.
#[must_use]
pub fn json_escaped(json: &str) -> Cow<'_, str> {
    let raw = |c: char| c > '\u{7e}' && is_control(c);
    if !json.chars().any(raw) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if raw(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` on one line: every control character shown as an escape, line breaks and tabs too
/// (for a value quoted in a one-line message).
#[must_use]
pub fn one_line(text: &str) -> Cow<'_, str> {
    if find_control(text, true).is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if is_control(c) => escape(c, &mut out),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// One line of text for a terminal that may keep its colours: SGR sequences (`ESC [ 1;31 m`) are
/// kept, every other control character is shown as an escape.
#[must_use]
pub fn keep_colours(line: &str) -> Cow<'_, str> {
    if find_control(line, false).is_none() {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}' {
            if let Some(len) = sgr_len(rest) {
                out.push_str(&rest[..len]);
                rest = &rest[len..];
                continue;
            }
        }
        if is_control(c) && !matches!(c, '\n' | '\t') {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// The length of the SGR sequence `ESC [ digits;digits m` at the start of `s`, if it is one.
fn sgr_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix("\u{1b}[")?;
    let params = body
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';' || *b == b':')
        .count();
    (body.as_bytes().get(params) == Some(&b'm')).then_some(2 + params + 1)
}

/// `text` cut to `max` characters (with `…`), for quoting a value in a message.
#[must_use]
pub fn short(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((at, _)) => Cow::Owned(format!("{}…", &text[..at])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_keeps_layout() {
        assert_eq!(visible("a\u{1b}]0;pwned\u{7}b"), "a\\x1b]0;pwned\\x07b");
        assert_eq!(visible("nul\0 c1\u{9b}31m"), "nul\\x00 c1\\u{9b}31m");
        assert_eq!(visible("two\nlines\tok"), "two\nlines\tok");
        assert_eq!(visible("over\rwrite"), "over\\rwrite");
        assert_eq!(visible("rtl\u{202e}txt"), "rtl\\u{202e}txt");
        assert_eq!(one_line("a\nb\tc\u{1b}"), "a\\nb\\tc\\x1b");
        assert!(matches!(visible("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_text_keeps_its_meaning_with_the_controls_serde_leaves_escaped() {
        let text = serde_json::to_string(&["c1\u{9b}2J del\u{7f} rlo\u{202e} \u{1b} é"]).unwrap();
        let escaped = json_escaped(&text);
        assert_eq!(escaped, r#"["c1\u009b2J del\u007f rlo\u202e \u001b é"]"#);
        let back: Vec<String> = serde_json::from_str(&escaped).unwrap();
        let sent: Vec<String> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, sent);
        assert!(matches!(
            json_escaped("{\"plain\": \"é\"}"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn keeps_only_colour_sequences() {
        assert_eq!(
            keep_colours("\u{1b}[1;31mFAIL\u{1b}[0m \u{1b}]0;title\u{7}\u{1b}[2J"),
            "\u{1b}[1;31mFAIL\u{1b}[0m \\x1b]0;title\\x07\\x1b[2J"
        );
        assert_eq!(keep_colours("\u{1b}["), "\\x1b[");
    }

    #[test]
    fn finds_the_first_control() {
        assert_eq!(find_control("ab\u{1b}", false), Some((2, '\u{1b}')));
        assert_eq!(find_control("a\nb", false), None);
        assert_eq!(find_control("a\nb", true), Some((1, '\n')));
        assert_eq!(short("abcdef", 3), "abc…");
    }
}
