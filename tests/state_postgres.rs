//! The PostgreSQL state store (`state: { kind: postgres, url_env: NAME }`, docs/team.md) against
//! a real PostgreSQL: the property list every store passes (docs of `rollout::ports::state`),
//! concurrent appenders as tasks and as processes, migrations racing, and the server stopped
//! in the middle of a session. Each test has a database of its own.

mod faults;
pub(crate) mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rollout::adapters::state::postgres;
use rollout::domain::error::Kind;
use rollout::ports::state::{Appended, Head, Lane, Leased, Query, Store};
use serde_json::json;

use support::{entry, ids, open, scope, VAR};

#[tokio::test]
async fn append_then_read_newest_first_with_store_time_and_query_filters() {
    let url = support::fresh_database(support::shared()).await;
    let s = open(&url);
    let (a, b) = (
        scope("checkout", "production"),
        scope("checkout", "staging"),
    );
    let before = Utc::now() - chrono::Duration::seconds(5);
    let records = [
        ("c1", Some(&a), Lane::Change),
        ("l1", Some(&a), Lane::Look),
        ("c2", Some(&b), Lane::Change),
        ("r1", None, Lane::Run),
        ("c3", Some(&a), Lane::Change),
    ];
    for (id, sc, lane) in records {
        // The record's own time is long ago: the store's time must not come from it.
        let body = json!({"id": id, "time": "2001-01-01T00:00:00Z", "z": 1, "a": [2]});
        let got = s
            .append(&entry(id, sc, lane, body.clone()), None, None)
            .await;
        let Ok(Appended::Stored(st)) = got else {
            panic!("{id}: {got:?}")
        };
        assert_eq!(
            st.entry,
            entry(id, sc, lane, body),
            "stored as given, key order kept"
        );
    }
    let after = Utc::now() + chrono::Duration::seconds(5);
    let all = s.read(&Query::default()).await.unwrap();
    assert_eq!(ids(&all), ["c3", "r1", "c2", "l1", "c1"]);
    for w in all.windows(2) {
        assert!(w[0].seq > w[1].seq && w[0].at >= w[1].at);
    }
    assert!(all.iter().all(|r| r.at > before && r.at < after));
    assert_eq!(all[1].entry.scope, None);

    let q = |scope: Option<_>, lanes: Vec<Lane>, before: Option<u64>, limit| Query {
        scope,
        lanes,
        before,
        limit,
    };
    let read = |q: Query| {
        let s = &s;
        async move { ids(&s.read(&q).await.unwrap()).join(" ") }
    };
    assert_eq!(
        read(q(Some(a.clone()), vec![], None, None)).await,
        "c3 l1 c1"
    );
    assert_eq!(
        read(q(Some(a.clone()), vec![Lane::Change], None, None)).await,
        "c3 c1"
    );
    assert_eq!(
        read(q(None, vec![Lane::Run, Lane::Look], None, None)).await,
        "r1 l1"
    );
    assert_eq!(
        read(q(None, vec![], Some(all[1].seq), None)).await,
        "c2 l1 c1"
    );
    assert_eq!(
        read(q(None, vec![], Some(all[1].seq), Some(2))).await,
        "c2 l1"
    );
    assert_eq!(
        read(q(Some(b.clone()), vec![Lane::Look], None, None)).await,
        ""
    );
    assert_eq!(s.head(&a).await.unwrap(), Head(all[0].seq));
    assert_eq!(
        s.head(&scope("other", "production")).await.unwrap(),
        Head(0)
    );
}

#[tokio::test]
async fn the_same_id_twice_stores_one_record_and_answers_the_stored_one() {
    let url = support::fresh_database(support::shared()).await;
    let s = open(&url);
    let a = scope("checkout", "production");
    let first = entry("move-1", Some(&a), Lane::Change, json!({"n": 1}));
    let Appended::Stored(stored) = s.append(&first, Some(Head(0)), None).await.unwrap() else {
        panic!("first append not stored")
    };
    // A retry after a lost answer: same id, the head has moved (by itself), another body.
    let retry = entry("move-1", Some(&a), Lane::Change, json!({"n": 2}));
    let again = s.append(&retry, Some(Head(0)), None).await.unwrap();
    assert_eq!(again, Appended::Stored(stored.clone()));
    assert_eq!(s.find("move-1").await.unwrap(), Some(stored.clone()));
    assert_eq!(s.find("move-2").await.unwrap(), None);
    assert_eq!(s.read(&Query::default()).await.unwrap(), vec![stored]);
    assert_eq!(s.health().await.unwrap().records, 1);
}

