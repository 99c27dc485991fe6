//! Exposure parity: the real Unleash Node client (npm unleash-client, scripts/unleash-eval.mjs),
//! fed by the real server after `rollout` wrote the stage, serves the flag to exactly the ids that
//! `rollout preview` and `rollout check` say, at 5, 10, 25 and 50 percent, after a kill and after
//! a resume.
//!
//! Ids are ASCII: the Node client hashes the low byte of each UTF-16 code unit (murmurhash3js),
//! while the Rust, Go and Java clients (and `rollout`) hash UTF-8 bytes, so Unleash's own SDKs
//! disagree with each other on non-ASCII ids.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::unleash_server::server;

const STAGES: &str = "  - { name: internal, percentage: 5, groups: [internal] }
  - { name: beta, percentage: 10, users: [beta-1, beta-2, user-77] }
  - { name: limited, percentage: 25 }
  - { name: expanded, percentage: 50 }
  - { name: full, percentage: 100 }
";

/// Equal sets, or a failure showing only the ids that differ.
fn assert_same(left: &BTreeSet<String>, right: &BTreeSet<String>, what: &str) {
    let only_left: Vec<&String> = left.difference(right).take(20).collect();
    let only_right: Vec<&String> = right.difference(left).take(20).collect();
    assert!(
        only_left.is_empty() && only_right.is_empty(),
        "{what} disagree ({} vs {} ids): only in the first {only_left:?}, only in the second {only_right:?}",
        left.len(),
        right.len()
    );
}

#[test]
fn the_node_client_agrees_with_preview_and_check_on_every_id() {
    let s = server();
    let flag = s.create_flag("parity");
    let mut ids: Vec<String> = (0..10_000).map(|i| format!("user-{i}")).collect();
    ids.extend(
        [
            "beta-1",
            "beta-2",
            "dev@example.com",
            "dev.user+tag@example.com",
            "123",
        ]
        .map(String::from),
    );
    let p = s.project(&flag, STAGES).file("ids.txt", &ids.join("\n"));
    let ids_file = p.path("ids.txt");
    let preview = |stage: Option<&str>| p.preview_ids(stage, &[("UNLEASH_API_TOKEN", &s.admin)]);
    // The server's client API may serve the previous state for a moment after a change.
    let served = |want: &BTreeSet<String>, props: &[&str]| -> BTreeSet<String> {
        let mut got = BTreeSet::new();
        for _ in 0..30 {
            got = s.node_on(&flag, &ids_file, props).into_iter().collect();
            if &got == want {
                break;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        got
    };
    let mut at_limited = BTreeSet::new();
    for (i, stage) in ["internal", "beta", "limited", "expanded"]
        .into_iter()
        .enumerate()
    {
        let mut args = vec!["advance", stage, "--yes"];
        if i > 0 {
            args.extend(["--force", "--reason", "parity test walks every stage"]);
        }
        s.rollout(&p, args).run();
        let now = preview(None);
        let planned = preview(Some(stage));
        assert_same(
            &now,
            &planned,
            &format!("stage {stage}: `preview` and `preview {stage}`"),
        );
        let node = served(&now, &[]);
        assert_same(
            &node,
            &now,
            &format!("stage {stage}: the Node client and `preview`"),
        );
        if stage == "beta" {
            assert!(
                node.contains("beta-1") && node.contains("user-77"),
                "listed users are on"
            );
        }
        if stage == "internal" {
            // Groups match the context field `group`.
            let grouped = served(&ids.iter().cloned().collect(), &["group=internal"]);
            assert_eq!(grouped.len(), ids.len(), "every member of `internal` is on");
            s.rollout(&p, ["check", "user-5", "--group", "internal"])
                .stdout_has("now on")
                .run();
        }
        for id in ids.iter().step_by(499) {
            let doc = s.rollout(&p, ["check", id, "--json"]).run().json();
            assert_eq!(doc["on_now"], node.contains(id), "check {id} at {stage}");
        }
        let expected = ids.len() as f64 * [0.05, 0.10, 0.25, 0.50][i];
        assert!(
            (node.len() as f64 - expected).abs() < expected * 0.15 + 5.0,
            "{stage}: {} on",
            node.len()
        );
        if stage == "limited" {
            at_limited = node.clone();
            s.rollout(&p, ["kill"]).run();
            assert!(
                served(&BTreeSet::new(), &[]).is_empty(),
                "killed: the Node client serves nobody"
            );
            assert!(preview(None).is_empty());
            s.rollout(&p, ["resume", "--yes"]).run();
            assert_same(
                &served(&at_limited, &[]),
                &at_limited,
                "after resume, the Node client and the users before the kill",
            );
        }
    }
    assert!(
        at_limited.len() > 2300 && at_limited.len() < 2700,
        "{}",
        at_limited.len()
    );
}
