//! The static guard on untrusted policies (`policy::guard`), through the binary: a recursive
//! function makes `audit` fail with exit 3 and the file:line of the recursion (not abort with a
//! stack overflow, exit 134); `policy lint` reports `recursion` and `nesting-too-deep`; `policy
//! test` reports a guarded file as an ERROR entry and still runs the rest; a deeply nested literal
//! (whose parse would take minutes in regorus) is rejected at once; the shipped pack still loads.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    stdout: String,
    stderr: String,
    code: Option<i32>,
    took: Duration,
}

fn driftgate(args: &[&str]) -> Run {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_driftgate"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("binary runs");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
        took: started.elapsed(),
    }
}

/// A temporary pack holding `files` (relative path, Rego).
fn pack(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

const METADATA: &str = "# METADATA
# title: Recursive
# description: test
# custom:
#   id: REC-001
#   severity: low
#   scope: identity
#   params: {}
#   controls:
#     nist-csf-1.1: [\"PR.AC-4\"]
#     nist-csf-2.0: [\"PR.AA-05\"]
#   remediation: none
";

/// The rule of the bug report: `f(x) := f(x)` called from `findings` (line 17).
fn recursive_rule() -> String {
    format!(
        "{METADATA}package driftgate.rules.rec_001

import rego.v1

f(x) := f(x)

findings contains r if {{
\tsome i in input.identities
\tf(1) == 2
\tr := {{\"subject\": i.ref, \"message\": \"x\"}}
}}

not_evaluable := set()
"
    )
}

/// A rule whose `findings` holds a literal nested `depth` deep (regorus: about a second at 16,
/// doubling per level).
fn nested_rule(depth: usize) -> String {
    format!(
        "{METADATA}package driftgate.rules.rec_001

import rego.v1

deep := {}1{}

findings contains r if {{
\tsome i in input.identities
\tcount(deep) == 2
\tr := {{\"subject\": i.ref, \"message\": \"x\"}}
}}

not_evaluable := set()
",
        "[".repeat(depth),
        "]".repeat(depth)
    )
    .replace("REC-001", "DEEP-001")
}

#[test]
fn audit_rejects_a_recursive_function_with_its_location_instead_of_aborting() {
    let dir = pack(&[("rules/rec.rego", &recursive_rule())]);
    let pol = dir.path().display().to_string();
    let run = driftgate(&["audit", "fixtures/demo", "--policies", &pol, "--no-out"]);
    let file = path(dir.path(), "rules/rec.rego");
    assert_eq!(run.code, Some(3), "{}{}", run.stdout, run.stderr);
    assert!(
        !run.stderr.contains("overflowed its stack"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "{file}:17: recursive rule or function `driftgate.rules.rec_001.f` (f → f): Rego forbids recursion"
        )),
        "{}",
        run.stderr
    );
    // Every command that loads the policy set refuses it the same way.
    for args in [
        vec!["rules", "--policies", &pol],
        vec!["explain", "REC-001", "--policies", &pol],
    ] {
        let run = driftgate(&args);
        assert_eq!(run.code, Some(3), "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("Rego forbids recursion"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn audit_rejects_mutual_recursion_across_packages() {
    let lib = "package acme.helpers

import rego.v1
import data.driftgate.rules.rec_001 as rule

g(x) := rule.h(x)
";
    let rule = recursive_rule()
        .replace("f(x) := f(x)", "h(x) := data.acme.helpers.g(x)")
        .replace("f(1) == 2", "h(1) == 2");
    let dir = pack(&[("lib/helpers.rego", lib), ("rules/rec.rego", &rule)]);
    let pol = dir.path().display().to_string();
    let run = driftgate(&["audit", "fixtures/demo", "--policies", &pol, "--no-out"]);
    assert_eq!(run.code, Some(3), "{}{}", run.stdout, run.stderr);
    let helpers = path(dir.path(), "lib/helpers.rego");
    assert!(
        run.stderr.contains(&format!(
            "{helpers}:6: recursive rule or function `acme.helpers.g` (g → driftgate.rules.rec_001.h → g)"
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn lint_reports_recursion_and_deep_nesting() {
    let dir = pack(&[
        ("rec.rego", &recursive_rule()),
        ("deep.rego", &nested_rule(24)),
    ]);
    let pol = dir.path().display().to_string();
    let run = driftgate(&["policy", "lint", "--no-builtin", &pol]);
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    let rec = path(dir.path(), "rec.rego");
    let deep = path(dir.path(), "deep.rego");
    assert!(
        run.stdout.contains(&format!(
            "{rec}:17: [recursion] recursive rule or function `driftgate.rules.rec_001.f` (f → f)"
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!(
            "{deep}:17: [nesting-too-deep] nesting depth 24 exceeds the limit of 12"
        )),
        "{}",
        run.stdout
    );
    assert!(run.took < Duration::from_secs(10), "took {:?}", run.took);
    let list = driftgate(&["policy", "lint", "--list-checks"]);
    assert!(list.stdout.contains("recursion "), "{}", list.stdout);
    assert!(list.stdout.contains("nesting-too-deep "), "{}", list.stdout);
}

#[test]
fn policy_test_reports_guarded_files_and_runs_the_rest() {
    let dir = pack(&[
        ("rec.rego", "package rec\n\nimport rego.v1\n\nf(x) := f(x)\n"),
        (
            "deep.rego",
            &format!(
                "package deep\n\nimport rego.v1\n\nx := {}1{}\n",
                "{\"a\": ".repeat(22),
                "}".repeat(22)
            ),
        ),
        ("ok.rego", "package ok\n\nimport rego.v1\n\ndouble(x) := x * 2\n"),
        (
            "ok_test.rego",
            "package ok_test\n\nimport rego.v1\nimport data.ok\n\ntest_double if ok.double(2) == 4\n",
        ),
    ]);
    let pol = dir.path().display().to_string();
    let run = driftgate(&["policy", "test", "--no-builtin", &pol]);
    let out = &run.stdout;
    assert_eq!(run.code, Some(1), "{out}{}", run.stderr);
    let rec = path(dir.path(), "rec.rego");
    let deep = path(dir.path(), "deep.rego");
    assert!(out.contains(&format!("{rec}: ERROR")), "{out}");
    assert!(
        out.contains(&format!(
            "{rec}:5: recursive rule or function `rec.f` (f → f): Rego forbids recursion"
        )),
        "{out}"
    );
    assert!(out.contains(&format!("{deep}: ERROR")), "{out}");
    assert!(
        out.contains(&format!(
            "{deep}:5: nesting depth 22 exceeds the limit of 12"
        )),
        "{out}"
    );
    assert_eq!(
        out.lines().last(),
        Some("1 passed, 2 failed, 2 errored"),
        "{out}"
    );
    assert!(run.took < Duration::from_secs(10), "took {:?}", run.took);
}

#[test]
fn a_deeply_nested_literal_is_rejected_fast() {
    // Depth 24 would take regorus hours to parse.
    let dir = pack(&[("rules/deep.rego", &nested_rule(24))]);
    let pol = dir.path().display().to_string();
    let run = driftgate(&["audit", "fixtures/demo", "--policies", &pol, "--no-out"]);
    assert_eq!(run.code, Some(3), "{}{}", run.stdout, run.stderr);
    let deep = path(dir.path(), "rules/deep.rego");
    assert!(
        run.stderr.contains(&format!(
            "{deep}:17: nesting depth 24 exceeds the limit of 12 (regorus' parse time doubles per level)"
        )),
        "{}",
        run.stderr
    );
    assert!(run.took < Duration::from_secs(10), "took {:?}", run.took);
    // Many literals, each under the depth limit, that together would stall the parser.
    let many: String = (0..400)
        .map(|k| format!("x{k} := {}1{}\n", "{\"a\": ".repeat(10), "}".repeat(10)))
        .collect();
    let text = nested_rule(2).replace("deep := [[1]]", &format!("deep := [[1]]\n\n{many}"));
    let dir = pack(&[("rules/deep.rego", &text)]);
    let pol = dir.path().display().to_string();
    let run = driftgate(&["audit", "fixtures/demo", "--policies", &pol, "--no-out"]);
    assert_eq!(run.code, Some(3), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("nested literals would cost regorus' parser about"),
        "{}",
        run.stderr
    );
    assert!(run.took < Duration::from_secs(10), "took {:?}", run.took);
    // Brackets in strings and comments do not count.
    let text = nested_rule(2).replace(
        "deep := [[1]]",
        &format!("# {0}\ndeep := [[\"{0}\"]]", "[".repeat(40)),
    );
    let dir = pack(&[("rules/deep.rego", &text)]);
    let pol = dir.path().display().to_string();
    let run = driftgate(&["rules", "--policies", &pol]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("DEEP-001"), "{}", run.stdout);
}

#[test]
fn the_shipped_pack_still_loads() {
    let lint = driftgate(&["policy", "lint"]);
    assert!(
        !lint.stdout.contains("[recursion]") && !lint.stdout.contains("[nesting-too-deep]"),
        "{}",
        lint.stdout
    );
    assert!(lint.stdout.contains("linted "), "{}", lint.stdout);
    let audit = driftgate(&["audit", "fixtures/demo", "--no-out"]);
    assert_eq!(audit.code, Some(1), "{}{}", audit.stdout, audit.stderr);
    assert!(
        audit.stdout.contains(" audited, 0 failed), ") && audit.stdout.contains(" findings"),
        "{}",
        audit.stdout
    );
}
