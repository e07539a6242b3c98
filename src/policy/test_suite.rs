//! The test suite of `policy test`: which files load (leniently: a file that does not parse or
//! compile becomes an ERROR entry and the rest still runs), which `test_*` definitions exist (each
//! definition on its own, as `opa test` does), and running them in-process on engine clones with
//! a per-test time limit and per-test line coverage.
//!
//! It does not print, and it does not guard against a test that never returns or overflows the
//! stack: the caller runs it in a worker process for that (see `test.rs`).

use super::{Outcome, TestResult};
use crate::policy::engine::{error_location, error_text, sandboxed_engine};
use crate::policy::{builtin_files, Origin, PolicyFile};
use regorus::{Engine, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Evaluation settings of one run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Cooperative time limit per test.
    pub timeout: Duration,
    /// Builtin errors are errors (default: undefined, as `opa test` does).
    pub strict: bool,
    pub coverage: bool,
    /// Run only tests whose name contains this text.
    pub run: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(5),
            strict: false,
            coverage: false,
            run: None,
        }
    }
}

/// One test definition.
#[derive(Debug, Clone)]
pub struct Case {
    /// `data.pkg.test_x`, or `data.pkg.test_x#01` for the second definition of the name.
    pub name: String,
    /// The rule evaluated (a later definition is renamed in the source so that it is a rule of its own).
    pub rule: String,
    pub file: String,
    pub line: usize,
    /// The test's package (without `data.`).
    pub package: String,
}

/// The files that loaded, the tests found in them and the problems met on the way.
#[derive(Debug, Clone, Default)]
pub struct Suite {
    pub files: Vec<PolicyFile>,
    /// Files whose lines count for coverage: non-test files of the selected packs.
    pub coverage_files: BTreeSet<String>,
    pub tests: Vec<Case>,
    /// `todo_*` definitions.
    pub skipped: Vec<Case>,
    /// Files that could not be read, parsed or compiled.
    pub errors: Vec<TestResult>,
}

/// Lines of one file: covered, and every line that holds an expression.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FileLines {
    pub covered: BTreeSet<u32>,
    pub lines: BTreeSet<u32>,
}

/// Coverage by file path.
pub type Coverage = BTreeMap<String, FileLines>;

/// Add `other` into `into`.
pub fn merge_coverage(into: &mut Coverage, other: Coverage) {
    for (file, l) in other {
        let e = into.entry(file).or_default();
        e.covered.extend(l.covered);
        e.lines.extend(l.lines);
    }
}

/// What happens while running: a test starts, a test ends (with the coverage it added).
pub enum Event {
    Start(usize),
    Done(usize, TestResult, Coverage),
}

/// The files of a `policy test` run: the shipped pack (only its library with `no_builtin`) and
/// every `.rego` under `dirs`. A shipped library file is left out when a user file has the same
/// file name and package (a copy of `policies/` tested with `--no-builtin`), so the two do not
/// clash. Unreadable inputs come back as ERROR entries.
pub fn gather(no_builtin: bool, dirs: &[PathBuf]) -> (Vec<PolicyFile>, Vec<TestResult>) {
    let mut user = Vec::new();
    let mut errors = Vec::new();
    for dir in dirs {
        if !dir.exists() {
            errors.push(load_error(
                &dir.display().to_string(),
                None,
                "policy folder does not exist".into(),
            ));
            continue;
        }
        let mut found = Vec::new();
        crate::policy::collect_rego(dir, &mut found);
        found.sort();
        for p in found {
            match std::fs::read_to_string(&p) {
                Ok(text) => user.push(PolicyFile {
                    path: p.display().to_string(),
                    text,
                    origin: Origin::User,
                }),
                Err(e) => errors.push(load_error(
                    &p.display().to_string(),
                    None,
                    format!("cannot read: {e}"),
                )),
            }
        }
    }
    let shadowed: BTreeSet<(String, String)> = user
        .iter()
        .filter_map(|f| Some((file_name(&f.path), package_of(&f.text)?)))
        .collect();
    let mut files = Vec::new();
    for (path, text) in builtin_files() {
        let is_lib = path.starts_with("policies/lib/");
        let is_test = path.ends_with("_test.rego");
        if !path.ends_with(".rego") || (no_builtin && (!is_lib || is_test)) {
            continue;
        }
        let key = (file_name(path), package_of(text).unwrap_or_default());
        if is_lib && shadowed.contains(&key) {
            continue;
        }
        files.push(PolicyFile {
            path: format!("builtin:{path}"),
            text: text.to_string(),
            origin: Origin::Builtin,
        });
    }
    files.extend(user);
    (files, errors)
}

