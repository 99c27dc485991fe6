//! Typed reads from a positioned YAML tree, collecting every problem instead of stopping at the
//! first: the shared half of validating `stages.yaml` and `checklists/*.yaml`.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;

use crate::domain::diagnostic::{Diagnostics, Pos};
use crate::domain::error::{Error, Result};
use crate::domain::sanitize;
use crate::domain::yaml::{self, Key, Limits, Node, Value};

/// The bytes of a config file, reading at most one byte past the size limit (so a huge file or a
/// device is refused by [`Reader::parse_root`] without being read whole).
pub fn read_source(path: &Path) -> Result<Vec<u8>> {
    let cap = Limits::DEFAULT.file_bytes as u64 + 1;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(cap).read_to_end(&mut bytes))
        .map_err(|e| Error::usage(format!("cannot read {}: {e}", path.display())))?;
    Ok(bytes)
}

pub struct Reader {
    pub diags: Diagnostics,
}

/// A mapping whose keys have been checked against the known ones.
pub struct Fields<'n> {
    pub pos: Pos,
    entries: &'n [(Key, Node)],
    /// Each unknown key that is likely a typo (its entry's index), with the known key suggested.
    typos: Vec<(usize, String)>,
    #[cfg(test)]
    audit: audit::Reads,
}

impl<'n> Fields<'n> {
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        let at = self.entries.iter().position(|(k, _)| k.text == key)?;
        #[cfg(test)]
        self.audit.read(at);
        Some(&self.entries[at].1)
    }

    /// The value of `key` unless it is absent or written as null.
    #[must_use]
    pub fn value(&self, key: &str) -> Option<&'n Node> {
        self.get(key).filter(|n| !n.is_null())
    }

    #[must_use]
    pub fn key_pos(&self, key: &str) -> Option<Pos> {
        self.entries
            .iter()
            .find(|(k, _)| k.text == key)
            .map(|(k, _)| k.pos)
    }

    pub fn iter(&self) -> impl Iterator<Item = &'n (Key, Node)> {
        self.entries.iter()
    }

    /// The entry whose unknown key was taken for a typo of `key` (`percentge: 10` for
    /// `percentage`), reported as such with "did you mean".
    #[must_use]
    pub fn typo_of(&self, key: &str) -> Option<&'n (Key, Node)> {
        self.typos
            .iter()
            .find(|(_, k)| k == key)
            .map(|(at, _)| &self.entries[*at])
    }
}

