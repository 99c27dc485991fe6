//! Property-based fuzzing of every parser that reads a file a person or an attacker wrote:
//! stages.yaml, checklists and journal lines. The generators know the structure (stage tables,
//! task lists, anchors and aliases, nesting) and spoil it with what breaks parsers (control
//! characters, huge scalars, deep nesting, alias bombs, invalid UTF-8, random bytes). For every
//! input: no panic; accepted, or refused with exit 2 and `file:line:col:` on every problem; and
//! what is accepted holds no control character in a name.
//!
//! Bounded in time: a fixed number of cases per property (PROPTEST_CASES raises it for a longer
//! run), with no failure files written into the tree.

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::Config as PropConfig;

use rollout::domain::checklist::Checklist;
use rollout::domain::config::Config;

fn config(cases: u32) -> PropConfig {
    PropConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(cases),
        failure_persistence: None,
        ..PropConfig::default()
    }
}

/// A control character a terminal would act on.
fn control() -> impl Strategy<Value = char> {
    prop_oneof![
        Just('\u{1b}'),
        Just('\0'),
        Just('\u{7}'),
        Just('\r'),
        Just('\u{7f}'),
        Just('\u{9b}'),
        Just('\u{85}'),
        Just('\u{202e}'),
        (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap()),
        (0x80u32..0xa0).prop_map(|c| char::from_u32(c).unwrap()),
    ]
}

/// A word, sometimes with a control character in it, sometimes huge.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-z][a-z0-9_-]{0,10}",
        2 => ("[a-z]{1,4}", control(), "[a-z]{0,4}").prop_map(|(a, c, b)| format!("{a}{c}{b}")),
        1 => (1usize..200_000).prop_map(|n| "x".repeat(n)),
        1 => "\\PC{0,12}",
    ]
}

/// `text` written as a YAML scalar: plain, or double-quoted with escapes (how control
/// characters get into a value in a valid file).
fn scalar(text: &str, quoted: bool) -> String {
    if quoted
        || text
            .chars()
            .any(|c| c.is_control() || "\"':#{}[],&*!|>%@`".contains(c))
    {
        let mut out = String::from("\"");
        for c in text.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    } else {
        text.to_string()
    }
}

#[derive(Debug, Clone)]
struct StageGen {
    name: String,
    pct: String,
    users: Vec<String>,
    anchor_users: bool,
    alias_users: bool,
}

fn stage() -> impl Strategy<Value = StageGen> {
    (
        word(),
        prop_oneof![
            // Mostly a valid, increasing percentage (filled in by position), so that the other
            // parts of the stage decide whether the table is accepted.
            8 => Just(String::new()),
            1 => (0u32..=100).prop_map(|n| n.to_string()),
            1 => (0u32..=100_000).prop_map(|n| format!("{}.{:03}", n / 1000, n % 1000)),
            1 => prop::sample::select(vec!["1e309", "-5", "NaN", "0x10", "50%"]).prop_map(String::from),
            1 => Just("9".repeat(400)),
        ],
        prop::collection::vec(word(), 0..4),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(name, pct, users, anchor_users, alias_users)| StageGen {
            name,
            pct,
            users,
            anchor_users,
            alias_users,
        })
}

/// An alias bomb: `levels` anchors, each a list of `width` aliases of the one before.
fn bomb(levels: usize, width: usize) -> String {
    let mut out = format!("b0: &b0 [{}]\n", vec!["x"; width].join(", "));
    for i in 1..levels {
        let refs = vec![format!("*b{}", i - 1); width].join(", ");
        out.push_str(&format!("b{i}: &b{i} [{refs}]\n"));
    }
    out
}

