//! A Rego unit-test runner in the manner of `opa test`: every `test_*` rule of every package,
//! evaluated by name. A failing test is *undefined* in Rego, so only an exact `true` passes.
//! Errors are reported with their file and line and never stop the rest of the suite.

use super::engine::{error_location, error_text, sandboxed_engine};
use super::PolicySet;
use regorus::Value;
use std::path::PathBuf;

/// `driftgate policy test`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folders of your own policies and tests.
    pub dirs: Vec<PathBuf>,
    /// Do not load the built-in pack.
    #[arg(long)]
    pub no_builtin: bool,
    /// Print every test, not only failures.
    #[arg(short, long)]
    pub verbose: bool,
}

/// Run the suite and print it like `opa test`; the exit code: 0 all passed, 1 any failed or
/// none ran, 3 the policies could not be loaded.
pub fn cli(args: &Args) -> i32 {
    use std::io::Write;
    let set = match PolicySet::load(!args.no_builtin, &args.dirs) {
        Ok(s) => s,
        Err(errors) => {
            for e in errors {
                eprintln!("policy error: {e}");
            }
            return crate::report::exit::POLICY_ERROR;
        }
    };
    let results = run(&set);
    let (mut passed, mut failed) = (0, 0);
    let mut out = std::io::stdout().lock();
    let mut text = String::new();
    for r in &results {
        let ok = r.outcome == Outcome::Pass;
        if ok {
            passed += 1;
        } else {
            failed += 1;
        }
        if args.verbose || !ok {
            let label = match r.outcome {
                Outcome::Pass => "PASS",
                Outcome::Fail => "FAIL",
                Outcome::Error => "ERROR",
            };
            text.push_str(&format!("{}: {label} ({})\n", r.name, r.file));
            if let Some(m) = &r.message {
                for line in m.lines() {
                    text.push_str(&format!("    {line}\n"));
                }
            }
        }
    }
    text.push_str(&format!("{passed} passed, {failed} failed\n"));
    let _ = out.write_all(text.as_bytes());
    if failed == 0 && passed > 0 {
        crate::report::exit::CLEAN
    } else {
        crate::report::exit::FINDINGS
    }
}

/// Outcome of one test.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
    Error,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TestResult {
    /// `data.<package>.<test>`
    pub name: String,
    pub file: String,
    pub outcome: Outcome,
    pub message: Option<String>,
}

/// Test rule heads in a file: `test_x if`, `test_x :=`, `test_x {`; `todo_` rules are skipped.
fn test_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("test_"))
        .filter_map(|l| {
            let name: String = l
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let rest = l[name.len()..].trim_start();
            (rest.starts_with("if")
                || rest.starts_with(":=")
                || rest.starts_with('{')
                || rest.starts_with('='))
            .then_some(name)
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

fn package_of(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        l.trim_start()
            .strip_prefix("package ")
            .map(|p| p.trim().to_string())
    })
}

/// Run every test of the set. Test files are loaded with the policies they test.
pub fn run(set: &PolicySet) -> Vec<TestResult> {
    let as_of = crate::estate::parse_as_of("2026-01-01T00:00:00Z").expect("constant");
    let mut engine = sandboxed_engine(as_of);
    engine.set_strict_builtin_errors(false);
    let mut results = Vec::new();
    for f in &set.files {
        if let Err(e) = engine.add_policy(f.path.clone(), f.text.clone()) {
            let message = error_text(&e);
            let file = error_location(&message)
                .map(|(f, l)| format!("{f}:{l}"))
                .unwrap_or_else(|| f.path.clone());
            results.push(TestResult {
                name: format!("(parse) {}", f.path),
                file,
                outcome: Outcome::Error,
                message: Some(message),
            });
        }
    }
    engine.set_input(Value::new_object());
    for f in set.files.iter().filter(|f| f.is_test()) {
        let Some(package) = package_of(&f.text) else {
            continue;
        };
        for test in test_names(&f.text) {
            let name = format!("data.{package}.{test}");
            let mut e = engine.clone();
            let (outcome, message) = match e.eval_rule(name.clone()) {
                Ok(Value::Bool(true)) => (Outcome::Pass, None),
                Ok(Value::Undefined) => (Outcome::Fail, None),
                Ok(other) => (
                    Outcome::Fail,
                    Some(format!("evaluated to {other}, not true")),
                ),
                Err(err) => (Outcome::Error, Some(error_text(&err))),
            };
            let prints = e.take_prints().unwrap_or_default();
            let message = match (message, prints.is_empty()) {
                (Some(m), false) => Some(format!("{m}\n{}", prints.join("\n"))),
                (None, false) if outcome != Outcome::Pass => Some(prints.join("\n")),
                (m, _) => m,
            };
            results.push(TestResult {
                name,
                file: f.path.clone(),
                outcome,
                message,
            });
        }
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_test_heads_only() {
        let text = "package p_test\ntest_a if { true }\ntest_b := true\ntodo_c if { true }\nhelper_test_d if { true }\ntest_a if { false }\n";
        assert_eq!(test_names(text), vec!["test_a", "test_b"]);
    }
}
