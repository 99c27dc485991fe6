//! Leases: one row per scope in `rollout_leases`, kept after expiry and release so that its
//! token (the newest granted on the scope) still fences stale writers. Tokens come from the
//! sequence `rollout_lease_tokens`, so each grant's is larger than any before it, on every
//! scope. Expiry is judged by the server's clock (`clock_timestamp()`), never the caller's.
//! Grants take the scope's advisory lock, as appends do: a grant and a fenced append are
//! ordered one after the other.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_postgres::{Client, GenericClient, Row};

use super::connect::Fault;
use super::records::lock_scope;
use crate::ports::state::{Lease, Leased, Scope};

fn lease_of(row: &Row) -> Lease {
    let token: i64 = row.get(3);
    let expires: DateTime<Utc> = row.get(4);
    Lease {
        scope: Scope {
            flag: row.get(0),
            environment: row.get(1),
        },
        holder: row.get(2),
        token: u64::try_from(token).unwrap_or(0),
        expires,
    }
}

/// The newest lease granted on `scope` (expired or released or not).
pub async fn current(client: &impl GenericClient, scope: &Scope) -> Result<Option<Lease>, Fault> {
    let row = client
        .query_opt(
            "SELECT flag, environment, holder, token, expires FROM rollout_leases
             WHERE flag = $1 AND environment = $2",
            &[&scope.flag, &scope.environment],
        )
        .await?;
    Ok(row.as_ref().map(lease_of))
}

/// Takes or renews the lease on `scope` for `holder` for `ttl` (see the module documentation).
/// The same holder keeps its token (renewal, also after expiry: nobody was granted since);
/// another holder gets a new token once the lease has expired or was released.
pub async fn take(
    client: &mut Client,
    scope: &Scope,
    holder: &str,
    ttl: Duration,
) -> Result<Leased, Fault> {
    let secs = ttl.as_secs_f64();
    let tx = client.transaction().await?;
    lock_scope(&tx, scope).await?;
    let row = tx
        .query_opt(
            "SELECT holder, expires > clock_timestamp() FROM rollout_leases
             WHERE flag = $1 AND environment = $2",
            &[&scope.flag, &scope.environment],
        )
        .await?;
    let sql = match row.map(|r| (r.get::<_, String>(0), r.get::<_, bool>(1))) {
        Some((other, true)) if other != holder => {
            let busy = current(&tx, scope).await?;
            tx.commit().await?;
            return match busy {
                Some(lease) => Ok(Leased::Busy(lease)),
                None => Err(Fault::Refused(crate::domain::error::Error::failed(
                    "the lease row vanished under the scope's lock",
                ))),
            };
        }
        Some((same, _)) if same == holder => {
            "UPDATE rollout_leases SET expires = clock_timestamp() + make_interval(secs => $4)
             WHERE flag = $1 AND environment = $2 AND holder = $3
             RETURNING flag, environment, holder, token, expires"
        }
        _ => {
            "INSERT INTO rollout_leases (flag, environment, holder, token, expires)
             VALUES ($1, $2, $3, nextval('rollout_lease_tokens'),
                     clock_timestamp() + make_interval(secs => $4))
             ON CONFLICT (flag, environment) DO UPDATE
               SET holder = excluded.holder, token = excluded.token, expires = excluded.expires
             RETURNING flag, environment, holder, token, expires"
        }
    };
    let row = tx
        .query_one(sql, &[&scope.flag, &scope.environment, &holder, &secs])
        .await?;
    tx.commit().await?;
    Ok(Leased::Held(lease_of(&row)))
}

/// Gives `lease` up: ends it now if it is still the holder's with that token (the row stays,
/// its token fencing the old holder's late writes).
pub async fn release(client: &Client, lease: &Lease) -> Result<(), Fault> {
    let token = i64::try_from(lease.token).unwrap_or(i64::MAX);
    client
        .execute(
            "UPDATE rollout_leases SET expires = least(expires, clock_timestamp())
             WHERE flag = $1 AND environment = $2 AND holder = $3 AND token = $4",
            &[
                &lease.scope.flag,
                &lease.scope.environment,
                &lease.holder,
                &token,
            ],
        )
        .await?;
    Ok(())
}

/// Leases not yet expired, by scope.
pub async fn live(client: &Client) -> Result<Vec<Lease>, Fault> {
    let rows = client
        .query(
            "SELECT flag, environment, holder, token, expires FROM rollout_leases
             WHERE expires > clock_timestamp() ORDER BY flag, environment",
            &[],
        )
        .await?;
    Ok(rows.iter().map(lease_of).collect())
}
