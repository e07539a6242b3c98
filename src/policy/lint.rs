//! `driftgate policy lint`: checks a policy pack the way Regal and a reviewer would.

use std::path::PathBuf;

/// `driftgate policy lint`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folders of your own policies (the built-in pack is linted too unless --no-builtin).
    pub dirs: Vec<PathBuf>,
    /// Do not lint the built-in pack.
    #[arg(long)]
    pub no_builtin: bool,
}

/// Lint and print the problems; the exit code: 0 clean, 1 problems.
pub fn cli(_args: &Args) -> i32 {
    eprintln!("policy lint: not implemented yet");
    crate::report::exit::INPUT_ERROR
}
