//! `rollout plan --power`: for each stage, the minimum soak a compare gate needs to tell
//! `--max-increase` from no change (80% power), given the traffic; warns for stages whose
//! `duration` is shorter.
//!
//! What a flag does not give comes from the stage's compare gate: `max_increase` and `alpha`
//! from its settings, the traffic (`total` of both arms) and the baseline (`errors`/`total` of
//! `off`) from its queries over the last hour; `--gates` defaults to the stage's number of
//! compare gates.

use std::collections::HashMap;

use super::session::Session;
use crate::adapters::gates::LastHour;
use crate::domain::clock;
use crate::domain::config::Stage;
use crate::domain::error::{Error, Result};
use crate::domain::stats::format::count;
use crate::domain::stats::power::{minimum_sample, PowerInput, DEFAULT_POWER};
pub use crate::interface::cli::plan_args::PlanArgs;
use crate::interface::json_out::rollout::{PlanPower, PowerFigures, PowerStage};
use crate::interface::output::table;

/// One stage's figures, from the flags or its compare gate.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Figures {
    traffic: f64,
    baseline: f64,
    max_increase: f64,
    alpha: f64,
    gates: u32,
}

/// The error for a figure that no flag gives and stage `stage` has no compare gate to take from.
fn missing(stage: &str, what: &str, flag: &str) -> Error {
    Error::usage(format!(
        "--power needs {what} for stage {stage}: it has no compare gate to take it from"
    ))
    .with_hint(format!(
        "pass {flag}, or add a `compare:` gate to the stage"
    ))
}

/// The figures of stage `index`: each flag given, else its compare gate's (read once per
/// gate); None for a stage without a compare gate when a flag is missing.
async fn figures(
    ctx: &Session,
    args: &PlanArgs,
    index: usize,
    read: &mut HashMap<String, LastHour>,
) -> Result<Option<Figures>> {
    let stage = &ctx.config.stages[index];
    let compared: Vec<_> = ctx
        .config
        .stage_gates(index)
        .into_iter()
        .filter(|g| g.compare.is_some())
        .collect();
    let first = compared.first().copied();
    let flags = args.traffic.is_some() && args.baseline.is_some() && args.max_increase.is_some();
    if first.is_none() && !flags {
        return Ok(None);
    }
    let settings = first.and_then(|g| g.compare.as_ref());
    let max_increase = match (args.max_increase, settings) {
        (Some(m), _) => m,
        (None, Some(c)) => c.max_increase,
        (None, None) => {
            return Err(missing(
                &stage.name,
                "the allowed increase",
                "--max-increase",
            ))
        }
    };
    let alpha = args
        .alpha
        .or(settings.map(|c| c.alpha))
        .unwrap_or(crate::domain::stats::compare::DEFAULT_ALPHA);
    let gates = args
        .gates
        .unwrap_or_else(|| u32::try_from(compared.len()).unwrap_or(u32::MAX).max(1));
    let hour = if args.traffic.is_none() || args.baseline.is_none() {
        let Some(gate) = first else {
            return Err(if args.traffic.is_none() {
                missing(&stage.name, "the traffic", "--traffic")
            } else {
                missing(&stage.name, "the baseline", "--baseline")
            });
        };
        Some(last_hour(ctx, gate, read).await?)
    } else {
        None
    };
    let traffic = match (args.traffic, hour) {
        (Some(t), _) => t,
        (None, Some(h)) => h.requests_per_hour,
        (None, None) => return Err(missing(&stage.name, "the traffic", "--traffic")),
    };
    let baseline = match (args.baseline, hour.and_then(|h| h.baseline)) {
        (Some(b), _) => b,
        (None, Some(b)) => b,
        (None, None) => {
            return Err(Error::usage(format!(
                "--power needs the baseline error rate for stage {}: off had no errors in the \
                 last hour",
                stage.name
            ))
            .with_hint("pass --baseline RATE, e.g. --baseline 0.5%"))
        }
    };
    Ok(Some(Figures {
        traffic,
        baseline,
        max_increase,
        alpha,
        gates,
    }))
}

