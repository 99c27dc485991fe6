//! `--junit FILE`: JUnit XML as CI systems read it; one `<testsuite>` per checklist, one
//! `<testcase>` per task. Failed tasks carry `<failure>` with their last output lines; skipped
//! and interrupted tasks `<skipped>`; failed-allowed tasks pass, with the failure in
//! `<system-err>`, so the counts match the closing line.

use std::fmt::Write;

use super::RunReport;
use crate::domain::checklist::result::Outcome;

/// `text` for an XML attribute or element: every registered secret hidden first (while it still
/// reads as written), then markup escaped. Every text of the report goes through here.
fn esc(text: &str) -> String {
    let text = crate::domain::secrets::redact::scrub(text);
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
        counts.skipped + counts.interrupted + counts.quit,
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
            cc.skipped + cc.interrupted + cc.quit,
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
                Outcome::Skipped | Outcome::Interrupted | Outcome::Quit => {
                    let msg = match r.outcome {
                        Outcome::Interrupted => format!("interrupted: {note}"),
                        Outcome::Quit => format!("quit: {note}"),
                        _ => note,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::checklist::result::{RunStatus, TaskResult};
    use crate::interface::checklist::report::ChecklistReport;

    fn result(outcome: Outcome, note: &str, tail: &[&str]) -> TaskResult {
        TaskResult {
            checklist: "c".into(),
            id: "t".into(),
            name: "Task <1> & \"quoted\"".into(),
            kind: "run".into(),
            outcome,
            note: Some(note.into()),
            duration_ms: 1500,
            attempts: 1,
            exit_code: Some(1),
            log: None,
            tail: tail.iter().map(ToString::to_string).collect(),
            earlier: false,
        }
    }

    #[test]
    fn escapes_markup_and_terminal_control_characters() {
        let report = RunReport {
            run_id: Some("r".into()),
            actor: "a".into(),
            time: chrono::DateTime::UNIX_EPOCH,
            dry_run: false,
            resumed: false,
            status: RunStatus::Failed,
            duration: std::time::Duration::from_millis(2500),
            checklists: vec![ChecklistReport {
                name: "c&c".into(),
                title: "T".into(),
                file: "checklists/c.yaml".into(),
                started: true,
                status: RunStatus::Failed,
                results: vec![
                    result(
                        Outcome::Failed,
                        "exit 1 <bad>",
                        &["\u{1b}[31mred\u{1b}[0m", "a < b"],
                    ),
                    result(Outcome::Skipped, "not run", &[]),
                ],
            }],
        };
        let xml = render(&report);
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
        let failure = doc
            .descendants()
            .find(|n| n.has_tag_name("failure"))
            .unwrap();
        assert_eq!(failure.attribute("message"), Some("exit 1 <bad>"));
        assert_eq!(failure.text(), Some("\u{fffd}[31mred\u{fffd}[0m\na < b"));
        let case = doc
            .descendants()
            .find(|n| n.has_tag_name("testcase"))
            .unwrap();
        assert_eq!(case.attribute("name"), Some("Task <1> & \"quoted\" [t]"));
        assert_eq!(case.attribute("time"), Some("1.500"));
        assert_eq!(doc.root_element().attribute("tests"), Some("2"));
    }
}
