//! `history` and `status` read the journal from its end: memory does not follow its size.

use crate::preview_stream::measured;
use crate::test::Project;

const OLD: &str = r#"{"time":"2023-06-01T00:00:00Z","actor":"someone@example.com","action":"advance","flag":"another-flag","environment":"production","from":"internal","to":"beta","percentage":10,"reason":null,"forced":false,"provider":"file","outcome":"applied","detail":"revision 7"}"#;

/// A project at `beta` whose journal holds `filler` old records of another flag before its own.
fn with_long_journal(filler: usize) -> Project {
    let p = Project::builder_cards();
    let mut journal = format!("{OLD}\n").repeat(filler);
    // A damaged line deep in the journal: history never reads that far.
    journal.insert_str(journal.len() / 2, "{not json\n");
    p.write(".rollout/journal.jsonl", &journal);
    p.walk_builder_cards_to("beta");
    p
}

#[test]
fn history_reads_the_newest_records_only() {
    let filler = 200_000;
    let p = with_long_journal(filler);
    let done = p.rollout(["history", "--limit", "2"]).run();
    let lines: Vec<&str> = done.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", done.stdout);
    assert!(lines[0].contains("internal → beta"), "{}", done.stdout);
    assert!(lines[1].contains("→ internal"), "{}", done.stdout);
    // The damaged line halfway is not reached, so not reported.
    assert_eq!(done.stderr, "");
    let doc = p
        .rollout(["history", "--limit", "3", "--json"])
        .run()
        .json();
    assert_eq!(doc["entries"].as_array().unwrap().len(), 3);
    assert_eq!(doc["entries"][2]["flag"], "another-flag");
    assert_eq!(doc["more"], true);
    // A journal of about 50 MB: the old reader held about 18 times that. Measured against the
    // same command on a journal of a few records (the binary and its runtime: about 16 MB).
    let small = Project::builder_cards();
    small.walk_builder_cards_to("beta");
    for args in [&["history", "--limit", "5"][..], &["status"][..]] {
        if let (Some((code, _, rss)), Some((_, _, base))) =
            (measured(&p, args), measured(&small, args))
        {
            eprintln!("{args:?}: max RSS {rss} KiB, {base} KiB on a short journal");
            assert_eq!(code, 0);
            assert!(
                rss < base + 8 * 1024,
                "{args:?} used {rss} KiB ({base} KiB on a short journal)"
            );
        }
    }
}

#[test]
fn a_damaged_line_near_the_end_is_named_by_its_line_number() {
    let p = with_long_journal(100_000);
    let mut journal = p.read(".rollout/journal.jsonl");
    let total = journal.lines().count();
    journal.push_str("{\"time\":\"2024-01-19T00:00:00Z\",\"act");
    p.write(".rollout/journal.jsonl", &journal);
    p.rollout(["history", "--limit", "1"])
        .stderr_has(&format!(
            "journal.jsonl:{}: a damaged journal line was skipped",
            total + 1
        ))
        .stdout_has("internal → beta")
        .run();
}