fn file_name(path: &str) -> String {
    path.rsplit(['/', '\\']).next().unwrap_or(path).to_string()
}

/// The first `package` line.
pub fn package_of(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        l.trim_start()
            .strip_prefix("package ")
            .map(|p| p.trim().to_string())
    })
}

/// An ERROR entry for a file that could not be used.
fn load_error(path: &str, line: Option<usize>, message: String) -> TestResult {
    TestResult {
        name: path.to_string(),
        file: path.to_string(),
        line,
        outcome: Outcome::Error,
        message: Some(message),
        duration_ms: 0.0,
    }
}

/// A rule head at the start of a line, `<prefix>name` followed by `if`, `:=`, `=` or `{`
/// (not a function, not a partial set); returns the name.
fn head_name<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    if !line.starts_with(prefix) {
        return None;
    }
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(line.len());
    let rest = line[end..].trim_start();
    let is_head = rest.starts_with(":=")
        || rest.starts_with('{')
        || (rest.starts_with('=') && !rest.starts_with("=="))
        || rest == "if"
        || rest.starts_with("if ")
        || rest.starts_with("if{");
    is_head.then_some(&line[..end])
}

/// Suffix of the rule a later definition of a test is renamed to.
const DUP: &str = "__driftgate_dup";

/// Rename the 2nd, 3rd ... definition of a test in a package (`test_x` becomes
/// `test_x__driftgate_dup01`, shown as `test_x#01`) and list the tests and `todo_` rules.
/// `seen` counts definitions per package across files.
fn split_tests(
    file: &mut PolicyFile,
    seen: &mut BTreeMap<(String, String), usize>,
) -> (Vec<Case>, Vec<Case>) {
    let Some(package) = package_of(&file.text) else {
        return (Vec::new(), Vec::new());
    };
    let (mut tests, mut todo) = (Vec::new(), Vec::new());
    let mut text = String::with_capacity(file.text.len() + 64);
    for (n, line) in file.text.split_inclusive('\n').enumerate() {
        if let Some(name) = head_name(line, "test_") {
            let k = seen.entry((package.clone(), name.to_string())).or_insert(0);
            let (shown, rule) = if *k == 0 {
                (name.to_string(), name.to_string())
            } else {
                (format!("{name}#{k:02}"), format!("{name}{DUP}{k:02}"))
            };
            *k += 1;
            text.push_str(&rule);
            text.push_str(&line[name.len()..]);
            tests.push(Case {
                name: format!("data.{package}.{shown}"),
                rule: format!("data.{package}.{rule}"),
                file: file.path.clone(),
                line: n + 1,
                package: package.clone(),
            });
            continue;
        }
        if let Some(name) = head_name(line, "todo_") {
            todo.push(Case {
                name: format!("data.{package}.{name}"),
                rule: String::new(),
                file: file.path.clone(),
                line: n + 1,
                package: package.clone(),
            });
        }
        text.push_str(line);
    }
    file.text = text;
    (tests, todo)
}

