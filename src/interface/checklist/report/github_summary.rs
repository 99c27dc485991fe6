//! The Markdown table appended to `$GITHUB_STEP_SUMMARY` on GitHub Actions.

use std::io::Write;

use super::{seconds, RunReport};
use crate::domain::checklist::result::Outcome;

/// `text` for a table cell: secrets hidden while they read as written, then `|` and line breaks.
fn cell(text: &str) -> String {
    crate::domain::secrets::redact::scrub(text)
        .replace('|', "\\|")
        .replace('\n', " ")
}

#[must_use]
pub fn markdown(report: &RunReport) -> String {
    let mut s = String::new();
    for c in &report.checklists {
        s.push_str(&format!(
            "### Checklist `{}`: {} ({})\n\n",
            c.name,
            cell(&c.title),
            c.status.label()
        ));
        s.push_str("| | Task | Result | Time |\n|---|---|---|---|\n");
        for r in &c.results {
            let mark = match r.outcome {
                Outcome::Passed => "✅",
                Outcome::Failed => "❌",
                Outcome::FailedAllowed => "⚠️",
                Outcome::Skipped => "⏭️",
                Outcome::Interrupted | Outcome::Quit => "⏹️",
            };
            let mut result = r.outcome.label().to_string();
            if let Some(note) = &r.note {
                result.push_str(&format!(": {}", cell(note)));
            }
            s.push_str(&format!(
                "| {mark} | {} `{}` | {result} | {} |\n",
                cell(&r.name),
                r.id,
                seconds(r.duration())
            ));
        }
        s.push('\n');
    }
    s.push_str(&format!("**{}**\n", report.counts().line()));
    s
}

/// Appends the summary when `GITHUB_STEP_SUMMARY` names a file.
pub fn append_if_set(report: &RunReport) -> std::io::Result<()> {
    let Some(path) = std::env::var_os(crate::domain::env_vars::EnvVars::GITHUB_STEP_SUMMARY)
        .filter(|p| !p.is_empty())
    else {
        return Ok(());
    };
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(crate::domain::secrets::redact::scrub(&markdown(report)).as_bytes())
}
