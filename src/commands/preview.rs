//! `rollout preview [STAGE] --users FILE`: exposure by the provider's own bucketing.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use serde_json::json;

use crate::context::Context;
use crate::engine::{self, Position};
use crate::error::{Error, Result};
use crate::output::table;

fn read_ids(path: &Path) -> Result<String> {
    let mut text = String::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Error::usage(format!("cannot read user ids from stdin: {e}")))?;
    } else {
        text = std::fs::read_to_string(path).map_err(|e| {
            Error::usage(format!(
                "cannot read the users file {}: {e}",
                path.display()
            ))
            .with_hint("pass a text file with one user id a line, or - for stdin")
        })?;
    }
    Ok(text)
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
    let text = read_ids(users)?;
    let ids: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let bucketing = ctx.provider.bucketing();
    let buckets: Vec<u32> = ids.iter().map(|id| bucketing.bucket(id)).collect();

    // Who is on at stage i: its listed users (cumulative), or inside the percentage.
    let on_at = |users: &HashSet<&str>, pct| -> Vec<bool> {
        ids.iter()
            .zip(&buckets)
            .map(|(id, b)| bucketing.includes(*b, pct) || (!users.is_empty() && users.contains(id)))
            .collect()
    };
    let mut stage_rows = Vec::new();
    let mut previous = 0usize;
    for (i, s) in config.stages.iter().enumerate() {
        if only.is_some_and(|o| o != i) {
            continue;
        }
        let (listed, _) = config.cumulative_audience(i);
        let listed: HashSet<&str> = listed.iter().map(String::as_str).collect();
        let on = on_at(&listed, s.percentage);
        let count = on.iter().filter(|x| **x).count();
        stage_rows.push((i, count, count.saturating_sub(previous), on));
        previous = count;
    }

    // The flag's current state, as the provider serves it now.
    let state = ctx.provider.read().await?;
    let pos = engine::position(config, &state);
    let current_on: Vec<bool> = if state.exists && state.on {
        let listed: HashSet<&str> = state.users.iter().map(String::as_str).collect();
        on_at(&listed, state.percentage)
    } else {
        vec![false; ids.len()]
    };
    let current_count = current_on.iter().filter(|x| **x).count();
    let current_name = match pos {
        Position::At(i) => Some(config.stages[i].name.clone()),
        _ => None,
    };
    let pick = |on: &[bool]| -> Vec<&str> {
        ids.iter()
            .zip(on)
            .filter(|(_, o)| **o)
            .map(|(id, _)| *id)
            .collect()
    };

    if ctx.out.json {
        let stages: Vec<_> = stage_rows
            .iter()
            .map(|(i, count, new, on)| {
                let mut v = json!({
                    "name": config.stages[*i].name,
                    "percentage": config.stages[*i].percentage,
                    "on": count,
                    "newly_on": new,
                });
                if only.is_some() || list_ids {
                    v["ids"] = json!(pick(on));
                }
                v
            })
            .collect();
        let mut current = json!({
            "stage": current_name,
            "on_now": state.exists && state.on,
            "on": current_count,
        });
        if list_ids && only.is_none() {
            current["ids"] = json!(pick(&current_on));
        }
        ctx.out.json_doc(json!({
            "flag": config.flag,
            "algorithm": bucketing.name(),
            "users": ids.len(),
            "stages": stages,
            "current": current,
        }));
        return Ok(0);
    }

    let total = ids.len().max(1);
    #[allow(clippy::cast_precision_loss)]
    let share = |n: usize| format!("{:.1}%", n as f64 * 100.0 / total as f64);
    if let Some(i) = only {
        let (_, count, _, on) = &stage_rows[0];
        for id in pick(on) {
            ctx.out.data(id);
        }
        ctx.out.info(&format!(
            "{} ({}): {count} of {} users on ({})",
            config.stages[i].name,
            config.stages[i].percentage,
            ids.len(),
            share(*count)
        ));
        return Ok(0);
    }
    if list_ids {
        for id in pick(&current_on) {
            ctx.out.data(id);
        }
        ctx.out
            .info(&format!("now: {current_count} of {} users on", ids.len()));
        return Ok(0);
    }
    ctx.out.data(&format!(
        "{} users from {}, bucketed by {}",
        ids.len(),
        users.display(),
        bucketing.name()
    ));
    let mut rows = vec![vec![
        "STAGE".into(),
        "PERCENT".into(),
        "ON".into(),
        "SHARE".into(),
        "NEWLY ON".into(),
    ]];
    for (i, count, new, _) in &stage_rows {
        let s = &config.stages[*i];
        let name = if Some(*i) == pos_index(pos) {
            format!("{} ◀ now", s.name)
        } else {
            s.name.clone()
        };
        rows.push(vec![
            name,
            s.percentage.to_string(),
            count.to_string(),
            share(*count),
            new.to_string(),
        ]);
    }
    for line in table(&rows) {
        ctx.out.data(&line);
    }
    let now_text = if state.exists && !state.on {
        " (killed)"
    } else {
        ""
    };
    ctx.out.data(&format!(
        "now{now_text}: {current_count} on ({})",
        share(current_count)
    ));
    Ok(0)
}

fn pos_index(pos: Position) -> Option<usize> {
    match pos {
        Position::At(i) => Some(i),
        _ => None,
    }
}
