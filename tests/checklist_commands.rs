//! `checklist list | show | validate | run` and every `run` option, over the real binary.

use crate::checklist_support::closing;
use crate::test::Project;

const DEMO: &str = r"
title: Demo
tasks:
  - name: Build
    run: echo building; echo built
  - name: Check environment
    require_env: [HOME]
  - name: Approve
    manual: Look at the report and approve it.
  - name: Lint
    run: echo linted
";

#[test]
fn list_shows_each_checklist_with_task_counts() {
    let p = Project::with_checklist("demo", DEMO)
        .file("checklists/other.yml", "tasks: [{name: a, run: 'true'}]");
    p.checklist(["list"])
        .stdout_has("demo   4      1       Demo")
        .stdout_has("other  1")
        .run();
    let doc = p.checklist(["list", "--json"]).run().json();
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["checklists"][0]["name"], "demo");
    assert_eq!(doc["checklists"][0]["tasks"], 4);
}

#[test]
fn show_lists_tasks_in_order_with_their_kind() {
    let p = Project::with_checklist("demo", DEMO);
    p.checklist(["show", "demo"])
        .stdout_has("1  build              run          Build")
        .stdout_has("2  check-environment  require_env")
        .stdout_has("3  approve            manual")
        .run();
    let doc = p.checklist(["show", "demo", "--json"]).run().json();
    assert_eq!(doc["tasks"][2]["kind"], "manual");
    p.checklist(["show", "demo", "-v"])
        .stdout_has("Build [build]:\n    echo building; echo built")
        .stdout_has("Approve [approve]:\n    Look at the report and approve it.")
        .run();
    p.checklist(["show", "dmeo"])
        .status(2)
        .stderr_has("did you mean `demo`?")
        .run();
}

#[test]
fn run_passes_and_ends_with_the_closing_line() {
    let p = Project::with_checklist("demo", DEMO);
    let done = p
        .checklist(["run", "demo", "--yes"])
        .stderr_has("→ Build [build] started")
        .stderr_has("✓ Build [build] passed")
        .stderr_has("confirmed with --yes by tester@example.com")
        .run();
    assert_eq!(
        done.stdout.lines().last(),
        Some("4 passed, 0 failed, 0 skipped")
    );
    // The full log of each command task is kept.
    let logs = p.snapshot();
    let build_log = logs
        .iter()
        .find(|(path, _)| path.ends_with("demo/build.log"))
        .expect("build.log");
    assert_eq!(String::from_utf8_lossy(&build_log.1), "building\nbuilt\n");
}

#[test]
fn a_manual_task_without_a_terminal_fails_naming_yes_and_skip_manual() {
    let p = Project::with_checklist("demo", DEMO);
    let done = p.checklist(["run", "demo"]).status(1).run();
    // It fails before the first task runs, and records nothing.
    assert_eq!(
        done.stderr,
        "error: this run cannot finish, so nothing was run:\n  demo/approve: a manual task, and there is no terminal to ask (or CI is set)\nhint: pass --yes to confirm manual tasks, or --skip-manual to skip them\n"
    );
    assert_eq!(done.stdout, "");
    assert!(p.snapshot().is_empty(), "{:?}", p.snapshot());
}

#[test]
fn ci_set_means_no_prompt_even_with_a_terminal() {
    let p = Project::with_checklist("demo", DEMO);
    p.checklist(["run", "demo"])
        .env("CI", "true")
        .status(1)
        .stderr_has("--skip-manual")
        .run();
}

#[test]
fn skip_manual_skips_manual_tasks() {
    let p = Project::with_checklist("demo", DEMO);
    let done = p.checklist(["run", "demo", "--skip-manual"]).run();
    assert_eq!(closing(&done.stdout), (3, 0, 1));
}

#[test]
fn only_skip_and_from_select_tasks() {
    let p = Project::with_checklist("demo", DEMO);
    let done = p
        .checklist(["run", "demo", "--only", "build", "--only", "lint"])
        .stderr_lacks("Approve")
        .run();
    assert_eq!(closing(&done.stdout), (2, 0, 2));
    let done = p
        .checklist(["run", "demo", "--skip", "approve", "--skip", "demo/build"])
        .run();
    assert_eq!(closing(&done.stdout), (2, 0, 2));
    let done = p
        .checklist(["run", "demo", "--from", "lint"])
        .stderr_lacks("Build [build] started")
        .run();
    assert_eq!(closing(&done.stdout), (1, 0, 3));
    p.checklist(["run", "demo", "--only", "lnt"])
        .status(2)
        .stderr_has("no task `lnt`")
        .stderr_has("did you mean `lint`?")
        .run();
    p.checklist(["run", "demo", "--jobs", "0"])
        .status(2)
        .stderr_has("--jobs")
        .run();
    p.checklist(["run", "nope"])
        .status(2)
        .stderr_has("there is no checklist `nope`")
        .run();
    p.checklist(["run", "demo", "--bogus"]).status(2).run();
}

