//! `checklist list`: the checklists found, with task counts.

use crate::domain::checklist as cl;
use crate::domain::checklist::file::shown_path;
use crate::domain::checklist::task::TaskKind;
use crate::domain::error::Result;
use crate::interface::cli::GlobalArgs;
use crate::interface::json_out::checklist::{List, ListEntry};
use crate::interface::output::{table, Output};

/// `checklist list`: the checklists found, with task counts.
pub fn run(g: &GlobalArgs, out: &Output) -> Result<i32> {
    let dir = crate::adapters::project::dir(&crate::interface::commands::session::start_dir(g)?)?;
    let all = cl::load_all(&dir)?;
    let mut broken = false;
    let mut rows = vec![vec![
        "NAME".to_string(),
        "TASKS".into(),
        "MANUAL".into(),
        "TITLE".into(),
    ]];
    let mut docs = Vec::new();
    for (path, loaded) in &all {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        match loaded {
            Ok(c) => {
                let manual = c
                    .tasks
                    .iter()
                    .filter(|t| matches!(t.kind, TaskKind::Manual(_)))
                    .count();
                rows.push(vec![
                    name.clone(),
                    c.tasks.len().to_string(),
                    manual.to_string(),
                    c.title.clone(),
                ]);
                docs.push(ListEntry {
                    name,
                    title: Some(c.title.clone()),
                    tasks: Some(c.tasks.len()),
                    manual: Some(manual),
                    file: shown_path(path),
                    ok: true,
                });
            }
            Err(_) => {
                broken = true;
                rows.push(vec![
                    name.clone(),
                    "?".into(),
                    "?".into(),
                    "(broken: run `checklist validate`)".into(),
                ]);
                docs.push(ListEntry {
                    name,
                    title: None,
                    tasks: None,
                    manual: None,
                    file: shown_path(path),
                    ok: false,
                });
            }
        }
    }
    if out.json {
        crate::interface::json_out::emit(
            out,
            &List {
                dir: &dir,
                checklists: &docs,
            },
        );
    } else if all.is_empty() {
        out.info(&format!(
            "no checklists in {}; `rollout init` writes starters",
            dir.join(cl::CHECKLIST_DIR).display()
        ));
    } else {
        for line in table(&rows) {
            out.data(&line);
        }
    }
    Ok(if broken { 2 } else { 0 })
}
