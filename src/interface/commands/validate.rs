//! `rollout validate` (stages.yaml and every checklist) and `checklist validate` (every
//! checklist): each file with all of its problems; exit 0 or 2.

use std::path::Path;

use crate::domain::checklist::file::shown_path;
use crate::domain::config::Config;
use crate::domain::error::{Error, Result};
use crate::interface::cli::GlobalArgs;
use crate::interface::json_out::{FileCheck, Validate};
use crate::interface::output::Output;

/// What is checked: `rollout validate` starts at stages.yaml, `checklist validate` needs only the
/// project directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    StagesAndChecklists,
    Checklists,
}

/// One file checked: its line of the `--json` document, and the problem to print without it.
#[derive(Debug)]
struct Checked {
    check: FileCheck,
    problem: Option<Error>,
}

impl Checked {
    fn ok(check: FileCheck) -> Self {
        Checked {
            check,
            problem: None,
        }
    }

    fn broken(path: String, e: Error) -> Self {
        Checked {
            check: FileCheck::broken(path, &e.message),
            problem: Some(e),
        }
    }
}

pub fn run(args: &GlobalArgs, out: &Output, scope: Scope) -> Result<i32> {
    let mut files = Vec::new();
    let mut gates: Option<Vec<String>> = None;
    let dir = match scope {
        Scope::StagesAndChecklists => {
            let path = crate::adapters::project::stages_file(
                &crate::interface::commands::session::start_dir(args)?,
            )?;
            let shown = path.display().to_string();
            files.push(match Config::load(&path) {
                Ok(c) => {
                    gates = Some(c.gates.iter().map(|g| g.name.clone()).collect());
                    Checked::ok(FileCheck::stages(shown, c.stages.len()))
                }
                Err(e) => Checked::broken(shown, e),
            });
            path.parent()
                .unwrap_or_else(|| Path::new("."))
                .to_path_buf()
        }
        Scope::Checklists => {
            crate::adapters::project::dir(&crate::interface::commands::session::start_dir(args)?)?
        }
    };
    // Every checklist beside it, each with all of its problems.
    let all = crate::domain::checklist::load_all(&dir)?;
    let no_checklists = all.is_empty();
    for (file, loaded) in all {
        let shown = shown_path(&file).display().to_string();
        // A `gate:` task must name a gate of stages.yaml.
        let loaded = loaded.and_then(|c| match &gates {
            Some(names) => unknown_gates(&shown, &c, names).map(|()| c),
            None => Ok(c),
        });
        files.push(match loaded {
            Ok(c) => Checked::ok(FileCheck::tasks(shown, c.tasks.len())),
            Err(e) => Checked::broken(shown, e),
        });
    }
    let ok = files.iter().all(|f| f.check.ok);
    if out.json {
        let checks: Vec<FileCheck> = files.into_iter().map(|f| f.check).collect();
        crate::interface::json_out::emit(out, &Validate { ok, files: &checks });
    } else if scope == Scope::StagesAndChecklists {
        // The files that passed, then every problem.
        for f in files.iter().filter(|f| f.check.ok) {
            out.data(&format!("{}: ok", f.check.path));
        }
        for p in files.iter().filter_map(|f| f.problem.as_ref()) {
            out.error(p);
        }
    } else {
        for f in &files {
            match (&f.problem, f.check.tasks) {
                (Some(p), _) => out.error(p),
                (None, Some(n)) => out.data(&format!("{}: ok ({n} tasks)", f.check.path)),
                (None, None) => {}
            }
        }
        if no_checklists {
            out.info(&format!(
                "no checklists in {}",
                dir.join(crate::domain::checklist::CHECKLIST_DIR).display()
            ));
        }
    }
    Ok(if ok { 0 } else { 2 })
}

fn unknown_gates(
    shown: &str,
    c: &crate::domain::checklist::Checklist,
    names: &[String],
) -> Result<()> {
    use crate::domain::checklist::task::{RolloutCommand, TaskKind};
    let mut lines = Vec::new();
    for t in &c.tasks {
        if let TaskKind::Rollout(RolloutCommand::Gate(g)) = &t.kind {
            if !names.contains(g) {
                let known = if names.is_empty() {
                    "stages.yaml defines no gates: add them under `gates:`".to_string()
                } else {
                    format!("the gates are: {}", names.join(", "))
                };
                lines.push(format!(
                    "{shown}:{}:{}: task `{}` checks gate `{g}`, which stages.yaml does not define\n  help: {known}",
                    t.pos.line, t.pos.col, t.name
                ));
            }
        }
    }
    if lines.is_empty() {
        Ok(())
    } else {
        Err(Error::usage(lines.join("\n")))
    }
}
