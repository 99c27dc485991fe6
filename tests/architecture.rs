//! The layers of `src/` (docs/architecture.md), kept by the code: every `crate::` path of every
//! source file is read, and an import that points up the layer order, a circle between modules,
//! an I/O call in the decision layer or a source file over 600 lines fails this test, naming the
//! file, the line and the import.
//!
//! The layers, bottom to top, are the folders under `src/`: `domain` (formats, rules, statistics)
//! → `ports` (the traits the application reaches the outside through) → `adapters` (providers,
//! gate sources, the HTTP client, the journal file) → `app` (decide, apply, watch, the checklist
//! runner) → `interface` (command lines, commands, output). A module is a layer's direct child
//! (`domain::config`, `app::engine`); no two modules may import each other, even through others.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Bottom to top: a file may import its own layer and the ones before it.
const LAYERS: [&str; 5] = ["domain", "ports", "adapters", "app", "interface"];

/// The longest a source file may be.
const MAX_FILE_LINES: usize = 600;

/// Modules that decide and must not do I/O of any kind, with what they may not name.
const PURE: &[(&str, &[&str])] = &[(
    "app::decide",
    &[
        "tokio::",
        "std::fs",
        "std::io",
        "std::env",
        "std::process",
        "std::net",
        "println!",
        "eprintln!",
        "print!",
        "clock::now",
        "Utc::now",
        "Instant::now",
        "SystemTime::now",
    ],
)];

/// One `crate::` path found in a file.
#[derive(Debug, Clone)]
struct Import {
    file: PathBuf,
    line: usize,
    path: String,
    from: String,
    to: String,
}

/// Every problem of the tree under `src`, one line each (empty: the layers hold).
fn check(src: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let mut imports = Vec::new();
    for file in rust_files(src) {
        let rel = file.strip_prefix(src).unwrap().to_path_buf();
        let Some(module) = module_of(&rel) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        let lines = text.lines().count();
        if lines > MAX_FILE_LINES {
            problems.push(format!(
                "src/{}: {lines} lines, over {MAX_FILE_LINES}: split it by what it holds",
                rel.display()
            ));
        }
        let code = code_only(&text);
        let segments = segments_of(&rel);
        for (line, path) in crate_paths(&code, &segments) {
            let Some(to) = module_of_path(&path) else {
                problems.push(format!(
                    "src/{}:{line}: `{path}` names no layer folder: the top of `src/` holds only {}",
                    rel.display(),
                    LAYERS.join(", ")
                ));
                continue;
            };
            if to != module {
                imports.push(Import {
                    file: rel.clone(),
                    line,
                    path,
                    from: module.clone(),
                    to,
                });
            }
        }
        for (pure, banned) in PURE {
            if module == *pure {
                for (line, text) in code.lines().enumerate() {
                    for word in banned.iter().filter(|w| text.contains(*w)) {
                        problems.push(format!(
                            "src/{}:{}: `{word}` in {pure}: deciding does no I/O and reads no clock; \
                             take it as a fact instead",
                            rel.display(),
                            line + 1
                        ));
                    }
                }
            }
        }
    }
    for i in &imports {
        let (from, to) = (layer_index(&i.from), layer_index(&i.to));
        if to > from {
            problems.push(format!(
                "src/{}:{}: `{}` points up, from {} to {}: move what both need down, or pass it in",
                i.file.display(),
                i.line,
                i.path,
                LAYERS[from],
                LAYERS[to]
            ));
        }
    }
    problems.extend(circles(&imports));
    problems
}

/// The circles between modules: each as its modules, then the imports that close it.
fn circles(imports: &[Import]) -> Vec<String> {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for i in imports {
        graph.entry(&i.from).or_default().insert(&i.to);
        graph.entry(&i.to).or_default();
    }
    let mut out = Vec::new();
    for group in strongly_connected(&graph) {
        if group.len() < 2 {
            continue;
        }
        let mut text = format!("a circle between {}:", group.join(", "));
        for i in imports {
            if group.contains(&i.from.as_str()) && group.contains(&i.to.as_str()) {
                let _ = write!(
                    text,
                    "\n    src/{}:{}: `{}` ({} -> {})",
                    i.file.display(),
                    i.line,
                    i.path,
                    i.from,
                    i.to
                );
            }
        }
        out.push(text);
    }
    out
}

/// Tarjan's strongly connected components, each sorted.
fn strongly_connected<'a>(graph: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> Vec<Vec<&'a str>> {
    struct State<'a> {
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        found: Vec<Vec<&'a str>>,
    }
    fn visit<'a>(v: &'a str, g: &BTreeMap<&'a str, BTreeSet<&'a str>>, s: &mut State<'a>) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on.insert(v);
        for &w in &g[v] {
            if !s.index.contains_key(w) {
                visit(w, g, s);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut group = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                group.push(w);
                if w == v {
                    break;
                }
            }
            group.sort_unstable();
            s.found.push(group);
        }
    }
    let mut s = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        found: Vec::new(),
    };
    for &v in graph.keys() {
        if !s.index.contains_key(v) {
            visit(v, graph, &mut s);
        }
    }
    s.found
}

