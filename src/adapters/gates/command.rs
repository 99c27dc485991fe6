//! `command:` gates: `sh -c` in the stages.yaml directory. Without `max`/`min` the exit code is
//! the verdict (0 passes); with them, stdout must be one number, compared.

use std::process::Stdio;

use super::{plain, Env, Reading};

pub(super) async fn read(env: &Env<'_>, run: &str, wants_number: bool) -> Reading {
    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-c")
        .arg(run)
        .current_dir(&env.config.dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let limit = env.timeout.min(super::MAX_READ);
    let output = match tokio::time::timeout(limit, cmd.output()).await {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => return Reading::Error(format!("cannot start sh: {e}")),
        Err(_) => {
            return Reading::Error(format!(
                "did not finish within {}",
                crate::domain::clock::span(limit)
            ))
        }
    };
    let code = output.status.code();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last_err = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let exit = code.map_or_else(|| "killed by a signal".to_string(), |c| format!("exit {c}"));
    if !wants_number {
        return if code == Some(0) {
            Reading::Passed("exit 0".into())
        } else if last_err.is_empty() {
            Reading::Failed(exit, code.map(f64::from))
        } else {
            Reading::Failed(
                format!("{exit}: {}", plain(last_err, 80)),
                code.map(f64::from),
            )
        };
    }
    if code != Some(0) {
        let why = if last_err.is_empty() {
            String::new()
        } else {
            format!(": {}", plain(last_err, 120))
        };
        return Reading::Error(format!("the command failed ({exit}){why}"));
    }
    let words: Vec<&str> = stdout.split_whitespace().collect();
    match words.as_slice() {
        [] => Reading::NoData("the command printed nothing".into()),
        [one] => match one.parse::<f64>() {
            Ok(v) => Reading::Value(v, None),
            Err(_) => Reading::Error(format!(
                "the command printed `{}`, not a number",
                plain(one, 40)
            )),
        },
        _ => Reading::Error(format!(
            "the command printed `{}`, not one number",
            plain(&stdout, 60)
        )),
    }
}
