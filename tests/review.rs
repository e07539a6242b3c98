//! Access review specs through the CLI: `driftgate review` writes one worksheet per tenant
//! (CSV + HTML) with stable item ids and suggested decisions; completed worksheets read back by
//! `driftgate audit` (estate `reviews/` folders and `--review FILE`) drive REVIEW-001/002 and
//! the per-tenant coverage; every bad row is reported with file, line and field, never applied.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::copy_dir;

type Row = BTreeMap<String, String>;

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

fn driftgate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftgate"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// `driftgate review ESTATE --out OUT [extra]`: exit code and stderr.
fn review(estate: &Path, out: &Path, extra: &[&str]) -> (i32, String) {
    let o = driftgate(&[&["review", &s(estate), "--out", &s(out)], extra].concat());
    (
        o.status.code().unwrap(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

/// `audit --format json --no-out`: the report and exit code.
fn audit(estate: &Path, extra: &[&str]) -> (Value, i32) {
    let o = driftgate(
        &[
            &["audit", &s(estate), "--format", "json", "--no-out"],
            extra,
        ]
        .concat(),
    );
    let json = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    (json, o.status.code().unwrap())
}

fn read_rows(path: &Path) -> Vec<Row> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

fn write_rows(path: &Path, rows: &[Row]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let header: Vec<&str> = driftgate::review::worksheet::COLUMNS.to_vec();
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(&header).unwrap();
    for r in rows {
        w.write_record(
            header
                .iter()
                .map(|h| r.get(*h).map(String::as_str).unwrap_or("")),
        )
        .unwrap();
    }
    w.flush().unwrap();
}

fn decide(row: &mut Row, decision: &str, reviewer: &str, at: &str) {
    row.insert("decision".into(), decision.into());
    row.insert("reviewer".into(), reviewer.into());
    row.insert("reviewed_at".into(), at.into());
}

fn tenant<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no tenant {id}"))
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn verdict(report: &Value, tenant_id: &str, rule: &str) -> Value {
    tenant(report, tenant_id)["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == rule)
        .cloned()
        .unwrap()
}

const REVIEWER: &str = "dana.whitfield@msp.example";

/// The demo estate without its completed review, and a fresh campaign for it.
fn demo_campaign(tmp: &Path) -> (PathBuf, PathBuf) {
    let dir = estate(tmp, "demo");
    std::fs::remove_dir_all(dir.join("reviews")).unwrap();
    let out = tmp.join("out");
    let (code, err) = review(&dir, &out, &[]);
    assert_eq!(code, 0, "{err}");
    (dir, out.join("review-20261120"))
}

#[test]
fn review_writes_a_csv_and_html_worksheet_per_tenant_with_every_kind() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, campaign) = demo_campaign(tmp.path());
    let mut kinds = std::collections::BTreeSet::new();
    for t in [
        "_msp",
        "adatum",
        "contoso",
        "fabrikam",
        "litware",
        "tailspin",
        "woodgrove",
    ] {
        let csv = campaign.join(format!("{t}.csv"));
        assert!(campaign.join(format!("{t}.html")).is_file(), "{t}.html");
        let text = std::fs::read_to_string(&csv).unwrap();
        assert_eq!(
            text.lines().next().unwrap(),
            "item_id,tenant,kind,holder,holder_ref,what,key,source,last_activity,findings,suggested_decision,suggestion_reason,decision,reviewer,reviewed_at,comment"
        );
        for row in read_rows(&csv) {
            assert_eq!(row["tenant"], t);
            assert_eq!(row["item_id"].len(), 12);
            assert!(row["item_id"].chars().all(|c| c.is_ascii_hexdigit()));
            for empty in ["decision", "reviewer", "reviewed_at", "comment"] {
                assert_eq!(row[empty], "", "{t} {empty} must be left to the reviewer");
            }
            assert!(["keep", "revoke", "modify"].contains(&row["suggested_decision"].as_str()));
            kinds.insert(row["kind"].clone());
        }
    }
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "delegated_access",
            "nhi_credential",
            "privileged_role",
            "technician_account"
        ]
    );
}

