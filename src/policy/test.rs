//! `driftgate policy test`: a Rego unit-test runner in the manner of `opa test`. Every `test_*`
//! definition of every package runs on its own; only an exact `true` passes (a failing test is
//! *undefined* in Rego). Files that do not load, tests that error, hang or crash the evaluator
//! become ERROR entries with their file and line, and the rest of the suite still runs.
//!
//! Isolation: regorus has no recursion limit for functions (`f(x) := f(x)` overflows the stack,
//! which aborts the process) and its time limit is cooperative (a builtin such as
//! `numbers.range` runs to completion before the next check). So the CLI runs the suite in a
//! worker process of the same binary (hidden `--worker-from`, `test_worker.rs`), which streams
//! results; when a test outlives its hard deadline the worker is killed, and when the worker dies
//! the test it was running is reported and a new worker resumes with the next test. Loading and
//! evaluation live in `test_suite.rs`.
//!
//! This module loads no policy for an audit and decides nothing about findings.

#[path = "test_suite.rs"]
mod suite;
#[path = "test_worker.rs"]
mod worker;

use crate::report::exit;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;
use suite::{Coverage, Event, Options, Suite};
use worker::{case_error, supervise};

/// `driftgate policy test`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Folders (or files) of your own policies and tests.
    pub dirs: Vec<PathBuf>,
    /// Do not load the built-in rules and their tests (the helper library stays available).
    #[arg(long)]
    pub no_builtin: bool,
    /// Print every test, not only failures, and the lines coverage misses.
    #[arg(short, long)]
    pub verbose: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "pretty")]
    pub format: TestFormat,
    /// Time limit per test, in seconds (`5`, `0.5`, `2s`, `500ms`).
    #[arg(long, value_name = "SECONDS", default_value = "5", value_parser = parse_timeout)]
    pub timeout: Duration,
    /// Report line coverage of the policy files (not the tests).
    #[arg(long)]
    pub coverage: bool,
    /// Fail when total line coverage is below PCT (implies --coverage).
    #[arg(long, value_name = "PCT")]
    pub threshold: Option<f64>,
    /// Builtin errors are test errors (by default they are undefined, as in `opa test`).
    #[arg(long)]
    pub strict: bool,
    /// Run only the tests whose name contains this text.
    #[arg(long, value_name = "TEXT")]
    pub run: Option<String>,
    /// Run the tests in this process: no protection against a test that hangs or overflows the stack.
    #[arg(long, hide = true)]
    pub in_process: bool,
    /// Internal: run as a worker from this test index, streaming JSON lines.
    #[arg(long, hide = true, value_name = "INDEX")]
    pub worker_from: Option<usize>,
}

/// `--format`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestFormat {
    Pretty,
    Json,
}

fn parse_timeout(s: &str) -> Result<Duration, String> {
    let (num, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else {
        (s, 1.0)
    };
    match num.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() && v * scale < 86_400.0 => {
            Ok(Duration::from_secs_f64(v * scale))
        }
        _ => Err(format!("`{s}` is not a positive number of seconds")),
    }
}

/// Outcome of one test.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
    Error,
}

/// One test, or one file that could not be loaded (an ERROR named after the file).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TestResult {
    /// `data.<package>.<test>` (`#01` ... for further definitions of the same name), or the file.
    pub name: String,
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub outcome: Outcome,
    /// Prints gathered from the test, then the reason it did not pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub duration_ms: f64,
}

impl Args {
    fn options(&self) -> Options {
        Options {
            timeout: self.timeout,
            strict: self.strict,
            coverage: self.coverage || self.threshold.is_some(),
            run: self.run.clone(),
        }
    }
}

