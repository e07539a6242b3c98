//! `driftgate policy lint`: checks a policy pack the way Regal and a reviewer would, and reports
//! every problem as `file:line: [check] message` (never stopping at the first).
//!
//! Checks, by id (see [`CHECKS`]): METADATA present and complete (`meta`), a test and a doc
//! beside every rule, calls only to allowed builtins or functions the packs define (`calls`, on
//! the token scan of `scan`), reads only of input fields the normalised model provides
//! (`fields`), and files that regorus parses and compiles. It never evaluates a policy against
//! data: only on an empty input, where regorus reports compile errors.

mod calls;
mod fields;
mod meta;

use super::scan;

pub use calls::{ALLOWED_BUILTINS, FORBIDDEN_BUILTINS};

use super::builtin_files;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `driftgate policy lint`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folders of your own policies (the built-in pack is linted too unless --no-builtin).
    pub dirs: Vec<PathBuf>,
    /// Do not lint the built-in pack (its lib is still read: user rules may call it).
    #[arg(long)]
    pub no_builtin: bool,
    /// Output: `text` (`file:line: [check] message`) or `json`.
    #[arg(long, value_enum, default_value = "text")]
    pub format: LintFormat,
    /// List the checks (id and what each finds) and exit.
    #[arg(long)]
    pub list_checks: bool,
}

/// Output format of `policy lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LintFormat {
    Text,
    Json,
}

/// Every check, by its stable id, with what it finds.
pub const CHECKS: &[(&str, &str)] = &[
    ("builtin-forbidden", "a call to a builtin that reaches the network, the environment, the clock or randomness, or prints"),
    ("builtin-unknown", "a call to a function that is neither an allowed builtin nor defined in the packs"),
    ("catalogue-invalid", "a control catalogue file that cannot be read"),
    ("compile-error", "a policy that parses but does not compile (unsafe variable, conflict ...)"),
    ("control-unknown", "a METADATA control framework or control id that no catalogue knows"),
    ("controls-missing", "METADATA custom.controls missing, or without nist-csf-1.1 and nist-csf-2.0 ids"),
    ("description-missing", "METADATA description missing or empty"),
    ("doc-missing", "a rule without its doc `<name>.md` beside it"),
    ("findings-missing", "a package with rule METADATA that defines no `findings`"),
    ("id-duplicate", "a rule id already used by another rule of the packs"),
    ("id-malformed", "a rule id not of the form ^[A-Z][A-Z0-9]*-[0-9]{3}$"),
    ("id-missing", "METADATA custom.id missing"),
    ("input-field-unknown", "a read of an input field the normalised model does not have, or of an undeclared param"),
    ("metadata-invalid", "METADATA that is not valid YAML, has attributes OPA does not know, or that the loader rejects"),
    ("metadata-missing", "a rule file (it defines `findings`) without a METADATA block with `custom:`"),
    ("nesting-too-deep", "brackets nested more than 12 deep, or nested literals costing regorus' parser more than a few seconds (its parse time doubles per level)"),
    ("parse-error", "a policy file regorus cannot parse"),
    ("read-error", "a policy file that cannot be read"),
    ("recursion", "a rule or function that depends on itself, directly or through others (Rego forbids it)"),
    ("remediation-missing", "METADATA custom.remediation missing or empty"),
    ("scope-invalid", "METADATA custom.scope other than identity or tenant"),
    ("severity-invalid", "METADATA custom.severity missing or not one of critical, high, medium, low, info"),
    ("test-missing", "a rule without `<name>_test.rego` beside it holding at least one `test_` rule"),
    ("title-missing", "METADATA title missing or empty"),
];

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub check: &'static str,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: [{}] {}",
            self.file, self.line, self.check, self.message
        )
    }
}

/// The result of a lint run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Lint {
    /// Sorted by file and line.
    pub problems: Vec<Problem>,
    /// Policy files linted.
    pub files: usize,
    /// Rule files among them.
    pub rules: usize,
}

/// A file of the packs.
struct Source {
    path: String,
    text: String,
    /// Linted (false: the shipped lib read for its definitions under `--no-builtin`).
    lint: bool,
}

impl Source {
    fn is_test(&self) -> bool {
        self.path.ends_with("_test.rego") || self.path.ends_with("/testdata.rego")
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let p = entry.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "rego" || e == "md") {
            out.push(p);
        }
    }
}

