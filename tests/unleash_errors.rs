//! Errors a user can act on, each with its exit code: an unreachable server, a bad or wrong-kind
//! token (named by its variable, never printed), unknown project, flag or environment (with the
//! names that exist), a missing token variable, fractional percentages.

use std::time::{Duration, Instant};

use crate::test::Project;
use crate::unleash_server::{server, FlakyProxy, STAGES};

#[test]
fn an_unreachable_server_is_exit_4_within_the_timeout() {
    let s = server();
    // A port nothing listens on.
    let p = Project::new().file(
        "stages.yaml",
        &format!(
            "flag: f\nprovider: {{ kind: unleash, url: 'http://127.0.0.1:9' }}\nstages:\n{STAGES}"
        ),
    );
    s.rollout(&p, ["status", "--timeout", "1s"])
        .status(4)
        .stderr_has("Unleash at http://127.0.0.1:9 is unreachable")
        .stderr_has("nothing was changed")
        .stderr_lacks(&s.admin)
        .run();
    // kill retries until --timeout, then says it could not kill.
    let started = Instant::now();
    s.rollout(&p, ["kill", "--timeout", "2s"])
        .status(4)
        .stderr_has("could not be killed within 2s")
        .stderr_has("retrying")
        .run();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_secs(10),
        "{took:?}"
    );
    // A server that accepts the connection and never answers: --timeout bounds the wait.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let p = Project::new().file(
        "stages.yaml",
        &format!("flag: f\nprovider: {{ kind: unleash, url: 'http://127.0.0.1:{port}' }}\nstages:\n{STAGES}"),
    );
    let started = Instant::now();
    s.rollout(&p, ["status", "--timeout", "1s"])
        .status(4)
        .stderr_has("did not answer within")
        .run();
    assert!(started.elapsed() < Duration::from_secs(8));
    let started = Instant::now();
    s.rollout(&p, ["kill", "--timeout", "2s"])
        .status(4)
        .stderr_has("could not be killed within 2s")
        .run();
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(3500),
        "kill stops at --timeout: {took:?}"
    );
    drop(listener);
}

#[test]
fn a_bad_token_names_its_variable_and_never_shows_the_token() {
    let s = server();
    let flag = s.create_flag("badtoken");
    let p = s.project(&flag, STAGES);
    let started = Instant::now();
    for args in [vec!["status"], vec!["advance"], vec!["kill"]] {
        s.rollout(&p, args)
            .env("UNLEASH_API_TOKEN", "*:*.not-the-right-secret")
            .status(4)
            .stderr_has("refused the token in UNLEASH_API_TOKEN (401)")
            .stderr_lacks("not-the-right-secret")
            .run();
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "kill does not retry a refused token"
    );
    // A backend (client) token is the wrong kind for the Admin API.
    s.rollout(&p, ["status"])
        .env("UNLEASH_API_TOKEN", &s.client)
        .status(4)
        .stderr_has("the token in UNLEASH_API_TOKEN is the wrong kind")
        .stderr_lacks(&s.client)
        .run();
    // token_env names another variable.
    let p2 = Project::new().file(
        "stages.yaml",
        &p.read("stages.yaml").replace(
            "  kind: unleash\n",
            "  kind: unleash\n  token_env: MY_UNLEASH_TOKEN\n",
        ),
    );
    s.rollout(&p2, ["status"])
        .status(2)
        .stderr_has("MY_UNLEASH_TOKEN is not set")
        .run();
    s.rollout(&p2, ["status"])
        .env("MY_UNLEASH_TOKEN", &s.admin)
        .stdout_has("not started")
        .run();
}

#[test]
fn a_missing_token_variable_is_exit_2_naming_it() {
    let s = server();
    let p = s.project("whatever", STAGES);
    let done = p
        .rollout(["status"])
        .status(2)
        .stderr_has("UNLEASH_API_TOKEN is not set")
        .run();
    assert_eq!(
        done.stderr,
        "error: UNLEASH_API_TOKEN is not set: the unleash provider reads its API token from it\n\
         hint: export UNLEASH_API_TOKEN=<an Unleash admin or personal access token>, or name another variable with `token_env:` under `provider:`\n"
    );
}

