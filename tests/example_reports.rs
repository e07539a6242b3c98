//! `reports/example/` holds the demo estate's run folder in every format, so a reader can see
//! driftgate's output without running it. This test keeps it current: it audits `fixtures/demo`
//! into a temporary folder and compares every report file byte for byte with the committed copy.
//! `DRIFTGATE_UPDATE_EXAMPLES=1 cargo test --test example_reports` rewrites the folder instead.
//!
//! `manifest.json` is left out: it records wall-clock times and absolute paths.

use std::path::PathBuf;

mod common;
use common::demo_run;

/// The report files every run folder holds; any other file the run writes (a new format) is
/// compared too, except `manifest.json`.
const FILES: [&str; 7] = [
    "report.json",
    "findings.csv",
    "report.sarif",
    "report.junit.xml",
    "report.md",
    "report.ocsf.jsonl",
    "report.oscal.json",
];

const REGENERATE: &str = "DRIFTGATE_UPDATE_EXAMPLES=1 cargo test --test example_reports";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn reports_example_matches_the_demo_audit() {
    let tmp = tempfile::tempdir().unwrap();
    let run = demo_run(tmp.path());
    let example = root().join("reports/example");
    let update = std::env::var_os("DRIFTGATE_UPDATE_EXAMPLES").is_some_and(|v| v == "1");
    if update {
        std::fs::create_dir_all(&example).unwrap();
    }
    let mut names: Vec<String> = std::fs::read_dir(&run)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "manifest.json")
        .collect();
    names.sort();
    for name in FILES {
        assert!(names.iter().any(|n| n == name), "the run lacks {name}");
    }
    let mut stale = Vec::new();
    for name in &names {
        let actual = std::fs::read(run.join(name)).unwrap();
        let path = example.join(name);
        if update {
            std::fs::write(&path, &actual).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(actual.as_slice()) {
            // Stale or missing.
            stale.push(format!("reports/example/{name}"));
        }
    }
    for entry in std::fs::read_dir(&example).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if names.contains(&name) {
            continue;
        }
        if update {
            std::fs::remove_file(example.join(&name)).unwrap();
        } else {
            stale.push(format!(
                "reports/example/{name} (not a report file: remove it)"
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "stale or missing: {}; review the change and regenerate with `{REGENERATE}`",
        stale.join(", ")
    );
}
