//! CLI specs for run-to-run drift: `driftgate diff OLD NEW` and `audit --baseline`, with exit codes
//! (0 nothing new or regressed, 1 new or regressed findings, 2 usage/input error).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::copy_dir;

const BOB: &str = "aws/arn:aws:iam::210987654321:user/bob.martin";
const ALICE: &str = "aws/arn:aws:iam::210987654321:user/alice.ng";

fn driftgate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftgate"))
        .args(args)
        .output()
        .expect("binary runs")
}

/// A copy of the demo estate in `tmp/name`, without the AWS credential-report lines of `drop`.
fn demo_without(tmp: &Path, name: &str, drop: &[&str]) -> PathBuf {
    let dir = tmp.join(name);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo"),
        &dir,
    );
    let csv = dir.join("tenants/adatum/aws/credential-report.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let kept: String = text
        .lines()
        .filter(|l| !drop.iter().any(|d| l.starts_with(&format!("{d},"))))
        .map(|l| format!("{l}\n"))
        .collect();
    let dropped = text.lines().count() - kept.lines().count();
    assert_eq!(dropped, drop.len(), "each named line was dropped");
    std::fs::write(csv, kept).unwrap();
    dir
}

/// Audit `estate` into `tmp/out` and return the one run folder and the audit's output.
fn audit(estate: &Path, out: &Path, extra: &[&str]) -> (PathBuf, Output) {
    let (e, o) = (estate.display().to_string(), out.display().to_string());
    let output = driftgate(&[&["audit", &e, "--format", "json", "--out", &o], extra].concat());
    let mut runs: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stderr)))
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(runs.len(), 1);
    (runs.remove(0), output)
}

/// Runs of the demo: `full` (nothing dropped), `no_bob` (bob.martin dropped), `no_alice`.
struct Runs {
    _tmp: tempfile::TempDir,
    full: PathBuf,
    no_bob: PathBuf,
    no_alice: PathBuf,
}

fn runs() -> Runs {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let (full, _) = audit(&demo_without(t, "full", &[]), &t.join("FULL"), &[]);
    let (no_bob, _) = audit(&demo_without(t, "nb", &["bob.martin"]), &t.join("NB"), &[]);
    let (no_alice, _) = audit(&demo_without(t, "na", &["alice.ng"]), &t.join("NA"), &[]);
    Runs {
        _tmp: tmp,
        full,
        no_bob,
        no_alice,
    }
}

fn diff_json(old: &Path, new: &Path) -> (Value, i32) {
    let out = driftgate(&[
        "diff",
        &old.display().to_string(),
        &new.display().to_string(),
        "--format",
        "json",
    ]);
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (json, out.status.code().unwrap())
}

/// `RULE SUBJECT` of one tenant's list, in the diff's order.
fn listed(d: &Value, tenant: &str, list: &str) -> Vec<String> {
    let t = d["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tenant"] == tenant)
        .unwrap();
    t[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["rule"].as_str().unwrap(),
                f["subject"].as_str().unwrap()
            )
        })
        .collect()
}

fn fingerprints(report_dir: &Path, subject: &str) -> Vec<String> {
    let r: Value =
        serde_json::from_slice(&std::fs::read(report_dir.join("report.json")).unwrap()).unwrap();
    let mut fps: Vec<String> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["subject"]["ref"] == subject)
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    fps.sort();
    fps
}

#[test]
fn new_and_resolved_findings_by_fingerprint_exit_1_when_something_is_new() {
    let r = runs();
    let (d, code) = diff_json(&r.no_bob, &r.no_alice);
    assert_eq!(code, 1, "new findings gate CI");
    assert_eq!(
        listed(&d, "adatum", "new"),
        [
            format!("BASE-002 {BOB}"),
            format!("DRIFT-001 {BOB}"),
            format!("STALE-002 {BOB}")
        ]
    );
    assert_eq!(
        listed(&d, "adatum", "resolved"),
        [format!("DRIFT-001 {ALICE}")]
    );
    let mut new_fps: Vec<String> = d["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["new"].as_array().unwrap().clone())
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    new_fps.sort();
    assert_eq!(new_fps, fingerprints(&r.no_alice, BOB));
    assert_eq!(d["totals"]["new"], 3);
    assert_eq!(d["totals"]["resolved"], 1);
    assert_eq!(d["totals"]["regressed"], 0);

    let table = driftgate(&[
        "diff",
        &r.no_bob.display().to_string(),
        &r.no_alice.display().to_string(),
    ]);
    assert_eq!(table.status.code(), Some(1));
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains("BASE-002") && text.contains("pass │ fail"),
        "{text}"
    );
    assert!(text.contains("3 new, 1 resolved"), "{text}");
}

#[test]
fn only_resolved_findings_exit_0() {
    let r = runs();
    let (d, code) = diff_json(&r.full, &r.no_bob);
    assert_eq!(code, 0);
    assert_eq!(d["totals"]["new"], 0);
    assert_eq!(d["totals"]["resolved"], 3);
    assert_eq!(listed(&d, "adatum", "resolved").len(), 3);
}

#[test]
fn a_run_against_itself_is_all_persisting() {
    let r = runs();
    let report = r.full.join("report.json");
    let (d, code) = diff_json(&r.full, &report);
    assert_eq!(code, 0);
    let findings = serde_json::from_slice::<Value>(&std::fs::read(&report).unwrap()).unwrap()
        ["findings"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        d["totals"],
        serde_json::json!({"new": 0, "resolved": 0, "persisting": findings, "regressed": 0,
                           "verdicts_changed": 0})
    );
}

