//! CLI specs for `driftgate readiness TENANT_DIR`: the verdict (exit 0 go, 1 no-go, 4
//! go-with-conditions, 2 input error), coverage with unknown kept apart from "no", the score
//! formula, and the JSON, HTML and Markdown outputs.
//!
//! Fixtures: the demo prospect `fixtures/demo/tenants/proseware` (no-go, inside the demo estate)
//! and `fixtures/readiness/wingtip` (go, a tenant folder on its own); variants of wingtip are
//! written into temp folders by the tests.

use driftgate::readiness::{
    self, DayOne, Metric, MetricState, SourceCoverage, Verdict, EXIT_CONDITIONS,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::copy_dir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(rel: &str) -> String {
    root().join("fixtures").join(rel).display().to_string()
}

fn driftgate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftgate"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("binary runs")
}

/// `readiness DIR --format json`: (answer, exit code).
fn assess(dir: &str, extra: &[&str]) -> (Value, i32) {
    let out = driftgate(&[&["readiness", dir, "--format", "json"], extra].concat());
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout {} stderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (json, out.status.code().unwrap())
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect()
}

/// A copy of the clean wingtip prospect in a temp folder (no estate.toml above it).
fn wingtip_copy() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("wingtip");
    copy_dir(&root().join("fixtures/readiness/wingtip"), &dir);
    (d, dir)
}

