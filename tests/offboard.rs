//! CLI specs for `driftgate offboard-check`: the paths the MSP still has into a departed client,
//! the evidence document in every format, and the exit code (0 zero remaining access, 1 access
//! remains or is not proven, 2 usage/config/input error).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::copy_dir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn demo() -> PathBuf {
    root().join("fixtures/demo")
}

fn driftgate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftgate"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("binary runs")
}

/// `offboard-check TENANT --estate ESTATE --format F`: (stdout, stderr, exit code).
fn check(estate: &Path, tenant: &str, format: &str) -> (String, String, i32) {
    let estate = estate.display().to_string();
    let out = driftgate(&[
        "offboard-check",
        tenant,
        "--estate",
        &estate,
        "--format",
        format,
    ]);
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

fn json(estate: &Path, tenant: &str) -> (Value, i32) {
    let (out, err, code) = check(estate, tenant, "json");
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    (v, code)
}

const GDAP: &str = "msp/gdap/delegatedAdminRelationships.json";
const WOODGROVE_REL: &str = "Woodgrove-Helpdesk-2026";

/// A temp copy of the demo estate with the Woodgrove relationship changed by `edit`.
fn demo_with_relationship(
    edit: impl FnOnce(&mut serde_json::Map<String, Value>),
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&demo(), dir.path());
    let file = dir.path().join(GDAP);
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let rel = doc["value"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["displayName"] == WOODGROVE_REL)
        .unwrap();
    edit(rel.as_object_mut().unwrap());
    std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    dir
}

fn terminated() -> tempfile::TempDir {
    demo_with_relationship(|r| {
        r.insert("status".into(), "terminated".into());
        r.insert("endDateTime".into(), "2026-10-01T12:00:00Z".into());
        r.insert("lastModifiedDateTime".into(), "2026-10-01T12:00:00Z".into());
    })
}

/// `kind subject status access` per path.
fn paths(doc: &Value) -> Vec<String> {
    doc["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {} {} {}",
                p["kind"].as_str().unwrap(),
                p["subject"].as_str().unwrap(),
                p["status"].as_str().unwrap(),
                p["access"].as_str().unwrap()
            )
        })
        .collect()
}

const REL_REF: &str =
    "gdap/6e4d3c2b-0a9f-4f8e-b7c6-5b4a3f2e1d0c-6a1f3c5e-8b2d-4e7f-9a04-2c6e8b1d3f57";

#[test]
fn woodgrove_gdap_relationship_is_remaining_access_with_its_provenance() {
    let (doc, code) = json(&demo(), "woodgrove");
    assert_eq!(code, 1);
    assert_eq!(doc["schema"], "driftgate.offboard/v1");
    assert_eq!(doc["verdict"], "access_remains");
    assert_eq!(doc["tenant"]["status"], "departed");
    assert_eq!(doc["as_of"], "2026-11-20T06:00:00Z");
    assert_eq!(doc["generated_at"], doc["as_of"]);
    assert_eq!(
        paths(&doc),
        [
            format!("gdap_relationship {REL_REF} active remaining"),
            format!(
                "gdap_access_container {REL_REF}#b2e1d3c4-5f6a-4b7c-9d8e-0f1a2b3c4d5e active remaining"
            ),
        ]
    );
    let rel = &doc["paths"][0];
    assert_eq!(rel["provenance"]["source"], "gdap");
    assert_eq!(rel["provenance"]["file"], GDAP);
    assert_eq!(rel["provenance"]["record"], 3);
    assert_eq!(rel["status_raw"], "active");
    assert_eq!(rel["ends"], "2027-01-11T09:00:00Z");
    assert_eq!(rel["auto_extend_days"], 0);
    assert!(rel["what"].as_str().unwrap().contains(WOODGROVE_REL));
    assert_eq!(rel["findings"], serde_json::json!(["LIFE-001"]));
    let container = &doc["paths"][1];
    assert_eq!(
        container["technicians"],
        serde_json::json!(["sam.dube@northwind-msp.example"])
    );
    assert!(container["what"]
        .as_str()
        .unwrap()
        .contains("GDAP Escalation Admins"));
    let findings: Vec<String> = doc["findings"]
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
        .collect();
    assert_eq!(findings, [format!("LIFE-001 {REL_REF}")]);
    assert!(doc["statement"]
        .as_str()
        .unwrap()
        .starts_with("Access remains as of 2026-11-20T06:00:00Z: the MSP still has 2 paths"));
    assert_eq!(doc["sign_off"]["prepared_by"], "");

    let (table, _, code) = check(&demo(), "woodgrove", "table");
    assert_eq!(code, 1);
    assert!(table.contains("REMAINING"), "{table}");
    assert!(
        table.contains(&format!("gdap (gdap): {GDAP} (record 3)")),
        "{table}"
    );
    assert!(table.contains("Prepared by: ____"), "{table}");
}

