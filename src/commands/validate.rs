//! `rollout validate`: stages.yaml and every checklist; exit 0 or 2.

use crate::json_out::FileCheck;

use crate::config::Config;
use crate::context;
use crate::error::{Error, Result};
use crate::global_args::GlobalArgs;
use crate::output::Output;

pub fn run(args: &GlobalArgs, out: &Output) -> Result<i32> {
    let path = crate::config::find(&context::start_dir(args)?)?;
    let mut files = Vec::new();
    let mut problems: Vec<Error> = Vec::new();
    let mut gates: Option<Vec<String>> = None;
    match Config::load(&path) {
        Ok(c) => {
            gates = Some(c.gates.iter().map(|g| g.name.clone()).collect());
            files.push(FileCheck::stages(
                path.display().to_string(),
                c.stages.len(),
            ));
        }
        Err(e) => {
            files.push(FileCheck::broken(path.display().to_string(), &e.message));
            problems.push(e);
        }
    }
    // Every checklist beside it, each with all of its problems.
    let dir = path.parent().unwrap_or_else(|| std::path::Path::new("."));
    for (file, loaded) in crate::checklist::load_all(dir)? {
        let shown = crate::checklist::file::shown_path(&file)
            .display()
            .to_string();
        // A `gate:` task must name a gate of stages.yaml.
        let loaded = loaded.and_then(|c| match &gates {
            Some(names) => unknown_gates(&shown, &c, names).map(|()| c),
            None => Ok(c),
        });
        match loaded {
            Ok(c) => files.push(FileCheck::tasks(shown, c.tasks.len())),
            Err(e) => {
                files.push(FileCheck::broken(shown, &e.message));
                problems.push(e);
            }
        }
    }
    if out.json {
        crate::json_out::emit(
            out,
            &crate::json_out::Validate {
                ok: problems.is_empty(),
                files: &files,
            },
        );
    } else {
        for f in &files {
            if f.ok {
                out.data(&format!("{}: ok", f.path));
            }
        }
        for p in &problems {
            out.error(p);
        }
    }
    Ok(if problems.is_empty() { 0 } else { 2 })
}

fn unknown_gates(shown: &str, c: &crate::checklist::Checklist, names: &[String]) -> Result<()> {
    use crate::checklist::task::{RolloutCommand, TaskKind};
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
