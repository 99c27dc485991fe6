//! Input written to hurt: each is refused with exit 2, the file:line:col and the limit, fast and
//! in bounded memory (the worst ones run under a kernel address-space limit), and nothing from it
//! reaches the terminal raw.

use std::path::Path;

use crate::test::{Project, Test};

/// The address space the binaries get for the worst inputs: a few tens of MB.
const MEMORY_LIMIT: u64 = 64 << 20;

/// `bin ARGS` in `p`, under the address-space limit.
fn limited(p: &Project, bin: &str, args: &[&str]) -> Test {
    let mut all = vec![
        format!("--as={MEMORY_LIMIT}"),
        "--".to_string(),
        bin.to_string(),
    ];
    all.extend(args.iter().map(ToString::to_string));
    Test::new("prlimit", p.dir.path(), all)
}

/// 10 levels of anchors, each a list of 9 aliases of the one before (9^10 values expanded).
fn alias_bomb() -> String {
    let mut out = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        out.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 9].join(", ")
        ));
    }
    out
}

const STAGES: &str =
    "flag: f\nstages:\n  - { name: a, percentage: 10 }\n  - { name: b, percentage: 100 }\n";

#[test]
fn an_alias_bomb_is_refused_within_the_memory_limit() {
    let p = Project::new().file(
        "stages.yaml",
        &format!("{}flag: f\nstages: [*a9]\n", alias_bomb()),
    );
    let started = std::time::Instant::now();
    for args in [&["validate"][..], &["status"], &["plan"]] {
        let done = limited(&p, env!("CARGO_BIN_EXE_rollout"), args)
            .status(2)
            .run();
        assert_eq!(
            done.stderr,
            "error: stages.yaml:6:10: aliases here expand to more than 100000 values (the alias expansion limit)\n  help: write the values out, or use fewer aliases of aliases\n"
        );
    }
    assert!(
        started.elapsed().as_secs() < 3,
        "took {:?}",
        started.elapsed()
    );
    assert!(!p.exists(".rollout"));
}

#[test]
fn an_alias_bomb_in_a_checklist_is_refused_within_the_memory_limit() {
    let p = Project::new().file("stages.yaml", STAGES).file(
        "checklists/boom.yaml",
        &format!("{}tasks: [*a9]\n", alias_bomb()),
    );
    let done = limited(&p, env!("CARGO_BIN_EXE_checklist"), &["run", "boom"])
        .status(2)
        .run();
    assert_eq!(
        done.stderr,
        "error: checklists/boom.yaml:6:10: aliases here expand to more than 100000 values (the alias expansion limit)\n  help: write the values out, or use fewer aliases of aliases\n"
    );
    limited(&p, env!("CARGO_BIN_EXE_rollout"), &["validate"])
        .status(2)
        .stderr_has("checklists/boom.yaml:6:10: aliases here expand")
        .run();
}

