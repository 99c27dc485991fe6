//! `rollout completions SHELL` and `checklist completions SHELL`.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::domain::error::Result;

/// Prints the completion script of the command line `C` (whose binary is `name`) for `shell`.
pub fn run<C: CommandFactory>(shell: Shell, name: &str) -> Result<i32> {
    let mut cmd = C::command();
    // Written whole, and a closed stdout (`| head -1`) ends it quietly (clap_complete panics).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, name, &mut script);
    let _ = std::io::Write::write_all(&mut std::io::stdout(), &script);
    Ok(0)
}
