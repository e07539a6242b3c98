//! Control catalogues end to end: the shipped titles reach report.json and the HTML control
//! view, a user's `controls/*.toml` adds a framework its own rules map to, and a broken catalogue
//! is a policy error (exit 3) naming file and line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

const ACME_RULE: &str = r#"# METADATA
# title: Admin without an employee id
# description: Privileged accounts must carry an employee id.
# custom:
#   id: ACME-001
#   severity: low
#   scope: identity
#   applies_to:
#     privileged: [true]
#   controls:
#     nist-csf-1.1: ["PR.AC-4"]
#     nist-csf-2.0: ["PR.AA-05"]
#     acme-sec: ["ACME-1", "ACME-9"]
#   remediation: Record the employee id in the directory.
package driftgate.rules.acme_001

import rego.v1

findings contains f if {
	some i in input.identities
	i.privileged == true
	f := {
		"subject": i.ref,
		"message": "privileged account",
		"evidence": {"privileged": true},
	}
}
"#;

const ACME_CONTROLS: &str = "key = \"acme-sec\"\ntitle = \"ACME Security Standard\"\n\n[[control]]\nid = \"ACME-1\"\ntitle = \"Admins carry an employee id\"\n";

/// A user policy folder with ACME-001 and the `acme-sec` catalogue.
fn user_pack(dir: &Path) {
    std::fs::write(dir.join("acme_001.rego"), ACME_RULE).unwrap();
    std::fs::create_dir(dir.join("controls")).unwrap();
    std::fs::write(dir.join("controls/acme.toml"), ACME_CONTROLS).unwrap();
}

fn audit(policies: &Path, format: &str) -> Output {
    driftgate(&[
        "audit",
        "fixtures/demo",
        "--policies",
        &policies.display().to_string(),
        "--format",
        format,
        "--no-out",
    ])
}

#[test]
fn a_user_framework_reaches_report_json_and_the_html_control_view() {
    let dir = tempfile::tempdir().unwrap();
    user_pack(dir.path());
    let out = audit(dir.path(), "json");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(json["policy_errors"].as_array().unwrap().is_empty());
    let acme = &json["frameworks"]["acme-sec"];
    assert_eq!(acme["title"], "ACME Security Standard");
    assert_eq!(
        acme["controls"],
        serde_json::json!({"ACME-1": "Admins carry an employee id"}),
        "referenced and known only: ACME-9 has no title"
    );
    assert_eq!(
        json["frameworks"]["nist-csf-2.0"]["controls"]["PR.AA-05"],
        "Access permissions, entitlements, and authorizations are defined in a policy, managed, enforced, and reviewed, and incorporate the principles of least privilege and separation of duties"
    );
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "ACME-001"),
        "the user rule ran"
    );

    let out = audit(dir.path(), "html");
    let html = String::from_utf8_lossy(&out.stdout);
    assert!(
        html.contains("<h3>ACME Security Standard (acme-sec)</h3>"),
        "framework title in the control view"
    );
    assert!(
        html.contains(
            "<th>acme-sec ACME-1 <span class=meta>Admins carry an employee id</span></th>"
        ),
        "control title in the control view"
    );
    assert!(
        html.contains("<th>acme-sec ACME-9</th>"),
        "an unknown control shows its id alone"
    );
}

#[test]
fn shipped_reports_carry_only_the_referenced_controls() {
    let out = driftgate(&["audit", "fixtures/demo", "--format", "json", "--no-out"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fw = json["frameworks"].as_object().unwrap();
    assert_eq!(
        fw.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "cis-v8",
            "iso-27001-2022",
            "nist-csf-1.1",
            "nist-csf-2.0",
            "nist-sp-800-207",
            "nist-sp-800-53r5",
            "owasp-nhi-2025",
            "soc2-2017"
        ]
    );
    assert_eq!(fw["cis-v8"]["controls"]["5.3"], "Disable Dormant Accounts");
    assert!(
        fw["cis-v8"]["controls"].get("6.6").is_none(),
        "no rule maps to CIS 6.6"
    );
    for rule in json["rules"].as_array().unwrap() {
        for (key, ids) in rule["controls"].as_object().unwrap() {
            for id in ids.as_array().unwrap() {
                assert!(
                    fw[key]["controls"][id.as_str().unwrap()].is_string(),
                    "{} {key} {id} has no title",
                    rule["id"]
                );
            }
        }
    }
}

#[test]
fn a_broken_catalogue_is_a_policy_error_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    user_pack(dir.path());
    std::fs::write(
        dir.path().join("controls/more.toml"),
        "key = \"acme-sec\"\n\n[[control]]\nid = \"ACME-1\"\ntitle = \"again\"\n",
    )
    .unwrap();
    let out = audit(dir.path(), "json");
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("more.toml:4: ")
            && err.contains("control `ACME-1` of `acme-sec` is already defined in"),
        "{err}"
    );
}

#[test]
fn the_shipped_folder_as_a_user_pack_brings_its_own_catalogues() {
    let out = driftgate(&[
        "audit",
        "fixtures/demo",
        "--no-builtin",
        "--policies",
        "policies",
        "--format",
        "json",
        "--no-out",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(json["policy_errors"].as_array().unwrap().is_empty());
    assert_eq!(
        json["frameworks"]["cis-v8"]["controls"]["5.3"],
        "Disable Dormant Accounts"
    );
}