/// Rego files and docs of the packs; problems for unreadable files.
fn sources(
    builtin: bool,
    dirs: &[PathBuf],
    problems: &mut Vec<Problem>,
) -> Result<Vec<Source>, String> {
    let mut out = Vec::new();
    for (path, text) in builtin_files() {
        let wanted = path.ends_with(".rego") || path.ends_with(".md");
        if wanted && (builtin || path.starts_with("policies/lib/")) {
            out.push(Source {
                path: format!("builtin:{path}"),
                text: text.to_string(),
                lint: builtin,
            });
        }
    }
    for dir in dirs {
        if !dir.exists() {
            return Err(format!("{}: policy folder does not exist", dir.display()));
        }
        let mut found = Vec::new();
        collect(dir, &mut found);
        found.sort();
        for p in found {
            match std::fs::read_to_string(&p) {
                Ok(text) => out.push(Source {
                    path: p.display().to_string(),
                    text,
                    lint: true,
                }),
                Err(e) => problems.push(Problem {
                    file: p.display().to_string(),
                    line: 1,
                    check: "read-error",
                    message: format!("cannot read: {e}"),
                }),
            }
        }
    }
    Ok(out)
}

fn declares_findings(text: &str) -> bool {
    text.lines().any(|l| {
        l.strip_prefix("findings")
            .is_some_and(|r| r.starts_with([' ', '[', ':', '=', '\t']))
    })
}

/// `test_x if`, `test_x :=`, `test_x {` at column 1.
fn has_test_rule(text: &str) -> bool {
    text.lines().any(|l| {
        let Some(rest) = l.strip_prefix("test_") else {
            return false;
        };
        let rest = rest.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
        let rest = rest.trim_start();
        ["if", ":=", "{", "="].iter().any(|p| rest.starts_with(p))
    })
}

/// A parse error's line and text, from regorus.
fn parse_error(path: &str, text: &str) -> Option<(usize, String)> {
    let mut engine = regorus::Engine::new();
    let e = engine
        .add_policy(path.to_string(), text.to_string())
        .err()?;
    let message = super::engine::error_text(&e);
    let line = super::engine::error_location(&message)
        .map(|(_, l)| l)
        .unwrap_or(1);
    Some((line, one_line(&message)))
}

/// The gist of a multi-line regorus message: its `error:` line, else its first line.
fn one_line(message: &str) -> String {
    let lines: Vec<&str> = message.lines().map(str::trim).collect();
    let pick = lines
        .iter()
        .find(|l| l.contains("error:"))
        .or_else(|| lines.iter().find(|l| !l.is_empty()))
        .copied()
        .unwrap_or("");
    let pick = pick.split("error:").last().unwrap_or(pick).trim();
    pick.to_string()
}