/// The engine every test clones: sandboxed, lenient on builtin errors unless `strict`, with the
/// test time limit and (optionally) coverage.
fn new_engine(opts: &Options) -> Engine {
    let as_of = crate::estate::parse_as_of("2026-01-01T00:00:00Z").expect("constant");
    let mut engine = sandboxed_engine(as_of);
    engine.set_strict_builtin_errors(opts.strict);
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit: opts.timeout,
        check_interval: NonZeroU32::new(64).expect("non-zero"),
    });
    // Test fixtures often have long lines; keep the size caps.
    engine.set_policy_length_config(regorus::PolicyLengthConfig {
        max_col: NonZeroU32::new(16 * 1024).expect("non-zero"),
        ..Default::default()
    });
    engine.set_input(Value::new_object());
    engine
}

impl Suite {
    /// Load `files` leniently and compile them once, to find the files that do not compile.
    pub fn load(candidates: Vec<PolicyFile>, mut errors: Vec<TestResult>, opts: &Options) -> Suite {
        // Files that recurse or nest too deeply never reach regorus (see `guard`).
        let paths = candidates
            .iter()
            .map(|f| (f.path.as_str(), f.text.as_str()));
        let rejected = crate::policy::guard::check(paths);
        let rejected_files: BTreeSet<String> = rejected.iter().map(|e| e.file.clone()).collect();
        for e in rejected {
            errors.push(load_error(&e.file, Some(e.line), e.to_string()));
        }
        let candidates: Vec<PolicyFile> = candidates
            .into_iter()
            .filter(|f| !rejected_files.contains(&f.path))
            .collect();
        // The shipped library counts for coverage only when the shipped rules are tested too.
        let builtin_rules = candidates
            .iter()
            .any(|f| f.path.starts_with("builtin:policies/rules/"));
        let coverage_files: BTreeSet<String> = candidates
            .iter()
            .filter(|f| !f.is_test())
            .filter(|f| f.origin == Origin::User || builtin_rules)
            .map(|f| f.path.clone())
            .collect();
        let mut seen = BTreeMap::new();
        let mut found = Vec::new();
        let mut files = Vec::new();
        let mut engine = new_engine(opts);
        for mut f in candidates {
            let cases = if f.path.ends_with("_test.rego") {
                split_tests(&mut f, &mut seen)
            } else {
                (Vec::new(), Vec::new())
            };
            match engine.add_policy(f.path.clone(), f.text.clone()) {
                Ok(_) => {
                    found.push(cases);
                    files.push(f);
                }
                Err(e) => errors.push(located_error(&f.path, &error_text(&e))),
            }
        }
        // Compile problems (unsafe variables, conflicts ...) surface on the first evaluation:
        // drop the file they point at and compile the rest again.
        loop {
            let Err(e) = engine.eval_rule("data.__driftgate_compile_check".into()) else {
                break;
            };
            let message = error_text(&e);
            let culprit = error_location(&message)
                .and_then(|(file, _)| files.iter().position(|f| f.path == file));
            let Some(i) = culprit.filter(|_| !message.contains("not a valid rule path")) else {
                break;
            };
            errors.push(located_error(&files[i].path, &message));
            files.remove(i);
            found.remove(i);
            engine = new_engine(opts);
            for f in &files {
                // These parsed a moment ago.
                let _ = engine.add_policy(f.path.clone(), f.text.clone());
            }
        }
        let filter = |c: &Case| {
            opts.run
                .as_ref()
                .is_none_or(|r| c.name.contains(r.as_str()))
        };
        let mut tests = Vec::new();
        let mut skipped = Vec::new();
        for (t, s) in found {
            tests.extend(t.into_iter().filter(filter));
            skipped.extend(s.into_iter().filter(filter));
        }
        let coverage_files = files
            .iter()
            .map(|f| f.path.clone())
            .filter(|p| coverage_files.contains(p))
            .collect();
        Suite {
            files,
            coverage_files,
            tests,
            skipped,
            errors,
        }
    }