#[test]
fn worksheet_rows_carry_findings_and_suggested_decisions() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, campaign) = demo_campaign(tmp.path());
    let rows = read_rows(&campaign.join("contoso.csv"));
    let row = |holder: &str, what: &str| -> Row {
        rows.iter()
            .find(|r| r["holder"] == holder && r["what"].starts_with(what))
            .cloned()
            .unwrap_or_else(|| panic!("{holder} {what}"))
    };
    let stale = row("adm-jsmith@contoso.com", "Domain Admins");
    assert_eq!(stale["suggested_decision"], "revoke");
    assert_eq!(stale["suggestion_reason"], "no sign-in for 265 days");
    assert_eq!(stale["findings"], "PRIV-006; STALE-001");
    assert_eq!(stale["kind"], "privileged_role");
    assert_eq!(
        stale["holder_ref"],
        "ad/112c6052-7a2d-4e2f-97f1-79393fa196f2"
    );
    let disabled = row("patti.fernandez@contoso.com", "User Administrator");
    assert_eq!(disabled["suggested_decision"], "revoke");
    assert_eq!(
        disabled["suggestion_reason"],
        "the holder's account is disabled"
    );
    let standing = row("johanna.lorenz@contoso.com", "Security Administrator");
    assert_eq!(standing["suggested_decision"], "modify");
    assert!(standing["suggestion_reason"].contains("eligible"));
    let fine = row("megan.bowen@contoso.com", "Helpdesk Administrator");
    assert_eq!(
        (
            fine["suggested_decision"].as_str(),
            fine["findings"].as_str()
        ),
        ("keep", "")
    );
    let secret = row("Contoso Payroll Sync", "client_secret payroll-prod");
    assert_eq!(secret["kind"], "nhi_credential");
    assert_eq!(secret["findings"], "NHI-001");
    assert_eq!(secret["suggested_decision"], "modify");
    let gdap = rows
        .iter()
        .find(|r| r["kind"] == "delegated_access")
        .unwrap();
    assert_eq!(gdap["suggested_decision"], "revoke");
    assert_eq!(gdap["findings"], "LIFE-002");
    let msp = read_rows(&campaign.join("_msp.csv"));
    let gone = msp
        .iter()
        .find(|r| r["kind"] == "technician_account" && r["holder"] == "jreyes")
        .unwrap();
    assert_eq!(gone["suggestion_reason"], "the holder has left");
}

#[test]
fn item_ids_and_worksheets_are_stable_and_a_campaign_is_never_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, campaign) = demo_campaign(tmp.path());
    let first = std::fs::read(campaign.join("contoso.csv")).unwrap();
    let (code, _) = review(&dir, &tmp.path().join("again"), &[]);
    assert_eq!(code, 0);
    let again = std::fs::read(tmp.path().join("again/review-20261120/contoso.csv")).unwrap();
    assert_eq!(first, again, "same inputs, same worksheet bytes");
    // Item ids are unique within and across tenants.
    let mut ids = std::collections::BTreeSet::new();
    for e in std::fs::read_dir(&campaign).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "csv") {
            for r in read_rows(&p) {
                assert!(
                    ids.insert(r["item_id"].clone()),
                    "duplicate {}",
                    r["item_id"]
                );
            }
        }
    }
    // The same folder again: refused, nothing touched.
    let (code, err) = review(&dir, &tmp.path().join("out"), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read(campaign.join("contoso.csv")).unwrap(), first);
    // Another as_of opens another campaign.
    let (code, err) = review(&dir, &tmp.path().join("out"), &["--as-of", "2026-12-01"]);
    assert_eq!(code, 0, "{err}");
    assert!(tmp.path().join("out/review-20261201/contoso.csv").is_file());
}

