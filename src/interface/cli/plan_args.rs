//! The options of `rollout plan`: `--power` and the figures it takes instead of the compare
//! gate's (see `commands::plan_power`).

use clap::Args;

#[derive(Debug, Args, Clone, Default)]
pub struct PlanArgs {
    /// Show each stage's minimum soak for a compare gate to detect --max-increase (80% power)
    #[arg(long)]
    pub power: bool,

    /// Requests reaching the flag's code, both arms together: 12000/h (also /min, /s, /d);
    /// default: the compare gate's `total` over the last hour
    #[arg(long, value_name = "REQUESTS/h", value_parser = parse_traffic, requires = "power")]
    pub traffic: Option<f64>,

    /// The error rate of off, the baseline: 0.01 or 1%; default: the compare gate's, last hour
    #[arg(long, value_name = "RATE", value_parser = parse_rate, requires = "power")]
    pub baseline: Option<f64>,

    /// The allowed degradation, absolute: 0.005 or 0.5%; default: the compare gate's
    #[arg(long, value_name = "RATE", value_parser = parse_rate, requires = "power")]
    pub max_increase: Option<f64>,

    /// The false-alarm bound shared by the stage's compare gates; default: the gate's, else 0.05
    #[arg(long, value_name = "ALPHA", requires = "power")]
    pub alpha: Option<f64>,

    /// How many compare gates share alpha; default: the stage's compare gates, at least 1
    #[arg(long, value_name = "N", requires = "power")]
    pub gates: Option<u32>,
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
