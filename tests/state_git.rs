//! The git state store against real remotes: a bare repository on disk and one served by
//! `git daemon` on loopback (started here on a free port, stopped by its PID). Each property of
//! issue 20's list runs against both; every "machine" is a store with its own directory, so
//! its own cache repository, as on separate computers.

use std::time::Duration;

use futures_util::future::join_all;
use rollout::ports::state::{Appended, Head, Lane, Lease, Leased, Query, Store, Stored};
use serde_json::json;

mod faults;
mod processes;
pub(crate) mod support;

use support::{change, entry, git, ids, machine, read_ids, scope, stored, Machine, Remote, BRANCH};

/// Runs each property against both remotes.
macro_rules! both {
    ($prop:ident) => {
        mod $prop {
            #[tokio::test]
            async fn bare() {
                super::$prop(super::support::bare()).await;
            }
            #[tokio::test]
            async fn daemon() {
                super::$prop(super::support::daemon()).await;
            }
        }
    };
}

both!(append_then_read);
both!(same_id_twice);
both!(compare_and_swap);
both!(racing_machines_form_one_chain);
both!(leases);
both!(health);

async fn append_then_read(remote: Remote) {
    let a = machine(&remote);
    let started = chrono::Utc::now().timestamp();
    let mut all = Vec::new();
    for e in [
        change("c1", "checkout", 0),
        entry("l1", Some(scope("checkout")), Lane::Look, 0),
        change("c2", "search", 0),
        entry("r1", None, Lane::Run, 0),
    ] {
        all.push(stored(a.store.append(&e, None, None).await.unwrap()));
    }
    let ended = chrono::Utc::now().timestamp();
    assert_eq!(all.iter().map(|s| s.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
    for s in &all {
        assert!((started..=ended).contains(&s.at.timestamp()), "{s:?}");
    }
    // `at` is the time of the commit that stored the record (the newest commit holds r1).
    let committed = git(&[
        "--git-dir",
        remote.bare.to_str().unwrap(),
        "log",
        "-1",
        "--format=%ct",
        BRANCH,
    ]);
    assert_eq!(committed.trim(), all[3].at.timestamp().to_string());

    // Another machine reads the same, newest first, with the store's seq and time.
    let b = machine(&remote);
    let read = b.store.read(&Query::default()).await.unwrap();
    assert_eq!(ids(&read), ["r1", "c2", "l1", "c1"]);
    assert_eq!(read.iter().rev().cloned().collect::<Vec<_>>(), all);
    let q = |scope, lanes, before, limit| Query {
        scope,
        lanes,
        before,
        limit,
    };
    let by = |query| read_ids(&b.store, query);
    assert_eq!(
        by(q(Some(scope("checkout")), vec![], None, None)).await,
        ["l1", "c1"]
    );
    assert_eq!(
        by(q(None, vec![Lane::Change], None, None)).await,
        ["c2", "c1"]
    );
    assert_eq!(
        by(q(None, vec![Lane::Look, Lane::Run], None, None)).await,
        ["r1", "l1"]
    );
    assert_eq!(by(q(None, vec![], Some(3), None)).await, ["l1", "c1"]);
    assert_eq!(by(q(None, vec![], None, Some(1))).await, ["r1"]);
    assert_eq!(
        by(q(
            Some(scope("checkout")),
            vec![Lane::Change],
            Some(2),
            Some(5)
        ))
        .await,
        ["c1"]
    );
    assert_eq!(b.store.head(&scope("checkout")).await.unwrap(), Head(1));
    assert_eq!(b.store.head(&scope("search")).await.unwrap(), Head(3));
    assert_eq!(b.store.head(&scope("other")).await.unwrap(), Head(0));

    branch_layout(&remote);
}

/// What `append_then_read` left on the branch, file by file (docs/team.md "## git").
fn branch_layout(remote: &Remote) {
    let files = git(&[
        "--git-dir",
        remote.bare.to_str().unwrap(),
        "ls-tree",
        "-r",
        "--name-only",
        BRANCH,
    ]);
    assert_eq!(
        files,
        "VERSION\nheads/checkout/prod\nheads/search/prod\n\
         records/_runs/000000000004-run-r1.json\n\
         records/checkout/prod/000000000001-change-c1.json\n\
         records/checkout/prod/000000000002-look-l1.json\n\
         records/search/prod/000000000003-change-c2.json\nseq\n"
    );
    let show = |path: &str| {
        git(&[
            "--git-dir",
            remote.bare.to_str().unwrap(),
            "show",
            &format!("{BRANCH}:{path}"),
        ])
    };
    assert_eq!(
        (show("VERSION"), show("seq"), show("heads/search/prod")),
        ("1\n".into(), "4\n".into(), "3\n".into())
    );
    // Commits carry the fixed identity; the actor lives in the record.
    let who = git(&[
        "--git-dir",
        remote.bare.to_str().unwrap(),
        "log",
        "--format=%an <%ae>|%cn <%ce>|%s",
        BRANCH,
    ]);
    assert_eq!(
        who,
        "rollout <rollout@localhost>|rollout <rollout@localhost>|#4 run (no flag) r1\n\
         rollout <rollout@localhost>|rollout <rollout@localhost>|#3 change search/prod c2\n\
         rollout <rollout@localhost>|rollout <rollout@localhost>|#2 look checkout/prod l1\n\
         rollout <rollout@localhost>|rollout <rollout@localhost>|#1 change checkout/prod c1\n"
    );
}

async fn same_id_twice(remote: Remote) {
    let a = machine(&remote);
    let b = machine(&remote);
    let first = stored(
        a.store
            .append(&change("once", "checkout", 0), None, None)
            .await
            .unwrap(),
    );
    // A retry from the same machine, and the same record pushed by another machine (`state
    // push` run twice), answer the stored record and store nothing.
    let again = a
        .store
        .append(&change("once", "checkout", 0), None, None)
        .await
        .unwrap();
    assert_eq!(again, Appended::Stored(first.clone()));
    let mut other = change("once", "checkout", 0);
    other.body = json!({ "id": "once", "action": "rollback" });
    let elsewhere = b.store.append(&other, Some(Head(0)), None).await.unwrap();
    assert_eq!(elsewhere, Appended::Stored(first.clone()));
    assert_eq!(b.store.find("once").await.unwrap(), Some(first.clone()));
    assert_eq!(a.store.find("never").await.unwrap(), None);
    // Found at once by a machine that looked a moment before it was stored elsewhere (a retry
    // after a lost answer must never read "not stored" from its older fetch).
    let late = stored(
        b.store
            .append(&change("late", "search", 0), None, None)
            .await
            .unwrap(),
    );
    assert_eq!(a.store.find("late").await.unwrap(), Some(late));
    assert_eq!(
        ids(&b.store.read(&Query::default()).await.unwrap()),
        ["late", "once"]
    );
    let commits = git(&[
        "--git-dir",
        remote.bare.to_str().unwrap(),
        "rev-list",
        "--count",
        BRANCH,
    ]);
    assert_eq!(commits.trim(), "2");
}

async fn compare_and_swap(remote: Remote) {
    let a = machine(&remote);
    let b = machine(&remote);
    let s = scope("checkout");
    stored(
        a.store
            .append(&change("start", "checkout", 0), Some(Head(0)), None)
            .await
            .unwrap(),
    );
    // Both decide from the same head; the first to push wins, the other learns who.
    let head_a = a.store.head(&s).await.unwrap();
    let head_b = b.store.head(&s).await.unwrap();
    assert_eq!((head_a, head_b), (Head(1), Head(1)));
    let won = stored(
        a.store
            .append(&change("a-moves", "checkout", 1), Some(head_a), None)
            .await
            .unwrap(),
    );
    let lost = b
        .store
        .append(&change("b-moves", "checkout", 1), Some(head_b), None)
        .await
        .unwrap();
    assert_eq!(lost, Appended::Conflict(won.clone()));
    // Another scope, and records of other lanes, do not conflict.
    let other = b
        .store
        .append(&change("b-search", "search", 0), Some(Head(0)), None)
        .await
        .unwrap();
    assert_eq!(stored(other).seq, 3);
    let look = entry("b-look", Some(s.clone()), Lane::Look, 0);
    stored(b.store.append(&look, None, None).await.unwrap());
    // The look moved no head: a change after the winner still lands.
    let next = b
        .store
        .append(&change("b-next", "checkout", 2), Some(Head(won.seq)), None)
        .await
        .unwrap();
    assert_eq!(stored(next).seq, 5);
    // Another machine's reads see it once their fetched tip is older than a second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(a.store.head(&s).await.unwrap(), Head(5));
    assert!(a.store.find("b-moves").await.unwrap().is_none());
}

/// Eight machines at once, each appending with the head it read; the loser of each round reads
/// again and retries. The stored changes form one chain: each one's `after` is the one before.
async fn racing_machines_form_one_chain(remote: Remote) {
    let machines: Vec<Machine> = (0..8).map(|_| machine(&remote)).collect();
    let s = scope("checkout");
    // One round from the same head: exactly one wins.
    let first = join_all(machines.iter().enumerate().map(|(i, m)| {
        let e = change(&format!("same-{i}"), "checkout", 0);
        async move { m.store.append(&e, Some(Head(0)), None).await.unwrap() }
    }))
    .await;
    let winners: Vec<&Stored> = first
        .iter()
        .filter_map(|a| match a {
            Appended::Stored(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(winners.len(), 1, "{first:?}");
    for a in &first {
        assert!(
            matches!(a, Appended::Stored(w) | Appended::Conflict(w) if w == winners[0]),
            "{a:?}"
        );
    }
    // Then every machine keeps trying until its own move lands.
    let tries = join_all(machines.iter().enumerate().map(|(i, m)| {
        let s = s.clone();
        async move {
            for attempt in 0.. {
                let head = m.store.head(&s).await.unwrap();
                let e = change(&format!("move-{i}"), "checkout", head.0);
                match m.store.append(&e, Some(head), None).await.unwrap() {
                    Appended::Stored(_) => return attempt,
                    Appended::Conflict(w) => assert!(w.seq > head.0, "{w:?}"),
                    Appended::Fenced(l) => panic!("no lease here: {l:?}"),
                }
            }
            unreachable!()
        }
    }))
    .await;
    // Read by a machine that did not take part, so on the remote's tip now.
    let records = machine(&remote)
        .store
        .read(&Query {
            scope: Some(s.clone()),
            lanes: vec![Lane::Change],
            ..Query::default()
        })
        .await
        .unwrap();
    assert_eq!(records.len(), 9, "{tries:?}");
    let mut unique: Vec<&str> = ids(&records);
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 9);
    let chain: Vec<(u64, u64)> = records
        .iter()
        .rev()
        .map(|r| (r.seq, r.entry.body["after"].as_u64().unwrap()))
        .collect();
    for pair in chain.windows(2) {
        assert_eq!(pair[1].1, pair[0].0, "not one chain: {chain:?}");
    }
    assert_eq!(chain[0].1, 0);
}

async fn leases(remote: Remote) {
    let a = machine(&remote);
    let b = machine(&remote);
    let s = scope("checkout");
    let ttl = Duration::from_secs(30);
    let Leased::Held(held) = a.store.lease(&s, "alice on a (pid 1)", ttl).await.unwrap() else {
        panic!("a free lease is taken")
    };
    assert_eq!(
        (held.token, held.holder.as_str()),
        (1, "alice on a (pid 1)")
    );
    match b.store.lease(&s, "bob on b (pid 2)", ttl).await.unwrap() {
        Leased::Busy(busy) => assert_eq!(busy, held),
        other => panic!("expected Busy, got {other:?}"),
    }
    // Renewing keeps the token and moves the expiry.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let Leased::Held(renewed) = a.store.lease(&s, "alice on a (pid 1)", ttl).await.unwrap() else {
        panic!("the holder renews")
    };
    assert_eq!(renewed.token, 1);
    assert!(renewed.expires > held.expires);

    // A holder that stops renewing is replaced after its time, with a larger token; its
    // writes fenced with the old token are refused, the new holder's are stored.
    let short = scope("search");
    let Leased::Held(old) = a
        .store
        .lease(&short, "alice on a (pid 1)", Duration::from_secs(1))
        .await
        .unwrap()
    else {
        panic!("a free lease is taken")
    };
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let Leased::Held(new) = b
        .store
        .lease(&short, "bob on b (pid 2)", ttl)
        .await
        .unwrap()
    else {
        panic!("an expired lease is taken over")
    };
    assert_eq!((old.token, new.token), (1, 2));
    let fenced = a
        .store
        .append(&change("stale", "search", 0), None, Some(&old))
        .await
        .unwrap();
    assert_eq!(fenced, Appended::Fenced(new.clone()));
    stored(
        b.store
            .append(&change("fresh", "search", 0), None, Some(&new))
            .await
            .unwrap(),
    );
    assert!(b.store.find("stale").await.unwrap().is_none());

    // Released: free for the next, whose token is larger still; releasing twice, or a lease
    // no longer held, changes nothing.
    b.store.release(&new).await.unwrap();
    b.store.release(&new).await.unwrap();
    a.store.release(&old).await.unwrap();
    let Leased::Held(third) = a
        .store
        .lease(&short, "alice on a (pid 1)", ttl)
        .await
        .unwrap()
    else {
        panic!("a released lease is free")
    };
    assert_eq!(third.token, 3);
    let live: Vec<Lease> = b.store.health().await.unwrap().leases;
    assert_eq!(live, vec![renewed, third]);
}

async fn health(remote: Remote) {
    let a = machine(&remote);
    let empty = a.store.health().await.unwrap();
    let place = format!("git {} (branch {BRANCH})", remote.url);
    assert_eq!(
        (
            empty.kind,
            empty.place.as_str(),
            empty.schema,
            empty.records
        ),
        ("git", place.as_str(), 1, 0)
    );
    for i in 0..3 {
        stored(
            a.store
                .append(&change(&format!("h{i}"), "checkout", 0), None, None)
                .await
                .unwrap(),
        );
    }
    let Leased::Held(lease) = a
        .store
        .lease(
            &scope("checkout"),
            "ci on runner (pid 9)",
            Duration::from_secs(30),
        )
        .await
        .unwrap()
    else {
        panic!("a free lease is taken")
    };
    let b = machine(&remote);
    let h = b.store.health().await.unwrap();
    assert_eq!((h.schema, h.records, h.leases), (1, 3, vec![lease]));
    assert_eq!(b.store.kind(), "git");
    // The cache is private, beside stages.yaml.
    assert!(b.dir.path().join(".rollout/state-git/HEAD").is_file());
}
