//! `checklist run` never writes a secret that stages.yaml or a checklist names (issue 21): a
//! provider token (the default `LD_ACCESS_TOKEN` and a `token_env:` of an `environments:` entry),
//! the Datadog keys of `defaults.datadog`, a notify `url_env:` target holding a Slack-style
//! webhook URL with digit segments, and two `require_env:` variables (a URL with a password, a
//! token by its name). Tasks print each of them whole (`env`), cut after a prefix
//! (`${LD_ACCESS_TOKEN#api-}`, `${TOKEN#*_}`) and by webhook segment; then every output is read:
//! stdout and stderr of a GitHub Actions run (`::group::` copies and `::error::` annotations), a
//! `--json` run, a `--resume` run and a run on a real terminal, and every file the runs wrote
//! (task logs, state.json, JUnit, the step summary, the journal). No raw value is anywhere, and
//! `***` stands where each one was.

use std::path::Path;

use expectrl::Eof;
use serde_json::Value;

use crate::test::Project;

const STAGES: &str = "flag: f
provider: { kind: launchdarkly, project: web, environment: production }
environments:
  staging: { environment: staging, token_env: STAGING_LD_TOKEN }
notify:
  - url_env: RELEASE_HOOK
defaults:
  datadog: { site: datadoghq.eu }
stages:
  - { name: a, percentage: 10 }
  - { name: b, percentage: 100 }
";

const CHECKLIST: &str = r#"title: Secrets
tasks:
  - { name: Need them, require_env: [DATABASE_URL, RELEASE_HOOK, SENTRY_AUTH_TOKEN] }
  - name: Warn on stderr
    allow_failure: true
    run: 'echo "app key $DD_APP_KEY" >&2; exit 2'
  - name: Print them
    run: |
      env | grep -E '^(DD_API_KEY|DD_APP_KEY|LD_ACCESS_TOKEN|STAGING_LD_TOKEN|RELEASE_HOOK|DATABASE_URL|SENTRY_AUTH_TOKEN)=' | sort
      echo "cut ${LD_ACCESS_TOKEN#api-}"
      echo "last group ${LD_ACCESS_TOKEN##*-}"
      echo "staging ${STAGING_LD_TOKEN#*_}"
      echo "staging tail ${STAGING_LD_TOKEN##*_}"
      echo "hook path ${RELEASE_HOOK#*/services/}"
      echo "team $(printf %s "$RELEASE_HOOK" | cut -d/ -f5)"
      pass=${DATABASE_URL#*release:}
      echo "db password ${pass%%@*}"
      echo "sentry ${SENTRY_AUTH_TOKEN#sntrys_}"
      sleep 0.3
      exit 1
"#;

/// The secret environment of every run: (variable, value).
const SECRETS: [(&str, &str); 7] = [
    (
        "LD_ACCESS_TOKEN",
        "api-5c0ffee1-d00d-4bad-9e11-8badf00d4c0d",
    ),
    ("STAGING_LD_TOKEN", "sdk_st4ging_7f3e9a1c2b4d6e8f"),
    ("DD_API_KEY", "9f1c2e3d4b5a69788796a5b4c3d2e1f0"),
    ("DD_APP_KEY", "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"),
    (
        "RELEASE_HOOK",
        "https://hooks.slack.com/services/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",
    ),
    (
        "DATABASE_URL",
        "postgres://release:Pg-s3cret-pass-2026@db.internal:5432/app",
    ),
    // Named by the checklist alone (`require_env:`), a secret by its name.
    ("SENTRY_AUTH_TOKEN", "sntrys_eyJpYXQiOjE3MDB9_Qx7Lm2Np4Rt"),
];

/// What must appear nowhere: each value, and each part of one that a task printed alone.
const NEEDLES: [&str; 16] = [
    "api-5c0ffee1-d00d-4bad-9e11-8badf00d4c0d",
    "5c0ffee1-d00d-4bad-9e11-8badf00d4c0d",
    "8badf00d4c0d",
    "sdk_st4ging_7f3e9a1c2b4d6e8f",
    "st4ging_7f3e9a1c2b4d6e8f",
    "7f3e9a1c2b4d6e8f",
    "9f1c2e3d4b5a69788796a5b4c3d2e1f0",
    "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
    "hooks.slack.com/services",
    "T0BRK5X7Q",
    "B07AB3CDE9F",
    "Zq8xW2vN4mK6pL1sR3tY5uB7",
    "Pg-s3cret-pass-2026",
    "postgres://release",
    "sntrys_eyJpYXQiOjE3MDB9_Qx7Lm2Np4Rt",
    "eyJpYXQiOjE3MDB9_Qx7Lm2Np4Rt",
];

/// The log of `Print them`, whole: `***` where each value or part of one was.
const PRINTED: &str = "DATABASE_URL=***
DD_API_KEY=***
DD_APP_KEY=***
LD_ACCESS_TOKEN=***
RELEASE_HOOK=***
SENTRY_AUTH_TOKEN=***
STAGING_LD_TOKEN=***
cut ***
last group ***
staging ***
staging tail ***
hook path ***/***/***
team ***
db password ***
sentry ***
";

/// The log of `Warn on stderr`.
const WARNED: &str = "app key ***\n";

/// Everything written: (what, text).
type Written = Vec<(String, String)>;

fn walk(dir: &Path, out: &mut Written) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let path = e.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            out.push((path.display().to_string(), text));
        }
    }
}

