//! Waiver specs through the CLI: a waiver in force waives (the finding stays, marked, and leaves
//! the gate), an expired or unapproved one does not and is reported (GOV-001, GOV-002), and a bad
//! waiver is an error naming file, key and line that stops only its tenant.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::copy_dir;

/// A copy of fixtures/`rel` in `tmp`.
fn estate(tmp: &Path, rel: &str) -> PathBuf {
    let dir = tmp.join("estate");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(rel),
        &dir,
    );
    dir
}

fn append(file: &Path, text: &str) {
    let mut s = std::fs::read_to_string(file).unwrap();
    s.push_str(text);
    std::fs::write(file, s).unwrap();
}

/// `audit --format json --no-out --fail-on low`: the report (if any), exit code and stderr.
fn audit(dir: &Path) -> (Option<Value>, i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_driftgate"))
        .args(["audit", "--format", "json", "--no-out", "--fail-on", "low"])
        .arg(dir)
        .output()
        .unwrap();
    (
        serde_json::from_slice(&out.stdout).ok(),
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn rules_fired(r: &Value) -> Vec<String> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let waived = if f.get("waived").is_some() {
                " waived"
            } else {
                ""
            };
            format!("{}{waived}", f["rule"].as_str().unwrap())
        })
        .collect()
}

fn verdict<'a>(r: &'a Value, tenant: &str, rule: &str) -> &'a Value {
    r["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == tenant)
        .unwrap()["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rule"] == rule)
        .unwrap()
}

const NORTHBROOK: &str = "tenants/northbrook/tenant.toml";

fn waiver(expires: &str, approver: &str) -> String {
    format!(
        "\n[[waiver]]\nrule = \"STALE-*\"\nsubject = \"owen.*@northbrook.example\"\nreason = \"Sabbatical\"\nowner = \"it-ops@msp.example\"\napprover = \"{approver}\"\nticket = \"NB-1\"\nexpires = {expires}\n"
    )
}

#[test]
fn a_waiver_in_force_marks_the_finding_and_leaves_the_gate() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = estate(tmp.path(), "rules/STALE-001");
    let (r, code, _) = audit(&dir);
    assert_eq!(
        (rules_fired(&r.unwrap()), code),
        (vec!["STALE-001".into()], 1)
    );

    append(
        &dir.join(NORTHBROOK),
        &waiver("2026-11-20", "hr@northbrook.example"),
    );
    let (r, code, err) = audit(&dir);
    let r = r.unwrap_or_else(|| panic!("{err}"));
    assert_eq!(rules_fired(&r), ["STALE-001 waived"]);
    assert_eq!(code, 0, "a waived finding does not fail --fail-on low");
    let v = verdict(&r, "northbrook", "STALE-001");
    assert_eq!(
        (&v["verdict"], &v["findings"], &v["waived"]),
        (&"waived".into(), &0.into(), &1.into())
    );
    let f = &r["findings"][0];
    assert_eq!(f["waived"]["declared"], format!("{NORTHBROOK}:12"));
    assert_eq!(f["waived"]["approver"], "hr@northbrook.example");
    assert!(f["evidence"].is_object(), "evidence is kept");
    assert_eq!(r["summary"]["findings"], 0);
    assert_eq!(r["summary"]["waived"], 1);
    let t = &r["tenants"][0];
    assert_eq!(
        (&t["drift"]["waivers"], &t["drift"]["score"]),
        (&1.into(), &0.into())
    );
    assert_eq!(t["counts"]["medium"], 0);
}

#[test]
fn an_expired_waiver_stops_applying_and_raises_gov_001() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = estate(tmp.path(), "rules/STALE-001");
    // as_of is 2026-11-20: a waiver that expired the day before.
    append(
        &dir.join(NORTHBROOK),
        &waiver("2026-11-19", "hr@northbrook.example"),
    );
    let (r, code, _) = audit(&dir);
    let r = r.unwrap();
    let mut fired = rules_fired(&r);
    fired.sort();
    assert_eq!(fired, ["GOV-001", "STALE-001"]);
    assert_eq!(code, 1);
    let gov = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "GOV-001")
        .unwrap();
    assert_eq!(gov["subject"]["ref"], format!("waiver:{NORTHBROOK}:12"));
    assert_eq!(gov["evidence"]["days_expired"], 1);
    assert_eq!(gov["provenance"][0]["file"], NORTHBROOK);
    assert_eq!(gov["provenance"][0]["line"], 12);
    assert_eq!(r["tenants"][0]["drift"]["waivers"], 0);
}

