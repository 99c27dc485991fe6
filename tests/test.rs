//! The `Test` builder over the real binaries: a scenario reads as these files, these args, this
//! stdin, this stdout/stderr, this exit code.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// Variables of the caller's environment that would change what the binaries do.
const SCRUBBED_ENV: [&str; 18] = [
    "ROLLOUT_DIR",
    "ROLLOUT_ENV",
    "ROLLOUT_ACTOR",
    "ROLLOUT_NOW",
    "ROLLOUT_TEST_NOW",
    "ROLLOUT_PROVIDER_URL",
    "CI",
    "GITHUB_ACTIONS",
    "GITHUB_ACTOR",
    "GITHUB_STEP_SUMMARY",
    "GITLAB_USER_LOGIN",
    "BUILDKITE_BUILD_CREATOR_EMAIL",
    "CIRCLE_USERNAME",
    "BITBUCKET_STEP_TRIGGERER_UUID",
    "UNLEASH_API_TOKEN",
    "LD_ACCESS_TOKEN",
    "ROLLOUT_HTTP_TOKEN",
    "SLACK_WEBHOOK_URL",
];

/// The test-only clock: read by the binaries built with the `test-hooks` feature, for every
/// command (`ROLLOUT_NOW` serves read-only runs and `--dry-run` only).
pub const TEST_NOW: &str = "ROLLOUT_TEST_NOW";

/// Whether `bin ARGS` may change a flag: `rollout advance|rollback|kill|resume` and
/// `checklist run` unless under `--dry-run`, and `rollout watch`.
#[must_use]
pub fn acts<S: AsRef<str>>(bin: &str, args: &[S]) -> bool {
    let dry_run = args.iter().any(|a| a.as_ref() == "--dry-run");
    // The subcommand: the first word that is neither an option nor an option's value.
    let mut words = args.iter().map(AsRef::as_ref);
    let mut command = None;
    while let Some(a) = words.next() {
        if ["-C", "--dir", "--env", "--actor", "--timeout", "--color"].contains(&a) {
            words.next();
        } else if !a.starts_with('-') {
            command = Some(a);
            break;
        }
    }
    let changing: &[&str] = if bin.ends_with("checklist") {
        &["run"]
    } else {
        &["advance", "rollback", "kill", "resume", "watch"]
    };
    // `watch` refuses a pinned clock even under --dry-run (which it refuses too).
    command.is_some_and(|c| changing.contains(&c) && (!dry_run || c == "watch"))
}

/// The repository's own stage table (the Builder Card V2 launch).
pub const BUILDER_CARDS: &str = include_str!("../stages.yaml");

