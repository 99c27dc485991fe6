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
        // A `gate:` task must name a gate of stages.yaml; a task's shell must exist here.
        let loaded = loaded.and_then(|c| {
            let mut lines = match &gates {
                Some(names) => unknown_gates(&shown, &c, names),
                None => Vec::new(),
            };
            lines.extend(missing_shells(&shown, &c));
            if lines.is_empty() {
                Ok(c)
            } else {
                Err(Error::usage(lines.join("\n")))
            }
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

/// The `gate:` tasks of `c` whose gate stages.yaml (with gates `names`) does not define, one
/// problem each.
fn unknown_gates(
    shown: &str,
    c: &crate::domain::checklist::Checklist,
    names: &[String],
) -> Vec<String> {
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
    lines
}

/// The `run:` tasks of `c` whose `shell:` program is not on this machine, one problem each: the
/// run would fail at them with exit 127.
fn missing_shells(shown: &str, c: &crate::domain::checklist::Checklist) -> Vec<String> {
    use crate::domain::checklist::task::TaskKind;
    c.tasks
        .iter()
        .filter(|t| matches!(t.kind, TaskKind::Run(_)))
        .filter(|t| crate::adapters::checklist::shell::missing(&t.shell))
        .map(|t| {
            let at = t.shell_pos.unwrap_or(t.pos);
            format!(
                "{shown}:{}:{}: task `{}` runs under `shell: {}`, and `{}` is not on this machine (not found on PATH)\n  help: install `{}`, or write another `shell:` (`sh`, or none for the default: bash, else `sh -e`)",
                at.line,
                at.col,
                t.name,
                t.shell,
                t.shell.program(),
                t.shell.program()
            )
        })
        .collect()
}
