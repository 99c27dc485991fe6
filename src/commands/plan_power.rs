//! `rollout plan --power`: for each stage, the minimum soak a compare gate needs to tell
//! `--max-increase` from no change (80% power), given the traffic; warns for stages whose
//! `duration` is shorter.

use clap::Args;

use crate::clock;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::output::table;
use crate::stats::compare::count;
use crate::stats::power::{minimum_sample, PowerInput, DEFAULT_POWER};

#[derive(Debug, Args, Clone, Default)]
pub struct PlanArgs {
    /// Show each stage's minimum soak for a compare gate to detect --max-increase (80% power)
    #[arg(long, requires_all = ["traffic", "baseline", "max_increase"])]
    pub power: bool,

    /// Requests reaching the flag's code, both arms together: 12000/h (also /min, /s, /d)
    #[arg(long, value_name = "REQUESTS/h", value_parser = parse_traffic, requires = "power")]
    pub traffic: Option<f64>,

    /// The error rate of off, the baseline: 0.01 or 1%
    #[arg(long, value_name = "RATE", value_parser = parse_rate, requires = "power")]
    pub baseline: Option<f64>,

    /// The compare gate's allowed degradation, absolute: 0.005 or 0.5%
    #[arg(long, value_name = "RATE", value_parser = parse_rate, requires = "power")]
    pub max_increase: Option<f64>,

    /// The false-alarm bound shared by the stage's compare gates
    #[arg(long, value_name = "ALPHA", default_value_t = 0.05, requires = "power")]
    pub alpha: f64,

    /// How many compare gates share alpha
    #[arg(long, value_name = "N", default_value_t = 1, requires = "power")]
    pub gates: u32,
}

/// A rate: `0.01` or `1%`.
pub fn parse_rate(text: &str) -> std::result::Result<f64, String> {
    let t = text.trim();
    let (num, scale) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), 0.01),
        None => (t, 1.0),
    };
    match num.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..1.0).contains(&(v * scale)) => Ok(v * scale),
        _ => Err("write a rate from 0 to 1, e.g. 0.01, or a percentage, e.g. 1%".into()),
    }
}

/// Requests per hour from `12000/h`, `200/min`, `3/s`, `300000/d` or a bare number (per hour).
pub fn parse_traffic(text: &str) -> std::result::Result<f64, String> {
    let t = text.trim();
    let (num, per_hour) = match t.split_once('/') {
        None => (t, 1.0),
        Some((n, unit)) => match unit.trim() {
            "h" | "hour" => (n, 1.0),
            "m" | "min" | "minute" => (n, 60.0),
            "s" | "sec" | "second" => (n, 3600.0),
            "d" | "day" => (n, 1.0 / 24.0),
            _ => return Err("write requests per hour, e.g. 12000/h (or /min, /s, /d)".into()),
        },
    };
    match num.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v * per_hour),
        _ => Err("write a positive number of requests, e.g. 12000/h (or /min, /s, /d)".into()),
    }
}

pub fn run(ctx: &Context, args: &PlanArgs) -> Result<i32> {
    let (Some(traffic), Some(baseline), Some(max_increase)) =
        (args.traffic, args.baseline, args.max_increase)
    else {
        return Err(Error::usage(
            "--power needs --traffic, --baseline and --max-increase",
        ));
    };
    let mut rows = vec![vec![
        "STAGE".to_string(),
        "PERCENT".into(),
        "ON".into(),
        "OFF".into(),
        "MIN SOAK".into(),
        "SOAK".into(),
    ]];
    let mut warnings = Vec::new();
    let mut stages = Vec::new();
    for s in &ctx.config.stages {
        let input = PowerInput {
            baseline,
            max_increase,
            alpha: args.alpha,
            gates: args.gates,
            power: DEFAULT_POWER,
            stage_percentage: s.percentage.as_f64(),
            traffic_per_hour: Some(traffic),
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
        if too_short {
            warnings.push(format!(
                "stage {} soaks {} but a compare gate needs {} to decide at {}",
                s.name,
                s.duration.map_or("no time".to_string(), clock::span),
                needed_text.clone().unwrap_or_default(),
                s.percentage
            ));
        }
        rows.push(match &min {
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
        });
        stages.push(crate::json_out::rollout::PowerStage {
            name: &s.name,
            percentage: s.percentage,
            duration: s.duration.map(clock::span),
            minimum: min,
            minimum_soak_seconds: needed_secs.map(|n| n as u64),
            too_short,
        });
    }
    if ctx.out.json {
        crate::json_out::emit(
            &ctx.out,
            &crate::json_out::rollout::PlanPower {
                flag: &ctx.config.flag,
                baseline,
                max_increase,
                alpha: args.alpha,
                gates: args.gates,
                power: DEFAULT_POWER,
                traffic_per_hour: traffic,
                stages,
            },
        );
    } else {
        ctx.out.data(&format!(
            "minimum soak for a compare gate to tell an increase of {} points from none over \
             a {}% baseline, at {} requests/h (alpha {} over {} gate{}, 80% power):",
            trim_number(max_increase * 100.0),
            trim_number(baseline * 100.0),
            count(traffic),
            args.alpha,
            args.gates,
            if args.gates == 1 { "" } else { "s" }
        ));
        for line in table(&rows) {
            ctx.out.data(&line);
        }
    }
    for w in &warnings {
        ctx.out.warn(w);
    }
    Ok(0)
}

/// 0.5 → "0.5", 1.0 → "1", 0.25 → "0.25".
fn trim_number(x: f64) -> String {
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_traffic_parse_in_the_forms_people_write() {
        assert_eq!(parse_rate("1%"), Ok(0.01));
        assert_eq!(parse_rate("0.005"), Ok(0.005));
        assert!(parse_rate("150%").is_err());
        assert!(parse_rate("abc").is_err());
        assert_eq!(parse_traffic("12000/h"), Ok(12000.0));
        assert_eq!(parse_traffic("200/min"), Ok(12000.0));
        assert_eq!(parse_traffic("12000"), Ok(12000.0));
        assert_eq!(parse_traffic("2400/d"), Ok(100.0));
        assert!(parse_traffic("0/h").is_err());
        assert!(parse_traffic("5/week").is_err());
    }
}
