//! `driftgate policy impact` specs: what a policy change does to the demo estate's findings,
//! compared with two independent audits; the `--fail-on-new` gate, `effective_on`, git
//! revisions as base, broken packs and the Markdown size limit, each with its exit code.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
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

fn demo() -> String {
    root().join("fixtures/demo").display().to_string()
}

/// A copy of the repository's `policies/` as `<dir>/<name>`.
fn pack(dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    copy_dir(&root().join("policies"), &to);
    to
}

/// Replace `from` by `to` in one file of a pack (it must occur).
fn edit(pack: &Path, file: &str, from: &str, to: &str) {
    let path = pack.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} lacks `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

const NHI_001: &str = "rules/nhi/nhi_001.rego";

/// Base and head packs where head lowers NHI-001's `max_secret_age_days` from 90 to 60.
fn threshold_change(dir: &Path) -> (PathBuf, PathBuf) {
    let base = pack(dir, "base");
    let head = dir.join("head");
    copy_dir(&base, &head);
    edit(
        &head,
        NHI_001,
        "max_secret_age_days: 90",
        "max_secret_age_days: 60",
    );
    (base, head)
}

fn impact(args: &[&str]) -> (Value, i32) {
    let out = driftgate(&[&["policy", "impact", "--format", "json"], args].concat());
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (json, out.status.code().unwrap())
}

fn strings(v: &Value, key: &str) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x[key].as_str().unwrap().to_string())
        .collect()
}

/// The findings of `driftgate audit` with the pack's rules (and the shipped library).
fn audit_fingerprints(pack: &Path) -> BTreeSet<String> {
    let out = driftgate(&[
        "audit",
        &demo(),
        "--format",
        "json",
        "--no-out",
        "--fail-on",
        "none",
        "--no-builtin",
        "--policies",
        pack.join("rules").to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    strings(&report["findings"], "fingerprint")
}

#[test]
fn policy_impact_shows_the_exact_effect_of_a_threshold_change_on_the_demo_estate() {
    let dir = tempfile::tempdir().unwrap();
    let (base, head) = threshold_change(dir.path());
    let (json, code) = impact(&[
        "--base",
        base.to_str().unwrap(),
        "--head",
        head.to_str().unwrap(),
        &demo(),
    ]);
    assert_eq!(code, 0, "no --fail-on-new: never 1");
    assert_eq!(json["schema"], "driftgate.impact/v1");
    // The independent answer: two audits, their fingerprints diffed.
    let (old, new) = (audit_fingerprints(&base), audit_fingerprints(&head));
    let added: BTreeSet<String> = new.difference(&old).cloned().collect();
    let removed: BTreeSet<String> = old.difference(&new).cloned().collect();
    assert_eq!(strings(&json["added"], "fingerprint"), added);
    assert_eq!(strings(&json["removed"], "fingerprint"), removed);
    // Pinned: the two certificates rotated 66 and 80 days ago, now over the limit.
    let pinned: Vec<(String, String, String)> = json["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["tenant"].as_str().unwrap().to_string(),
                f["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expect = |t: &str, n: &str| ("NHI-001".to_string(), t.to_string(), n.to_string());
    assert_eq!(
        pinned,
        vec![
            expect("adatum", "Adatum Directory Sync Tool"),
            expect("tailspin", "Tailspin Web Store"),
        ]
    );
    assert!(json["added"][0]["message"]
        .as_str()
        .unwrap()
        .ends_with("rotated 66 days ago (limit 60)"));
    assert!(removed.is_empty());
    // The findings already over 90 days stay, their message now names the new limit.
    let changed = json["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 5);
    for c in changed {
        assert_eq!(c["rule"], "NHI-001");
        assert_eq!(c["severity_base"], c["severity_head"]);
        let (old, new) = (
            c["message_base"].as_str().unwrap(),
            c["message_head"].as_str().unwrap(),
        );
        assert_eq!(new, old.replace("(limit 90)", "(limit 60)"));
    }
    assert_eq!(
        json["summary"],
        serde_json::json!({"added": 2, "removed": 0, "changed": 5, "unchanged": 72, "warnings": 0})
    );
    assert_eq!(
        json["rules_changed"],
        serde_json::json!([{"rule": "NHI-001", "changes": ["param max_secret_age_days 90 → 60"]}])
    );
    assert_eq!(
        json["verdicts_changed"],
        serde_json::json!([{"tenant": "tailspin", "rule": "NHI-001", "base": "pass", "head": "fail"}])
    );
    assert_eq!(
        strings(&json["by_rule_tenant"], "tenant"),
        ["adatum", "contoso", "tailspin"].map(String::from).into()
    );
}

#[test]
fn identical_sets_change_nothing_and_pass_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let base = pack(dir.path(), "base");
    let b = base.to_str().unwrap();
    let (json, code) = impact(&["--base", b, "--head", b, &demo(), "--fail-on-new", "info"]);
    assert_eq!(code, 0);
    for key in [
        "added",
        "removed",
        "changed",
        "verdicts_changed",
        "rules_changed",
    ] {
        assert_eq!(json[key], serde_json::json!([]), "{key}");
    }
    assert_eq!(json["summary"]["unchanged"], json["head"]["findings"]);
    assert_eq!(
        json["gate"],
        serde_json::json!({"fail_on_new": "info", "failing": 0})
    );
}

#[test]
fn fail_on_new_fails_only_at_or_above_its_severity() {
    let dir = tempfile::tempdir().unwrap();
    let (base, head) = threshold_change(dir.path());
    let (b, h) = (base.to_str().unwrap(), head.to_str().unwrap());
    for (min, want) in [("low", 1), ("high", 1), ("critical", 0)] {
        let (json, code) = impact(&["--base", b, "--head", h, &demo(), "--fail-on-new", min]);
        assert_eq!(code, want, "--fail-on-new {min}");
        assert_eq!(json["gate"]["failing"], if want == 1 { 2 } else { 0 });
    }
    // More severe counts as new: the 5 findings already there, and the 2 added.
    edit(&head, NHI_001, "severity: high", "severity: critical");
    let (json, code) = impact(&[
        "--base",
        b,
        "--head",
        h,
        &demo(),
        "--fail-on-new",
        "critical",
    ]);
    assert_eq!((code, &json["gate"]["failing"]), (1, &Value::from(7)));
    assert!(json["rules_changed"][0]["changes"]
        .as_array()
        .unwrap()
        .contains(&"severity high → critical".into()));
    edit(&head, NHI_001, "severity: critical", "severity: high");
    // Reversed, the change only removes findings: nothing new to fail on.
    let (json, code) = impact(&["--base", h, "--head", b, &demo(), "--fail-on-new", "info"]);
    assert_eq!((code, json["summary"]["removed"].as_u64()), (0, Some(2)));
}

/// `git` in `dir`, with an identity so commits work on a bare CI machine.
fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

#[test]
fn a_git_revision_base_is_read_from_the_repository_and_leaves_nothing_behind() {
    // A repository of its own: `policies/` committed, then a threshold changed in the work tree.
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    pack(&repo, "policies");
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "base"]);
    let scratch = dir.path().join("tmp");
    std::fs::create_dir(&scratch).unwrap();
    let run = |head: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_driftgate"))
            .args([
                "policy", "impact", "--format", "json", "--base", "HEAD", "--head", head,
            ])
            .arg(demo())
            .current_dir(&repo)
            .env("TMPDIR", &scratch)
            .output()
            .unwrap();
        let json: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (json, out.status.code().unwrap())
    };
    let (json, code) = run("policies");
    assert_eq!(code, 0);
    assert!(json["base"]["policies"]
        .as_str()
        .unwrap()
        .starts_with("git HEAD ("));
    for key in ["added", "removed", "changed"] {
        assert_eq!(json[key], serde_json::json!([]), "{key}");
    }
    assert_eq!(json["base"]["rules"], json["head"]["rules"]);

    let policies = repo.join("policies");
    edit(
        &policies,
        NHI_001,
        "max_secret_age_days: 90",
        "max_secret_age_days: 60",
    );
    let (json, _) = run("policies");
    assert_eq!(
        json["summary"]["added"], 2,
        "the committed revision is the base"
    );
    // The temporary copies of the revision are gone again.
    assert_eq!(std::fs::read_dir(&scratch).unwrap().count(), 0);

    let out = driftgate(&["policy", "impact", "--base", "no-such-rev-0x", &demo()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--base `no-such-rev-0x`: not a folder and not a git revision"));
}

#[test]
fn findings_of_a_rule_not_yet_effective_are_warnings_that_never_fail_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let (base, head) = threshold_change(dir.path());
    let (b, h) = (base.to_str().unwrap(), head.to_str().unwrap());
    let severity = "#   severity: high\n";
    edit(
        &head,
        NHI_001,
        severity,
        "#   severity: high\n#   effective_on: 2027-01-01\n",
    );
    let (json, code) = impact(&["--base", b, "--head", h, &demo(), "--fail-on-new", "low"]);
    assert_eq!(code, 0);
    assert_eq!(json["summary"]["added"], 2);
    assert_eq!(json["summary"]["warnings"], 2);
    for f in json["added"].as_array().unwrap() {
        assert_eq!(
            (&f["warning"], &f["effective_on"]),
            (&Value::Bool(true), &"2027-01-01".into())
        );
    }
    assert!(json["rules_changed"][0]["changes"]
        .as_array()
        .unwrap()
        .contains(&"effective_on — → 2027-01-01".into()));
    // In force from the as_of day itself.
    edit(&head, NHI_001, "2027-01-01", "2026-11-20");
    let (json, code) = impact(&["--base", b, "--head", h, &demo(), "--fail-on-new", "low"]);
    assert_eq!((code, &json["summary"]["warnings"]), (1, &Value::from(0)));
}

#[test]
fn audit_does_not_fail_on_rules_not_yet_effective() {
    let dir = tempfile::tempdir().unwrap();
    let head = pack(dir.path(), "head");
    // The pack's rules with the shipped library, as a user pack is audited.
    let args = |p: &Path| {
        let p = p.join("rules");
        driftgate(&[
            "audit",
            &demo(),
            "--format",
            "json",
            "--no-out",
            "--fail-on",
            "info",
            "--no-builtin",
            "--policies",
            p.to_str().unwrap(),
        ])
    };
    assert_eq!(args(&head).status.code(), Some(1));
    // Every rule effective only from 2099: the same findings, all of them warnings.
    let mut rules = 0;
    for family in std::fs::read_dir(head.join("rules")).unwrap().flatten() {
        for f in std::fs::read_dir(family.path()).unwrap().flatten() {
            let name = f.file_name().to_string_lossy().to_string();
            if name.ends_with(".rego") && !name.ends_with("_test.rego") {
                let text = std::fs::read_to_string(f.path()).unwrap();
                let text = text.replacen(
                    "#   severity:",
                    "#   effective_on: 2099-01-01\n#   severity:",
                    1,
                );
                std::fs::write(f.path(), text).unwrap();
                rules += 1;
            }
        }
    }
    let out = args(&head);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!report["findings"].as_array().unwrap().is_empty());
    let dated = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["effective_on"] == "2099-01-01")
        .count();
    assert_eq!(dated, rules);
    // A date that is not one is a METADATA error, located.
    edit(&head, NHI_001, "2099-01-01", "2099-02-30");
    let out = args(&head);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("nhi_001.rego:")
            && stderr.contains("custom.effective_on `2099-02-30` is not a date (YYYY-MM-DD)"),
        "{stderr}"
    );
}

#[test]
fn a_broken_head_pack_is_a_policy_error() {
    let dir = tempfile::tempdir().unwrap();
    let (base, head) = threshold_change(dir.path());
    edit(
        &head,
        NHI_001,
        "import rego.v1\n",
        "import rego.v1\n\nfindings contains x if {\n",
    );
    let out = driftgate(&[
        "policy",
        "impact",
        "--base",
        base.to_str().unwrap(),
        "--head",
        head.to_str().unwrap(),
        &demo(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("policy error: head: "), "{stderr}");
    // Bad METADATA in the base is one too.
    edit(&base, NHI_001, "severity: high", "severity: urgent");
    let out = driftgate(&[
        "policy",
        "impact",
        "--base",
        base.to_str().unwrap(),
        "--head",
        base.to_str().unwrap(),
        &demo(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown severity `urgent`"));
}

#[test]
fn markdown_stays_under_the_comment_limit_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let estate = dir.path().join("estate");
    let out = driftgate(&[
        "synth",
        estate.to_str().unwrap(),
        "--tenants",
        "3",
        "--identities",
        "300",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let base = pack(dir.path(), "base");
    let head = dir.path().join("head");
    copy_dir(&base, &head);
    // A rule that names every identity: hundreds of added findings.
    std::fs::write(
        head.join("rules/every.rego"),
        "# METADATA\n# title: Every identity\n# custom:\n#   id: IMP-001\n#   severity: low\n\
         #   controls:\n#     nist-csf-2.0: [\"PR.AA-01\"]\n#   remediation: None.\n\
         package impact.every\n\nimport rego.v1\n\nfindings contains f if {\n\tsome i in input.identities\n\
         \tf := {\"subject\": i.ref, \"message\": sprintf(\"%s | <b>exists</b> with a long message to fill the comment\", [i.ref])}\n}\n",
    )
    .unwrap();
    let args = |format: &str| {
        driftgate(&[
            "policy",
            "impact",
            "--base",
            base.to_str().unwrap(),
            "--head",
            head.to_str().unwrap(),
            estate.to_str().unwrap(),
            "--format",
            format,
        ])
    };
    let json: Value = serde_json::from_slice(&args("json").stdout).unwrap();
    let added = json["summary"]["added"].as_u64().unwrap() as usize;
    assert_eq!(json["rules_added"], serde_json::json!(["IMP-001"]));
    let out = args("markdown");
    assert_eq!(out.status.code(), Some(0));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.len() < 65_536, "{} bytes", md.len());
    assert!(
        !md.contains("<b>"),
        "text from policies and exports is escaped"
    );
    let rows = md
        .lines()
        .filter(|l| l.starts_with("| low | IMP-001 |"))
        .count();
    assert!(rows > 0 && rows < added, "{rows} of {added}");
    assert!(
        md.contains(&format!(
            "… and {} more (see `--format json`)",
            added - rows
        )),
        "{md}"
    );
}
