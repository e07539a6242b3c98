//! `driftgate explain ID` specs: a rule's doc, thresholds with their current values, controls
//! with titles, and the exit code of every path (0 found, 2 unknown rule).

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

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// An estate raising stale_days to 120, with tenant `acme` overriding it to 30.
fn estate(dir: &Path) {
    std::fs::write(
        dir.join("estate.toml"),
        "name = \"Test\"\n\n[params]\nstale_days = 120\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("tenants/acme")).unwrap();
    std::fs::write(
        dir.join("tenants/acme/tenant.toml"),
        "id = \"acme\"\nname = \"Acme\"\n\n[params]\nstale_days = 30\n\n[[source]]\nname = \"entra\"\nkind = \"entra\"\npath = \"entra\"\n",
    )
    .unwrap();
}

#[test]
fn stale_001_explains_its_doc_threshold_and_controls() {
    let out = driftgate(&["explain", "STALE-001"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for says in [
        "STALE-001  Stale account",
        "severity medium · scope identity",
        "What it checks",
        "Why it matters",
        "stale_days: default 90\n",
        "NIST Cybersecurity Framework 2.0 (nist-csf-2.0)",
        "  PR.AA-01  Identities and credentials for authorized users, services, and hardware are managed by the organization",
        "  AC-2(3)  Disable Accounts",
        "  5.3  Disable Dormant Accounts",
        "Remediation\n  Disable the account, or record a time-bound waiver with an approver.",
        "Example finding\n  {\"subject\": \"ad/S-1-5-21-1004\",",
    ] {
        assert!(text.contains(says), "missing {says:?} in:\n{text}");
    }
    assert!(!text.contains("```"), "fences stripped:\n{text}");
}

#[test]
fn rule_ids_are_case_insensitive() {
    let out = driftgate(&["explain", "stale-001"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("STALE-001  Stale account\n"));
}

#[test]
fn with_an_estate_thresholds_show_estate_and_tenant_values() {
    let dir = tempfile::tempdir().unwrap();
    estate(dir.path());
    let shown = dir.path().display().to_string();
    let out = driftgate(&["explain", "STALE-001", "--estate", &shown]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("stale_days: default 90; estate 120; tenant acme 30\n"),
        "{}",
        stdout(&out)
    );
    let out = driftgate(&[
        "explain",
        "STALE-001",
        "--estate",
        &shown,
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = &json["params"][0];
    assert_eq!(
        (
            &p["name"],
            &p["default"],
            &p["estate"],
            &p["tenants"]["acme"]
        ),
        (&"stale_days".into(), &90.into(), &120.into(), &30.into())
    );
    let c = json["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["framework"] == "cis-v8")
        .unwrap();
    assert_eq!(
        (&c["id"], &c["title"], &c["framework_title"]),
        (
            &"5.3".into(),
            &"Disable Dormant Accounts".into(),
            &"CIS Critical Security Controls v8".into()
        )
    );
    assert!(json["example_finding"]
        .as_str()
        .unwrap()
        .starts_with("{\"subject\""));
}

#[test]
fn markdown_has_a_threshold_table_and_a_control_table() {
    let out = driftgate(&["explain", "STALE-001", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let md = stdout(&out);
    assert!(md.starts_with("# STALE-001 Stale account\n"), "{md}");
    assert!(md.contains("| `stale_days` | `90` |  |  |\n"), "{md}");
    assert!(
        md.contains("| CIS Critical Security Controls v8 | 5.3 | Disable Dormant Accounts |\n"),
        "{md}"
    );
    assert!(md.contains("## Example finding\n```json\n{"), "{md}");
}

#[test]
fn an_unknown_rule_exits_2_listing_known_ids_and_close_matches() {
    let out = driftgate(&["explain", "STALE-01"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("unknown rule STALE-01; known: BASE-001, "),
        "{err}"
    );
    assert!(err.contains("STALE-004"), "{err}");
    assert!(err.contains("did you mean STALE-001?"), "{err}");
    assert!(stdout(&out).is_empty());
}

#[test]
fn a_bad_estate_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = driftgate(&[
        "explain",
        "STALE-001",
        "--estate",
        &dir.path().display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no estate.toml"), "{}", stderr(&out));
}

#[test]
fn a_user_rule_is_explained_from_the_doc_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("acme_001.rego"),
        "# METADATA\n# title: Admin without an employee id\n# description: Privileged accounts must carry an employee id.\n# custom:\n#   id: ACME-001\n#   severity: high\n#   params:\n#     exempt_prefix: \"bg-\"\n#   controls:\n#     nist-csf-2.0: [\"PR.AA-05\"]\n#     nist-csf-1.1: [\"PR.AC-4\"]\n#     acme-sec: [\"ACME-1\"]\n#   remediation: Record the employee id.\npackage acme.admin_employee_id\n\nimport rego.v1\n\nfindings contains f if {\n\tsome i in input.identities\n\ti.privileged == true\n\tf := {\"subject\": i.ref, \"message\": \"x\", \"evidence\": {}}\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("acme_001.md"),
        "# ACME-001 Admin without an employee id\n\n## What it checks\nPrivileged accounts without `employment.employee_id`.\n\n## Why it matters\nAuditors trace every admin to a person.\n\n## Remediation\nRecord the employee id in the HR system.\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("controls")).unwrap();
    std::fs::write(
        dir.path().join("controls/acme.toml"),
        "key = \"acme-sec\"\ntitle = \"ACME Security Standard\"\n\n[[control]]\nid = \"ACME-1\"\ntitle = \"Admins carry an employee id\"\n",
    )
    .unwrap();
    let out = driftgate(&[
        "explain",
        "acme-001",
        "--policies",
        &dir.path().display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for says in [
        "ACME-001  Admin without an employee id",
        "What it checks\n  Privileged accounts without `employment.employee_id`.",
        "Why it matters\n  Auditors trace every admin to a person.",
        "exempt_prefix: default bg-",
        "  ACME Security Standard (acme-sec)\n    ACME-1  Admins carry an employee id",
        "Remediation\n  Record the employee id in the HR system.",
    ] {
        assert!(text.contains(says), "missing {says:?} in:\n{text}");
    }
    assert!(!text.contains("Example finding"), "{text}");
}
