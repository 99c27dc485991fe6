//! Help that matches the binary: each command's own options apart from the global ones, an
//! example section everywhere, no empty `[env: …=]`, did-you-mean for subcommands, and no panic
//! when the reader of the output is gone.

use std::process::{Command, Stdio};

use crate::test::Project;

const ROLLOUT: &str = env!("CARGO_BIN_EXE_rollout");
const CHECKLIST: &str = env!("CARGO_BIN_EXE_checklist");

fn help(bin: &str, args: &[&str]) -> String {
    let out = Command::new(bin)
        .args(args)
        .arg("--help")
        .env("ROLLOUT_DIR", "")
        .env("ROLLOUT_ENV", "")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{bin} {args:?} --help");
    String::from_utf8(out.stdout).unwrap()
}

/// The option names (`--x`) of one `Heading:` section of a help text.
fn section(text: &str, heading: &str) -> Vec<String> {
    let Some(start) = text.find(&format!("\n{heading}:\n")) else {
        return Vec::new();
    };
    text[start + heading.len() + 3..]
        .lines()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_whitespace().find(|w| w.starts_with("--")))
        .map(|w| w.trim_end_matches(',').to_string())
        .collect()
}

const GLOBAL: [&str; 10] = [
    "--dir",
    "--env",
    "--dry-run",
    "--json",
    "--color",
    "--quiet",
    "--verbose",
    "--yes",
    "--actor",
    "--timeout",
];

#[test]
fn every_command_has_its_own_options_apart_examples_and_no_empty_env_values() {
    let commands: [(&str, &[&str]); 2] = [
        (
            ROLLOUT,
            &[
                "plan",
                "status",
                "advance",
                "rollback",
                "kill",
                "resume",
                "history",
                "preview",
                "check",
                "validate",
                "completions",
                "init",
            ],
        ),
        (
            CHECKLIST,
            &["list", "show", "run", "validate", "completions"],
        ),
    ];
    for (bin, subs) in commands {
        let top = help(bin, &[]);
        assert!(top.contains("\nExamples:\n"), "{bin} --help:\n{top}");
        for sub in subs {
            let text = help(bin, &[sub]);
            let what = format!("{bin} {sub} --help:\n{text}");
            assert!(text.contains("\nExamples:\n"), "no examples in {what}");
            assert!(!text.contains("=]"), "an env value is shown in {what}");
            assert_eq!(section(&text, "Global options"), GLOBAL, "{what}");
            let own = section(&text, "Options");
            assert!(
                own.iter().all(|o| !GLOBAL.contains(&o.as_str())),
                "global flags among the options of {what}"
            );
            assert_eq!(own.last().map(String::as_str), Some("--help"), "{what}");
        }
    }
    let run = help(CHECKLIST, &["run"]);
    assert_eq!(
        section(&run, "Options"),
        [
            "--skip-manual",
            "--from",
            "--only",
            "--skip",
            "--resume",
            "--jobs",
            "--junit",
            "--help"
        ]
    );
    // The global flags in checklist terms, not the provider's.
    for line in [
        "--dry-run             Run nothing and write nothing: print each task and what it would do",
        "-v, --verbose             Print each task's whole output when it ends",
        "--timeout <DURATION>  How long rollout: tasks keep trying the provider before giving up",
    ] {
        assert!(run.contains(line), "{line:?} not in:\n{run}");
    }
    assert!(
        !run.contains("print each request that would be sent"),
        "{run}"
    );
}

#[test]
fn a_mistyped_subcommand_gets_a_suggestion() {
    let p = Project::new();
    p.checklist(["rn"])
        .status(2)
        .stderr_has(
            "error: unrecognized subcommand 'rn'\n\n  tip: a similar subcommand exists: 'run'\n",
        )
        .run();
    p.rollout(["advnce"])
        .status(2)
        .stderr_has("tip: a similar subcommand exists: 'advance'")
        .run();
    p.checklist(["xyz"]).status(2).stderr_lacks("tip:").run();
}

#[test]
fn a_closed_output_pipe_ends_quietly() {
    let p = Project::with_checklist("loud", "tasks:\n  - {name: Loud, run: 'seq 1 1000'}\n");
    let cases: [(&str, &[&str]); 5] = [
        (ROLLOUT, &["completions", "bash"]),
        (CHECKLIST, &["completions", "zsh"]),
        (ROLLOUT, &["--help"]),
        (CHECKLIST, &["run", "loud", "-v"]),
        (ROLLOUT, &["plan"]),
    ];
    for (bin, args) in cases {
        // A pipe whose reader is gone before the first write, like `| head -1` after one line.
        let (reader, stdout) = std::io::pipe().unwrap();
        drop(reader);
        let stderr = stdout.try_clone().unwrap();
        let (err_reader, err_writer) = std::io::pipe().unwrap();
        let mut child = Command::new(bin)
            .args(args)
            .current_dir(p.dir.path())
            .env("NO_COLOR", "1")
            .env_remove("CI")
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(if bin == CHECKLIST && args[0] == "run" {
                Stdio::from(stderr)
            } else {
                Stdio::from(err_writer.try_clone().unwrap())
            })
            .spawn()
            .unwrap();
        let status = child.wait().unwrap();
        drop(child);
        let code = status.code();
        assert!(
            matches!(code, Some(0 | 141)),
            "{bin} {args:?}: {status:?} on a closed pipe"
        );
        drop(err_writer);
        let mut text = String::new();
        std::io::Read::read_to_string(&mut { err_reader }, &mut text).unwrap();
        assert!(!text.contains("panicked"), "{bin} {args:?}: {text}");
    }
}