#[test]
fn unknown_flag_project_and_environment_are_named_with_what_exists() {
    let s = server();
    let flag = s.create_flag("similar");
    let typo = format!("{flag}x");
    let p = s.project(&typo, STAGES);
    s.rollout(&p, ["advance"])
        .status(4)
        .stderr_has(&format!("Unleash has no flag `{typo}` in project default"))
        .stderr_has(&format!("similar flags: {flag}"))
        .stderr_has("nothing was changed")
        .run();
    let p = Project::new().file(
        "stages.yaml",
        &s.project(&flag, STAGES)
            .read("stages.yaml")
            .replace("project: default", "project: nope"),
    );
    s.rollout(&p, ["status"])
        .status(4)
        .stderr_has("Unleash has no project `nope`; its projects are: default")
        .run();
    let p = Project::new().file(
        "stages.yaml",
        &s.project(&flag, STAGES)
            .read("stages.yaml")
            .replace("environment: development", "environment: staging"),
    );
    s.rollout(&p, ["kill", "--timeout", "20s"])
        .status(4)
        .stderr_has("has no environment `staging`")
        .stderr_has("development, production")
        .run();
}

#[test]
fn unleash_percentages_must_be_whole_numbers() {
    let s = server();
    let p = s.project(
        "fraction",
        "  - { name: internal, percentage: 5 }\n  - { name: beta, percentage: 12.5 }\n",
    );
    s.rollout(&p, ["validate"])
        .status(2)
        .stderr_has("stages.yaml:")
        .stderr_has("stage `beta` has 12.5%, but Unleash rollouts are whole percentages")
        .stderr_has("12 or 13")
        .run();
    s.rollout(&p, ["status"])
        .status(2)
        .stderr_has("12.5%")
        .run();
}

#[test]
fn kill_retries_transient_failures_and_exits_0_only_after_reading_off() {
    let s = server();
    let flag = s.create_flag("flaky");
    let p = s.project(&flag, STAGES);
    s.rollout(&p, ["advance"]).run();
    // The same flag through a proxy whose first three answers are 503.
    let proxy = FlakyProxy::start(&s.url, 3);
    let flaky = Project::new().file(
        "stages.yaml",
        &p.read("stages.yaml").replace(&s.url, &proxy.url()),
    );
    s.rollout(&flaky, ["kill", "--timeout", "20s"])
        .stderr_has("answered 503 Service Unavailable")
        .stderr_has("retrying in")
        .stdout_has("read back: off")
        .run();
    assert_eq!(s.environment(&flag, "development")["enabled"], false);
    let seen = proxy.seen.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        seen >= 6,
        "3 refused, then read, off, read back: {seen} requests"
    );
    // Every command rides out a passing 503 (the one HTTP client retries reads)...
    let proxy = FlakyProxy::start(&s.url, 1);
    let flaky = Project::new().file(
        "stages.yaml",
        &p.read("stages.yaml").replace(&s.url, &proxy.url()),
    );
    s.rollout(&flaky, ["resume", "--yes"])
        .stderr_has("answered 503 Service Unavailable")
        .run();
    assert_eq!(s.environment(&flag, "development")["enabled"], true);
    // ...and one that lasts past --timeout is exit 4 naming the last cause; nothing was changed.
    let proxy = FlakyProxy::start(&s.url, 1000);
    let flaky = Project::new().file(
        "stages.yaml",
        &p.read("stages.yaml").replace(&s.url, &proxy.url()),
    );
    s.rollout(&flaky, ["rollback", "--yes", "--timeout", "1s"])
        .status(4)
        .stderr_has("answered 503 Service Unavailable")
        .stderr_has("nothing was changed")
        .run();
    assert_eq!(s.environment(&flag, "development")["enabled"], true);
}