    /// The engine for the tests of `package`: every policy file, the package's test files and the
    /// test packages they name (`data.<pkg>`), but not the other tests. regorus evaluates a whole
    /// subtree when a test ranges over `data.x[name]`, so other test packages under `data.x`
    /// would otherwise run inside that test (`opa test` evaluates only the rules asked for).
    fn engine_for(&self, package: &str, opts: &Options) -> Engine {
        let package_of_test = |f: &PolicyFile| {
            f.path
                .ends_with("_test.rego")
                .then(|| package_of(&f.text))
                .flatten()
        };
        let mut wanted: BTreeSet<String> = BTreeSet::from([package.to_string()]);
        loop {
            let before = wanted.len();
            let texts: Vec<&str> = self
                .files
                .iter()
                .filter(|f| package_of_test(f).is_some_and(|p| wanted.contains(&p)))
                .map(|f| f.text.as_str())
                .collect();
            for f in &self.files {
                if let Some(p) = package_of_test(f) {
                    if !wanted.contains(&p) && texts.iter().any(|t| names(t, &p)) {
                        wanted.insert(p);
                    }
                }
            }
            if wanted.len() == before {
                break;
            }
        }
        let mut engine = new_engine(opts);
        for f in &self.files {
            if package_of_test(f).is_none_or(|p| wanted.contains(&p)) {
                // Every file here parsed and compiled in `load`.
                let _ = engine.add_policy(f.path.clone(), f.text.clone());
            }
        }
        // Compile once; every test clones the compiled engine.
        let _ = engine.eval_rule("data.__driftgate_compile_check".into());
        let _ = engine.take_prints();
        if opts.coverage {
            engine.set_enable_coverage(true);
            engine.clear_coverage_data();
        }
        engine
    }

    /// Run the tests from index `from`, each on a clone of its package's engine, reporting each
    /// start and result.
    pub fn execute(&self, opts: &Options, from: usize, sink: &mut dyn FnMut(Event)) {
        let mut sent = Coverage::new();
        let mut engines: BTreeMap<String, Engine> = BTreeMap::new();
        for (idx, case) in self.tests.iter().enumerate().skip(from) {
            let engine = engines
                .entry(case.package.clone())
                .or_insert_with(|| self.engine_for(&case.package, opts));
            // Compiling the package's engine is not the test's time.
            sink(Event::Start(idx));
            let mut e = engine.clone();
            let started = Instant::now();
            let value = e.eval_rule(case.rule.clone());
            let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
            let prints = e.take_prints().unwrap_or_default();
            let (outcome, mut message) = match value {
                Ok(Value::Bool(true)) => (Outcome::Pass, None),
                Ok(Value::Undefined) => (Outcome::Fail, None),
                Ok(other) => (
                    Outcome::Fail,
                    Some(format!("evaluated to {other}, not true")),
                ),
                Err(err) => {
                    let text = error_text(&err);
                    let text = if text.contains("execution exceeded time limit") {
                        format!(
                            "timed out after {} (--timeout): {text}",
                            seconds(opts.timeout)
                        )
                    } else if text.contains("not a valid rule path") {
                        format!("{}: test rule not found", case.rule)
                    } else {
                        text
                    };
                    (Outcome::Error, Some(text))
                }
            };
            if !prints.is_empty() {
                let prints = prints.join("\n");
                message = Some(match message {
                    Some(m) => format!("{prints}\n{m}"),
                    None => prints,
                });
            }
            let coverage = if opts.coverage {
                self.coverage_delta(&e, &mut sent)
            } else {
                Coverage::new()
            };
            let result = TestResult {
                name: case.name.clone(),
                file: case.file.clone(),
                line: Some(case.line),
                outcome,
                message,
                duration_ms,
            };
            sink(Event::Done(idx, result, coverage));
        }
    }