#[test]
fn json_has_the_documented_shape() {
    let r = runs();
    let (d, _) = diff_json(&r.no_bob, &r.no_alice);
    assert_eq!(d["schema"], "driftgate.diff/v1");
    let run_name = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(d["old"]["run"], run_name(&r.no_bob));
    assert_eq!(d["new"]["run"], run_name(&r.no_alice));
    assert_eq!(d["new"]["as_of"], "2026-11-20T06:00:00Z");
    let tenants = d["tenants"].as_array().unwrap();
    let ids: Vec<&str> = tenants
        .iter()
        .map(|t| t["tenant"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "tenants in id order");
    let adatum = tenants.iter().find(|t| t["tenant"] == "adatum").unwrap();
    let keys: Vec<&String> = adatum.as_object().unwrap().keys().collect();
    for k in [
        "tenant",
        "score_old",
        "score_new",
        "score_delta",
        "new",
        "resolved",
        "persisting",
        "regressed",
        "verdicts_changed",
    ] {
        assert!(keys.iter().any(|x| *x == k), "missing {k}");
    }
    assert!(adatum["score_old"].is_u64() && adatum["score_delta"].is_i64());
    assert_eq!(
        adatum["verdicts_changed"],
        serde_json::json!([{"rule": "BASE-002", "old": "pass", "new": "fail"}])
    );
    for k in ["rule", "subject", "severity", "fingerprint"] {
        assert!(adatum["new"][0].get(k).is_some(), "finding lacks {k}");
    }
}

#[test]
fn bad_inputs_exit_2_naming_the_path() {
    let r = runs();
    let tmp = tempfile::tempdir().unwrap();
    let good = r.full.display().to_string();
    let check = |bad: &Path, want: &str| {
        let shown = bad.display().to_string();
        for args in [[&good, &shown], [&shown, &good]] {
            let out = driftgate(&["diff", args[0], args[1]]);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{err}");
            assert!(err.contains(&shown) && err.contains(want), "{err}");
        }
    };
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    check(&empty, "not a run folder");

    let broken = tmp.path().join("broken");
    std::fs::create_dir(&broken).unwrap();
    std::fs::write(broken.join("report.json"), "{ not json").unwrap();
    check(&broken, "invalid JSON");

    let old = tmp.path().join("old");
    std::fs::create_dir(&old).unwrap();
    let mut report: Value =
        serde_json::from_slice(&std::fs::read(r.full.join("report.json")).unwrap()).unwrap();
    report["schema"] = "driftgate.report/v0".into();
    std::fs::write(old.join("report.json"), report.to_string()).unwrap();
    check(&old, "baseline run from an older schema version");

    let out = driftgate(&["diff", &good]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a missing NEW_RUN is a usage error"
    );
}

#[test]
fn audit_baseline_writes_diff_json_and_prints_the_summary() {
    let r = runs();
    let tmp = tempfile::tempdir().unwrap();
    let estate = demo_without(tmp.path(), "na", &["alice.ng"]);
    let baseline = r.no_bob.display().to_string();
    let (run, out) = audit(&estate, &tmp.path().join("out"), &["--baseline", &baseline]);
    assert_eq!(out.status.code(), Some(1), "audit's exit code is unchanged");
    let err = String::from_utf8_lossy(&out.stderr);
    let name = r.no_bob.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        err.contains(&format!(
            "vs baseline {name}: 3 new, 1 resolved, 73 persisting, 0 regressed"
        )),
        "{err}"
    );
    let written: Value =
        serde_json::from_slice(&std::fs::read(run.join("diff.json")).unwrap()).unwrap();
    let (direct, _) = diff_json(&r.no_bob, &run);
    assert_eq!(written, direct, "diff.json is what `driftgate diff` prints");
    let manifest = std::fs::read_to_string(run.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"diff.json\""), "diff.json is hashed");
    let verify = driftgate(&["verify", &run.display().to_string()]);
    assert_eq!(verify.status.code(), Some(0));

    // The run carries the baseline's drift scores as the start of its trend, shown in the HTML
    // report; a run compared with it carries both, oldest first.
    let read = |dir: &Path| -> Value {
        serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap()
    };
    let report = read(&run);
    assert_eq!(report["trend"].as_array().unwrap().len(), 1);
    assert_eq!(report["trend"][0]["run"], name.as_str());
    assert_eq!(
        report["trend"][0]["scores"]["adatum"],
        read(&r.no_bob)["tenants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == "adatum")
            .unwrap()["drift"]["score"]
    );
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert!(
        html.contains("Drift score trend"),
        "the HTML shows the trend"
    );
    let second = run.display().to_string();
    let (third, _) = audit(&estate, &tmp.path().join("out3"), &["--baseline", &second]);
    let trend = read(&third)["trend"].clone();
    assert_eq!(trend.as_array().unwrap().len(), 2);
    assert_eq!(trend[0]["run"], name.as_str());
    assert_eq!(
        trend[1]["run"],
        run.file_name().unwrap().to_string_lossy().as_ref()
    );
    // Without a baseline: no trend, no comparison.
    let (plain, _) = audit(&estate, &tmp.path().join("out4"), &[]);
    assert!(read(&plain).get("trend").is_none());
    assert!(!plain.join("diff.json").exists());
    assert!(!std::fs::read_to_string(plain.join("report.html"))
        .unwrap()
        .contains("Drift score trend"));

    let bad = tmp.path().join("nothing-here");
    let (e, b) = (estate.display().to_string(), bad.display().to_string());
    let out = driftgate(&["audit", &e, "--no-out", "--baseline", &b]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&b) && err.contains("not a run folder"),
        "{err}"
    );
}