#[test]
fn size_line_and_nesting_limits_name_the_place_and_the_limit() {
    let cases: [(&str, Vec<u8>, &str); 4] = [
        (
            "a file over 8 MiB",
            format!("flag: f\nstages:\n{}", "  - { name: a, percentage: 5 }\n".repeat(300_000)).into_bytes(),
            "error: stages.yaml:270602:24: the file is larger than the limit of 8 MiB\n  help: split it, or shorten it: this is far more than a stage table or checklist needs\n",
        ),
        (
            "a line over 64 KiB",
            format!("flag: f\nstages: [{{ name: a, percentage: 5, users: [{}] }}]\n", "u, ".repeat(30_000)).into_bytes(),
            "error: stages.yaml:2:65537: this line is longer than the limit of 64 KiB\n  help: break it up: write a long list one entry a line (`- item`)\n",
        ),
        (
            "nesting 100 deep",
            format!("flag: f\nstages: {}{}\n", "[".repeat(100), "]".repeat(100)).into_bytes(),
            "error: stages.yaml:2:72: lists and mappings are nested more than 64 deep (the nesting limit)\n  help: flatten the structure: stages.yaml and checklists need a few levels at most\n",
        ),
        (
            "a byte that is not UTF-8",
            b"flag: f\nstages:\n  - { name: caf\xe9, percentage: 5 }\n".to_vec(),
            "error: stages.yaml:3:16: the file is not UTF-8 text (byte 0xe9 here)\n  help: save the file as UTF-8\n",
        ),
    ];
    for (what, bytes, expected) in cases {
        let p = Project::new();
        std::fs::write(p.path("stages.yaml"), &bytes).unwrap();
        let started = std::time::Instant::now();
        let done = limited(&p, env!("CARGO_BIN_EXE_rollout"), &["validate"])
            .status(2)
            .run();
        assert_eq!(done.stderr, expected, "{what}");
        assert!(
            started.elapsed().as_secs() < 2,
            "{what}: took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn a_stage_table_as_big_as_a_device_is_read_no_further_than_the_limit() {
    // A stages.yaml that never ends (a FIFO fed forever would do the same): only the first
    // 8 MiB + 1 byte are read.
    let p = Project::new();
    let path = p.path("stages.yaml");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(1 << 30).unwrap(); // 1 GiB of NUL bytes, sparse on disk.
    let done = limited(&p, env!("CARGO_BIN_EXE_rollout"), &["validate"])
        .status(2)
        .run();
    assert!(
        done.stderr.starts_with(
            "error: stages.yaml:1:8388609: the file is larger than the limit of 8 MiB\n"
        ),
        "{}",
        done.stderr
    );
}

#[test]
fn control_characters_in_names_are_refused_with_their_place() {
    let cases = [
        (
            "flag: \"f\\e]0;pwned\\a\"\nstages: [{ name: a, percentage: 5 }]\n",
            "error: stages.yaml:1:7: `flag` holds the control character U+001B (character 2 of the value)\n  help: remove it: control characters would be sent to the terminal of whoever prints this\n",
        ),
        (
            "flag: f\nstages:\n  - { name: \"be\\x9bta\", percentage: 5 }\n",
            "error: stages.yaml:3:13: the name of stage 1 holds the control character U+009B (character 3 of the value)\n  help: remove it: control characters would be sent to the terminal of whoever prints this\n",
        ),
        (
            "flag: f\nstages:\n  - { name: a, percentage: 5, users: [\"al\\0ice\"], groups: [\"x\\e[2Jy\"] }\n",
            "error: stages.yaml:3:39: each entry of `users` of stage 1 holds the control character U+0000 (character 3 of the value)\n  help: remove it: control characters would be sent to the terminal of whoever prints this\nstages.yaml:3:60: each entry of `groups` of stage 1 holds the control character U+001B (character 2 of the value)\n  help: remove it: control characters would be sent to the terminal of whoever prints this\n2 problems in stages.yaml\n",
        ),
        (
            "flag: f\n\"ke\\ey\": 1\nstages: [{ name: a, percentage: 5 }]\n",
            "error: stages.yaml:2:1: a key in stages.yaml holds the control character U+001B (character 3 of the value)\n  help: remove it: control characters would be sent to the terminal of whoever prints this\n",
        ),
    ];
    for (yaml, expected) in cases {
        let p = Project::new().file("stages.yaml", yaml);
        for cmd in ["validate", "plan", "status", "advance"] {
            let done = p.rollout([cmd]).status(2).run();
            assert_eq!(done.stderr, expected, "`{cmd}` on:\n{yaml}");
        }
    }
}

#[test]
fn control_characters_in_checklist_ids_and_names_are_refused() {
    let p = Project::new().file("stages.yaml", STAGES).file(
        "checklists/c.yaml",
        "title: \"T\\e]2;x\\a\"\ntasks:\n  - { name: \"Run \\e[8mhidden\", run: 'true' }\n  - { name: B, id: \"b\\0\", run: 'true' }\n",
    );
    let done = p.checklist(["run", "c"]).status(2).run();
    assert_eq!(
        done.stderr,
        "error: checklists/c.yaml:1:8: `title` holds the control character U+001B (character 2 of the value)\n  help: remove it: control characters would be sent to the terminal of whoever prints this\nchecklists/c.yaml:3:13: the name of task 1 holds the control character U+001B (character 5 of the value)\n  help: remove it: control characters would be sent to the terminal of whoever prints this\nchecklists/c.yaml:4:20: `id` holds the control character U+0000 (character 2 of the value)\n  help: remove it: control characters would be sent to the terminal of whoever prints this\n3 problems in checklists/c.yaml\n"
    );
}

#[test]
fn task_output_keeps_colours_and_shows_other_controls_as_escapes() {
    let p = Project::new().file("stages.yaml", STAGES).file(
        "checklists/c.yaml",
        "tasks:\n  - { name: Noisy, id: noisy, run: \"printf 'a\\\\033]0;pwned\\\\007b \\\\033[31mred\\\\033[0m \\\\033[2Jc\\\\n'; exit 1\" }\n",
    );
    let done = p.checklist(["run", "c", "-v"]).status(1).run();
    let shown = "a\\x1b]0;pwned\\x07b \u{1b}[31mred\u{1b}[0m \\x1b[2Jc";
    assert!(done.stderr.contains(shown), "{}", done.stderr);
    for text in [&done.stdout, &done.stderr] {
        assert!(!text.contains("\u{1b}]"), "a raw OSC: {text:?}");
        assert!(!text.contains("\u{7}"), "a raw BEL: {text:?}");
        assert!(!text.contains("\u{1b}[2J"), "a raw screen clear: {text:?}");
    }
    let logs = p.path(".rollout");
    let mut all = String::new();
    walk(&logs, &mut all);
    assert!(all.contains("\\x1b]0;pwned"), "the log shows the escape");
    assert!(!all.contains("\u{1b}]0;pwned"), "the log holds a raw OSC");
}

fn walk(dir: &Path, out: &mut String) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = e.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
        }
    }
}

