//! Exposure parity: the real Unleash Node client (npm unleash-client, scripts/unleash-eval.mjs),
//! fed by the real server after `rollout` wrote the stage, serves the flag to exactly the ids that
//! `rollout preview` and `rollout check` say, at 5, 10, 25 and 50 percent, after a kill and after
//! a resume.
//!
//! Ids are ASCII: the Node client hashes the low byte of each UTF-16 code unit (murmurhash3js),
//! while the Rust, Go and Java clients (and `rollout`) hash UTF-8 bytes, so Unleash's own SDKs
//! disagree with each other on non-ASCII ids.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use crate::test::Project;
use crate::unleash_server::{server, Server};

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
    let parity = Parity {
        s: &s,
        flag,
        p,
        ids,
        ids_file,
    };
    let mut at_limited = BTreeSet::new();
    for (i, stage) in ["internal", "beta", "limited", "expanded"]
        .into_iter()
        .enumerate()
    {
        let node = parity.advance_to(i, stage);
        if stage == "limited" {
            at_limited = node.clone();
            parity.kill_and_resume(&at_limited);
        }
    }
    assert!(
        at_limited.len() > 2300 && at_limited.len() < 2700,
        "{}",
        at_limited.len()
    );
}

/// The parity run: the server, the flag, its project and the ids (also in `ids_file`).
struct Parity<'a> {
    s: &'a Server,
    flag: String,
    p: Project,
    ids: Vec<String>,
    ids_file: PathBuf,
}

impl Parity<'_> {
    /// The ids `rollout preview` lists on now, or at `stage`.
    fn preview(&self, stage: Option<&str>) -> BTreeSet<String> {
        self.p
            .preview_ids(stage, &[("UNLEASH_API_TOKEN", &self.s.admin)])
    }

    /// The ids the Node client serves the flag to with the context `props`, asked until it
    /// serves `want`: the server's client API may serve the previous state for a moment after a
    /// change.
    fn served(&self, want: &BTreeSet<String>, props: &[&str]) -> BTreeSet<String> {
        let mut got = BTreeSet::new();
        for _ in 0..30 {
            got = self
                .s
                .node_on(&self.flag, &self.ids_file, props)
                .into_iter()
                .collect();
            if &got == want {
                break;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        got
    }

    /// Advances to `stage` (the `i`th; forced past the first's soak) and checks that `preview`,
    /// `preview STAGE`, the Node client and `check` agree and that about the stage's share is
    /// on; returns the ids the Node client serves.
    fn advance_to(&self, i: usize, stage: &str) -> BTreeSet<String> {
        let (s, p, ids) = (self.s, &self.p, &self.ids);
        let mut args = vec!["advance", stage, "--yes"];
        if i > 0 {
            args.extend(["--force", "--reason", "parity test walks every stage"]);
        }
        s.rollout(p, args).run();
        let now = self.preview(None);
        let planned = self.preview(Some(stage));
        assert_same(
            &now,
            &planned,
            &format!("stage {stage}: `preview` and `preview {stage}`"),
        );
        let node = self.served(&now, &[]);
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
            let grouped = self.served(&ids.iter().cloned().collect(), &["group=internal"]);
            assert_eq!(grouped.len(), ids.len(), "every member of `internal` is on");
            s.rollout(p, ["check", "user-5", "--group", "internal"])
                .stdout_has("now on")
                .run();
        }
        for id in ids.iter().step_by(499) {
            let doc = s.rollout(p, ["check", id, "--json"]).run().json();
            assert_eq!(doc["on_now"], node.contains(id), "check {id} at {stage}");
        }
        let expected = ids.len() as f64 * [0.05, 0.10, 0.25, 0.50][i];
        assert!(
            (node.len() as f64 - expected).abs() < expected * 0.15 + 5.0,
            "{stage}: {} on",
            node.len()
        );
        node
    }

    /// Killed, the Node client serves nobody and `preview` lists nobody; resumed, it serves the
    /// ids it served before the kill (`before`).
    fn kill_and_resume(&self, before: &BTreeSet<String>) {
        let (s, p) = (self.s, &self.p);
        s.rollout(p, ["kill"]).run();
        assert!(
            self.served(&BTreeSet::new(), &[]).is_empty(),
            "killed: the Node client serves nobody"
        );
        assert!(self.preview(None).is_empty());
        s.rollout(p, ["resume", "--yes"]).run();
        assert_same(
            &self.served(before, &[]),
            before,
            "after resume, the Node client and the users before the kill",
        );
    }
}
