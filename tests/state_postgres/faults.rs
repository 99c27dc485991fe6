//! The PostgreSQL store when the server is not there, does not answer, stops in the middle of a
//! session, or commits a record whose answer is lost: exit-4 errors naming `postgres ($VAR)`
//! and host:port (never the password) within the bound, and no record lost or duplicated.

use std::time::{Duration, Instant};

use rollout::domain::error::{Error, Kind};
use rollout::ports::state::{Appended, Lane, Query, Store};
use serde_json::json;

use super::support::{self, entry, ids, scope, VAR};

const PASSWORD: &str = "never-shown-pw-7731";

/// Checks `err` is the unreachable error of the store at `at`, without the password.
fn assert_unreachable(err: &Error, at: &str, cause: &str) {
    assert_eq!(err.kind, Kind::Provider, "{err:?}");
    assert_eq!(err.exit_code(), 4);
    let expected = format!("the state store postgres (${VAR}) at {at} is unreachable: {cause}");
    assert!(
        err.message.starts_with(&expected),
        "{}\nshould start with\n{expected}",
        err.message
    );
    let hint = err.hint.as_deref().unwrap_or_default();
    assert!(hint.starts_with(&format!(
        "check that PostgreSQL runs at {at} and that ${VAR} names it"
    )));
    assert!(
        !format!("{err:?}").contains(PASSWORD),
        "password shown: {err:?}"
    );
}

#[tokio::test]
async fn a_closed_port_is_an_exit_4_error_at_once() {
    let closed = crate::gates_support::closed_port();
    let url = format!("postgres://rollout:{PASSWORD}@127.0.0.1:{}/db", closed.port);
    let s = support::store(&url, Duration::from_secs(3));
    let t = Instant::now();
    let err = s.head(&scope("f", "e")).await.unwrap_err();
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "took {:?}",
        t.elapsed()
    );
    assert_unreachable(
        &err,
        &format!("127.0.0.1:{}", closed.port),
        "error connecting to server",
    );
}

#[tokio::test]
async fn a_server_that_never_answers_fails_within_the_bound() {
    // Accepts connections and never says a word.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((c, _)) = listener.accept().await {
            held.push(c);
        }
    });
    let url = format!("postgres://rollout:{PASSWORD}@127.0.0.1:{port}/db");
    let s = support::store(&url, Duration::from_secs(1));
    let e = entry("r", Some(&scope("f", "e")), Lane::Change, json!({}));
    let t = Instant::now();
    let err = s.append(&e, None, None).await.unwrap_err();
    let took = t.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(3),
        "took {took:?}"
    );
    assert_unreachable(&err, &format!("127.0.0.1:{port}"), "");
}

#[tokio::test]
async fn a_wrong_password_is_refused_naming_the_variable_not_the_password() {
    let server = support::shared();
    let mut url = reqwest::Url::parse(&server.url).unwrap();
    url.set_password(Some(PASSWORD)).unwrap();
    let s = support::store(url.as_str(), Duration::from_secs(5));
    let err = s.health().await.unwrap_err();
    assert_eq!(err.kind, Kind::Provider);
    assert_eq!(
        err.message,
        format!(
            "the state store postgres (${VAR}) at 127.0.0.1:{} refused: password authentication failed for user \"rollout\" (28P01)",
            server.port
        )
    );
    assert_eq!(
        err.hint.as_deref(),
        Some(format!("check the user and password in ${VAR}").as_str())
    );
    assert!(err.permanent);
}

#[tokio::test]
async fn a_server_stopped_mid_session_fails_within_the_bound_and_loses_nothing() {
    let server = support::private_server();
    let url = support::fresh_database(&server).await;
    let bound = Duration::from_secs(5);
    let s = support::store(&url, bound);
    let a = scope("checkout", "production");
    let first = entry("first", Some(&a), Lane::Change, json!({"n": 1}));
    assert!(matches!(
        s.append(&first, None, None).await.unwrap(),
        Appended::Stored(_)
    ));

    support::stop(&server, true);
    let second = entry("second", Some(&a), Lane::Change, json!({"n": 2}));
    let t = Instant::now();
    let err = s.append(&second, None, None).await.unwrap_err();
    assert!(t.elapsed() < bound, "took {:?}", t.elapsed());
    let password = reqwest::Url::parse(&url)
        .unwrap()
        .password()
        .unwrap()
        .to_string();
    assert!(!format!("{err:?}").contains(&password));
    assert_eq!(err.kind, Kind::Provider);
    assert!(
        err.message.starts_with(&format!(
            "the state store postgres (${VAR}) at 127.0.0.1:{} is unreachable: ",
            server.port
        )),
        "{}",
        err.message
    );

    support::restart(&server);
    // The same store goes on: the retry stores the record once, a second retry finds it.
    let Appended::Stored(stored) = s.append(&second, None, None).await.unwrap() else {
        panic!("second not stored after the restart")
    };
    assert_eq!(
        s.append(&second, None, None).await.unwrap(),
        Appended::Stored(stored)
    );
    let all = s.read(&Query::default()).await.unwrap();
    assert_eq!(ids(&all), ["second", "first"]);
    support::stop(&server, false);
}

#[tokio::test]
async fn a_record_committed_but_unacknowledged_is_found_by_its_id_on_retry() {
    let server = support::shared();
    let url = support::fresh_database(server).await;
    let proxy = support::LosingProxy::start(server.port).await;
    let mut via = reqwest::Url::parse(&url).unwrap();
    via.set_port(Some(proxy.port)).unwrap();
    // 3 s: room for connecting and migrating through the proxy on a busy machine.
    let s = support::store(via.as_str(), Duration::from_secs(3));
    let a = scope("checkout", "production");
    let head = s.head(&a).await.unwrap(); // connected and migrated before the fault
    proxy.arm();
    let e = entry("lost-answer", Some(&a), Lane::Change, json!({"n": 1}));
    let err = s.append(&e, Some(head), None).await.unwrap_err();
    assert_eq!(err.kind, Kind::Provider);
    assert!(
        err.message.contains("is unreachable: no answer within 3s"),
        "{}",
        err.message
    );

    // The server did commit it: a retry (same id, same expected head) finds it, stored once.
    proxy.heal();
    let direct = support::open(&url);
    let Some(found) = direct.find("lost-answer").await.unwrap() else {
        panic!("the commit did not reach the server: the test proves nothing")
    };
    assert_eq!(
        s.append(&e, Some(head), None).await.unwrap(),
        Appended::Stored(found)
    );
    assert_eq!(direct.health().await.unwrap().records, 1);
}

#[tokio::test]
async fn a_schema_newer_than_this_build_is_refused_before_any_write() {
    let url = support::fresh_database(support::shared()).await;
    assert_eq!(support::open(&url).health().await.unwrap().schema, 1);
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client
        .batch_execute("INSERT INTO rollout_schema (version) VALUES (2)")
        .await
        .unwrap();
    let s = support::open(&url);
    let e = entry("r", Some(&scope("f", "e")), Lane::Change, json!({}));
    let err = s.append(&e, None, None).await.unwrap_err();
    assert_eq!((err.kind, err.message.as_str()), (
        Kind::Usage,
        "the PostgreSQL state store has schema version 2, newer than this rollout knows (1); nothing was changed"
    ));
    let n = client
        .query_one("SELECT count(*) FROM rollout_records", &[])
        .await
        .unwrap();
    assert_eq!(n.get::<_, i64>(0), 0);
}
