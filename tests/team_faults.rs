//! The shared store failing in the middle of a command (issue 20): PostgreSQL stopped while an
//! advance is held before its record, or between its record and the flag write; the git remote
//! gone for an advance and a kill. Afterwards no record is lost or twice, the exit code is 4
//! naming the store, and the records agree with the flag.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::state_git::support as git;
use crate::state_postgres::support as pg;
use crate::team_state::{agree, team_of, text, Shared, Team};
use crate::test::BUILDER_CARDS;

fn flags(t: &Team) -> Vec<u8> {
    std::fs::read(t.flags.path().join("flags.json")).unwrap()
}

/// The change records every machine reads, oldest first, as `actor action outcome` (A, B and
/// CI read the same), each id once.
fn changes(t: &Team) -> Vec<String> {
    let of = |m| -> Vec<String> {
        let records = t.history(m);
        let mut ids: Vec<String> = records.iter().map(|r| r["id"].to_string()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), records.len(), "a record twice: {records:#?}");
        records
            .iter()
            .map(|r| {
                let s = |k: &str| r[k].as_str().unwrap_or("?").to_string();
                format!("{} {} {}", s("actor"), s("action"), s("outcome"))
            })
            .collect()
    };
    let a = of(0);
    assert_eq!(a, of(1), "A and B");
    assert_eq!(a, of(2), "A and CI");
    a
}

/// `text` with the private server's port pinned.
fn at_port(text: &str, server: &pg::Server) -> String {
    text.replace(&format!("127.0.0.1:{}", server.port), "127.0.0.1:[PORT]")
}

/// B's `advance beta --force` held 4 s by `pause` (a test hook); once `ready` says so, the
/// private PostgreSQL is stopped (as a crash), and started again once B ended. B's output.
fn advance_across_a_stop(
    t: &Team,
    server: &pg::Server,
    pause: &str,
    ready: impl Fn() -> bool,
) -> std::process::Output {
    let child = t
        .cmd(
            1,
            &[
                "advance",
                "beta",
                "--force",
                "--reason",
                "across a stop",
                "--yes",
            ],
        )
        .env(pause, "4000")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < Duration::from_secs(3), "never ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    pg::stop(server, true);
    let out = child.wait_with_output().unwrap();
    pg::restart(server);
    out
}