/// Run the suite and print it like `opa test`. Exit code: 0 when every test passed and at least
/// one ran (and coverage meets `--threshold`); 1 otherwise.
pub fn cli(args: &Args) -> i32 {
    let opts = args.options();
    let (files, errors) = suite::gather(args.no_builtin, &args.dirs);
    let suite = Suite::load(files, errors, &opts);
    if let Some(from) = args.worker_from {
        return worker::worker(&suite, &opts, from);
    }
    let mut results: Vec<TestResult> = suite.errors.clone();
    let mut coverage = Coverage::new();
    if args.in_process {
        suite.execute(&opts, 0, &mut |e| {
            if let Event::Done(_, r, c) = e {
                results.push(r);
                suite::merge_coverage(&mut coverage, c);
            }
        });
    } else {
        let (mut done, c, resume) = supervise(args, &suite);
        coverage = c;
        if let Some(from) = resume {
            suite.execute(&opts, from, &mut |e| {
                if let Event::Done(i, r, c) = e {
                    done[i] = Some(r);
                    suite::merge_coverage(&mut coverage, c);
                }
            });
        }
        results.extend(done.into_iter().enumerate().map(|(i, r)| {
            r.unwrap_or_else(|| case_error(&suite, i, "not run".into(), Duration::ZERO))
        }));
    }
    let table = opts.coverage.then(|| coverage_table(&suite, &coverage));
    let summary = Summary::of(&results, suite.skipped.len());
    let mut out = String::new();
    match args.format {
        TestFormat::Pretty => {
            render_pretty(&mut out, args, &suite, &results, table.as_ref(), &summary)
        }
        TestFormat::Json => {
            let json = serde_json::json!({
                "tests": results,
                "skipped": suite.skipped.iter().map(|c| serde_json::json!({
                    "name": c.name, "file": c.file, "line": c.line})).collect::<Vec<_>>(),
                "summary": summary,
                "coverage": table,
            });
            out = serde_json::to_string_pretty(&json).unwrap_or_default() + "\n";
        }
    }
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    let mut code = if summary.failed == 0 && summary.passed > 0 {
        exit::CLEAN
    } else {
        exit::FINDINGS
    };
    if summary.passed + summary.failed == 0 {
        eprintln!("error: no test ran");
    }
    if let (Some(min), Some(t)) = (args.threshold, &table) {
        if t.pct < min {
            eprintln!(
                "error: line coverage {:.1}% is below --threshold {min}%",
                t.pct
            );
            code = exit::FINDINGS;
        }
    }
    code
}

/// Run the tests of `set` in this process (no protection against a hanging or crashing test).
pub fn run(set: &super::PolicySet) -> Vec<TestResult> {
    let opts = Options::default();
    let suite = Suite::load(set.files.clone(), Vec::new(), &opts);
    let mut results = suite.errors.clone();
    suite.execute(&opts, 0, &mut |e| {
        if let Event::Done(_, r, _) = e {
            results.push(r)
        }
    });
    results
}

/// Pass and fail counts; errors count as failed.
#[derive(Debug, serde::Serialize)]
struct Summary {
    passed: usize,
    failed: usize,
    errored: usize,
    skipped: usize,
}

impl Summary {
    fn of(results: &[TestResult], skipped: usize) -> Summary {
        let count = |o: Outcome| results.iter().filter(|r| r.outcome == o).count();
        let errored = count(Outcome::Error);
        Summary {
            passed: count(Outcome::Pass),
            failed: count(Outcome::Fail) + errored,
            errored,
            skipped,
        }
    }
}

/// Line coverage per policy file and in total.
#[derive(Debug, serde::Serialize)]
struct CoverageTable {
    files: Vec<FileRow>,
    covered: usize,
    total: usize,
    pct: f64,
}

#[derive(Debug, serde::Serialize)]
struct FileRow {
    file: String,
    covered: usize,
    total: usize,
    pct: f64,
    /// No test evaluated the file: its total is estimated from its non-blank code lines.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    estimated: bool,
    not_covered: Vec<u32>,
}

fn pct(covered: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        covered as f64 * 100.0 / total as f64
    }
}

