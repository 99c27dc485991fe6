//! Which tasks a run takes, as pure functions over the checklists and the options: `--only`,
//! `--skip`, `--from`, `--skip-manual`, and `--resume` (what an earlier run already did).

use crate::domain::checklist::result::{Outcome, TaskResult};
use crate::domain::checklist::task::TaskKind;
use crate::domain::checklist::Checklist;
use crate::domain::error::{Error, Result};

/// The selection options of `checklist run`.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub only: Vec<String>,
    pub skip: Vec<String>,
    pub from: Option<String>,
    pub skip_manual: bool,
}

/// What the run does with one task.
#[derive(Debug, Clone)]
pub enum Step {
    Run,
    /// Not run, and why.
    Skip(String),
    /// Already done by the run being resumed.
    Keep(TaskResult),
}

#[derive(Debug, Clone)]
pub struct Planned {
    /// Index into the run's checklists.
    pub checklist: usize,
    /// Index into that checklist's tasks.
    pub task: usize,
    pub step: Step,
}

/// The tasks an id names: `ID` in any of the checklists, or `CHECKLIST/ID`.
fn matches(checklists: &[Checklist], text: &str) -> Result<Vec<(usize, usize)>> {
    let (scope, id) = match text.split_once(['/', ':']) {
        Some((c, id)) => (Some(c), id),
        None => (None, text),
    };
    let mut found = Vec::new();
    for (ci, c) in checklists.iter().enumerate() {
        if scope.is_some_and(|s| s != c.name) {
            continue;
        }
        if let Some(ti) = c.tasks.iter().position(|t| t.id == id) {
            found.push((ci, ti));
        }
    }
    if found.is_empty() {
        let ids: Vec<&str> = checklists
            .iter()
            .flat_map(|c| c.tasks.iter().map(|t| t.id.as_str()))
            .collect();
        let hint = match crate::domain::yaml_reader::did_you_mean(id, &ids) {
            Some(s) => format!("did you mean `{s}`? `checklist show NAME` lists the task ids"),
            None => "`checklist show NAME` lists the task ids".to_string(),
        };
        let names: Vec<&str> = checklists.iter().map(|c| c.name.as_str()).collect();
        return Err(
            Error::usage(format!("no task `{text}` in {}", names.join(", "))).with_hint(hint),
        );
    }
    Ok(found)
}

/// The plan of a fresh run: every task of every checklist, in order, each to run or skip.
pub fn plan(checklists: &[Checklist], sel: &Selection) -> Result<Vec<Planned>> {
    let mut only = Vec::new();
    for text in &sel.only {
        only.extend(matches(checklists, text)?);
    }
    let mut skip = Vec::new();
    for text in &sel.skip {
        skip.extend(matches(checklists, text)?);
    }
    let from = match &sel.from {
        Some(text) => Some(matches(checklists, text)?[0]),
        None => None,
    };
    let mut out = Vec::new();
    for (ci, c) in checklists.iter().enumerate() {
        for (ti, task) in c.tasks.iter().enumerate() {
            let here = (ci, ti);
            let step = if from.is_some_and(|f| here < f) {
                Step::Skip(format!(
                    "before --from {}",
                    sel.from.as_deref().unwrap_or_default()
                ))
            } else if !only.is_empty() && !only.contains(&here) {
                Step::Skip("not selected by --only".into())
            } else if skip.contains(&here) {
                Step::Skip("skipped with --skip".into())
            } else if sel.skip_manual && matches!(task.kind, TaskKind::Manual(_)) {
                Step::Skip("manual, skipped with --skip-manual".into())
            } else {
                Step::Run
            };
            out.push(Planned {
                checklist: ci,
                task: ti,
                step,
            });
        }
    }
    Ok(out)
}

/// One task of an earlier run, as its state recorded it.
#[derive(Debug, Clone)]
pub struct Prior {
    pub checklist: String,
    pub id: String,
    /// The earlier run meant to run it (it was not deselected).
    pub selected: bool,
    pub result: Option<TaskResult>,
}

