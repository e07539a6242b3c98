//! Evidence manifest specs: what manifest.json lists, what `driftgate verify` reports and its exit
//! code (0 all match, 1 changed or missing, 2 not a run folder or bad manifest), and run folders
//! that are reused or refused. Each test works on its own temp copy of fixtures/demo.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::copy_dir;

fn driftgate(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftgate"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("binary runs")
}

/// A temp folder holding `demo/` (a copy of the demo estate).
fn demo_copy() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    copy_dir(&demo, &d.path().join("demo"));
    d
}

/// Audit `demo/` into `out/` and return the run folder.
fn audit(cwd: &Path) -> PathBuf {
    let out = driftgate(cwd, &["audit", "demo", "--out", "out", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    run_dir(cwd)
}

fn run_dir(cwd: &Path) -> PathBuf {
    let runs: Vec<_> = std::fs::read_dir(cwd.join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    runs[0].clone()
}

fn sha256(path: &Path) -> String {
    Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn manifest(run: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(run.join("manifest.json")).unwrap()).unwrap()
}

fn entry<'a>(m: &'a serde_json::Value, list: &str, path: &str) -> &'a serde_json::Value {
    m[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == path)
        .unwrap_or_else(|| panic!("{list} lacks {path}"))
}

fn verify(cwd: &Path, run: &Path) -> (String, String, i32) {
    let out = driftgate(cwd, &["verify", run.to_str().unwrap()]);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap(),
    )
}

#[test]
fn demo_run_manifest_lists_every_input_policy_and_report_with_its_sha256() {
    let d = demo_copy();
    let run = audit(d.path());
    let m = manifest(&run);
    assert_eq!(m["schema"], "driftgate.manifest/v1");
    assert_eq!(m["run_id"], run.file_name().unwrap().to_str().unwrap());
    assert_eq!(m["as_of"], "2026-11-20T06:00:00Z");
    assert_eq!(m["as_of_source"], "estate");
    assert_eq!(m["command_line"][1], "audit");
    assert_eq!(m["estate_root"]["given"], "demo");
    assert!(m["started_at"].as_str().unwrap() <= m["finished_at"].as_str().unwrap());
    let demo = d.path().join("demo");
    for path in [
        "estate.toml",
        "tenants/contoso/tenant.toml",
        "tenants/contoso/ad/users.csv",
        "tenants/contoso/entra/users.json",
        "msp/gdap/delegatedAdminRelationships.json",
        "msp/connectwise-members.json",
    ] {
        let e = entry(&m, "inputs", path);
        assert_eq!(e["sha256"], sha256(&demo.join(path)), "{path}");
        assert_eq!(e["size"], std::fs::metadata(demo.join(path)).unwrap().len());
    }
    // Every tenant.toml of the estate is an input.
    let tenants = std::fs::read_dir(demo.join("tenants")).unwrap().count();
    let tomls = m["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["path"].as_str().unwrap().ends_with("/tenant.toml"))
        .count();
    assert_eq!(tomls, tenants);
    // Every built-in policy file, hashed from the shipped source.
    let stale = "policies/rules/stale/stale_001.rego";
    let e = entry(&m, "policies", &format!("builtin:{stale}"));
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(e["sha256"], sha256(&repo.join(stale)));
    let rego_files = m["policies"].as_array().unwrap().len();
    assert!(rego_files > 20, "{rego_files} policy files");
    assert_eq!(m["policy_pack_revision"].as_str().unwrap().len(), 64);
    // Every report file in the folder, but not the manifest itself.
    let mut names: Vec<String> = std::fs::read_dir(&run)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "manifest.json")
        .collect();
    names.sort();
    let listed: Vec<&str> = m["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(listed, names);
    for name in ["report.json", "findings.csv"] {
        assert_eq!(
            entry(&m, "reports", name)["sha256"],
            sha256(&run.join(name))
        );
    }
}

#[test]
fn verify_a_fresh_run_exits_0() {
    let d = demo_copy();
    let run = audit(d.path());
    let (stdout, stderr, code) = verify(d.path(), &run);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("changed: 0, missing: 0, unchanged: "),
        "{stdout}"
    );
}

