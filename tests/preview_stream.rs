//! `preview` listings stream: the same output as before streaming (recorded in
//! tests/fixtures/preview/*.out by the build before it), memory bounded on any input.

use std::io::Read;
use std::process::{Command, Stdio};

use crate::test::Project;

const STAGES: &str = include_str!("fixtures/preview/stages.yaml");
const IDS: &str = include_str!("fixtures/preview/ids.txt");

/// The fixture project at `beta`, with its ids file (padded, CRLF, Unicode, quotes, control
/// characters, blank lines, listed users, no line end after the last id).
fn project() -> Project {
    let p = Project::new()
        .file("stages.yaml", STAGES)
        .file("ids.txt", IDS);
    p.walk_builder_cards_to("beta");
    p
}

/// (ids-json.out was re-recorded when JSON `--ids` came to list what text `--ids` lists, the
/// current state's ids: it is the document recorded before, less each stage's `ids`.)
const CASES: [(&str, &[&str]); 7] = [
    ("counts", &["preview", "--users", "ids.txt"]),
    ("counts-json", &["preview", "--users", "ids.txt", "--json"]),
    ("stage", &["preview", "beta", "--users", "ids.txt"]),
    (
        "stage-json",
        &["preview", "beta", "--users", "ids.txt", "--json"],
    ),
    ("ids", &["preview", "--ids", "--users", "ids.txt"]),
    (
        "ids-json",
        &["preview", "--ids", "--users", "ids.txt", "--json"],
    ),
    (
        "stage-ids-json",
        &[
            "preview", "limited", "--ids", "--users", "ids.txt", "--json",
        ],
    ),
];

