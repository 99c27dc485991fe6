//! `rollout history` places a checklist run where it ended: below the changes made while it ran,
//! not under its start time above them. Records of older versions (no `ended`) keep their start.

use crate::test::Project;

#[test]
fn history_orders_checklist_runs_by_when_they_ended() {
    let p = Project::with_checklist("demo", "tasks:\n  - {name: Build, run: 'true'}\n");
    p.rollout(["advance"]).at("2024-01-15T10:00:00Z").run();
    // A run's record holds when it ended, as well as when it started.
    p.checklist(["run", "demo"])
        .at("2024-01-15T10:01:00Z")
        .run();
    let journal = p.journal();
    let ran = journal.last().unwrap();
    assert_eq!(ran["action"], "checklist");
    assert_eq!(ran["time"], "2024-01-15T10:01:00Z");
    let at = |t: &str| t.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    assert!(
        at(ran["ended"].as_str().unwrap()) >= at("2024-01-15T10:01:00Z"),
        "{ran}"
    );

    // A run from 10:02 to 10:05 during which a flag was killed (10:03), journaled when it
    // ended; then a record of an older version (no `ended`) of a run at 09:00.
    p.rollout(["kill", "--reason", "test"])
        .at("2024-01-15T10:03:00Z")
        .run();
    let path = p.path(".rollout/journal.jsonl");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(concat!(
        r#"{"time":"2024-01-15T10:02:00Z","ended":"2024-01-15T10:05:00Z","actor":"tester@example.com","action":"checklist","checklist":"long","run_id":"r2","resumed":false,"outcome":"passed","counts":{"passed":1,"failed":0,"skipped":0,"failed_allowed":0,"interrupted":0,"quit":0},"tasks":[]}"#,
        "\n",
        r#"{"time":"2024-01-15T09:00:00Z","actor":"tester@example.com","action":"checklist","checklist":"old","run_id":"r0","resumed":false,"outcome":"passed","counts":{"passed":1,"failed":0,"skipped":0,"failed_allowed":0,"interrupted":0,"quit":0},"tasks":[]}"#,
        "\n"
    ));
    std::fs::write(&path, text).unwrap();

    let doc = p.rollout(["history", "--json"]).run().json();
    let order: Vec<String> = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let what = e["checklist"]
                .as_str()
                .unwrap_or(e["action"].as_str().unwrap());
            what.to_string()
        })
        .collect();
    assert_eq!(order, ["long", "kill", "demo", "advance", "old"]);

    let lines = p.rollout(["history"]).run().stdout;
    let lines: Vec<&str> = lines.lines().collect();
    assert!(
        lines[0].starts_with("2024-01-15 10:05 UTC  tester@example.com  checklist long: passed")
            && lines[0].ends_with(", started 2024-01-15 10:02 UTC"),
        "{lines:#?}"
    );
    assert!(lines[1].contains("kill"), "{lines:#?}");
    assert!(
        lines[4].starts_with("2024-01-15 09:00 UTC  tester@example.com  checklist old: passed")
            && !lines[4].contains("started"),
        "{lines:#?}"
    );
}
