//! The starter checklists `rollout init` writes into a project that has no checklists/.

use std::path::Path;

use crate::domain::error::{Error, Result};
use crate::interface::output::Output;

pub const STARTERS: [(&str, &str); 3] = [
    ("pre-deployment", PRE),
    ("deployment", DEPLOY),
    ("post-deployment", POST),
];

const PRE: &str = r"# Run with `checklist run pre-deployment`. Each task does exactly one of:
#   run: COMMAND         a script (bash -e -o pipefail, in this directory); options: timeout, retries, shell
#   manual: TEXT         asks a person: done / not done / skip / quit (--yes confirms, --skip-manual skips)
#   require_env: [VAR]   passes when every variable is set and non-empty
#   rollout: COMMAND     advance [STAGE], rollback [STAGE], kill [REASON], resume or status
# Any task may have `id:` (default: a slug of its name), `allow_failure: true`, and `parallel: true`
# (adjacent parallel tasks run together, at most --jobs at once).
# To automate a manual task, replace `manual: TEXT` with `run: COMMAND` (e.g. `run: cargo test`).
title: Pre-deployment
tasks:
  - name: Check the rollout plan and checklists
    run: rollout validate
  - name: Run all tests
    manual: Run the whole test suite on this commit and confirm it passes.
  - name: Review security scan
    manual: Run the dependency and security scanners and review every new finding.
  - name: Verify visual regression tests
    manual: Open the visual regression report for this commit and approve every change.
  - name: Test rollback procedure
    manual: Run `rollout rollback --dry-run` once the flag is rolled out and check the change it shows.
";

const DEPLOY: &str = r"# Run with `checklist run deployment` (see pre-deployment.yaml for the task kinds).
title: Deployment
tasks:
  - name: Update environment variables
    require_env: [DATABASE_URL]
  - name: Run database migrations
    manual: Run the migrations against production and confirm they finished without errors.
  - name: Deploy to staging
    manual: Deploy this commit to staging.
  - name: Update feature flags
    rollout: advance
  - name: Deploy to production
    manual: Deploy this commit to production and watch the deploy finish.
";

const POST: &str = r"# Run with `checklist run post-deployment` (see pre-deployment.yaml for the task kinds).
title: Post-deployment
tasks:
  - name: Check the flag
    rollout: status
  - name: Monitor error rates
    manual: Watch the error-rate dashboard for 30 minutes; run `rollout kill` if it rises.
  - name: Notify stakeholders
    manual: Post the release note in the release channel.
";

/// Writes the starters into `dir/checklists/` unless that directory exists.
pub fn write(dir: &Path, dry_run: bool, out: &Output) -> Result<()> {
    let root = dir.join(crate::domain::checklist::CHECKLIST_DIR);
    if root.exists() {
        out.info(&format!(
            "{} exists; no starter checklists written",
            root.display()
        ));
        return Ok(());
    }
    for (name, text) in STARTERS {
        let path = root.join(format!("{name}.yaml"));
        if dry_run {
            out.data(&format!("dry run: would write {}", path.display()));
            continue;
        }
        std::fs::create_dir_all(&root)
            .and_then(|()| {
                std::fs::write(
                    &path,
                    crate::domain::schema::modeline("checklist", "../") + text,
                )
            })
            .map_err(|e| Error::failed(format!("cannot write {}: {e}", path.display())))?;
        out.data(&format!("wrote {}", path.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn starters_are_valid() {
        for (name, text) in super::STARTERS {
            let path = std::path::PathBuf::from(format!("checklists/{name}.yaml"));
            if let Err(e) = crate::domain::checklist::Checklist::parse(&path, text) {
                panic!("{name}: {}", e.message);
            }
        }
    }
}
