//! The real Unleash server the `unleash_*` tests talk to: started by `scripts/test` (through
//! `scripts/unleash-up`) before `cargo test`, found through UNLEASH_URL, UNLEASH_ADMIN_TOKEN and
//! UNLEASH_CLIENT_TOKEN. A missing variable fails the test with a message naming scripts/test:
//! these tests are never skipped silently.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::{json, Value};

use crate::test::{Project, Test};

pub struct Server {
    pub url: String,
    pub admin: String,
    pub client: String,
}

fn var(name: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!(
            "{name} is not set: the Unleash tests need the real server. Run them with `scripts/test` \
             (it runs `eval \"$(scripts/unleash-up)\"` first), or run that line in this shell before `cargo test`"
        ),
    }
}

#[must_use]
pub fn server() -> Server {
    Server {
        url: var("UNLEASH_URL"),
        admin: var("UNLEASH_ADMIN_TOKEN"),
        client: var("UNLEASH_CLIENT_TOKEN"),
    }
}

/// A flag name no other test (or earlier run) uses.
#[must_use]
pub fn fresh_name(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}-{}-{}-{nanos:x}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

impl Server {
    /// One Admin API call with the admin token: (status, JSON body or Null).
    pub fn api(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let client = reqwest::Client::new();
            let mut req = client
                .request(
                    reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                    format!("{}{path}", self.url),
                )
                .header("Authorization", &self.admin);
            if let Some(b) = body {
                req = req.json(&b);
            }
            let resp = req.send().await.expect("the Unleash server answers");
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        })
    }

    /// Creates a fresh flag in project default and returns its name.
    #[must_use]
    pub fn create_flag(&self, prefix: &str) -> String {
        let name = fresh_name(prefix);
        let (status, body) = self.api(
            "POST",
            "/api/admin/projects/default/features",
            Some(json!({"name": name})),
        );
        assert_eq!(status, 201, "creating {name}: {body}");
        name
    }

    #[must_use]
    pub fn feature_path(flag: &str) -> String {
        format!("/api/admin/projects/default/features/{flag}")
    }

    /// The flag's `environments[]` entry for `env`.
    #[must_use]
    pub fn environment(&self, flag: &str, env: &str) -> Value {
        let (status, body) = self.api("GET", &Self::feature_path(flag), None);
        assert_eq!(status, 200, "{body}");
        body["environments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == env)
            .cloned()
            .unwrap_or_else(|| panic!("no environment {env} in {body}"))
    }

    /// The strategies of `flag` in development, oldest first.
    #[must_use]
    pub fn strategies(&self, flag: &str) -> Vec<Value> {
        let mut list = self.environment(flag, "development")["strategies"]
            .as_array()
            .unwrap()
            .clone();
        list.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        list
    }

    /// The unconstrained flexibleRollout strategy.
    #[must_use]
    pub fn rollout_strategy(&self, flag: &str) -> Value {
        self.strategies(flag)
            .into_iter()
            .find(|s| s["constraints"].as_array().is_some_and(Vec::is_empty))
            .expect("a rollout strategy")
    }

    /// The strategy constrained on `context`, if any.
    #[must_use]
    pub fn constrained(&self, flag: &str, context: &str) -> Option<Value> {
        self.strategies(flag)
            .into_iter()
            .find(|s| s["constraints"][0]["contextName"] == context)
    }

    /// Sets the rollout directly through the Admin API, as a person in the UI would.
    pub fn set_rollout(&self, flag: &str, value: &str) {
        let id = self.rollout_strategy(flag)["id"]
            .as_str()
            .unwrap()
            .to_string();
        let (status, body) = self.api(
            "PATCH",
            &format!(
                "{}/environments/development/strategies/{id}",
                Self::feature_path(flag)
            ),
            Some(json!([{"op": "replace", "path": "/parameters/rollout", "value": value}])),
        );
        assert_eq!(status, 200, "{body}");
    }

    /// The flag's events, newest first.
    #[must_use]
    pub fn events(&self, flag: &str) -> Vec<Value> {
        let (status, body) = self.api(
            "GET",
            &format!("/api/admin/search/events?feature=IS:{flag}&limit=100"),
            None,
        );
        assert_eq!(status, 200, "{body}");
        body["events"].as_array().unwrap().clone()
    }

    /// Ids the real Node client (npm unleash-client, scripts/unleash-eval.mjs) serves the flag
    /// (none while the server does not serve the flag yet: callers poll until they agree)
    /// to, in the development environment, with extra context `props`.
    #[must_use]
    pub fn node_on(&self, flag: &str, ids: &Path, props: &[&str]) -> Vec<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert!(
            root.join("tests/node-unleash/node_modules/unleash-client").exists(),
            "the Unleash Node client is not installed: run `npm ci --prefix tests/node-unleash` (scripts/test does)"
        );
        let mut cmd = Command::new("node");
        cmd.arg(root.join("scripts/unleash-eval.mjs"))
            .args(["--url", &self.url, "--token", &self.client, "--flag", flag])
            .arg("--ids")
            .arg(ids)
            .args(["--env", "development", "--allow-missing"]);
        for p in props {
            cmd.args(["--prop", p]);
        }
        crate::test::evaluator_stdout(&mut cmd)
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .filter(|(_, v)| *v == "1")
            .map(|(id, _)| id.to_string())
            .collect()
    }

    /// A project whose stages.yaml points at this server (environment development) for `flag`.
    #[must_use]
    pub fn project(&self, flag: &str, stages: &str) -> Project {
        Project::new().file(
            "stages.yaml",
            &format!(
                "flag: {flag}\nprovider:\n  kind: unleash\n  url: {}\n  project: default\n  environment: development\nstages:\n{stages}",
                self.url
            ),
        )
    }

    /// A `rollout` run with the admin token in UNLEASH_API_TOKEN.
    pub fn rollout<I: IntoIterator<Item = S>, S: AsRef<str>>(&self, p: &Project, args: I) -> Test {
        p.rollout(args).env("UNLEASH_API_TOKEN", &self.admin)
    }
}

