//! `rollout plan --power`: the minimum soak per stage for a compare gate, over the real binary.

use crate::test::Project;

const POWER: [&str; 8] = [
    "plan",
    "--power",
    "--traffic",
    "12000/h",
    "--baseline",
    "1%",
    "--max-increase",
    "0.5%",
];

#[test]
fn plan_power_prints_each_stages_minimum_soak() {
    let p = Project::builder_cards();
    let done = p.rollout(POWER).run();
    assert_eq!(
        done.stdout,
        "\
minimum soak for a compare gate to tell an increase of 0.5 points from none over a 1% baseline, at 12,000 requests/h (alpha 0.05 over 1 gate, 80% power):
STAGE     PERCENT  ON      OFF      MIN SOAK       SOAK
internal  5%       8,096   153,816  13h 29m        3d
beta      10%      8,402   75,618   7h             7d
limited   25%      9,567   28,700   3h 11m         7d
expanded  50%      13,060  13,060   2h 10m         7d
full      100%     -       -        no comparison  -
"
    );
    assert_eq!(done.stderr, "");
}

#[test]
fn plan_power_warns_for_stages_that_soak_too_short_for_the_traffic() {
    let p = Project::builder_cards();
    let done = p
        .rollout([
            "plan",
            "--power",
            "--traffic",
            "1000/h",
            "--baseline",
            "0.01",
            "--max-increase",
            "0.005",
            "--gates",
            "2",
        ])
        .run();
    assert_eq!(
        done.stderr,
        "warning: stage internal soaks 3d but a compare gate needs 7d 18h to decide at 5%\n"
    );
    assert!(done.stdout.contains("(alpha 0.05 over 2 gates, 80% power)"));
    assert!(done
        .stdout
        .contains("internal  5%       9,310   176,874  7d 18h         3d\n"));
}

/// The JSON carries the classical one-look size beside the sequential one: for 1% against
/// 1.5%, one-sided 0.05 and 80% power it is the textbook 6,105 per arm (Fleiss, Levin & Paik).
#[test]
fn plan_power_json_carries_the_classical_size_for_comparison() {
    let p = Project::builder_cards();
    let doc = p
        .rollout(POWER.iter().copied().chain(["--json"]))
        .run()
        .json();
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["power"], 0.8);
    let expanded = &doc["stages"][3];
    assert_eq!(expanded["name"], "expanded");
    assert_eq!(
        expanded["minimum"],
        serde_json::json!({
            "on": 13060, "off": 13060, "total": 26119,
            "hours": 26119.0 / 12000.0, "fixed_per_arm": 6105
        })
    );
    assert_eq!(expanded["minimum_soak_seconds"], 7836);
    assert_eq!(expanded["too_short"], false);
    assert_eq!(doc["stages"][4]["minimum"], serde_json::Value::Null);
}

#[test]
fn plan_power_rejects_bad_numbers_with_exit_2() {
    let p = Project::builder_cards();
    let done = p
        .rollout([
            "plan",
            "--power",
            "--traffic",
            "0/h",
            "--baseline",
            "1%",
            "--max-increase",
            "0.5%",
        ])
        .status(2)
        .run();
    assert!(done.stderr.starts_with(
        "error: invalid value '0/h' for '--traffic <REQUESTS/h>': write a positive number of \
         requests, e.g. 12000/h (or /min, /s, /d)\n"
    ));
    let done = p
        .rollout(["plan", "--power", "--traffic", "100/h", "--baseline", "1%"])
        .status(2)
        .run();
    assert!(
        done.stderr.starts_with(
            "error: --power needs --traffic, --baseline and --max-increase, or a stage with a \
             compare gate to read them from\n"
        ),
        "{}",
        done.stderr
    );
    let done = p
        .rollout([
            "plan",
            "--power",
            "--traffic",
            "100/h",
            "--baseline",
            "150%",
            "--max-increase",
            "0.5%",
        ])
        .status(2)
        .run();
    assert!(done.stderr.contains(
        "invalid value '150%' for '--baseline <RATE>': write a rate from 0 to 1, e.g. 0.01, or a \
         percentage, e.g. 1%"
    ));
}
