//! `driftgate policy impact`: what a policy change does to an estate's findings.

use std::path::PathBuf;

/// `driftgate policy impact`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The base policy set: a folder, or a git revision of the policies folder.
    #[arg(long, value_name = "REF_OR_DIR")]
    pub base: String,
    /// The head policy set (default: the working tree's policies).
    #[arg(long, value_name = "DIR")]
    pub head: Option<PathBuf>,
    /// The estate to evaluate under both.
    pub estate: PathBuf,
}

/// Evaluate and print the difference; the exit code per `--fail-on-new`.
pub fn cli(_args: &Args) -> i32 {
    eprintln!("policy impact: not implemented yet");
    crate::report::exit::INPUT_ERROR
}