/// A scratch project directory.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    #[must_use]
    pub fn new() -> Self {
        Project {
            dir: tempfile::Builder::new()
                .prefix("rollout-test-")
                .tempdir()
                .expect("temp dir"),
        }
    }

    /// A project with the repository's stages.yaml.
    #[must_use]
    pub fn builder_cards() -> Self {
        Self::new().file("stages.yaml", BUILDER_CARDS)
    }

    /// The Builder Card plan walked, each stage on its planned day, up to `expanded` (50%).
    #[must_use]
    pub fn builder_cards_at_expanded() -> Self {
        let p = Self::builder_cards();
        p.walk_builder_cards_to("expanded");
        p
    }

    /// Advances this project's Builder Card plan (the repository's stages, or a copy that keeps
    /// their names and days) stage by stage, each at 09:00 UTC on its planned day, up to `last`.
    pub fn walk_builder_cards_to(&self, last: &str) {
        for (stage, at) in [
            ("internal", "2024-01-15T09:00:00Z"),
            ("beta", "2024-01-18T09:00:00Z"),
            ("limited", "2024-01-25T09:00:00Z"),
            ("expanded", "2024-02-01T09:00:00Z"),
        ] {
            self.rollout(["advance", stage]).at(at).run();
            if stage == last {
                return;
            }
        }
        panic!("{last} is not a stage the Builder Card walk reaches");
    }

    /// Writes `rel` (creating parent directories).
    #[must_use]
    pub fn file(self, rel: &str, content: &str) -> Self {
        self.write(rel, content);
        self
    }

    pub fn write(&self, rel: &str, content: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    #[must_use]
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    #[must_use]
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// The file's text, or "" when it does not exist.
    #[must_use]
    pub fn read_opt(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_default()
    }

    #[must_use]
    pub fn exists(&self, rel: &str) -> bool {
        self.path(rel).exists()
    }

    /// The journal's records, in file order ("" journal: none).
    #[must_use]
    pub fn journal(&self) -> Vec<Value> {
        self.read_opt(".rollout/journal.jsonl")
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("journal line {l}: {e}")))
            .collect()
    }

    /// The journal's records of changes: each change's outcome record, without the intent record
    /// journaled before its write and without attempts that failed and changed nothing.
    #[must_use]
    pub fn changes(&self) -> Vec<Value> {
        self.journal()
            .into_iter()
            .filter(|r| r["outcome"] != "intent" && r["outcome"] != "failed")
            .collect()
    }

    /// The change records of one action (`advance`, `kill`, `watch` …), oldest first.
    #[must_use]
    pub fn changes_of(&self, action: &str) -> Vec<Value> {
        self.changes()
            .into_iter()
            .filter(|r| r["action"] == action)
            .collect()
    }

    /// Every file under `.rollout/` with its bytes, for "nothing changed" checks. The leases
    /// (`leases.json` and its lock) are left out: a run that changes nothing still takes the
    /// flag's lease and gives it up, and a lease records no change.
    #[must_use]
    pub fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for e in entries.flatten() {
                let p = e.path();
                let name = p.file_name().unwrap_or_default();
                if name == "leases.json" || name == "leases.lock" {
                    continue;
                }
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push((p.clone(), std::fs::read(&p).unwrap()));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.path(".rollout"), &mut out);
        out.sort();
        out
    }

    /// `racers` runs of `rollout ARGS` started at the same moment (actors racer-0, racer-1, ...),
    /// each with `env`: their exit codes and stderr.
    #[must_use]
    pub fn race(&self, racers: usize, args: &[&str], env: &[(&str, &str)]) -> Vec<(i32, String)> {
        let commands = (0..racers)
            .map(|i| {
                let mut cmd = Command::new(env!("CARGO_BIN_EXE_rollout"));
                cmd.args(args).current_dir(self.dir.path());
                for var in SCRUBBED_ENV {
                    cmd.env_remove(var);
                }
                cmd.env("NO_COLOR", "1")
                    .env("ROLLOUT_ACTOR", format!("racer-{i}"));
                for (k, v) in env {
                    cmd.env(k, v);
                }
                cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
                cmd
            })
            .collect();
        run_together(commands)
    }

    /// The ids `preview --users ids.txt --ids --json [STAGE]` lists, with `env` (a provider's
    /// token): the stage's, or without one the flag's current ones.
    #[must_use]
    pub fn preview_ids(
        &self,
        stage: Option<&str>,
        env: &[(&str, &str)],
    ) -> std::collections::BTreeSet<String> {
        let mut args = vec!["preview", "--users", "ids.txt", "--ids", "--json"];
        args.extend(stage);
        let mut run = self.rollout(args);
        for (k, v) in env {
            run = run.env(k, v);
        }
        run.run().previewed_ids(stage.is_some())
    }

    /// `rollout ARGS` in this project as a plain command, for runs a test starts and stops
    /// itself: the same scrubbed environment as [`Test`], output piped, no stdin.
    #[must_use]
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rollout"));
        cmd.args(args).current_dir(self.dir.path());
        for var in SCRUBBED_ENV {
            cmd.env_remove(var);
        }
        cmd.env("NO_COLOR", "1")
            .env("ROLLOUT_ACTOR", "tester@example.com")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// A `rollout` run in this project.
    pub fn rollout<I: IntoIterator<Item = S>, S: AsRef<str>>(&self, args: I) -> Test {
        Test::new(env!("CARGO_BIN_EXE_rollout"), self.dir.path(), args)
    }
}

/// One run of a binary and what it must do.
#[must_use]
pub struct Test {
    bin: String,
    dir: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Option<String>,
    status: i32,
    /// False when the caller records the exit code itself ([`Test::any_status`]).
    check_status: bool,
    stdout_has: Vec<String>,
    stdout_lacks: Vec<String>,
    stderr_has: Vec<String>,
    stderr_lacks: Vec<String>,
}