#[tokio::test]
async fn of_two_appends_from_the_same_head_one_is_stored_and_the_other_names_it() {
    let url = support::fresh_database(support::shared()).await;
    let (s1, s2) = (open(&url), open(&url));
    let (a, b) = (
        scope("checkout", "production"),
        scope("checkout", "staging"),
    );
    let head = s1.head(&a).await.unwrap();
    let x = entry("x", Some(&a), Lane::Change, json!({"who": "x"}));
    let y = entry("y", Some(&a), Lane::Change, json!({"who": "y"}));
    let Appended::Stored(won) = s1.append(&x, Some(head), None).await.unwrap() else {
        panic!("x not stored")
    };
    assert_eq!(
        s2.append(&y, Some(head), None).await.unwrap(),
        Appended::Conflict(won.clone())
    );
    assert_eq!(
        s2.find("y").await.unwrap(),
        None,
        "the loser stored nothing"
    );
    // Another scope does not conflict, and a look does not move the change head.
    let z = entry("z", Some(&b), Lane::Change, json!({}));
    assert!(matches!(
        s2.append(&z, Some(Head(0)), None).await.unwrap(),
        Appended::Stored(_)
    ));
    let look = entry("look", Some(&a), Lane::Look, json!({}));
    assert!(matches!(
        s2.append(&look, Some(Head(won.seq)), None).await.unwrap(),
        Appended::Stored(_)
    ));
    assert_eq!(s1.head(&a).await.unwrap(), Head(won.seq));
}

#[tokio::test]
async fn eight_concurrent_appenders_form_one_chain() {
    let url = support::fresh_database(support::shared()).await;
    let a = scope("checkout", "production");
    // Four with a connection each, four taking turns on one shared store.
    let shared: Arc<dyn Store> = Arc::new(open(&url));
    let mut tasks = Vec::new();
    for n in 0..8 {
        let s: Arc<dyn Store> = if n < 4 {
            Arc::new(open(&url))
        } else {
            shared.clone()
        };
        let a = a.clone();
        tasks.push(tokio::spawn(async move {
            support::append_chain(s.as_ref(), &a, &format!("task{n}"), 5).await
        }));
    }
    let mut conflicts = 0;
    for t in tasks {
        conflicts += t.await.unwrap();
    }
    let chain = support::assert_one_chain(shared.as_ref(), &a).await;
    assert_eq!(chain.len(), 40, "every appender stored its 5 records once");
    assert!(conflicts > 0, "the appenders did race (no conflict seen)");
}

#[tokio::test]
async fn two_processes_racing_form_one_chain() {
    let url = support::fresh_database(support::shared()).await;
    let start = (Utc::now() + chrono::Duration::milliseconds(1500)).timestamp_millis();
    let kids: Vec<_> = ["p1", "p2"]
        .iter()
        .map(|who| {
            support::child(
                "state_postgres::child_process",
                &[
                    ("ROLLOUT_PG_CHILD_URL", url.clone()),
                    ("ROLLOUT_PG_CHILD_MODE", "chain".into()),
                    ("ROLLOUT_PG_CHILD_WHO", (*who).into()),
                    ("ROLLOUT_PG_CHILD_START", start.to_string()),
                ],
            )
        })
        .collect();
    for k in kids {
        assert!(support::child_result(k).starts_with("stored 15"));
    }
    let chain = support::assert_one_chain(&open(&url), &scope("checkout", "production")).await;
    assert_eq!(chain.len(), 30);
}

