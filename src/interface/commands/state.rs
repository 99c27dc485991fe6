//! `rollout state status` and `rollout state push`: the state store stages.yaml's `state:`
//! names (docs/team.md).

use std::path::Path;

use super::session;
use crate::adapters::state::{entry, local::Local, outbox};
use crate::domain::config::Config;
use crate::domain::error::{Error, Kind, Result};
use crate::interface::cli::global_args::GlobalArgs;
use crate::interface::cli::StateCommand;
use crate::interface::json_out::rollout::{LeaseHeld, StatePush, StateStatus};
use crate::interface::output::Output;
use crate::ports::state::{Health, Query, Store};

pub async fn run(args: &GlobalArgs, out: &Output, what: &StateCommand) -> Result<i32> {
    let config = Config::load(&crate::domain::config::find(&session::start_dir(args)?)?)?;
    let store = crate::adapters::state::open(&config.state, &config.dir, args.timeout)?;
    match what {
        StateCommand::Status => status(args, out, &config.dir, store.as_ref()).await,
        StateCommand::Push => push(args, out, &config.dir, store.as_ref()).await,
    }
}

/// Records waiting in the outbox.
fn outbox_len(dir: &Path) -> usize {
    std::fs::read_to_string(outbox::path(dir))
        .map(|t| t.lines().filter(|l| !l.trim().is_empty()).count())
        .unwrap_or(0)
}

async fn health(args: &GlobalArgs, store: &dyn Store) -> Result<Health> {
    match tokio::time::timeout(args.timeout, store.health()).await {
        Ok(h) => h,
        Err(_) => Err(Error::provider(format!(
            "no answer within {} (--timeout)",
            crate::domain::clock::span(args.timeout)
        ))),
    }
}

async fn status(args: &GlobalArgs, out: &Output, dir: &Path, store: &dyn Store) -> Result<i32> {
    let place = crate::domain::sanitize::one_line(&store.place()).into_owned();
    let health = health(args, store).await;
    let outbox = outbox_len(dir);
    let (h, err) = match &health {
        Ok(h) => (Some(h), None),
        Err(e) => (None, Some(e.message.as_str())),
    };
    let leases: Vec<LeaseHeld<'_>> = h
        .iter()
        .flat_map(|h| h.leases.iter())
        .map(|l| LeaseHeld {
            flag: &l.scope.flag,
            environment: &l.scope.environment,
            holder: &l.holder,
            token: l.token,
            expires: l.expires,
        })
        .collect();
    let code = if h.is_some() {
        0
    } else {
        Kind::Provider.exit_code()
    };
    if out.json {
        let doc = StateStatus {
            kind: store.kind(),
            place: &place,
            reachable: h.is_some(),
            error: err,
            schema_version: h.map(|h| h.schema),
            records: h.map(|h| h.records),
            leases,
            outbox,
        };
        crate::interface::json_out::emit(out, &doc);
        return Ok(code);
    }
    out.data(&format!("store: {} {place}", store.kind()));
    match (h, err) {
        (Some(h), _) => {
            out.data("reachable: yes");
            out.data(&format!("schema version: {}", h.schema));
            out.data(&format!("records: {}", h.records));
        }
        (None, why) => out.data(&format!(
            "reachable: no ({})",
            crate::domain::sanitize::one_line(why.unwrap_or_default())
        )),
    }
    if leases.is_empty() {
        out.data("leases: none held");
    }
    for l in &leases {
        out.data(&format!(
            "lease: {} in {} held by {} until {} (token {})",
            crate::domain::sanitize::one_line(l.flag),
            crate::domain::sanitize::one_line(l.environment),
            crate::domain::sanitize::one_line(l.holder),
            crate::domain::clock::stamp(l.expires),
            l.token
        ));
    }
    if outbox > 0 {
        out.data(&format!(
            "outbox: {outbox} record(s) in {} wait for the store",
            outbox::path(dir).display()
        ));
    }
    Ok(code)
}

/// The local journal's records, oldest first, then the outbox's.
async fn local_records(dir: &Path) -> Result<Vec<serde_json::Value>> {
    let mut records: Vec<serde_json::Value> = Local::new(dir)
        .read(&Query::default())
        .await?
        .into_iter()
        .rev()
        .map(|s| s.entry.body)
        .collect();
    if outbox::waiting(dir) {
        let (locked, waiting) = outbox::open(dir)?;
        locked.unlock()?;
        records.extend(waiting);
    }
    Ok(records)
}

async fn push(args: &GlobalArgs, out: &Output, dir: &Path, store: &dyn Store) -> Result<i32> {
    let place = crate::domain::sanitize::one_line(&store.place()).into_owned();
    let records = if store.kind() == "local" {
        // The local journal is the store: only the outbox has records to push.
        let (locked, waiting) = if outbox::waiting(dir) {
            let (l, w) = outbox::open(dir)?;
            (Some(l), w)
        } else {
            (None, Vec::new())
        };
        if let Some(l) = locked {
            l.unlock()?;
        }
        waiting
    } else {
        local_records(dir).await?
    };
    let (mut stored, mut already) = (0, 0);
    for body in &records {
        let e = entry::of(body.clone());
        let known = within(args, store.find(&e.id)).await?;
        if known.is_some() {
            already += 1;
            continue;
        }
        within(args, store.append(&e, None, None)).await?;
        stored += 1;
    }
    if outbox::waiting(dir) {
        let (mut locked, _) = outbox::open(dir)?;
        locked.clear()?;
        locked.unlock()?;
    }
    if out.json {
        crate::interface::json_out::emit(
            out,
            &StatePush {
                kind: store.kind(),
                place: &place,
                read: records.len(),
                stored,
                already,
            },
        );
        return Ok(0);
    }
    out.data(&format!(
        "pushed {} record(s) to {} {place}: {stored} stored, {already} already there",
        records.len(),
        store.kind()
    ));
    Ok(0)
}

/// `request` within `--timeout`; the store's error names it.
async fn within<T>(
    args: &GlobalArgs,
    request: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    match tokio::time::timeout(args.timeout, request).await {
        Ok(r) => r,
        Err(_) => Err(Error::provider(format!(
            "the state store did not answer within {} (--timeout); run `rollout state push` \
             again: records pushed already are not stored twice",
            crate::domain::clock::span(args.timeout)
        ))),
    }
}
