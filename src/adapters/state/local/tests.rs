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

/// An id as `rollout` makes them (app::intent), made `ago` before now.
fn made_ago(ago: std::time::Duration, n: u32) -> String {
    let nanos = (std::time::SystemTime::now() - ago)
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{nanos:x}-4242-{n}")
}

const HOUR: std::time::Duration = std::time::Duration::from_secs(3600);

#[test]
fn a_retry_with_the_same_id_after_other_records_answers_the_stored_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = Local::new(dir.path());
    let fresh = made_ago(std::time::Duration::ZERO, 1);
    block(async {
        // Older records with ids of their own, then this one, then others' records.
        for n in 0..3 {
            let id = made_ago(HOUR * 24, n);
            store
                .append(&change("g", &id, "2024-01-01T00:00:00Z"), None, None)
                .await
                .unwrap();
        }
        let first = stored(
            store
                .append(&change("f", &fresh, "2024-01-02T00:00:00Z"), None, None)
                .await
                .unwrap(),
        );
        for n in 10..13 {
            let id = made_ago(std::time::Duration::ZERO, n);
            store
                .append(&change("g", &id, "2024-01-03T00:00:00Z"), None, None)
                .await
                .unwrap();
            store
                .append(
                    &look("g", &format!("2024-01-03T00:00:0{}Z", n - 10)),
                    None,
                    None,
                )
                .await
                .unwrap();
        }
        // Another process retries (a store of its own, nothing counted yet), then this one.
        let other = Local::new(dir.path());
        for s in [&other, &store] {
            let again = s
                .append(
                    &change("f", &fresh, "2024-01-02T00:00:00Z"),
                    Some(Head(0)),
                    None,
                )
                .await;
            assert_eq!(stored(again.unwrap()), first);
        }
        assert_eq!(first.seq, 4);
        assert_eq!(store.read(&Query::default()).await.unwrap().len(), 10);
    });
}

#[test]
fn an_id_made_long_ago_is_found_behind_records_made_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = Local::new(dir.path());
    // A kill's record kept in the outbox for a day reaches the journal after records whose ids
    // were made before it, then is pushed again.
    let kept = made_ago(HOUR * 24, 1);
    block(async {
        let first = stored(
            store
                .append(&change("f", &kept, "2024-01-02T00:00:00Z"), None, None)
                .await
                .unwrap(),
        );
        for n in 0..3 {
            let id = made_ago(HOUR * 48, n);
            store
                .append(&change("g", &id, "2024-01-01T00:00:00Z"), None, None)
                .await
                .unwrap();
        }
        let again = Local::new(dir.path())
            .append(&change("f", &kept, "2024-01-02T00:00:00Z"), None, None)
            .await;
        assert_eq!(stored(again.unwrap()), first);
        assert_eq!(store.read(&Query::default()).await.unwrap().len(), 4);
    });
}

#[test]
fn an_appends_look_for_a_new_id_stops_at_the_first_record_made_well_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = crate::adapters::journal::path(dir.path());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let new = made_ago(std::time::Duration::ZERO, 8);
    let line = |id: &str| {
        serde_json::to_string(&change("f", id, "2024-01-01T00:00:00Z").body).unwrap() + "\n"
    };
    // The new id's record placed (as no writer could) before a record made a day before it,
    // then records made within the margin: the look reads back to the old one and no further.
    let mut text = line(&new) + &line(&made_ago(HOUR * 24, 1));
    for n in 0..3 {
        text += &line(&made_ago(std::time::Duration::from_secs(300), n));
    }
    std::fs::write(&path, &text).unwrap();
    let id = format!("{new}/intent");
    let found = super::scan::newest(&path, 5, Some(&id), None).unwrap();
    assert_eq!(found.record, None);
    // Records made up to the margin before the id do not stop it: it is found behind them.
    let recent = made_ago(std::time::Duration::from_secs(60), 9);
    let mut text = line(&recent);
    for n in 0..3 {
        text += &line(&made_ago(std::time::Duration::from_secs(500), n));
    }
    std::fs::write(&path, &text).unwrap();
    let id = format!("{recent}/intent");
    let found = super::scan::newest(&path, 4, Some(&id), None).unwrap();
    assert_eq!(found.record.map(|s| s.seq), Some(1));
}