/// The known word closest to `word`, when it is close enough to be a likely typo.
#[must_use]
pub fn did_you_mean<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    // The similarity costs length squared: nothing long is a typo of a short word anyway.
    if word.len() > 64 {
        return None;
    }
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(word, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

impl Reader {
    pub fn new(file: &Path) -> Self {
        Reader {
            diags: Diagnostics::new(file),
        }
    }

    pub fn error(&mut self, pos: Pos, message: impl Into<String>, help: impl Into<String>) {
        self.diags.error(pos, message, help);
    }

    /// Decodes and parses a whole file within the limits; `None` when it could not be read (the
    /// problem is reported).
    pub fn parse_root(&mut self, source: &[u8]) -> Option<Node> {
        match yaml::parse(source) {
            Ok(root) => Some(root),
            Err(err) => {
                match err.help {
                    Some(help) => self.error(err.pos, err.message, help),
                    None => self.error(
                        err.pos,
                        format!("this is not valid YAML: {}", err.message),
                        "fix the YAML syntax here (indentation, a missing `:` or an unclosed quote or bracket)",
                    ),
                }
                None
            }
        }
    }

    /// Reports `text` when it holds a control character (escape sequences, NUL, ...), which would
    /// reach a terminal when printed. `names` also refuses line breaks and tabs. True when clean.
    pub fn clean(&mut self, text: &str, pos: Pos, what: &str, names: bool) -> bool {
        let Some((i, c)) = sanitize::find_control(text, names) else {
            return true;
        };
        self.error(
            pos,
            format!(
                "{what} holds the control character U+{:04X} (character {} of the value)",
                c as u32,
                i + 1
            ),
            "remove it: control characters would be sent to the terminal of whoever prints this",
        );
        false
    }

    /// A name (stage, flag key, user, group): text without control characters or line breaks.
    pub fn name(&mut self, node: &Node, what: &str) -> Option<String> {
        let text = self.string(node, what)?;
        self.clean(&text, node.pos, what, true).then_some(text)
    }

    /// Reads a mapping, reporting keys that are not in `known` (with a suggestion) and duplicates.
    pub fn mapping<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        known: &[&str],
    ) -> Option<Fields<'n>> {
        let Value::Map(entries) = &node.value else {
            self.error(
                node.pos,
                format!(
                    "{what} must be a mapping of `key: value` lines, found {}",
                    node.kind_name()
                ),
                format!("write {what} as keys, one of: {}", known.join(", ")),
            );
            return None;
        };
        let mut seen: HashSet<&str> = HashSet::with_capacity(entries.len());
        let mut typos = Vec::new();
        for (at, (key, _)) in entries.iter().enumerate() {
            if !self.clean(&key.text, key.pos, &format!("a key in {what}"), true) {
                continue;
            }
            if !seen.insert(key.text.as_str()) {
                self.error(
                    key.pos,
                    format!(
                        "`{}` appears twice in {what}",
                        sanitize::short(&key.text, 60)
                    ),
                    "keep one of them",
                );
            } else if !known.contains(&key.text.as_str()) {
                let help = match did_you_mean(&key.text, known) {
                    Some(k) => {
                        typos.push((at, k.to_string()));
                        format!("did you mean `{k}`?")
                    }
                    None => format!("the keys allowed here are: {}", known.join(", ")),
                };
                self.error(
                    key.pos,
                    format!("unknown key `{}` in {what}", sanitize::short(&key.text, 60)),
                    help,
                );
            }
        }
        Some(Fields {
            pos: node.pos,
            entries,
            typos,
            #[cfg(test)]
            audit: audit::Reads::new(known, entries),
        })
    }

    /// A required key: reports it missing at the mapping's position, with `add KEY: EXAMPLE`,
    /// or, when an unknown key there looks like a typo of it, with renaming that key (and no
    /// example: the value written there is likely the one meant).
    pub fn required<'n>(
        &mut self,
        fields: &Fields<'n>,
        key: &str,
        what: &str,
        example: &str,
    ) -> Option<&'n Node> {
        let node = fields.value(key);
        if node.is_none() {
            let help = match fields.typo_of(key) {
                Some((typo, _)) => format!(
                    "rename `{}` (line {}) to `{key}`",
                    sanitize::short(&typo.text, 60),
                    typo.pos.line
                ),
                None => format!("add `{key}: {example}`"),
            };
            self.error(fields.pos, format!("{what} has no `{key}`"), help);
        }
        node
    }

    /// A plain number as written, without reporting anything when it is not one.
    #[must_use]
    pub fn number_if_any(node: &Node) -> Option<f64> {
        match &node.value {
            Value::Scalar { text, plain: true } => text
                .trim_end_matches('%')
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite()),
            _ => None,
        }
    }

    /// The entries of a list that must hold at least one `item`: reports a value that is not a
    /// list (and how to write one) and an empty list (with `example`).
    pub fn items<'n>(
        &mut self,
        node: &'n Node,
        key: &str,
        item: &str,
        example: &str,
    ) -> &'n [Node] {
        let Value::Seq(items) = &node.value else {
            self.error(
                node.pos,
                format!("`{key}` must be a list, found {}", node.kind_name()),
                format!("write each {item} as a `- name: ...` line under `{key}:`"),
            );
            return &[];
        };
        if items.is_empty() {
            self.error(
                node.pos,
                format!("`{key}` is empty"),
                format!("add at least one {item}, e.g. `{example}`"),
            );
        }
        items
    }

    /// A text value; control characters other than line breaks and tabs are refused.
    pub fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.value {
            Value::Scalar { text, .. } if !node.is_null() => self
                .clean(text, node.pos, what, false)
                .then(|| text.clone()),
            _ => {
                self.error(
                    node.pos,
                    format!("{what} must be text, found {}", node.kind_name()),
                    format!("write {what} as a single value"),
                );
                None
            }
        }
    }

    pub fn number(&mut self, node: &Node, what: &str) -> Option<f64> {
        if let Some(n) = Self::number_if_any(node) {
            return Some(n);
        }
        self.error(
            node.pos,
            format!("{what} must be a number, found {}", describe(node)),
            format!("write {what} as a plain number, for example 25"),
        );
        None
    }

    pub fn bool(&mut self, node: &Node, what: &str) -> Option<bool> {
        if let Value::Scalar { text, plain: true } = &node.value {
            match text.as_str() {
                "true" | "True" | "TRUE" => return Some(true),
                "false" | "False" | "FALSE" => return Some(false),
                _ => {}
            }
        }
        self.error(
            node.pos,
            format!("{what} must be true or false, found {}", describe(node)),
            "write `true` or `false`",
        );
        None
    }

    /// A list of text values; a single value is taken as a list of one.
    pub fn string_list(&mut self, node: &Node, what: &str) -> Option<Vec<(String, Pos)>> {
        match &node.value {
            Value::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    if let Some(s) = self.string(item, &format!("each entry of {what}")) {
                        out.push((s, item.pos));
                    }
                }
                Some(out)
            }
            Value::Scalar { .. } if node.is_null() => Some(Vec::new()),
            Value::Scalar { .. } => self.string(node, what).map(|text| vec![(text, node.pos)]),
            Value::Map(_) => {
                self.error(
                    node.pos,
                    format!("{what} must be a list, found a mapping"),
                    format!("write {what} as [a, b] or as `- a` lines"),
                );
                None
            }
        }
    }

    pub fn duration(&mut self, node: &Node, what: &str) -> Option<Duration> {
        let text = self.string(node, what)?;
        match crate::domain::clock::parse_duration(&text) {
            Ok(d) => Some(d),
            Err(why) => {
                self.error(
                    node.pos,
                    format!("{what} {why}"),
                    "write a number and a unit, for example 30m, 36h or 3d",
                );
                None
            }
        }
    }

    pub fn date(&mut self, node: &Node, what: &str) -> Option<NaiveDate> {
        let text = self.string(node, what)?;
        match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.error(
                    node.pos,
                    format!("{what} `{}` is not a date", sanitize::short(&text, 60)),
                    "write a calendar date as YYYY-MM-DD, for example 2024-01-15",
                );
                None
            }
        }
    }
}