#[test]
fn dry_run_prints_each_task_and_changes_nothing() {
    let p = Project::with_checklist("demo", DEMO);
    let done = p
        .checklist(["run", "demo", "--dry-run", "--skip", "lint", "--yes"])
        .stdout_has("Build [build]: would bash -c echo building; echo built")
        .stdout_has("Approve [approve]: would confirm with --yes: Look at the report")
        .stdout_has("Lint [lint]: skip (skipped with --skip)")
        .stderr_lacks("started")
        .run();
    // Without --yes and without a terminal, it says the run would fail, and exits so.
    p.checklist(["run", "demo", "--dry-run"])
        .status(1)
        .stdout_has("Approve [approve]: would fail: a manual task, and there is no terminal to ask")
        .stderr_has("this run would fail:")
        .run();
    assert_eq!(closing(&done.stdout), (0, 0, 4));
    assert!(
        p.snapshot().is_empty(),
        "a dry run wrote {:?}",
        p.snapshot()
    );
    let doc = p
        .checklist(["run", "demo", "--dry-run", "--json", "--skip-manual"])
        .run()
        .json();
    assert_eq!(doc["dry_run"], true);
    assert!(p.snapshot().is_empty());
}

#[test]
fn global_flags_work_on_checklist_too() {
    let p = Project::with_checklist("demo", DEMO);
    let elsewhere = Project::new();
    // -C DIR from another directory, --actor, -q (no progress lines), --color never.
    let done = crate::test::Test::new(
        env!("CARGO_BIN_EXE_checklist"),
        elsewhere.dir.path(),
        [
            "-C",
            p.dir.path().to_str().unwrap(),
            "run",
            "demo",
            "--yes",
            "-q",
            "--actor",
            "ci-bot",
            "--color",
            "never",
        ],
    )
    .stderr_lacks("started")
    .run();
    assert_eq!(closing(&done.stdout), (4, 0, 0));
    assert!(p
        .read(".rollout/journal.jsonl")
        .contains("\"actor\":\"ci-bot\""));
    // --color always paints the marks even off a terminal.
    p.checklist(["run", "demo", "--yes", "--color", "always"])
        .env("NO_COLOR", "")
        .stderr_has("\u{1b}[")
        .run();
    p.checklist(["--version"]).stdout_has("checklist ").run();
    p.checklist(["run", "--help"])
        .stdout_has("--skip-manual")
        .stdout_has("--junit")
        .run();
}

#[test]
fn require_env_names_what_is_missing() {
    let p = Project::with_checklist(
        "env",
        "tasks: [{name: Env, require_env: [CHECKLIST_TEST_SET, CHECKLIST_TEST_UNSET]}]",
    );
    p.checklist(["run", "env"])
        .env("CHECKLIST_TEST_SET", "1")
        .status(1)
        .stderr_has("not set or empty: CHECKLIST_TEST_UNSET")
        .stderr_lacks("not set or empty: CHECKLIST_TEST_SET")
        .run();
    p.checklist(["run", "env"])
        .env("CHECKLIST_TEST_SET", "1")
        .env("CHECKLIST_TEST_UNSET", "x")
        .run();
}

#[test]
fn a_failed_task_prints_its_last_20_lines_and_keeps_the_whole_log() {
    let p = Project::with_checklist("fail", "tasks:\n  - name: Noisy\n    run: 'for i in $(seq 1 50); do echo line $i; done; exit 7'\n  - name: After\n    run: echo after\n");
    let done = p
        .checklist(["run", "fail"])
        .status(1)
        .stderr_has("✗ Noisy [noisy] failed after")
        .stderr_has(": exit 7")
        .stderr_has("its last 20 lines of output:")
        .stderr_has("│ line 31\n")
        .stderr_has("│ line 50\n")
        .stderr_lacks("│ line 30\n")
        .stderr_has("full log: .rollout/checklists/")
        .stderr_has("checklist run fail --resume")
        .stderr_lacks("After [after] started")
        .run();
    assert_eq!(closing(&done.stdout), (0, 1, 1));
    let log = p
        .snapshot()
        .into_iter()
        .find(|(path, _)| path.ends_with("fail/noisy.log"))
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&log.1).lines().count(), 50);
}

