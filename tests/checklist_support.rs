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

/// The closing line, `N passed, N failed, N skipped` and what else happened (`, N interrupted`,
/// `, N quit`), from `text` (it must be there, alone on its line).
#[must_use]
pub fn closing_line(text: &str) -> &str {
    text.lines()
        .rev()
        .find(|l| l.contains(" passed, ") && l.contains(" failed, ") && l.contains(" skipped"))
        .unwrap_or_else(|| panic!("no closing line in:\n{text}"))
}

/// The closing line's first three counts: passed, failed, skipped.
#[must_use]
pub fn closing(text: &str) -> (usize, usize, usize) {
    let line = closing_line(text);
    let parts: Vec<(usize, &str)> = line
        .split(", ")
        .map(|part| {
            let (n, word) = part.split_once(' ').unwrap();
            (n.parse().unwrap(), word)
        })
        .collect();
    let words: Vec<&str> = parts.iter().take(3).map(|p| p.1).collect();
    assert_eq!(
        words,
        ["passed", "failed", "skipped"],
        "closing line {line:?}"
    );
    (parts[0].0, parts[1].0, parts[2].0)
}
