//! `checklist show NAME`: the tasks of a checklist in order, with their kind and options.

use crate::domain::checklist as cl;
use crate::domain::checklist::file::shown_path;
use crate::domain::checklist::task::TaskKind;
use crate::domain::error::Result;
use crate::interface::cli::GlobalArgs;
use crate::interface::json_out::checklist::{Show, ShowTask};
use crate::interface::output::{table, Output};

/// `checklist show NAME`: the tasks in order, with their kind and options.
pub fn run(g: &GlobalArgs, out: &Output, name: &str) -> Result<i32> {
    let dir = crate::adapters::project::dir(&crate::interface::commands::session::start_dir(g)?)?;
    let c = cl::load(&dir, name)?;
    if out.json {
        let tasks: Vec<_> = c
            .tasks
            .iter()
            .map(|t| ShowTask {
                id: &t.id,
                name: &t.name,
                kind: t.kind.name(),
                does: t.describe(),
                timeout: t.timeout.map(crate::domain::clock::span),
                retries: t.retries,
                allow_failure: t.allow_failure,
                parallel: t.parallel,
            })
            .collect();
        crate::interface::json_out::emit(
            out,
            &Show {
                name: &c.name,
                title: &c.title,
                description: c.description.as_deref(),
                file: shown_path(&c.path),
                tasks,
            },
        );
        return Ok(0);
    }
    out.data(&format!(
        "{} ({}): {} tasks",
        out.bold(&c.name),
        c.title,
        c.tasks.len()
    ));
    if let Some(d) = &c.description {
        out.data(&format!("  {}", d.trim()));
    }
    let mut rows = vec![vec![
        "#".to_string(),
        "ID".into(),
        "KIND".into(),
        "TASK".into(),
        "OPTIONS".into(),
    ]];
    for (i, t) in c.tasks.iter().enumerate() {
        rows.push(vec![
            (i + 1).to_string(),
            t.id.clone(),
            t.kind.name().into(),
            t.name.clone(),
            t.options().join(", "),
        ]);
    }
    for line in table(&rows) {
        out.data(&line);
    }
    // -v: what each task does, in full (the command, the instructions, the variables).
    if out.verbose {
        for t in &c.tasks {
            out.data(&format!("\n{} [{}]:", t.name, t.id));
            let text = match &t.kind {
                TaskKind::Run(cmd) | TaskKind::Manual(cmd) => cmd.trim().to_string(),
                TaskKind::RequireEnv(vars) => vars.join(", "),
                TaskKind::Rollout(cmd) => format!("rollout {cmd}"),
            };
            for line in text.lines() {
                out.data(&format!("    {line}"));
            }
        }
    }
    Ok(0)
}
