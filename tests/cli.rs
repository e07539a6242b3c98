//! CLI specs: the shipped demo estate, per-rule fixtures, bad input, determinism, and the exit
//! code of every path (0 clean, 1 findings at --fail-on, 2 usage/config/input, 3 policy).

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

fn fixture(rel: &str) -> String {
    root().join("fixtures").join(rel).display().to_string()
}

fn report(args: &[&str]) -> (serde_json::Value, i32) {
    let out = driftgate(&[&["audit", "--format", "json", "--no-out"], args].concat());
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (json, out.status.code().unwrap())
}

/// `TENANT RULE SUBJECT_REF` per finding (` waived` appended when a waiver covers it), sorted.
fn finding_lines(report: &serde_json::Value) -> Vec<String> {
    let mut lines: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {}{}",
                f["tenant"].as_str().unwrap(),
                f["rule"].as_str().unwrap(),
                f["subject"]["ref"].as_str().unwrap(),
                if f.get("waived").is_some() {
                    " waived"
                } else {
                    ""
                }
            )
        })
        .collect();
    lines.sort();
    lines
}

#[test]
fn demo_estate_produces_exactly_the_promised_findings() {
    let (json, code) = report(&[&fixture("demo")]);
    let expected: Vec<String> =
        std::fs::read_to_string(root().join("fixtures/demo/expected-findings.txt"))
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
    assert_eq!(finding_lines(&json), expected);
    assert_eq!(code, 1, "the demo has high and critical findings");
    assert_eq!(json["run"]["complete"], true);
    let clean = json["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "tailspin")
        .expect("clean tenant");
    assert!(
        clean["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["findings"] == 0),
        "the clean tenant trips nothing"
    );
}

#[test]
fn every_finding_carries_evidence_provenance_and_controls() {
    let (json, _) = report(&[&fixture("demo")]);
    for f in json["findings"].as_array().unwrap() {
        assert!(f["fingerprint"].as_str().unwrap().len() == 32);
        assert!(f["evidence"].is_object(), "{f}");
        let prov = f["provenance"].as_array().unwrap();
        assert!(!prov.is_empty(), "{f}");
        for p in prov {
            let file = p["file"].as_str().unwrap();
            assert!(
                !file.starts_with('/') && root().join("fixtures/demo").join(file).exists(),
                "provenance names a file of the estate, relative to its root: {f}"
            );
        }
        assert!(
            f["controls"]["nist-csf-1.1"].is_array() && f["controls"]["nist-csf-2.0"].is_array(),
            "{f}"
        );
        if f["rule"].as_str().unwrap().starts_with("PRIV-") {
            assert!(
                f["controls"]["nist-csf-1.1"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c == "PR.AC-4"),
                "{f}"
            );
            assert!(
                f["controls"]["nist-csf-2.0"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c == "PR.AA-05"),
                "{f}"
            );
        }
    }
}

#[test]
fn same_inputs_same_as_of_give_byte_identical_reports() {
    let a = driftgate(&["audit", &fixture("demo"), "--format", "json", "--no-out"]);
    let b = driftgate(&["audit", &fixture("demo"), "--format", "json", "--no-out"]);
    assert!(!a.stdout.is_empty());
    assert_eq!(a.stdout, b.stdout);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    for _ in 0..2 {
        assert_eq!(
            driftgate(&["audit", &fixture("demo"), "--out", &out, "--format", "csv"])
                .status
                .code(),
            Some(1)
        );
    }
    let runs: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(
        runs.len(),
        1,
        "identical reports land in the same run folder"
    );
    let run = runs[0].as_ref().unwrap().path();
    assert_eq!(std::fs::read(run.join("report.json")).unwrap(), a.stdout);
    assert!(run.join("findings.csv").exists());
}

#[test]
fn each_rule_fixture_trips_exactly_its_rule() {
    let dir = root().join("fixtures/rules");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let rule = path.file_name().unwrap().to_string_lossy().to_string();
        let (json, _) = report(&[&path.display().to_string()]);
        let mut rules: std::collections::BTreeSet<&str> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap())
            .collect();
        // A fixture may declare a rule that cannot be separated from its own (`# Also emits: X`).
        let header = std::fs::read_to_string(path.join("tenant/tenant.toml"))
            .or_else(|_| find_tenant_toml(&path))
            .unwrap_or_default();
        for also in header
            .lines()
            .filter_map(|l| l.strip_prefix("# Also emits:"))
            .filter_map(|l| l.split_whitespace().next())
        {
            assert!(
                rules.remove(also),
                "fixtures/rules/{rule} declares {also} but it did not fire"
            );
        }
        assert_eq!(
            rules.into_iter().collect::<Vec<_>>(),
            vec![rule.as_str()],
            "fixtures/rules/{rule}"
        );
        seen += 1;
    }
    let (json, _) = report(&[&fixture("demo")]);
    assert_eq!(
        seen,
        json["rules"].as_array().unwrap().len(),
        "one fixture per shipped rule"
    );
}

