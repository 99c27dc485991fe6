//! The store's tables and their versioned migrations. Each connection brings the schema up to
//! date before its first request, inside one transaction holding a transaction-scoped advisory
//! lock: of processes starting at once, one migrates and the others wait, then find the version
//! applied. Migration N runs once (a row of `rollout_schema` records it); a schema newer than
//! this build knows is refused rather than written to.

use tokio_postgres::Client;

use super::connect::{Fault, DOCS};
use crate::domain::error::Error;

/// The advisory lock's key pair (two int4 keys: a space apart from the scopes' bigint keys):
/// 'roll' and 0.
const LOCK: (i32, i32) = (0x726f_6c6c, 0);

/// The migrations, in order: migration N is `MIGRATIONS[N - 1]`. Append only; never edit one
/// that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: records, leases and the lease tokens' sequence.
    "CREATE TABLE rollout_records (
        seq bigserial PRIMARY KEY,
        id text NOT NULL UNIQUE,
        flag text,
        environment text,
        lane text NOT NULL CHECK (lane IN ('change', 'look', 'run')),
        body json NOT NULL,
        at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX rollout_records_scope ON rollout_records (flag, environment, lane, seq DESC);
    CREATE TABLE rollout_leases (
        flag text NOT NULL,
        environment text NOT NULL,
        holder text NOT NULL,
        token bigint NOT NULL,
        expires timestamptz NOT NULL,
        PRIMARY KEY (flag, environment)
    );
    CREATE SEQUENCE rollout_lease_tokens;",
];

/// The schema version this build writes.
#[must_use]
pub fn latest() -> u32 {
    u32::try_from(MIGRATIONS.len()).unwrap_or(u32::MAX)
}

/// Brings the schema up to [`latest`]; answers the version found before. A schema already up
/// to date is only read (no lock, no CREATE privilege needed).
pub async fn migrate(client: &mut Client) -> Result<u32, Fault> {
    let exists = client
        .query_one("SELECT to_regclass('rollout_schema') IS NOT NULL", &[])
        .await?;
    if exists.get::<_, bool>(0) {
        let found = version_in(client).await?;
        if found >= latest() {
            return check(found).map(|()| found);
        }
    }
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1, $2)", &[&LOCK.0, &LOCK.1])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS rollout_schema (
            version integer PRIMARY KEY,
            applied timestamptz NOT NULL DEFAULT now()
        )",
    )
    .await?;
    let found = version_in(&tx).await?;
    check(found)?;
    for (n, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = i32::try_from(n + 1).unwrap_or(i32::MAX);
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO rollout_schema (version) VALUES ($1)",
            &[&version],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(found)
}

/// Refuses a schema newer than this build knows: it could not write it correctly.
fn check(found: u32) -> Result<(), Fault> {
    if found <= latest() {
        return Ok(());
    }
    Err(Fault::Refused(
        Error::usage(format!(
            "the PostgreSQL state store has schema version {found}, newer than this rollout knows ({}); nothing was changed",
            latest()
        ))
        .with_hint(format!("upgrade rollout to the version the rest of the team uses ({DOCS})")),
    ))
}

/// The version applied (0: none).
pub async fn version_in(client: &impl tokio_postgres::GenericClient) -> Result<u32, Fault> {
    let row = client
        .query_one("SELECT coalesce(max(version), 0) FROM rollout_schema", &[])
        .await?;
    let v: i32 = row.get(0);
    Ok(u32::try_from(v).unwrap_or(0))
}
