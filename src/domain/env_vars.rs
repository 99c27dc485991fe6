//! Every environment variable `rollout` and `checklist` read, or set for the tasks they run,
//! named once; and the few readers more than one module needs (is this CI, may we colour).
//! A test below fails when a source file names one of them as a string literal instead.

/// The names (documented where they are used: README, docs/gates.md, the provider docs;
/// docs/checklist.md for the `CHECKLIST_*` ones).
pub struct EnvVars;

impl EnvVars {
    // Our own.
    /// The start directory, as `-C DIR`.
    pub const ROLLOUT_DIR: &'static str = "ROLLOUT_DIR";
    /// The environment to act on, as `--env`.
    pub const ROLLOUT_ENV: &'static str = "ROLLOUT_ENV";
    /// Who makes the change, after `--actor`.
    pub const ROLLOUT_ACTOR: &'static str = "ROLLOUT_ACTOR";
    /// A pinned "now" (RFC 3339), to rehearse read-only commands and `--dry-run` on a given
    /// day; commands that would change a flag, and `watch`, refuse it (`domain::clock`).
    pub const ROLLOUT_NOW: &'static str = "ROLLOUT_NOW";
    /// Tests only (read only with the `test-hooks` feature): a pinned "now" that every command
    /// uses, changes included.
    pub const ROLLOUT_TEST_NOW: &'static str = "ROLLOUT_TEST_NOW";
    /// Overrides the provider's `url:`.
    pub const ROLLOUT_PROVIDER_URL: &'static str = "ROLLOUT_PROVIDER_URL";
    /// Overrides `defaults.prometheus.url`.
    pub const ROLLOUT_PROMETHEUS_URL: &'static str = "ROLLOUT_PROMETHEUS_URL";
    /// Overrides the Datadog site's API URL (tests, proxies).
    pub const ROLLOUT_DATADOG_URL: &'static str = "ROLLOUT_DATADOG_URL";
    /// For the interrupt and conflict tests: milliseconds to wait inside a write (read only
    /// with the `test-hooks` feature).
    pub const ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS: &'static str =
        "ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS";
    /// Tests only (the `test-hooks` feature): a pause inside an Unleash write, after its
    /// pre-write check.
    pub const ROLLOUT_TEST_PAUSE_IN_WRITE_MS: &'static str = "ROLLOUT_TEST_PAUSE_IN_WRITE_MS";
    /// Tests only (the `test-hooks` feature): the lease time in milliseconds, instead of
    /// `state.lease`, so lease expiry tests take seconds.
    pub const ROLLOUT_TEST_LEASE_MS: &'static str = "ROLLOUT_TEST_LEASE_MS";
    /// Tests only (the `test-hooks` feature): a pause between a change's decision and the
    /// record of its intent (the compare-and-swap tests).
    pub const ROLLOUT_TEST_PAUSE_BEFORE_RECORD_MS: &'static str =
        "ROLLOUT_TEST_PAUSE_BEFORE_RECORD_MS";

    // Secrets: the default variables providers, gates and notify targets read.
    pub const UNLEASH_API_TOKEN: &'static str = "UNLEASH_API_TOKEN";
    pub const LD_ACCESS_TOKEN: &'static str = "LD_ACCESS_TOKEN";
    pub const ROLLOUT_HTTP_TOKEN: &'static str = "ROLLOUT_HTTP_TOKEN";
    pub const DD_API_KEY: &'static str = "DD_API_KEY";
    pub const DD_APP_KEY: &'static str = "DD_APP_KEY";
    pub const SLACK_WEBHOOK_URL: &'static str = "SLACK_WEBHOOK_URL";

    // The terminal and CI.
    /// Set (not empty, not `false` or `0`) on CI: no questions, no animation.
    pub const CI: &'static str = "CI";
    /// Set and not empty: no colour and no animation (<https://no-color.org>).
    pub const NO_COLOR: &'static str = "NO_COLOR";
    /// `dumb`: no colour, no animation.
    pub const TERM: &'static str = "TERM";
    /// `true` on GitHub Actions: `checklist run` prints log groups.
    pub const GITHUB_ACTIONS: &'static str = "GITHUB_ACTIONS";
    /// The file a GitHub Actions step appends its Markdown summary to.
    pub const GITHUB_STEP_SUMMARY: &'static str = "GITHUB_STEP_SUMMARY";
    /// CI systems' variables naming the person behind a run, in the order we trust them.
    pub const CI_ACTORS: [&'static str; 5] = [
        "GITHUB_ACTOR",
        "GITLAB_USER_LOGIN",
        "BUILDKITE_BUILD_CREATOR_EMAIL",
        "CIRCLE_USERNAME",
        "BITBUCKET_STEP_TRIGGERER_UUID",
    ];
    /// The login name, the actor of last resort.
    pub const USER: &'static str = "USER";
    pub const USERNAME: &'static str = "USERNAME";