#[test]
fn provider_urls_with_credentials_or_secret_parameters_are_refused_from_every_source() {
    let unleash = "flag: f\nprovider: { kind: unleash }\nstages: [{ name: a, percentage: 5 }]\n";
    let p = Project::new().file("stages.yaml", unleash);
    for cmd in ["validate", "status", "advance"] {
        let done = p
            .rollout([cmd, "-v"])
            .env(
                "ROLLOUT_PROVIDER_URL",
                "http://admin:PASSWORD-9f8e@127.0.0.1:9",
            )
            .env("UNLEASH_API_TOKEN", "default:development.tok3n-half-5a4b")
            .status(2)
            .stderr_lacks("PASSWORD-9f8e")
            .run();
        // The place is the provider block that takes its URL from the variable.
        let expected = "error: stages.yaml:2:11: ROLLOUT_PROVIDER_URL holds credentials (`user:password@`); secrets never live in a URL\n  help: give the server address alone (e.g. https://unleash.example.com) and export the token in UNLEASH_API_TOKEN (or the variable `token_env:` names)\n";
        assert_eq!(done.stderr, expected, "{cmd}");
    }
    p.rollout(["status"])
        .env(
            "ROLLOUT_PROVIDER_URL",
            "http://127.0.0.1:9/api?apikey=K3Y-77aa",
        )
        .env("UNLEASH_API_TOKEN", "default:development.tok3n-half-5a4b")
        .status(2)
        .stderr_has(
            "ROLLOUT_PROVIDER_URL has the query parameter `apikey`, which looks like a secret",
        )
        .stderr_lacks("K3Y-77aa")
        .run();
    for (yaml, place, message) in [
        (
            "flag: f\nprovider: { kind: unleash, url: \"http://127.0.0.1:9/?token=K3Y-77aa\" }\nstages: [{ name: a, percentage: 5 }]\n",
            "stages.yaml:2:33",
            "the `url` in `provider` has the query parameter `token`",
        ),
        (
            "flag: f\nprovider: { kind: unleash, url: \"http://127.0.0.1:9\" }\nenvironments:\n  staging: { url: \"https://u:K3Y-77aa@h.example.com\" }\nstages: [{ name: a, percentage: 5 }]\n",
            "stages.yaml:4:19",
            "the `url` in environment `staging` holds credentials",
        ),
    ] {
        let p = Project::new().file("stages.yaml", yaml);
        p.rollout(["validate"])
            .status(2)
            .stderr_has(&format!("{place}: {message}"))
            .stderr_lacks("K3Y-77aa")
            .run();
    }
}

