//! What the checklist tests share: `Project::checklist` (the `checklist` binary in a scratch
//! project, like `Project::rollout`) and reading the closing line.

use crate::test::{Project, Test};

impl Project {
    /// A `checklist` run in this project.
    pub fn checklist<I: IntoIterator<Item = S>, S: AsRef<str>>(&self, args: I) -> Test {
        Test::new(env!("CARGO_BIN_EXE_checklist"), self.dir.path(), args)
    }

    /// A project with the Builder Cards stages.yaml and one checklist `name`.
    #[must_use]
    pub fn with_checklist(name: &str, yaml: &str) -> Self {
        Project::builder_cards().file(&format!("checklists/{name}.yaml"), yaml)
    }
}

/// The closing line's counts, `N passed, N failed, N skipped`, from `text` (it must be there,
/// alone on its line).
#[must_use]
pub fn closing(text: &str) -> (usize, usize, usize) {
    let line = text
        .lines()
        .rev()
        .find(|l| l.ends_with(" skipped") && l.contains(" passed, "))
        .unwrap_or_else(|| panic!("no closing line in:\n{text}"));
    let n: Vec<usize> = line
        .split(", ")
        .map(|part| part.split(' ').next().unwrap().parse().unwrap())
        .collect();
    let words: Vec<&str> = line
        .split(", ")
        .map(|p| p.split(' ').nth(1).unwrap())
        .collect();
    assert_eq!(
        words,
        ["passed", "failed", "skipped"],
        "closing line {line:?}"
    );
    (n[0], n[1], n[2])
}