#[test]
fn a_terminated_relationship_gives_the_zero_remaining_access_proof() {
    let estate = terminated();
    let (doc, code) = json(estate.path(), "woodgrove");
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["verdict"], "zero_remaining_access");
    assert_eq!(
        paths(&doc),
        [
            format!("gdap_relationship {REL_REF} terminated closed"),
            format!(
                "gdap_access_container {REL_REF}#b2e1d3c4-5f6a-4b7c-9d8e-0f1a2b3c4d5e terminated closed"
            ),
        ]
    );
    assert_eq!(doc["findings"], serde_json::json!([]));
    for format in ["table", "markdown", "html"] {
        let (out, _, code) = check(estate.path(), "woodgrove", format);
        assert_eq!(code, 0);
        assert!(
            out.contains("Zero remaining access as of 2026-11-20T06:00:00Z"),
            "{format}: {out}"
        );
    }
}

#[test]
fn a_relationship_without_status_is_unknown_never_closed() {
    let estate = demo_with_relationship(|r| {
        r.remove("status");
    });
    let (doc, code) = json(estate.path(), "woodgrove");
    assert_eq!(code, 1, "unknown is not proof of removal");
    assert_eq!(doc["verdict"], "not_proven");
    assert_eq!(doc["paths"][0]["status"], "unknown");
    assert_eq!(doc["paths"][0]["access"], "unknown");
    assert_eq!(doc["counts"]["closed"], 0);
    let (table, _, _) = check(estate.path(), "woodgrove", "table");
    assert!(!table.contains("Zero remaining access"), "{table}");
    assert!(table.contains("UNKNOWN"), "{table}");
}