#[test]
fn retries_rerun_a_failed_command() {
    let p = Project::with_checklist(
        "flaky",
        "tasks:\n  - name: Flaky\n    run: 'n=$(cat count 2>/dev/null || echo 0); echo $((n+1)) > count; [ $n -ge 2 ]'\n    retries: 2\n",
    );
    p.checklist(["run", "flaky"])
        .stderr_has("passed on attempt 3")
        .run();
    assert_eq!(p.read("count").trim(), "3");
    p.write("count", "-5");
    p.checklist(["run", "flaky"])
        .status(1)
        .stderr_has("exit 1 (after 3 attempts)")
        .run();
}

#[test]
fn allow_failure_is_shown_but_never_fails_the_run() {
    let p = Project::with_checklist("af", "tasks:\n  - {name: Scan, run: 'echo advisory; exit 1', allow_failure: true}\n  - {name: Next, run: 'true'}\n");
    let done = p
        .checklist(["run", "af"])
        .stderr_has("! Scan [scan] failed (allowed)")
        .stdout_has("1 failed but allowed (allow_failure): scan")
        .run();
    assert_eq!(closing(&done.stdout), (1, 0, 0));
}

#[test]
fn a_timed_out_task_is_killed_with_its_children() {
    let p = Project::with_checklist(
        "slow",
        "tasks:\n  - name: Slow\n    run: 'echo $$ > pgid; sleep 60 & sleep 60; wait'\n    timeout: 1s\n",
    );
    let started = std::time::Instant::now();
    p.checklist(["run", "slow"])
        .status(1)
        .stderr_has("timed out after 1s (its process group was killed)")
        .run();
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let pgid: i32 = p.read("pgid").trim().parse().unwrap();
    assert!(
        crate::checklist_interrupt::live_members(pgid).is_empty(),
        "a process of the task survived its timeout"
    );
}

#[test]
fn parallel_tasks_run_together_bounded_by_jobs_and_never_interleave() {
    let mut yaml = String::from("tasks:\n");
    for i in 1..=4 {
        yaml.push_str(&format!(
            "  - {{name: p{i}, parallel: true, run: 'for n in 1 2 3; do echo p{i}-$n; sleep 0.1; done'}}\n"
        ));
    }
    yaml.push_str("  - {name: after, run: 'echo done'}\n");
    let p = Project::with_checklist("par", &yaml);
    let started = std::time::Instant::now();
    p.checklist(["run", "par", "--jobs", "4"]).run();
    let together = started.elapsed();
    let started = std::time::Instant::now();
    p.checklist(["run", "par", "--jobs", "1"]).run();
    let one_by_one = started.elapsed();
    assert!(
        together < one_by_one,
        "--jobs 4 took {together:?}, --jobs 1 {one_by_one:?}"
    );
    // Each task's output is kept apart, in its own log, in order.
    for i in 1..=4 {
        let log = p
            .snapshot()
            .into_iter()
            .rfind(|(path, _)| path.ends_with(format!("par/p{i}.log")))
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&log.1),
            format!("p{i}-1\np{i}-2\np{i}-3\n")
        );
    }
    // -v shows each task's output whole when it ends.
    let done = p.checklist(["run", "par", "--jobs", "4", "-v"]).run();
    for i in 1..=4 {
        let expected = format!("  │ p{i}-1\n  │ p{i}-2\n  │ p{i}-3\n✓ p{i} [p{i}] passed");
        assert!(
            done.stderr.contains(&expected),
            "p{i} is not whole:\n{}",
            done.stderr
        );
    }
    // On GitHub Actions each task's output is one group, whole.
    let done = p
        .checklist(["run", "par", "--jobs", "4"])
        .env("GITHUB_ACTIONS", "true")
        .run();
    for i in 1..=4 {
        let expected = format!("p{i}-1\np{i}-2\np{i}-3\n::endgroup::");
        assert!(
            done.stderr.contains(&expected),
            "p{i}'s group is not whole:\n{}",
            done.stderr
        );
    }
}

