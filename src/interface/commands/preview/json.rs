//! `preview --json` with listings: the typed document ([`Preview`]) serialised as every `--json`
//! output is, with each [`IdList::Streamed`] marker replaced by its id list as it streams. The
//! text is byte for byte what every `--json` output prints (serde_json's text, with the controls
//! it leaves escaped: [`sanitize::json_escaped`]) for the same document with the ids held
//! ([`IdList::Held`]); the tests below compare the two.
//!
//! [`Preview`]: crate::interface::json_out::rollout::Preview

use std::io::{self, Write};

use crate::domain::exposure::Items;
use crate::domain::sanitize;
use crate::interface::json_out::rollout::IdList;

/// Writes `text` (a pretty-printed document holding [`IdList::Streamed`] markers) to `out`,
/// each marker replaced by list `k`: `list(k, indent, out)` writes its items, each as
/// [`lead`]`(indent)` and the id as the rest of a JSON string ([`ITEMS`]), the first without
/// its comma, and says whether it wrote any. `out` should be buffered.
pub fn splice<W: Write>(
    text: &str,
    out: &mut W,
    mut list: impl FnMut(usize, usize, &mut W) -> io::Result<bool>,
) -> io::Result<()> {
    let mut rest = text;
    let mut k = 0;
    let mut indents = indents(text).into_iter();
    loop {
        let mark = mark(k);
        let (Some(at), Some(indent)) = (rest.find(&mark), indents.next()) else {
            break;
        };
        out.write_all(&rest.as_bytes()[..at + KEY.len()])?;
        out.write_all(b"[")?;
        if list(k, indent, out)? {
            out.write_all(b"\n")?;
            write_spaces(out, indent - 2)?;
        }
        out.write_all(b"]")?;
        rest = &rest[at + mark.len()..];
        k += 1;
    }
    out.write_all(rest.as_bytes())
}

/// The indent of the items of each streamed list in `text` (one level in from its `"ids"`
/// key), in order.
#[must_use]
pub fn indents(text: &str) -> Vec<usize> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(&mark(found.len())).map(|i| from + i) {
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        found.push(at - line_start + 2);
        from = at + 1;
    }
    found
}

/// `"ids": ` and the marker of list `k`: only a key can be followed by `": "` (inside a
/// string value every quote is escaped).
fn mark(k: usize) -> String {
    format!("{KEY}{}", json_str(&IdList::marker(k)))
}

const KEY: &str = "\"ids\": ";

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn write_spaces<W: Write>(out: &mut W, n: usize) -> io::Result<()> {
    const SPACES: [u8; 64] = [b' '; 64];
    let mut left = n;
    while left > 0 {
        let now = left.min(SPACES.len());
        out.write_all(&SPACES[..now])?;
        left -= now;
    }
    Ok(())
}

/// The lead of every item of a list at `indent`: `,\n`, the indent and the string's opening
/// quote.
#[must_use]
pub fn lead(indent: usize) -> Vec<u8> {
    let mut lead = b",\n".to_vec();
    lead.resize(2 + indent, b' ');
    lead.push(b'"');
    lead
}

/// Each listed id: the rest of a JSON string, after the [`lead`].
pub const ITEMS: Items = Items {
    tail: b"\"",
    as_is: needs_no_escape,
    escape: push_escaped,
};

/// Whether `bytes` (lines of ids) hold nothing a JSON string escapes: no quote, backslash or
/// control byte, and none of the bytes that start DEL, a C1 control or a bidirectional override
/// (0x7f, 0xc2, 0xe2), which the listing escapes as every `--json` output does
/// ([`sanitize::json_escaped`]). Line ends are not in ids.
fn needs_no_escape(bytes: &[u8]) -> bool {
    !bytes.iter().fold(false, |bad, &b| {
        bad | ((b < 0x20) & (b != b'\n'))
            | (b == b'"')
            | (b == b'\\')
            | (b == 0x7f)
            | (b == 0xc2)
            | (b == 0xe2)
    })
}

