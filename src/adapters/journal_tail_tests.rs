//! Tests of `journal_tail`: the backwards reader and the open-intents rule.

use super::*;
use crate::domain::event::outcome::{APPLIED, FAILED, INTENT, MAY_HAVE_BEEN_APPLIED};

fn lines_of(text: &str) -> (Vec<(usize, String)>, Vec<usize>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    std::fs::write(&path, text).unwrap();
    let mut b = Backwards::open(&path).unwrap().unwrap();
    let mut got = Vec::new();
    while let Some((n, l)) = b.next_line().unwrap() {
        got.push((n, String::from_utf8(l).unwrap()));
    }
    let numbers = got
        .iter()
        .map(|(n, _)| b.line_number(*n).unwrap())
        .collect();
    (got, numbers)
}

#[test]
fn reads_lines_last_first_with_their_numbers() {
    let (got, numbers) = lines_of("a\nbb\n\nccc\n");
    let texts: Vec<&str> = got.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(texts, ["ccc", "", "bb", "a"]);
    assert_eq!(numbers, [4, 3, 2, 1]);
    let (got, _) = lines_of("a\ntorn");
    assert_eq!(got[0].1, "torn");
    assert!(lines_of("").0.is_empty());
    assert!(lines_of("\n").0.is_empty());
}

#[test]
fn counts_line_numbers_across_blocks_before_the_start_is_reached() {
    let text: String = (0..50_000).map(|i| format!("line {i}\n")).collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    std::fs::write(&path, &text).unwrap();
    let mut b = Backwards::open(&path).unwrap().unwrap();
    for _ in 0..3 {
        b.next_line().unwrap();
    }
    let (n, l) = b.next_line().unwrap().unwrap();
    assert_eq!(String::from_utf8(l).unwrap(), "line 49996");
    assert!(!b.at_start());
    assert_eq!(b.line_number(n).unwrap(), 49_997);
    let mut all = 4;
    while let Some((n, l)) = b.next_line().unwrap() {
        all += 1;
        assert_eq!(
            String::from_utf8(l).unwrap(),
            format!("line {}", 50_000 - n)
        );
    }
    assert_eq!(all, 50_000);
}

/// Lines over the limit come back empty with their length, however long, and the lines
/// around them are read as usual, numbered right.
#[test]
fn skips_over_long_lines_keeping_only_their_length() {
    let max = MAX_LINE_BYTES;
    let huge = 3 * SKIP_BLOCK + 17;
    for last_end in ["\n", ""] {
        let text = format!(
            "a\n{}\nb\n{}\n{}\nc\n{}{last_end}",
            "x".repeat(max),
            "y".repeat(max + 1),
            "z".repeat(huge),
            "w".repeat(huge + 5)
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        std::fs::write(&path, &text).unwrap();
        let mut b = Backwards::open(&path).unwrap().unwrap();
        let mut got = Vec::new();
        while let Some((n, l)) = b.next_line().unwrap() {
            got.push((n, l.len(), b.too_long()));
            // Never more than a line and a block kept.
            assert!(b.buf.capacity() <= max + 2 * SKIP_BLOCK);
        }
        let numbers: Vec<usize> = got.iter().map(|g| b.line_number(g.0).unwrap()).collect();
        let lens: Vec<(usize, Option<u64>)> = got.iter().map(|g| (g.1, g.2)).collect();
        assert_eq!(
            lens,
            [
                (0, Some(huge as u64 + 5)),
                (1, None),
                (0, Some(huge as u64)),
                (0, Some(max as u64 + 1)),
                (1, None),
                (max, None),
                (1, None),
            ]
        );
        assert_eq!(numbers, [7, 6, 5, 4, 3, 2, 1]);
    }
    // A file that is one long line, with nothing before it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    std::fs::write(&path, "q".repeat(huge)).unwrap();
    let mut b = Backwards::open(&path).unwrap().unwrap();
    assert_eq!(b.next_line().unwrap(), Some((1, Vec::new())));
    assert_eq!(b.too_long(), Some(huge as u64));
    assert_eq!(b.next_line().unwrap(), None);
}

#[test]
fn a_damaged_long_line_is_reported_by_number_and_length() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let rec = record("f", APPLIED, None, "a");
    std::fs::write(&path, format!("{rec}\n{}\n{rec}\n", "{".repeat(200_000))).unwrap();
    let mut tail = Tail::open(&path).unwrap();
    assert!(tail.next_record().unwrap().is_some());
    assert!(tail.next_record().unwrap().is_some());
    assert!(tail.next_record().unwrap().is_none());
    assert_eq!(
        tail.damaged().unwrap(),
        [(
            2,
            "the line is 200000 bytes, longer than the limit of 65536".to_string()
        )]
    );
}