#[test]
fn hostile_names_are_neutralised_in_the_csv_and_escaped_in_the_html() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = estate(tmp.path(), "rules/REVIEW-001");
    std::fs::remove_dir_all(dir.join("tenants/quarrybank/reviews")).unwrap();
    let hostile = "=HYPERLINK(\\\"http://evil.example\\\")<script>alert(1)</script>";
    for f in ["applications.json", "servicePrincipals.json"] {
        let p = dir.join("tenants/quarrybank/entra").join(f);
        let text = std::fs::read_to_string(&p)
            .unwrap()
            .replace("Quarrybank Timesheet Export", hostile);
        std::fs::write(p, text).unwrap();
    }
    let out = tmp.path().join("out");
    let (code, err) = review(&dir, &out, &[]);
    assert_eq!(code, 0, "{err}");
    let rows = read_rows(&out.join("review-20261120/quarrybank.csv"));
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0]["holder"].starts_with("'=HYPERLINK("),
        "{}",
        rows[0]["holder"]
    );
    let html = std::fs::read_to_string(out.join("review-20261120/quarrybank.html")).unwrap();
    assert!(!html.contains("<script>"), "unescaped");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

/// quarrybank's one credential: a campaign, the row decided, and the worksheet kept outside the
/// estate for `audit --review`.
fn decided_quarrybank(tmp: &Path, decision: &str) -> (PathBuf, PathBuf) {
    let dir = estate(tmp, "rules/REVIEW-001");
    std::fs::remove_dir_all(dir.join("tenants/quarrybank/reviews")).unwrap();
    let out = tmp.join("out");
    assert_eq!(review(&dir, &out, &[]).0, 0);
    let mut rows = read_rows(&out.join("review-20261120/quarrybank.csv"));
    decide(&mut rows[0], decision, REVIEWER, "2026-11-02");
    rows[0].insert("comment".into(), "replaced by the payroll connector".into());
    let completed = tmp.join("completed.csv");
    write_rows(&completed, &rows);
    (dir, completed)
}

#[test]
fn round_trip_a_revoke_not_carried_out_is_review_001() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, completed) = decided_quarrybank(tmp.path(), "Revoke");
    let (report, code) = audit(&dir, &["--review", &s(&completed)]);
    assert_eq!(code, 1);
    let f = findings(&report, "REVIEW-001");
    assert_eq!(f.len(), 1, "{:#}", report["findings"]);
    let f = f[0];
    assert_eq!(f["severity"], "high");
    assert_eq!(
        f["subject"]["ref"],
        "entra/e3554d91-77d4-4384-980e-44178caaefee"
    );
    assert_eq!(f["key"], "a7ce3abf-0353-40a9-854b-7710fc792f77");
    assert_eq!(f["evidence"]["reviewer"], REVIEWER);
    assert_eq!(f["evidence"]["reviewed_at"], "2026-11-02");
    assert_eq!(
        f["evidence"]["comment"],
        "replaced by the payroll connector"
    );
    assert!(f["evidence"]["worksheet"]
        .as_str()
        .unwrap()
        .ends_with("completed.csv:2"));
    let sources: Vec<&str> = f["provenance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["source"].as_str().unwrap())
        .collect();
    assert!(
        sources.contains(&"review") && sources.contains(&"entra"),
        "{sources:?}"
    );
    assert!(findings(&report, "REVIEW-002").is_empty());
    let c = &tenant(&report, "quarrybank")["review"];
    assert_eq!(c["recorded"], true);
    assert_eq!(
        (c["items"].as_u64(), c["reviewed"].as_u64()),
        (Some(1), Some(1))
    );
}

#[test]
fn round_trip_a_carried_out_revoke_is_evidence_not_a_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, completed) = decided_quarrybank(tmp.path(), "revoke");
    // The secret is deleted from the app registration, as the review decided.
    let p = dir.join("tenants/quarrybank/entra/applications.json");
    let mut apps: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    apps["value"][0]["passwordCredentials"] = Value::Array(vec![]);
    std::fs::write(&p, serde_json::to_string_pretty(&apps).unwrap()).unwrap();
    let (report, code) = audit(&dir, &["--review", &s(&completed)]);
    assert_eq!(code, 0, "{:#}", report["findings"]);
    assert!(findings(&report, "REVIEW-001").is_empty());
    let t = tenant(&report, "quarrybank");
    assert_eq!(t["review"]["revocations_carried_out"], 1);
    assert_eq!(t["review"]["problems"], serde_json::json!([]));
}