fn describe(node: &Node) -> String {
    match &node.value {
        Value::Scalar { text, .. } if !node.is_null() => format!("`{}`", sanitize::short(text, 60)),
        _ => node.kind_name().to_string(),
    }
}

/// In the crate's own tests: which keys of each mapping the reader looked at, so a test can
/// check that every key a format struct declares (and the reader therefore accepts) is one it
/// reads, not one it accepts and ignores.
#[cfg(test)]
pub(crate) mod audit {
    use std::cell::{Cell, RefCell};

    use crate::domain::yaml::{Key, Node};

    /// One mapping read: the keys it was checked against, the keys written, and those never
    /// looked at.
    #[derive(Debug, Clone)]
    pub(crate) struct Mapping {
        pub known: Vec<String>,
        pub written: Vec<String>,
        pub unread: Vec<String>,
    }

    thread_local! {
        static LOG: RefCell<Vec<Mapping>> = const { RefCell::new(Vec::new()) };
    }

    /// The mappings read on this thread since the last call.
    pub(crate) fn take() -> Vec<Mapping> {
        LOG.with(|log| std::mem::take(&mut *log.borrow_mut()))
    }

    pub(super) struct Reads {
        known: Vec<String>,
        written: Vec<String>,
        read: Vec<Cell<bool>>,
    }

    impl Reads {
        pub(super) fn new(known: &[&str], entries: &[(Key, Node)]) -> Self {
            Reads {
                known: known.iter().map(|k| (*k).to_string()).collect(),
                written: entries.iter().map(|(k, _)| k.text.clone()).collect(),
                read: entries.iter().map(|_| Cell::new(false)).collect(),
            }
        }

        pub(super) fn read(&self, at: usize) {
            self.read[at].set(true);
        }
    }

    impl Drop for Reads {
        fn drop(&mut self) {
            let unread = self
                .written
                .iter()
                .zip(&self.read)
                .filter(|(_, r)| !r.get())
                .map(|(k, _)| k.clone())
                .collect();
            let m = Mapping {
                known: std::mem::take(&mut self.known),
                written: std::mem::take(&mut self.written),
                unread,
            };
            LOG.with(|log| log.borrow_mut().push(m));
        }
    }
}