#[test]
fn a_huge_journal_line_is_skipped_as_damaged() {
    let p = Project::new().file("stages.yaml", STAGES);
    p.rollout(["advance"]).run();
    let mut journal = std::fs::read(p.path(".rollout/journal.jsonl")).unwrap();
    let good = journal.clone();
    // An advance writes its intent and its outcome: the huge line follows both.
    let good_lines = good.iter().filter(|b| **b == b'\n').count();
    journal.extend(format!("{{\"reason\":\"{}\"}}\n", "x".repeat(1 << 20)).into_bytes());
    journal.extend(&good);
    std::fs::write(p.path(".rollout/journal.jsonl"), journal).unwrap();
    let done = limited(&p, env!("CARGO_BIN_EXE_rollout"), &["history", "--json"]).run();
    let doc = done.json();
    assert_eq!(doc["entries"].as_array().map(Vec::len), Some(2), "{doc}");
    assert_eq!(doc["damaged"][0]["line"], good_lines + 1, "{doc}");
    assert!(
        doc["damaged"][0]["error"]
            .as_str()
            .unwrap()
            .contains("longer than the limit of 65536"),
        "{doc}"
    );
}

/// A stand-in provider that answers every request with `status` and `body` (JSON).
fn answering(status: u16, body: &'static str) -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 2 {
                line.clear();
            }
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

#[test]
fn provider_text_is_printed_with_control_characters_visible() {
    let port = answering(
        400,
        r#"{"message":"bad request \u001b]0;pwned\u0007\u001b[2J\u009b31m here"}"#,
    );
    let p = Project::new().file(
        "stages.yaml",
        &format!("flag: f\nprovider: {{ kind: unleash, url: \"http://127.0.0.1:{port}\" }}\nstages: [{{ name: a, percentage: 5 }}]\n"),
    );
    for args in [&["status", "-v"][..], &["advance", "-v"], &["kill", "-v"]] {
        let done = p
            .rollout(args)
            .env("UNLEASH_API_TOKEN", "default:development.tok3n-half-5a4b")
            .status(4)
            .run();
        assert!(
            done.stderr
                .contains("bad request \\x1b]0;pwned\\x07\\x1b[2J\\u{9b}31m here"),
            "{args:?}: {}",
            done.stderr
        );
        for raw in ["\u{1b}", "\u{7}", "\u{9b}"] {
            assert!(
                !done.stderr.contains(raw),
                "{args:?}: raw {raw:?} in {:?}",
                done.stderr
            );
            assert!(
                !done.stdout.contains(raw),
                "{args:?}: raw {raw:?} in {:?}",
                done.stdout
            );
        }
    }
}

/// `--json` output carries text from the journal, a provider or a task: serde_json escapes the
/// C0 controls but leaves DEL, the C1 controls (U+009B is a CSI to some terminals) and the
/// bidirectional overrides as they are; every JSON output escapes those too.
#[test]
fn json_output_escapes_the_controls_serde_json_leaves_raw() {
    let p = Project::builder_cards();
    p.rollout(["advance"]).at("2024-01-19T09:00:00Z").run();
    let reason = "spike \u{9b}31m red \u{202e}rev \u{7f}";
    p.rollout(["kill", "--reason", reason, "--yes"])
        .at("2024-01-19T10:00:00Z")
        .run();
    let done = p
        .rollout(["history", "--json", "--limit", "1"])
        .at("2024-01-19T11:00:00Z")
        .run();
    assert!(
        done.stdout
            .contains(r#""reason": "spike \u009b31m red \u202erev \u007f""#),
        "{}",
        done.stdout
    );
    for c in ['\u{9b}', '\u{202e}', '\u{7f}'] {
        assert!(!done.stdout.contains(c), "a raw {c:?}: {}", done.stdout);
    }
    assert_eq!(done.json()["entries"][0]["reason"], reason);
}