fn layer_index(module: &str) -> usize {
    let layer = module.split("::").next().unwrap_or_default();
    LAYERS.iter().position(|l| *l == layer).unwrap_or(0)
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The module path of a file under `src/`: `domain/config/gate.rs` → `[domain, config, gate]`.
fn segments_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The module (layer and its child) a file belongs to; None for the crate root and binaries.
fn module_of(rel: &Path) -> Option<String> {
    let parts = segments_of(rel);
    match parts.first().map(String::as_str) {
        None | Some("lib" | "bin" | "main") => None,
        Some(_) if parts.len() == 1 => Some(parts[0].clone()),
        Some(_) => Some(format!("{}::{}", parts[0], parts[1])),
    }
}

/// The module a `crate::…` path names, or None when it names no layer.
fn module_of_path(path: &str) -> Option<String> {
    let mut parts = path.split("::").skip(1);
    let layer = parts.next()?;
    if !LAYERS.contains(&layer) {
        return None;
    }
    Some(match parts.next() {
        Some(m) if m != "*" => format!("{layer}::{m}"),
        _ => layer.to_string(),
    })
}

/// Every path into the crate, absolute (`crate::a::b`) or relative (`super::b` resolved against
/// the file's own module path), with its line; `crate::a::{b, c::d}` gives one path per item.
fn crate_paths(code: &str, segments: &[String]) -> Vec<(usize, String)> {
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let word_start = i == 0 || !is_ident(bytes[i - 1]) && bytes[i - 1] != b':';
        let rest = &code[i..];
        let base: Option<(Vec<String>, usize)> = if !word_start {
            None
        } else if rest.starts_with("crate::") {
            Some((vec!["crate".into()], "crate::".len()))
        } else if rest.starts_with("super::") {
            let mut up = 0;
            let mut len = 0;
            while code[i + len..].starts_with("super::") {
                up += 1;
                len += "super::".len();
            }
            let keep = segments.len().saturating_sub(up);
            let mut base = vec!["crate".to_string()];
            base.extend(segments[..keep].iter().cloned());
            Some((base, len))
        } else {
            None
        };
        let Some((base, len)) = base else {
            i += 1;
            continue;
        };
        let line = code[..i].matches('\n').count() + 1;
        let mut j = i + len;
        let mut path = base;
        loop {
            let start = j;
            while j < bytes.len() && is_ident(bytes[j]) {
                j += 1;
            }
            if j > start {
                path.push(code[start..j].to_string());
            }
            if code[j..].starts_with("::{") {
                let close = code[j..].find('}').map_or(bytes.len(), |c| j + c);
                for item in code[j + 3..close].split(',') {
                    let item: String = item
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .split("::")
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    if !item.is_empty() && item != "self" {
                        found.push((line, format!("{}::{item}", path.join("::"))));
                    } else if item == "self" {
                        found.push((line, path.join("::")));
                    }
                }
                j = close;
                break;
            }
            if code[j..].starts_with("::") && j > start {
                j += 2;
                continue;
            }
            found.push((line, path.join("::")));
            break;
        }
        i = j.max(i + 1);
    }
    found
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The source with comments and the insides of string and character literals blanked (their
/// newlines kept, so line numbers hold): a path in a doc comment or a message is no import.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        i = if b[i..].starts_with(b"//") {
            line_comment(b, i, &mut out)
        } else if b[i..].starts_with(b"/*") {
            block_comment(b, i, &mut out)
        } else if b[i] == b'r'
            && (i == 0 || !is_ident(b[i - 1]))
            && b[i + 1..].iter().take_while(|&&c| c == b'#').count() > 0
            || b[i..].starts_with(b"r\"") && (i == 0 || !is_ident(b[i - 1]))
        {
            raw_string(b, i, &mut out)
        } else if b[i] == b'"' {
            string(b, i, &mut out)
        } else if b[i] == b'\'' {
            char_literal(text, i, &mut out)
        } else {
            out.push(b[i]);
            i + 1
        };
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A blank for byte `c` of a comment or literal: a space, or the newline it is.
fn blank(out: &mut Vec<u8>, c: u8) {
    out.push(if c == b'\n' { b'\n' } else { b' ' });
}

/// The `//` comment at `i` blanked to its line end; returns where it ends.
fn line_comment(b: &[u8], mut i: usize, out: &mut Vec<u8>) -> usize {
    while i < b.len() && b[i] != b'\n' {
        out.push(b' ');
        i += 1;
    }
    i
}

/// The `/* */` comment at `i` blanked, nested ones within it too; returns where it ends.
fn block_comment(b: &[u8], mut i: usize, out: &mut Vec<u8>) -> usize {
    let mut depth = 0;
    while i < b.len() {
        if b[i..].starts_with(b"/*") {
            depth += 1;
            out.extend(b"  ");
            i += 2;
        } else if b[i..].starts_with(b"*/") {
            depth -= 1;
            out.extend(b"  ");
            i += 2;
            if depth == 0 {
                break;
            }
        } else {
            blank(out, b[i]);
            i += 1;
        }
    }
    i
}

/// The raw string (`r"…"`, `r#"…"#`) at `i` blanked; an `r` that starts none is kept. Returns
/// where it ends.
fn raw_string(b: &[u8], mut i: usize, out: &mut Vec<u8>) -> usize {
    let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
    if b.get(i + 1 + hashes) != Some(&b'"') {
        out.push(b[i]);
        return i + 1;
    }
    let mut close = vec![b'"'];
    close.extend(std::iter::repeat_n(b'#', hashes));
    out.resize(out.len() + 2 + hashes, b' ');
    i += 2 + hashes;
    while i < b.len() && !b[i..].starts_with(&close) {
        blank(out, b[i]);
        i += 1;
    }
    out.resize(out.len() + close.len(), b' ');
    i + close.len()
}

/// The string literal at `i` blanked, escapes and all; returns where it ends.
fn string(b: &[u8], mut i: usize, out: &mut Vec<u8>) -> usize {
    out.push(b' ');
    i += 1;
    while i < b.len() && b[i] != b'"' {
        if b[i] == b'\\' {
            blank(out, b[i]);
            i += 1;
        }
        if i < b.len() {
            blank(out, b[i]);
            i += 1;
        }
    }
    out.push(b' ');
    i + 1
}

/// A character literal ('a', '\n', '\u{1b}') at `i` blanked, or the quote of a lifetime ('a)
/// kept; returns where it ends.
fn char_literal(text: &str, i: usize, out: &mut Vec<u8>) -> usize {
    let b = text.as_bytes();
    let end = if b.get(i + 1) == Some(&b'\\') {
        b[i + 2..]
            .iter()
            .position(|&c| c == b'\'')
            .map(|p| i + 2 + p)
    } else {
        let len = text[i + 1..].chars().next().map_or(1, char::len_utf8);
        (b.get(i + 1 + len) == Some(&b'\'')).then_some(i + 1 + len)
    };
    match end {
        Some(end) => {
            out.resize(out.len() + end + 1 - i, b' ');
            end + 1
        }
        None => {
            out.push(b'\'');
            i + 1
        }
    }
}

#[test]
fn the_source_tree_keeps_its_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let problems = check(&src);
    assert!(
        problems.is_empty(),
        "{} problem(s) with the layers of src/ (docs/architecture.md):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// A small tree, file by file.
fn fixture(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn the_checker_names_an_upward_import_with_its_file_and_line() {
    let tree = fixture(&[
        ("lib.rs", "pub mod domain;\npub mod app;\n"),
        ("domain/mod.rs", "pub mod rules;\n"),
        (
            "domain/rules.rs",
            "//! crate::app::engine in a comment is no import\n\
             const S: &str = \"crate::app::engine\";\n\
             use crate::app::engine::Position;\n",
        ),
        ("app/mod.rs", "pub mod engine;\n"),
        ("app/engine.rs", "pub enum Position {}\n"),
    ]);
    assert_eq!(
        check(tree.path()),
        [
            "src/domain/rules.rs:3: `crate::app::engine::Position` points up, from domain to app: \
          move what both need down, or pass it in"
        ]
    );
}

#[test]
fn the_checker_names_a_circle_between_modules_of_one_layer() {
    let tree = fixture(&[
        (
            "adapters/provider/mod.rs",
            "use crate::adapters::{http::Client, notify};\n",
        ),
        (
            "adapters/http.rs",
            "fn f() { super::super::adapters::provider::open(); }\n",
        ),
        ("adapters/notify.rs", "fn g<'a>(c: char) { let _ = 'x'; }\n"),
        ("domain/error.rs", "pub struct Error;\n"),
    ]);
    assert_eq!(
        check(tree.path()),
        ["a circle between adapters::http, adapters::provider:\n    \
          src/adapters/http.rs:1: `crate::adapters::provider::open` (adapters::http -> adapters::provider)\n    \
          src/adapters/provider/mod.rs:1: `crate::adapters::http` (adapters::provider -> adapters::http)"]
    );
}

#[test]
fn the_checker_keeps_the_decision_layer_free_of_io_and_files_short() {
    let long = "fn f() {}\n".repeat(MAX_FILE_LINES + 1);
    let tree = fixture(&[
        (
            "app/decide.rs",
            "fn now() { let t = chrono::Utc::now(); }\n",
        ),
        ("app/watch.rs", &long),
        ("config.rs", "use crate::config::Config;\n"),
    ]);
    assert_eq!(
        check(tree.path()),
        [
            "src/app/decide.rs:1: `Utc::now` in app::decide: deciding does no I/O and reads no \
             clock; take it as a fact instead"
                .to_string(),
            format!(
                "src/app/watch.rs: {} lines, over {MAX_FILE_LINES}: split it by what it holds",
                MAX_FILE_LINES + 1
            ),
            "src/config.rs:1: `crate::config::Config` names no layer folder: the top of `src/` \
             holds only domain, ports, adapters, app, interface"
                .to_string(),
        ]
    );
}
