//! `driftgate policy test` specs: `opa test`-style output, summary and exit code; every kind of
//! broken policy (syntax error, unknown builtin, runtime error, slow test, infinite recursion,
//! duplicate test names) reported with its file and line while the rest of the suite runs;
//! `with` mocking; coverage and `--threshold`; and the proof that a mutated shipped rule fails.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

mod common;
use common::copy_dir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
    took: Duration,
}

fn policy_test(args: &[&str]) -> Run {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_driftgate"))
        .args(["policy", "test"])
        .args(args)
        .current_dir(root())
        .output()
        .expect("binary runs");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().expect("exit code"),
        took: started.elapsed(),
    }
}

/// A temporary folder holding `files` (name, Rego).
fn pack(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// Run `policy test --no-builtin <extra> DIR` on a pack.
fn run_pack(dir: &tempfile::TempDir, extra: &[&str]) -> Run {
    let path = dir.path().display().to_string();
    policy_test(&[&["--no-builtin"], extra, &[path.as_str()]].concat())
}

fn last_line(s: &str) -> &str {
    s.lines().last().unwrap_or("")
}

/// The output line of test `name` (`data.pkg.name: OUTCOME (...)`).
fn line_of<'a>(out: &'a str, name: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no line for {name} in:\n{out}"))
}

const APP: &str = "package app
import rego.v1

allow if input.user == \"admin\"

limit := data.cfg.limit
";

