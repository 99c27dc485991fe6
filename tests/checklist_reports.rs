//! `--junit` parsed by a real XML parser, and `--json`, each agreeing with the closing line.

use crate::checklist_support::{closing, closing_line};
use crate::test::Project;

const MIXED: &str = r#"
title: Mixed results
tasks:
  - {name: Passes, run: 'echo ok'}
  - {name: Allowed, run: "echo '<advisory> & more'; exit 1", allow_failure: true}
  - {name: Manual step, manual: Do it.}
  - {name: Fails, run: 'echo broken; exit 4'}
  - {name: Never reached, run: 'true'}
"#;

fn attr(node: roxmltree::Node<'_, '_>, name: &str) -> usize {
    node.attribute(name)
        .unwrap_or_else(|| panic!("no {name}"))
        .parse()
        .unwrap()
}

#[test]
fn junit_counts_match_the_closing_line() {
    let p = Project::with_checklist("mixed", MIXED);
    let done = p
        .checklist([
            "run",
            "mixed",
            "--skip-manual",
            "--junit",
            "reports/junit.xml",
        ])
        .status(1)
        .run();
    let (passed, failed, skipped) = closing(&done.stdout);
    assert_eq!((passed, failed, skipped), (1, 1, 2));
    // Every task is in one count of the closing line, the failed-but-allowed one too.
    let line = closing_line(&done.stdout);
    assert_eq!(line, "1 passed, 1 failed, 2 skipped, 1 failed but allowed");
    let every: usize = line
        .split(", ")
        .map(|part| part.split(' ').next().unwrap().parse::<usize>().unwrap())
        .sum();
    let xml = p.read("reports/junit.xml");
    let doc =
        roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("invalid XML ({e}):\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(attr(root, "failures"), failed);
    assert_eq!(attr(root, "skipped"), skipped);
    // Failed-allowed tasks pass in JUnit (their failure is in system-err): tests = all tasks.
    assert_eq!(attr(root, "tests"), every);
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 5);
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    let skips = doc
        .descendants()
        .filter(|n| n.has_tag_name("skipped"))
        .count();
    assert_eq!((failures, skips), (failed, skipped));
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(failure.attribute("message"), Some("exit 4"));
    assert_eq!(failure.text(), Some("broken"));
    let allowed = doc
        .descendants()
        .find(|n| n.has_tag_name("system-err"))
        .unwrap();
    assert!(allowed.text().unwrap().contains("<advisory> & more"));
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("name"), Some("mixed"));
}

#[test]
fn json_is_one_document_matching_the_closing_line() {
    let p = Project::with_checklist("mixed", MIXED);
    let done = p
        .checklist(["run", "mixed", "--skip-manual", "--json"])
        .status(1)
        .run();
    let doc = done.json();
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["outcome"], "failed");
    assert_eq!(doc["exit_code"], 1);
    // The closing line goes to stderr under --json, so stdout stays one document.
    let (passed, failed, skipped) = closing(&done.stderr);
    assert_eq!(doc["counts"]["passed"], passed);
    assert_eq!(doc["counts"]["failed"], failed);
    assert_eq!(doc["counts"]["skipped"], skipped);
    assert_eq!(doc["counts"]["failed_allowed"], 1);
    assert_eq!(
        doc["summary"],
        "1 passed, 1 failed, 2 skipped, 1 failed but allowed"
    );
    let tasks = doc["checklists"][0]["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 5);
    assert_eq!(tasks[1]["outcome"], "failed_allowed");
    assert_eq!(tasks[3]["outcome"], "failed");
    assert_eq!(tasks[3]["exit_code"], 4);
    assert_eq!(tasks[3]["tail"][0], "broken");
    assert_eq!(tasks[4]["note"], "not run: an earlier task failed");
}

#[test]
fn a_passing_run_in_junit_and_json() {
    let p = Project::with_checklist(
        "ok",
        "tasks: [{name: a, run: 'true'}, {name: b, manual: x}]",
    );
    let done = p
        .checklist(["run", "ok", "--yes", "--junit", "j.xml", "--json"])
        .run();
    let doc = done.json();
    assert_eq!(doc["outcome"], "passed");
    assert_eq!(closing(&done.stderr), (2, 0, 0));
    let xml = p.read("j.xml");
    let parsed = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(attr(parsed.root_element(), "tests"), 2);
    assert_eq!(attr(parsed.root_element(), "failures"), 0);
}
