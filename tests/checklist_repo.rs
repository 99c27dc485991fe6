//! The repository's own checklists: they validate, hold every item of the launch plan, and
//! pre-deployment does real work here (its slow tasks are left to `checklist run` by hand and CI).

use std::path::Path;

use crate::checklist_support::closing;
use crate::test::Project;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A scratch copy of the repository's stages.yaml, checklists and task scripts.
fn copy_of_repo() -> Project {
    let p = Project::new();
    for rel in ["stages.yaml", "README.md"] {
        if let Ok(text) = std::fs::read_to_string(repo().join(rel)) {
            p.write(rel, &text);
        }
    }
    for dir in ["checklists", "scripts/checklist-tasks", "docs"] {
        for e in std::fs::read_dir(repo().join(dir)).unwrap().flatten() {
            if !e.path().is_file() {
                continue; // docs/man and other folders are not needed
            }
            let rel = format!("{dir}/{}", e.file_name().to_string_lossy());
            p.write(&rel, &std::fs::read_to_string(e.path()).unwrap());
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(e.path()).unwrap().permissions().mode();
                std::fs::set_permissions(p.path(&rel), std::fs::Permissions::from_mode(mode))
                    .unwrap();
            }
        }
    }
    p
}

#[test]
fn the_repository_checklists_are_valid_and_hold_the_launch_plan() {
    let p = copy_of_repo();
    p.checklist(["validate"]).run();
    let expect = [
        (
            "pre-deployment",
            vec![
                "run-all-tests",
                "verify-visual-regression-tests",
                "check-bundle-size",
                "update-documentation",
                "review-security-scan",
                "test-rollback-procedure",
            ],
        ),
        (
            "deployment",
            vec![
                "update-environment-variables",
                "run-database-migrations",
                "clear-cdn-cache",
                "update-feature-flags",
                "deploy-to-staging",
                "smoke-test-staging",
                "deploy-to-production",
            ],
        ),
        (
            "post-deployment",
            vec![
                "monitor-error-rates",
                "check-performance-metrics",
                "verify-analytics-tracking",
                "test-feature-flags",
                "update-status-page",
                "notify-stakeholders",
            ],
        ),
    ];
    for (name, ids) in expect {
        let doc = p.checklist(["show", name, "--json"]).run().json();
        let got: Vec<&str> = doc["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        // In the launch plan's order.
        assert_eq!(got, ids, "{name}");
    }
    // The repository itself validates with `rollout validate` (stages.yaml and every checklist).
    crate::test::Test::new(env!("CARGO_BIN_EXE_rollout"), repo(), ["validate"])
        .stdout_has("checklists/pre-deployment.yaml: ok")
        .run();
}

#[test]
fn pre_deployment_does_real_work() {
    let p = copy_of_repo();
    // The full run (tests, a release build, cargo audit) is what `checklist run pre-deployment
    // --yes` does by hand and in CI; here: the rollback drill and the docs check, on the binaries
    // under test, and the test task's guard against running the suite inside itself.
    let done = p
        .checklist([
            "run",
            "pre-deployment",
            "--yes",
            "--skip",
            "check-bundle-size",
            "--skip",
            "review-security-scan",
        ])
        .env("ROLLOUT_BIN", env!("CARGO_BIN_EXE_rollout"))
        .env("CHECKLIST_BIN", env!("CARGO_BIN_EXE_checklist"))
        .env("CHECKLIST_INSIDE_TESTS", "1")
        .stderr_has("✓ Test rollback procedure [test-rollback-procedure] passed")
        .stderr_has("✓ Update documentation [update-documentation] passed")
        .stderr_has("✓ Run all tests (unit, integration, e2e) [run-all-tests] passed")
        .run();
    assert_eq!(closing(&done.stdout), (4, 0, 2));
    let log = p
        .snapshot()
        .into_iter()
        .find(|(path, _)| path.ends_with("test-rollback-procedure.log"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .unwrap();
    assert!(log.contains("rollback drill passed"), "{log}");
    assert!(log.contains("dry run: nothing was changed"), "{log}");
}

#[test]
fn deployment_without_its_environment_fails_before_its_first_task() {
    let p = copy_of_repo();
    p.checklist(["run", "deployment", "--yes"])
        .status(1)
        .stderr_has("this run cannot finish, so nothing was run:\n  deployment/update-environment-variables: not set or empty: DATABASE_URL, NEXT_PUBLIC_DD_APP_ID\n")
        .run();
    // A dry run says the same and exits as the run would.
    p.checklist(["run", "deployment", "--dry-run", "--yes"])
        .status(1)
        .stdout_has("Update environment variables [update-environment-variables]: would fail: not set or empty: DATABASE_URL, NEXT_PUBLIC_DD_APP_ID")
        .stdout_has("Update feature flags [update-feature-flags]: would rollout advance")
        .run();
}
