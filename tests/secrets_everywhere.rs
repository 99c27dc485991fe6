//! Every token and webhook variable holds a distinctive value (with a trailing newline, as when
//! set from a file); every command and checklist path runs, failures, `-v`, `--dry-run`,
//! `--json`, JUnit, the GitHub summary and the state files included; then everything written
//! (stdout, stderr, every file under the project) is searched for the values, whole, trimmed and
//! by their secret halves.

use std::path::Path;

use crate::test::Project;
use crate::webhook::Webhook;

/// The Unleash token: `project:environment.secret`, with a newline.
const UNLEASH: &str = "default:development.UNL3ASH-s3cret-half-4f2e\n";
const LD: &str = "api-LDs3cret-0a1b2c3d\n";
const HTTP: &str = "HTTPs3cret-77e1d0c9\n";
/// A token named by `token_env:` in an `environments:` override.
const MINE: &str = "proj:env.MYs3cret-abcdef12\n";
/// A provider address with credentials: refused, and its password never printed.
const PASSWORD: &str = "PR0VIDERpass-31x";

/// What must never appear: each value trimmed, and the distinctive parts a task could print.
const NEEDLES: [&str; 11] = [
    "default:development.UNL3ASH-s3cret-half-4f2e",
    "development.UNL3ASH-s3cret-half-4f2e",
    "UNL3ASH-s3cret-half-4f2e",
    "api-LDs3cret-0a1b2c3d",
    "HTTPs3cret-77e1d0c9",
    "proj:env.MYs3cret-abcdef12",
    "MYs3cret-abcdef12",
    "/services/T0SL4CK/B0SL4CK/SL4CKs3cret99",
    "SL4CKs3cret99",
    "T0SL4CK",
    PASSWORD,
];

const CHECKLIST: &str = r#"title: Secrets
tasks:
  - { name: Need them, require_env: [UNLEASH_API_TOKEN, SLACK_WEBHOOK_URL] }
  - name: Echo them
    run: |
      echo "unleash $UNLEASH_API_TOKEN"
      printf 'raw %s|' "$UNLEASH_API_TOKEN"
      echo "half ${UNLEASH_API_TOKEN#*.}"
      echo "after colon ${UNLEASH_API_TOKEN#*:}"
      echo "ld $LD_ACCESS_TOKEN http $ROLLOUT_HTTP_TOKEN"
      echo "hook $SLACK_WEBHOOK_URL"
      echo "segment ${SLACK_WEBHOOK_URL##*/}"
      echo "path /${SLACK_WEBHOOK_URL#*//*/}"
      echo "to stderr $UNLEASH_API_TOKEN" >&2
  - { name: Advance, rollout: advance, allow_failure: true }
  - name: Fail loudly
    allow_failure: true
    run: 'echo "failing with ${UNLEASH_API_TOKEN#*.} and ${SLACK_WEBHOOK_URL##*/}"; exit 3'
  - name: Fail for real
    retries: 1
    run: 'echo "last words $UNLEASH_API_TOKEN"; exit 1'
"#;

/// A checklist beside a provider whose `environments:` override names MY_TOKEN in `token_env:`.
const MINE_CHECKLIST: &str = r#"title: Mine
tasks:
  - { name: Need it, require_env: [MY_TOKEN] }
  - name: Echo it
    run: 'echo "mine $MY_TOKEN half ${MY_TOKEN#*.}"; echo "last words ${MY_TOKEN#*.}"'
"#;

fn stages(unleash_port: u16) -> String {
    format!(
        "flag: f\nnotify:\n  - url_env: SLACK_WEBHOOK_URL\nenvironments:\n  staging: {{ environment: staging }}\n  remote: {{ environment: development }}\nstages:\n  - {{ name: a, percentage: 10 }}\n  - {{ name: b, percentage: 50 }}\n  - {{ name: c, percentage: 100 }}\n# unleash stand-in on port {unleash_port}\n"
    )
}

fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = e.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            out.push((path.display().to_string(), text));
        }
    }
}

/// Everything the runs wrote: (what, text) for each stdout, stderr and file.
type Written = Vec<(String, String)>;

/// Keeps what one run printed on stdout and stderr, named `what`.
fn record(written: &mut Written, what: String, done: crate::test::Done) {
    written.push((format!("{what} stdout"), done.stdout));
    written.push((format!("{what} stderr"), done.stderr));
}

/// A run with every secret variable set.
type WithSecrets<'a> = &'a dyn Fn(crate::test::Test) -> crate::test::Test;

#[test]
fn no_secret_is_written_anywhere() {
    let hook = Webhook::start(200, false);
    let slack = format!("{}\n", hook.url("/services/T0SL4CK/B0SL4CK/SL4CKs3cret99"));
    // A stand-in Unleash that refuses every request: the provider's error paths.
    let unleash = Webhook::start(401, false);
    let p = Project::new()
        .file("stages.yaml", &stages(unleash.port))
        .file("checklists/secrets.yaml", CHECKLIST);
    let env = |t: crate::test::Test| {
        t.env("UNLEASH_API_TOKEN", UNLEASH)
            .env("LD_ACCESS_TOKEN", LD)
            .env("ROLLOUT_HTTP_TOKEN", HTTP)
            .env("MY_TOKEN", MINE)
            .env("SLACK_WEBHOOK_URL", &slack)
    };
    let mut written: Written = Vec::new();
    file_provider_commands(&p, &env, &mut written);
    checklist_runs(&p, &env, &mut written);
    let q = unleash_provider_runs(&unleash, &env, &mut written);
    let r = credentials_in_the_url(&unleash, &env, &mut written);

    for project in [&p, &q, &r] {
        walk(project.dir.path(), &mut written);
    }
    assert!(
        written.iter().any(|(name, _)| name.ends_with("junit.xml")),
        "the JUnit report was written"
    );
    assert!(
        written.iter().any(|(name, _)| name.ends_with("summary.md")),
        "the GitHub summary was written"
    );
    assert!(
        written.iter().any(|(name, _)| name.ends_with("state.json")),
        "the run state was written"
    );
    shown_hidden_and_never_whole(&written);
    // The notifications were sent (to the secret URL) all the same.
    assert!(hook.bodies().len() >= 5, "{:?}", hook.bodies());
}