/// The last hour's traffic and baseline of compare gate `gate`: read from its source and told
/// the first time, from `read` after.
async fn last_hour(
    ctx: &Session,
    gate: &crate::domain::config::Gate,
    read: &mut HashMap<String, LastHour>,
) -> Result<LastHour> {
    if let Some(got) = read.get(&gate.name) {
        return Ok(*got);
    }
    let env = ctx.gate_env(None, None);
    let got = crate::adapters::gates::last_hour(&env, gate)
        .await
        .map_err(|why| {
            Error::failed(format!(
                "cannot read the last hour's traffic of gate {}: {why}",
                gate.name
            ))
            .with_hint("pass --traffic REQUESTS/h and --baseline RATE")
        })?;
    ctx.out.info(&format!(
        "gate {}: {} requests in the last hour, off's error rate {}",
        gate.name,
        count(got.requests_per_hour),
        got.baseline
            .map_or("unknown".into(), |b| format!("{}%", trim_number(b * 100.0)))
    ));
    read.insert(gate.name.clone(), got);
    Ok(got)
}

pub async fn run(ctx: &Session, args: &PlanArgs) -> Result<i32> {
    let mut read = HashMap::new();
    let mut all = Vec::new();
    for i in 0..ctx.config.stages.len() {
        all.push(figures(ctx, args, i, &mut read).await?);
    }
    if all.iter().all(Option::is_none) {
        return Err(Error::usage(
            "--power needs --traffic, --baseline and --max-increase, or a stage with a compare gate to read them from",
        )
        .with_hint("add a `compare:` gate (see docs/compare-gates.md), or pass the three flags"));
    }
    let known: Vec<Figures> = all.iter().flatten().copied().collect();
    let same = known.windows(2).all(|w| w[0] == w[1]);
    let mut head = vec![
        "STAGE".to_string(),
        "PERCENT".into(),
        "ON".into(),
        "OFF".into(),
        "MIN SOAK".into(),
        "SOAK".into(),
    ];
    if !same {
        head.extend(["TRAFFIC/H".into(), "BASELINE".into(), "MAX INCREASE".into()]);
    }
    let mut rows = vec![head];
    let mut warnings = Vec::new();
    let mut stages = Vec::new();
    for (s, f) in ctx.config.stages.iter().zip(&all) {
        let power = match f {
            Some(f) => stage_power(s, f, same)?,
            None => no_compare_gate(s, same),
        };
        rows.push(power.row);
        stages.push(power.json);
        warnings.extend(power.warning);
    }
    let one = known.first().copied().filter(|_| same);
    if ctx.out.json {
        crate::interface::json_out::emit(
            &ctx.out,
            &PlanPower {
                flag: &ctx.config.flag,
                baseline: one.map(|f| f.baseline),
                max_increase: one.map(|f| f.max_increase),
                alpha: one.map(|f| f.alpha),
                gates: one.map(|f| f.gates),
                power: DEFAULT_POWER,
                traffic_per_hour: one.map(|f| f.traffic),
                stages,
            },
        );
    } else {
        ctx.out.data(&title(one));
        for line in table(&rows) {
            ctx.out.data(&line);
        }
    }
    for w in &warnings {
        ctx.out.warn(w);
    }
    Ok(0)
}

/// One stage's part of the answer: its table row, its JSON entry and the warning when its soak
/// is too short.
struct StagePower<'a> {
    row: Vec<String>,
    json: PowerStage<'a>,
    warning: Option<String>,
}

