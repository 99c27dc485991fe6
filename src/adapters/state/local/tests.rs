//! The store properties every store is tested with (docs: design of issue 20), for the local one.

use std::path::Path;

use serde_json::json;

use super::Local;
use crate::adapters::state::entry;
use crate::ports::state::{Appended, Entry, Head, Lane, Query, Scope, Store, Stored};

fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

fn scope(flag: &str) -> Scope {
    Scope {
        flag: flag.into(),
        environment: "production".into(),
    }
}

fn change(flag: &str, id: &str, time: &str) -> Entry {
    entry::of(
        json!({"time": time, "actor": "a", "action": "advance", "flag": flag,
        "environment": "production", "outcome": "intent", "id": id}),
    )
}

fn look(flag: &str, time: &str) -> Entry {
    entry::of(
        json!({"time": time, "actor": "w", "action": "watch", "flag": flag,
        "environment": "production", "outcome": "look"}),
    )
}

fn stored(a: Appended) -> Stored {
    match a {
        Appended::Stored(s) => s,
        other => panic!("not stored: {other:?}"),
    }
}

fn ids(records: &[Stored]) -> Vec<&str> {
    records.iter().map(|s| s.entry.id.as_str()).collect()
}

#[test]
fn appended_records_read_back_newest_first_with_their_line_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = Local::new(dir.path());
    block(async {
        let a = stored(
            store
                .append(&change("f", "1", "2024-01-01T00:00:00Z"), None, None)
                .await
                .unwrap(),
        );
        store
            .append(&look("f", "2024-01-02T00:00:00Z"), None, None)
            .await
            .unwrap();
        store
            .append(&change("g", "2", "2024-01-03T00:00:00Z"), None, None)
            .await
            .unwrap();
        store
            .append(&change("f", "3", "2024-01-04T00:00:00Z"), None, None)
            .await
            .unwrap();
        assert_eq!(
            (a.seq, a.at.to_rfc3339()),
            (1, "2024-01-01T00:00:00+00:00".to_string())
        );
        let all = store.read(&Query::default()).await.unwrap();
        assert_eq!(all.iter().map(|s| s.seq).collect::<Vec<_>>(), [4, 3, 2, 1]);
        let f = Query {
            scope: Some(scope("f")),
            ..Query::default()
        };
        assert_eq!(ids(&store.read(&f).await.unwrap()).len(), 3);
        let changes = Query {
            lanes: vec![Lane::Change],
            limit: Some(2),
            ..f.clone()
        };
        assert_eq!(
            ids(&store.read(&changes).await.unwrap()),
            ["3/intent", "1/intent"]
        );
        let older = Query {
            before: Some(4),
            limit: Some(1),
            ..f
        };
        assert_eq!(store.read(&older).await.unwrap()[0].seq, 2);
        assert_eq!(store.head(&scope("f")).await.unwrap(), Head(4));
        assert_eq!(store.head(&scope("h")).await.unwrap(), Head(0));
    });
}

#[test]
fn a_torn_last_line_keeps_its_number_and_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = crate::adapters::journal::path(dir.path());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "\n{\"torn").unwrap();
    let store = Local::new(dir.path());
    block(async {
        let s = stored(
            store
                .append(&change("f", "1", "2024-01-01T00:00:00Z"), None, None)
                .await
                .unwrap(),
        );
        assert_eq!(s.seq, 3);
        let all = store.read(&Query::default()).await.unwrap();
        assert_eq!(all.iter().map(|s| s.seq).collect::<Vec<_>>(), [3]);
        assert_eq!(store.find("1/intent").await.unwrap().unwrap().seq, 3);
    });
}