    // Set for each task `checklist run` starts.
    pub const CHECKLIST_RUN_ID: &'static str = "CHECKLIST_RUN_ID";
    pub const CHECKLIST_NAME: &'static str = "CHECKLIST_NAME";
    pub const CHECKLIST_TASK_ID: &'static str = "CHECKLIST_TASK_ID";
}

/// Whether this runs on CI: `CI` is set, and not empty, `false` or `0`.
#[must_use]
pub fn is_ci() -> bool {
    std::env::var_os(EnvVars::CI).is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Whether `NO_COLOR` asks for no colour (set and not empty).
#[must_use]
pub fn no_color() -> bool {
    std::env::var_os(EnvVars::NO_COLOR).is_some_and(|v| !v.is_empty())
}

/// Whether the terminal says it can do neither colour nor cursor movement (`TERM=dumb`).
#[must_use]
pub fn dumb_term() -> bool {
    std::env::var(EnvVars::TERM).is_ok_and(|t| t == "dumb")
}

/// Whether this runs on GitHub Actions.
#[must_use]
pub fn github_actions() -> bool {
    std::env::var(EnvVars::GITHUB_ACTIONS).is_ok_and(|v| v == "true")
}

/// For the interrupt and conflict tests: how long a provider waits inside a write, in
/// milliseconds from `var` (`ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS`: holding the lock, or between
/// its read and its write; `ROLLOUT_TEST_PAUSE_IN_WRITE_MS`: between its checks and its write).
/// Read only with the `test-hooks` feature, which the tests turn on (Cargo.toml).
#[cfg(feature = "test-hooks")]
#[must_use]
pub fn test_pause(var: &str) -> Option<std::time::Duration> {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(std::time::Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use super::EnvVars;

    /// Every name above, for the test below.
    const ALL: [&str; 29] = [
        EnvVars::ROLLOUT_DIR,
        EnvVars::ROLLOUT_ENV,
        EnvVars::ROLLOUT_ACTOR,
        EnvVars::ROLLOUT_NOW,
        EnvVars::ROLLOUT_TEST_NOW,
        EnvVars::ROLLOUT_PROVIDER_URL,
        EnvVars::ROLLOUT_PROMETHEUS_URL,
        EnvVars::ROLLOUT_DATADOG_URL,
        EnvVars::ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS,
        EnvVars::ROLLOUT_TEST_PAUSE_IN_WRITE_MS,
        EnvVars::ROLLOUT_TEST_LEASE_MS,
        EnvVars::ROLLOUT_TEST_PAUSE_BEFORE_RECORD_MS,
        EnvVars::UNLEASH_API_TOKEN,
        EnvVars::LD_ACCESS_TOKEN,
        EnvVars::ROLLOUT_HTTP_TOKEN,
        EnvVars::DD_API_KEY,
        EnvVars::DD_APP_KEY,
        EnvVars::SLACK_WEBHOOK_URL,
        EnvVars::CI,
        EnvVars::NO_COLOR,
        EnvVars::TERM,
        EnvVars::GITHUB_ACTIONS,
        EnvVars::GITHUB_STEP_SUMMARY,
        EnvVars::USER,
        EnvVars::USERNAME,
        EnvVars::CHECKLIST_RUN_ID,
        EnvVars::CHECKLIST_NAME,
        EnvVars::CHECKLIST_TASK_ID,
        EnvVars::CI_ACTORS[0],
    ];

    /// The code outside this module's tests, from a source file's text.
    fn code_of(text: &str) -> &str {
        text.split("#[cfg(test)]").next().unwrap_or(text)
    }

    fn rust_files(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }

    /// A name written as a literal elsewhere would drift from this list: every source file uses
    /// `EnvVars` instead (tests may spell names out).
    #[test]
    fn no_source_file_spells_an_environment_variable_name() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut names: Vec<&str> = ALL.to_vec();
        names.extend(EnvVars::CI_ACTORS);
        let mut found = Vec::new();
        for file in files.iter().filter(|f| !f.ends_with("env_vars.rs")) {
            let text = std::fs::read_to_string(file).unwrap();
            for name in &names {
                if code_of(&text).contains(&format!("\"{name}\"")) {
                    found.push(format!("{}: \"{name}\"", file.display()));
                }
            }
        }
        assert!(
            found.is_empty(),
            "use crate::domain::env_vars::EnvVars instead of:\n{}",
            found.join("\n")
        );
    }
}