/// Stopped before the intent is recorded: exit 4 naming the store, nothing changed, no record.
fn stopped_before_the_record(server: &pg::Server, url: String) {
    let t = team_of(Shared::Postgres(url), BUILDER_CARDS, "");
    t.ok(0, &["advance", "internal", "--reason", "first cohort"]);
    let before = flags(&t);
    let out = advance_across_a_stop(&t, server, "ROLLOUT_TEST_PAUSE_BEFORE_RECORD_MS", || {
        std::thread::sleep(Duration::from_millis(1500));
        true
    });
    let err = overridden_then_exit_4(&out, server);
    let err = err.as_str();
    assert!(
        err.starts_with(
            "error: the state store postgres ($TEAM_STATE_URL) at 127.0.0.1:[PORT] is unreachable: "
        ),
        "{err}"
    );
    assert!(
        err.ends_with("\nhint: nothing was changed: rollout records a change before making it; make the state store reachable (free space or fix the permissions of .rollout/ for the local one), then run the command again\n"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 2, "{err}");
    assert_eq!(flags(&t), before, "the flag was touched");
    assert_eq!(changes(&t), ["alice advance applied"]);
    let status = t.run(1, &["status"]);
    assert_eq!(
        String::from_utf8_lossy(&status.stderr),
        "",
        "no open intent"
    );
    let (status, _) = agree(&t);
    assert!(status.contains("stage:       internal (5%)"), "{status}");
}

/// Stopped after the intent was recorded, before the flag write: the flag moves, exit 4 says
/// so and keeps the outcome record in B's outbox; B's next command takes it to the store, and
/// every machine then reads the advance applied once.
fn stopped_before_the_write(server: &pg::Server, url: String) {
    let t = team_of(Shared::Postgres(url), BUILDER_CARDS, "");
    t.ok(0, &["advance", "internal", "--reason", "first cohort"]);
    let intent_stored = || {
        t.history(2)
            .iter()
            .any(|r| r["actor"] == "bob" && r["outcome"] == "intent")
    };
    let out = advance_across_a_stop(
        &t,
        server,
        "ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS",
        intent_stored,
    );
    let err = overridden_then_exit_4(&out, server);
    let err = err.as_str();
    let (head, tail) = err.split_once(" is unreachable: ").unwrap_or(("", ""));
    assert_eq!(
        head,
        "error: advance use-new-builder-cards internal → beta (10%) [forced]: across a stop was applied to the flag, but its record was not stored: the state store postgres ($TEAM_STATE_URL) at 127.0.0.1:[PORT]",
        "{err}"
    );
    assert!(
        tail.ends_with("; its record is kept in ./.rollout/outbox.jsonl and reaches the store with the next command that can write there
hint: do not make the change again: run `rollout status` once the store answers
"),
        "{err}"
    );
    let flag = String::from_utf8(flags(&t)).unwrap();
    assert!(flag.contains("\"rolloutStage\": \"beta\""), "{flag}");
    // Before B syncs, the others see B's intent open, and the flag at beta.
    let seen = t.run(2, &["status"]);
    assert!(
        String::from_utf8_lossy(&seen.stderr).contains("by bob at "),
        "{}",
        text(&seen)
    );
    t.ok(1, &["status"]);
    assert_eq!(
        changes(&t),
        ["alice advance applied", "bob advance applied",]
    );
    let (status, _) = agree(&t);
    assert!(status.contains("stage:       beta (10%)"), "{status}");
    assert!(
        status.contains(
            "by bob: advance use-new-builder-cards internal → beta (10%) [forced]: across a stop"
        ),
        "{status}"
    );
    let quiet = t.run(0, &["status"]);
    assert_eq!(
        String::from_utf8_lossy(&quiet.stderr),
        "",
        "an intent still open"
    );
}

/// Runs `body` with a private PostgreSQL (stopped and started by the test) and a fresh
/// database on it.
async fn with_private_server(body: fn(&pg::Server, String)) {
    let server = pg::private_server();
    let url = pg::fresh_database(&server).await;
    let server = tokio::task::spawn_blocking(move || {
        body(&server, url);
        server
    })
    .await
    .unwrap();
    pg::stop(&server, false);
}

#[tokio::test]
async fn postgres_stopped_while_an_advance_waits_to_record_refuses_with_4_and_changes_nothing() {
    with_private_server(stopped_before_the_record).await;
}

#[tokio::test]
async fn postgres_stopped_between_an_advances_intent_and_write_keeps_the_outcome_and_syncs_it() {
    with_private_server(stopped_before_the_write).await;
}

/// The git remote gone (its directory renamed): `advance` refuses before touching the flag
/// (exit 4, naming the remote); `kill` turns the flag off, keeps its records in B's outbox and
/// says so; once the remote is back, B's next command pushes them, and every machine reads the
/// kill once.
#[test]
fn with_the_git_remote_gone_advance_refuses_and_kill_lands_then_syncs() {
    let remote = git::bare();
    let bare = remote.bare.clone();
    let t = team_of(Shared::Git(remote), BUILDER_CARDS, "");
    t.ok(0, &["advance", "internal", "--reason", "first cohort"]);
    let before = flags(&t);
    let away = bare.with_extension("away");
    std::fs::rename(&bare, &away).unwrap();
    let advance = t.run(1, &["advance", "beta", "--force", "--reason", "r", "--yes"]);
    assert_eq!(advance.status.code(), Some(4), "{}", text(&advance));
    let err = String::from_utf8_lossy(&advance.stderr);
    assert!(
        err.contains(bare.to_str().unwrap()),
        "names the remote: {err}"
    );
    assert_eq!(flags(&t), before, "the flag was touched");
    let kill = t.run(1, &["kill", "--reason", "remote gone", "--timeout", "4s"]);
    assert_eq!(kill.status.code(), Some(0), "{}", text(&kill));
    assert!(
        String::from_utf8_lossy(&kill.stderr).contains("./.rollout/outbox.jsonl"),
        "{}",
        text(&kill)
    );
    let flag = String::from_utf8(flags(&t)).unwrap();
    assert!(flag.contains("\"rolloutKilled\": true"), "{flag}");
    std::fs::rename(&away, &bare).unwrap();
    t.ok(1, &["status"]);
    assert_eq!(changes(&t), ["alice advance applied", "bob kill applied"]);
    let (status, _) = agree(&t);
    assert!(status.contains("state:       KILLED"), "{status}");
    assert!(status.contains("by bob: kill"), "{status}");
}

/// The git remote gone between an advance's intent record and its flag write (B held there by
/// a test hook): the flag moves, exit 4 says it was applied and keeps the record in B's outbox;
/// once the remote is back B's next command pushes it, and every machine reads it once.
#[test]
fn with_the_git_remote_gone_mid_advance_the_outcome_waits_in_the_outbox_then_syncs() {
    let remote = git::bare();
    let bare = remote.bare.clone();
    let t = team_of(Shared::Git(remote), BUILDER_CARDS, "");
    t.ok(0, &["advance", "internal", "--reason", "first cohort"]);
    let child = t
        .cmd(
            1,
            &["advance", "beta", "--force", "--reason", "across", "--yes"],
        )
        .env("ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS", "3000")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !t
        .history(2)
        .iter()
        .any(|r| r["actor"] == "bob" && r["outcome"] == "intent")
    {
        assert!(start.elapsed() < Duration::from_secs(3), "no intent");
        std::thread::sleep(Duration::from_millis(100));
    }
    let away = bare.with_extension("away");
    std::fs::rename(&bare, &away).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("across was applied to the flag, but its record was not stored: ")
            && err.contains("its record is kept in ./.rollout/outbox.jsonl")
            && err.contains(bare.to_str().unwrap()),
        "{err}"
    );
    std::fs::rename(&away, &bare).unwrap();
    t.ok(1, &["status"]);
    assert_eq!(
        changes(&t),
        ["alice advance applied", "bob advance applied"]
    );
    let (status, _) = agree(&t);
    assert!(status.contains("stage:       beta (10%)"), "{status}");
}

/// `watch --once` with PostgreSQL down (a closed port): exit 4, the store named once, nothing
/// looked at or changed.
#[tokio::test]
async fn watch_once_with_postgres_down_exits_4_naming_the_store_once() {
    let url = pg::fresh_database(pg::shared()).await;
    tokio::task::spawn_blocking(move || {
        let t = team_of(Shared::Postgres(url), BUILDER_CARDS, "");
        t.ok(0, &["advance", "internal", "--reason", "first cohort"]);
        let before = flags(&t);
        let closed = crate::gates_support::closed_port();
        let down = format!("postgres://rollout@127.0.0.1:{}/rollout", closed.port);
        let out = t
            .cmd(1, &["watch", "--once"])
            .env("TEAM_STATE_URL", &down)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr)
            .replace(&closed.port.to_string(), "[PORT]");
        assert_eq!(
            (out.status.code(), String::from_utf8_lossy(&out.stdout).as_ref(), err.as_str()),
            (
                Some(4),
                "",
                "error: could not take the lease on use-new-builder-cards: the state store postgres ($TEAM_STATE_URL) at 127.0.0.1:[PORT] is unreachable: error connecting to server\n"
            ),
        );
        assert_eq!(flags(&t), before);
    })
    .await
    .unwrap();
}

/// A forced advance that stopped with exit 4: its stderr (port pinned) after the first line,
/// which says what it overrides, with times relative to now.
fn overridden_then_exit_4(out: &std::process::Output, server: &pg::Server) -> String {
    assert_eq!(out.status.code(), Some(4), "{}", text(out));
    let err = at_port(&String::from_utf8_lossy(&out.stderr), server);
    let (overriding, rest) = err.split_once('\n').unwrap_or_default();
    assert!(
        overriding.starts_with("warning: overriding: internal must soak 3d first: "),
        "{overriding}"
    );
    rest.to_string()
}