/// Lint the shipped pack (when `builtin`) and the user packs in `dirs`. `Err`: a folder does not
/// exist.
pub fn lint(builtin: bool, dirs: &[PathBuf]) -> Result<Lint, String> {
    let mut problems = Vec::new();
    let sources = sources(builtin, dirs, &mut problems)?;
    let by_path: BTreeMap<&str, &Source> = sources.iter().map(|s| (s.path.as_str(), s)).collect();
    let catalogue = match crate::controls::Catalogue::load(true, dirs) {
        Ok(c) => c,
        Err(errors) => {
            for e in errors {
                problems.push(Problem {
                    line: e.line.unwrap_or(1),
                    file: e.file,
                    check: "catalogue-invalid",
                    message: e.message,
                });
            }
            crate::controls::Catalogue::default()
        }
    };
    let rego: Vec<&Source> = sources
        .iter()
        .filter(|s| s.path.ends_with(".rego"))
        .collect();
    let linted = rego.iter().filter(|s| s.lint).count();

    // Parse: every file on its own, so that each error is reported; a file nested too deeply
    // for regorus' parser is not parsed (see `guard`).
    let mut unparsed = BTreeSet::new();
    for s in &rego {
        let guarded = super::guard::check_file(&s.path, &s.text);
        if let Some(e) = guarded.filter(|e| e.check == "nesting-too-deep") {
            unparsed.insert(s.path.clone());
            if s.lint {
                problems.push(Problem {
                    file: s.path.clone(),
                    line: e.line,
                    check: "nesting-too-deep",
                    message: e.message,
                });
            }
            continue;
        }
        if let Some((line, message)) = parse_error(&s.path, &s.text) {
            unparsed.insert(s.path.clone());
            if s.lint {
                problems.push(Problem {
                    file: s.path.clone(),
                    line,
                    check: "parse-error",
                    message,
                });
            }
        }
    }

    // METADATA, tests and docs of each rule; ids across the packs.
    let mut infos: BTreeMap<&str, meta::RuleInfo> = BTreeMap::new();
    let mut ids: BTreeMap<String, (String, usize)> = BTreeMap::new();
    let mut rules = 0;
    for s in rego.iter().filter(|s| s.lint && !s.is_test()) {
        let findings = declares_findings(&s.text);
        let mut found = Vec::new();
        let info = meta::check(&s.path, &s.text, findings, &catalogue, &mut found);
        problems.extend(found);
        if !findings && !info.has_custom {
            continue; // a helper package
        }
        rules += 1;
        if !findings && !unparsed.contains(&s.path) {
            problems.push(Problem {
                file: s.path.clone(),
                line: info.line,
                check: "findings-missing",
                message: "the package has rule METADATA but defines no `findings`".into(),
            });
        }
        if let Some(id) = &info.id {
            match ids.get(id) {
                Some((file, line)) => problems.push(Problem {
                    file: s.path.clone(),
                    line: info.line,
                    check: "id-duplicate",
                    message: format!("rule id {id} is already defined in {file}:{line}"),
                }),
                None => {
                    ids.insert(id.clone(), (s.path.clone(), info.line));
                }
            }
        }
        let stem = s.path.trim_end_matches(".rego");
        let test = format!("{stem}_test.rego");
        match by_path.get(test.as_str()) {
            None => problems.push(Problem {
                file: s.path.clone(),
                line: info.line,
                check: "test-missing",
                message: format!("no test file {test}"),
            }),
            Some(t) if !has_test_rule(&t.text) => problems.push(Problem {
                file: s.path.clone(),
                line: info.line,
                check: "test-missing",
                message: format!("{test} has no `test_` rule"),
            }),
            Some(_) => {}
        }
        let doc = format!("{stem}.md");
        if by_path
            .get(doc.as_str())
            .is_none_or(|d| d.text.trim().is_empty())
        {
            problems.push(Problem {
                file: s.path.clone(),
                line: info.line,
                check: "doc-missing",
                message: format!("no rule doc {doc} (what it checks, why, params, remediation)"),
            });
        }
        infos.insert(s.path.as_str(), info);
    }

    // Calls and input reads, from a scan of every parsed file.
    let modules: Vec<(&Source, scan::Module)> = rego
        .iter()
        .filter(|s| !unparsed.contains(&s.path))
        .map(|s| (*s, scan::module(&s.text)))
        .collect();
    let mut defined: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (_, m) in &modules {
        let names = defined.entry(m.package.as_str()).or_default();
        names.extend(m.defines.iter().map(String::as_str));
    }
    let all_params = all_params(&infos);
    let shape = fields::input_shape();
    for (s, m) in modules.iter().filter(|(s, _)| s.lint) {
        for (name, line) in &m.calls {
            if let Some((check, message)) = calls::check_call(name, m, &defined, s.is_test()) {
                problems.push(Problem {
                    file: s.path.clone(),
                    line: *line,
                    check,
                    message,
                });
            }
        }
        if s.is_test() {
            continue; // tests build inputs; they do not read them
        }
        let params = match infos.get(s.path.as_str()) {
            Some(info) => &info.params,
            None => &all_params,
        };
        for (path, line) in &m.input_reads {
            if let Some(bad) = fields::check(&shape, path, params) {
                problems.push(Problem {
                    file: s.path.clone(),
                    line: *line,
                    check: "input-field-unknown",
                    message: bad.message,
                });
            }
        }
    }

    // Recursion across every parsed file: regorus would overflow the stack compiling it.
    let parsed = rego.iter().filter(|s| !unparsed.contains(&s.path));
    let recursion = super::guard::recursion(parsed.map(|s| (s.path.as_str(), s.text.as_str())));
    let recursive = !recursion.is_empty();
    for e in recursion {
        if by_path.get(e.file.as_str()).is_some_and(|s| s.lint) {
            problems.push(Problem {
                file: e.file,
                line: e.line,
                check: "recursion",
                message: e.message,
            });
        }
    }

    // Compile once everything parses and nothing recurses: unsafe variables, conflicts.
    if unparsed.is_empty() && !recursive {
        problems.extend(compile(&rego));
    }
    problems.sort();
    problems.dedup();
    Ok(Lint {
        problems,
        files: linted,
        rules,
    })
}

/// Params declared by any rule (linted or shipped): what a helper package may read.
fn all_params(infos: &BTreeMap<&str, meta::RuleInfo>) -> Vec<String> {
    let mut out: BTreeSet<String> = infos.values().flat_map(|i| i.params.clone()).collect();
    for (path, text) in builtin_files() {
        if path.ends_with(".rego") && !path.ends_with("_test.rego") {
            if let Ok(Some(meta)) = super::metadata::parse(path, text) {
                out.extend(meta.params.into_keys());
            }
        }
    }
    out.into_iter().collect()
}

