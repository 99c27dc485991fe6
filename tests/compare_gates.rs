//! `compare:` gates against a real Prometheus (scripts/prometheus-up, one instance for this
//! module): per-variant request counters backfilled with promtool over the last 70 minutes,
//! read with `increase(...[{window}])` exactly as a user writes the gate. The flag enters its
//! stage ten minutes before the test looks (the pinned clock), so each arm's window holds about
//! 600 s of traffic.

use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;

use crate::gates_support::{start_backfilled, Prom};
use crate::test::Project;

/// Per second: on requests, on errors, off requests, off errors.
const CASES: [(&str, [f64; 4]); 4] = [
    // A/A: both arms at 1%, 10% of requests in on.
    ("aa", [100.0, 1.0, 900.0, 9.0]),
    // A/B: on at 2%, one point worse than off.
    ("ab", [100.0, 2.0, 900.0, 9.0]),
    // Thin: 1% both, but only 5 and 45 requests a second: undecided after ten minutes.
    ("thin", [5.0, 0.05, 45.0, 0.45]),
    // Skewed: 12% of requests in on at a 10% stage.
    ("srm", [120.0, 1.2, 880.0, 8.8]),
];

fn prom() -> &'static Prom {
    static PROM: OnceLock<Prom> = OnceLock::new();
    PROM.get_or_init(|| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let mut om = String::from("# TYPE cmp_requests counter\n");
        let steps: u64 = 420; // every 10 s over 70 minutes, the last 2 s ago
        for (case, [on, on_err, off, off_err]) in CASES {
            for (variant, total, errors) in [("on", on, on_err), ("off", off, off_err)] {
                for (status, per_sec) in [("200", total - errors), ("500", errors)] {
                    for k in 0..=steps {
                        let t = now - 2 - (steps - k) * 10;
                        om.push_str(&format!(
                            "cmp_requests_total{{case=\"{case}\",status=\"{status}\",variant=\"{variant}\"}} {} {t}\n",
                            per_sec * 10.0 * k as f64
                        ));
                    }
                }
            }
        }
        om.push_str("# EOF\n");
        start_backfilled("compare", &om, &[])
    })
}

fn gate(case: &str) -> String {
    format!(
        "  - name: errors-vs-control
    prometheus:
      errors: 'sum(increase(cmp_requests_total{{case=\"{case}\",status=\"500\",variant=\"{{variant}}\"}}[{{window}}]))'
      total: 'sum(increase(cmp_requests_total{{case=\"{case}\",variant=\"{{variant}}\"}}[{{window}}]))'
    compare: {{ max_increase: 0.005 }}
"
    )
}

