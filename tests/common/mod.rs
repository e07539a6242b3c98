//! Helpers shared by the integration tests (each test binary includes this with `mod common;`
//! and uses what it needs).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Copy the folder `from` to `to`, recursively (a fixture estate or policy pack to change).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Audit the demo estate into `out` and return its one run folder (the audit exits 1: the demo
/// has high findings).
pub fn demo_run(out: &Path) -> PathBuf {
    let run = Command::new(env!("CARGO_BIN_EXE_driftgate"))
        .args(["audit", "fixtures/demo", "--format", "json", "--out"])
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("binary runs");
    assert_eq!(
        run.status.code(),
        Some(1),
        "the demo audit has high findings: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut runs: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(runs.len(), 1, "one run folder: {runs:?}");
    runs.pop().unwrap()
}
