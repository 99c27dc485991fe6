//! `rollout init`: a commented starter stages.yaml for a project that has none.

use std::path::Path;

use super::session;
use crate::domain::config::STAGES_FILE;
use crate::domain::error::{Error, Result};
use crate::interface::cli::global_args::GlobalArgs;
use crate::interface::json_out::rollout::InitFile;
use crate::interface::output::Output;

/// The starter stage table; `{flag}` is replaced by the flag key.
const STARTER: &str = r"# The rollout plan for one feature flag: `rollout plan` shows it as a timeline.
# Every key is optional unless marked; `rollout validate` checks this file.

# Required: the flag key, exactly as the provider knows it.
flag: {flag}

# Where the flag lives. Absent means the embedded file provider: .rollout/flags.json in the
# OpenFeature flagd format, served by flagd or any OpenFeature in-process provider. No account needed.
# provider:
#   kind: unleash                  # file | unleash | launchdarkly | http (docs/)
#   url: http://127.0.0.1:4242     # or set ROLLOUT_PROVIDER_URL
#   token_env: UNLEASH_API_TOKEN   # the NAME of the env var holding the token; never the token itself
#   project: default
#   environment: production        # overridable per run with --env

# Required: the stages, in order. Percentages strictly increase.
#   groups:   user groups on from this stage on (the context attribute `group`)
#   users:    user ids on from this stage on
#   start:    planned date; advancing before it needs --force --reason
#   duration: minimum soak before the next stage (30m, 36h, 3d)
stages:
  - name: internal
    percentage: 5
    groups: [internal, developers]
    duration: 3d
  - { name: beta, percentage: 10, groups: [beta_testers], duration: 7d }
  - { name: limited, percentage: 25, groups: [early_adopters], duration: 7d }
  - { name: expanded, percentage: 50, groups: [general], duration: 7d }
  - { name: full, percentage: 100, groups: [all] }

# Every change is also POSTed to these webhooks (Slack-compatible). The URL stays in the environment.
# notify:
#   - url_env: SLACK_WEBHOOK_URL
";

/// What `rollout init` tells people to run next, in the order to run them.
const NEXT: [&str; 2] = ["rollout plan", "rollout advance"];

pub fn run(args: &GlobalArgs, out: &Output, flag: &str) -> Result<i32> {
    let dir = session::start_dir(args)?;
    if flag.is_empty() || flag.chars().any(char::is_whitespace) {
        return Err(Error::usage(format!("`{flag}` is not a flag key"))
            .with_hint("pass --flag KEY with no spaces"));
    }
    let path = dir.join(STAGES_FILE);
    if path.exists() {
        return Err(Error::usage(format!(
            "{} already exists; nothing was written",
            path.display()
        ))
        .with_hint("edit it, or check it with `rollout validate`"));
    }
    let files = planned_files(&dir);
    let text = crate::domain::schema::modeline("stages", "") + &STARTER.replace("{flag}", flag);
    if args.dry_run {
        out.data(&format!("dry run: would write {}:", path.display()));
        out.data(&text);
        crate::interface::checklist::starter::write(&dir, true, out)?;
        for name in crate::domain::schema::NAMES {
            let path = crate::domain::schema::path_in(&dir, name);
            out.data(&format!("dry run: would write {}", path.display()));
        }
    } else {
        std::fs::write(&path, text)
            .map_err(|e| Error::failed(format!("cannot write {}: {e}", path.display())))?;
        out.data(&format!("wrote {}", path.display()));
        crate::interface::checklist::starter::write(&dir, false, out)?;
        for name in crate::domain::schema::NAMES {
            let path = crate::domain::schema::write_into(&dir, name)?;
            out.data(&format!("wrote {}", path.display()));
        }
        out.info(&format!(
            "next: `{}` to see the timeline, `{}` to start the first stage",
            NEXT[0], NEXT[1]
        ));
    }
    if out.json {
        crate::interface::json_out::emit(
            out,
            &crate::interface::json_out::rollout::Init {
                flag,
                dry_run: args.dry_run,
                dir: dir.display().to_string(),
                files,
                next: &NEXT,
            },
        );
    }
    Ok(0)
}

/// The files `init` writes into `dir`, relative to it, in the order it writes them: stages.yaml,
/// the starter checklists (unless `checklists/` exists), the schemas.
fn planned_files(dir: &Path) -> Vec<InitFile> {
    let mut files = vec![InitFile {
        path: STAGES_FILE.to_string(),
        kind: "stages",
    }];
    if !dir.join(crate::domain::checklist::CHECKLIST_DIR).exists() {
        files.extend(
            crate::interface::checklist::starter::STARTERS
                .iter()
                .map(|(name, _)| InitFile {
                    path: format!("{}/{name}.yaml", crate::domain::checklist::CHECKLIST_DIR),
                    kind: "checklist",
                }),
        );
    }
    files.extend(crate::domain::schema::NAMES.iter().map(|name| InitFile {
        path: format!(
            "{}/{}",
            crate::domain::schema::DIR,
            crate::domain::schema::file_name(name)
        ),
        kind: "schema",
    }));
    files
}
