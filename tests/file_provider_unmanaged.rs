//! The flags file, edited by hand (issue 21): targeting `rollout` did not write (a rule serving
//! `on` to everyone, a rule for some users, other variants, another default) is shown by `status`
//! as what it serves, and any change that would overwrite it (advance, rollback, resume) refuses
//! with exit 3 unless `--force`d, as for strategies added in Unleash. A kill still turns the flag
//! off.

use serde_json::{json, Value};

use crate::snapshots::{settings, transcript};
use crate::test::{Project, Test};

const FLAG: &str = "use-new-builder-cards";
/// After beta's planned start and the soak of internal; limited is not due yet.
const AT: &str = "2024-01-19T09:00:00Z";
/// Past every planned start and soak up to expanded.
const LATER: &str = "2024-02-01T09:00:00Z";

/// The Builder Card plan at beta (10%), then `edit` applied to the flag in the flags file.
fn edited(edit: impl FnOnce(&mut Value)) -> Project {
    let p = Project::builder_cards();
    p.walk_builder_cards_to("beta");
    let mut doc: Value = serde_json::from_str(&p.read(".rollout/flags.json")).unwrap();
    edit(&mut doc["flags"][FLAG]);
    p.write(
        ".rollout/flags.json",
        &serde_json::to_string_pretty(&doc).unwrap(),
    );
    p
}

fn snap(p: &Project, name: &str, test: Test) -> crate::test::Done {
    let done = test.any_status().run();
    settings(p.dir.path()).bind(|| insta::assert_snapshot!(name, transcript(&done)));
    done
}

/// Runs `test`, which must be refused (exit 3) with the snapshot `name`, changing nothing under
/// `.rollout/` but the journal's read-only looks (none here).
fn refused(p: &Project, name: &str, test: Test) {
    let before = p.snapshot();
    let done = snap(p, name, test);
    assert_eq!(done.code, 3, "{name}: {}", transcript(&done));
    assert!(before == p.snapshot(), "{name} changed .rollout/");
}

#[test]
fn a_rule_serving_everyone_is_shown_as_served_and_refuses_every_change_but_a_kill() {
    let p = edited(|f| {
        let ours = f["targeting"]["if"].as_array().unwrap().clone();
        let mut rules = vec![json!(true), json!("on")];
        rules.extend(ours);
        f["targeting"] = json!({ "if": rules });
    });
    snap(
        &p,
        "unmanaged_everyone_status",
        p.rollout(["status"]).at(AT),
    );
    snap(
        &p,
        "unmanaged_everyone_status_json",
        p.rollout(["status", "--json"]).at(AT),
    );
    // It serves 100%: shown at the last stage. A rollback would overwrite the rule.
    refused(
        &p,
        "unmanaged_everyone_rollback",
        p.rollout(["rollback", "beta", "--yes"]).at(LATER),
    );
    // A kill still turns everyone off.
    p.rollout(["kill", "--reason", "bad"]).at(LATER).run();
    let flag: Value = serde_json::from_str(&p.read(".rollout/flags.json")).unwrap();
    assert!(flag["flags"][FLAG].get("targeting").is_none());
    p.rollout(["status"])
        .at(LATER)
        .stdout_has("state:       KILLED")
        .stdout_lacks("also:")
        .run();
}

#[test]
fn a_rule_for_some_users_keeps_the_stage_and_refuses_an_advance_unless_forced() {
    let p = edited(|f| {
        let rules = f["targeting"]["if"].as_array_mut().unwrap();
        rules.insert(0, json!({"ends_with": [{"var": "email"}, "@example.com"]}));
        rules.insert(1, json!("on"));
    });
    snap(&p, "unmanaged_rule_status", p.rollout(["status"]).at(LATER));
    refused(
        &p,
        "unmanaged_rule_advance",
        p.rollout(["advance", "--yes"]).at(LATER),
    );
    refused(
        &p,
        "unmanaged_rule_rollback",
        p.rollout(["rollback", "--yes"]).at(LATER),
    );
    // --force overwrites it, and the journal says it was forced.
    snap(
        &p,
        "unmanaged_rule_advance_forced",
        p.rollout([
            "advance",
            "limited",
            "--force",
            "--reason",
            "drop the rule",
            "--yes",
        ])
        .at(LATER),
    );
    let last = p.journal().pop().unwrap();
    assert_eq!(
        (&last["forced"], &last["outcome"]),
        (&json!(true), &json!("applied"))
    );
    p.rollout(["status"])
        .at(LATER)
        .stdout_has("stage:       limited (25%)")
        .stdout_lacks("also:")
        .run();
}

#[test]
fn other_variants_are_counted_by_what_they_serve() {
    let p = edited(|f| {
        f["variants"]["beta"] = json!(true);
        let split = &mut f["targeting"]["if"][2]["fractional"];
        split[1][1] = json!(10_000);
        split[2] = json!(["beta", 20_000]);
        split.as_array_mut().unwrap().push(json!(["off", 70_000]));
    });
    snap(
        &p,
        "unmanaged_variants_status",
        p.rollout(["status"]).at(LATER),
    );
    refused(
        &p,
        "unmanaged_variants_advance",
        p.rollout(["advance", "expanded", "--yes"]).at(LATER),
    );
}

#[test]
fn a_resume_restores_the_killed_stage_and_says_what_it_replaces() {
    let p = Project::builder_cards();
    p.walk_builder_cards_to("beta");
    p.rollout(["kill", "--reason", "bad"]).at(AT).run();
    let mut doc: Value = serde_json::from_str(&p.read(".rollout/flags.json")).unwrap();
    doc["flags"][FLAG]["variants"]["dark"] = json!(false);
    doc["flags"][FLAG]["defaultVariant"] = json!("dark");
    p.write(".rollout/flags.json", &doc.to_string());
    snap(
        &p,
        "unmanaged_killed_status",
        p.rollout(["status"]).at(LATER),
    );
    // A resume (it has no --force) restores exactly the killed stage, naming what it replaces.
    snap(
        &p,
        "unmanaged_killed_resume",
        p.rollout(["resume", "--yes"]).at(LATER),
    );
    p.rollout(["status"])
        .at(LATER)
        .stdout_has("stage:       beta (10%)")
        .stdout_lacks("also:")
        .run();
}