#[test]
fn the_same_id_twice_is_stored_once_and_answers_the_stored_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = Local::new(dir.path());
    block(async {
        let first = stored(
            store
                .append(&change("f", "1", "2024-01-01T00:00:00Z"), None, None)
                .await
                .unwrap(),
        );
        // A retry after a lost answer: the same id, even with a head that moved since.
        let again = store
            .append(
                &change("f", "1", "2024-01-01T00:00:00Z"),
                Some(Head(0)),
                None,
            )
            .await;
        assert_eq!(stored(again.unwrap()), first);
        assert_eq!(store.read(&Query::default()).await.unwrap().len(), 1);
        assert_eq!(store.find("1/intent").await.unwrap(), Some(first));
        assert_eq!(store.find("1/applied").await.unwrap(), None);
        // Records without an id are found by the id of their text.
        let l = look("f", "2024-01-02T00:00:00Z");
        store.append(&l, None, None).await.unwrap();
        assert_eq!(store.find(&l.id).await.unwrap().unwrap().seq, 2);
    });
}

#[test]
fn of_two_appends_after_the_same_head_one_wins_and_the_other_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = Local::new(dir.path());
    block(async {
        let head = store.head(&scope("f")).await.unwrap();
        let won = stored(
            store
                .append(&change("f", "a", "2024-01-01T00:00:00Z"), Some(head), None)
                .await
                .unwrap(),
        );
        let lost = store
            .append(&change("f", "b", "2024-01-01T00:00:00Z"), Some(head), None)
            .await
            .unwrap();
        assert_eq!(lost, Appended::Conflict(won.clone()));
        // Another scope's head is its own; looks do not move a head.
        store
            .append(&look("f", "2024-01-01T00:00:01Z"), None, None)
            .await
            .unwrap();
        stored(
            store
                .append(
                    &change("g", "c", "2024-01-01T00:00:00Z"),
                    Some(Head(0)),
                    None,
                )
                .await
                .unwrap(),
        );
        stored(
            store
                .append(
                    &change("f", "d", "2024-01-01T00:00:00Z"),
                    Some(Head(won.seq)),
                    None,
                )
                .await
                .unwrap(),
        );
        assert_eq!(store.read(&Query::default()).await.unwrap().len(), 4);
    });
}

/// Appends one change after the head it read, re-reading on conflict; the record names the
/// head it was appended after.
fn append_in_turn(dir: &Path, n: usize) {
    let store = Local::new(dir);
    block(async {
        loop {
            let head = store.head(&scope("f")).await.unwrap();
            let mut e = change("f", &format!("w{n}"), "2024-01-01T00:00:00Z");
            e.body["after"] = head.0.into();
            e.id = entry::id_of(&e.body);
            match store.append(&e, Some(head), None).await.unwrap() {
                Appended::Stored(_) => return,
                Appended::Conflict(_) => {}
                Appended::Fenced(l) => panic!("fenced by {l:?}"),
            }
        }
    });
}

#[test]
fn eight_concurrent_appenders_form_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    std::thread::scope(|s| {
        for n in 0..8 {
            let d = dir.path();
            s.spawn(move || append_in_turn(d, n));
        }
    });
    let mut all = block(Local::new(dir.path()).read(&Query::default())).unwrap();
    all.reverse();
    assert_eq!(all.len(), 8);
    let mut previous = 0;
    for s in all {
        assert_eq!(s.entry.body["after"], previous, "{:?}", s.entry.body);
        previous = s.seq;
    }
}

#[test]
fn health_says_where_and_how_many() {
    let dir = tempfile::tempdir().unwrap();
    let store = Local::new(dir.path());
    block(async {
        store
            .append(&look("f", "2024-01-02T00:00:00Z"), None, None)
            .await
            .unwrap();
        let h = store.health().await.unwrap();
        assert_eq!((h.kind, h.schema, h.records), ("local", 1, 1));
        assert!(h.place.ends_with(".rollout/journal.jsonl"), "{}", h.place);
    });
}

#[test]
fn a_journal_that_cannot_be_written_is_a_clear_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(crate::adapters::journal::path(dir.path())).unwrap();
    let store = Local::new(dir.path());
    block(async {
        let e = store
            .append(&look("f", "2024-01-02T00:00:00Z"), None, None)
            .await
            .unwrap_err();
        assert!(
            e.message.contains(".rollout/journal.jsonl"),
            "{}",
            e.message
        );
        let e = store.read(&Query::default()).await.unwrap_err();
        assert!(
            e.message.contains(".rollout/journal.jsonl"),
            "{}",
            e.message
        );
    });
}
