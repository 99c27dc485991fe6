//! Records: the append with its three guarantees (idempotent by id, compare-and-swap on the
//! scope's Change lane, fencing by lease token), and the reads.
//!
//! An append with a scope runs in one transaction that first takes the scope's advisory lock
//! (a bigint key hashed from flag and environment; lease grants take the same lock), so the
//! head it compares, the lease it checks and the record it inserts are one step: of two
//! appenders from the same head, the second waits, then sees the first's record as the head.
//! `at` is `clock_timestamp()` at the insert, taken under that lock, so within a scope `at`
//! grows with `seq` (as far as the server's clock does).

use serde_json::Value;
use tokio_postgres::types::{Json, ToSql};
use tokio_postgres::{Client, GenericClient, Row, Transaction};

use super::connect::Fault;
use super::leases;
use crate::ports::state::{Appended, Entry, Head, Lane, Lease, Query, Scope, Stored};

const COLUMNS: &str = "seq, id, flag, environment, lane, body, at";

/// The lane's name in the `lane` column.
fn lane_name(lane: Lane) -> &'static str {
    match lane {
        Lane::Change => "change",
        Lane::Look => "look",
        Lane::Run => "run",
    }
}

fn lane_of(name: &str) -> Lane {
    match name {
        "change" => Lane::Change,
        "run" => Lane::Run,
        _ => Lane::Look,
    }
}

/// A row of `rollout_records` (selected as [`COLUMNS`]).
fn stored(row: &Row) -> Stored {
    let seq: i64 = row.get(0);
    let flag: Option<String> = row.get(2);
    let environment: Option<String> = row.get(3);
    let lane: String = row.get(4);
    let Json(body): Json<Value> = row.get(5);
    Stored {
        seq: u64::try_from(seq).unwrap_or(0),
        at: row.get(6),
        entry: Entry {
            id: row.get(1),
            scope: flag
                .zip(environment)
                .map(|(flag, environment)| Scope { flag, environment }),
            lane: lane_of(&lane),
            body,
        },
    }
}

/// Takes the scope's advisory lock until the transaction ends (shared with lease grants).
pub async fn lock_scope(tx: &Transaction<'_>, scope: &Scope) -> Result<(), Fault> {
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1 || chr(31) || $2, 0))",
        &[&scope.flag, &scope.environment],
    )
    .await?;
    Ok(())
}

/// Stores `entry` (see the module documentation).
pub async fn append(
    client: &mut Client,
    entry: &Entry,
    after: Option<Head>,
    fence: Option<&Lease>,
) -> Result<Appended, Fault> {
    let tx = client.transaction().await?;
    let scope = entry.scope.as_ref().or(fence.map(|l| &l.scope));
    if let Some(scope) = scope {
        lock_scope(&tx, scope).await?;
    }
    if let Some(found) = find_in(&tx, &entry.id).await? {
        tx.commit().await?;
        return Ok(Appended::Stored(found));
    }
    if let (Some(scope), Some(fence)) = (scope, fence) {
        if let Some(newer) = leases::current(&tx, scope).await? {
            if newer.token > fence.token {
                return Ok(Appended::Fenced(newer));
            }
        }
    }
    if let (Some(scope), Some(after)) = (entry.scope.as_ref(), after) {
        if let Some(winner) = newest_change(&tx, scope).await? {
            if winner.seq != after.0 {
                return Ok(Appended::Conflict(winner));
            }
        } else if after.0 != 0 {
            // The expected head is gone (cannot happen: records are never deleted).
            return Err(Fault::Refused(crate::domain::error::Error::conflict(
                format!(
                    "the state store has no change record {} of {}/{} any more",
                    after.0, scope.flag, scope.environment
                ),
            )));
        }
    }
    let inserted = insert(&tx, entry).await?;
    let answer = match inserted {
        Some(s) => s,
        // Stored meanwhile by a writer without the scope's lock (an entry with no scope).
        None => find_in(&tx, &entry.id).await?.ok_or_else(|| {
            Fault::Refused(crate::domain::error::Error::failed(format!(
                "the state store neither stored nor found record {}",
                entry.id
            )))
        })?,
    };
    tx.commit().await?;
    Ok(Appended::Stored(answer))
}

