//! The current time. `ROLLOUT_NOW` (RFC 3339) pins it to rehearse what a read-only command
//! would say on a given day (`status`, `plan`, `gates`, `preview`, `advance --dry-run`: "what
//! would advance say on the 25th?"). A pinned clock never acts: a command that would change a
//! flag, and `watch`, refuse it ([`refuse_pinned`]), since soak times, planned starts and
//! `for:` would be judged on a day that is not today.
//!
//! The tests' binaries (built with the `test-hooks` feature, Cargo.toml) also read
//! `ROLLOUT_TEST_NOW`, which pins the clock for every command, changes included; any other build
//! never reads it.

use chrono::{DateTime, Utc};

use crate::domain::env_vars::EnvVars;
use crate::domain::error::{Error, Result};

pub fn now() -> Result<DateTime<Utc>> {
    #[cfg(feature = "test-hooks")]
    if let Some(t) = pinned_by(EnvVars::ROLLOUT_TEST_NOW)? {
        return Ok(t);
    }
    Ok(pinned_by(EnvVars::ROLLOUT_NOW)?.unwrap_or_else(Utc::now))
}

/// The time the variable `name` pins, if it is set and not empty.
fn pinned_by(name: &str) -> Result<Option<DateTime<Utc>>> {
    match std::env::var(name) {
        Ok(text) if !text.is_empty() => DateTime::parse_from_rfc3339(&text)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|err| {
                Error::usage(format!(
                    "{name} `{}` is not an RFC 3339 time: {err}",
                    shown(&text)
                ))
                .with_hint(format!(
                    "write e.g. {name}=2024-01-20T10:00:00Z, or unset it"
                ))
            }),
        _ => Ok(None),
    }
}

/// A variable's value quoted in a message: one line, short, nothing a terminal interprets.
fn shown(text: &str) -> String {
    let line = crate::domain::sanitize::one_line(text);
    crate::domain::sanitize::short(&line, 40).into_owned()
}

/// What a command refused under a pinned clock does.
#[derive(Debug, Clone, Copy)]
pub enum Acting<'a> {
    /// `rollout COMMAND` would change the flag; `--dry-run` rehearses it.
    Changes(&'a str),
    /// `rollout watch`: it kills and advances on what it sees, and has no dry run.
    Watches,
    /// `checklist run`: the `rollout:` task `TASK` would change the flag.
    Task(&'a str),
}

/// Refuses a command that would act while `ROLLOUT_NOW` pins the clock (exit 2, nothing read or
/// changed): a pinned clock only rehearses.
pub fn refuse_pinned(acting: Acting<'_>) -> Result<()> {
    let text = match std::env::var_os(EnvVars::ROLLOUT_NOW) {
        Some(v) if !v.is_empty() => v.to_string_lossy().into_owned(),
        _ => return Ok(()),
    };
    let set = format!(
        "ROLLOUT_NOW is set ({}): a pinned clock only rehearses what commands would say",
        shown(&text)
    );
    let (what, hint) = match acting {
        Acting::Changes(command) => (
            format!("`rollout {command}` would change the flag"),
            format!(
                "unset ROLLOUT_NOW to run it now, or add --dry-run to see what `rollout {command}` would do at that time"
            ),
        ),
        Acting::Watches => (
            "`rollout watch` kills and advances on what it sees, on the real clock only".to_string(),
            "unset ROLLOUT_NOW to watch; `rollout gates` and `rollout status` show what it would see at that time"
                .to_string(),
        ),
        Acting::Task(task) => (
            format!("the `rollout:` task {task} would change the flag"),
            "unset ROLLOUT_NOW to run the checklist, or add --dry-run to rehearse it".to_string(),
        ),
    };
    Err(Error::usage(format!("{set}, and {what}")).with_hint(hint))
}

/// The longest duration `rollout` accepts anywhere (`--timeout`, stage `duration`, task
/// `timeout`): 100 years. Longer ones are surely typos, and past it the arithmetic on times and
/// deadlines would overflow.
pub const MAX_DURATION: std::time::Duration = std::time::Duration::from_secs(100 * 31_557_600);

/// How [`MAX_DURATION`] is named in messages.
pub const MAX_DURATION_TEXT: &str = "100y (100 years)";

/// Parses a duration as people write it (`30s`, `36h`, `3d`), refusing one longer than
/// [`MAX_DURATION`] with a message that names the limit.
pub fn parse_duration(text: &str) -> std::result::Result<std::time::Duration, String> {
    match humantime::parse_duration(text.trim()) {
        Ok(d) if d <= MAX_DURATION => Ok(d),
        Ok(_) | Err(humantime::DurationError::NumberOverflow) => Err(format!(
            "`{}` is longer than the limit of {MAX_DURATION_TEXT}",
            crate::domain::sanitize::short(text.trim(), 60)
        )),
        Err(e) => Err(format!(
            "`{}` is not a duration ({e})",
            crate::domain::sanitize::short(text.trim(), 60)
        )),
    }
}

/// A duration for people: `2d 4h`, `35m`, `12s`.
#[must_use]
pub fn human(d: chrono::Duration) -> String {
    let secs = d.num_seconds().max(0);
    let (days, hours, mins) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    match (days, hours, mins) {
        (0, 0, 0) => format!("{secs}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// `t + d`, or the end of time when that overflows (a soak of a million years is still a soak).
#[must_use]
pub fn after(t: DateTime<Utc>, d: std::time::Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(d)
        .ok()
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// A configured duration for people, in the units it is written in: `3d`, `36h`, `30m`.
#[must_use]
pub fn span(d: std::time::Duration) -> String {
    human(chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX))
}

/// A time for people, in UTC.
#[must_use]
pub fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_up_to_the_limit_parse_and_longer_ones_name_it() {
        assert_eq!(parse_duration(" 100y "), Ok(MAX_DURATION));
        assert_eq!(
            parse_duration("3d"),
            Ok(std::time::Duration::from_secs(3 * 86_400))
        );
        for long in ["101y", "300000000000y", "18446744073709551616s"] {
            assert_eq!(
                parse_duration(long),
                Err(format!(
                    "`{long}` is longer than the limit of 100y (100 years)"
                ))
            );
        }
        assert!(parse_duration("soon")
            .unwrap_err()
            .starts_with("`soon` is not a duration ("));
    }
}
