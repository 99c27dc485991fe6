//! `notify` webhooks get every event; their URLs (which hold tokens) are never printed, logged or
//! journaled, also under `-v` and `--dry-run`.

use crate::test::Project;
use crate::webhook::Webhook;

const SECRET: &str = "T0KEN-s3cr3t-value-9f8e7d";

fn project() -> Project {
    Project::new().file(
        "stages.yaml",
        "flag: f\nnotify:\n  - url_env: SLACK_WEBHOOK_URL\nstages:\n  - { name: a, percentage: 10 }\n  - { name: b, percentage: 50 }\n  - { name: c, percentage: 100 }\n",
    )
}

#[test]
fn every_change_is_posted_and_the_url_never_shows() {
    let hook = Webhook::start(200, false);
    let url = hook.url(&format!("/services/{SECRET}"));
    let p = project();
    let mut outputs = Vec::new();
    for args in [
        vec!["advance", "-v"],
        vec!["advance", "-v", "--dry-run"],
        vec!["advance", "-v", "--dry-run", "--json"],
        vec!["advance", "-v"],
        vec!["kill", "-v", "--reason", "spike"],
        vec!["resume", "-v", "--yes"],
        vec!["status", "-v"],
        vec!["history", "-v", "--json"],
    ] {
        let done = p.rollout(args).env("SLACK_WEBHOOK_URL", &url).run();
        outputs.push(format!("{}{}", done.stdout, done.stderr));
    }
    outputs.push(p.read(".rollout/journal.jsonl"));
    outputs.push(p.read(".rollout/flags.json"));
    for text in &outputs {
        assert!(!text.contains(SECRET), "the webhook token leaked:\n{text}");
    }
    // The dry run names the target by its variable, not its URL.
    assert!(
        outputs[1].contains("POST $SLACK_WEBHOOK_URL"),
        "{}",
        outputs[1]
    );
    let got = hook.bodies();
    let actions: Vec<String> = got
        .iter()
        .map(|r| {
            serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["action"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        actions,
        ["advance", "advance", "kill", "resume"],
        "dry runs must not notify"
    );
    let kill: serde_json::Value = serde_json::from_str(&got[2].body).unwrap();
    assert!(
        kill["text"].as_str().unwrap().contains("kill f at b (50%)"),
        "{kill}"
    );
    assert_eq!(kill["reason"], "spike");
    assert_eq!(kill["actor"], "tester@example.com");
    assert_eq!(got[0].path, format!("/services/{SECRET}"));
}

#[test]
fn a_failing_target_warns_and_never_fails_the_change() {
    let hook = Webhook::start(500, false);
    let p = project();
    p.rollout(["advance"])
        .env("SLACK_WEBHOOK_URL", &hook.url(&format!("/x/{SECRET}")))
        .stderr_has("notify target $SLACK_WEBHOOK_URL answered 500")
        .stderr_lacks(SECRET)
        .run();
    p.rollout(["kill"])
        .env("SLACK_WEBHOOK_URL", "http://127.0.0.1:9/unreachable")
        .stderr_has("$SLACK_WEBHOOK_URL is unreachable")
        .run();
    assert_eq!(p.changes().len(), 2);
}

#[test]
fn kill_stops_waiting_for_a_hanging_target() {
    let hook = Webhook::start(200, true);
    let p = project();
    p.rollout(["advance"]).run();
    p.rollout(["kill"])
        .env("SLACK_WEBHOOK_URL", &hook.url("/hang"))
        .stderr_has("did not answer within 5")
        .stdout_has("KILLED")
        .run();
}

#[test]
fn an_unset_notify_variable_is_reported() {
    let p = project();
    p.rollout(["advance"])
        .stderr_has("notify target $SLACK_WEBHOOK_URL is not set")
        .run();
}