async fn insert(tx: &Transaction<'_>, entry: &Entry) -> Result<Option<Stored>, Fault> {
    let flag = entry.scope.as_ref().map(|s| s.flag.as_str());
    let environment = entry.scope.as_ref().map(|s| s.environment.as_str());
    let row = tx
        .query_opt(
            &format!(
                "INSERT INTO rollout_records (id, flag, environment, lane, body, at)
                 VALUES ($1, $2, $3, $4, $5, clock_timestamp())
                 ON CONFLICT (id) DO NOTHING RETURNING {COLUMNS}"
            ),
            &[
                &entry.id,
                &flag,
                &environment,
                &lane_name(entry.lane),
                &Json(&entry.body),
            ],
        )
        .await?;
    Ok(row.as_ref().map(stored))
}

/// The newest Change-lane record of `scope`.
async fn newest_change(
    client: &impl GenericClient,
    scope: &Scope,
) -> Result<Option<Stored>, Fault> {
    let row = client
        .query_opt(
            &format!(
                "SELECT {COLUMNS} FROM rollout_records
                 WHERE flag = $1 AND environment = $2 AND lane = 'change'
                 ORDER BY seq DESC LIMIT 1"
            ),
            &[&scope.flag, &scope.environment],
        )
        .await?;
    Ok(row.as_ref().map(stored))
}

async fn find_in(client: &impl GenericClient, id: &str) -> Result<Option<Stored>, Fault> {
    let row = client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM rollout_records WHERE id = $1"),
            &[&id],
        )
        .await?;
    Ok(row.as_ref().map(stored))
}

/// The record stored under `id`.
pub async fn find(client: &Client, id: &str) -> Result<Option<Stored>, Fault> {
    find_in(client, id).await
}

/// The seq of the newest Change-lane record of `scope` (0: none).
pub async fn head(client: &Client, scope: &Scope) -> Result<Head, Fault> {
    Ok(Head(
        newest_change(client, scope).await?.map_or(0, |s| s.seq),
    ))
}

/// The records `query` asks for, newest first.
pub async fn read(client: &Client, query: &Query) -> Result<Vec<Stored>, Fault> {
    let mut clauses: Vec<String> = Vec::new();
    let mut params: Vec<Box<dyn ToSql + Sync + Send>> = Vec::new();
    let mut param = |clause: &str, value: Box<dyn ToSql + Sync + Send>| {
        params.push(value);
        clauses.push(clause.replace('?', &format!("${}", params.len())));
    };
    if let Some(scope) = &query.scope {
        param("flag = ?", Box::new(scope.flag.clone()));
        param("environment = ?", Box::new(scope.environment.clone()));
    }
    if !query.lanes.is_empty() {
        let names: Vec<&'static str> = query.lanes.iter().map(|l| lane_name(*l)).collect();
        param("lane = ANY(?)", Box::new(names));
    }
    if let Some(before) = query.before {
        param(
            "seq < ?",
            Box::new(i64::try_from(before).unwrap_or(i64::MAX)),
        );
    }
    let mut sql = format!("SELECT {COLUMNS} FROM rollout_records");
    if !clauses.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&clauses.join(" AND "));
    }
    sql.push_str(" ORDER BY seq DESC");
    if let Some(limit) = query.limit {
        sql.push_str(&format!(" LIMIT {limit}"));
    }
    let refs: Vec<&(dyn ToSql + Sync)> = params
        .iter()
        .map(|p| p.as_ref() as &(dyn ToSql + Sync))
        .collect();
    let rows = client.query(&sql, &refs).await?;
    Ok(rows.iter().map(stored).collect())
}

/// Records stored.
pub async fn count(client: &Client) -> Result<u64, Fault> {
    let row = client
        .query_one("SELECT count(*) FROM rollout_records", &[])
        .await?;
    let n: i64 = row.get(0);
    Ok(u64::try_from(n).unwrap_or(0))
}
