//! Broken stages.yaml files: each exits 2, names file:line:column and the fix, never panics, and
//! changes nothing.

use crate::test::Project;

/// (what is broken, the file, the `line:col` expected, a phrase of the message, a phrase of the fix)
const BROKEN: &[(&str, &str, &str, &str, &str)] = &[
    (
        "bad YAML",
        "flag: f\nstages:\n  - { name: a, percentage: 5\n",
        "stages.yaml:4:1",
        "not valid YAML",
        "fix the YAML syntax",
    ),
    (
        "unknown top-level key",
        "flag: f\nstagse:\n  - { name: a, percentage: 5 }\n",
        "stages.yaml:2:1",
        "unknown key `stagse`",
        "did you mean `stages`?",
    ),
    (
        "unknown stage key",
        "flag: f\nstages:\n  - name: a\n    percentage: 5\n    duraton: 3d\n",
        "stages.yaml:5:5",
        "unknown key `duraton` in stage 1",
        "did you mean `duration`?",
    ),
    (
        "duplicate stage",
        "flag: f\nstages:\n  - { name: beta, percentage: 5 }\n  - { name: beta, percentage: 10 }\n",
        "stages.yaml:4:13",
        "stage `beta` is defined twice (first at line 3)",
        "give each stage its own name",
    ),
    (
        "decreasing percentage",
        "flag: f\nstages:\n  - { name: a, percentage: 25 }\n  - { name: b, percentage: 10 }\n",
        "stages.yaml:4:28",
        "stage `b` has 10%, not more than the 25% of `a`",
        "strictly increase",
    ),
    (
        "equal percentage",
        "flag: f\nstages:\n  - { name: a, percentage: 10 }\n  - { name: b, percentage: 10 }\n",
        "stages.yaml:4:28",
        "not more than",
        "strictly increase",
    ),
    (
        "percentage over 100",
        "flag: f\nstages:\n  - { name: a, percentage: 150 }\n",
        "stages.yaml:3:28",
        "outside 0 to 100",
        "write a number from 0 to 100",
    ),
    (
        "negative percentage",
        "flag: f\nstages:\n  - { name: a, percentage: -5 }\n",
        "stages.yaml:3:28",
        "outside 0 to 100",
        "write a number from 0 to 100",
    ),
    (
        "percentage not a number",
        "flag: f\nstages:\n  - { name: a, percentage: lots }\n",
        "stages.yaml:3:28",
        "must be a number, found `lots`",
        "plain number",
    ),
    (
        "bad duration",
        "flag: f\nstages:\n  - { name: a, percentage: 5, duration: 3 days-ish }\n",
        "stages.yaml:3:41",
        "`duration` of stage 1 `3 days-ish` is not a duration",
        "30m, 36h or 3d",
    ),
    (
        "bad date",
        "flag: f\nstages:\n  - { name: a, percentage: 5, start: 2024-02-30 }\n",
        "stages.yaml:3:38",
        "`start` of stage 1 `2024-02-30` is not a date",
        "YYYY-MM-DD",
    ),
    (
        "missing flag",
        "stages:\n  - { name: a, percentage: 5 }\n",
        "stages.yaml:1:1",
        "stages.yaml has no `flag`",
        "add `flag: my-flag-key`",
    ),
    (
        "missing stages",
        "flag: f\n",
        "stages.yaml:1:1",
        "has no `stages`",
        "add `stages:",
    ),
    (
        "token written inline",
        "flag: f\nprovider:\n  kind: unleash\n  url: http://127.0.0.1:4242\n  token: '*:*.0123456789abcdef'\nstages:\n  - { name: a, percentage: 5 }\n",
        "stages.yaml:5:3",
        "would put a secret in stages.yaml",
        "token_env: UNLEASH_API_TOKEN",
    ),
    (
        "token pasted into token_env",
        "flag: f\nprovider:\n  kind: unleash\n  url: http://127.0.0.1:4242\n  token_env: '*:*.0123456789abcdef'\nstages:\n  - { name: a, percentage: 5 }\n",
        "stages.yaml:5:14",
        "must name an environment variable",
        "write the variable's NAME",
    ),
    (
        "unknown provider kind",
        "flag: f\nprovider:\n  kind: unleesh\nstages:\n  - { name: a, percentage: 5 }\n",
        "stages.yaml:3:9",
        "unknown provider kind `unleesh`",
        "did you mean `unleash`?",
    ),
    (
        "provider needing a URL",
        "flag: f\nprovider:\n  kind: unleash\nstages:\n  - { name: a, percentage: 5 }\n",
        "stages.yaml:3:3",
        "the unleash provider needs `url`",
        "ROLLOUT_PROVIDER_URL",
    ),
    (
        "stages not a list",
        "flag: f\nstages:\n  name: a\n",
        "stages.yaml:3:3",
        "`stages` must be a list",
        "`- name: ...`",
    ),
    (
        "stage missing a percentage",
        "flag: f\nstages:\n  - name: a\n",
        "stages.yaml:3:5",
        "stage 1 has no `percentage`",
        "add `percentage: 25`",
    ),
    (
        "stage name with a space",
        "flag: f\nstages:\n  - { name: early birds, percentage: 5 }\n",
        "stages.yaml:3:13",
        "has spaces",
        "short word",
    ),
    (
        "duplicate key",
        "flag: f\nflag: g\nstages:\n  - { name: a, percentage: 5 }\n",
        "stages.yaml:2:1",
        "`flag` appears twice",
        "keep one of them",
    ),
    (
        "notify URL in the YAML (webhook URLs hold tokens)",
        "flag: f\nnotify:\n  - url: https://hooks.example.com/services/T0/B0/x\nstages:\n  - { name: a, percentage: 5 }\n",
        "stages.yaml:3:5",
        "would put a webhook URL, which holds its token, in stages.yaml",
        "name it with `url_env: SLACK_WEBHOOK_URL`",
    ),
    (
        "empty file",
        "",
        "stages.yaml:1:1",
        "stages.yaml is empty",
        "rollout init",
    ),
    (
        "two documents",
        "flag: f\nstages: []\n---\nflag: g\n",
        "stages.yaml:3:1",
        "only one YAML document",
        "fix the YAML syntax",
    ),
];