/// Load the non-test files into one sandboxed engine and evaluate every linted package on an
/// empty input: what regorus only finds then (unsafe variables, conflicts, undefined names).
fn compile(rego: &[&Source]) -> Vec<Problem> {
    let mut engine = super::engine::sandboxed_engine(chrono::DateTime::UNIX_EPOCH);
    let mut packages = BTreeMap::new();
    for s in rego.iter().filter(|s| !s.is_test()) {
        match engine.add_policy(s.path.clone(), s.text.clone()) {
            Ok(pkg) if s.lint => {
                packages.insert(pkg, s.path.clone());
            }
            Ok(_) => {}
            Err(_) => return Vec::new(), // a parse error: reported as such
        }
    }
    engine.set_input(regorus::Value::new_object());
    let mut out = Vec::new();
    for (pkg, file) in packages {
        let Err(e) = engine.eval_query(pkg.clone(), false) else {
            continue;
        };
        let message = super::engine::error_text(&e);
        let compile_time = [
            "unsafe",
            "conflict",
            "undefined variable",
            "could not find function",
        ];
        if !compile_time.iter().any(|m| message.contains(m)) {
            continue; // a runtime error on an empty input says nothing about the policy
        }
        let (file, line) = super::engine::error_location(&message).unwrap_or((file, 1));
        out.push(Problem {
            file,
            line,
            check: "compile-error",
            message: one_line(&message),
        });
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Lint and print the problems; the exit code: 0 clean, 1 problems, 2 a folder does not exist.
pub fn cli(args: &Args) -> i32 {
    use std::io::Write;
    if args.list_checks {
        let mut text = String::new();
        for (id, what) in CHECKS {
            text.push_str(&format!("{id:<20} {what}\n"));
        }
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
        return crate::report::exit::CLEAN;
    }
    let result = match lint(!args.no_builtin, &args.dirs) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return crate::report::exit::INPUT_ERROR;
        }
    };
    let mut text = String::new();
    match args.format {
        LintFormat::Json => {
            text = serde_json::to_string_pretty(&result).expect("lint result serialises");
            text.push('\n');
        }
        LintFormat::Text => {
            for p in &result.problems {
                text.push_str(&format!("{p}\n"));
            }
            let n = result.problems.len();
            text.push_str(&format!(
                "linted {} ({}): {}\n",
                plural(result.files, "file"),
                plural(result.rules, "rule"),
                match n {
                    0 => "no problems".to_string(),
                    n => plural(n, "problem"),
                }
            ));
        }
    }
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if result.problems.is_empty() {
        crate::report::exit::CLEAN
    } else {
        crate::report::exit::FINDINGS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_ids_and_allow_list_are_sorted_and_unique() {
        let ids: Vec<&str> = CHECKS.iter().map(|(id, _)| *id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
        let mut allowed = ALLOWED_BUILTINS.to_vec();
        allowed.sort();
        allowed.dedup();
        assert_eq!(
            allowed, ALLOWED_BUILTINS,
            "binary search needs a sorted list"
        );
        for (name, _) in FORBIDDEN_BUILTINS {
            assert!(!ALLOWED_BUILTINS.contains(name), "{name}");
        }
    }

    #[test]
    fn check_ids_are_stable_and_every_reported_id_is_listed() {
        let ids: Vec<&str> = CHECKS.iter().map(|(id, _)| *id).collect();
        assert_eq!(
            ids.join(" "),
            "builtin-forbidden builtin-unknown catalogue-invalid compile-error control-unknown \
             controls-missing description-missing doc-missing findings-missing id-duplicate \
             id-malformed id-missing input-field-unknown metadata-invalid metadata-missing \
             nesting-too-deep parse-error read-error recursion remediation-missing scope-invalid \
             severity-invalid test-missing title-missing"
        );
        let kinds = [
            "-missing",
            "-invalid",
            "-unknown",
            "-forbidden",
            "-error",
            "-malformed",
            "-duplicate",
        ];
        let sources = [
            include_str!("lint.rs"),
            include_str!("lint/meta.rs"),
            include_str!("lint/calls.rs"),
        ];
        for src in sources {
            let code = src.split("mod tests").next().unwrap_or(src);
            for literal in code.split('"').skip(1).step_by(2) {
                let kebab = literal.contains('-')
                    && literal.chars().all(|c| c.is_ascii_lowercase() || c == '-');
                if kebab && kinds.iter().any(|k| literal.ends_with(k)) {
                    assert!(
                        ids.contains(&literal),
                        "`{literal}` is reported but not in CHECKS"
                    );
                }
            }
        }
    }

    #[test]
    fn shipped_pack_is_clean() {
        let result = lint(true, &[]).unwrap();
        let lines: Vec<String> = result.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(lines, Vec::<String>::new());
        assert!(result.rules >= 20);
    }
}
