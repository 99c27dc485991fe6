//! A small YAML tree that remembers where every key and value came from, so that validation can
//! point at file:line:column. Built on saphyr-parser's event stream: serde-based YAML crates drop
//! positions after the first error, and we report every problem in a file at once.
//!
//! Reading is bounded (docs/limits.md): the file size, line length, UTF-8, nesting depth, node
//! count and alias expansion are checked as the input is read, and the first limit crossed stops
//! the parse with its position, so a hostile file costs at most the limits in time and memory.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::domain::diagnostic::Pos;

#[derive(Debug, Clone)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

#[derive(Debug, Clone)]
pub enum Value {
    /// A scalar as written; `plain` is false for quoted and block scalars, which are always strings.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    /// Entries in document order; duplicates are kept so that validation can report them.
    Map(Vec<(Key, Node)>),
}

#[derive(Debug, Clone)]
pub struct Key {
    pub text: String,
    pub pos: Pos,
}

impl Node {
    /// A plain `~`, `null` or empty scalar.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    #[must_use]
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Scalar { .. } if self.is_null() => "nothing",
            Value::Scalar { .. } => "a scalar",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// The bounds on one YAML file (stages.yaml, a checklist). Documented in docs/limits.md.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The whole file, in bytes.
    pub file_bytes: usize,
    /// One line, in bytes.
    pub line_bytes: usize,
    /// Nested lists and mappings.
    pub depth: usize,
    /// Nodes (scalars, lists, mappings) in the tree, aliases counted as the nodes they copy.
    pub nodes: usize,
    /// Nodes copied by all aliases together.
    pub alias_nodes: usize,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        file_bytes: 8 << 20,
        line_bytes: 64 << 10,
        depth: 64,
        nodes: 1_000_000,
        alias_nodes: 100_000,
    };
}

/// A YAML problem at a position: bad syntax, or a limit crossed (then `help` says what to do).
#[derive(Debug)]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
    pub help: Option<String>,
}

impl SyntaxError {
    fn limit(pos: Pos, message: String, help: &str) -> Self {
        SyntaxError {
            pos,
            message,
            help: Some(help.to_string()),
        }
    }
}

/// A byte count for people: `8 MiB`, `64 KiB`, `100 bytes`.
#[must_use]
pub fn bytes(n: usize) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}

/// The line and column (in characters, from 1) of byte `offset` in `text`, which is valid UTF-8
/// up to `offset`.
fn pos_at(text: &[u8], offset: usize) -> Pos {
    let before = &text[..offset.min(text.len())];
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    Pos { line, col }
}

/// `bytes` as text, checked against the size limits and for UTF-8: the first problem with its
/// position (for bad UTF-8, the first bad byte).
pub fn decode<'a>(bytes: &'a [u8], limits: &Limits) -> Result<&'a str, SyntaxError> {
    if bytes.len() > limits.file_bytes {
        return Err(SyntaxError::limit(
            pos_at(bytes, limits.file_bytes),
            format!(
                "the file is larger than the limit of {}",
                self::bytes(limits.file_bytes)
            ),
            "split it, or shorten it: this is far more than a stage table or checklist needs",
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.valid_up_to();
            return Err(SyntaxError::limit(
                pos_at(bytes, at),
                format!("the file is not UTF-8 text (byte 0x{:02x} here)", bytes[at]),
                "save the file as UTF-8",
            ));
        }
    };
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len())) {
        if end - start > limits.line_bytes {
            let mut cut = start + limits.line_bytes;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            return Err(SyntaxError::limit(
                pos_at(bytes, cut),
                format!(
                    "this line is longer than the limit of {}",
                    self::bytes(limits.line_bytes)
                ),
                "break it up: write a long list one entry a line (`- item`)",
            ));
        }
        start = end + 1;
    }
    Ok(text)
}

fn pos_of(span: Span) -> Pos {
    Pos {
        line: span.start.line(),
        col: span.start.col() + 1,
    }
}

enum Frame {
    /// Start, items, anchor, the node count when it opened.
    Seq(Pos, Vec<Node>, usize, usize),
    Map(Pos, Vec<(Key, Node)>, Option<Key>, usize, usize),
}

struct Builder {
    limits: Limits,
    stack: Vec<Frame>,
    /// Each anchor's node and its size in nodes.
    anchors: HashMap<usize, (Node, usize)>,
    root: Option<Node>,
    documents: usize,
    /// Nodes so far, aliases counted as the nodes they copy.
    nodes: usize,
    /// Nodes copied by aliases so far.
    alias_nodes: usize,
    error: Option<SyntaxError>,
}

impl Builder {
    fn new(limits: Limits) -> Self {
        Builder {
            limits,
            stack: Vec::new(),
            anchors: HashMap::new(),
            root: None,
            documents: 0,
            nodes: 0,
            alias_nodes: 0,
            error: None,
        }
    }

    /// Counts `n` more nodes; false (with the error set) past the node limit.
    fn count(&mut self, n: usize, pos: Pos) -> bool {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.limits.nodes {
            self.error.get_or_insert(SyntaxError::limit(
                pos,
                format!(
                    "the file has more than {} values (the node limit)",
                    self.limits.nodes
                ),
                "shorten it: this is far more than a stage table or checklist needs",
            ));
            return false;
        }
        true
    }