/// A project whose flag entered `internal` (10%) ten minutes ago, with the compare gate of
/// `case` on `beta`.
fn at_internal(case: &str) -> Project {
    let p = prom();
    let proj = Project::new().file(
        "stages.yaml",
        &format!(
            "flag: cards\ndefaults:\n  prometheus: {{ url: {} }}\ngates:\n{}stages:\n  - {{ name: internal, percentage: 10, gates: [] }}\n  - {{ name: beta, percentage: 50 }}\n",
            p.url,
            gate(case)
        ),
    );
    let started = chrono::Utc::now() - chrono::Duration::minutes(10);
    proj.rollout(["advance", "--yes"])
        .at(&started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .stdout_has("advanced cards: not started → internal (10%)")
        .run();
    proj
}

/// A project whose flag entered `internal` (10%) ten minutes ago, with the compare gate of
/// `case` on every stage (before the first it does not apply: there is no `on` traffic).
fn everywhere(case: &str) -> Project {
    let p = prom();
    let proj = Project::new().file(
        "stages.yaml",
        &format!(
            "flag: cards\ndefaults:\n  prometheus: {{ url: {} }}\ngates:\n{}stages:\n  - {{ name: internal, percentage: 10 }}\n  - {{ name: beta, percentage: 50 }}\n",
            p.url,
            gate(case)
        ),
    );
    let started = chrono::Utc::now() - chrono::Duration::minutes(10);
    proj.rollout(["advance", "--yes"])
        .at(&started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .stderr_has("errors-vs-control  not-applicable")
        .stdout_has("advanced cards: not started → internal (10%)")
        .run();
    proj
}

/// The compare gate's verdict on beta while the flag is at internal.
fn look(proj: &Project, status: i32) -> Value {
    let doc = proj
        .rollout(["gates", "--stage", "beta", "--json"])
        .status(status)
        .run()
        .json();
    doc["gates"][0].clone()
}

fn near(got: &Value, want: f64, what: &str) {
    let got = got.as_f64().unwrap_or_else(|| panic!("{what} is {got}"));
    assert!(
        (got - want).abs() <= want * 0.2,
        "{what}: {got}, expected about {want}"
    );
}

/// Both arms' counts over the window are about ten minutes of the case's traffic.
fn arms_are_ten_minutes_of(v: &Value, rates: [f64; 4]) {
    let c = &v["compare"];
    near(&c["on"]["total"], rates[0] * 600.0, "on total");
    near(&c["on"]["errors"], rates[1] * 600.0, "on errors");
    near(&c["off"]["total"], rates[2] * 600.0, "off total");
    near(&c["off"]["errors"], rates[3] * 600.0, "off errors");
}

#[test]
fn aa_traffic_passes_with_both_rates_and_the_always_valid_interval() {
    let proj = at_internal("aa");
    let v = look(&proj, 0);
    assert_eq!(v["verdict"], "pass", "{v}");
    arms_are_ten_minutes_of(&v, CASES[0].1);
    let c = &v["compare"];
    assert_eq!(c["verdict"], "pass");
    near(&c["on"]["rate"], 0.01, "on rate");
    near(&c["off"]["rate"], 0.01, "off rate");
    assert!(c["difference"].as_f64().unwrap().abs() < 0.001, "{c}");
    let (lo, hi) = (
        c["interval"]["lower"].as_f64().unwrap(),
        c["interval"]["upper"].as_f64().unwrap(),
    );
    assert!(lo < 0.0 && 0.0 < hi && hi <= 0.005, "{c}");
    assert_eq!(c["interval"]["confidence"], 0.95);
    assert_eq!(c["alpha"], 0.05);
    assert_eq!(c["max_increase"], 0.005);
    assert_eq!(c["split"]["mismatch"], false);
    assert_eq!(v["threshold"], "max increase 0.005");
    assert_eq!(v["window"], "since the stage started");
    let why = v["why"].as_str().unwrap();
    assert!(why.starts_with("on 1.00% ("), "{why}");
    assert!(
        why.ends_with(": the upper bound is within the allowed +0.50 points"),
        "{why}"
    );
    assert!(why.contains(" vs off 1.00% ("), "{why}");
    assert!(why.contains("95% always-valid bounds [-0.1"), "{why}");
    // The human table: the difference and its interval as the value, the reasoning after.
    let table = proj.rollout(["gates", "--stage", "beta"]).run().stdout;
    let row = table.lines().nth(1).unwrap();
    assert!(
        row.starts_with("errors-vs-control  pass     +0.00 points [-0.1"),
        "{table}"
    );
    assert!(
        row.contains("]  max increase 0.005  since the stage started  0s   critical  on 1.00% ("),
        "{table}"
    );
}

#[test]
fn ab_traffic_fails_and_advance_is_refused() {
    let proj = at_internal("ab");
    let v = look(&proj, 1);
    assert_eq!(v["verdict"], "fail", "{v}");
    arms_are_ten_minutes_of(&v, CASES[1].1);
    let c = &v["compare"];
    near(&c["on"]["rate"], 0.02, "on rate");
    assert!(c["interval"]["lower"].as_f64().unwrap() > 0.005, "{c}");
    let why = v["why"].as_str().unwrap();
    assert!(
        why.ends_with("the lower bound is above the allowed +0.50 points, on is worse than off"),
        "{why}"
    );
    let before = proj.journal().len();
    let refused = proj.rollout(["advance", "--yes"]).status(3).run();
    assert!(
        refused
            .stderr
            .starts_with("error: advance refused: 1 gate of beta did not pass\ngates of beta:\n  errors-vs-control fail: +1.00 points ["),
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .contains("] > max increase 0.005 (since the stage started, critical): on 2.00% ("),
        "{}",
        refused.stderr
    );
    assert_eq!(proj.journal().len(), before, "nothing was changed");
}

#[test]
fn thin_traffic_is_no_data_naming_the_sample_still_needed() {
    let proj = at_internal("thin");
    let v = look(&proj, 1);
    assert_eq!(v["verdict"], "no-data", "{v}");
    arms_are_ten_minutes_of(&v, CASES[2].1);
    let needed = &v["compare"]["needed"];
    let (on, off) = (
        needed["on"].as_u64().unwrap(),
        needed["off"].as_u64().unwrap(),
    );
    assert!(on > 1_000 && off > 9 * on - on / 10, "{needed}");
    let why = v["why"].as_str().unwrap();
    let fmt = |n: u64| crate::compare_gates::thousands(n);
    assert!(
        why.ends_with(&format!(
            "the bounds are on both sides of the allowed +0.50 points; about {} more on and {} more off requests at these rates",
            fmt(on),
            fmt(off)
        )),
        "{why}"
    );
}

#[test]
fn a_skewed_split_is_held_as_a_sample_ratio_mismatch_and_watch_does_not_kill() {
    let proj = at_internal("srm");
    let v = look(&proj, 1);
    assert_eq!(v["verdict"], "no-data", "{v}");
    assert_eq!(v["compare"]["verdict"], "hold");
    assert_eq!(v["compare"]["split"]["mismatch"], true);
    let why = v["why"].as_str().unwrap();
    assert!(
        why.starts_with("sample ratio mismatch: on has 12.00% of "),
        "{why}"
    );
    assert!(
        why.contains(" requests where the stage sends 10.00% (p < 1e-12 ≤ 0.001), so the comparison means nothing: on 1.00% ("),
        "{why}"
    );
    // watch --advance with the critical compare gate on the stage it watches: every look sees
    // the mismatch, holds before beta, and never kills. Stopped with Ctrl-C after several looks.
    let watched = everywhere("srm");
    let child = watched
        .command(&["watch", "--interval", "200ms", "--advance", "--yes"])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    crate::test::send_signal(child.id(), nix::sys::signal::Signal::SIGINT);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stdout}{stderr}");
    assert!(
        stdout.contains(" look 2 at internal: errors-vs-control no-data +"),
        "{stdout}"
    );
    assert!(
        stderr.contains("holding at internal: advance refused: 1 gate of beta did not pass"),
        "{stdout}{stderr}"
    );
    let looks = watched.changes_of("watch");
    assert!(looks.len() >= 2, "{looks:?}");
    assert!(looks.iter().all(|l| l["gates"][0]["verdict"] == "no-data"));
    assert!(watched.changes_of("kill").is_empty(), "{stdout}{stderr}");
    assert!(!stdout.contains("killed"), "{stdout}");
    assert_eq!(watched.changes_of("advance").len(), 1, "still at internal");
}

#[test]
fn a_stage_with_groups_has_no_split_test() {
    // The same skewed counts at a stage that also targets a group: the share of `on` is not
    // the percentage, so only the rates are compared (both 1%: pass).
    let p = prom();
    let proj = Project::new().file(
        "stages.yaml",
        &format!(
            "flag: cards\ndefaults:\n  prometheus: {{ url: {} }}\ngates:\n{}stages:\n  - {{ name: internal, percentage: 10, groups: [staff], gates: [] }}\n  - {{ name: beta, percentage: 50 }}\n",
            p.url,
            gate("srm")
        ),
    );
    let started = chrono::Utc::now() - chrono::Duration::minutes(10);
    proj.rollout(["advance", "--yes"])
        .at(&started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .run();
    let v = look(&proj, 0);
    assert_eq!(v["verdict"], "pass", "{v}");
    assert_eq!(v["compare"]["split"], Value::Null);
}

#[test]
fn two_compare_gates_of_a_stage_share_alpha() {
    let p = prom();
    let second = gate("aa").replace("errors-vs-control", "errors-vs-control-2");
    let proj = Project::new().file(
        "stages.yaml",
        &format!(
            "flag: cards\ndefaults:\n  prometheus: {{ url: {} }}\ngates:\n{}{second}stages:\n  - {{ name: internal, percentage: 10, gates: [] }}\n  - {{ name: beta, percentage: 50 }}\n",
            p.url,
            gate("aa")
        ),
    );
    let started = chrono::Utc::now() - chrono::Duration::minutes(10);
    proj.rollout(["advance", "--yes"])
        .at(&started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .run();
    let doc = proj
        .rollout(["gates", "--stage", "beta", "--json"])
        .run()
        .json();
    assert_eq!(doc["gates"].as_array().unwrap().len(), 2);
    for v in doc["gates"].as_array().unwrap() {
        assert_eq!(v["verdict"], "pass", "{v}");
        assert_eq!(v["compare"]["alpha"], 0.025);
        assert_eq!(v["compare"]["interval"]["confidence"], 0.975);
        assert!(v["why"]
            .as_str()
            .unwrap()
            .contains("97.5% always-valid bounds"));
    }
}

/// `watch` journals both arms' counts at every look of a compare gate.
#[test]
fn watch_journals_both_arms_at_every_look() {
    // The compare gate applies at internal itself, so watch (no --advance) looks at it.
    let proj = everywhere("aa");
    let child = proj
        .command(&["watch", "--interval", "200ms"])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2000));
    crate::test::send_signal(child.id(), nix::sys::signal::Signal::SIGINT);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(" look 1 at internal: errors-vs-control pass +0.00 points ["),
        "{stdout}"
    );
    let looks = proj.changes_of("watch");
    assert!(looks.len() >= 2, "{looks:?}");
    for l in &looks {
        let g = &l["gates"][0];
        assert_eq!(g["gate"], "errors-vs-control");
        assert_eq!(g["verdict"], "pass");
        near(&g["on"]["total"], 60_000.0, "journaled on total");
        near(&g["on"]["errors"], 600.0, "journaled on errors");
        near(&g["off"]["total"], 540_000.0, "journaled off total");
        near(&g["off"]["errors"], 5_400.0, "journaled off errors");
    }
}