#[test]
fn every_broken_stage_table_exits_2_with_place_and_fix() {
    assert!(BROKEN.len() >= 15);
    for (what, yaml, place, message, fix) in BROKEN {
        let p = Project::new().file("stages.yaml", yaml);
        for cmd in [["validate"], ["status"], ["advance"]] {
            let done = p.rollout(cmd).status(2).run();
            let err = &done.stderr;
            assert!(
                err.contains(place),
                "{what}: `{cmd:?}` does not name {place}:\n{err}"
            );
            assert!(err.contains(message), "{what}: no {message:?} in:\n{err}");
            assert!(err.contains(fix), "{what}: no fix {fix:?} in:\n{err}");
            assert!(
                !err.contains("hunter22") && !err.contains("0123456789abcdef"),
                "{what}: a secret was printed:\n{err}"
            );
        }
        assert!(
            !p.exists(".rollout"),
            "{what}: a broken config changed state"
        );
    }
}

#[test]
fn all_problems_are_reported_at_once() {
    let p = Project::new().file(
        "stages.yaml",
        "flag: f\nstages:\n  - { name: a, percentage: 50, duration: soon }\n  - { name: b, percentage: 20, start: someday }\n  - { name: a, percentage: 70, colour: red }\n",
    );
    let done = p.rollout(["validate"]).status(2).run();
    for place in [
        "stages.yaml:3:42",
        "stages.yaml:4:28",
        "stages.yaml:4:39",
        "stages.yaml:5:13",
        "stages.yaml:5:32",
    ] {
        assert!(
            done.stderr.contains(place),
            "{place} missing:\n{}",
            done.stderr
        );
    }
    assert!(done.stderr.contains("5 problems in"), "{}", done.stderr);
}

#[test]
fn validate_json_lists_the_errors() {
    let p = Project::new().file(
        "stages.yaml",
        "flag: f\nstages:\n  - { name: a, percentage: 500 }\n",
    );
    let doc = p.rollout(["validate", "--json"]).status(2).run().json();
    assert_eq!(doc["ok"], false);
    assert!(doc["files"][0]["errors"][0]
        .as_str()
        .unwrap()
        .contains("stages.yaml:3:28"));
}