/// A structured stage table, then spoiled.
fn stage_table() -> impl Strategy<Value = Vec<u8>> {
    (
        word(),
        prop::collection::vec(stage(), 0..6),
        any::<bool>(),
        prop_oneof![Just(0usize), 1usize..100],
        prop_oneof![6 => Just((0usize, 0usize)), 1 => (1usize..12, 1usize..12)],
    )
        .prop_map(|(flag, stages, quoted, nesting, (levels, width))| {
            let mut out = format!("flag: {}\n", scalar(&flag, quoted));
            if levels > 0 {
                out.push_str(&bomb(levels, width));
            }
            if nesting > 0 {
                out.push_str(&format!(
                    "deep: {}x{}\n",
                    "[".repeat(nesting),
                    "]".repeat(nesting)
                ));
            }
            out.push_str("stages:\n");
            let mut anchored = false;
            for (i, s) in stages.iter().enumerate() {
                let pct = if s.pct.is_empty() {
                    (i as u32 + 1) * 10
                } else {
                    0
                };
                let pct = if s.pct.is_empty() {
                    pct.to_string()
                } else {
                    s.pct.clone()
                };
                out.push_str(&format!(
                    "  - name: {}\n    percentage: {}\n",
                    scalar(&s.name, quoted),
                    pct
                ));
                if s.alias_users && anchored {
                    out.push_str("    users: *u\n");
                } else {
                    let users: Vec<String> = s.users.iter().map(|u| scalar(u, quoted)).collect();
                    let anchor = if s.anchor_users { "&u " } else { "" };
                    anchored |= s.anchor_users;
                    out.push_str(&format!("    users: {anchor}[{}]\n", users.join(", ")));
                }
            }
            out.into_bytes()
        })
}

/// A structured checklist, then spoiled.
fn checklist() -> impl Strategy<Value = Vec<u8>> {
    (
        word(),
        prop::collection::vec((word(), prop::option::of(word()), word(), 0u8..4), 0..6),
        any::<bool>(),
        prop_oneof![6 => Just((0usize, 0usize)), 1 => (1usize..12, 1usize..12)],
    )
        .prop_map(|(title, tasks, quoted, (levels, width))| {
            let mut out = format!("title: {}\n", scalar(&title, quoted));
            if levels > 0 {
                out.push_str(&bomb(levels, width));
            }
            out.push_str("tasks:\n");
            for (name, id, body, kind) in &tasks {
                out.push_str(&format!("  - name: {}\n", scalar(name, quoted)));
                if let Some(id) = id {
                    out.push_str(&format!("    id: {}\n", scalar(id, quoted)));
                }
                let key = ["run", "manual", "require_env", "rollout"][usize::from(*kind)];
                out.push_str(&format!("    {key}: {}\n", scalar(body, quoted)));
            }
            out.into_bytes()
        })
}

/// Damage done to a well-formed file: bytes that are not UTF-8, control characters, YAML
/// punctuation, deletions.
#[derive(Debug, Clone)]
enum Spoil {
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
}