fn find_tenant_toml(dir: &Path) -> std::io::Result<String> {
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            if let Ok(t) = find_tenant_toml(&p) {
                return Ok(t);
            }
        } else if p.file_name().is_some_and(|n| n == "tenant.toml") {
            return std::fs::read_to_string(p);
        }
    }
    Err(std::io::ErrorKind::NotFound.into())
}

#[test]
fn broken_tenants_are_reported_and_the_rest_still_audited() {
    let dir = tempfile::tempdir().unwrap();
    let out = driftgate(&[
        "audit",
        &fixture("bad/partial"),
        "--format",
        "json",
        "--out",
        &dir.path().display().to_string(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["run"]["complete"], false);
    let tenants = json["tenants"].as_array().unwrap();
    assert!(
        tenants.iter().any(|t| t["state"] == "audited"),
        "the good tenant is audited"
    );
    let broken: Vec<_> = tenants.iter().filter(|t| t["state"] == "error").collect();
    assert!(broken.len() >= 5);
    for t in broken {
        for e in t["errors"].as_array().unwrap() {
            assert!(e["file"].as_str().is_some_and(|f| !f.is_empty()), "{e}");
            assert!(!e["message"].as_str().unwrap().is_empty());
        }
    }
    let run = std::fs::read_dir(dir.path())
        .unwrap()
        .next()
        .expect("partial report written")
        .unwrap()
        .path();
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("report.json")).unwrap()).unwrap();
    assert_eq!(
        written["run"]["complete"], false,
        "the partial report is marked incomplete"
    );
}

#[test]
fn exit_codes_are_pinned() {
    let demo = fixture("demo");
    let code = |args: &[&str]| driftgate(args).status.code().unwrap();
    assert_eq!(code(&["audit", &demo, "--no-out", "--fail-on", "none"]), 0);
    assert_eq!(
        code(&["audit", &demo, "--no-out", "--tenant", "tailspin"]),
        0,
        "the clean tenant alone"
    );
    assert_eq!(
        code(&["audit", &demo, "--no-out"]),
        1,
        "default --fail-on high"
    );
    assert_eq!(
        code(&["audit", &demo, "--no-out", "--fail-on", "critical"]),
        1
    );
    assert_eq!(code(&["audit", "/nonexistent/estate", "--no-out"]), 2);
    assert_eq!(code(&["audit", &demo, "--no-out", "--tenant", "nosuch"]), 2);
    assert_eq!(
        code(&["audit", &demo, "--no-out", "--as-of", "yesterday"]),
        2
    );
    assert_eq!(
        code(&["audit", &demo, "--no-out", "--fail-on", "urgent"]),
        2,
        "usage error"
    );
    assert_eq!(code(&["frobnicate"]), 2);
    let bad = tempfile::tempdir().unwrap();
    std::fs::write(
        bad.path().join("broken.rego"),
        "package broken\nimport rego.v1\nfindings contains x if {\n",
    )
    .unwrap();
    assert_eq!(
        code(&[
            "audit",
            &demo,
            "--no-out",
            "--policies",
            &bad.path().display().to_string()
        ]),
        3
    );
}

fn user_rule(dir: &Path, body: &str) {
    let text = format!(
        "# METADATA\n# title: Custom\n# custom:\n#   id: CUST-001\n#   severity: high\n#   controls:\n#     nist-csf-2.0: [\"PR.AA-05\"]\n#   remediation: Fix it.\npackage custom.rule\n\nimport rego.v1\n\n{body}\n"
    );
    std::fs::write(dir.join("custom.rego"), text).unwrap();
}

