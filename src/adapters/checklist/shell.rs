//! The command line a `run:` script runs with under its [`Shell`], and finding a shell's program
//! on this machine (for the run, and for `checklist validate`).

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::domain::checklist::shell::Shell;

/// What to start for one attempt of a task: the program and its arguments.
#[derive(Debug)]
pub struct Launch {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// The file holding the script, for a template; removed when the launch is dropped, so it
    /// must live until the task's process has exited.
    script_file: Option<tempfile::TempPath>,
}

impl Launch {
    /// The file the script was written to, for a template shell.
    #[must_use]
    pub fn script_file(&self) -> Option<&Path> {
        self.script_file.as_deref()
    }
}

/// The command line that runs `script` under `shell`:
/// - `bash --noprofile --norc -e -o pipefail -c SCRIPT` (`sh -e -c SCRIPT` where there is no
///   bash): the first failing command or pipeline ends the script with its exit;
/// - `sh -c SCRIPT`: the last command decides;
/// - `pwsh -NoProfile -NonInteractive -Command SCRIPT`;
/// - a template's words, `{0}` replaced by the path of a temporary file holding the script.
pub fn launch(shell: &Shell, script: &str) -> std::io::Result<Launch> {
    let plain = |program: PathBuf, flags: &[&str]| Launch {
        program,
        args: flags
            .iter()
            .map(OsString::from)
            .chain([OsString::from(script)])
            .collect(),
        script_file: None,
    };
    Ok(match shell {
        Shell::Bash => match bash() {
            Some(bash) => plain(
                bash.to_path_buf(),
                &["--noprofile", "--norc", "-e", "-o", "pipefail", "-c"],
            ),
            None => plain(sh().to_path_buf(), &["-e", "-c"]),
        },
        Shell::Sh => plain(sh().to_path_buf(), &["-c"]),
        Shell::Pwsh => plain(
            find("pwsh").unwrap_or_else(|| "pwsh".into()),
            &["-NoProfile", "-NonInteractive", "-Command"],
        ),
        Shell::Template(words) => {
            let mut file = tempfile::Builder::new()
                .prefix("checklist-script-")
                .tempfile()?;
            file.write_all(script.as_bytes())?;
            file.flush()?;
            let path = file.into_temp_path();
            let args = words[1..]
                .iter()
                .map(|w| OsString::from(w.replace("{0}", &path.to_string_lossy())))
                .collect();
            Launch {
                program: PathBuf::from(&words[0]),
                args,
                script_file: Some(path),
            }
        }
    })
}

/// bash, found on PATH once per run (`None`: the default shell is `sh -e`).
fn bash() -> Option<&'static Path> {
    static BASH: OnceLock<Option<PathBuf>> = OnceLock::new();
    BASH.get_or_init(|| find("bash")).as_deref()
}

/// sh: `/bin/sh` where it exists (an absolute path spares the PATH search on every spawn).
fn sh() -> &'static Path {
    static SH: OnceLock<PathBuf> = OnceLock::new();
    SH.get_or_init(|| {
        let bin = Path::new("/bin/sh");
        if bin.exists() {
            bin.to_path_buf()
        } else {
            find("sh").unwrap_or_else(|| "sh".into())
        }
    })
}

/// Where `program` is: as written when it holds a `/` (relative to the current directory), else
/// the first directory of PATH holding an executable file of that name.
#[must_use]
pub fn find(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        let p = PathBuf::from(program);
        return executable(&p).then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| executable(p))
}

fn executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Whether the program `shell` needs is missing on this machine. The default shell never is:
/// without bash it runs under `sh -e`.
#[must_use]
pub fn missing(shell: &Shell) -> bool {
    match shell {
        Shell::Bash => false,
        Shell::Sh => find("sh").is_none() && !Path::new("/bin/sh").exists(),
        other => find(other.program()).is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_gets_the_script_file() {
        let shell = Shell::parse("python3 -u {0}").unwrap();
        let l = launch(&shell, "print(1)\n").unwrap();
        let file = l.script_file().unwrap().to_path_buf();
        assert_eq!(l.program, PathBuf::from("python3"));
        assert_eq!(l.args, vec![OsString::from("-u"), file.clone().into()]);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "print(1)\n");
        drop(l);
        assert!(!file.exists());
    }

    #[test]
    fn the_default_shell_stops_at_a_failure() {
        let l = launch(&Shell::Bash, "true").unwrap();
        let args: Vec<String> = l
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert!(args.contains(&"-e".to_string()), "{args:?}");
        assert_eq!(args.last().map(String::as_str), Some("true"));
        assert!(missing(&Shell::Template(vec!["no-such-program-x".into()])));
        assert!(!missing(&Shell::Sh));
    }
}
