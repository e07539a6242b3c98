//! CLI specs for `driftgate who`: one person's accounts across the demo estate, how each is
//! linked, its findings, and the exit code (0 answered, 1 leaver access remains, 2 input error).

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

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

/// `who` on the demo estate as JSON: (answer, exit code).
fn who(principal: &str, extra: &[&str]) -> (Value, i32) {
    let demo = fixture("demo");
    let out = driftgate(&[&["who", &demo, principal, "--format", "json"], extra].concat());
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (json, out.status.code().unwrap())
}

fn text(principal: &str) -> (String, i32) {
    let out = driftgate(&["who", &fixture("demo"), principal]);
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

fn accounts(answer: &Value) -> &Vec<Value> {
    answer["accounts"].as_array().unwrap()
}

/// `TENANT REF` per account, in answer order.
fn refs(answer: &Value) -> Vec<String> {
    accounts(answer)
        .iter()
        .map(|a| {
            format!(
                "{} {}",
                a["tenant"].as_str().unwrap(),
                a["ref"].as_str().unwrap()
            )
        })
        .collect()
}

fn rules(account: &Value) -> Vec<&str> {
    account["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect()
}

const TOM_AWS: &str = "aws/arn:aws:iam::210987654321:user/tom.harris@adatum.com";
const LEE_AD: &str = "ad/47011854-d101-4303-8ec9-0bf8774ca096";
const LEE_ENTRA: &str = "entra/0a4ba8ac-3dd2-433f-8553-2938e499a6d4";
const LEE_SID: &str = "S-1-5-21-1004336348-1177238915-682003330-1118";

#[test]
fn a_leaver_still_enabled_in_aws_and_the_rmm_is_shown_with_its_findings_and_exit_1() {
    let (answer, code) = who("tom.harris@adatum.com", &[]);
    assert_eq!(code, 1, "leaver access remains");
    let list = accounts(&answer);
    assert_eq!(list.len(), 3, "{answer:#}");
    let aws = list.iter().find(|a| a["ref"] == TOM_AWS).expect("AWS user");
    assert_eq!(aws["tenant"], "adatum");
    assert_eq!(aws["source_kind"], "aws-iam");
    assert_eq!(aws["enabled"], true);
    assert_eq!(aws["link"]["state"], "matched");
    assert_eq!(aws["link"]["method"], "principal_name");
    assert_eq!(aws["link"]["sot_gone"], true);
    assert_eq!(aws["leaver_access"], true);
    assert_eq!(rules(aws), ["DRIFT-002"]);
    assert_eq!(aws["findings"][0]["severity"], "critical");
    // The MSP's RMM (an estate-level NinjaOne export) attributes him to Adatum by organisation.
    let rmm = list
        .iter()
        .find(|a| a["ref"] == "rmm/41")
        .expect("RMM end user");
    assert_eq!(rmm["tenant"], "adatum");
    assert_eq!(rmm["source_kind"], "ninjaone");
    assert_eq!(rmm["leaver_access"], true);
    assert_eq!(rules(rmm), ["DRIFT-002"]);
    assert_eq!(rmm["provenance"]["file"], "msp/ninjaone-users.json");
    let entra = list.iter().find(|a| a["source"] == "entra").unwrap();
    assert_eq!(entra["enabled"], false);
    assert_eq!(entra["status"], "disabled");
    assert_eq!(entra["link"]["state"], "source_of_truth");
    assert_eq!(
        entra["provenance"]["file"],
        "tenants/adatum/entra/users.json"
    );

    let (table, code) = text("tom.harris@adatum.com");
    assert_eq!(code, 1);
    assert!(
        table.starts_with("tom.harris@adatum.com: 3 accounts in 1 tenant (2 enabled)"),
        "{table}"
    );
    assert!(table.contains("DRIFT-002"), "{table}");
    assert!(
        table.contains(&format!("LEAVER ACCESS: adatum {TOM_AWS}")),
        "{table}"
    );
    assert!(table.contains("LEAVER ACCESS: adatum rmm/41"), "{table}");
}

#[test]
fn a_synced_user_shows_the_ad_source_of_truth_and_the_entra_account_with_its_findings() {
    let (answer, code) = who("lee.gu@contoso.com", &[]);
    assert_eq!(code, 0, "Lee Gu has not left");
    assert_eq!(
        refs(&answer),
        [format!("contoso {LEE_AD}"), format!("contoso {LEE_ENTRA}")]
    );
    let (ad, entra) = (&accounts(&answer)[0], &accounts(&answer)[1]);
    assert_eq!(ad["link"]["state"], "source_of_truth");
    assert_eq!(ad["source_kind"], "active-directory");
    assert_eq!(ad["provenance"]["line"], 9);
    assert_eq!(entra["link"]["state"], "matched");
    assert_eq!(entra["link"]["method"], "object_guid");
    assert_eq!(entra["link"]["sot_ref"], LEE_AD);
    assert_eq!(entra["privileged"], true);
    assert_eq!(
        entra["roles"],
        serde_json::json!(["Exchange Administrator"])
    );
    assert_eq!(
        rules(entra),
        ["PRIV-001", "DRIFT-003", "BASE-002"],
        "most severe first"
    );
    assert_eq!(entra["leaver_access"], false);

    let (table, _) = text("lee.gu@contoso.com");
    assert!(
        table.starts_with("lee.gu@contoso.com: 2 accounts in 1 tenant (2 enabled)"),
        "{table}"
    );
    assert!(
        table.contains("matched by object_guid = 47011854-d101-4303-8ec9-0bf8774ca096"),
        "{table}"
    );
    assert!(!table.contains("LEAVER ACCESS"), "{table}");
}

#[test]
fn object_id_and_sid_find_the_same_person() {
    let (by_upn, _) = who("lee.gu@contoso.com", &[]);
    let (by_oid, code) = who("0a4ba8ac-3dd2-433f-8553-2938e499a6d4", &[]);
    assert_eq!(code, 0);
    assert_eq!(refs(&by_oid), refs(&by_upn));
    let found_by: Vec<&str> = accounts(&by_oid)
        .iter()
        .map(|a| a["found_by"].as_str().unwrap())
        .collect();
    assert_eq!(
        found_by,
        ["correlation", "query"],
        "the AD account is reached through the Entra account's match"
    );
    let (by_sid, _) = who(LEE_SID, &[]);
    assert_eq!(refs(&by_sid), refs(&by_upn));
    let (by_ref, _) = who(LEE_AD, &[]);
    assert_eq!(refs(&by_ref), refs(&by_upn));
}

#[test]
fn the_query_ignores_case_and_surrounding_space() {
    let (lower, _) = who("lee.gu@contoso.com", &[]);
    let (upper, _) = who("  LEE.GU@Contoso.COM ", &[]);
    assert_eq!(upper["query"], "LEE.GU@Contoso.COM");
    assert_eq!(upper["accounts"], lower["accounts"]);
    let (sid, _) = who(&LEE_SID.to_lowercase(), &[]);
    assert_eq!(refs(&sid), refs(&lower));
}

#[test]
fn an_unknown_principal_is_an_empty_answer_not_an_error() {
    let (answer, code) = who("nobody@nowhere.example", &[]);
    assert_eq!(code, 0);
    assert_eq!(accounts(&answer).len(), 0);
    assert_eq!(answer["errors"], serde_json::json!([]));
    assert_eq!(
        answer["searched"].as_array().unwrap().len(),
        8,
        "seven clients (one a prospect) and the MSP's own systems"
    );
    let (table, code) = text("nobody@nowhere.example");
    assert_eq!(code, 0);
    assert!(
        table.starts_with("nobody@nowhere.example: no account matches (searched principal names"),
        "{table}"
    );
}

#[test]
fn tenant_filter_limits_the_search() {
    let (answer, code) = who("tom.harris@adatum.com", &["--tenant", "contoso"]);
    assert_eq!(code, 0);
    assert_eq!(answer["searched"], serde_json::json!(["contoso"]));
    assert!(accounts(&answer).is_empty());
    let out = driftgate(&["who", &fixture("demo"), "x", "--tenant", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no tenant `nope`"));
}

#[test]
fn json_answer_has_the_documented_shape_and_is_byte_identical_across_runs() {
    let demo = fixture("demo");
    let args = ["who", &demo, "tom.harris@adatum.com", "--format", "json"];
    let (a, b) = (driftgate(&args), driftgate(&args));
    assert!(!a.stdout.is_empty());
    assert_eq!(a.stdout, b.stdout);
    let json: Value = serde_json::from_slice(&a.stdout).unwrap();
    // serde_json's map is sorted here: compare key sets, then the printed order.
    let keys = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    let sorted = |list: &[&str]| -> Vec<String> {
        let mut k: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&json),
        sorted(&["query", "as_of", "searched", "accounts", "errors"])
    );
    assert_eq!(json["as_of"], "2026-11-20T06:00:00Z");
    assert_eq!(
        keys(&accounts(&json)[0]),
        sorted(&[
            "tenant",
            "source",
            "source_kind",
            "ref",
            "object_id",
            "kind",
            "principal_name",
            "display_name",
            "enabled",
            "status",
            "last_activity",
            "privileged",
            "top_role",
            "roles",
            "found_by",
            "link",
            "leaver_access",
            "provenance",
            "findings",
        ])
    );
    let text = String::from_utf8(a.stdout.clone()).unwrap();
    assert!(
        text.starts_with("{\n  \"query\": ") && text.ends_with("}\n"),
        "pretty, newline-terminated, query first"
    );
    let mut sorted = refs(&json);
    sorted.sort();
    assert_eq!(
        refs(&json),
        sorted,
        "accounts sorted by tenant, source, ref"
    );
}

#[test]
fn the_estate_defaults_to_the_current_folder() {
    let out = Command::new(env!("CARGO_BIN_EXE_driftgate"))
        .args(["who", "lee.gu@contoso.com", "--format", "json"])
        .current_dir(root().join("fixtures/demo"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(accounts(&json).len(), 2);
}

#[test]
fn broken_tenants_are_warned_about_and_the_rest_still_answered() {
    let out = driftgate(&[
        "who",
        &fixture("bad/partial"),
        "paula.grant@goodco.example",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2), "the answer is incomplete");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        refs(&json),
        ["good entra/6a093a1b-8f79-4771-8be5-c7a15c879f28"]
    );
    let errors = json["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e["tenant"] == "garbage-ad"),
        "{errors:?}"
    );
    assert!(errors.iter().all(|e| e["kind"] == "input"));
    let table = driftgate(&["who", &fixture("bad/partial"), "paula.grant@goodco.example"]);
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains("warning: tenant not searched: garbage-ad: "),
        "{table}"
    );
}

#[test]
fn an_empty_principal_is_a_usage_error() {
    let out = driftgate(&["who", &fixture("demo"), "  "]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("PRINCIPAL is empty"));
}
