//! `rollout state status` and `rollout state push`, whole outputs, with the local store.

use crate::test::Project;

const AT: &str = "2024-01-18T09:00:00Z";

#[test]
fn state_status_says_which_store_and_what_it_holds() {
    let p = Project::builder_cards();
    p.walk_builder_cards_to("beta");
    let done = p.rollout(["state", "status"]).run();
    assert_eq!(
        done.stdout,
        "store: local ./.rollout/journal.jsonl\nreachable: yes\nschema version: 1\nrecords: 4\nleases: none held\n"
    );
    assert_eq!(done.stderr, "");
    let doc = p.rollout(["state", "status", "--json"]).run().json();
    assert_eq!(
        doc,
        serde_json::json!({"schema": 1, "kind": "local", "place": "./.rollout/journal.jsonl",
            "reachable": true, "error": null, "schema_version": 1, "records": 4,
            "leases": [], "outbox": 0})
    );
    // A journal that cannot be read: exit 4, and why.
    std::fs::remove_file(p.path(".rollout/journal.jsonl")).unwrap();
    std::fs::create_dir(p.path(".rollout/journal.jsonl")).unwrap();
    let done = p.rollout(["state", "status"]).status(4).run();
    assert_eq!(
        done.stdout,
        "store: local ./.rollout/journal.jsonl\nreachable: no (could not read the journal ./.rollout/journal.jsonl: Is a directory (os error 21))\nleases: none held\n"
    );
}

#[test]
fn state_push_stores_each_record_once_however_often_it_runs() {
    let p = Project::builder_cards();
    p.walk_builder_cards_to("beta");
    std::fs::rename(
        p.path(".rollout/journal.jsonl"),
        p.path(".rollout/journal.bak"),
    )
    .unwrap();
    std::fs::create_dir(p.path(".rollout/journal.jsonl")).unwrap();
    p.rollout(["kill", "--reason", "incident"]).at(AT).run();
    std::fs::remove_dir(p.path(".rollout/journal.jsonl")).unwrap();
    std::fs::rename(
        p.path(".rollout/journal.bak"),
        p.path(".rollout/journal.jsonl"),
    )
    .unwrap();
    // The kill's intent reached the store before its answer was lost: it is there already.
    let outbox = p.read(".rollout/outbox.jsonl");
    let intent = outbox.lines().next().unwrap();
    let journal = p.read(".rollout/journal.jsonl");
    p.write(".rollout/journal.jsonl", &format!("{journal}{intent}\n"));
    let first = p.rollout(["state", "push"]).run();
    assert_eq!(
        first.stdout,
        "pushed 2 record(s) to local ./.rollout/journal.jsonl: 1 stored, 1 already there\n"
    );
    let second = p.rollout(["state", "push"]).run();
    assert_eq!(
        second.stdout,
        "pushed 0 record(s) to local ./.rollout/journal.jsonl: 0 stored, 0 already there\n"
    );
    let kills = p.journal().iter().filter(|r| r["action"] == "kill").count();
    assert_eq!(kills, 2, "the kill's intent and outcome, once each");
}