#[tokio::test]
async fn four_processes_migrating_at_once_end_at_the_same_version() {
    let url = support::fresh_database(support::shared()).await;
    let start = (Utc::now() + chrono::Duration::milliseconds(1500)).timestamp_millis();
    let kids: Vec<_> = (0..4)
        .map(|_| {
            support::child(
                "state_postgres::child_process",
                &[
                    ("ROLLOUT_PG_CHILD_URL", url.clone()),
                    ("ROLLOUT_PG_CHILD_MODE", "migrate".into()),
                    ("ROLLOUT_PG_CHILD_START", start.to_string()),
                ],
            )
        })
        .collect();
    let results: Vec<String> = kids.into_iter().map(support::child_result).collect();
    assert_eq!(results, vec!["schema 1".to_string(); 4]);
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let rows = client
        .query("SELECT version FROM rollout_schema ORDER BY version", &[])
        .await
        .unwrap();
    let versions: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(versions, [1], "each migration recorded once");
}

#[tokio::test]
async fn four_connections_migrating_at_once_end_at_the_same_version() {
    let url = support::fresh_database(support::shared()).await;
    let stores: Vec<_> = (0..4).map(|_| open(&url)).collect();
    let healths = futures_util::future::join_all(stores.iter().map(|s| s.health())).await;
    for h in healths {
        assert_eq!(h.unwrap().schema, 1);
    }
}

/// A child of the multi-process tests (run by them, with their variables).
#[tokio::test]
#[ignore = "a child process of the PostgreSQL race tests; they run it"]
async fn child_process() {
    let var = |n: &str| std::env::var(n).unwrap_or_default();
    let start: i64 = var("ROLLOUT_PG_CHILD_START").parse().unwrap();
    let wait = start - Utc::now().timestamp_millis();
    if wait > 0 {
        tokio::time::sleep(Duration::from_millis(wait.unsigned_abs())).await;
    }
    let s = open(&var("ROLLOUT_PG_CHILD_URL"));
    match var("ROLLOUT_PG_CHILD_MODE").as_str() {
        "migrate" => println!("child-result: schema {}", s.health().await.unwrap().schema),
        "chain" => {
            let a = scope("checkout", "production");
            let conflicts = support::append_chain(&s, &a, &var("ROLLOUT_PG_CHILD_WHO"), 15).await;
            println!("child-result: stored 15 ({conflicts} conflicts)");
        }
        other => panic!("unknown child mode {other:?}"),
    }
}

#[tokio::test]
async fn leases_take_busy_renew_expire_fence_and_release() {
    let url = support::fresh_database(support::shared()).await;
    let s = open(&url);
    let a = scope("checkout", "production");
    let ttl = Duration::from_secs(3);
    let Leased::Held(l1) = s.lease(&a, "alice", ttl).await.unwrap() else {
        panic!("alice did not get a free lease")
    };
    assert_eq!((l1.holder.as_str(), &l1.scope), ("alice", &a));
    assert_eq!(
        s.lease(&a, "bob", ttl).await.unwrap(),
        Leased::Busy(l1.clone())
    );
    let Leased::Held(renewed) = s.lease(&a, "alice", ttl).await.unwrap() else {
        panic!("alice could not renew")
    };
    assert_eq!(renewed.token, l1.token);
    assert!(renewed.expires > l1.expires);
    // Another scope's lease is independent.
    let other = scope("search", "production");
    let long = Duration::from_secs(60);
    assert!(matches!(
        s.lease(&other, "bob", long).await.unwrap(),
        Leased::Held(_)
    ));

    tokio::time::sleep(ttl + Duration::from_millis(300)).await;
    let Leased::Held(l2) = s.lease(&a, "bob", ttl).await.unwrap() else {
        panic!("bob could not take the expired lease")
    };
    assert!(l2.token > l1.token);
    // Alice stalled past her lease: her fenced write is refused; Bob's goes in.
    let late = entry("late", Some(&a), Lane::Change, json!({}));
    assert_eq!(
        s.append(&late, None, Some(&l1)).await.unwrap(),
        Appended::Fenced(l2.clone())
    );
    assert_eq!(s.find("late").await.unwrap(), None);
    let bobs = entry("bobs", Some(&a), Lane::Change, json!({}));
    assert!(matches!(
        s.append(&bobs, None, Some(&l2)).await.unwrap(),
        Appended::Stored(_)
    ));

    s.release(&l1).await.unwrap(); // not hers any more: nothing happens
    assert_eq!(
        s.lease(&a, "alice", ttl).await.unwrap(),
        Leased::Busy(l2.clone())
    );
    s.release(&l2).await.unwrap();
    let live = s.health().await.unwrap().leases;
    assert_eq!(
        live.iter()
            .map(|l| l.scope.flag.as_str())
            .collect::<Vec<_>>(),
        ["search"]
    );
    // Released, the token still fences Alice's stale writes.
    assert!(matches!(
        s.append(&late, None, Some(&l1)).await.unwrap(),
        Appended::Fenced(_)
    ));
    let Leased::Held(l3) = s.lease(&a, "alice", ttl).await.unwrap() else {
        panic!("alice could not take the released lease")
    };
    assert!(l3.token > l2.token);
}