fn coverage_table(suite: &Suite, coverage: &Coverage) -> CoverageTable {
    let texts: BTreeMap<&str, &str> = suite
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.text.as_str()))
        .collect();
    let mut files = Vec::new();
    for path in &suite.coverage_files {
        let row = match coverage.get(path) {
            Some(l) => FileRow {
                file: path.clone(),
                covered: l.covered.len(),
                total: l.lines.len(),
                pct: pct(l.covered.len(), l.lines.len()),
                estimated: false,
                not_covered: l.lines.difference(&l.covered).copied().collect(),
            },
            None => {
                let total = suite::estimated_lines(texts.get(path.as_str()).unwrap_or(&""));
                FileRow {
                    file: path.clone(),
                    covered: 0,
                    total,
                    pct: pct(0, total),
                    estimated: true,
                    not_covered: Vec::new(),
                }
            }
        };
        files.push(row);
    }
    let covered = files.iter().map(|f| f.covered).sum();
    let total = files.iter().map(|f| f.total).sum();
    CoverageTable {
        files,
        covered,
        total,
        pct: pct(covered, total),
    }
}

/// `12, 15-17`.
fn line_ranges(lines: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = lines[i];
        let mut end = start;
        while i + 1 < lines.len() && lines[i + 1] == end + 1 {
            i += 1;
            end = lines[i];
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    out.join(", ")
}

fn render_pretty(
    out: &mut String,
    args: &Args,
    suite: &Suite,
    results: &[TestResult],
    table: Option<&CoverageTable>,
    summary: &Summary,
) {
    use std::fmt::Write as _;
    for r in results {
        let label = match r.outcome {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::Error => "ERROR",
        };
        if r.outcome == Outcome::Pass && !args.verbose {
            continue;
        }
        if r.name == r.file {
            // A file that did not load.
            let _ = writeln!(out, "{}: {label}", r.name);
        } else {
            let _ = writeln!(out, "{}: {label} ({})", r.name, duration(r.duration_ms));
        }
        if r.outcome == Outcome::Pass && r.message.is_none() {
            continue;
        }
        match r.line {
            // A file that did not load: its message starts with the location.
            _ if r.name == r.file => {}
            Some(l) => {
                let _ = writeln!(out, "    at {}:{l}", r.file);
            }
            None => {
                let _ = writeln!(out, "    at {}", r.file);
            }
        }
        if let Some(m) = &r.message {
            for line in compact(m).lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    if args.verbose {
        for c in &suite.skipped {
            let _ = writeln!(out, "{}: SKIPPED", c.name);
        }
    }
    if let Some(t) = table {
        let width = t
            .files
            .iter()
            .map(|f| f.file.len())
            .max()
            .unwrap_or(0)
            .max(8);
        let _ = writeln!(
            out,
            "\n{:width$}  {:>13}  {:>6}",
            "file", "covered/total", "pct"
        );
        for f in &t.files {
            let ratio = format!(
                "{}/{}{}",
                f.covered,
                if f.estimated { "~" } else { "" },
                f.total
            );
            let _ = writeln!(out, "{:width$}  {ratio:>13}  {:>5.1}%", f.file, f.pct);
            if args.verbose && !f.not_covered.is_empty() {
                let _ = writeln!(out, "    not covered: {}", line_ranges(&f.not_covered));
            }
        }
        let ratio = format!("{}/{}", t.covered, t.total);
        let _ = writeln!(out, "{:width$}  {ratio:>13}  {:>5.1}%", "total", t.pct);
        if t.files.iter().any(|f| f.estimated) {
            let _ = writeln!(
                out,
                "(~: no test evaluated the file; its total counts its code lines)"
            );
        }
        out.push('\n');
    }
    let _ = write!(out, "{} passed, {} failed", summary.passed, summary.failed);
    if summary.errored > 0 {
        let _ = write!(out, ", {} errored", summary.errored);
    }
    if summary.skipped > 0 {
        let _ = write!(out, ", {} skipped", summary.skipped);
    }
    out.push('\n');
}

/// A regorus message (rustc-style blocks: `--> file:line:col`, source excerpt, `error: text`)
/// on one line per error: `file:line: text`; a recursion chain reads `a -> b -> a`. Other text
/// (prints, our own messages) is kept as is.
fn compact(message: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut locs: Vec<String> = Vec::new();
    let mut error: Option<String> = None;
    let mut tail = String::new();
    let flush = |out: &mut Vec<String>,
                 locs: &mut Vec<String>,
                 error: &mut Option<String>,
                 tail: &mut String| {
        if let Some(e) = error.take() {
            let mut line = match locs.first() {
                Some(l) => format!("{l}: {e}"),
                None => e,
            };
            if locs.len() > 1 {
                line = format!("{line}: {}", locs[1..].join(" -> "));
            }
            out.push(line + tail);
            locs.clear();
            tail.clear();
        }
    };
    for raw in message.lines() {
        let t = raw.trim();
        if let Some(loc) = t.strip_prefix("--> ") {
            // `file:line:col` -> `file:line`
            let loc = match loc.rsplit_once(':') {
                Some((fl, col)) if col.chars().all(|c| c.is_ascii_digit()) => fl,
                _ => loc,
            };
            locs.push(loc.to_string());
        } else if let Some(e) = t.strip_prefix("error: ") {
            flush(&mut out, &mut locs, &mut error, &mut tail);
            error = Some(e.trim_end_matches(':').to_string());
        } else if t == "|" || t.starts_with("| ") || is_excerpt(t) || t == "depends on:" {
            // source excerpt and chain markers: the locations say it
        } else if let Some(rest) = t.strip_prefix("depends on: ") {
            tail = format!(" ({rest})");
        } else {
            flush(&mut out, &mut locs, &mut error, &mut tail);
            for l in locs.drain(..) {
                out.push(format!("at {l}"));
            }
            out.push(raw.to_string());
        }
    }
    if error.is_none() {
        for l in locs.drain(..) {
            out.push(format!("at {l}"));
        }
    }
    flush(&mut out, &mut locs, &mut error, &mut tail);
    out.join("\n")
}

/// `12 | code`: a line of a source excerpt.
fn is_excerpt(t: &str) -> bool {
    match t.split_once(" |") {
        Some((n, _)) => !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()),
        None => false,
    }
}

fn duration(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2}s", ms / 1000.0)
    } else if ms >= 1.0 {
        format!("{ms:.1}ms")
    } else {
        format!("{:.0}µs", ms * 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_parse_in_seconds_or_with_a_unit() {
        assert_eq!(parse_timeout("5"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_timeout("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_timeout("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("x").is_err());
    }

    #[test]
    fn regorus_messages_are_compacted_to_file_and_line() {
        let m = "--> a.rego:8:1\n  |\n8 | a if b\n  | ^\nerror: recursion detected when evaluating rule:\n--> t.rego:4:1\n  |\n4 | test_x if { a }\n  | ^\ndepends on: \n--> a.rego:8:1\n  |\n8 | a if b\n  | ^\ndepends on: \n--> a.rego:9:1\n  |\n9 | b if a\n  | ^\ndepends on: cyclic evaluation";
        assert_eq!(
            compact(m),
            "a.rego:8: recursion detected when evaluating rule: t.rego:4 -> a.rego:8 -> a.rego:9 (cyclic evaluation)"
        );
        let m = "hello\n--> t.rego:9:34\n  |\n9 | test_u if { foo.bar(1) }\n  |                                  ^\nerror: could not find function foo.bar";
        assert_eq!(
            compact(m),
            "hello\nt.rego:9: could not find function foo.bar"
        );
        assert_eq!(
            compact("evaluated to false, not true"),
            "evaluated to false, not true"
        );
    }

    #[test]
    fn line_ranges_are_compact() {
        assert_eq!(line_ranges(&[3, 5, 6, 7, 9]), "3, 5-7, 9");
    }
}
