//! `rollout preview [STAGE] --users FILE`: exposure by the provider's own bucketing.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use crate::context::Context;
use crate::engine::{self, Position};
use crate::error::{Error, Result};
use crate::exposure::Audience;
use crate::output::table;

/// The ids file (or stdin for `-`), opened for reading.
fn open_ids(path: &Path) -> Result<Box<dyn Read>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    let file = std::fs::File::open(path).map_err(|e| {
        Error::usage(format!(
            "cannot read the users file {}: {e}",
            path.display()
        ))
        .with_hint("pass a text file with one user id a line, or - for stdin")
    })?;
    Ok(Box::new(file))
}

fn read_error(path: &Path, e: &std::io::Error) -> Error {
    Error::usage(format!(
        "cannot read the users file {}: {e}",
        path.display()
    ))
}

/// One row of the result: an audience, how many ids are on, and (when listing) which.
struct Row<'a> {
    name: Option<String>,
    audience: Audience<'a>,
    on: usize,
    ids: Vec<&'a str>,
}

pub async fn run(ctx: &Context, stage: Option<&str>, users: &Path, list_ids: bool) -> Result<i32> {
    let config = &ctx.config;
    let only = stage
        .map(|name| {
            config
                .stage_index(name)
                .ok_or_else(|| config.unknown_stage(name))
        })
        .transpose()?;
    // Listing ids keeps them all in memory; counting streams the file.
    let listing = only.is_some() || list_ids;
    let mut text = String::new();
    let mut reader = None;
    if listing {
        open_ids(users)?
            .read_to_string(&mut text)
            .map_err(|e| read_error(users, &e))?;
    } else {
        reader = Some(open_ids(users)?);
    }
    let state = ctx.provider.read().await?;
    let pos = engine::position(config, &state);
    let live = state.exists && state.on;
    let bucketing = ctx.provider.bucketing(&state)?;

    let audiences: Vec<(usize, Vec<String>)> = (0..config.stages.len())
        .filter(|i| only.is_none_or(|o| o == *i))
        .map(|i| (i, config.cumulative_audience(i).0))
        .collect();
    let mut rows: Vec<Row<'_>> = audiences
        .iter()
        .map(|(i, listed)| Row {
            name: Some(config.stages[*i].name.clone()),
            audience: Audience {
                percentage: config.stages[*i].percentage,
                users: listed.iter().map(String::as_str).collect(),
            },
            on: 0,
            ids: Vec::new(),
        })
        .collect();
    // The flag as served now: nobody while killed or not started.
    rows.push(Row {
        name: None,
        audience: Audience {
            percentage: if live {
                state.percentage
            } else {
                crate::config::Percentage::ZERO
            },
            users: if live {
                state.users.iter().map(String::as_str).collect()
            } else {
                HashSet::new()
            },
        },
        on: 0,
        ids: Vec::new(),
    });

    let total = if let Some(reader) = reader {
        let audiences: Vec<Audience<'_>> = rows
            .iter()
            .map(|r| Audience {
                percentage: r.audience.percentage,
                users: r.audience.users.clone(),
            })
            .collect();
        let (total, counts) = bucketing
            .count(reader, &audiences)
            .map_err(|e| read_error(users, &e))?;
        for (row, n) in rows.iter_mut().zip(counts) {
            row.on = n;
        }
        total
    } else {
        let ids: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let buckets = bucketing.buckets(&ids);
        for row in &mut rows {
            let a = &row.audience;
            row.ids = ids
                .iter()
                .zip(&buckets)
                .filter(|(id, b)| bucketing.includes(**b, a.percentage) || a.users.contains(**id))
                .map(|(id, _)| *id)
                .collect();
            row.on = row.ids.len();
        }
        ids.len()
    };
    let current = rows.pop().expect("the current row was pushed last");
    let current_name = match pos {
        Position::At(i) => Some(config.stages[i].name.clone()),
        _ => None,
    };

    if ctx.out.json {
        let mut previous = 0;
        let stages: Vec<_> = rows
            .iter()
            .map(|r| {
                let v = crate::json_out::rollout::PreviewStage {
                    name: r.name.as_deref(),
                    percentage: r.audience.percentage,
                    on: r.on,
                    newly_on: r.on.saturating_sub(previous),
                    ids: listing.then_some(r.ids.as_slice()),
                };
                previous = r.on;
                v
            })
            .collect();
        let now = crate::json_out::rollout::PreviewNow {
            stage: current_name.as_deref(),
            on_now: live,
            on: current.on,
            ids: (list_ids && only.is_none()).then_some(current.ids.as_slice()),
        };
        crate::json_out::emit(
            &ctx.out,
            &crate::json_out::rollout::Preview {
                flag: &config.flag,
                algorithm: bucketing.name(),
                users: total,
                stages,
                current: now,
            },
        );
        return Ok(0);
    }

    #[allow(clippy::cast_precision_loss)]
    let share = |n: usize| format!("{:.1}%", n as f64 * 100.0 / total.max(1) as f64);
    if let Some(i) = only {
        let row = &rows[0];
        for id in &row.ids {
            ctx.out.data(id);
        }
        let s = &config.stages[i];
        ctx.out.info(&format!(
            "{} ({}): {} of {total} users on ({})",
            s.name,
            s.percentage,
            row.on,
            share(row.on)
        ));
        return Ok(0);
    }
    if list_ids {
        for id in &current.ids {
            ctx.out.data(id);
        }
        ctx.out
            .info(&format!("now: {} of {total} users on", current.on));
        return Ok(0);
    }
    ctx.out.data(&format!(
        "{total} users from {}, bucketed by {}",
        users.display(),
        bucketing.name()
    ));
    let mut table_rows = vec![vec![
        "STAGE".into(),
        "PERCENT".into(),
        "ON".into(),
        "SHARE".into(),
        "NEWLY ON".into(),
    ]];
    let mut previous = 0;
    for r in &rows {
        let name = r.name.clone().unwrap_or_default();
        let marked = if current_name.as_deref() == Some(name.as_str()) {
            format!("{name} ◀ now")
        } else {
            name
        };
        table_rows.push(vec![
            marked,
            r.audience.percentage.to_string(),
            r.on.to_string(),
            share(r.on),
            r.on.saturating_sub(previous).to_string(),
        ]);
        previous = r.on;
    }
    for line in table(&table_rows) {
        ctx.out.data(&line);
    }
    let now_text = if state.exists && !state.on {
        " (killed)"
    } else {
        ""
    };
    ctx.out.data(&format!(
        "now{now_text}: {} on ({})",
        current.on,
        share(current.on)
    ));
    Ok(0)
}