#[tokio::test]
async fn health_names_the_store_without_its_secret() {
    let url = support::fresh_database(support::shared()).await;
    let s = open(&url);
    let a = scope("checkout", "production");
    for id in ["one", "two"] {
        s.append(&entry(id, Some(&a), Lane::Look, json!({})), None, None)
            .await
            .unwrap();
    }
    let Leased::Held(l) = s
        .lease(&a, "alice on ci (pid 1)", Duration::from_secs(30))
        .await
        .unwrap()
    else {
        panic!("no lease")
    };
    let h = s.health().await.unwrap();
    assert_eq!(
        (h.kind, h.place.as_str(), h.schema, h.records, h.leases),
        (
            "postgres",
            "postgres ($ROLLOUT_TEST_STATE_URL)",
            1,
            2,
            vec![l]
        )
    );
    assert_eq!(
        (s.kind(), s.place()),
        ("postgres", format!("postgres (${VAR})"))
    );
}

#[tokio::test]
async fn a_missing_or_unusable_url_is_a_configuration_error_naming_the_variable() {
    let Err(e) = postgres::open("ROLLOUT_TEST_PG_URL_NEVER_SET") else {
        panic!("opened without a URL")
    };
    assert_eq!(e.kind, Kind::Usage);
    assert_eq!(
        e.message,
        "state: postgres reads its URL from the variable ROLLOUT_TEST_PG_URL_NEVER_SET, which is not set or empty; nothing was changed"
    );
    let tls = "postgres://u:tls-secret-pw@127.0.0.1:5432/db?sslmode=require";
    let Err(e) = postgres::Postgres::new(VAR, tls, Duration::from_secs(1)) else {
        panic!("accepted sslmode=require")
    };
    assert_eq!(e.kind, Kind::Usage);
    assert_eq!(
        e.message,
        "postgres ($ROLLOUT_TEST_STATE_URL) asks for TLS (sslmode=require), which this build of rollout does not speak yet; nothing was changed"
    );
    let full = "host=db user=u password=tls-secret-pw sslmode=verify-full";
    let Err(e) = postgres::Postgres::new(VAR, full, Duration::from_secs(1)) else {
        panic!("accepted sslmode=verify-full")
    };
    assert_eq!(
        (e.kind, e.message.as_str()),
        (Kind::Usage, "postgres ($ROLLOUT_TEST_STATE_URL) asks for TLS (sslmode=verify-full), which this build of rollout does not speak yet; nothing was changed")
    );
    let Err(e) = postgres::Postgres::new(VAR, "postgres://u:pw-xyz@[::1", Duration::from_secs(1))
    else {
        panic!("accepted a broken URL")
    };
    assert_eq!(e.kind, Kind::Usage);
    assert!(
        !e.message.contains("pw-xyz") && e.message.contains(VAR),
        "{}",
        e.message
    );
}

#[test]
fn the_url_and_its_password_are_hidden_in_everything_printed() {
    use rollout::domain::secrets::redact::scrub;
    let url = "postgres://rollout:url-form%2Fsecret-91@127.0.0.1:5432/rollout";
    let words = "host=127.0.0.1 user=rollout password=word-form-secret-92 dbname=db";
    for u in [url, words] {
        let s = postgres::Postgres::new(VAR, u, Duration::from_secs(1)).unwrap();
        assert_eq!(s.servers(), "127.0.0.1:5432");
    }
    assert_eq!(
        scrub(&format!(
            "{url} | url-form%2Fsecret-91 | url-form/secret-91 | word-form-secret-92"
        )),
        "*** | *** | *** | ***"
    );
    // The database's name is not a secret: paths that contain it stay readable.
    assert_eq!(
        scrub("/work/rollout/stages.yaml"),
        "/work/rollout/stages.yaml"
    );
}