/// A misspelt key in every kind of mapping of both formats: each is named at its place, with the
/// key it is likely a typo of, or every key allowed there (the format structs' fields, in order:
/// src/domain/schema/). The whole output, so a suggestion that changes is seen.
#[test]
fn a_misspelt_key_in_any_mapping_gets_a_suggestion() {
    let p = Project::new()
        .file(
            "stages.yaml",
            "flag: f
provider: { kind: unleash, url: 'http://127.0.0.1:1', projct: p }
environments:
  staging: { enviroment: test }
defaults:
  prometheus: { ulr: 'http://127.0.0.1:9090' }
  datadog: { stie: datadoghq.eu }
  datadg: {}
gates:
  - { name: a, prometheus: { query: up, totl: t }, max: 1 }
  - { name: b, datadog: { query: q, windw: 5m }, max: 1 }
  - { name: c, http: { url: 'http://127.0.0.1/', expect_stauts: 200 } }
  - { name: d, prometheus: { errors: e, total: t }, compare: { max_increase: 0.1, alfa: 0.1 } }
  - { name: e, command: 'true', severty: info }
stages:
  - { name: a, percentage: 5, duraton: 3d }
notify:
  - { url_evn: HOOK }
colour: red
",
        )
        .file(
            "checklists/c.yaml",
            "titel: C\ntasks:\n  - { name: A, run: 'true', timout: 5s, zzz: 1 }\n",
        );
    let done = p.rollout(["validate"]).status(2).run();
    assert_eq!(
        done.stderr,
        "error: stages.yaml:2:55: unknown key `projct` in `provider`
  help: did you mean `project`?
stages.yaml:4:14: unknown key `enviroment` in environment `staging`
  help: did you mean `environment`?
stages.yaml:6:17: unknown key `ulr` in `defaults.prometheus`
  help: the keys allowed here are: url
stages.yaml:7:14: unknown key `stie` in `defaults.datadog`
  help: did you mean `site`?
stages.yaml:8:3: unknown key `datadg` in `defaults`
  help: did you mean `datadog`?
stages.yaml:10:41: unknown key `totl` in `prometheus` of gate `a`
  help: did you mean `total`?
stages.yaml:11:37: unknown key `windw` in `datadog` of gate `b`
  help: did you mean `window`?
stages.yaml:12:50: unknown key `expect_stauts` in `http` of gate `c`
  help: did you mean `expect_status`?
stages.yaml:13:83: unknown key `alfa` in `compare` of gate `d`
  help: did you mean `alpha`?
stages.yaml:14:33: unknown key `severty` in gate 5
  help: did you mean `severity`?
stages.yaml:16:31: unknown key `duraton` in stage 1
  help: did you mean `duration`?
stages.yaml:18:5: notify target 1 needs `url_env`
  help: write `url_env: SLACK_WEBHOOK_URL` (webhook URLs hold tokens: keep them in the environment)
stages.yaml:18:7: unknown key `url_evn` in notify target 1
  help: did you mean `url_env`?
stages.yaml:19:1: unknown key `colour` in stages.yaml
  help: the keys allowed here are: flag, provider, environments, stages, notify, defaults, gates, state
14 problems in stages.yaml
error: checklists/c.yaml:1:1: unknown key `titel` in a checklist
  help: did you mean `title`?
checklists/c.yaml:3:29: unknown key `timout` in task 1
  help: did you mean `timeout`?
checklists/c.yaml:3:41: unknown key `zzz` in task 1
  help: the keys allowed here are: name, id, run, shell, manual, require_env, rollout, gate, timeout, retries, allow_failure, parallel
3 problems in checklists/c.yaml
"
    );
    assert_eq!(done.stdout, "");
}

/// A misspelt `percentage` is named once as the typo it is (renaming it is the fix, not adding a
/// value that could break the order), and its value still stands for the stage, so the next
/// stage's order is checked against it.
#[test]
fn a_misspelt_percentage_suggests_the_rename_and_keeps_the_order_checked() {
    let p = Project::new().file(
        "stages.yaml",
        "flag: f
stages:
  - { name: internal, percentage: 5 }
  - { name: beta, percentge: 10 }
  - { name: limited, percentage: 8 }
  - { name: full, percentage: 100 }
",
    );
    let done = p.rollout(["validate"]).status(2).run();
    assert_eq!(
        done.stderr,
        "error: stages.yaml:4:5: stage 2 has no `percentage`
  help: rename `percentge` (line 4) to `percentage`
stages.yaml:4:19: unknown key `percentge` in stage 2
  help: did you mean `percentage`?
stages.yaml:5:34: stage `limited` has 8%, not more than the 10% of `beta` before it
  help: percentages must strictly increase from one stage to the next
3 problems in stages.yaml
"
    );
    // With no value at all, the suggested one fits between the stages around it.
    p.write(
        "stages.yaml",
        "flag: f
stages:
  - { name: internal, percentage: 5 }
  - { name: beta }
  - { name: limited, percentage: 25 }
",
    );
    p.rollout(["validate"])
        .status(2)
        .stderr_has("stage 2 has no `percentage`\n  help: add `percentage: 15`")
        .run();
}