#[test]
fn github_actions_groups_annotates_and_writes_a_summary() {
    let p = Project::with_checklist("gh", "tasks:\n  - {name: Good, run: 'echo fine'}\n  - {name: Bad, run: 'echo broken 100%; exit 2'}\n");
    let summary = p.path("summary.md");
    let done = p
        .checklist(["run", "gh"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())
        .status(1)
        .stderr_has("::group::✓ Good [good] passed")
        .stderr_has("fine\n::endgroup::")
        .stderr_has("::error title=gh%3A Bad::Bad [bad] failed: exit 2")
        .run();
    assert_eq!(closing(&done.stdout), (1, 1, 0));
    let md = p.read("summary.md");
    assert!(md.contains("| ✅ | Good `good` | passed |"), "{md}");
    assert!(md.contains("| ❌ | Bad `bad` | failed: exit 2 |"), "{md}");
    assert!(md.contains("**1 passed, 1 failed, 0 skipped**"), "{md}");
}

#[test]
fn several_checklists_run_in_order_and_stop_at_a_failure() {
    let p = Project::with_checklist("one", "tasks: [{name: a, run: 'echo a'}]")
        .file("checklists/two.yaml", "tasks: [{name: b, run: 'exit 1'}]")
        .file("checklists/three.yaml", "tasks: [{name: c, run: 'echo c'}]");
    let done = p
        .checklist(["run", "one", "two", "three"])
        .status(1)
        .stderr_lacks("c [c] started")
        .run();
    assert_eq!(closing(&done.stdout), (1, 1, 1));
    let history = p.rollout(["history"]).run();
    assert!(
        history
            .stdout
            .contains("checklist two: failed (0 passed, 1 failed, 0 skipped)"),
        "{}",
        history.stdout
    );
    assert!(
        history.stdout.contains("checklist one: passed"),
        "{}",
        history.stdout
    );
    let doc = p
        .checklist(["run", "one", "two", "three", "--json"])
        .status(1)
        .run()
        .json();
    let outcomes: Vec<&str> = doc["checklists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["passed", "failed", "not-run"]);
    assert!(
        !history.stdout.contains("checklist three"),
        "{}",
        history.stdout
    );
}

#[test]
fn rollout_tasks_run_the_engine_with_its_rules_and_journal() {
    let p = Project::with_checklist(
        "flags",
        "tasks:\n  - {name: Update feature flags, rollout: advance internal}\n  - {name: Test feature flags, rollout: status}\n",
    );
    p.checklist(["run", "flags"])
        .at("2024-01-15T10:00:00Z")
        .run();
    let history = p.rollout(["history"]).run();
    assert!(
        history
            .stdout
            .contains("advance use-new-builder-cards → internal"),
        "{}",
        history.stdout
    );
    assert!(
        history
            .stdout
            .contains("checklist flags: passed (2 passed, 0 failed, 0 skipped)"),
        "{}",
        history.stdout
    );
    // Same rules: advancing to internal again is nothing to do, so a re-run passes.
    p.checklist(["run", "flags"])
        .at("2024-01-15T11:00:00Z")
        .stdout_has("2 passed, 0 failed")
        .run();
    assert_eq!(p.changes_of("advance").len(), 1);
    // A killed flag fails `rollout: status`.
    p.rollout(["kill", "--reason", "test"]).run();
    p.checklist(["run", "flags", "--only", "test-feature-flags"])
        .status(1)
        .stderr_has("is killed")
        .run();
}

#[test]
fn history_shows_checklist_runs_beside_flag_changes() {
    let p = Project::with_checklist("demo", DEMO);
    p.rollout(["advance"]).at("2024-01-15T10:00:00Z").run();
    p.checklist(["run", "demo", "--yes"]).run();
    let doc = p.rollout(["history", "--json"]).run().json();
    let newest = &doc["entries"][0];
    assert_eq!(newest["action"], "checklist");
    assert_eq!(newest["checklist"], "demo");
    assert_eq!(newest["actor"], "tester@example.com");
    assert_eq!(newest["outcome"], "passed");
    assert_eq!(newest["counts"]["passed"], 4);
    assert_eq!(newest["tasks"][0]["id"], "build");
    assert!(newest["tasks"][0]["duration_ms"].is_u64());
    assert_eq!(
        newest["tasks"][2]["note"],
        "confirmed with --yes by tester@example.com"
    );
    assert_eq!(doc["entries"][1]["action"], "advance");
}

#[test]
fn validate_checks_every_checklist() {
    let p = Project::with_checklist("demo", DEMO);
    p.checklist(["validate"])
        .stdout_has("checklists/demo.yaml: ok (4 tasks)")
        .run();
    p.write(
        "checklists/bad.yaml",
        "tasks:\n  - name: x\n    runn: echo\n",
    );
    p.checklist(["validate"])
        .status(2)
        .stderr_has("checklists/bad.yaml:3:5: unknown key `runn` in task 1")
        .stderr_has("help: did you mean `run`?")
        .run();
    // `rollout validate` checks the checklists too.
    p.rollout(["validate"])
        .status(2)
        .stderr_has("checklists/bad.yaml:3:5")
        .run();
    // Running a broken checklist is exit 2 too, before anything runs.
    p.checklist(["run", "bad"])
        .status(2)
        .stderr_has("checklists/bad.yaml:3:5")
        .run();
    p.checklist(["list"]).status(2).stdout_has("broken").run();
}

#[test]
fn rollout_init_writes_starter_checklists() {
    let p = Project::new();
    p.rollout(["init"])
        .stdout_has("checklists/pre-deployment.yaml")
        .run();
    p.checklist(["validate"])
        .stdout_has("checklists/pre-deployment.yaml: ok")
        .stdout_has("checklists/deployment.yaml: ok")
        .stdout_has("checklists/post-deployment.yaml: ok")
        .run();
}

#[test]
fn dry_run_previews_rollout_tasks_through_the_engine() {
    let p = Project::with_checklist(
        "flags",
        "tasks:\n  - {name: Update feature flags, rollout: advance internal}\n",
    );
    p.checklist(["run", "flags", "--dry-run"])
        .at("2024-01-15T10:00:00Z")
        .stdout_has("Update feature flags [update-feature-flags]: would rollout advance internal")
        .stdout_has("dry run: would advance use-new-builder-cards: not started → internal (5%)")
        .stdout_has("WRITE .rollout/flags.json")
        .run();
    assert!(
        p.snapshot().is_empty(),
        "a dry run wrote {:?}",
        p.snapshot()
    );
    // A change the engine would refuse is shown as such, and exits as the run would (3).
    p.checklist(["run", "flags", "--dry-run"])
        .at("2024-01-01T10:00:00Z")
        .status(3)
        .stdout_has("would fail: `rollout advance internal`: advance refused: internal is planned to start on 2024-01-15")
        .run();
    let before = p
        .checklist(["run", "flags"])
        .at("2024-01-01T10:00:00Z")
        .status(3)
        .run();
    assert!(
        before.stderr.contains("advance refused"),
        "{}",
        before.stderr
    );
}

#[test]
fn env_picks_the_environment_of_rollout_tasks() {
    let p = Project::with_checklist(
        "flags",
        "tasks:\n  - {name: Flag, rollout: advance internal}\n  - {name: Read, rollout: status}\n",
    );
    let staging = p
        .checklist(["run", "flags", "--env", "staging", "-v"])
        .at("2024-01-15T10:00:00Z")
        .run();
    // -v shows every output line of every task.
    assert!(
        staging
            .stderr
            .contains("use-new-builder-cards in staging: internal (5%), on"),
        "{}",
        staging.stderr
    );
    p.checklist(["run", "flags", "--only", "read", "-v"])
        .stderr_has("use-new-builder-cards: not started")
        .run();
}

#[test]
fn run_needs_a_checklist_name() {
    let p = Project::with_checklist("demo", DEMO);
    p.checklist(["run"])
        .status(2)
        .stderr_has("name the checklists to run")
        .stderr_has("the checklists are: demo")
        .run();
    p.checklist(["run", "demo", "demo"])
        .status(2)
        .stderr_has("checklist `demo` is named twice")
        .run();
    p.checklist(["run", "--resume"])
        .status(2)
        .stderr_has("no unfinished run")
        .run();
    let empty = Project::new();
    p.checklist(["-C", empty.dir.path().to_str().unwrap(), "list"])
        .status(2)
        .stderr_has("no checklists/ directory or stages.yaml")
        .stderr_has("rollout init")
        .run();
}

#[test]
fn secrets_never_reach_output_logs_or_reports() {
    let secret = "unleash-token-5ecret-value";
    let p = Project::with_checklist(
        "leak",
        "tasks:\n  - {name: Leaky, run: 'echo token is $UNLEASH_API_TOKEN; exit 1'}\n",
    );
    let done = p
        .checklist(["run", "leak", "--junit", "j.xml"])
        .env("UNLEASH_API_TOKEN", secret)
        .status(1)
        .stderr_has("token is ***")
        .run();
    assert!(!done.stderr.contains(secret) && !done.stdout.contains(secret));
    assert!(!p.read("j.xml").contains(secret));
    for (path, bytes) in p.snapshot() {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(secret),
            "{} holds the secret",
            path.display()
        );
    }
}

#[test]
fn committed_checklist_completions_are_up_to_date() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in [
        ("bash", "checklist.bash"),
        ("zsh", "_checklist"),
        ("fish", "checklist.fish"),
        ("elvish", "checklist.elv"),
        ("powershell", "_checklist.ps1"),
    ] {
        let committed = std::fs::read_to_string(dir.join(file)).unwrap();
        let now = Project::new()
            .checklist(["completions", shell])
            .run()
            .stdout;
        assert!(
            committed == now,
            "completions/{file} is stale: run scripts/gen-completions"
        );
    }
}