/// The rollout commands on the file provider of `p`, with a notify target.
fn file_provider_commands(p: &Project, env: WithSecrets, written: &mut Written) {
    for (args, code) in [
        (&["validate"][..], 0),
        (&["plan", "-v"], 0),
        (&["status", "-v", "--json"], 0),
        (&["advance", "-v", "--dry-run"], 0),
        (&["advance", "-v", "--dry-run", "--json"], 0),
        (&["advance", "-v"], 0),
        (&["advance", "-v", "--env", "staging"], 0),
        (&["advance", "c", "-v"], 3),
        (&["advance", "nope", "-v"], 2),
        (&["kill", "-v", "--reason", "spike"], 0),
        (&["advance", "-v"], 3),
        (&["resume", "-v", "--yes"], 0),
        (&["advance", "-v", "--reason", "go"], 0),
        (&["rollback", "-v", "--json"], 0),
        (&["check", "u1", "-v"], 0),
        (&["history", "-v"], 0),
        (&["history", "--json"], 0),
    ] {
        let done = env(p.rollout(args)).status(code).run();
        record(written, format!("rollout {}", args.join(" ")), done);
    }
}

/// The checklist of `p`, failing, with every report; then with plain progress (no GitHub), the
/// default path on CI logs.
fn checklist_runs(p: &Project, env: WithSecrets, written: &mut Written) {
    let summary = p.path("summary.md");
    for (args, code) in [
        (&["list"][..], 0),
        (&["show", "secrets"], 0),
        (&["validate"], 0),
        (&["run", "secrets", "-v", "--junit", "junit.xml"], 1),
        (&["run", "secrets", "--json"], 1),
        (&["run", "--resume", "-v"], 1),
        (&["run", "secrets", "--dry-run", "-v"], 0),
    ] {
        let done = env(p.checklist(args))
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())
            .status(code)
            .run();
        record(written, format!("checklist {}", args.join(" ")), done);
    }
    let done = env(p.checklist(["run", "secrets"])).status(1).run();
    record(written, "checklist run secrets (plain)".into(), done);
}

/// The Unleash provider (the stand-in `unleash`, which answers 401), through its error paths,
/// with a `token_env:` override; returns the project, whose files are searched too.
fn unleash_provider_runs(unleash: &Webhook, env: WithSecrets, written: &mut Written) -> Project {
    let q = Project::new()
        .file(
            "stages.yaml",
            &format!(
                "flag: f\nprovider: {{ kind: unleash, url: \"{}\" }}\nenvironments:\n  staging: {{ token_env: MY_TOKEN }}\nstages:\n  - {{ name: a, percentage: 10 }}\n",
                unleash.url("")
            ),
        )
        .file("checklists/mine.yaml", MINE_CHECKLIST);
    let done = env(q.checklist(["run", "mine", "-v"])).run();
    record(written, "checklist run mine".into(), done);
    for args in [
        &["status", "-v"][..],
        &["status", "-v", "--env", "staging"],
        &["advance", "-v"],
        &["advance", "-v", "--dry-run"],
        &["kill", "-v", "--json"],
    ] {
        let done = env(q.rollout(args)).status(4).run();
        record(written, format!("unleash rollout {}", args.join(" ")), done);
    }
    q
}

/// An address with credentials in ROLLOUT_PROVIDER_URL: refused without printing them; returns
/// the project, whose files are searched too.
fn credentials_in_the_url(unleash: &Webhook, env: WithSecrets, written: &mut Written) -> Project {
    let r = Project::new().file(
        "stages.yaml",
        "flag: f\nprovider: { kind: unleash }\nstages:\n  - { name: a, percentage: 10 }\n",
    );
    for args in [
        &["validate"][..],
        &["status", "-v"],
        &["advance", "-v", "--dry-run"],
    ] {
        let done = env(r.rollout(args))
            .env(
                "ROLLOUT_PROVIDER_URL",
                &format!("http://admin:{PASSWORD}@127.0.0.1:{}/", unleash.port),
            )
            .status(2)
            .run();
        record(
            written,
            format!("credentials rollout {}", args.join(" ")),
            done,
        );
    }
    r
}

/// The tasks did print the secrets: hidden, not absent; and no needle is anywhere.
fn shown_hidden_and_never_whole(written: &Written) {
    for shown in [
        "unleash ***",
        "half ***",
        "after colon ***",
        "mine ***",
        "segment ***",
        "last words ***",
    ] {
        assert!(
            written.iter().any(|(_, text)| text.contains(shown)),
            "no {shown:?} anywhere in {:#?}",
            written
                .iter()
                .filter(|(n, _)| n.ends_with(".log"))
                .collect::<Vec<_>>()
        );
    }
    for (name, text) in written {
        for needle in NEEDLES {
            assert!(
                !text.contains(needle),
                "{needle:?} leaked in {name}:\n{text}"
            );
        }
    }
}
