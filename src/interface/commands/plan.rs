//! `rollout plan`: the stage table as a timeline.

use chrono::{DateTime, Utc};

use super::session::Session;
use crate::app::engine::{self, Position};
use crate::domain::clock::stamp;
use crate::domain::error::Result;
use crate::interface::output::table;
use crate::ports::provider::FlagState;

/// The earliest start of every stage from the current position: planned dates and soak times
/// chained forward from now (None for stages already passed).
pub fn earliest_starts(
    ctx: &Session,
    pos: Position,
    since: Option<DateTime<Utc>>,
) -> Vec<Option<DateTime<Utc>>> {
    let stages = &ctx.config.stages;
    let mut out = vec![None; stages.len()];
    let (first, mut prev_end) = match pos {
        Position::NotStarted => (0, ctx.now),
        Position::At(i) => {
            out[i] = since;
            (
                i + 1,
                crate::domain::rules::soak_end(&ctx.config, pos, since)
                    .unwrap_or(ctx.now)
                    .max(ctx.now),
            )
        }
        Position::OffPlan { below } => (below.map_or(0, |b| b + 1), ctx.now),
    };
    for i in first..stages.len() {
        let start =
            crate::domain::rules::planned_start(&stages[i]).map_or(prev_end, |p| p.max(prev_end));
        out[i] = Some(start);
        prev_end = stages[i]
            .duration
            .map_or(start, |d| crate::domain::clock::after(start, d));
    }
    out
}

/// What the plan shows of the flag now: where it is, whether it is killed, and when each
/// stage may start at the earliest.
struct Now {
    /// The flag as read (None when the provider could not be read).
    state: Option<FlagState>,
    pos: Position,
    /// The stage the flag is at.
    current: Option<usize>,
    killed: bool,
    /// Each stage's earliest start (see [`earliest_starts`]).
    earliest: Vec<Option<DateTime<Utc>>>,
}

pub async fn run(ctx: &Session, args: &super::plan_power::PlanArgs) -> Result<i32> {
    if args.power {
        return super::plan_power::run(ctx, args).await;
    }
    let now = read_now(ctx).await;
    if ctx.out.json {
        emit_json(ctx, &now);
        return Ok(0);
    }
    ctx.out.data(&format!(
        "{}{} ({})",
        ctx.out.bold(&ctx.config.flag),
        ctx.settings.in_environment(),
        ctx.provider.describe()
    ));
    for line in table(&rows(ctx, &now)) {
        ctx.out.data(&line);
    }
    print_where(ctx, &now);
    Ok(0)
}

/// Reads the flag (a provider that cannot be read is a warning: the plan is shown unmarked)
/// and chains the stages' earliest starts from where it is.
async fn read_now(ctx: &Session) -> Now {
    let state = match ctx.provider.read().await {
        Ok(mut s) => {
            engine::add_times(ctx, &mut s).await;
            Some(s)
        }
        Err(e) => {
            ctx.out.warn(&format!(
                "cannot read the flag, so the current stage is not marked: {}",
                e.message
            ));
            None
        }
    };
    let pos = state
        .as_ref()
        .map_or(Position::NotStarted, |s| engine::position(&ctx.config, s));
    let since = match state.as_ref() {
        Some(s) => engine::stage_since(ctx, s).await,
        None => None,
    };
    let earliest = earliest_starts(ctx, pos, since);
    let killed = state.as_ref().is_some_and(|s| s.exists && !s.on);
    let current = match pos {
        Position::At(i) => Some(i),
        _ => None,
    };
    Now {
        state,
        pos,
        current,
        killed,
        earliest,
    }
}

/// The `--json` document: every stage with its earliest start and whether it is done.
fn emit_json(ctx: &Session, now: &Now) {
    let current = now.current;
    let stages: Vec<_> = ctx
        .config
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| crate::interface::json_out::rollout::PlanStage {
            name: &s.name,
            percentage: s.percentage,
            groups: &s.groups,
            users: &s.users,
            duration: s.duration.map(crate::domain::clock::span),
            start: s.start.map(|d| d.to_string()),
            earliest: now.earliest[i].map(|t| t.to_rfc3339()),
            current: current == Some(i),
            done: current.is_some_and(|c| i < c),
            gates: gate_names(ctx, i),
        })
        .collect();
    crate::interface::json_out::emit(
        &ctx.out,
        &crate::interface::json_out::rollout::Plan {
            flag: &ctx.config.flag,
            environment: ctx.settings.environment(),
            current: current.map(|i| ctx.config.stages[i].name.as_str()),
            killed: now.killed,
            stages,
        },
    );
}

/// The names of the gates of stage `index`.
fn gate_names(ctx: &Session, index: usize) -> Vec<String> {
    ctx.config
        .stage_gates(index)
        .iter()
        .map(|g| g.name.clone())
        .collect()
}

/// The timeline table: a header, then a row per stage (GATES only when any gate is defined).
fn rows(ctx: &Session, now: &Now) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        String::new(),
        "STAGE".into(),
        "PERCENT".into(),
        "GROUPS".into(),
        "SOAK".into(),
        "PLANNED".into(),
        "EARLIEST".into(),
    ]];
    let with_gates = !ctx.config.gates.is_empty();
    if with_gates {
        rows[0].push("GATES".into());
    }
    for i in 0..ctx.config.stages.len() {
        let mut row = stage_row(ctx, now, i);
        if with_gates {
            let names = gate_names(ctx, i);
            row.push(if names.is_empty() {
                "-".into()
            } else {
                names.join(", ")
            });
        }
        rows.push(row);
    }
    rows
}

/// Stage `i`'s row: its mark (done, current, killed), audience, soak, planned and earliest
/// start.
fn stage_row(ctx: &Session, now: &Now, i: usize) -> Vec<String> {
    let s = &ctx.config.stages[i];
    let mark = match now.current {
        Some(c) if c == i && now.killed => ctx.out.red("✖"),
        Some(c) if c == i => ctx.out.green("▶"),
        Some(c) if i < c => "✓".to_string(),
        _ => " ".to_string(),
    };
    let earliest_text = match (now.current, now.earliest[i]) {
        (Some(c), _) if i < c => "done".to_string(),
        (Some(c), Some(t)) if c == i => format!("since {}", stamp(t)),
        (_, Some(t)) => stamp(t),
        (_, None) => "-".to_string(),
    };
    let mut groups = s.groups.join(", ");
    if !s.users.is_empty() {
        if !groups.is_empty() {
            groups.push_str(", ");
        }
        groups.push_str(&format!("{} users", s.users.len()));
    }
    vec![
        mark,
        s.name.clone(),
        s.percentage.to_string(),
        if groups.is_empty() {
            "-".into()
        } else {
            groups
        },
        s.duration.map_or("-".into(), crate::domain::clock::span),
        s.start.map_or("-".into(), |d| d.to_string()),
        earliest_text,
    ]
}

/// The line under the table when the flag is killed, not started, or off the plan.
fn print_where(ctx: &Session, now: &Now) {
    match (now.pos, now.killed) {
        (_, true) => ctx.out.data(
            &ctx.out
                .red("the flag is KILLED: `rollout resume` turns it back on"),
        ),
        (Position::NotStarted, _) => ctx
            .out
            .data("not started: `rollout advance` starts the first stage"),
        (Position::OffPlan { .. }, _) => ctx.out.data(&format!(
            "the provider reports {}, which is no stage in the plan",
            now.state
                .as_ref()
                .map(|s| s.percentage.to_string())
                .unwrap_or_default()
        )),
        _ => {}
    }
}