#[test]
fn verify_names_a_changed_input_and_exits_1() {
    let d = demo_copy();
    let run = audit(d.path());
    let users = d.path().join("demo/tenants/contoso/ad/users.csv");
    let mut bytes = std::fs::read(&users).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&users, bytes).unwrap();
    let (stdout, _, code) = verify(d.path(), &run);
    assert_eq!(code, 1, "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.contains("tenants/contoso/ad/users.csv"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.starts_with("changed  input"), "{line}");
    assert!(stdout.contains("changed: 1, missing: 0,"), "{stdout}");
}

#[test]
fn verify_reports_a_deleted_input_missing() {
    let d = demo_copy();
    let run = audit(d.path());
    std::fs::remove_file(
        d.path()
            .join("demo/msp/gdap/delegatedAdminRelationships.json"),
    )
    .unwrap();
    let (stdout, _, code) = verify(d.path(), &run);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("missing  input  msp/gdap/delegatedAdminRelationships.json"),
        "{stdout}"
    );
    assert!(stdout.contains("changed: 0, missing: 1,"), "{stdout}");
}

#[test]
fn verify_names_an_edited_report_json() {
    let d = demo_copy();
    let run = audit(d.path());
    let report = run.join("report.json");
    let text = std::fs::read_to_string(&report).unwrap();
    std::fs::write(&report, text.replacen("critical", "low", 1)).unwrap();
    let (stdout, _, code) = verify(d.path(), &run);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("changed  report report.json"), "{stdout}");
}

#[test]
fn verify_a_folder_that_is_not_a_run_folder_exits_2_naming_it() {
    let d = demo_copy();
    let (stdout, stderr, code) = verify(d.path(), Path::new("demo"));
    assert_eq!(code, 2, "{stdout}");
    assert_eq!(
        stderr.trim(),
        "error: demo: not a driftgate run folder (no manifest.json)"
    );
}

#[test]
fn verify_a_manifest_of_another_schema_or_not_json_exits_2_naming_file_and_field() {
    let d = demo_copy();
    let run = audit(d.path());
    let file = run.join("manifest.json");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace("driftgate.manifest/v1", "driftgate.manifest/v0"),
    )
    .unwrap();
    let (_, stderr, code) = verify(d.path(), &run);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("manifest.json: field `schema`"), "{stderr}");
    assert!(stderr.contains("driftgate.manifest/v0"), "{stderr}");
    std::fs::write(&file, &text[..text.len() / 2]).unwrap();
    let (_, stderr, code) = verify(d.path(), &run);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("manifest.json: not valid JSON"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn the_same_audit_twice_lands_in_the_same_folder() {
    let d = demo_copy();
    let run = audit(d.path());
    let report = std::fs::read(run.join("report.json")).unwrap();
    assert_eq!(audit(d.path()), run, "one run folder, reused");
    assert_eq!(std::fs::read(run.join("report.json")).unwrap(), report);
    let (stdout, _, code) = verify(d.path(), &run);
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn an_earlier_folder_with_a_different_report_is_not_overwritten() {
    let d = demo_copy();
    let run = audit(d.path());
    let before: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&run)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect();
    std::fs::write(run.join("report.json"), "{}").unwrap();
    let out = driftgate(d.path(), &["audit", "demo", "--out", "out"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("different report.json"), "{stderr}");
    assert!(stderr.contains("not overwriting"), "{stderr}");
    for (p, bytes) in before {
        let now = std::fs::read(&p).unwrap();
        if p.ends_with("report.json") {
            assert_eq!(now, b"{}");
        } else {
            assert_eq!(now, bytes, "{} rewritten", p.display());
        }
    }
}

#[test]
fn a_folder_that_is_not_a_run_folder_is_not_written_into() {
    let d = demo_copy();
    let run = audit(d.path());
    for e in std::fs::read_dir(&run).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    std::fs::write(run.join("notes.txt"), "mine").unwrap();
    let out = driftgate(d.path(), &["audit", "demo", "--out", "out"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not a driftgate run folder"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(&run).unwrap().collect();
    assert_eq!(left.len(), 1, "only notes.txt");
}
