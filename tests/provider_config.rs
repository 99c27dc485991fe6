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

fn run_code(p: &Project, args: &[&str]) -> i32 {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rollout"))
        .args(args)
        .current_dir(p.dir.path())
        .env_remove("ROLLOUT_PROVIDER_URL")
        .env_remove("ROLLOUT_ENV")
        .env("FLAG_TOKEN", "t0k3n")
        .env("UNLEASH_API_TOKEN", "t0k3n")
        .env("LD_ACCESS_TOKEN", "t0k3n")
        .env("ROLLOUT_HTTP_TOKEN", "t0k3n")
        .output()
        .unwrap();
    out.status.code().unwrap_or(-1)
}