/// A stage without a compare gate (and no flags to stand in): dashes.
fn no_compare_gate(s: &Stage, same: bool) -> StagePower<'_> {
    let mut row = vec![
        s.name.clone(),
        s.percentage.to_string(),
        "-".into(),
        "-".into(),
        "no compare gate".into(),
        s.duration.map_or("-".to_string(), clock::span),
    ];
    if !same {
        row.extend(["-".to_string(), "-".into(), "-".into()]);
    }
    StagePower {
        row,
        json: PowerStage {
            name: &s.name,
            percentage: s.percentage,
            duration: s.duration.map(clock::span),
            minimum: None,
            minimum_soak_seconds: None,
            too_short: false,
            compare_gate: Some(false),
            figures: None,
        },
        warning: None,
    }
}

/// A stage with its figures `f`: the minimum sample and soak, and whether its duration is
/// shorter; the figures shown per stage unless every stage has the `same`.
fn stage_power<'a>(s: &'a Stage, f: &Figures, same: bool) -> Result<StagePower<'a>> {
    let input = PowerInput {
        baseline: f.baseline,
        max_increase: f.max_increase,
        alpha: f.alpha,
        gates: f.gates,
        power: DEFAULT_POWER,
        stage_percentage: s.percentage.as_f64(),
        traffic_per_hour: Some(f.traffic),
    };
    let min = minimum_sample(&input).map_err(|e| Error::usage(e.0))?;
    let soak = s.duration.map_or("-".to_string(), clock::span);
    let needed_secs = min
        .as_ref()
        .and_then(|m| m.hours)
        .map(|h| (h * 3600.0).ceil());
    let too_short = match (needed_secs, s.duration) {
        (Some(n), Some(d)) => d.as_secs_f64() < n,
        (Some(_), None) => true,
        (None, _) => false,
    };
    let needed_text = needed_secs.map(|n| clock::human(chrono::Duration::seconds(n as i64)));
    let warning = too_short.then(|| {
        format!(
            "stage {} soaks {} but a compare gate needs {} to decide at {}",
            s.name,
            s.duration.map_or("no time".to_string(), clock::span),
            needed_text.clone().unwrap_or_default(),
            s.percentage
        )
    });
    let mut row = match &min {
        Some(m) => vec![
            s.name.clone(),
            s.percentage.to_string(),
            count(m.on as f64),
            count(m.off as f64),
            needed_text.clone().unwrap_or_default(),
            soak,
        ],
        None => vec![
            s.name.clone(),
            s.percentage.to_string(),
            "-".into(),
            "-".into(),
            "no comparison".into(),
            soak,
        ],
    };
    if !same {
        row.extend([
            count(f.traffic),
            format!("{}%", trim_number(f.baseline * 100.0)),
            format!("{} points", trim_number(f.max_increase * 100.0)),
        ]);
    }
    let json = PowerStage {
        name: &s.name,
        percentage: s.percentage,
        duration: s.duration.map(clock::span),
        minimum: min,
        minimum_soak_seconds: needed_secs.map(|n| n as u64),
        too_short,
        compare_gate: None,
        figures: (!same).then_some(PowerFigures {
            baseline: f.baseline,
            max_increase: f.max_increase,
            alpha: f.alpha,
            gates: f.gates,
            traffic_per_hour: f.traffic,
        }),
    };
    Ok(StagePower { row, json, warning })
}

/// The line above the table: the figures when every stage has the same (`one`).
fn title(one: Option<Figures>) -> String {
    match one {
        Some(f) => format!(
            "minimum soak for a compare gate to tell an increase of {} points from none over \
             a {}% baseline, at {} requests/h (alpha {} over {} gate{}, 80% power):",
            trim_number(f.max_increase * 100.0),
            trim_number(f.baseline * 100.0),
            count(f.traffic),
            f.alpha,
            f.gates,
            if f.gates == 1 { "" } else { "s" }
        ),
        None => "minimum soak for each stage's compare gate to tell its max increase from \
                 none (80% power):"
            .to_string(),
    }
}

/// 0.5 → "0.5", 1.0 → "1", 0.25 → "0.25".
fn trim_number(x: f64) -> String {
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
