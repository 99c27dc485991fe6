//! `watch` and the gates in `plan` and `status`, with `command:` gates whose values the test
//! changes through a file: warning and info breaches notify once and never kill; a warning
//! holds `--advance` until it passes.

use std::time::Duration;

use serde_json::Value;

use crate::test::Project;
use crate::webhook::Webhook;

#[test]
fn warning_and_info_breaches_notify_once_and_a_warning_holds_the_advance() {
    let hook = Webhook::start(200, false);
    let p = Project::new()
        .file(
            "stages.yaml",
            "flag: cards
notify:
  - url_env: ROLLOUT_TEST_HOOK
gates:
  - { name: errors, command: 'cat errors.txt', max: 0.01 }
  - { name: latency, command: 'cat latency.txt', max: 0.1, severity: warning }
  - { name: clicks, command: 'echo 0.01', min: 0.05, severity: info }
stages:
  - { name: one, percentage: 10 }
  - { name: two, percentage: 50 }
  - { name: three, percentage: 100 }
",
        )
        .file("errors.txt", "0.001\n")
        .file("latency.txt", "0.5\n");
    p.rollout([
        "advance",
        "one",
        "--force",
        "--reason",
        "start the test",
        "--yes",
    ])
    .env("ROLLOUT_TEST_HOOK", &hook.url("/hook"))
    .run();
    let watch = p
        .rollout([
            "watch",
            "--advance",
            "--until",
            "two",
            "--interval",
            "200ms",
        ])
        .env("ROLLOUT_TEST_HOOK", &hook.url("/hook"));
    let handle = std::thread::spawn(move || watch.run());
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(p.changes_of("advance").len(), 1, "held by the warning");
    p.write("latency.txt", "0.05\n");
    let done = handle.join().unwrap();
    assert!(
        done.stdout
            .ends_with("advanced cards: one → two (50%)\ncards is at two: done\n"),
        "{}",
        done.stdout
    );
    let alerts: Vec<String> = p
        .changes_of("gate-alert")
        .iter()
        .map(|a| a["reason"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        alerts,
        [
            "watch: gate latency is 0.5 against max 0.1 for 0s (warning): holding",
            "watch: gate clicks is 0.01 against min 0.05 for 0s (info): for information",
        ]
    );
    assert!(p.changes_of("kill").is_empty());
    let sent: Vec<String> = hook
        .bodies()
        .iter()
        .map(|b| {
            serde_json::from_str::<Value>(&b.body).unwrap()["action"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(sent, ["advance", "gate-alert", "gate-alert", "advance"]);
    // Every look is journaled with each gate's verdict.
    let looks = p.changes_of("watch");
    assert!(looks.len() >= 4, "{looks:?}");
    assert_eq!(looks[0]["gates"].as_array().unwrap().len(), 3);
}

#[test]
fn plan_and_status_show_the_gates() {
    let p = Project::new().file(
        "stages.yaml",
        "flag: cards
gates:
  - { name: errors, command: 'echo 0.002', max: 0.01 }
  - { name: latency, command: 'echo 0.3', max: 0.1, severity: warning, for: 10m }
stages:
  - { name: internal, percentage: 5, duration: 1d, gates: [errors] }
  - { name: beta, percentage: 10 }
",
    );
    p.rollout(["advance"]).at("2024-03-01T10:00:00Z").run();
    let plan = p.rollout(["plan"]).at("2024-03-01T12:00:00Z").run();
    assert_eq!(
        plan.stdout,
        "cards (file .rollout/flags.json)
   STAGE     PERCENT  GROUPS  SOAK  PLANNED  EARLIEST                    GATES
▶  internal  5%       -       1d    -        since 2024-03-01 10:00 UTC  errors
   beta      10%      -       -     -        2024-03-02 10:00 UTC        errors, latency
"
    );
    let status = p.rollout(["status"]).at("2024-03-01T12:00:00Z").run();
    assert_eq!(
        status.stdout,
        "flag:        cards
provider:    file .rollout/flags.json
stage:       internal (5%)
state:       on
since:       2024-03-01 10:00 UTC (2h ago)
last change: 2024-03-01 10:00 UTC by tester@example.com: advance cards → internal (5%)
next:        beta (10%): waiting for soak and gates: allowed in 22h, at 2024-03-02 10:00 UTC
gates of beta:
  errors   pass  0.002  max 0.01  now  0s      critical
  latency  fail  0.3    max 0.1   now  0s/10m  warning
"
    );
}

#[test]
fn watch_exits_at_once_on_a_killed_flag_and_refuses_dry_run() {
    let p = Project::new().file(
        "stages.yaml",
        "flag: cards\ngates:\n  - { name: ok, command: 'true' }\nstages:\n  - { name: a, percentage: 5 }\n  - { name: b, percentage: 100 }\n",
    );
    p.rollout(["advance"]).run();
    p.rollout(["kill", "--reason", "test"]).run();
    p.rollout(["watch", "--interval", "200ms"])
        .status(1)
        .stdout_has("cards is killed: watch stops")
        .run();
    p.rollout(["watch", "--dry-run"])
        .status(2)
        .stderr_has("watch acts on what it sees, so it has no --dry-run")
        .run();
    p.rollout(["--dry-run", "watch"])
        .status(2)
        .stderr_has("watch acts on what it sees, so it has no --dry-run")
        .run();
    // So its help does not offer it.
    p.rollout(["watch", "--help"])
        .stdout_has("--until")
        .stdout_lacks("--dry-run")
        .run();
    p.rollout(["watch", "--advance"])
        .status(2)
        .stderr_has(
            "pass --yes to let watch advance to every stage, or --until STAGE to stop earlier",
        )
        .run();
}

#[test]
fn on_a_terminal_watch_redraws_one_live_table() {
    let p = Project::new()
        .file(
            "stages.yaml",
            "flag: cards
gates:
  - { name: errors, command: 'cat errors.txt', max: 0.01, for: 1s }
stages:
  - { name: internal, percentage: 5 }
  - { name: full, percentage: 100 }
",
        )
        .file("errors.txt", "0.002\n");
    p.rollout(["advance"]).run();
    let mut s = crate::pty::spawn(
        env!("CARGO_BIN_EXE_rollout"),
        p.dir.path(),
        &["watch", "--interval", "300ms"],
        &[("NO_COLOR", "1")],
    );
    s.expect("look 1 at").unwrap();
    s.expect("GATE    VERDICT  VALUE  THRESHOLD  WINDOW  FOR  SEVERITY")
        .unwrap();
    s.expect("errors  pass     0.002  max 0.01   now     1s   critical")
        .unwrap();
    // The next look clears the table (cursor up, erase line) and draws it again in place.
    let redraw = s.expect("look 2 at").unwrap();
    let before = String::from_utf8_lossy(redraw.before()).into_owned();
    assert!(
        before.contains("\u{1b}[3A\r\u{1b}[2K"),
        "no redraw in {before:?}"
    );
    assert!(
        !before.contains("look 1 at internal:"),
        "a line per look on a terminal"
    );
    p.write("errors.txt", "0.5\n");
    s.expect("errors  fail     0.5    max 0.01   now     0s/1s  critical")
        .unwrap();
    s.expect("killed cards: watch: gate errors is 0.5 against max 0.01 for 1s (critical)")
        .unwrap();
    s.expect(expectrl::Eof).unwrap();
    assert_eq!(crate::pty::exit_code(&mut s), 1);
}

#[test]
fn watch_rides_out_a_provider_it_cannot_read() {
    let p = Project::new()
        .file(
            "stages.yaml",
            "flag: cards
gates:
  - { name: errors, command: 'cat errors.txt', max: 0.01 }
stages:
  - { name: internal, percentage: 5 }
  - { name: full, percentage: 100 }
",
        )
        .file("errors.txt", "0.002\n");
    p.rollout(["advance"]).run();
    let flags = p.read(".rollout/flags.json");
    let watch = p.rollout(["watch", "--interval", "200ms"]).status(1);
    let handle = std::thread::spawn(move || watch.run());
    std::thread::sleep(Duration::from_millis(500));
    p.write(".rollout/flags.json", "{ torn");
    std::thread::sleep(Duration::from_millis(600));
    p.write(".rollout/flags.json", &flags);
    std::thread::sleep(Duration::from_millis(400));
    p.write("errors.txt", "0.5\n");
    let done = handle.join().unwrap();
    assert!(
        done.stderr.contains("cannot read the flag (") && done.stderr.contains("); still watching"),
        "{}",
        done.stderr
    );
    assert!(
        done.stdout
            .contains("killed cards: watch: gate errors is 0.5 against max 0.01 for 0s (critical)"),
        "{}",
        done.stdout
    );
}

#[test]
fn ctrl_c_stops_watch_with_130_and_leaves_the_flag_alone() {
    let p = Project::new().file(
        "stages.yaml",
        "flag: cards\ngates:\n  - { name: ok, command: 'true' }\nstages:\n  - { name: a, percentage: 5 }\n  - { name: b, percentage: 100 }\n",
    );
    p.rollout(["advance"]).run();
    let flags = p.read(".rollout/flags.json");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rollout"))
        .args(["watch", "--interval", "200ms"])
        .current_dir(p.dir.path())
        .env("ROLLOUT_ACTOR", "tester@example.com")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    crate::test::send_signal(child.id(), nix::sys::signal::Signal::SIGINT);
    assert_eq!(child.wait().unwrap().code(), Some(130));
    assert_eq!(p.read(".rollout/flags.json"), flags);
    assert!(
        !p.changes_of("watch").is_empty(),
        "its looks were journaled"
    );
}