fn run(p: &Project, args: &[&str], extra: &[(&str, &str)], written: &mut Written) -> String {
    let mut t = p.checklist(args).status(1);
    for (k, v) in SECRETS.iter().chain(extra) {
        t = t.env(k, v);
    }
    let done = t.run();
    written.push((
        format!("checklist {} stdout", args.join(" ")),
        done.stdout.clone(),
    ));
    written.push((
        format!("checklist {} stderr", args.join(" ")),
        done.stderr.clone(),
    ));
    done.stdout
}

/// `checklist run secrets` on a pseudo-terminal (progress drawn live); returns the screen.
fn on_a_terminal(p: &Project) -> String {
    let mut s = crate::pty::spawn(
        env!("CARGO_BIN_EXE_checklist"),
        p.dir.path(),
        &["run", "secrets"],
        &SECRETS,
    );
    let before = s.expect("1 passed, 1 failed, 0 skipped").unwrap();
    let screen = String::from_utf8_lossy(before.before()).into_owned();
    s.expect(Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 1);
    screen
}

/// The tasks of a `--json` document: `checklists[].tasks[]`.
fn json_tasks(doc: &Value) -> Vec<&Value> {
    doc["checklists"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["tasks"].as_array().unwrap())
        .collect()
}

/// The task results of a state.json: `tasks[].result`.
fn state_tasks(doc: &Value) -> Vec<&Value> {
    doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["result"])
        .collect()
}

/// The `tail` of task `id` among `tasks`, one line each.
fn tail_of(tasks: &[&Value], id: &str) -> String {
    let task = tasks
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no task {id} in {tasks:?}"));
    task["tail"]
        .as_array()
        .unwrap_or_else(|| panic!("no tail in {task}"))
        .iter()
        .map(|l| format!("{}\n", l.as_str().unwrap()))
        .collect()
}

#[test]
fn no_configured_secret_reaches_any_checklist_output() {
    let p = Project::new()
        .file("stages.yaml", STAGES)
        .file("checklists/secrets.yaml", CHECKLIST);
    let summary = p.path("summary.md");
    let mut written: Written = Vec::new();
    let github = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
    ];
    let args = ["run", "secrets", "-v", "--junit", "junit.xml"];
    run(&p, &args, &github, &mut written);
    let json = run(&p, &["run", "secrets", "--json"], &[], &mut written);
    run(&p, &["run", "--resume"], &[], &mut written);
    let screen = on_a_terminal(&p);
    written.push(("the terminal".into(), screen.clone()));
    walk(p.dir.path(), &mut written);
    for file in ["junit.xml", "summary.md", "journal.jsonl", "state.json"] {
        assert!(
            written.iter().any(|(name, _)| name.ends_with(file)),
            "no {file} was written"
        );
    }

    // Hidden, not absent: `***` where each value was, in every output.
    files_show_them_hidden(&written, &serde_json::from_str(&json).unwrap());
    streams_show_them_hidden(&written, &screen);

    // And no raw value anywhere.
    for (name, text) in &written {
        for needle in NEEDLES {
            assert!(
                !text.contains(needle),
                "{needle:?} leaked in {name}:\n{text}"
            );
        }
    }
}

/// The task logs, state.json, `--json` and JUnit hold the tasks' output with `***`.
fn files_show_them_hidden(written: &Written, json: &Value) {
    let logs: Vec<&(String, String)> = written
        .iter()
        .filter(|(name, _)| name.ends_with("/print-them.log"))
        .collect();
    assert_eq!(
        logs.len(),
        3,
        "one log per run (--resume writes its run's): {logs:#?}"
    );
    for (name, text) in &logs {
        assert_eq!(text, PRINTED, "{name}");
    }
    for (name, text) in written
        .iter()
        .filter(|(n, _)| n.ends_with("/warn-on-stderr.log"))
    {
        assert_eq!(text, WARNED, "{name}");
    }
    assert_eq!(tail_of(&json_tasks(json), "print-them"), PRINTED, "--json");
    for (name, text) in written.iter().filter(|(n, _)| n.ends_with("state.json")) {
        let state: Value = serde_json::from_str(text).unwrap();
        let tasks = state_tasks(&state);
        assert_eq!(tail_of(&tasks, "print-them"), PRINTED, "{name}");
        assert_eq!(tail_of(&tasks, "warn-on-stderr"), WARNED, "{name}");
    }
    let (_, junit) = written
        .iter()
        .find(|(name, _)| name.ends_with("junit.xml"))
        .unwrap();
    assert!(
        junit.contains(&format!(
            "<failure message=\"exit 1\" type=\"run\">{}</failure>",
            PRINTED.trim_end()
        )),
        "{junit}"
    );
    assert!(
        junit.contains("<system-err>failed (allow_failure): exit 2\napp key ***</system-err>"),
        "{junit}"
    );
}

/// stderr of the GitHub run (`::group::` copies, annotations), of the `--json` and `--resume`
/// runs (failure tails), and the terminal (live lines, then the tails) show `***`.
fn streams_show_them_hidden(written: &Written, screen: &str) {
    let gh = &written[1].1;
    for line in [
        "::group::✗ Print them [print-them] failed",
        "::error title=secrets%3A Print them::Print them [print-them] failed: exit 1",
    ] {
        assert!(gh.contains(line), "GitHub lacks {line:?}:\n{gh}");
    }
    let shown = [
        ("GitHub", gh.as_str(), true),
        ("--json stderr", &written[3].1, true),
        ("--resume stderr", &written[5].1, false),
        ("the terminal", screen, true),
    ];
    for (what, text, warned) in shown {
        let lines = PRINTED.lines().chain(WARNED.lines().filter(|_| warned));
        for line in lines {
            assert!(text.contains(line), "{what} lacks {line:?}:\n{text}");
        }
    }
}
