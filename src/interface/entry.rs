//! The two binaries' entry points: parse the command line, set up output and the async runtime,
//! run the command, and turn its result into the exit code.

use std::ffi::OsString;

use clap::Parser;

use crate::adapters::interrupt;
use crate::domain::error;
use crate::interface::cli::{self, Cli};
use crate::interface::commands;
use crate::interface::output::Output;

/// Parses `args` as `C`, sets up the output policy and an async runtime, runs `body`, and turns
/// its result into the exit code (an error is printed once, here).
fn run_main<C, I, T, F, Fut>(args: I, global: fn(&C) -> &cli::GlobalArgs, body: F) -> i32
where
    C: Parser,
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
    F: FnOnce(C, Output) -> Fut,
    Fut: std::future::Future<Output = error::Result<i32>>,
{
    let cli = match C::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let err = cli::suggest_subcommand(err, &C::command());
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return code;
        }
    };
    let out = Output::new(global(&cli));
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            out.error(&error::Error::failed(format!(
                "cannot start the async runtime: {e}"
            )));
            return 1;
        }
    };
    let result = runtime.block_on(body(cli, out.clone()));
    // A prompt may still be blocked reading the terminal: do not wait for it.
    runtime.shutdown_background();
    match result {
        Ok(code) => code,
        Err(err) => {
            out.error(&err);
            err.exit_code()
        }
    }
}

/// Runs `rollout` with `args` (including the program name) and returns the exit code.
pub fn run_rollout<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    run_main(
        args,
        |cli: &Cli| &cli.global,
        |cli, out| async move {
            // Ctrl-C and SIGTERM stop the run, except during a change (see `interrupt`).
            if let Err(e) = interrupt::listen() {
                out.warn(&format!("cannot catch Ctrl-C: {e}"));
            }
            tokio::select! {
                r = commands::run(cli, out) => r,
                why = interrupt::stop_requested() => Err(error::Error::new(error::Kind::Interrupted, why)),
            }
        },
    )
}

/// Runs `checklist` with `args` (including the program name) and returns the exit code.
pub fn run_checklist<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    // `checklist run` catches Ctrl-C itself, to stop its tasks and record the run.
    run_main(
        args,
        |cli: &cli::ChecklistCli| &cli.global,
        commands::checklist::run,
    )
}