fn edit_json(file: &Path, f: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(file, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

#[test]
fn demo_prospect_is_no_go_for_its_documented_blockers() {
    let (r, code) = assess(&fixture("demo/tenants/proseware"), &[]);
    assert_eq!(code, 1, "no-go exits 1");
    assert_eq!(r["verdict"], "no-go");
    assert_eq!(r["tenant"]["estate"], "Northwind MSP");
    assert_eq!(r["tenant"]["status"], "prospect");
    assert_eq!(
        ids(&r["blockers"]),
        [
            "mfa-enforcement",
            "top-admins",
            "ownerless-privileged-nhi",
            "critical-findings"
        ]
    );
    assert_eq!(
        ids(&r["conditions"]),
        ["high-findings", "employee-id-coverage"]
    );
    for b in r["blockers"].as_array().unwrap() {
        assert_eq!(b["state"], "fail");
        assert!(!b["fix"].as_str().unwrap().is_empty());
    }
    assert_eq!(r["blockers"][1]["evidence"]["standing_count"], 5);
    assert_eq!(r["blockers"][1]["evidence"]["max_top_admins"], 4);
    assert!(r["blockers"][2]["reason"]
        .as_str()
        .unwrap()
        .contains("Proseware Invoice Sync"));
    // Coverage of the source of truth: 8 enabled humans.
    let sot = &r["coverage"]["sources"][0];
    assert_eq!(sot["source_of_truth"], true);
    assert_eq!(sot["enabled_humans"], 8);
    assert_eq!(sot["employee_id"]["with"], 4);
    assert_eq!(sot["manager"]["with"], 6);
    assert_eq!(sot["sign_in"]["state"], "complete");
    assert_eq!(sot["stale_humans"], 1);
    // The mix: 9 humans (one disabled), a guest, a service account, two workloads.
    let mix = &r["identity_mix"]["by_kind"];
    assert_eq!(mix["human"]["total"], 9);
    assert_eq!(mix["human"]["enabled"], 8);
    assert_eq!(mix["guest"]["total"], 1);
    assert_eq!(mix["service_account"]["total"], 1);
    assert_eq!(mix["workload"]["total"], 2);
    assert_eq!(mix["agent"]["total"], 0);
    // Day one: the 9 findings of fixtures/README.md, section proseware.
    let d = &r["day_one"];
    assert_eq!(d["findings"], 9);
    assert_eq!(d["by_severity"]["critical"], 1);
    assert_eq!(d["by_severity"]["high"], 3);
    assert_eq!(d["by_severity"]["medium"], 5);
    assert_eq!(d["top"][0]["rule"], "PRIV-001");
    // 40 + 51 − 40 − 6 − 11.
    assert_eq!(r["score"], 34);
}

#[test]
fn clean_prospect_on_its_own_is_go() {
    let (r, code) = assess(&fixture("readiness/wingtip"), &[]);
    assert_eq!(code, 0);
    assert_eq!(r["verdict"], "go");
    assert_eq!(r["tenant"]["estate"], Value::Null, "no estate above it");
    assert_eq!(r["tenant"]["status"], "onboarding");
    assert_eq!(r["as_of_source"], "tenant");
    assert!(r["blockers"].as_array().unwrap().is_empty());
    assert!(r["conditions"].as_array().unwrap().is_empty());
    assert_eq!(r["day_one"]["findings"], 0);
    // Manager 4 of 5 (the managing director has none): 40 + 15 + 8 + 15 + 10 + 10.
    assert_eq!(r["score"], 98);
    let out = driftgate(&["readiness", &fixture("readiness/wingtip")]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("verdict: go   score: 98/100"), "{text}");
}

#[test]
fn missing_sign_in_is_unknown_and_a_condition_never_zero_stale() {
    let (_d, dir) = wingtip_copy();
    edit_json(&dir.join("entra/users.json"), |v| {
        for u in v["value"].as_array_mut().unwrap() {
            u.as_object_mut().unwrap().remove("signInActivity");
        }
    });
    let (r, code) = assess(dir.to_str().unwrap(), &[]);
    assert_eq!(code, EXIT_CONDITIONS, "go-with-conditions exits 4");
    assert_eq!(r["verdict"], "go-with-conditions");
    let sot = &r["coverage"]["sources"][0];
    assert_eq!(sot["sign_in"]["state"], "unknown");
    assert_eq!(sot["sign_in"]["with"], Value::Null);
    assert_eq!(sot["sign_in"]["share_pct"], Value::Null);
    assert_eq!(sot["stale_humans"], Value::Null, "unknown, never 0 stale");
    assert_eq!(ids(&r["conditions"]), ["sign-in-unknown"]);
    assert_eq!(r["conditions"][0]["state"], "unknown");
    assert!(r["coverage"]["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["export"] == "users.json signInActivity"));
    // 40 + 15 + 8 + 0 (sign-in unknown earns nothing) + 10 + 10 − 3.
    assert_eq!(r["score"], 80);
    let out = driftgate(&["readiness", dir.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Sign-in data unknown"), "{text}");
    assert!(!text.contains("0 stale"), "{text}");
}

#[test]
fn missing_policy_exports_make_mfa_enforcement_unknown_not_off() {
    let (_d, dir) = wingtip_copy();
    std::fs::remove_file(dir.join("entra/conditionalAccessPolicies.json")).unwrap();
    std::fs::remove_file(dir.join("entra/identitySecurityDefaultsEnforcementPolicy.json")).unwrap();
    let (r, code) = assess(dir.to_str().unwrap(), &[]);
    assert_eq!(code, EXIT_CONDITIONS);
    assert!(r["blockers"].as_array().unwrap().is_empty());
    assert_eq!(r["conditions"][0]["id"], "mfa-enforcement");
    assert_eq!(r["conditions"][0]["state"], "unknown");
}

fn metric(population: usize, with: Option<usize>) -> Metric {
    Metric {
        population,
        with,
        share_pct: with.map(|w| (w * 100 / population) as u32),
        state: if with.is_some() {
            MetricState::Partial
        } else {
            MetricState::Unknown
        },
        reason: None,
    }
}

#[test]
fn score_follows_the_documented_formula() {
    // 7 enabled humans: employee id 3, manager 5, sign-in unknown, MFA known 7, roles exported.
    let sot = SourceCoverage {
        source: "entra".into(),
        kind: "entra".into(),
        source_of_truth: true,
        identities: 9,
        enabled_humans: 7,
        employee_id: metric(7, Some(3)),
        manager: metric(7, Some(5)),
        sign_in: metric(7, None),
        mfa_registration: metric(7, Some(7)),
        mfa_registered: Some(6),
        stale_humans: None,
        privilege: "known",
    };
    let mut by_severity = BTreeMap::new();
    by_severity.insert("critical", 1);
    by_severity.insert("high", 9);
    let day_one = DayOne {
        findings: 10,
        waived: 0,
        by_severity,
        by_rule: BTreeMap::new(),
        top: Vec::new(),
        not_evaluable: Vec::new(),
    };
    let s = readiness::score(Some(&sot), 1, 2, &day_one);
    // 15·3/7 = 6.43 → 6; 10·5/7 = 7.14 → 7; sign-in unknown 0; 10·7/7 = 10; privilege 10.
    assert_eq!(s.terms["employee_id"], 6);
    assert_eq!(s.terms["manager"], 7);
    assert_eq!(s.terms["sign_in"], 0);
    assert_eq!(s.terms["mfa_registration"], 10);
    assert_eq!(s.terms["privilege"], 10);
    assert_eq!(s.coverage, 33);
    assert_eq!(s.blocker_penalty, 10);
    assert_eq!(s.condition_penalty, 6);
    assert_eq!(s.findings_penalty, 20, "5 + 18 capped at 20");
    assert_eq!(s.total, 40 + 33 - 10 - 6 - 20);
    // Half rounds up: 15·1/2 = 7.5 → 8.
    let half = SourceCoverage {
        employee_id: metric(2, Some(1)),
        ..sot.clone()
    };
    assert_eq!(
        readiness::score(Some(&half), 0, 0, &day_one).terms["employee_id"],
        8
    );
    // Never below 0.
    assert_eq!(readiness::score(None, 9, 9, &day_one).total, 0);
    // And the verdict rule.
    assert_eq!(readiness::verdict(1, 3), Verdict::NoGo);
    assert_eq!(readiness::verdict(0, 1), Verdict::GoWithConditions);
    assert_eq!(readiness::verdict(0, 0), Verdict::Go);
}

#[test]
fn exit_codes_follow_the_verdict() {
    assert_eq!(readiness::exit_code(Verdict::Go), 0);
    assert_eq!(readiness::exit_code(Verdict::NoGo), 1);
    assert_eq!(readiness::exit_code(Verdict::GoWithConditions), 4);
}

#[test]
fn json_is_deterministic_and_has_the_schema_fields() {
    let a = driftgate(&[
        "readiness",
        &fixture("demo/tenants/proseware"),
        "--format",
        "json",
    ]);
    let b = driftgate(&[
        "readiness",
        &fixture("demo/tenants/proseware"),
        "--format",
        "json",
    ]);
    assert_eq!(a.stdout, b.stdout, "byte-identical for identical inputs");
    let r: Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(r["schema"], "driftgate.readiness/v1");
    for key in [
        "tool",
        "tenant",
        "as_of",
        "as_of_source",
        "verdict",
        "score",
        "score_breakdown",
        "reasons",
        "fixes_first",
        "coverage",
        "identity_mix",
        "day_one",
        "blockers",
        "conditions",
        "warnings",
    ] {
        assert!(r.get(key).is_some(), "missing {key}");
    }
    for key in ["source_of_truth", "sources", "gaps"] {
        assert!(r["coverage"].get(key).is_some(), "missing coverage.{key}");
    }
    for key in [
        "findings",
        "waived",
        "by_severity",
        "by_rule",
        "top",
        "not_evaluable",
    ] {
        assert!(r["day_one"].get(key).is_some(), "missing day_one.{key}");
    }
    for key in ["id", "state", "title", "reason", "evidence", "fix"] {
        assert!(
            r["blockers"][0].get(key).is_some(),
            "missing blockers[].{key}"
        );
    }
    assert_eq!(
        r["reasons"].as_array().unwrap().len(),
        r["blockers"].as_array().unwrap().len() + r["conditions"].as_array().unwrap().len()
    );
    let s = &r["score_breakdown"];
    let terms: u64 = s["terms"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(s["coverage"].as_u64().unwrap(), terms);
    assert_eq!(
        r["score"].as_u64().unwrap(),
        (40 + terms)
            - s["blocker_penalty"].as_u64().unwrap()
            - s["condition_penalty"].as_u64().unwrap()
            - s["findings_penalty"].as_u64().unwrap()
    );
}

#[test]
fn html_escapes_a_hostile_display_name() {
    let (_d, dir) = wingtip_copy();
    let hostile = "<script>alert('x')</script> & \"Co\"";
    let toml = std::fs::read_to_string(dir.join("tenant.toml")).unwrap();
    std::fs::write(
        dir.join("tenant.toml"),
        toml.replace(
            "name = \"Wingtip Toys\"",
            "name = \"<script>Wingtip</script>\"",
        ),
    )
    .unwrap();
    // The web shop app becomes ownerless and privileged: its name lands in a blocker.
    edit_json(&dir.join("entra/applications.json"), |v| {
        v["value"][0]["displayName"] = hostile.into();
        v["value"][0]["owners"] = serde_json::json!([]);
    });
    let sp_id = {
        let mut id = String::new();
        edit_json(&dir.join("entra/servicePrincipals.json"), |v| {
            v["value"][0]["displayName"] = hostile.into();
            id = v["value"][0]["id"].as_str().unwrap().to_string();
        });
        id
    };
    edit_json(&dir.join("entra/roleAssignments.json"), |v| {
        v["value"].as_array_mut().unwrap().push(serde_json::json!({
            "id": "exo-shop-1", "principalId": sp_id, "directoryScopeId": "/",
            "roleDefinitionId": "29232cdf-9323-42fd-ade2-1d097af3e4de", "appScopeId": null
        }));
    });
    let out = driftgate(&["readiness", dir.to_str().unwrap(), "--format", "html"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "ownerless privileged app: no-go"
    );
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(
        !html.to_lowercase().contains("<script"),
        "no script element"
    );
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Co&quot;"));
    assert!(html.contains("&lt;script&gt;Wingtip&lt;/script&gt;"));
    assert!(html.contains("Content-Security-Policy"));
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no fetch"
    );
}

#[test]
fn markdown_stays_under_github_limit() {
    let (_d, dir) = wingtip_copy();
    // 3,000 people without MFA and with long names: thousands of findings.
    edit_json(&dir.join("entra/users.json"), |v| {
        let list = v["value"].as_array_mut().unwrap();
        let template = list[2].clone();
        for n in 0..3000 {
            let mut u = template.clone();
            u["id"] = format!("00000000-0000-4000-8000-{n:012}").into();
            u["userPrincipalName"] = format!("user{n}|{}@wingtiptoys.com", "x".repeat(40)).into();
            u["displayName"] = format!("User {n} | `*_[]` {}", "y".repeat(60)).into();
            list.push(u);
        }
    });
    let out = driftgate(&["readiness", dir.to_str().unwrap(), "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(EXIT_CONDITIONS));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.chars().count() < 65_536, "{}", md.len());
    assert!(md.starts_with("# Readiness: Wingtip Toys"));
    assert!(md.contains("**Verdict: go-with-conditions**"));
    assert!(md.contains("## Day-one findings"));
}

#[test]
fn a_tenant_that_is_not_a_prospect_is_refused_unless_forced() {
    let out = driftgate(&["readiness", &fixture("demo/tenants/tailspin")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("tenants/tailspin/tenant.toml"), "{err}");
    assert!(
        err.contains("status `active`") && err.contains("--force"),
        "{err}"
    );
    let (r, code) = assess(&fixture("demo/tenants/tailspin"), &["--force"]);
    assert_ne!(code, 2);
    assert_eq!(r["tenant"]["forced"], true);
    assert_eq!(r["tenant"]["status"], "active");
}

#[test]
fn a_folder_without_tenant_toml_exits_2_naming_the_file() {
    let d = tempfile::tempdir().unwrap();
    let out = driftgate(&["readiness", d.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("tenant.toml"), "{err}");
}

#[test]
fn a_broken_export_exits_2_naming_the_file() {
    let (_d, dir) = wingtip_copy();
    let users = dir.join("entra/users.json");
    let text = std::fs::read_to_string(&users).unwrap();
    std::fs::write(&users, &text[..text.len() / 2]).unwrap();
    let out = driftgate(&["readiness", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("users.json"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_bad_tenant_toml_exits_2_naming_file_and_key() {
    let (_d, dir) = wingtip_copy();
    let toml = std::fs::read_to_string(dir.join("tenant.toml")).unwrap();
    std::fs::write(dir.join("tenant.toml"), format!("{toml}\nowner = \"x\"\n")).unwrap();
    let out = driftgate(&["readiness", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("tenant.toml") && err.contains("owner"),
        "{err}"
    );
}

#[test]
fn out_writes_the_chosen_format_to_a_file() {
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("proseware.html");
    let out = driftgate(&[
        "readiness",
        &fixture("demo/tenants/proseware"),
        "--format",
        "html",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.contains("no-go") && html.contains("Proseware Inc"));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("proseware: no-go (score 34)"), "{err}");
}

#[test]
fn as_of_flag_moves_every_age() {
    // A year later Tom Brandt is not the only stale person: everyone is.
    let (r, code) = assess(
        &fixture("demo/tenants/proseware"),
        &["--as-of", "2027-11-20"],
    );
    assert_eq!(code, 1);
    assert_eq!(r["as_of"], "2027-11-20T00:00:00Z");
    assert_eq!(r["as_of_source"], "flag");
    assert_eq!(r["coverage"]["sources"][0]["stale_humans"], 8);
    let out = driftgate(&[
        "readiness",
        &fixture("readiness/wingtip"),
        "--as-of",
        "soon",
    ]);
    assert_eq!(out.status.code(), Some(2));
}
