//! The real flagd evaluator (npm @openfeature/flagd-core 4.x, in tests/node-flagd) reads the
//! flags.json that `rollout` writes and must agree with `rollout preview` and `rollout check`, id
//! by id, at every stage, after a kill and after a resume.
//!
//! Ids are ASCII: flagd-core (JS) hashes UTF-16 code units, not UTF-8 bytes as flagd (Go) does,
//! so the two evaluators differ on non-ASCII ids (tests/fixtures/flagd-vectors.json shows both).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use crate::test::Project;

const FLAG: &str = "use-new-builder-cards";
const STAGES: &str = "flag: use-new-builder-cards
stages:
  - { name: internal, percentage: 5, groups: [internal, developers], duration: 3d }
  - { name: beta, percentage: 10, groups: [beta_testers], users: [beta-1, beta-2, user-77], duration: 7d }
  - { name: limited, percentage: 25, groups: [early_adopters], duration: 7d }
  - { name: expanded, percentage: 50, duration: 7d }
  - { name: full, percentage: 100 }
";

fn node_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node-flagd")
}

/// Ids that flagd-core evaluates to true, for `flags` and the ids in `ids`.
fn flagd_on(flags: &Path, ids: &Path, attrs: &[&str]) -> BTreeSet<String> {
    flagd_core_on(flags, FLAG, ids, attrs).into_iter().collect()
}

/// The ids of the file `ids` that flagd-core (tests/node-flagd) evaluates `flag` of the flags
/// file `flags` to true, in the file's order, with each `attrs` (`key=value`) in the context.
pub fn flagd_core_on(flags: &Path, flag: &str, ids: &Path, attrs: &[&str]) -> Vec<String> {
    assert!(
        node_dir().join("node_modules/@openfeature/flagd-core").exists(),
        "the flagd-core evaluator is not installed: run `npm ci --prefix tests/node-flagd` (scripts/test does)"
    );
    let mut cmd = Command::new("node");
    cmd.arg(node_dir().join("eval.mjs"))
        .arg(flags)
        .arg(flag)
        .arg(ids);
    for a in attrs {
        cmd.args(["--context-attr", a]);
    }
    crate::test::evaluator_stdout(&mut cmd)
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .filter(|(_, v)| *v == "true")
        .map(|(id, _)| id.to_string())
        .collect()
}

#[test]
fn flagd_core_agrees_with_preview_and_check_on_every_id() {
    let mut ids: Vec<String> = (0..10_000).map(|i| format!("user-{i}")).collect();
    ids.extend(["beta-1", "beta-2", "dev@example.com", "ejOoVL", "ceQdGm"].map(String::from));
    let p = Project::new()
        .file("stages.yaml", STAGES)
        .file("ids.txt", &ids.join("\n"));
    let flags = p.path(".rollout/flags.json");
    let ids_file = p.path("ids.txt");
    let mut before_kill = BTreeSet::new();
    for (i, stage) in ["internal", "beta", "limited", "expanded", "full"]
        .into_iter()
        .enumerate()
    {
        let mut args = vec!["advance", stage, "--yes"];
        if i > 0 {
            args.extend(["--force", "--reason", "parity test walks every stage"]);
        }
        p.rollout(args).run();
        let served = flagd_on(&flags, &ids_file, &[]);
        let now = p.preview_ids(None, &[]);
        let planned = p.preview_ids(Some(stage), &[]);
        assert_eq!(
            served, now,
            "stage {stage}: flagd-core and `preview` (current) disagree"
        );
        assert_eq!(
            served, planned,
            "stage {stage}: flagd-core and `preview {stage}` disagree"
        );
        if stage == "beta" {
            assert!(
                served.contains("beta-1") && served.contains("user-77"),
                "listed beta users are on"
            );
            // Groups are matched on the context attribute `group`.
            let grouped = flagd_on(&flags, &ids_file, &["group=beta_testers"]);
            assert_eq!(
                grouped.len(),
                ids.len(),
                "every member of beta_testers is on at beta"
            );
            p.rollout(["check", "user-5", "--group", "beta_testers"])
                .stdout_has("now on")
                .run();
        }
        // `check` agrees on a sample.
        for id in ids.iter().step_by(997) {
            let doc = p.rollout(["check", id, "--json"]).run().json();
            assert_eq!(doc["on_now"], served.contains(id), "check {id} at {stage}");
        }
        if stage == "limited" {
            before_kill = served.clone();
            p.rollout(["kill"]).run();
            let killed = flagd_on(&flags, &ids_file, &[]);
            assert!(
                killed.is_empty(),
                "after kill flagd-core serves {} ids",
                killed.len()
            );
            assert!(p.preview_ids(None, &[]).is_empty());
            p.rollout(["resume", "--yes"]).run();
            let resumed = flagd_on(&flags, &ids_file, &[]);
            assert_eq!(
                resumed, before_kill,
                "resume must bring back exactly the same users"
            );
            assert_eq!(resumed, p.preview_ids(None, &[]));
        }
    }
    assert!(
        before_kill.len() > 2000 && before_kill.len() < 3000,
        "25% of 10,005: {}",
        before_kill.len()
    );
}