#[test]
fn a_runtime_error_in_a_user_rule_names_rule_tenant_and_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    user_rule(dir.path(), "findings contains f if {\n\tsome i in input.identities\n\tx := to_number(i.ref)\n\tf := {\"subject\": i.ref, \"message\": sprintf(\"%d\", [x])}\n}");
    let out = driftgate(&[
        "audit",
        &fixture("demo"),
        "--no-out",
        "--format",
        "json",
        "--no-builtin",
        "--policies",
        &dir.path().display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &json["policy_errors"][0];
    assert_eq!(e["rule"], "CUST-001");
    assert!(
        e["tenant"].is_string() && e["message"].as_str().unwrap().contains("subject"),
        "{e}"
    );
}

#[test]
fn user_rules_cannot_reach_network_environment_or_clock() {
    let dir = tempfile::tempdir().unwrap();
    user_rule(
        dir.path(),
        "findings contains f if {\n\tsome i in input.identities\n\ttime.now_ns() == time.parse_rfc3339_ns(input.as_of)\n\tf := {\"subject\": i.ref, \"message\": \"clock is as_of\"}\n}\nnet := http.send({\"method\": \"get\", \"url\": \"http://127.0.0.1:9\"})\nenv := opa.runtime().env",
    );
    let (json, _) = report(&[
        &fixture("rules/BASE-003"),
        "--no-builtin",
        "--policies",
        &dir.path().display().to_string(),
    ]);
    assert!(
        !json["findings"].as_array().unwrap().is_empty(),
        "time.now_ns answers as_of"
    );
    let mut set = driftgate::policy::PolicySet::load(false, &[dir.path()]).unwrap();
    set.rules.clear();
    let mut engine = driftgate::policy::engine::PolicyEngine::build(
        &set,
        driftgate::estate::parse_as_of("2026-01-01").unwrap(),
    )
    .unwrap();
    for rule in ["data.custom.rule.net", "data.custom.rule.env"] {
        assert!(
            engine.eval(&regorus::Value::new_object(), rule).is_err(),
            "{rule} must fail to evaluate"
        );
    }
}

#[test]
fn input_prints_what_policies_see_and_rules_lists_the_pack() {
    let out = driftgate(&["input", &fixture("demo"), "--tenant", "contoso"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["tenant"]["id"], "contoso");
    assert_eq!(json["params"]["stale_days"], 90);
    assert!(json["identities"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["ref"].is_string() && i["prov"]["file"].is_string()));
    let out = driftgate(&["rules", "--format", "json"]);
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "BASE-001",
            "BASE-002",
            "BASE-003",
            "BASE-004",
            "DRIFT-001",
            "DRIFT-002",
            "DRIFT-003",
            "GOV-001",
            "GOV-002",
            "GOV-003",
            "LIFE-001",
            "LIFE-002",
            "LIFE-003",
            "NHI-001",
            "NHI-002",
            "NHI-003",
            "NHI-004",
            "PRIV-001",
            "PRIV-002",
            "PRIV-003",
            "PRIV-004",
            "PRIV-005",
            "PRIV-006",
            "PRIV-007",
            "REVIEW-001",
            "REVIEW-002",
            "STALE-001",
            "STALE-002",
            "STALE-003",
            "STALE-004"
        ]
    );
}

#[test]
fn shipped_pack_tests_pass_and_every_rule_has_a_test_and_a_doc() {
    let set = driftgate::policy::PolicySet::load(true, &[] as &[&str]).unwrap();
    let results = driftgate::policy::test::run(&set);
    let failed: Vec<_> = results
        .iter()
        .filter(|r| r.outcome != driftgate::policy::test::Outcome::Pass)
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    for rule in set.rules.values() {
        let test = rule.file.replace(".rego", "_test.rego");
        let tests = set
            .files
            .iter()
            .find(|f| f.path == test)
            .unwrap_or_else(|| panic!("{} has no test file", rule.id));
        let package = rule.package.trim_start_matches("data.");
        let count = results
            .iter()
            .filter(|r| r.name.starts_with(&format!("data.{package}_test.")))
            .count();
        assert!(
            count >= 2,
            "{}: needs a firing and a passing test, has {count}",
            rule.id
        );
        assert!(tests.text.contains("test_"));
        assert!(
            driftgate::policy::builtin_doc(&rule.file).is_some_and(|d| d.len() > 200),
            "{} has no doc",
            rule.id
        );
    }
}