#[test]
fn keep_in_time_passes_and_review_002_follows_the_interval_param() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, completed) = decided_quarrybank(tmp.path(), "keep");
    let (report, code) = audit(&dir, &["--review", &s(&completed)]);
    assert_eq!(code, 0, "{:#}", report["findings"]);
    assert_eq!(
        verdict(&report, "quarrybank", "REVIEW-002")["verdict"],
        "pass"
    );
    // Reviewed 18 days before as_of: overdue once the interval is shorter.
    let estate_toml = dir.join("estate.toml");
    let mut text = std::fs::read_to_string(&estate_toml).unwrap();
    text.push_str("\n[params]\nreview_interval_days = 10\n");
    std::fs::write(&estate_toml, text).unwrap();
    let (report, _) = audit(&dir, &["--review", &s(&completed)]);
    let f = findings(&report, "REVIEW-002");
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0]["message"],
        "client_secret timesheet-prod held by Quarrybank Timesheet Export was last reviewed 2026-11-02 (18 days ago, more than 10)"
    );
    assert_eq!(tenant(&report, "quarrybank")["review"]["reviewed"], 0);
}

#[test]
fn the_rushmere_fixture_is_overdue_unless_the_interval_allows_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = estate(tmp.path(), "rules/REVIEW-002");
    let (report, _) = audit(&dir, &[]);
    assert_eq!(findings(&report, "REVIEW-002").len(), 1);
    std::fs::write(
        dir.join("estate.toml"),
        "name = \"x\"\nas_of = 2026-11-20T06:00:00Z\n[params]\nreview_interval_days = 200\n",
    )
    .unwrap();
    let (report, code) = audit(&dir, &[]);
    assert_eq!(code, 0);
    assert!(findings(&report, "REVIEW-002").is_empty());
}

#[test]
fn without_review_evidence_review_002_is_not_evaluable_once_per_tenant() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = estate(tmp.path(), "demo");
    std::fs::remove_dir_all(dir.join("reviews")).unwrap();
    let (report, _) = audit(&dir, &[]);
    assert!(findings(&report, "REVIEW-001").is_empty());
    assert!(findings(&report, "REVIEW-002").is_empty());
    for t in report["tenants"].as_array().unwrap() {
        let v = verdict(&report, t["id"].as_str().unwrap(), "REVIEW-002");
        assert_eq!(v["verdict"], "not_evaluable", "{}", t["id"]);
        assert_eq!(v["not_evaluable"], 1);
        assert_eq!(
            v["not_evaluable_subjects"][0]["reason"],
            "no completed access review recorded for this tenant"
        );
        assert_eq!(t["review"]["recorded"], false);
    }
    // A campaign opened but not filled in is not evidence either.
    let out = tmp.path().join("out");
    assert_eq!(review(&dir, &out, &[]).0, 0);
    copy_dir(&out, &dir.join("reviews"));
    let (report, _) = audit(&dir, &[]);
    assert_eq!(
        verdict(&report, "contoso", "REVIEW-002")["verdict"],
        "not_evaluable"
    );
    assert_eq!(
        tenant(&report, "contoso")["review"]["problems"],
        serde_json::json!([])
    );
}

