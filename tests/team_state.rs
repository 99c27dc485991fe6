//! Three machines sharing one state store (issue 20): operator A, operator B and a fresh CI
//! checkout with no `.rollout/` of its own, each in its own directory with its own HOME and
//! actor, the flag in one shared flags file, and the records in a real PostgreSQL or a git
//! remote. They agree on status, history, the soak refusal, actor and reason; and 9 commands
//! racing from the three leave one chain of moves, a record for every exit 0, and the kill.
//!
//! The clock is the real one: the store's time starts the soak (PostgreSQL `now()`, the push),
//! so a pinned test clock would disagree with it by design.

use std::process::{Command, Output};

use serde_json::Value;

use crate::state_git::support as git;
use crate::state_postgres::support as pg;
use crate::test::{Project, BUILDER_CARDS};

/// Where the team's records live, and what the machines need to reach it.
pub(crate) enum Shared {
    Postgres(String),
    Git(git::Remote),
}

impl Shared {
    /// The `state:` block, with `lease` (e.g. `, lease: 3s`) appended to its fields.
    fn block(&self, lease: &str) -> String {
        match self {
            Shared::Postgres(_) => {
                format!("state: {{ kind: postgres, url_env: TEAM_STATE_URL{lease} }}\n")
            }
            Shared::Git(r) => format!("state: {{ kind: git, remote: '{}'{lease} }}\n", r.url),
        }
    }
}

pub(crate) struct Team {
    pub(crate) machines: Vec<(Project, &'static str)>,
    pub(crate) flags: tempfile::TempDir,
    pub(crate) shared: Shared,
}

fn team(shared: Shared) -> Team {
    team_of(shared, BUILDER_CARDS, "")
}

/// Three machines whose `stages.yaml` is `stages` plus the shared flags file and `shared`
/// (its `state:` block ending with `lease`, e.g. `, lease: 3s`).
pub(crate) fn team_of(shared: Shared, stages: &str, lease: &str) -> Team {
    let flags = tempfile::tempdir().unwrap();
    let yaml = format!(
        "{stages}\nprovider: {{ kind: file, path: '{}' }}\n{}",
        flags.path().join("flags.json").display(),
        shared.block(lease)
    );
    let machines = ["alice", "bob", "ci"]
        .into_iter()
        .map(|who| (Project::new().file("stages.yaml", &yaml), who))
        .collect();
    Team {
        machines,
        flags,
        shared,
    }
}

impl Team {
    /// `rollout ARGS` on machine `m` (0: A, 1: B, 2: CI), as its actor, with its own HOME.
    pub(crate) fn cmd(&self, m: usize, args: &[&str]) -> Command {
        let (p, who) = &self.machines[m];
        let mut cmd = p.command(args);
        let home = p.path("home");
        std::fs::create_dir_all(&home).unwrap();
        cmd.env("ROLLOUT_ACTOR", *who).env("HOME", home);
        if let Shared::Postgres(url) = &self.shared {
            cmd.env("TEAM_STATE_URL", url);
        }
        cmd
    }

    pub(crate) fn run(&self, m: usize, args: &[&str]) -> Output {
        self.cmd(m, args).output().unwrap()
    }