fn recorded(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/preview/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn preview_prints_exactly_what_it_printed_before_streaming() {
    let p = project();
    for (name, args) in CASES {
        let done = p.rollout(args).at("2024-01-19T09:00:00Z").run();
        assert_eq!(
            done.stdout,
            recorded(&format!("{name}.out")),
            "stdout of {name}"
        );
        assert_eq!(
            done.stderr,
            recorded(&format!("{name}.err")),
            "stderr of {name}"
        );
        // The same ids on stdin give the same answer.
        let piped: Vec<&str> = args
            .iter()
            .map(|a| if *a == "ids.txt" { "-" } else { a })
            .collect();
        let done = p.rollout(piped).at("2024-01-19T09:00:00Z").stdin(IDS).run();
        // (The counts table names its source.)
        let expected = recorded(&format!("{name}.out")).replace("from ids.txt,", "from -,");
        assert_eq!(done.stdout, expected, "stdout of {name} from stdin");
    }
}

/// An endless stream of `x` with no line end, as `rollout ARGS`' stdin.
fn endless_line() -> std::process::Child {
    Command::new("sh")
        .args(["-c", "yes x | tr -d '\\n'"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn an_endless_line_is_refused_with_its_number_and_the_limit() {
    let p = project();
    for args in [
        &["preview", "--users", "-"][..],
        &["preview", "beta", "--users", "-", "--json"][..],
    ] {
        let mut feed = endless_line();
        let out = p
            .command(args)
            .stdin(feed.stdout.take().unwrap())
            .output()
            .unwrap();
        let _ = feed.kill();
        let _ = feed.wait();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "error: <stdin>:1: the line is longer than 65536 bytes, the limit for a user id\n\
             hint: the users file holds one user id a line\n"
        );
    }
    let mut long = "ok\n".repeat(1000);
    long.push_str(&"x".repeat(65_537));
    long.push_str("\nok\n");
    p.write("long.txt", &long);
    let done = p
        .rollout(["preview", "--users", "long.txt"])
        .status(2)
        .stderr_has("long.txt:1001: the line is longer than 65536 bytes")
        .run();
    assert_eq!(done.stdout, "");
    p.rollout(["preview", "--users", "-", "--ids"])
        .stdin(&long)
        .status(2)
        .stderr_has("<stdin>:1001: the line is longer than 65536 bytes")
        .run();
}

#[test]
fn a_listing_names_the_line_that_is_not_text() {
    let p = project();
    std::fs::write(p.path("bad.txt"), b"user-1\nuser-2\n\xff\xfe\nuser-3\n").unwrap();
    p.rollout(["preview", "beta", "--users", "bad.txt", "--json"])
        .status(2)
        .stderr_has("bad.txt:3: the line is not UTF-8 text")
        .run();
}

/// Exit code, bytes written to stdout and max RSS (KiB) of `rollout ARGS` under
/// `/usr/bin/time -v`, or None where that is missing.
pub fn measured(p: &Project, args: &[&str]) -> Option<(i32, u64, u64)> {
    measured_from(p, args, Stdio::null())
}

/// [`measured`] with `stdin` as the run's standard input.
pub fn measured_from(p: &Project, args: &[&str], stdin: Stdio) -> Option<(i32, u64, u64)> {
    if !std::path::Path::new("/usr/bin/time").exists() {
        eprintln!("/usr/bin/time is missing: memory not measured");
        return None;
    }
    let mut child = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_rollout"))
        .args(args)
        .current_dir(p.dir.path())
        .env("ROLLOUT_ACTOR", "t")
        .env("ROLLOUT_NOW", "2024-01-19T09:00:00Z")
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut bytes = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match stdout.read(&mut buf).unwrap() {
            0 => break,
            n => bytes += n as u64,
        }
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let rss = err
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no max RSS in {err}"));
    Some((out.status.code().unwrap_or(-1), bytes, rss))
}

#[test]
fn memory_stays_bounded_whatever_the_input_or_output_size() {
    let p = project();
    // Ids long enough that listing every one as JSON writes more than the bound.
    let ids: String = (0..1_500_000)
        .map(|i| format!("user-{i:07}-0123456789abcdef0123456789\n"))
        .collect();
    p.write("big.txt", &ids);
    drop(ids);
    let limit_kib = 64 * 1024;
    for args in [
        &["preview", "full", "--json", "--users", "big.txt"][..],
        &["preview", "--ids", "--json", "--users", "big.txt"][..],
        &["preview", "full", "--users", "big.txt"][..],
        &["preview", "--users", "-"][..],
    ] {
        // The last reads an endless line from stdin.
        let mut feed = (args.last() == Some(&"-")).then(endless_line);
        let stdin = feed
            .as_mut()
            .map_or_else(Stdio::null, |f| f.stdout.take().unwrap().into());
        let measure = measured_from(&p, args, stdin);
        if let Some(mut f) = feed {
            let _ = f.kill();
            let _ = f.wait();
        }
        let Some((code, bytes, rss)) = measure else {
            return;
        };
        eprintln!("{args:?}: exit {code}, {bytes} bytes out, max RSS {rss} KiB");
        assert!(rss < limit_kib, "{args:?} used {rss} KiB");
        if args[1..3] == ["full", "--json"] {
            assert_eq!(code, 0);
            // More output than the memory bound: the listing cannot have been held whole.
            assert!(bytes > limit_kib * 1024, "{bytes}");
        }
    }
}

/// Counting and listing read the same ids from the same lines: an id padded with Unicode
/// whitespace (no-break space, ideographic space, U+000B) is counted as the id it is listed as.
#[test]
fn counts_and_listings_agree_on_ids_padded_with_unicode_whitespace() {
    let ids: String = (0..400)
        .map(|i| match i % 4 {
            0 => format!("user-{i}\u{a0}\n"),
            1 => format!("\u{3000}user-{i}\n"),
            2 => format!("\u{b}user-{i}\u{b}\n"),
            _ => format!("user-{i}\n"),
        })
        .collect();
    let p = Project::new()
        .file("stages.yaml", STAGES)
        .file("ids.txt", &ids);
    p.walk_builder_cards_to("beta");
    let on = |args: &[&str]| -> Vec<u64> {
        let done = p.rollout(args).at("2024-01-19T09:00:00Z").run();
        let doc: serde_json::Value = serde_json::from_str(&done.stdout).unwrap();
        doc["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["on"].as_u64().unwrap())
            .collect()
    };
    let counted = on(&["preview", "--users", "ids.txt", "--json"]);
    let listed = on(&["preview", "--ids", "--users", "ids.txt", "--json"]);
    assert_eq!(counted, listed);
    // The same ids without the padding: the padding is not part of the id.
    let plain: String = (0..400).map(|i| format!("user-{i}\n")).collect();
    std::fs::write(p.path("plain.txt"), plain).unwrap();
    assert_eq!(on(&["preview", "--users", "plain.txt", "--json"]), counted);
}

#[test]
fn a_text_listing_shows_control_characters_as_escapes_not_to_the_terminal() {
    let p = project();
    std::fs::write(
        p.path("ctl.txt"),
        "plain\na\u{1b}]0;title\u{7}b\ncsi\u{9b}2J\nbidi\u{202e}txt\ntab\there\n",
    )
    .unwrap();
    let done = p
        .rollout(["preview", "full", "--users", "ctl.txt"])
        .at("2024-01-19T09:00:00Z")
        .run();
    assert_eq!(
        done.stdout,
        "plain\na\\x1b]0;title\\x07b\ncsi\\u{9b}2J\nbidi\\u{202e}txt\ntab\there\n"
    );
}

/// What `preview --users PATH` cannot read as user ids is refused before anything is read from
/// it: a named pipe with no writer (opening it would wait forever), a device, binary data. Each
/// exits 2 at once with the message in the snapshot.
#[test]
fn a_pipe_a_device_or_binary_data_is_refused_up_front() {
    use crate::snapshots::{settings, transcript};
    let p = project();
    nix::unistd::mkfifo(&p.path("fifo"), nix::sys::stat::Mode::S_IRWXU).unwrap();
    std::os::unix::fs::symlink("fifo", p.path("ids-link")).unwrap();
    // Random bytes (a fixed xorshift sequence): not text from the first line on.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let random: Vec<u8> = (0..4 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect();
    std::fs::write(p.path("random.bin"), &random).unwrap();
    let mut nul = b"user-1\nuser-2\n".to_vec();
    nul.extend([0u8; 64]);
    std::fs::write(p.path("nul.bin"), &nul).unwrap();
    for (name, users) in [
        ("preview_refuses_a_fifo", "fifo"),
        ("preview_refuses_a_link_to_a_fifo", "ids-link"),
        ("preview_refuses_a_device", "/dev/zero"),
        ("preview_refuses_random_bytes", "random.bin"),
        ("preview_refuses_a_nul_byte", "nul.bin"),
    ] {
        for args in [
            &["preview", "--users", users][..],
            &["preview", "beta", "--users", users, "--ids", "--json"][..],
        ] {
            let started = std::time::Instant::now();
            let done = p
                .rollout(args)
                .at("2024-01-19T09:00:00Z")
                .any_status()
                .run();
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "{args:?}"
            );
            settings(p.dir.path()).bind(|| insta::assert_snapshot!(name, transcript(&done)));
        }
    }
    // Binary data on stdin is refused the same way.
    let done = p
        .rollout(["preview", "--users", "-"])
        .at("2024-01-19T09:00:00Z")
        .stdin("user-1\n\0\0\0\n")
        .status(2)
        .run();
    assert_eq!(
        done.stderr,
        "error: <stdin>:2: the line holds a NUL byte: this is binary data, not user ids\n\
         hint: the users file holds one user id a line\n"
    );
}
