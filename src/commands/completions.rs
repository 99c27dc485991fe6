//! `rollout completions SHELL`

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::error::Result;

pub fn run(shell: Shell) -> Result<i32> {
    let mut cmd = Cli::command();
    // Written whole, and a closed stdout (`| head -1`) ends it quietly (clap_complete panics).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "rollout", &mut script);
    let _ = std::io::Write::write_all(&mut std::io::stdout(), &script);
    Ok(0)
}
