//! `--junit FILE`: JUnit XML as CI systems read it; one `<testsuite>` per checklist, one
//! `<testcase>` per task. Failed tasks carry `<failure>` with their last output lines; skipped
//! and interrupted tasks `<skipped>`; failed-allowed tasks pass, with the failure in
//! `<system-err>`, so the counts match the closing line.

use std::fmt::Write;

use super::RunReport;
use crate::checklist::result::Outcome;

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot hold at all (terminal escapes and such).
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn secs(ms: u64) -> String {
    format!("{:.3}", std::time::Duration::from_millis(ms).as_secs_f64())
}

#[must_use]
pub fn render(report: &RunReport) -> String {
    let counts = report.counts();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"checklist\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\">",
        counts.total(),
        counts.failed,
        counts.skipped,
        secs(u64::try_from(report.duration.as_millis()).unwrap_or(u64::MAX))
    );
    for c in &report.checklists {
        let cc = c.counts();
        let time: u64 = c.results.iter().map(|r| r.duration_ms).sum();
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\" timestamp=\"{}\" file=\"{}\">",
            esc(&c.name),
            cc.total(),
            cc.failed,
            cc.skipped,
            secs(time),
            report.time.format("%Y-%m-%dT%H:%M:%S"),
            esc(&c.file)
        );
        for r in &c.results {
            let _ = write!(
                x,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\">",
                esc(&format!("{} [{}]", r.name, r.id)),
                esc(&c.name),
                secs(r.duration_ms)
            );
            let note = r.note.clone().unwrap_or_default();
            match r.outcome {
                Outcome::Passed => {}
                Outcome::Failed => {
                    let _ = write!(
                        x,
                        "\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    ",
                        esc(&note),
                        esc(&r.kind),
                        esc(&r.tail.join("\n"))
                    );
                }
                Outcome::FailedAllowed => {
                    let _ = write!(
                        x,
                        "\n      <system-err>{}</system-err>\n    ",
                        esc(&format!(
                            "failed (allow_failure): {note}\n{}",
                            r.tail.join("\n")
                        ))
                    );
                }
                Outcome::Skipped | Outcome::Interrupted => {
                    let msg = if r.outcome == Outcome::Interrupted {
                        format!("interrupted: {note}")
                    } else {
                        note
                    };
                    let _ = write!(x, "\n      <skipped message=\"{}\"/>\n    ", esc(&msg));
                }
            }
            x.push_str("</testcase>\n");
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}
