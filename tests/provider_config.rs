//! The `provider:` block is typed per kind: `rollout validate` refuses exactly what a run refuses
//! as configuration (exit 2), for every kind and every provider key.

use crate::test::Project;

const KEYS: [(&str, &str); 5] = [
    ("url", "http://127.0.0.1:9"),
    ("token_env", "FLAG_TOKEN"),
    ("project", "web"),
    ("environment", "production"),
    ("path", "flags.json"),
];

#[test]
fn validate_refuses_exactly_what_a_run_refuses_for_every_kind_and_key() {
    for kind in ["file", "unleash", "launchdarkly", "http"] {
        // Every subset of the keys: 32 configurations a kind.
        for mask in 0u32..32 {
            let mut yaml = format!("flag: f\nprovider:\n  kind: {kind}\n");
            for (i, (key, value)) in KEYS.iter().enumerate() {
                if mask & (1 << i) != 0 {
                    yaml.push_str(&format!("  {key}: {value}\n"));
                }
            }
            yaml.push_str(
                "stages:\n  - { name: a, percentage: 5 }\n  - { name: b, percentage: 12.5 }\n",
            );
            let p = Project::new().file("stages.yaml", &yaml);
            let v = run_code(&p, &["validate"]);
            let r = run_code(&p, &["status", "--timeout", "300ms"]);
            assert_eq!(
                v == 2,
                r == 2,
                "kind {kind}, keys {mask:05b}: validate exit {v}, status exit {r}\n{yaml}"
            );
        }
    }
}

/// `ROLLOUT_PROVIDER_URL` and an `environments:` entry are merged into the typed settings when
/// stages.yaml is read, so `validate` and a run with `--env` agree on them too (a URL that breaks
/// the secret policy is refused by both, for every kind that reads a URL).
#[test]
fn validate_and_a_run_agree_on_the_url_variable_and_environment_overrides() {
    let env_urls = [
        None,
        Some("http://127.0.0.1:9"),
        Some("http://me:pa55@127.0.0.1:9"),
    ];
    let entries = [
        "",
        "{ environment: stage }",
        "{ url: http://127.0.0.1:9 }",
        "{ path: s.json }",
    ];
    for kind in ["file", "unleash", "launchdarkly", "http"] {
        for env_url in env_urls {
            for entry in entries {
                let mut yaml = format!("flag: f\nprovider:\n  kind: {kind}\n");
                if !entry.is_empty() {
                    yaml.push_str(&format!("environments:\n  staging: {entry}\n"));
                }
                yaml.push_str("stages:\n  - { name: a, percentage: 5 }\n");
                let p = Project::new().file("stages.yaml", &yaml);
                let v = run_code_with(&p, &["validate"], env_url);
                let r = run_code_with(
                    &p,
                    &["status", "--env", "staging", "--timeout", "300ms"],
                    env_url,
                );
                assert_eq!(
                    v == 2,
                    r == 2,
                    "kind {kind}, ROLLOUT_PROVIDER_URL {env_url:?}: validate exit {v}, status exit {r}\n{yaml}"
                );
            }
        }
    }
}

fn run_code(p: &Project, args: &[&str]) -> i32 {
    run_code_with(p, args, None)
}

fn run_code_with(p: &Project, args: &[&str], provider_url: Option<&str>) -> i32 {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rollout"));
    match provider_url {
        Some(url) => cmd.env("ROLLOUT_PROVIDER_URL", url),
        None => cmd.env_remove("ROLLOUT_PROVIDER_URL"),
    };
    let out = cmd
        .args(args)
        .current_dir(p.dir.path())
        .env_remove("ROLLOUT_ENV")
        .env("FLAG_TOKEN", "t0k3n")
        .env("UNLEASH_API_TOKEN", "t0k3n")
        .env("LD_ACCESS_TOKEN", "t0k3n")
        .env("ROLLOUT_HTTP_TOKEN", "t0k3n")
        .output()
        .unwrap();
    out.status.code().unwrap_or(-1)
}
