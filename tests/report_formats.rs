//! The machine formats of the demo: SARIF validated against a schema, the run folder holding every
//! format. (Byte-level snapshots of each format live in tests/cli.rs.)

use std::path::PathBuf;
use std::process::{Command, Output};

mod common;
use common::copy_dir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn driftgate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftgate"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("binary runs")
}

/// tests/schemas/sarif-2.1.0-subset.json is a hand-written subset of the official SARIF 2.1.0
/// schema (the official file could not be vendored offline): it pins what GitHub code scanning
/// requires: `$schema`, `version`, a driver name, and for every result a rule id, a message and
/// a physical location with a relative URI.
#[test]
fn demo_sarif_is_valid_against_the_sarif_2_1_0_subset_schema() {
    let out = driftgate(&["audit", "fixtures/demo", "--no-out", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/schemas/sarif-2.1.0-subset.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    // A document that breaks a GitHub requirement is rejected by the schema.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"] = "/abs/users.json".into();
    assert!(!validator.is_valid(&broken));
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["locations"] = serde_json::json!([]);
    assert!(!validator.is_valid(&broken));
}

#[test]
fn the_run_folder_holds_every_format_matching_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    let run = driftgate(&["audit", "fixtures/demo", "--out", &out, "--format", "json"]);
    assert_eq!(run.status.code(), Some(1));
    let runs: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    let folder = runs[0].as_ref().unwrap().path();
    for (file, format) in [
        ("report.json", "json"),
        ("findings.csv", "csv"),
        ("report.sarif", "sarif"),
        ("report.junit.xml", "junit"),
        ("report.md", "markdown"),
        ("report.ocsf.jsonl", "ocsf"),
        ("report.oscal.json", "oscal"),
        ("report.html", "html"),
    ] {
        let stdout = driftgate(&["audit", "fixtures/demo", "--no-out", "--format", format]).stdout;
        assert_eq!(
            std::fs::read(folder.join(file)).unwrap(),
            stdout,
            "{file} differs from --format {format}"
        );
    }
}

/// An export that carries secret material (a client secret's `secretText`, as Graph returns it
/// right after `addPassword`) must not leak it into any report file, nor the secret's `hint`
/// (its first three characters).
#[test]
fn no_secret_material_reaches_any_report_file() {
    let dir = tempfile::tempdir().unwrap();
    let estate = dir.path().join("demo");
    copy_dir(&root().join("fixtures/demo"), &estate);
    let apps = estate.join("tenants/adatum/entra/applications.json");
    const SECRET: &str = "Zq8~hX2vNf0_TOPSECRET.value-9";
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&apps).unwrap()).unwrap();
    let mut hints = Vec::new();
    for app in doc["value"].as_array_mut().unwrap() {
        for c in app["passwordCredentials"].as_array_mut().unwrap() {
            c["secretText"] = serde_json::Value::from(SECRET);
            hints.push(c["hint"].as_str().unwrap().to_string());
        }
    }
    assert!(!hints.is_empty());
    std::fs::write(&apps, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let out = dir.path().join("out");
    let run = driftgate(&[
        "audit",
        &estate.display().to_string(),
        "--out",
        &out.display().to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    assert!(!String::from_utf8_lossy(&run.stdout).contains(SECRET));
    let folder = std::fs::read_dir(&out)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut files = 0;
    for e in std::fs::read_dir(&folder).unwrap() {
        let path = e.unwrap().path();
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        assert!(
            !text.contains(SECRET),
            "{} holds the secret",
            path.display()
        );
        for hint in &hints {
            assert!(
                !text.contains(&format!("\"{hint}\"")),
                "{} holds the secret hint {hint}",
                path.display()
            );
        }
        files += 1;
    }
    assert!(
        files >= 9,
        "every format and the manifest were checked: {files}"
    );
}
