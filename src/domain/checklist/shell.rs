//! `shell:` of a checklist or a task: the program a `run:` script runs under, and what that
//! implies for a failing command (docs/checklist.md, "Shells").

/// The program a `run:` task's script runs under.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Shell {
    /// `bash --noprofile --norc -e -o pipefail -c SCRIPT`: the script stops at its first failing
    /// command, a pipeline fails when any of its commands fails, and an `EXIT` trap runs when the
    /// task is stopped. Where there is no bash, `sh -e -c SCRIPT`. The default.
    #[default]
    Bash,
    /// `sh -c SCRIPT`: the script's last command decides, as before `shell:` existed.
    Sh,
    /// `pwsh -NoProfile -NonInteractive -Command SCRIPT`.
    Pwsh,
    /// A command line holding `{0}` (`python3 {0}`), split on whitespace: the script is written
    /// to a temporary file, whose path replaces `{0}`.
    Template(Vec<String>),
}

/// The values `shell:` takes besides a template, for messages.
pub const NAMES: [&str; 3] = ["bash", "sh", "pwsh"];

impl Shell {
    /// Reads a `shell:` value: `bash`, `sh`, `pwsh`, or a command line holding `{0}`.
    pub fn parse(text: &str) -> Result<Shell, String> {
        match text.trim() {
            "bash" => Ok(Shell::Bash),
            "sh" => Ok(Shell::Sh),
            "pwsh" => Ok(Shell::Pwsh),
            t if t.contains("{0}") => {
                let words: Vec<String> = t.split_whitespace().map(str::to_string).collect();
                if words[0].contains("{0}") {
                    return Err(format!(
                        "`{t}` starts with `{{0}}`; the first word must be the program to run"
                    ));
                }
                Ok(Shell::Template(words))
            }
            "" => Err("the shell is empty".to_string()),
            t => Err(format!("`{t}` is not a shell a checklist knows")),
        }
    }

    /// The program that must exist for the task to run: `bash`, `sh`, `pwsh`, or the first word
    /// of a template.
    #[must_use]
    pub fn program(&self) -> &str {
        match self {
            Shell::Bash => "bash",
            Shell::Sh => "sh",
            Shell::Pwsh => "pwsh",
            Shell::Template(words) => &words[0],
        }
    }

    /// How `show` and a dry run name it, before the script's first line: `bash -c`, `sh -c`,
    /// `pwsh -Command`, `python3 {0} with`.
    #[must_use]
    pub fn prefix(&self) -> String {
        match self {
            Shell::Bash => "bash -c".into(),
            Shell::Sh => "sh -c".into(),
            Shell::Pwsh => "pwsh -Command".into(),
            Shell::Template(words) => format!("{} with", words.join(" ")),
        }
    }
}

impl std::fmt::Display for Shell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shell::Template(words) => f.write_str(&words.join(" ")),
            other => f.write_str(other.program()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_value() {
        assert_eq!(Shell::parse("bash"), Ok(Shell::Bash));
        assert_eq!(Shell::parse(" sh "), Ok(Shell::Sh));
        assert_eq!(Shell::parse("pwsh"), Ok(Shell::Pwsh));
        assert_eq!(
            Shell::parse("python3  -u {0}"),
            Ok(Shell::Template(vec![
                "python3".into(),
                "-u".into(),
                "{0}".into()
            ]))
        );
        assert_eq!(Shell::parse("python3 {0}").unwrap().program(), "python3");
        assert!(Shell::parse("zsh").is_err());
        assert!(Shell::parse("{0} x").is_err());
        assert!(Shell::parse("").is_err());
    }
}
