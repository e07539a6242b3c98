//! `driftgate policy lint` specs: the shipped pack and a copied user rule lint clean, and each
//! kind of defect fails the run (exit 1) naming `file:line: [check]`.
//!
//! Every defective pack starts from the same known-good user rule (STALE-001's three files under
//! the id USER-001) with only the defect stated.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Exit code and stdout of `driftgate policy lint ARGS`.
fn lint(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_driftgate"))
        .args([&["policy", "lint"], args].concat())
        .current_dir(root())
        .output()
        .expect("binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap(), format!("{stdout}{stderr}"))
}

/// A user pack in a temp folder: `rules/user_001.{rego,_test.rego,md}`, a copy of STALE-001.
struct Pack {
    dir: tempfile::TempDir,
}

impl Pack {
    fn new() -> Pack {
        let pack = Pack {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(pack.dir.path().join("rules")).unwrap();
        pack.copy_rule("user_001", "USER-001");
        pack
    }

    /// STALE-001's rule, test and doc as `rules/<name>.*` with rule id `id`.
    fn copy_rule(&self, name: &str, id: &str) {
        for suffix in [".rego", "_test.rego", ".md"] {
            let text = std::fs::read_to_string(
                root().join(format!("policies/rules/stale/stale_001{suffix}")),
            )
            .unwrap()
            .replace("STALE-001", id)
            .replace("driftgate.rules.stale_001", &format!("user.rules.{name}"));
            self.write(&format!("rules/{name}{suffix}"), &text);
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    /// Replace `from` (which must occur) in a file.
    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} has no {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    fn rule(&self) -> String {
        self.path("rules/user_001.rego").display().to_string()
    }

    /// The 1-based line of the first line of `rel` containing `needle`.
    fn line_of(&self, rel: &str, needle: &str) -> usize {
        self.read(rel)
            .lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{rel} has no line with {needle:?}"))
            + 1
    }

    /// `policy lint --no-builtin <pack>`.
    fn lint(&self) -> (i32, String) {
        lint(&["--no-builtin", self.dir.path().to_str().unwrap()])
    }
}

/// The run fails and reports `check` at `file:line`.
fn assert_reports(result: &(i32, String), file: &str, line: usize, check: &str) {
    let (code, out) = result;
    let want = format!("{file}:{line}: [{check}]");
    assert!(out.contains(&want), "expected `{want}` in:\n{out}");
    assert_eq!(*code, 1, "{out}");
}

const RULE: &str = "rules/user_001.rego";

#[test]
fn shipped_pack_lints_clean() {
    let (code, out) = lint(&[]);
    assert!(out.contains("): no problems"), "{out}");
    assert_eq!(code, 0, "{out}");
}

#[test]
fn clean_user_pack_lints_clean_without_and_with_the_builtin_pack() {
    let pack = Pack::new();
    let (code, out) = pack.lint();
    assert_eq!(
        (code, out.trim()),
        (0, "linted 2 files (1 rule): no problems"),
        "{out}"
    );
    let (code, out) = lint(&[pack.dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn missing_metadata() {
    let pack = Pack::new();
    let text = pack.read(RULE);
    let at = text.find("package ").unwrap();
    pack.write(RULE, &text[at..]);
    assert_reports(&pack.lint(), &pack.rule(), 1, "metadata-missing");
}

#[test]
fn malformed_id() {
    let pack = Pack::new();
    pack.edit(RULE, "id: USER-001", "id: user-1");
    let line = pack.line_of(RULE, "id: user-1");
    let r = pack.lint();
    assert_reports(&r, &pack.rule(), line, "id-malformed");
    assert!(r.1.contains("`user-1`"), "{}", r.1);
}

#[test]
fn duplicate_id_names_the_first_definition() {
    let pack = Pack::new();
    pack.copy_rule("user_002", "USER-001");
    let second = pack.path("rules/user_002.rego").display().to_string();
    let r = pack.lint();
    assert_reports(&r, &second, 1, "id-duplicate");
    assert!(
        r.1.contains(&format!("already defined in {}:1", pack.rule())),
        "{}",
        r.1
    );
}

#[test]
fn duplicate_of_a_shipped_id() {
    let pack = Pack::new();
    pack.edit(RULE, "id: USER-001", "id: STALE-001");
    let r = lint(&[pack.dir.path().to_str().unwrap()]);
    assert_reports(&r, &pack.rule(), 1, "id-duplicate");
}

#[test]
fn unknown_severity() {
    let pack = Pack::new();
    pack.edit(RULE, "severity: medium", "severity: urgent");
    let line = pack.line_of(RULE, "severity: urgent");
    let r = pack.lint();
    assert_reports(&r, &pack.rule(), line, "severity-invalid");
    assert!(r.1.contains("unknown severity `urgent`"), "{}", r.1);
}

#[test]
fn unknown_control_ids_against_shipped_and_user_catalogues() {
    let pack = Pack::new();
    pack.write(
        "controls/acme.toml",
        "key = \"acme-2026\"\ntitle = \"ACME baseline\"\n\n[[control]]\nid = \"AC-1\"\ntitle = \"Accounts reviewed\"\n",
    );
    pack.edit(
        RULE,
        "#     nist-csf-2.0: [\"PR.AA-01\"]\n",
        "#     nist-csf-2.0: [\"PR.ZZ-99\"]\n#     acme-2026: [\"AC-1\", \"AC-2\"]\n#     acme-2025: [\"AC-1\"]\n",
    );
    let r = pack.lint();
    for (needle, says) in [
        (
            "PR.ZZ-99",
            "control `PR.ZZ-99` is not in the nist-csf-2.0 catalogue",
        ),
        (
            "acme-2026:",
            "control `AC-2` is not in the acme-2026 catalogue",
        ),
        (
            "acme-2025:",
            "unknown control framework `acme-2025` (did you mean `acme-2026`?)",
        ),
    ] {
        assert_reports(
            &r,
            &pack.rule(),
            pack.line_of(RULE, needle),
            "control-unknown",
        );
        assert!(r.1.contains(says), "{says}:\n{}", r.1);
    }
    assert!(!r.1.contains("control `AC-1`"), "{}", r.1);
}

#[test]
fn required_frameworks_missing() {
    let pack = Pack::new();
    pack.edit(RULE, "#     nist-csf-1.1: [\"PR.AC-1\"]\n", "");
    let r = pack.lint();
    assert_reports(
        &r,
        &pack.rule(),
        pack.line_of(RULE, "controls:"),
        "controls-missing",
    );
    assert!(r.1.contains("no `nist-csf-1.1` control ids"), "{}", r.1);
}

#[test]
fn missing_remediation() {
    let pack = Pack::new();
    let text = pack.read(RULE);
    let line = text.lines().find(|l| l.contains("remediation:")).unwrap();
    pack.edit(RULE, &format!("{line}\n"), "");
    assert_reports(&pack.lint(), &pack.rule(), 1, "remediation-missing");
    pack.edit(
        RULE,
        "#   controls:",
        "#   remediation: \"\"\n#   controls:",
    );
    let line = pack.line_of(RULE, "remediation:");
    assert_reports(&pack.lint(), &pack.rule(), line, "remediation-missing");
}

#[test]
fn missing_title_and_invalid_scope() {
    let pack = Pack::new();
    pack.edit(RULE, "# title: Stale account\n", "");
    pack.edit(RULE, "scope: identity", "scope: everyone");
    let r = pack.lint();
    assert_reports(&r, &pack.rule(), 1, "title-missing");
    let line = pack.line_of(RULE, "scope: everyone");
    assert_reports(&r, &pack.rule(), line, "scope-invalid");
}

#[test]
fn no_test_file() {
    let pack = Pack::new();
    std::fs::remove_file(pack.path("rules/user_001_test.rego")).unwrap();
    assert_reports(&pack.lint(), &pack.rule(), 1, "test-missing");
}

#[test]
fn test_file_without_tests() {
    let pack = Pack::new();
    pack.write(
        "rules/user_001_test.rego",
        "package user.rules.user_001_test\n\nimport rego.v1\n\nhelper := 1\n",
    );
    assert_reports(&pack.lint(), &pack.rule(), 1, "test-missing");
}

#[test]
fn no_doc() {
    let pack = Pack::new();
    std::fs::remove_file(pack.path("rules/user_001.md")).unwrap();
    assert_reports(&pack.lint(), &pack.rule(), 1, "doc-missing");
}

#[test]
fn forbidden_and_unknown_builtin_calls() {
    let pack = Pack::new();
    let text = pack.read(RULE)
        + "\nnow := time.now_ns()\n\nreply := http.send({\"method\": \"get\", \"url\": \"https://example.com\"})\n\nenv := opa.runtime().env\n\nroll := rand.intn(\"x\", 6)\n\n# http.send in a comment, and in a string: \"http.send(x)\"\nodd := frobnicate(1)\n\nnamed := lib.nmae({})\n";
    pack.write(RULE, &text);
    let r = pack.lint();
    for (call, check) in [
        ("time.now_ns()", "builtin-forbidden"),
        ("http.send({", "builtin-forbidden"),
        ("opa.runtime()", "builtin-forbidden"),
        ("rand.intn(", "builtin-forbidden"),
        ("frobnicate(", "builtin-unknown"),
        ("lib.nmae(", "builtin-unknown"),
    ] {
        assert_reports(&r, &pack.rule(), pack.line_of(RULE, call), check);
    }
    assert!(r.1.contains("(did you mean `name`?)"), "{}", r.1);
    let comment = pack.line_of(RULE, "# http.send in a comment");
    assert!(
        !r.1.contains(&format!("{}:{comment}:", pack.rule())),
        "{}",
        r.1
    );
}

#[test]
fn unknown_input_fields() {
    let pack = Pack::new();
    pack.edit(
        RULE,
        "i.derived.activity_days > input.params.stale_days\n\tt := i.activity.last_any",
        "i.derived.activty_days > input.params.stale_days\n\tinput.tenant.nmae != \"\"\n\tinput.params.max_days > 0\n\tsome r in i.roles\n\tr.role_nme != \"\"\n\tt := i.activity.last_any",
    );
    let r = pack.lint();
    let rule = pack.rule();
    assert_reports(
        &r,
        &rule,
        pack.line_of(RULE, "activty_days"),
        "input-field-unknown",
    );
    assert!(
        r.1.contains("input.identities[_].derived has no field `activty_days` in the normalised model (did you mean `activity_days`?)"),
        "{}",
        r.1
    );
    assert_reports(
        &r,
        &rule,
        pack.line_of(RULE, "tenant.nmae"),
        "input-field-unknown",
    );
    assert!(r.1.contains("(did you mean `name`?)"), "{}", r.1);
    assert_reports(
        &r,
        &rule,
        pack.line_of(RULE, "params.max_days"),
        "input-field-unknown",
    );
    assert!(
        r.1.contains("input.params.max_days is not a declared param of this rule"),
        "{}",
        r.1
    );
    assert_reports(
        &r,
        &rule,
        pack.line_of(RULE, "r.role_nme"),
        "input-field-unknown",
    );
    assert!(
        r.1.contains("input.identities[_].roles[_] has no field `role_nme` in the normalised model (did you mean `role_name`?)"),
        "{}",
        r.1
    );
}

#[test]
fn syntax_error_is_located_and_the_rest_is_still_linted() {
    let pack = Pack::new();
    pack.edit(RULE, "\ti.kind == \"human\"\n", "\ti.kind == \"human\")\n");
    pack.copy_rule("user_002", "USER-2");
    let r = pack.lint();
    let line = pack.line_of(RULE, "i.kind == \"human\")");
    let (code, out) = &r;
    assert!(
        out.contains(&format!("{}:{line}: [parse-error]", pack.rule())),
        "{out}"
    );
    assert_eq!(*code, 1);
    let second = pack.path("rules/user_002.rego").display().to_string();
    assert_reports(
        &r,
        &second,
        pack.line_of("rules/user_002.rego", "id: USER-2"),
        "id-malformed",
    );
}

#[test]
fn compile_error_is_located() {
    let pack = Pack::new();
    let text = pack.read(RULE) + "\nbad contains x if {\n\ty := 1\n}\n";
    pack.write(RULE, &text);
    let line = pack.line_of(RULE, "bad contains x");
    let (code, out) = pack.lint();
    assert!(out.contains(&format!("{}:", pack.rule())), "{out}");
    assert!(
        out.contains("[compile-error]") && out.contains("unsafe"),
        "{out}"
    );
    assert!(
        out.contains(&format!(":{line}: [compile-error]"))
            || out.contains(&format!(":{}: [compile-error]", line + 1)),
        "{out}"
    );
    assert_eq!(code, 1);
}

#[test]
fn json_output_lists_problems() {
    let pack = Pack::new();
    std::fs::remove_file(pack.path("rules/user_001.md")).unwrap();
    let (code, out) = lint(&[
        "--no-builtin",
        "--format",
        "json",
        pack.dir.path().to_str().unwrap(),
    ]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["problems"][0]["check"], "doc-missing");
    assert_eq!(json["problems"][0]["file"], pack.rule());
    assert_eq!(json["problems"][0]["line"], 1);
    assert_eq!(code, 1);
}

#[test]
fn missing_folder_is_a_usage_error() {
    let (code, out) = lint(&["--no-builtin", "/nonexistent/driftgate-policies"]);
    assert!(out.contains("does not exist"), "{out}");
    assert_eq!(code, 2);
}