#[test]
fn an_msp_technician_guest_in_the_client_directory_is_a_path() {
    let dir = terminated();
    let users = dir.path().join("tenants/woodgrove/entra/users.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&users).unwrap()).unwrap();
    let mut guest = doc["value"][0].clone();
    let g = guest.as_object_mut().unwrap();
    g.insert("id".into(), "9d1e2f3a-4b5c-4d6e-8f7a-0b1c2d3e4f5a".into());
    g.insert(
        "userPrincipalName".into(),
        "jo.reyes_northwind-msp.example#EXT#@woodgrovebank.onmicrosoft.com".into(),
    );
    g.insert("displayName".into(), "Jo Reyes (Northwind)".into());
    g.insert("mail".into(), "jo.reyes@northwind-msp.example".into());
    g.insert("userType".into(), "Guest".into());
    doc["value"].as_array_mut().unwrap().push(guest);
    std::fs::write(&users, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let (doc, code) = json(dir.path(), "woodgrove");
    assert_eq!(code, 1);
    let guest = doc["paths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["subject"] == "entra/9d1e2f3a-4b5c-4d6e-8f7a-0b1c2d3e4f5a")
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert_eq!(guest["kind"], "technician_account");
    assert_eq!(guest["access"], "remaining");
    assert_eq!(
        guest["provenance"]["file"],
        "tenants/woodgrove/entra/users.json"
    );
    assert_eq!(guest["provenance"]["record"], 2);
    let why = guest["attributed_by"][0].as_str().unwrap();
    assert!(
        why.contains("jo.reyes@northwind-msp.example") && why.contains("has left"),
        "{why}"
    );
    // The client's own member is not the MSP's.
    assert!(!paths(&doc).iter().any(|p| p.contains("4e8a2c6f")));
}

#[test]
fn same_inputs_give_byte_identical_documents() {
    for format in ["table", "markdown", "html", "json"] {
        let a = check(&demo(), "woodgrove", format);
        let b = check(&demo(), "woodgrove", format);
        assert_eq!(a.0, b.0, "{format}");
        assert!(!a.0.is_empty());
    }
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = (0..2)
        .map(|n| dir.path().join(format!("proof{n}.html")))
        .collect();
    for f in &files {
        let out = driftgate(&[
            "offboard-check",
            "woodgrove",
            "--estate",
            "fixtures/demo",
            "--format",
            "html",
            "--out",
            &f.display().to_string(),
        ]);
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty());
    }
    assert_eq!(
        std::fs::read(&files[0]).unwrap(),
        std::fs::read(&files[1]).unwrap()
    );
}

#[test]
fn listed_export_hashes_match_sha256sum() {
    let (doc, _) = json(&demo(), "woodgrove");
    let exports = doc["exports"].as_array().unwrap();
    let listed: Vec<&str> = exports
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    for want in [
        "estate.toml",
        "tenants/woodgrove/tenant.toml",
        "tenants/woodgrove/entra/users.json",
        GDAP,
        "msp/entra/users.json",
        "msp/entra/groups.json",
        "msp/connectwise-members.json",
        "msp/ninjaone-users.json",
    ] {
        assert!(listed.contains(&want), "{want} not in {listed:?}");
    }
    for e in exports {
        let path = demo().join(e["path"].as_str().unwrap());
        let out = Command::new("sha256sum").arg(&path).output().unwrap();
        let sum = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            sum.split_whitespace().next().unwrap(),
            e["sha256"].as_str().unwrap(),
            "{}",
            path.display()
        );
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            e["size"].as_u64().unwrap()
        );
    }
    assert_eq!(doc["policy_pack_revision"].as_str().unwrap().len(), 64);
    assert!(doc["run_id"]
        .as_str()
        .unwrap()
        .starts_with("offboard-woodgrove-20261120T060000Z-"));
}

#[test]
fn html_escapes_a_hostile_display_name() {
    let hostile = "<script>alert('x')</script> & \"Co\"";
    let estate = demo_with_relationship(|r| {
        r.insert("displayName".into(), hostile.into());
    });
    let (html, _, code) = check(estate.path(), "woodgrove", "html");
    assert_eq!(code, 1);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Co&quot;"),
        "{html}"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "self-contained"
    );
    let (md, _, _) = check(estate.path(), "woodgrove", "markdown");
    assert!(!md.contains("<script"), "{md}");
}

#[test]
fn a_tenant_that_has_not_departed_is_a_usage_error() {
    let (out, err, code) = check(&demo(), "contoso", "table");
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("status `active`") && err.contains("departed"),
        "{err}"
    );
}

#[test]
fn an_unknown_tenant_is_a_usage_error_listing_the_known_ids() {
    let (_, err, code) = check(&demo(), "nosuch", "table");
    assert_eq!(code, 2);
    assert!(err.contains("no tenant `nosuch`"), "{err}");
    for id in [
        "adatum",
        "contoso",
        "fabrikam",
        "litware",
        "tailspin",
        "woodgrove",
    ] {
        assert!(err.contains(id), "{id}: {err}");
    }
}

#[test]
fn a_broken_export_is_an_input_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&demo(), dir.path());
    std::fs::write(
        dir.path().join("tenants/woodgrove/entra/users.json"),
        "{\"value\": [",
    )
    .unwrap();
    let (_, err, code) = check(dir.path(), "woodgrove", "json");
    assert_eq!(code, 2);
    assert!(err.contains("tenants/woodgrove/entra/users.json"), "{err}");
}

fn fixture() -> PathBuf {
    root().join("fixtures/offboard")
}

/// A temp copy of `from` with `edit` applied to the JSON file `rel`.
fn edited(from: &Path, rel: &str, edit: impl FnOnce(&mut Value)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(from, dir.path());
    let file = dir.path().join(rel);
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    edit(&mut doc);
    std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    dir
}