/// Appends `id` inside a JSON string, escaped as every `--json` output escapes it: serde_json's
/// string, with the controls it leaves escaped ([`sanitize::json_escaped`]). Only ids that need
/// an escape come here.
fn push_escaped(id: &str, out: &mut Vec<u8>) {
    let quoted = json_str(id);
    let inside = quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or_default();
    out.extend_from_slice(sanitize::json_escaped(inside).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::config::Percentage;
    use crate::interface::json_out::rollout::{Preview, PreviewNow, PreviewStage};

    fn doc<'a>(lists: [IdList<'a>; 3], now: Option<IdList<'a>>) -> Preview<'a> {
        let stage = |name, pct: f64, on, newly_on, ids| PreviewStage {
            name: Some(name),
            percentage: Percentage::from_percent(pct).unwrap(),
            on,
            newly_on,
            ids: Some(ids),
        };
        let [a, b, c] = lists;
        Preview {
            flag: "new-\"cards\"",
            algorithm: "flagd fractional (murmur3 of flag key + user id)",
            users: 4,
            stages: vec![
                stage("internal", 5.0, 0, 0, a),
                stage("beta", 10.0, 1, 1, b),
                stage("full", 100.0, 4, 3, c),
            ],
            current: PreviewNow {
                stage: Some("beta"),
                on_now: true,
                on: 1,
                ids: now,
            },
        }
    }

    /// Each list as the listing spools it (every item led by its lead), copied in without
    /// the first comma.
    fn streamed(lists: &[&[&str]], with_now: bool) -> String {
        let markers = [0, 1, 2].map(IdList::Streamed);
        let now = with_now.then_some(IdList::Streamed(3));
        let text = serde_json::to_string_pretty(&doc(markers, now)).unwrap();
        let indents = indents(&text);
        assert_eq!(indents.len(), 3 + usize::from(with_now));
        let mut out = Vec::new();
        splice(&text, &mut out, |k, indent, out| {
            assert_eq!(indent, indents[k]);
            let mut spool = Vec::new();
            for id in lists[k] {
                spool.extend(lead(indent));
                push_json_str(id, &mut spool);
            }
            out.write_all(spool.get(1..).unwrap_or_default())?;
            Ok(!spool.is_empty())
        })
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_streamed_text_is_the_text_of_the_held_document() {
        let odd = [
            "a\"b",
            "back\\slash",
            "tab\there",
            "\u{1}\u{1f}",
            "josé",
            "\u{7f}x",
            "csi\u{9b}2J",
            "bidi\u{202e}txt\u{2066}",
        ];
        let lists: [&[&str]; 4] = [&[], &["user-7"], &["user-7", "alice", "bob", "c"], &odd];
        let held = lists.map(IdList::Held);
        for with_now in [false, true] {
            let now = with_now.then_some(held[3]);
            let serde =
                serde_json::to_string_pretty(&doc([held[0], held[1], held[2]], now)).unwrap();
            let expected = sanitize::json_escaped(&serde);
            assert_eq!(streamed(&lists, with_now), expected);
        }
    }

    /// The rest of the item after its lead's quote, as the listing makes it: as it is where
    /// the check lets it, escaped where not (a line end is never in an id).
    fn push_json_str(id: &str, out: &mut Vec<u8>) {
        if (ITEMS.as_is)(id.as_bytes()) && !id.contains('\n') {
            out.extend_from_slice(id.as_bytes());
        } else {
            (ITEMS.escape)(id, out);
        }
        out.extend_from_slice(ITEMS.tail);
    }

    #[test]
    fn ids_are_escaped_as_every_json_output_escapes_them() {
        let mut ids: Vec<String> = (0u8..0x80).map(|b| format!("x{}y", b as char)).collect();
        ids.extend(
            [
                "",
                "\"",
                "\\\\",
                "plain",
                "naïve\u{2028}",
                "c1\u{85}\u{9f}",
                "\u{202a}rlo\u{2069}",
                "\u{a0}\u{20ac}",
            ]
            .map(String::from),
        );
        for id in &ids {
            let mut mine = b"\"".to_vec();
            push_json_str(id, &mut mine);
            assert_eq!(
                String::from_utf8(mine).unwrap(),
                sanitize::json_escaped(&json_str(id)),
                "{id:?}"
            );
            // An id that is copied as it is needs no escape.
            if (ITEMS.as_is)(id.as_bytes()) && !id.contains('\n') {
                let mut escaped = Vec::new();
                (ITEMS.escape)(id, &mut escaped);
                assert_eq!(escaped, id.as_bytes(), "{id:?}");
            }
        }
    }
}