    fn open(&mut self, frame: Frame, pos: Pos) {
        if self.stack.len() >= self.limits.depth {
            self.error.get_or_insert(SyntaxError::limit(
                pos,
                format!(
                    "lists and mappings are nested more than {} deep (the nesting limit)",
                    self.limits.depth
                ),
                "flatten the structure: stages.yaml and checklists need a few levels at most",
            ));
            return;
        }
        if self.count(1, pos) {
            self.stack.push(frame);
        }
    }

    fn finish(&mut self, node: Node, anchor: usize, size: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            Some(Frame::Seq(_, items, _, _)) => items.push(node),
            Some(Frame::Map(_, entries, key, _, _)) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => {
                    let text = match &node.value {
                        Value::Scalar { text, .. } => text.clone(),
                        _ => {
                            self.error.get_or_insert(SyntaxError {
                                pos: node.pos,
                                message:
                                    "a mapping key must be a plain value, not a list or mapping"
                                        .into(),
                                help: None,
                            });
                            String::new()
                        }
                    };
                    *key = Some(Key {
                        text,
                        pos: node.pos,
                    });
                }
            },
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
        }
    }

    /// A `---`: a second one is an error, the tool reads one document.
    fn document_start(&mut self, pos: Pos) {
        self.documents += 1;
        if self.documents > 1 {
            self.error.get_or_insert(SyntaxError {
                pos,
                message: "only one YAML document is allowed here (found a second `---`)".into(),
                help: None,
            });
        }
    }

    /// A `*alias`: a copy of the anchored node at `pos`, counted at its full size against the
    /// alias expansion and node limits (an unknown anchor is an empty scalar).
    fn alias(&mut self, id: usize, pos: Pos) {
        let size = self.anchors.get(&id).map_or(1, |(_, size)| *size);
        self.alias_nodes = self.alias_nodes.saturating_add(size);
        if self.alias_nodes > self.limits.alias_nodes {
            self.error.get_or_insert(SyntaxError::limit(
                pos,
                format!(
                    "aliases here expand to more than {} values (the alias expansion limit)",
                    self.limits.alias_nodes
                ),
                "write the values out, or use fewer aliases of aliases",
            ));
            return;
        }
        if !self.count(size, pos) {
            return;
        }
        // Checked above: the copy is bounded by the limits.
        let node = self.anchors.get(&id).map(|(n, _)| n.clone()).map_or_else(
            || Node {
                pos,
                value: Value::Scalar {
                    text: String::new(),
                    plain: true,
                },
            },
            |mut n| {
                n.pos = pos;
                n
            },
        );
        self.finish(node, 0, size);
    }

    fn on_event(&mut self, ev: Event<'_>, span: Span) {
        let pos = pos_of(span);
        match ev {
            Event::DocumentStart(_) => self.document_start(pos),
            Event::Scalar(text, style, anchor, _tag) => {
                if !self.count(1, pos) {
                    return;
                }
                let node = Node {
                    pos,
                    value: Value::Scalar {
                        text: text.into_owned(),
                        plain: style == ScalarStyle::Plain,
                    },
                };
                self.finish(node, anchor, 1);
            }
            Event::SequenceStart(anchor, _) => {
                let at = self.nodes;
                self.open(Frame::Seq(pos, Vec::new(), anchor, at), pos);
            }
            Event::MappingStart(anchor, _) => {
                let at = self.nodes;
                self.open(Frame::Map(pos, Vec::new(), None, anchor, at), pos);
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq(start, items, anchor, at)) = self.stack.pop() {
                    let size = self.nodes - at;
                    let node = Node {
                        pos: start,
                        value: Value::Seq(items),
                    };
                    self.finish(node, anchor, size);
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map(start, entries, _, anchor, at)) = self.stack.pop() {
                    let size = self.nodes - at;
                    let node = Node {
                        pos: start,
                        value: Value::Map(entries),
                    };
                    self.finish(node, anchor, size);
                }
            }
            Event::Alias(id) => self.alias(id, pos),
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }
}

/// Parses one YAML document within the default limits. An empty document is a null scalar at 1:1.
pub fn parse(source: impl AsRef<[u8]>) -> Result<Node, SyntaxError> {
    parse_with(source.as_ref(), &Limits::DEFAULT)
}

/// Decodes and parses one YAML document within `limits`, stopping at the first problem.
pub fn parse_with(source: &[u8], limits: &Limits) -> Result<Node, SyntaxError> {
    let source = decode(source, limits)?;
    let mut builder = Builder::new(*limits);
    for item in Parser::new_from_str(source) {
        match item {
            Ok((ev, span)) => builder.on_event(ev, span),
            Err(err) => {
                let marker = err.marker();
                return Err(SyntaxError {
                    pos: Pos {
                        line: marker.line(),
                        col: marker.col() + 1,
                    },
                    message: err.info().to_string(),
                    help: None,
                });
            }
        }
        if let Some(err) = builder.error.take() {
            return Err(err);
        }
    }
    Ok(builder.root.unwrap_or(Node {
        pos: Pos { line: 1, col: 1 },
        value: Value::Scalar {
            text: String::new(),
            plain: true,
        },
    }))
}