#[test]
fn an_estate_waiver_approved_by_its_owner_never_applies_and_raises_gov_002() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = estate(tmp.path(), "rules/STALE-001");
    std::fs::write(
        dir.join("waivers.toml"),
        format!(
            "# every north* tenant\n{}",
            waiver("2027-01-31", "IT-OPS@msp.example")
                .replace("[[waiver]]\n", "[[waiver]]\ntenant = \"north*\"\n")
        ),
    )
    .unwrap();
    let (r, _, _) = audit(&dir);
    let r = r.unwrap();
    let mut fired = rules_fired(&r);
    fired.sort();
    assert_eq!(fired, ["GOV-002", "STALE-001"]);
    let gov = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "GOV-002")
        .unwrap();
    assert_eq!(gov["subject"]["ref"], "waiver:waivers.toml:3");
    assert_eq!(gov["evidence"]["self_approved"], true);
}

#[test]
fn a_waiver_in_force_that_covers_nothing_is_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = estate(tmp.path(), "rules/STALE-001");
    append(
        &dir.join(NORTHBROOK),
        &waiver("2027-01-31", "hr@northbrook.example").replace("owen.*", "nobody"),
    );
    append(
        &dir.join(NORTHBROOK),
        "\n[[waiver]]\nrule = \"NOPE-001\"\nsubject = \"x\"\n",
    );
    let (r, _, _) = audit(&dir);
    let r = r.unwrap();
    let warnings: Vec<&str> = r["tenants"][0]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .filter(|w| w.contains("waiver"))
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0]
        .contains(":12: waiver for STALE-* on `nobody@northbrook.example` covers no finding"));
    assert!(warnings[1].contains("waiver rule `NOPE-001` matches no loaded rule"));
}

#[test]
fn a_bad_waiver_stops_its_tenant_only_naming_file_key_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = estate(tmp.path(), "demo");
    let fabrikam = dir.join("tenants/fabrikam/tenant.toml");
    let lines = std::fs::read_to_string(&fabrikam).unwrap().lines().count();
    append(
        &fabrikam,
        "\n[[waiver]]\nrule = \"STALE-001\"\nsubject = \"x\"\nexpires = \"next week\"\n",
    );
    let (r, code, _) = audit(&dir);
    let r = r.unwrap();
    assert_eq!(code, 2, "a tenant that could not be audited");
    let tenants = r["tenants"].as_array().unwrap();
    let bad = tenants.iter().find(|t| t["id"] == "fabrikam").unwrap();
    assert_eq!(bad["state"], "error");
    let e = &bad["errors"][0];
    assert_eq!(e["file"], "tenants/fabrikam/tenant.toml");
    assert_eq!(e["field"], "waiver[0].expires");
    assert_eq!(e["line"], lines + 5);
    assert!(e["message"].as_str().unwrap().contains("next week"), "{e}");
    assert!(tenants
        .iter()
        .filter(|t| t["id"] != "fabrikam")
        .all(|t| t["state"] == "audited"));
}

#[test]
fn a_bad_waivers_toml_stops_the_run_naming_file_key_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = estate(tmp.path(), "rules/STALE-001");
    std::fs::write(
        dir.join("waivers.toml"),
        "[[waiver]]\nrule = \"STALE-001\"\ntenant = \"*\"\nsubject = \"x\"\napprovr = \"me\"\n",
    )
    .unwrap();
    let (r, code, err) = audit(&dir);
    assert!(r.is_none());
    assert_eq!(code, 2);
    assert!(err.contains("waivers.toml:5"), "{err}");
    assert!(err.contains("unknown field `approvr`"), "{err}");
}