/// What a run printed.
#[derive(Debug)]
pub struct Done {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Done {
    /// The ids a `preview --ids --json` run lists: the named stage's, or the flag's current ones.
    #[must_use]
    pub fn previewed_ids(&self, stage_named: bool) -> std::collections::BTreeSet<String> {
        let doc = self.json();
        let list = if stage_named {
            &doc["stages"][0]["ids"]
        } else {
            &doc["current"]["ids"]
        };
        list.as_array()
            .unwrap_or_else(|| panic!("no id list in {doc}"))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    /// stdout parsed as JSON (panics with the output when it is not).
    #[must_use]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

impl Test {
    pub fn new<I: IntoIterator<Item = S>, S: AsRef<str>>(bin: &str, dir: &Path, args: I) -> Self {
        Test {
            bin: bin.to_string(),
            dir: dir.to_path_buf(),
            args: args.into_iter().map(|s| s.as_ref().to_string()).collect(),
            env: vec![("ROLLOUT_ACTOR".into(), "tester@example.com".into())],
            stdin: None,
            status: 0,
            check_status: true,
            stdout_has: Vec::new(),
            stdout_lacks: Vec::new(),
            stderr_has: Vec::new(),
            stderr_lacks: Vec::new(),
        }
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
        self
    }

    /// Pins the clock at `rfc3339`: with `ROLLOUT_NOW` for a run that only reads or plans (a
    /// pinned clock serves those, so these runs keep it tested), else with the test-only
    /// `ROLLOUT_TEST_NOW` (the binaries are built with the `test-hooks` feature): `ROLLOUT_NOW`
    /// refuses every command that would change a flag (tests/pinned_clock.rs).
    pub fn at(self, rfc3339: &str) -> Self {
        let var = if acts(&self.bin, &self.args) {
            TEST_NOW
        } else {
            "ROLLOUT_NOW"
        };
        self.env(var, rfc3339)
    }

    pub fn stdin(mut self, text: &str) -> Self {
        self.stdin = Some(text.into());
        self
    }

    pub fn status(mut self, code: i32) -> Self {
        self.status = code;
        self
    }

    /// Accepts any exit code: for callers that record it with the output (tests/snapshots.rs).
    pub fn any_status(mut self) -> Self {
        self.check_status = false;
        self
    }

    pub fn stdout_has(mut self, text: &str) -> Self {
        self.stdout_has.push(text.into());
        self
    }

    pub fn stdout_lacks(mut self, text: &str) -> Self {
        self.stdout_lacks.push(text.into());
        self
    }

    pub fn stderr_has(mut self, text: &str) -> Self {
        self.stderr_has.push(text.into());
        self
    }

    pub fn stderr_lacks(mut self, text: &str) -> Self {
        self.stderr_lacks.push(text.into());
        self
    }

    /// Runs and checks every expectation; panics with the whole output when one fails.
    pub fn run(self) -> Done {
        let mut cmd = Command::new(&self.bin);
        cmd.args(&self.args).current_dir(&self.dir);
        for var in SCRUBBED_ENV {
            cmd.env_remove(var);
        }
        cmd.env("NO_COLOR", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", self.bin));
        if let Some(input) = &self.stdin {
            let mut stdin = child.stdin.take().unwrap();
            let _ = stdin.write_all(input.as_bytes());
        }
        let output = child.wait_with_output().unwrap();
        let done = Done {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            code: output.status.code().unwrap_or(-1),
        };
        let show = || {
            format!(
                "`{} {}`\n--- exit {}\n--- stdout:\n{}\n--- stderr:\n{}",
                Path::new(&self.bin).file_name().unwrap().to_string_lossy(),
                self.args.join(" "),
                done.code,
                done.stdout,
                done.stderr
            )
        };
        if self.check_status {
            assert_eq!(done.code, self.status, "wrong exit code\n{}", show());
        }
        for s in &self.stdout_has {
            assert!(
                done.stdout.contains(s.as_str()),
                "stdout lacks {s:?}\n{}",
                show()
            );
        }
        for s in &self.stdout_lacks {
            assert!(
                !done.stdout.contains(s.as_str()),
                "stdout has {s:?}\n{}",
                show()
            );
        }
        for s in &self.stderr_has {
            assert!(
                done.stderr.contains(s.as_str()),
                "stderr lacks {s:?}\n{}",
                show()
            );
        }
        for s in &self.stderr_lacks {
            assert!(
                !done.stderr.contains(s.as_str()),
                "stderr has {s:?}\n{}",
                show()
            );
        }
        assert!(
            !done.stderr.contains("panicked"),
            "the binary panicked\n{}",
            show()
        );
        done
    }
}

/// Runs an independent evaluator (a Node or Python script the parity tests compare with) and
/// returns what it printed; a failing evaluator fails the test with its stderr.
pub fn evaluator_stdout(cmd: &mut Command) -> String {
    let out = cmd.output().expect("the evaluator runs");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd.get_program(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("the evaluator prints text")
}

/// Sends `sig` to the child process `pid` that a test started (through nix's safe wrapper).
pub fn send_signal(pid: u32, sig: nix::sys::signal::Signal) {
    let pid = nix::unistd::Pid::from_raw(i32::try_from(pid).expect("a pid fits in i32"));
    nix::sys::signal::kill(pid, sig).expect("the child can be signalled");
}

/// Runs `commands` started at the same moment (each waits at a barrier until all are ready):
/// their exit codes (-1: killed by a signal) and stderr, in order.
#[must_use]
pub fn run_together(commands: Vec<Command>) -> Vec<(i32, String)> {
    let barrier = std::sync::Barrier::new(commands.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = commands
            .into_iter()
            .map(|mut cmd| {
                let barrier = &barrier;
                scope.spawn(move || {
                    barrier.wait();
                    let out = cmd.output().unwrap();
                    (
                        out.status.code().unwrap_or(-1),
                        String::from_utf8_lossy(&out.stderr).into_owned(),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}