#[test]
fn a_fully_offboarded_client_is_proven_with_every_path_closed() {
    let (doc, code) = json(&fixture(), "fernwood");
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["verdict"], "zero_remaining_access");
    assert_eq!(
        paths(&doc),
        [
            "gdap_relationship gdap/7f5e4d3c-1b0a-4a9f-c8d7-6c5b4a3f2e1d-7b2e4d6f-9c1a-4e3b-8f05-3d7f9c2e4a68 terminated closed",
            "gdap_access_container gdap/7f5e4d3c-1b0a-4a9f-c8d7-6c5b4a3f2e1d-7b2e4d6f-9c1a-4e3b-8f05-3d7f9c2e4a68#c3f2e4d5-6a7b-4c8d-9e0f-1a2b3c4d5e6f terminated closed",
            "technician_account entra/6b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e disabled closed",
            "integration entra/8c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f disabled closed",
            "credential entra/8c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f#aa11bb22-cc33-4d44-8e55-ff6677889900 expired closed",
            "msp_tool_account rmm/52 disabled closed",
        ]
    );
    assert_eq!(
        doc["paths"][1]["departed_technicians"],
        serde_json::json!(["jo.reyes@northwind-msp.example"])
    );
    assert!(doc["paths"][3]["attributed_by"][0]
        .as_str()
        .unwrap()
        .contains("owned by the MSP's account"));
    assert_eq!(
        doc["statement"],
        "Zero remaining access as of 2026-11-20T06:00:00Z: every path the MSP had into Fernwood \
         Dental (fernwood) is closed (6 paths closed) in the exports examined."
    );
}

#[test]
fn an_enabled_integration_the_msp_owns_is_remaining_access() {
    let dir = edited(
        &fixture(),
        "tenants/fernwood/entra/servicePrincipals.json",
        |d| {
            d["value"][0]["accountEnabled"] = true.into();
        },
    );
    let apps = dir.path().join("tenants/fernwood/entra/applications.json");
    let text = std::fs::read_to_string(&apps)
        .unwrap()
        .replace("2026-10-01T00:00:00Z", "2027-10-01T00:00:00Z");
    std::fs::write(&apps, text).unwrap();
    let (doc, code) = json(dir.path(), "fernwood");
    assert_eq!(code, 1);
    assert_eq!(doc["counts"]["remaining"], 2);
    let remaining: Vec<String> = paths(&doc)
        .into_iter()
        .filter(|p| p.ends_with(" remaining"))
        .collect();
    assert_eq!(
        remaining,
        [
            "integration entra/8c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f active remaining",
            "credential entra/8c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f#aa11bb22-cc33-4d44-8e55-ff6677889900 active remaining",
        ]
    );
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["LIFE-001"]);
}

#[test]
fn an_msp_service_account_shared_with_other_clients_is_a_path() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&demo(), dir.path());
    let toml = dir.path().join("tenants/contoso/tenant.toml");
    let text = std::fs::read_to_string(&toml)
        .unwrap()
        .replace("status = \"active\"", "status = \"departed\"");
    std::fs::write(&toml, text).unwrap();
    let (doc, code) = json(dir.path(), "contoso");
    assert_eq!(code, 1);
    let svc = doc["paths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["subject"] == "ad/9c3e5a71-2f4b-4d8e-a6c1-7b9d0e2f3a41")
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert_eq!(svc["kind"], "integration");
    assert_eq!(svc["access"], "remaining");
    assert_eq!(svc["provenance"]["file"], "tenants/contoso/ad/users.csv");
    let why = svc["attributed_by"][0].as_str().unwrap();
    assert!(
        why.contains("svc-nwrmm") && why.contains("fabrikam"),
        "{why}"
    );
}

#[test]
fn a_policy_that_does_not_compile_is_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.rego"),
        "package acme.broken\n\nimport rego.v1\n\nfindings contains f if {\n",
    )
    .unwrap();
    let out = driftgate(&[
        "offboard-check",
        "woodgrove",
        "--estate",
        "fixtures/demo",
        "--policies",
        &dir.path().display().to_string(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}