#[test]
fn the_demo_review_reports_coverage_in_json_and_html() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = estate(tmp.path(), "demo");
    let (report, _) = audit(&dir, &[]);
    let c = &tenant(&report, "contoso")["review"];
    assert_eq!(c["recorded"], true);
    assert_eq!(
        c["worksheets"],
        serde_json::json!(["reviews/2026-10-access-review.csv"])
    );
    assert_eq!(
        (c["items"].as_u64(), c["reviewed"].as_u64()),
        (Some(16), Some(15))
    );
    assert_eq!(c["share"], 0.9375);
    assert_eq!(c["interval_days"], 90);
    assert_eq!(c["revocations_carried_out"], 1);
    assert_eq!(
        c["decisions"],
        serde_json::json!({"keep": 13, "modify": 1, "revoke": 1})
    );
    let lines: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("REVIEW"))
        .map(|f| format!("{} {} {}", f["tenant"], f["rule"], f["subject"]["ref"]).replace('"', ""))
        .collect();
    assert_eq!(
        lines,
        [
            "contoso REVIEW-001 ad/112c6052-7a2d-4e2f-97f1-79393fa196f2",
            "contoso REVIEW-002 entra/315e87dd-a571-4566-95a8-f256c03f012f"
        ]
    );
    assert_eq!(tenant(&report, "adatum")["review"]["recorded"], false);
    let o = driftgate(&["audit", &s(&dir), "--format", "html", "--no-out"]);
    let html = String::from_utf8_lossy(&o.stdout);
    assert!(
        html.contains("15 / 16 entitlements reviewed within 90 days (93.8%); from reviews/2026-10-access-review.csv; 1 revocation(s) carried out"),
        "coverage row"
    );
    assert!(
        html.contains("<td class=n>94%</td>"),
        "estate summary column"
    );
    assert!(html.contains("no completed access review recorded"));
}

/// The contoso campaign of the demo, every row kept by REVIEWER on 2026-10-15.
fn kept_contoso(tmp: &Path) -> (PathBuf, Vec<Row>) {
    let (dir, campaign) = demo_campaign(tmp);
    let mut rows = read_rows(&campaign.join("contoso.csv"));
    for r in rows.iter_mut() {
        decide(r, "keep", REVIEWER, "2026-10-15");
    }
    (dir, rows)
}

