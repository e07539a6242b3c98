//! `driftgate explain ID`: a rule's documentation, with its thresholds' current values.

use std::path::PathBuf;

/// `driftgate explain`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The rule id, e.g. STALE-001.
    pub id: String,
    /// An estate whose params give the thresholds' current values.
    #[arg(long, value_name = "DIR")]
    pub estate: Option<PathBuf>,
    /// Folders of your own policies.
    #[arg(long = "policies", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
}

/// Print the doc; the exit code: 0 found, 2 unknown rule.
pub fn cli(_args: &Args) -> i32 {
    eprintln!("explain: not implemented yet");
    crate::report::exit::INPUT_ERROR
}