#[test]
fn outcomes_summary_and_exit_codes() {
    let dir = pack(&[
        ("app.rego", APP),
        (
            "app_test.rego",
            "package app_test
import rego.v1
import data.app

test_pass if app.allow with input as {\"user\": \"admin\"}

test_false := false

test_undefined if app.allow with input as {\"user\": \"bob\"}

test_error if { x := 1; y := x + \"s\"; y == 2 }

test_prints if {
\tprint(\"looking at bob\")
\tapp.allow with input as {\"user\": \"bob\"}
}

todo_later if false

helper(x) := x
",
        ),
    ]);
    let run = run_pack(&dir, &["--strict"]);
    let out = &run.stdout;
    assert_eq!(run.code, 1, "{out}{}", run.stderr);
    // Passes are quiet without -v.
    assert!(!out.contains("test_pass"), "{out}");
    assert!(line_of(out, "data.app_test.test_false").contains(": FAIL ("));
    assert!(line_of(out, "data.app_test.test_undefined").contains(": FAIL ("));
    assert!(line_of(out, "data.app_test.test_error").contains(": ERROR ("));
    assert!(
        out.contains("app_test.rego:11: "),
        "error with file:line: {out}"
    );
    assert!(
        out.contains("looking at bob"),
        "prints of a failing test: {out}"
    );
    assert_eq!(last_line(out), "1 passed, 4 failed, 1 errored, 1 skipped");

    let verbose = run_pack(&dir, &["-v"]);
    let pass = line_of(&verbose.stdout, "data.app_test.test_pass");
    assert!(
        pass.starts_with("data.app_test.test_pass: PASS (") && pass.ends_with("s)"),
        "{pass}"
    );
    assert!(verbose.stdout.contains("data.app_test.todo_later: SKIPPED"));

    let green = pack(&[
        ("app.rego", APP),
        (
            "app_test.rego",
            "package app_test\nimport rego.v1\nimport data.app\ntest_pass if app.allow with input as {\"user\": \"admin\"}\n",
        ),
    ]);
    let run = run_pack(&green, &[]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "1 passed, 0 failed\n"));

    let empty = pack(&[("app.rego", APP)]);
    let run = run_pack(&empty, &[]);
    assert_eq!(run.code, 1, "no test ran is a failure");
    assert_eq!(last_line(&run.stdout), "0 passed, 0 failed");
    assert!(run.stderr.contains("no test ran"), "{}", run.stderr);
}

#[test]
fn a_syntax_error_is_reported_and_the_other_files_still_run() {
    let dir = pack(&[
        ("app.rego", APP),
        (
            "app_test.rego",
            "package app_test\nimport rego.v1\nimport data.app\ntest_pass if app.allow with input as {\"user\": \"admin\"}\n",
        ),
        ("broken.rego", "package broken\nimport rego.v1\n\nx := {\n"),
        (
            "broken_test.rego",
            "package broken_test\nimport rego.v1\ntest_x if { data.broken.x }\ntest_y if {\n",
        ),
        (
            "unsafe.rego",
            "package unsafe\nimport rego.v1\n\ny if { z == 1 }\n",
        ),
    ]);
    let run = run_pack(&dir, &[]);
    let out = &run.stdout;
    assert_eq!(run.code, 1);
    let broken = dir.path().join("broken.rego").display().to_string();
    assert!(out.contains(&format!("{broken}: ERROR")), "{out}");
    assert!(
        out.contains(&format!("{broken}:5: ")),
        "parse error with its line: {out}"
    );
    assert!(out.contains("broken_test.rego:5: "), "{out}");
    let unsafe_ = dir.path().join("unsafe.rego").display().to_string();
    assert!(
        out.contains(&format!(
            "{unsafe_}:4: use of undefined variable `z` is unsafe"
        )),
        "compile error with its line: {out}"
    );
    assert_eq!(last_line(out), "1 passed, 3 failed, 3 errored");
}

#[test]
fn unknown_builtins_and_runtime_errors_are_errors_with_their_line() {
    let dir = pack(&[(
        "t_test.rego",
        "package t_test
import rego.v1

test_unknown if foo.bar(1)

test_strict if to_number(\"x\") == 1

test_conflict if { f(1) }

f(x) := 1
f(x) := 2

test_ok if true
",
    )]);
    let lenient = run_pack(&dir, &[]);
    assert!(
        lenient
            .stdout
            .contains("t_test.rego:4: could not find function foo.bar"),
        "{}",
        lenient.stdout
    );
    // As in `opa test`, a builtin error is undefined unless --strict.
    assert!(line_of(&lenient.stdout, "data.t_test.test_strict").contains("FAIL"));
    assert!(line_of(&lenient.stdout, "data.t_test.test_conflict").contains("ERROR"));
    let strict = run_pack(&dir, &["--strict"]);
    assert!(line_of(&strict.stdout, "data.t_test.test_strict").contains("ERROR"));
    assert!(strict.stdout.contains("t_test.rego:6"), "{}", strict.stdout);
    assert_eq!(last_line(&strict.stdout), "1 passed, 3 failed, 3 errored");
}

#[test]
fn a_slow_test_times_out_and_the_suite_goes_on() {
    let dir = pack(&[(
        "slow_test.rego",
        "package slow_test
import rego.v1

test_a_first if true

test_loop if count([x | some x in numbers.range(1, 100000); some y in numbers.range(1, 100000)]) > 0

test_one_builtin if count(numbers.range(1, 1e9)) > 0

test_z_last if true
",
    )]);
    let run = run_pack(&dir, &["--timeout", "0.25"]);
    let out = &run.stdout;
    // The loop stops at the cooperative limit; the single huge builtin never checks it and its
    // worker is killed at the hard deadline (2 x 0.25 s + 1 s).
    assert!(run.took < Duration::from_secs(30), "took {:?}", run.took);
    let looped = line_of(out, "data.slow_test.test_loop");
    assert!(looped.contains("ERROR"), "{out}");
    assert!(out.contains("timed out after 0.25s (--timeout)"), "{out}");
    assert!(line_of(out, "data.slow_test.test_one_builtin").contains("ERROR"));
    assert!(out.contains("its worker process was killed"), "{out}");
    assert_eq!(last_line(out), "2 passed, 2 failed, 2 errored");
    assert_eq!(run.code, 1);
}

#[test]
fn infinite_recursion_is_an_error_not_a_crash() {
    // Recursion is rejected statically before regorus sees the file (see `policy::guard`), so
    // it never reaches regorus' stack; the tests that call into the rejected files then fail.
    let dir = pack(&[
        (
            "fns.rego",
            "package fns\nimport rego.v1\n\nf(x) := f(x)\n\ng(x) := h(x)\n\nh(x) := g(x)\n",
        ),
        ("fine.rego", "package fine\nimport rego.v1\n\nok(x) := x\n"),
        (
            "rules.rego",
            "package rules\nimport rego.v1\n\na if b\n\nb if a\n",
        ),
        (
            "rec_test.rego",
            "package rec_test
import rego.v1
import data.fns
import data.rules

test_self if fns.f(1) == 1

test_mutual if fns.g(1) == 1

test_rules if rules.a

test_fns_still_work if data.fine.ok(1) == 1
",
        ),
    ]);
    let run = run_pack(&dir, &[]);
    let out = &run.stdout;
    assert_eq!(run.code, 1, "{out}{}", run.stderr);
    for t in ["test_self", "test_mutual"] {
        assert!(
            line_of(out, &format!("data.rec_test.{t}")).contains("ERROR"),
            "{out}"
        );
    }
    for m in [
        "fns.rego:4: recursive rule or function `fns.f` (f → f): Rego forbids recursion",
        "fns.rego:6: recursive rule or function `fns.g` (g → h → g): Rego forbids recursion",
        "rules.rego:4: recursive rule or function `rules.a` (a → b → a): Rego forbids recursion",
    ] {
        assert!(out.contains(m), "{m}: {out}");
    }
    assert!(!out.contains("stack overflow"), "{out}");
    assert!(
        out.contains("rec_test.rego:6"),
        "the test's location: {out}"
    );
    assert_eq!(last_line(out), "1 passed, 6 failed, 5 errored");
}

#[test]
fn duplicate_test_names_run_as_separate_tests() {
    let dir = pack(&[
        (
            "dup_test.rego",
            "package dup_test\nimport rego.v1\n\ntest_x if true\n\ntest_x if false\n\ntest_x if { 1 == 1 }\n",
        ),
        (
            "dup_z_test.rego",
            "package dup_test\nimport rego.v1\n\ntest_x if false\n",
        ),
    ]);
    let run = run_pack(&dir, &["-v"]);
    let out = &run.stdout;
    assert!(line_of(out, "data.dup_test.test_x").contains("PASS"));
    assert!(line_of(out, "data.dup_test.test_x#01").contains("FAIL"));
    assert!(line_of(out, "data.dup_test.test_x#02").contains("PASS"));
    assert!(line_of(out, "data.dup_test.test_x#03").contains("FAIL"));
    assert!(out.contains("dup_test.rego:6"), "{out}");
    assert!(out.contains("dup_z_test.rego:4"), "{out}");
    assert_eq!(last_line(out), "2 passed, 2 failed");
    assert_eq!(run.code, 1);
}

#[test]
fn with_mocks_input_data_and_functions() {
    let dir = pack(&[
        (
            "app.rego",
            "package app
import rego.v1

allow if input.user in data.admins

limit := data.cfg.limit

greeting := upper(input.user)
",
        ),
        (
            "app_test.rego",
            "package app_test
import rego.v1
import data.app

test_input_and_data if app.allow with input as {\"user\": \"ada\"} with data.admins as [\"ada\"]

test_data_path if app.limit == 3 with data.cfg.limit as 3

test_not_mocked_is_undefined if not app.limit

test_builtin if app.greeting == \"mocked\" with input.user as \"x\" with upper as fake_upper

fake_upper(_) := \"mocked\"
",
        ),
    ]);
    let run = run_pack(&dir, &[]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "4 passed, 0 failed\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn coverage_table_and_threshold() {
    let dir = pack(&[
        (
            "app.rego",
            "package app
import rego.v1

allow if {
\tinput.user == \"admin\"
\tinput.mfa == true
}

deny contains msg if {
\tinput.user == \"guest\"
\tmsg := \"guests are denied\"
}
",
        ),
        (
            "app_test.rego",
            "package app_test\nimport rego.v1\nimport data.app\ntest_allow if app.allow with input as {\"user\": \"admin\", \"mfa\": true}\n",
        ),
    ]);
    let app = dir.path().join("app.rego").display().to_string();
    let run = run_pack(&dir, &["--coverage", "-v"]);
    let out = &run.stdout;
    assert_eq!(run.code, 0, "{out}");
    let header = out.lines().find(|l| l.starts_with("file ")).expect(out);
    assert!(header.contains("covered/total") && header.ends_with("pct"));
    // Lines with expressions: allow's two conditions, deny's key and its two statements. regorus
    // also tried deny while evaluating the package for the test (its first condition ran); deny's
    // key and last statement never ran.
    let row = out.lines().find(|l| l.starts_with(&app)).expect(out);
    assert!(row.contains(" 3/5 ") && row.ends_with("60.0%"), "{row}");
    assert!(out.contains("not covered: 9, 11"), "{out}");
    assert!(
        !out.contains("app_test.rego "),
        "tests are not measured: {out}"
    );
    let total = out.lines().find(|l| l.starts_with("total ")).expect(out);
    assert!(total.ends_with("60.0%"), "{total}");
    assert_eq!(last_line(out), "1 passed, 0 failed");

    let under = run_pack(&dir, &["--threshold", "80"]);
    assert_eq!(under.code, 1, "{}", under.stdout);
    assert!(
        under
            .stderr
            .contains("line coverage 60.0% is below --threshold 80%"),
        "{}",
        under.stderr
    );
    assert!(
        under.stdout.contains("total "),
        "--threshold implies --coverage"
    );
    assert_eq!(run_pack(&dir, &["--threshold", "60"]).code, 0);
}

#[test]
fn json_format_is_machine_readable() {
    let dir = pack(&[
        ("app.rego", APP),
        (
            "app_test.rego",
            "package app_test\nimport rego.v1\nimport data.app\ntest_pass if app.allow with input as {\"user\": \"admin\"}\ntest_fail if app.allow\n",
        ),
    ]);
    let run = run_pack(&dir, &["--format", "json", "--coverage"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect(&run.stdout);
    assert_eq!(run.code, 1);
    assert_eq!(json["summary"]["passed"], 1);
    assert_eq!(json["summary"]["failed"], 1);
    let tests = json["tests"].as_array().unwrap();
    assert_eq!(tests[1]["name"], "data.app_test.test_fail");
    assert_eq!(tests[1]["outcome"], "fail");
    assert_eq!(tests[1]["line"], 5);
    assert!(json["coverage"]["pct"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_mutated_shipped_rule_fails_policy_test() {
    let tmp = tempfile::tempdir().unwrap();
    let policies = tmp.path().join("policies");
    copy_dir(&root().join("policies"), &policies);
    let dir = policies.display().to_string();

    // The copy alone (its lib/ replaces the built-in library) passes.
    let clean = policy_test(&["--no-builtin", &dir]);
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
    assert!(!clean.stdout.contains("FAIL"), "{}", clean.stdout);

    // STALE-001 no longer fires on an account older than stale_days.
    let rule = policies.join("rules/stale/stale_001.rego");
    let text = std::fs::read_to_string(&rule).unwrap();
    let original =
        "\ti.derived.activity_days > input.params.stale_days\n\tt := i.activity.last_any";
    assert!(text.contains(original), "the mutation target moved");
    let mutated = text.replacen(
        original,
        "\ti.derived.activity_days < input.params.stale_days\n\tt := i.activity.last_any",
        1,
    );
    std::fs::write(&rule, mutated).unwrap();
    let broken = policy_test(&["--no-builtin", &dir]);
    assert_eq!(broken.code, 1, "{}", broken.stdout);
    assert!(
        broken.stdout.lines().any(
            |l| l.starts_with("data.driftgate.rules.stale_001_test.test_")
                && l.contains(": FAIL (")
        ),
        "{}",
        broken.stdout
    );
}

#[test]
fn the_shipped_pack_passes_with_at_least_90_percent_coverage() {
    let run = policy_test(&["--coverage", "--threshold", "90"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        !run.stdout.contains("~"),
        "every policy file is evaluated by a test"
    );
    let total = run
        .stdout
        .lines()
        .find(|l| l.starts_with("total "))
        .unwrap();
    assert!(total.ends_with('%'), "{total}");
}