fn problems(report: &Value, tenant_id: &str) -> Vec<(String, u64, String, String)> {
    tenant(report, tenant_id)["review"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["level"].as_str().unwrap().to_string(),
                p["line"].as_u64().unwrap_or(0),
                p["field"].as_str().unwrap_or("").to_string(),
                p["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn bad_rows_are_reported_with_file_line_and_field_and_never_applied() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, mut rows) = kept_contoso(tmp.path());
    // Data rows start on line 2: rows[n] is on line n + 2.
    rows[0].insert("decision".into(), "approve".into()); // line 2: unknown decision
    rows[1].insert("reviewer".into(), String::new()); // line 3: no reviewer
    rows[2].insert("reviewed_at".into(), "15/10/2026".into()); // line 4: not a date
    rows[3].insert("reviewed_at".into(), "2027-01-05".into()); // line 5: after as_of
    rows[4].insert("holder".into(), "someone.else@contoso.com".into()); // line 6: holder changed
    rows[5].insert("decision".into(), String::new()); // line 7: blank = not reviewed
    let identical = rows[6].clone(); // line 8, repeated on line 18
    let mut conflicting = rows[7].clone(); // line 9, contradicted on line 19
    decide(
        &mut conflicting,
        "revoke",
        "other.reviewer@msp.example",
        "2026-10-15",
    );
    let mut gone = rows[8].clone(); // line 20: an item that no longer exists, kept
    gone.insert("item_id".into(), "000000000000".into());
    rows.extend([identical, conflicting, gone]);
    assert_eq!(rows.len(), 19);
    write_rows(&dir.join("reviews/2026-10-contoso.csv"), &rows);
    let (report, code) = audit(&dir, &[]);
    assert_ne!(code, 2, "a bad worksheet does not stop the audit");
    assert_eq!(tenant(&report, "contoso")["state"], "audited");
    assert_eq!(tenant(&report, "adatum")["state"], "audited");
    let got = problems(&report, "contoso");
    let want = [
        (2, "decision", "error", "unknown decision `approve`"),
        (3, "reviewer", "error", "without a reviewer"),
        (4, "reviewed_at", "error", "`15/10/2026` is not a date"),
        (5, "reviewed_at", "error", "after the audit's as_of"),
        (6, "holder", "warning", "holder changed"),
        (
            18,
            "item_id",
            "warning",
            "duplicate of reviews/2026-10-contoso.csv:8",
        ),
        (
            19,
            "decision",
            "error",
            "conflicts with reviews/2026-10-contoso.csv:9",
        ),
        (20, "item_id", "warning", "item 000000000000"),
    ];
    for (line, field, level, text) in want {
        assert!(
            got.iter()
                .any(|(l, n, f, m)| *n == line && f == field && l == level && m.contains(text)),
            "line {line} {field}: {got:#?}"
        );
    }
    assert_eq!(got.len(), want.len(), "{got:#?}");
    assert!(got.iter().any(|p| p.3.contains("no longer exists")));
    // Each is a tenant warning too, naming file and line.
    let warnings = tenant(&report, "contoso")["warnings"].to_string();
    assert!(
        warnings.contains("reviews/2026-10-contoso.csv:2 [decision]"),
        "{warnings}"
    );
    // None of the bad rows counts: 16 items, 9 reviewed (rows 0-5 and 7 do not count).
    let c = &tenant(&report, "contoso")["review"];
    assert_eq!(
        (c["items"].as_u64(), c["reviewed"].as_u64()),
        (Some(16), Some(9))
    );
    // The items those rows name are not reviewed: REVIEW-002 on each that is in scope.
    assert_eq!(
        findings(&report, "REVIEW-002").len(),
        7,
        "{:#}",
        report["findings"]
    );
    assert!(
        findings(&report, "REVIEW-001").is_empty(),
        "conflicting revoke not applied"
    );
}

#[test]
fn a_worksheet_with_a_broken_header_stops_only_its_review_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, rows) = kept_contoso(tmp.path());
    // Without the decision column, in contoso's own folder: contoso's problem only.
    let p = dir.join("tenants/contoso/reviews/broken.csv");
    write_rows(&p, &rows);
    let text = std::fs::read_to_string(&p)
        .unwrap()
        .replacen(",decision,", ",verdict,", 1);
    std::fs::write(&p, text).unwrap();
    let (report, code) = audit(&dir, &[]);
    assert_ne!(code, 2);
    let got = problems(&report, "contoso");
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!((got[0].1, got[0].2.as_str()), (1, "decision"));
    assert!(
        got[0].3.contains("header lacks column(s) decision"),
        "{got:#?}"
    );
    assert!(problems(&report, "adatum").is_empty());
    assert_eq!(tenant(&report, "contoso")["review"]["recorded"], false);
    // An estate-level worksheet without a tenant column cannot be routed: every tenant hears.
    std::fs::remove_file(&p).unwrap();
    let q = dir.join("reviews/untenanted.csv");
    std::fs::create_dir_all(q.parent().unwrap()).unwrap();
    std::fs::write(&q, "item_id,holder,decision,reviewer,reviewed_at\n").unwrap();
    let (report, _) = audit(&dir, &[]);
    for t in ["contoso", "adatum"] {
        let got = problems(&report, t);
        assert!(got.iter().any(|p| p.2 == "tenant"), "{t}: {got:#?}");
    }
    // With a tenant column, only the tenants its rows name hear of it.
    std::fs::write(
        &q,
        "item_id,tenant,holder,reviewer,reviewed_at\nabc,adatum,x,y,2026-10-01\n",
    )
    .unwrap();
    let (report, _) = audit(&dir, &[]);
    let got = problems(&report, "adatum");
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0].2, "decision");
    assert!(problems(&report, "contoso").is_empty());
    // A missing --review file is a usage error.
    let o = driftgate(&[
        "audit",
        &s(&dir),
        "--no-out",
        "--review",
        "/nonexistent/x.csv",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("x.csv"));
}

#[test]
fn a_row_for_another_tenant_in_a_tenant_folder_is_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, mut rows) = kept_contoso(tmp.path());
    rows[0].insert("tenant".into(), "adatum".into());
    write_rows(&dir.join("tenants/contoso/reviews/2026-10.csv"), &rows);
    let (report, _) = audit(&dir, &[]);
    let got = problems(&report, "contoso");
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!((got[0].1, got[0].2.as_str()), (2, "tenant"));
    assert_eq!(tenant(&report, "contoso")["review"]["reviewed"], 15);
    assert_eq!(tenant(&report, "adatum")["review"]["recorded"], false);
}