#[test]
fn the_head_is_found_behind_other_scopes_records_and_a_stale_one_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let store = Local::new(dir.path());
    block(async {
        let won = stored(
            store
                .append(
                    &change("f", "a", "2024-01-01T00:00:00Z"),
                    Some(Head(0)),
                    None,
                )
                .await
                .unwrap(),
        );
        for n in 0..50 {
            let e = change("g", &format!("g{n}"), "2024-01-01T00:00:00Z");
            store.append(&e, None, None).await.unwrap();
            store
                .append(&look("f", &format!("2024-01-01T00:{n:02}:00Z")), None, None)
                .await
                .unwrap();
        }
        let fresh = Local::new(dir.path());
        assert_eq!(fresh.head(&scope("f")).await.unwrap(), Head(won.seq));
        let lost = fresh
            .append(
                &change("f", "b", "2024-01-01T00:00:00Z"),
                Some(Head(0)),
                None,
            )
            .await
            .unwrap();
        assert_eq!(lost, Appended::Conflict(won.clone()));
        let next = stored(
            fresh
                .append(
                    &change("f", "c", "2024-01-01T00:00:00Z"),
                    Some(Head(1)),
                    None,
                )
                .await
                .unwrap(),
        );
        assert_eq!(next.seq, 102);
        assert_eq!(store.head(&scope("f")).await.unwrap(), Head(102));
    });
}

#[test]
fn lines_appended_by_another_writer_or_a_journal_cut_short_keep_numbers_true() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (Local::new(dir.path()), Local::new(dir.path()));
    let seqs = |s: &Local| {
        block(s.read(&Query::default()))
            .unwrap()
            .iter()
            .map(|s| s.seq)
            .collect::<Vec<_>>()
    };
    block(async {
        one.append(&look("f", "2024-01-01T00:00:00Z"), None, None)
            .await
            .unwrap();
    });
    assert_eq!(seqs(&one), [1]);
    // Another process appends two records, one after a torn line.
    block(async {
        two.append(&look("f", "2024-01-02T00:00:00Z"), None, None)
            .await
            .unwrap();
    });
    let path = crate::adapters::journal::path(dir.path());
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("{\"torn");
    std::fs::write(&path, &text).unwrap();
    assert_eq!(seqs(&one), [2, 1]);
    let s = stored(block(two.append(&look("f", "2024-01-03T00:00:00Z"), None, None)).unwrap());
    assert_eq!(s.seq, 4);
    assert_eq!(seqs(&one), [4, 2, 1]);
    // Cut short to its first line (by hand): counted again.
    let first = text.lines().next().unwrap().to_string() + "\n";
    std::fs::write(&path, first).unwrap();
    assert_eq!(seqs(&one), [1]);
    let s = stored(block(one.append(&look("f", "2024-01-04T00:00:00Z"), None, None)).unwrap());
    assert_eq!(s.seq, 2);
}

#[test]
fn a_flags_lines_kept_from_one_read_answer_later_reads_as_the_file_does() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (Local::new(dir.path()), Local::new(dir.path()));
    let f = |lanes: Vec<Lane>, before: Option<u64>, limit: Option<usize>| Query {
        scope: Some(scope("f")),
        lanes,
        before,
        limit,
    };
    block(async {
        for n in 0..4 {
            let e = change("f", &format!("a{n}"), "2024-01-01T00:00:00Z");
            two.append(&e, None, None).await.unwrap();
            let e = change("g", &format!("b{n}"), "2024-01-01T00:00:00Z");
            two.append(&e, None, None).await.unwrap();
        }
        // Read back to the first line: f's lines are kept.
        assert_eq!(one.read(&f(vec![], None, None)).await.unwrap().len(), 4);
        for n in 4..6 {
            let e = change("f", &format!("a{n}"), "2024-01-01T00:00:00Z");
            two.append(&e, None, None).await.unwrap();
            two.append(&look("f", "2024-01-02T00:00:00Z"), None, None)
                .await
                .unwrap();
        }
        let queries = [
            f(vec![], None, None),
            f(vec![Lane::Change], None, Some(3)),
            f(vec![Lane::Change], Some(9), Some(2)),
            f(vec![Lane::Look], None, None),
            f(vec![], Some(5), None),
            f(vec![], None, Some(100)),
        ];
        for q in &queries {
            let kept = one.read(q).await.unwrap();
            let file = Local::new(dir.path()).read(q).await.unwrap();
            assert_eq!(kept, file, "{q:?}");
        }
        assert_eq!(one.head(&scope("f")).await.unwrap(), Head(11));
        assert_eq!(
            one.read(&f(vec![Lane::Change], Some(9), Some(2)))
                .await
                .unwrap()
                .iter()
                .map(|s| s.seq)
                .collect::<Vec<_>>(),
            [7, 5]
        );
    });
}