/// The stage table most tests use: internal soaks only a second, so a test can wait it out.
pub const STAGES: &str =
    "  - { name: internal, percentage: 5, groups: [internal, developers], duration: 1s }
  - { name: beta, percentage: 10, groups: [beta_testers], users: [beta-1, beta-2], duration: 7d }
  - { name: limited, percentage: 25, duration: 7d }
  - { name: expanded, percentage: 50, duration: 7d }
  - { name: full, percentage: 100 }
";

/// Journal records of a project's changes (intent records and failed attempts left out).
#[must_use]
pub fn journal(p: &Project) -> Vec<Value> {
    p.changes()
}

/// A proxy in front of the server that answers the first `fail_first` requests with 503 and
/// forwards the rest: transient failures on demand.
pub struct FlakyProxy {
    pub port: u16,
    pub seen: std::sync::Arc<AtomicU32>,
}

impl FlakyProxy {
    #[must_use]
    pub fn start(upstream: &str, fail_first: u32) -> FlakyProxy {
        use std::io::{BufReader, Write};
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = std::sync::Arc::new(AtomicU32::new(0));
        let counter = std::sync::Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut client) = stream else { continue };
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                let upstream = upstream.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(client.try_clone().unwrap());
                    let Some((head, body)) =
                        crate::fault_proxy::read_request(&mut reader, String::new())
                    else {
                        return;
                    };
                    if n <= fail_first {
                        let msg = r#"{"message":"flaky proxy: try again"}"#;
                        let _ = write!(
                            client,
                            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{msg}",
                            msg.len()
                        );
                        return;
                    }
                    let response = crate::fault_proxy::forward(&upstream, &head, &body);
                    let _ = client.write_all(&response);
                });
            }
        });
        FlakyProxy { port, seen }
    }

    #[must_use]
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}