fn spoils() -> impl Strategy<Value = Vec<Spoil>> {
    let bytes = prop_oneof![
        Just(vec![0xff]),
        Just(vec![0xc3]),
        Just(vec![0xe2, 0x82]),
        Just(vec![0xed, 0xa0, 0x80]),
        control().prop_map(|c| c.to_string().into_bytes()),
        prop::sample::select(vec![
            ":",
            "-",
            "[",
            "{",
            "}",
            "]",
            "\n",
            "  ",
            "'",
            "\"",
            "#",
            "&a ",
            "*a",
            "!!int ",
            "---\n",
            "<<: *a",
            "? ",
            "|",
            "%YAML 1.2\n",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        prop::collection::vec(any::<u8>(), 1..8),
    ];
    prop::collection::vec(
        prop_oneof![
            3 => (any::<usize>(), bytes).prop_map(|(at, b)| Spoil::Insert(at, b)),
            1 => (any::<usize>(), 1usize..20).prop_map(|(at, n)| Spoil::Delete(at, n)),
        ],
        0..4,
    )
}

fn apply(mut text: Vec<u8>, spoils: &[Spoil]) -> Vec<u8> {
    for s in spoils {
        match s {
            Spoil::Insert(at, bytes) => {
                let at = at % (text.len() + 1);
                text.splice(at..at, bytes.iter().copied());
            }
            Spoil::Delete(at, n) => {
                let at = at % (text.len() + 1);
                let end = (at + n).min(text.len());
                text.drain(at..end);
            }
        }
    }
    text
}

/// Every line of a refusal is `file:line:col: ...`, a `help:` line, or the summary.
fn assert_positioned(file: &str, message: &str, input: &[u8]) {
    for line in message.lines() {
        let ok = line.starts_with("  help: ")
            || line.ends_with(&format!("problems in {file}"))
            || line.starts_with("... and ")
            || line
                .strip_prefix(&format!("{file}:"))
                .and_then(|rest| {
                    let mut parts = rest.splitn(3, ':');
                    let line_no: usize = parts.next()?.parse().ok()?;
                    let col: usize = parts.next()?.parse().ok()?;
                    (line_no >= 1 && col >= 1 && parts.next()?.starts_with(' ')).then_some(())
                })
                .is_some();
        assert!(
            ok,
            "a problem without a place: {line:?}\nin:\n{message}\nfor input {:?}",
            String::from_utf8_lossy(&input[..input.len().min(2000)])
        );
        assert!(
            !line.chars().any(rollout::domain::sanitize::is_control),
            "a raw control character in the message: {line:?}"
        );
    }
}

fn clean(text: &str) -> bool {
    !text.chars().any(rollout::domain::sanitize::is_control)
}

proptest! {
    #![proptest_config(config(160))]

    #[test]
    fn stage_tables_are_accepted_clean_or_refused_with_a_place(
        table in stage_table(),
        spoils in spoils(),
    ) {
        let input = apply(table, &spoils);
        match Config::parse(Path::new("stages.yaml"), &input) {
            Ok(c) => {
                prop_assert!(clean(&c.flag), "flag {:?}", c.flag);
                for s in &c.stages {
                    prop_assert!(clean(&s.name), "stage {:?}", s.name);
                    for u in s.users.iter().chain(&s.groups) {
                        prop_assert!(clean(u), "user {:?}", u);
                    }
                }
            }
            Err(e) => {
                prop_assert_eq!(e.exit_code(), 2);
                assert_positioned("stages.yaml", &e.message, &input);
            }
        }
    }

    #[test]
    fn checklists_are_accepted_clean_or_refused_with_a_place(
        list in checklist(),
        spoils in spoils(),
    ) {
        let input = apply(list, &spoils);
        match Checklist::parse(Path::new("checklists/x.yaml"), &input) {
            Ok(c) => {
                prop_assert!(clean(&c.title));
                for t in &c.tasks {
                    prop_assert!(clean(&t.id), "id {:?}", t.id);
                    prop_assert!(!t.name.chars().any(|c| rollout::domain::sanitize::is_control(c) && c != '\n' && c != '\t'), "name {:?}", t.name);
                }
            }
            Err(e) => {
                prop_assert_eq!(e.exit_code(), 2);
                assert_positioned("checklists/x.yaml", &e.message, &input);
            }
        }
    }

    /// A byte that is not UTF-8 is refused at its own line and column.
    #[test]
    fn invalid_utf8_is_refused_at_the_first_bad_byte(
        table in stage_table(),
        at in any::<usize>(),
        bad in prop::sample::select(vec![vec![0xffu8], vec![0xc3], vec![0xe2, 0x28], vec![0x80]]),
    ) {
        let text = String::from_utf8_lossy(&table).into_owned();
        let mut at = at % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let before = &text[..at];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
        let mut input = text.as_bytes().to_vec();
        input.splice(at..at, bad);
        let err = Config::parse(Path::new("stages.yaml"), &input).unwrap_err();
        let expected = format!("stages.yaml:{line}:{col}: the file is not UTF-8 text");
        prop_assert!(
            err.message.starts_with(&expected) || text.len() > 8 << 20,
            "expected {expected}, got {}", err.message
        );
    }

    /// Journal lines of any shape parse or are refused, and none past the limit is parsed.
    #[test]
    fn journal_lines_never_panic(
        line in prop_oneof![
            "\\PC{0,200}",
            prop::collection::vec(any::<u8>(), 0..300).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
            (0usize..200).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n))),
            (60_000usize..70_000).prop_map(|n| format!("{{\"reason\":\"{}\"}}", "x".repeat(n))),
            Just("{\"time\":\"2024-01-15T09:00:00Z\",\"actor\":\"a\"}".to_string()),
        ],
    ) {
        match rollout::adapters::journal::parse_line(&line) {
            Ok(v) => {
                prop_assert!(v.is_object());
                prop_assert!(line.len() <= rollout::adapters::journal::MAX_LINE_BYTES);
            }
            Err(why) => prop_assert!(!why.is_empty()),
        }
    }
}

proptest! {
    #![proptest_config(config(24))]

    /// Alias bombs of any shape stop at the expansion limit, quickly.
    #[test]
    fn alias_bombs_stop_at_the_limit(levels in 1usize..14, width in 1usize..16) {
        let source = format!("{}flag: f\nstages: [{{ name: a, percentage: 5, users: *b{} }}]\n", bomb(levels, width), levels - 1);
        let started = std::time::Instant::now();
        let result = Config::parse(Path::new("stages.yaml"), &source);
        let expanded = (1..=levels).fold(0f64, |acc, l| acc + (width as f64).powi(l as i32));
        if expanded > 200_000.0 {
            let err = result.unwrap_err();
            prop_assert!(err.message.contains("the alias expansion limit"), "{}", err.message);
        }
        prop_assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}