/// One journal record: `flag`, `outcome` and `id` vary, the rest is fixed.
fn record(flag: &str, outcome: &str, id: Option<String>, to: &str) -> serde_json::Value {
    serde_json::json!({
        "time": "2024-01-18T09:00:00Z", "actor": "a", "action": "advance", "flag": flag,
        "environment": "production", "from": null, "to": to, "percentage": 10,
        "reason": null, "forced": false, "provider": "file", "outcome": outcome, "id": id,
    })
}

/// What the journal could hold: runs of this flag and another one, each an intent followed
/// (or not, when the run died) by its outcome, possibly after other runs' records; and
/// records from before intents existed (no `id`).
fn journals() -> impl proptest::strategy::Strategy<Value = Vec<serde_json::Value>> {
    use proptest::prelude::*;
    let run = (
        prop_oneof![Just("f"), Just("g")],
        prop_oneof![
            Just(None),
            Just(Some(APPLIED)),
            Just(Some(FAILED)),
            Just(Some(MAY_HAVE_BEEN_APPLIED)),
        ],
        0usize..3,
        any::<bool>(),
    );
    proptest::collection::vec(run, 0..12).prop_map(|runs| {
        let mut out: Vec<serde_json::Value> = Vec::new();
        // Outcomes still to be written: (records to wait for, the outcome record).
        let mut later: Vec<(usize, serde_json::Value)> = Vec::new();
        for (i, (flag, outcome, delay, legacy)) in runs.into_iter().enumerate() {
            let to = format!("s{i}");
            if legacy {
                out.push(record(flag, APPLIED, None, &to));
            } else {
                let id = Some(i.to_string());
                out.push(record(flag, INTENT, id.clone(), &to));
                if let Some(outcome) = outcome {
                    // Up to `delay` other runs' records come between intent and outcome.
                    later.push((delay, record(flag, outcome, id, &to)));
                }
            }
            let mut waiting = Vec::new();
            for (wait, rec) in later.drain(..) {
                if wait == 0 {
                    out.push(rec);
                } else {
                    waiting.push((wait - 1, rec));
                }
            }
            later = waiting;
        }
        out.extend(later.into_iter().map(|(_, rec)| rec));
        out
    })
}

proptest::proptest! {
    /// Reading from the end and stopping at the last completed change finds exactly the
    /// intents that the rule over the whole journal finds.
    #[test]
    fn open_intents_from_the_end_match_the_whole_journal_rule(records in journals()) {
        let dir = tempfile::tempdir().unwrap();
        let path = crate::adapters::journal::path(dir.path());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text: String = records.iter().map(|r| format!("{r}\n")).collect();
        std::fs::write(&path, text).unwrap();
        let ids = |v: Vec<crate::adapters::journal::Event>| -> Vec<Option<String>> {
            v.into_iter().map(|e| e.id).collect()
        };
        let want = ids(oracle::open_intents(&records, "f", "production"));
        let got = ids(open_intents(dir.path(), "f", "production"));
        proptest::prop_assert_eq!(got, want);
    }
}

#[test]
fn an_intent_left_open_behind_another_flags_records_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = crate::adapters::journal::path(dir.path());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let records = [
        record("f", INTENT, Some("1".into()), "a"),
        record("f", APPLIED, Some("1".into()), "a"),
        record("f", INTENT, Some("2".into()), "b"),
        record("g", INTENT, Some("3".into()), "x"),
        record("g", APPLIED, Some("3".into()), "x"),
    ];
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&path, text).unwrap();
    let open: Vec<Option<String>> = open_intents(dir.path(), "f", "production")
        .into_iter()
        .map(|e| e.to)
        .collect();
    assert_eq!(open, [Some("b".to_string())]);
    assert!(open_intents(dir.path(), "g", "production").is_empty());
    assert!(open_intents(dir.path(), "f", "staging").is_empty());
}

fn open(records: Vec<serde_json::Value>) -> Vec<Option<String>> {
    oracle::open_intents(&records, "f", "production")
        .into_iter()
        .map(|e| e.to)
        .collect()
}

#[test]
fn an_intent_is_open_until_its_outcome_or_a_later_completed_change() {
    // Completed: not open.
    assert!(open(vec![
        record("f", INTENT, Some("1".into()), "a"),
        record("f", APPLIED, Some("1".into()), "a")
    ])
    .is_empty());
    // Left open by a dead run, also behind an older completed change.
    assert_eq!(
        open(vec![
            record("f", INTENT, Some("1".into()), "a"),
            record("f", APPLIED, Some("1".into()), "a"),
            record("f", INTENT, Some("2".into()), "b"),
        ]),
        [Some("b".to_string())]
    );
    // Settled by a later change that completed.
    assert!(open(vec![
        record("f", INTENT, Some("2".into()), "b"),
        record("f", INTENT, Some("3".into()), "c"),
        record("f", FAILED, Some("3".into()), "c"),
    ])
    .is_empty());
    // Another flag's records change nothing here.
    let mut other = record("f", INTENT, Some("4".into()), "x");
    other["flag"] = "g".into();
    assert!(open(vec![other]).is_empty());
}