    /// The coverage of one evaluated clone not yet in `sent` (which it then joins).
    fn coverage_delta(&self, e: &Engine, sent: &mut Coverage) -> Coverage {
        let mut out = Coverage::new();
        let Ok(report) = e.get_coverage_report() else {
            return out;
        };
        for f in report.files {
            if !self.coverage_files.contains(&f.path) {
                continue;
            }
            let known = sent.entry(f.path.clone()).or_default();
            let mut new = FileLines::default();
            for l in f.covered.iter().chain(&f.not_covered) {
                if known.lines.insert(*l) {
                    new.lines.insert(*l);
                }
            }
            for l in f.covered {
                if known.covered.insert(l) {
                    new.covered.insert(l);
                }
            }
            if !new.lines.is_empty() || !new.covered.is_empty() {
                out.insert(f.path, new);
            }
        }
        out
    }
}

/// Whether `text` refers to `data.<package>` (followed by a non-name character).
fn names(text: &str, package: &str) -> bool {
    let needle = format!("data.{package}");
    text.match_indices(&needle).any(|(at, _)| {
        !text[at + needle.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// `1s`, `0.5s`.
pub fn seconds(d: Duration) -> String {
    format!("{}s", d.as_secs_f64())
}

/// A file-level ERROR entry whose line comes from the regorus message when it has one.
fn located_error(path: &str, message: &str) -> TestResult {
    let (file, line) = match error_location(message) {
        Some((f, l)) => (f, Some(l)),
        None => (path.to_string(), None),
    };
    let mut r = load_error(path, line, message.to_string());
    r.file = file;
    r
}

/// Lines of a file that hold code, for a file no test touched (regorus reports lines only for
/// files it evaluated): not blank, not a comment, `package`, `import` or a lone bracket.
pub fn estimated_lines(text: &str) -> usize {
    text.lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with('#')
                && !l.starts_with("package ")
                && !l.starts_with("import ")
                && !l.chars().all(|c| "{}[](), ".contains(c))
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> PolicyFile {
        PolicyFile {
            path: path.into(),
            text: text.into(),
            origin: Origin::User,
        }
    }

    #[test]
    fn finds_test_heads_only_and_splits_duplicates() {
        let mut f = file(
            "p_test.rego",
            "package p_test\ntest_a if { true }\ntest_b := true\ntodo_c if { true }\nhelper_test_d if { true }\ntest_a if { false }\ntest_f(x) := x\ntest_g contains 1\n",
        );
        let (tests, todo) = split_tests(&mut f, &mut BTreeMap::new());
        let names: Vec<_> = tests.iter().map(|c| (c.name.as_str(), c.line)).collect();
        assert_eq!(
            names,
            vec![
                ("data.p_test.test_a", 2),
                ("data.p_test.test_b", 3),
                ("data.p_test.test_a#01", 6)
            ]
        );
        assert_eq!(tests[2].rule, "data.p_test.test_a__driftgate_dup01");
        assert!(f.text.contains("\ntest_a__driftgate_dup01 if { false }\n"));
        assert_eq!(todo.len(), 1);
    }

    fn run_one(policy: &str, test: &str) -> (Suite, Vec<TestResult>) {
        let files = vec![file("p.rego", policy), file("p_test.rego", test)];
        let opts = Options {
            timeout: Duration::from_secs(1),
            coverage: true,
            ..Options::default()
        };
        let suite = Suite::load(files, Vec::new(), &opts);
        let mut out = Vec::new();
        suite.execute(&opts, 0, &mut |e| {
            if let Event::Done(_, r, _) = e {
                out.push(r)
            }
        });
        (suite, out)
    }

    #[test]
    fn outcomes_and_with_mocking() {
        let (_, results) = run_one(
            "package p\nimport rego.v1\nallow if input.ok\nlimit := data.cfg.limit\n",
            "package p_test\nimport rego.v1\nimport data.p\ntest_with if { p.allow with input as {\"ok\": true} }\ntest_data if { p.limit == 3 with data.cfg.limit as 3 }\ntest_undefined if { p.allow }\ntest_error if { foo.bar(1) }\n",
        );
        let got: Vec<_> = results.iter().map(|r| r.outcome.clone()).collect();
        assert_eq!(
            got,
            vec![Outcome::Pass, Outcome::Pass, Outcome::Fail, Outcome::Error]
        );
    }
}
