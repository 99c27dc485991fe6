//! Where a watch's `for:` windows start: rebuilt from the looks recorded in the store at the
//! flag's current stage ([`crate::domain::windows`] has the rules), so a restarted
//! watch, a watch on another machine and each `watch --once` continue a breach instead of
//! starting it over.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::app::context::Context;
use crate::domain::error::{Error, Result};
use crate::domain::event::Event;
use crate::domain::windows::{self, Rebuilt, Recorded};
use crate::ports::state::{Lane, Query};

/// Records read per request while going back through the looks.
const PAGE: usize = 200;
/// The most looks read back: at a look every 100 ms, more than 16 minutes.
const MOST: usize = 10_000;

/// Rebuilds the windows of stage `index` (entered at `since`) for a watch looking every
/// `interval`, at `ctx.now`. Reads back only as far as the stage's longest `for:` (and twice
/// the interval) needs, and at least an hour: a breach older than that counts as held anyway,
/// and a warning alerted more than an hour ago is alerted again.
pub async fn rebuild(
    ctx: &Context,
    index: usize,
    since: Option<DateTime<Utc>>,
    interval: Duration,
) -> Result<Rebuilt> {
    let longest = ctx
        .config
        .stage_gates(index)
        .iter()
        .map(|g| g.hold)
        .max()
        .unwrap_or_default();
    let back = (longest + interval * 2).max(Duration::from_secs(3600));
    let horizon = ctx.now - chrono::Duration::from_std(back).unwrap_or(chrono::Duration::MAX);
    let looks = read_back(ctx, horizon).await?;
    let stage = &ctx.config.stages[index].name;
    Ok(windows::rebuild(&looks, stage, since, ctx.now, interval))
}

/// The recorded looks and alerts of this flag, newest first, back to the first one older than
/// `horizon` (which still counts: it may be a breach's start).
async fn read_back(ctx: &Context, horizon: DateTime<Utc>) -> Result<Vec<Recorded>> {
    let mut looks = Vec::new();
    let mut before = None;
    loop {
        let query = Query {
            scope: Some(crate::app::lease::scope(ctx)),
            lanes: vec![Lane::Look],
            before,
            limit: Some(PAGE),
        };
        let page = ctx
            .state
            .read(&query)
            .await
            .map_err(|e| unreadable(ctx, &e))?;
        let full = page.len() == PAGE;
        before = page.last().map(|s| s.seq);
        let mut past_horizon = false;
        for stored in page {
            past_horizon |= stored.at < horizon;
            // Records this version cannot read (a newer one's) are not looks it can judge.
            if let Ok(event) = serde_json::from_value::<Event>(stored.entry.body) {
                looks.push(Recorded {
                    at: stored.at,
                    event,
                });
            }
        }
        if !full || past_horizon || looks.len() >= MOST {
            return Ok(looks);
        }
    }
}

/// The recorded looks could not be read: the store is named (exit 4).
fn unreadable(ctx: &Context, e: &Error) -> Error {
    if e.message.starts_with("the state store ") {
        // The store's own error names it (with where it was dialled): said once.
        return Error::provider(format!("could not read the recorded looks: {}", e.message));
    }
    Error::provider(format!(
        "could not read the recorded looks from the {} store {}: {}",
        ctx.state.kind(),
        ctx.state.place(),
        e.message
    ))
}
