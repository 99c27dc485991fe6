//! How the statistics write numbers for people: rates as percentages, differences in points,
//! counts with thousands separators. Plain formatting, no statistics.

/// A rate as a percentage with two decimals: 0.012 → "1.20%".
pub(super) fn percent(rate: f64) -> String {
    format!("{:.2}%", rate * 100.0)
}

/// A confidence level as a percentage, without trailing zeros: 0.95 → "95%", 0.9875 → "98.75%".
pub(super) fn percent_level(confidence: f64) -> String {
    let p = confidence * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{}%", trim(format!("{p:.3}")))
    }
}

/// A decimal without trailing zeros or a trailing point.
fn trim(s: String) -> String {
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A rate difference in points with its sign: 0.002 → "+0.20".
pub(super) fn signed(d: f64) -> String {
    format!("{:+.2}", d * 100.0)
}

/// A rate difference in points, named: 0.002 → "+0.20 points".
pub(super) fn points(d: f64) -> String {
    format!("{} points", signed(d))
}

/// A count with thousands separators: 12345.6 → "12,346".
pub fn count(x: f64) -> String {
    let n = x.max(0.0).round() as u64;
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