#[test]
fn plan_power_reads_traffic_and_baseline_from_the_compare_gate() {
    let p = prom();
    let proj = Project::new().file(
        "stages.yaml",
        &format!(
            "flag: cards\ndefaults:\n  prometheus: {{ url: {} }}\ngates:\n{}stages:\n  - {{ name: internal, percentage: 1, duration: 1h }}\n  - {{ name: beta, percentage: 10, duration: 1d }}\n  - {{ name: full, percentage: 100 }}\n",
            p.url,
            gate("thin")
        ),
    );
    // thin: 50 requests a second (180,000/h), off at 1%.
    let done = proj.rollout(["plan", "--power", "--json"]).run();
    let doc = done.json();
    near(&doc["traffic_per_hour"], 180_000.0, "traffic");
    near(&doc["baseline"], 0.01, "baseline");
    assert_eq!(doc["max_increase"], 0.005);
    assert_eq!(doc["alpha"], 0.05);
    assert_eq!(doc["gates"], 1);
    // The same figures given as flags give the same stages.
    let flags = proj
        .rollout([
            "plan",
            "--power",
            "--json",
            "--traffic",
            &doc["traffic_per_hour"].to_string(),
            "--baseline",
            &doc["baseline"].to_string(),
            "--max-increase",
            "0.005",
        ])
        .run()
        .json();
    assert_eq!(flags["stages"], doc["stages"]);
    assert_eq!(doc["stages"][1]["too_short"], false, "{doc}");
    assert_eq!(doc["stages"][0]["too_short"], true, "{doc}");
    assert!(
        done.stderr.starts_with("gate errors-vs-control: ")
            && done
                .stderr
                .contains(" requests in the last hour, off's error rate 1"),
        "{}",
        done.stderr
    );
    assert!(
        done.stderr
            .contains("warning: stage internal soaks 1h but a compare gate needs "),
        "{}",
        done.stderr
    );
}

/// 12345 → "12,345", as the verdicts print counts.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn plan_power_says_when_it_cannot_read_the_traffic() {
    let closed = crate::gates_support::closed_port();
    let url = format!("http://127.0.0.1:{}", closed.port);
    let proj = Project::new().file(
        "stages.yaml",
        &format!(
            "flag: cards\ndefaults:\n  prometheus: {{ url: {url} }}\ngates:\n{}stages:\n  - {{ name: internal, percentage: 10 }}\n",
            gate("aa")
        ),
    );
    let done = proj
        .rollout(["plan", "--power", "--timeout", "1s"])
        .status(1)
        .run();
    assert!(
        done.stderr.starts_with(&format!(
            "error: cannot read the last hour's traffic of gate errors-vs-control: its total query: Prometheus at {url} is unreachable"
        )),
        "{}",
        done.stderr
    );
    assert!(
        done.stderr
            .ends_with("hint: pass --traffic REQUESTS/h and --baseline RATE\n"),
        "{}",
        done.stderr
    );
    assert_eq!(done.stdout, "");
}