    pub(crate) fn ok(&self, m: usize, args: &[&str]) -> String {
        let out = self.run(m, args);
        assert!(
            out.status.success(),
            "{args:?} on machine {m}: {}",
            text(&out)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// The records every machine reads, oldest first.
    pub(crate) fn history(&self, m: usize) -> Vec<Value> {
        let doc: Value =
            serde_json::from_str(&self.ok(m, &["history", "--json", "--limit", "1000"])).unwrap();
        let mut records = doc["entries"].as_array().cloned().unwrap_or_default();
        records.reverse();
        records
    }
}

pub(crate) fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `status` with its relative times (`(0s ago)`, `allowed in 2d 23h`) cut: they follow each
/// machine's moment of asking, the absolute times the store's.
pub(crate) fn status_of(t: &Team, m: usize) -> String {
    t.ok(m, &["status"])
        .lines()
        .map(|l| match (l.find(" ago)"), l.find(" allowed in ")) {
            (Some(end), _) => l[..l[..end].rfind('(').unwrap_or(end)]
                .trim_end()
                .to_string(),
            (_, Some(at)) => format!(
                "{}{}",
                &l[..at],
                &l[l[at..].find(',').map_or(l.len(), |c| at + c)..]
            ),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Status and history as each machine sees them: the same text everywhere.
pub(crate) fn agree(t: &Team) -> (String, String) {
    let status: Vec<String> = (0..3).map(|m| status_of(t, m)).collect();
    let history: Vec<String> = (0..3).map(|m| t.ok(m, &["history"])).collect();
    for m in 1..3 {
        assert_eq!(status[0], status[m], "status on A and machine {m}");
        assert_eq!(history[0], history[m], "history on A and machine {m}");
    }
    (status[0].clone(), history[0].clone())
}

fn three_machines_agree(shared: Shared) {
    let t = team(shared);
    assert!(
        !t.machines[2].0.path(".rollout").exists(),
        "CI starts fresh"
    );
    t.ok(0, &["advance", "internal", "--reason", "first cohort"]);
    let (status, history) = agree(&t);
    assert!(status.contains("stage:       internal (5%)"), "{status}");
    assert!(
        status.contains("by alice: advance use-new-builder-cards → internal (5%): first cohort"),
        "{status}"
    );
    assert!(history.contains("alice  advance"), "{history}");
    // The soak of internal (3 days) started at the store's time of alice's record: the fresh CI
    // checkout is refused as alice would be, and starts no second rollout.
    let ci = t.run(2, &["advance", "--yes"]);
    assert_eq!(ci.status.code(), Some(3), "{}", text(&ci));
    assert!(
        String::from_utf8_lossy(&ci.stderr).contains("soak"),
        "{}",
        text(&ci)
    );
    // B kills with a reason; A and CI see who and why.
    t.ok(1, &["kill", "--reason", "checkout errors"]);
    let (status, history) = agree(&t);
    assert!(status.contains("state:       KILLED"), "{status}");
    assert!(status.contains("by bob: kill"), "{status}");
    assert!(status.contains("checkout errors"), "{status}");
    assert!(
        history.contains("bob  kill") && history.contains("checkout errors"),
        "{history}"
    );
    let records = t.history(2);
    let actors: Vec<&str> = records
        .iter()
        .filter(|r| r["outcome"] == "applied")
        .map(|r| r["actor"].as_str().unwrap())
        .collect();
    assert_eq!(actors, ["alice", "bob"], "{records:#?}");
    drop(t.flags);
}

#[tokio::test]
async fn three_machines_agree_on_postgres() {
    let url = pg::fresh_database(pg::shared()).await;
    tokio::task::spawn_blocking(move || three_machines_agree(Shared::Postgres(url)))
        .await
        .unwrap();
}

#[test]
fn three_machines_agree_on_git() {
    three_machines_agree(Shared::Git(git::bare()));
}

/// One round: the flag at beta (10%), then 4 forced advances, 4 forced rollbacks and a kill at
/// once from the three machines. Returns (machine, args, exit code) of each racer.
fn race_round(t: &Team, round: usize) -> Vec<(usize, Vec<String>, i32)> {
    let mut children = Vec::new();
    for i in 0..9 {
        let m = i % 3;
        let args: Vec<String> = match i {
            0..=3 => vec![
                "advance".into(),
                "--force".into(),
                "--reason".into(),
                format!("race {round}.{i}"),
                "--yes".into(),
            ],
            4..=7 => vec![
                "rollback".into(),
                "--force".into(),
                "--reason".into(),
                format!("race {round}.{i}"),
                "--yes".into(),
            ],
            _ => vec![
                "kill".into(),
                "--reason".into(),
                format!("race {round}.{i}"),
            ],
        };
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let child = t
            .cmd(m, &refs)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        children.push((m, args, child));
    }
    children
        .into_iter()
        .map(|(m, args, child)| {
            let out = child.wait_with_output().unwrap();
            (m, args, out.status.code().unwrap_or(-1))
        })
        .collect()
}

fn racing_writers(stores: Vec<Shared>) {
    for (round, shared) in stores.into_iter().enumerate() {
        let t = team(shared);
        t.ok(0, &["advance", "internal"]);
        t.ok(
            0,
            &["advance", "beta", "--force", "--reason", "setup", "--yes"],
        );
        let ran = race_round(&t, round);
        // A kill that did not wait for a slow store kept its records in its machine's outbox:
        // the next command there takes them to the store.
        for m in 0..3 {
            t.ok(m, &["status"]);
        }
        let records = t.history(1);
        let status = status_of(&t, 2);
        assert!(
            status.contains("KILLED"),
            "round {round}: the kill did not stay\n{status}\n{ran:?}"
        );
        for (_, args, code) in &ran {
            if *code == 0 {
                let reason = args.iter().find(|a| a.starts_with("race ")).unwrap();
                assert!(
                    records.iter().any(|r| r["reason"] == reason.as_str()
                        && matches!(r["outcome"].as_str(), Some("applied" | "already-off"))),
                    "round {round}: {args:?} exited 0 with no applied record"
                );
            }
        }
        // One chain of moves: each applied move starts where the one before ended.
        let moves: Vec<&Value> = records
            .iter()
            .filter(|r| r["outcome"] == "applied")
            .filter(|r| matches!(r["action"].as_str(), Some("advance" | "rollback")))
            .collect();
        for pair in moves.windows(2) {
            assert_eq!(
                pair[1]["from"], pair[0]["to"],
                "round {round}: two moves from one state\n{moves:#?}"
            );
        }
        let mut ids: Vec<String> = records
            .iter()
            .map(|r| format!("{}/{}", r["id"], r["outcome"]))
            .collect();
        let all = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), all, "round {round}: a record twice");
    }
}

#[test]
fn racing_writers_on_git_leave_one_chain_and_the_kill() {
    racing_writers((0..10).map(|_| Shared::Git(git::bare())).collect());
}

#[tokio::test]
async fn racing_writers_on_postgres_leave_one_chain_and_the_kill() {
    let mut stores = Vec::new();
    for _ in 0..10 {
        stores.push(Shared::Postgres(pg::fresh_database(pg::shared()).await));
    }
    tokio::task::spawn_blocking(move || racing_writers(stores))
        .await
        .unwrap();
}

/// PostgreSQL down (a closed port in the state URL): `advance` refuses before touching the
/// flag (exit 4, naming the store); `kill` still turns the flag off, keeps its records in the
/// machine's outbox and says so; once the store answers, the next command takes them there,
/// and every machine sees the kill once.
fn store_down_then_back(url: String) {
    let t = team(Shared::Postgres(url.clone()));
    t.ok(0, &["advance", "internal", "--reason", "first cohort"]);
    let closed = crate::gates_support::closed_port();
    let down = format!("postgres://rollout@127.0.0.1:{}/rollout", closed.port);
    let flags_before = std::fs::read(t.flags.path().join("flags.json")).unwrap();
    let advance = t
        .cmd(1, &["advance", "beta", "--force", "--reason", "r", "--yes"])
        .env("TEAM_STATE_URL", &down)
        .output()
        .unwrap();
    assert_eq!(advance.status.code(), Some(4), "{}", text(&advance));
    let err = String::from_utf8_lossy(&advance.stderr);
    assert!(err.contains("postgres ($TEAM_STATE_URL)"), "{err}");
    assert!(
        !err.contains("postgres://"),
        "the URL is never printed: {err}"
    );
    assert_eq!(
        std::fs::read(t.flags.path().join("flags.json")).unwrap(),
        flags_before,
        "the flag was touched"
    );
    let kill = t
        .cmd(1, &["kill", "--reason", "store down", "--timeout", "4s"])
        .env("TEAM_STATE_URL", &down)
        .output()
        .unwrap();
    assert_eq!(kill.status.code(), Some(0), "{}", text(&kill));
    assert!(
        String::from_utf8_lossy(&kill.stderr).contains("outbox.jsonl"),
        "{}",
        text(&kill)
    );
    // The store is back: B's next command takes the kill there; A and CI see it once.
    t.ok(1, &["status"]);
    t.ok(1, &["status"]);
    let (status, _) = agree(&t);
    assert!(status.contains("by bob: kill"), "{status}");
    let kills = t
        .history(2)
        .into_iter()
        .filter(|r| r["action"] == "kill" && r["outcome"] == "applied")
        .count();
    assert_eq!(kills, 1);
}

#[tokio::test]
async fn with_postgres_down_advance_refuses_and_kill_lands_then_syncs() {
    let url = pg::fresh_database(pg::shared()).await;
    tokio::task::spawn_blocking(move || store_down_then_back(url))
        .await
        .unwrap();
}