#[test]
fn a_mutated_rule_fails_its_own_tests() {
    let set = driftgate::policy::PolicySet::load(true, &[] as &[&str]).unwrap();
    let mut broken = set.clone();
    let file = broken
        .files
        .iter_mut()
        .find(|f| f.path.ends_with("stale_001.rego"))
        .unwrap();
    file.text = file.text.replacen(
        "findings contains f if {",
        "findings contains f if {\n\tfalse",
        1,
    );
    assert_ne!(
        file.text,
        set.files
            .iter()
            .find(|f| f.path.ends_with("stale_001.rego"))
            .unwrap()
            .text,
        "mutation applied"
    );
    let results = driftgate::policy::test::run(&broken);
    assert!(results.iter().any(|r| r.name.contains("stale_001_test")
        && r.outcome != driftgate::policy::test::Outcome::Pass));
}

/// Compare with tests/snapshots/NAME, or rewrite it when DRIFTGATE_UPDATE_SNAPSHOTS=1.
/// `rel` (from the repository root) holds the expected bytes; `DRIFTGATE_UPDATE_SNAPSHOTS=1`
/// rewrites it. The formats a run folder holds are pinned by reports/example/ itself (one copy;
/// tests/example_reports.rs checks the run folder against the same files).
fn snapshot(rel: &str, actual: &[u8]) {
    let path = root().join(rel);
    if std::env::var("DRIFTGATE_UPDATE_SNAPSHOTS").is_ok() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read(&path).unwrap_or_else(|_| {
        panic!(
            "missing {}: run with DRIFTGATE_UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert!(expected == actual, "{rel} differs from its snapshot; review and rerun with DRIFTGATE_UPDATE_SNAPSHOTS=1 if intended");
}

#[test]
fn every_output_format_of_the_demo_matches_its_snapshot() {
    for (format, name) in [
        ("table", "tests/snapshots/demo.table.txt"),
        ("json", "reports/example/report.json"),
        ("csv", "reports/example/findings.csv"),
        ("sarif", "reports/example/report.sarif"),
        ("junit", "reports/example/report.junit.xml"),
        ("markdown", "reports/example/report.md"),
        ("ocsf", "reports/example/report.ocsf.jsonl"),
        ("oscal", "reports/example/report.oscal.json"),
        ("html", "reports/example/report.html"),
    ] {
        let out = driftgate(&["audit", "fixtures/demo", "--no-out", "--format", format]);
        assert_eq!(out.status.code(), Some(1));
        snapshot(name, &out.stdout);
    }
}

#[test]
fn a_reader_that_stops_early_is_not_a_crash() {
    use std::process::Stdio;
    for (args, want) in [
        (vec!["input", "fixtures/demo", "--tenant", "contoso"], 0),
        (
            vec!["audit", "fixtures/demo", "--no-out", "--format", "json"],
            1,
        ),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_driftgate"))
            .args(&args)
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(want), "{args:?}: {stderr}");
    }
}

#[test]
fn progress_is_never_shown_when_stderr_is_not_a_terminal() {
    let audit = ["audit", "fixtures/demo", "--no-out"];
    let who = ["who", "fixtures/demo", "tom.harris@adatum.com"];
    for (plain, quiet) in [
        (audit, "--quiet"),
        (audit, "-q"),
        (who, "--quiet"),
        (who, "-q"),
    ] {
        let expected = driftgate(&plain);
        let args = [&plain[..], &[quiet]].concat();
        let out = driftgate(&args);
        assert_eq!(out.status.code(), expected.status.code(), "{args:?}");
        assert_eq!(
            out.stdout, expected.stdout,
            "{args:?}: --quiet changes only stderr"
        );
        for out in [&out, &expected] {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                !err.contains("loading") && !err.contains("evaluating") && !err.contains('\r'),
                "{args:?}: progress on a pipe: {err}"
            );
        }
    }
}