/// The plan of `--resume`: the earlier run continues after its last passed task. Tasks before
/// the first one that did not finish well keep their results; after it, the selected tasks run
/// again unless they already passed (a parallel sibling). `--skip-manual` still applies.
#[must_use]
pub fn resume(checklists: &[Checklist], prior: &[Prior], skip_manual: bool) -> Vec<Planned> {
    let find = |c: &Checklist, id: &str| prior.iter().find(|p| p.checklist == c.name && p.id == id);
    let mut cut = false;
    let mut out = Vec::new();
    for (ci, c) in checklists.iter().enumerate() {
        for (ti, task) in c.tasks.iter().enumerate() {
            let p = find(c, &task.id);
            let ended_well = p.and_then(|p| p.result.as_ref()).is_some_and(|r| {
                matches!(
                    r.outcome,
                    Outcome::Passed | Outcome::FailedAllowed | Outcome::Skipped
                )
            });
            let selected = p.is_none_or(|p| p.selected);
            if selected && !ended_well {
                cut = true;
            }
            let kept = p.and_then(|p| p.result.clone()).filter(|r| {
                if cut {
                    r.outcome.is_done() || !selected
                } else {
                    true
                }
            });
            let step = match kept {
                Some(mut r) => {
                    r.earlier = true;
                    Step::Keep(r)
                }
                None if !selected => Step::Skip("not selected in the resumed run".into()),
                None if skip_manual && matches!(task.kind, TaskKind::Manual(_)) => {
                    Step::Skip("manual, skipped with --skip-manual".into())
                }
                None => Step::Run,
            };
            out.push(Planned {
                checklist: ci,
                task: ti,
                step,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn checklist(name: &str, src: &str) -> Checklist {
        Checklist::parse(Path::new(&format!("{name}.yaml")), src).unwrap()
    }

    fn steps(plan: &[Planned]) -> String {
        plan.iter()
            .map(|p| match &p.step {
                Step::Run => "R",
                Step::Skip(_) => "s",
                Step::Keep(_) => "k",
            })
            .collect()
    }

    fn abc() -> Vec<Checklist> {
        vec![
            checklist(
                "one",
                "tasks: [{name: a, run: x}, {name: b, manual: y}, {name: c, run: z}]",
            ),
            checklist("two", "tasks: [{name: a, run: x}, {name: d, run: z}]"),
        ]
    }

    #[test]
    fn selects() {
        let c = abc();
        assert_eq!(steps(&plan(&c, &Selection::default()).unwrap()), "RRRRR");
        let only = Selection {
            only: vec!["c".into()],
            ..Selection::default()
        };
        assert_eq!(steps(&plan(&c, &only).unwrap()), "ssRss");
        let only_a = Selection {
            only: vec!["a".into()],
            ..Selection::default()
        };
        assert_eq!(steps(&plan(&c, &only_a).unwrap()), "RssRs");
        let scoped = Selection {
            skip: vec!["two/a".into()],
            skip_manual: true,
            ..Selection::default()
        };
        assert_eq!(steps(&plan(&c, &scoped).unwrap()), "RsRsR");
        let from = Selection {
            from: Some("c".into()),
            ..Selection::default()
        };
        assert_eq!(steps(&plan(&c, &from).unwrap()), "ssRRR");
        let bad = Selection {
            only: vec!["cc".into()],
            ..Selection::default()
        };
        let err = plan(&c, &bad).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.hint.unwrap().contains("did you mean `c`?"));
    }

    fn prior(id: &str, checklist: &str, outcome: Option<Outcome>) -> Prior {
        Prior {
            checklist: checklist.into(),
            id: id.into(),
            selected: true,
            result: outcome.map(|outcome| TaskResult {
                checklist: checklist.into(),
                id: id.into(),
                name: id.into(),
                kind: "run".into(),
                outcome,
                note: None,
                duration_ms: 1,
                attempts: 1,
                exit_code: None,
                log: None,
                tail: Vec::new(),
                earlier: false,
            }),
        }
    }

    #[test]
    fn resumes_after_the_last_passed_task() {
        let c = abc();
        let p = vec![
            prior("a", "one", Some(Outcome::Passed)),
            prior("b", "one", Some(Outcome::Interrupted)),
            prior("c", "one", None),
            prior("a", "two", None),
            prior("d", "two", None),
        ];
        assert_eq!(steps(&resume(&c, &p, false)), "kRRRR");
        let p = vec![
            prior("a", "one", Some(Outcome::Passed)),
            prior("b", "one", Some(Outcome::Skipped)),
            prior("c", "one", Some(Outcome::Failed)),
            prior("a", "two", Some(Outcome::Passed)),
            prior("d", "two", None),
        ];
        assert_eq!(steps(&resume(&c, &p, false)), "kkRkR");
    }
}
