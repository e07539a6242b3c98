//! `driftgate policy impact`: what a policy change does to an estate's findings.
//!
//! Evaluates one estate under a base and a head policy set (each a complete pack: a folder, the
//! built-in pack, or a git revision of the policies folder) and compares the two reports by
//! finding fingerprint ([`compare`]). Output per [`render`]; the exit code per `--fail-on-new`.
//! Orchestration only: no finding is judged here.

pub mod compare;
pub mod render;
pub mod source;

use crate::audit::{self, Fatal, Options};
use crate::estate::{parse_as_of, Estate};
use crate::policy::metadata::Severity;
use crate::policy::{PolicyError, PolicySet};
use crate::report::{exit, Report, Verdict};
use compare::{Evaluated, Impact};
use std::path::{Path, PathBuf};

/// `driftgate policy impact`.
///
/// Exit codes: 0 no added or more severe finding at or above `--fail-on-new` (or no
/// `--fail-on-new`), 1 some, 2 usage/config/input error (also: a tenant could not be audited),
/// 3 policy error in either set.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The base policy set: a folder holding a complete pack (its `lib/` included), or a git
    /// revision (`origin/main`, `HEAD~1`, a sha) of the head's policies folder.
    #[arg(long, value_name = "REF_OR_DIR")]
    pub base: String,
    /// The head policy set: a folder holding a complete pack, e.g. the checked-out `policies/`
    /// (default: the built-in pack, as `driftgate audit` uses).
    #[arg(long, value_name = "DIR")]
    pub head: Option<PathBuf>,
    /// The estate to evaluate under both (folder holding estate.toml, or the file).
    pub estate: PathBuf,
    /// Measure every age from this instant (RFC 3339 or YYYY-MM-DD); overrides tenant and estate as_of.
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    /// Evaluate only this tenant id; repeatable.
    #[arg(long = "tenant", value_name = "ID")]
    pub tenants: Vec<String>,
    /// What to print on standard output (json: schema `driftgate.impact/v1`).
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Exit 1 when a finding the head adds (or makes more severe) is at or above this severity;
    /// findings of rules not yet effective (`effective_on`) and waived ones never count.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on_new: Option<Severity>,
}

/// Output formats.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    Table,
    /// GitHub-flavoured Markdown for a PR comment (under 65,536 characters).
    Markdown,
    /// `driftgate.impact/v1`.
    Json,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s).ok_or_else(|| format!("`{s}`: expected critical, high, medium, low or info"))
}

/// Why no comparison could be made.
#[derive(Debug, thiserror::Error)]
pub enum ImpactError {
    /// Usage, config or input: exit 2.
    #[error("{0}")]
    Input(String),
    /// A policy set does not load, compile or run: exit 3. One line per problem.
    #[error("{}", .0.join("\n"))]
    Policy(Vec<String>),
}

impl ImpactError {
    pub fn exit_code(&self) -> i32 {
        match self {
            ImpactError::Input(_) => exit::INPUT_ERROR,
            ImpactError::Policy(_) => exit::POLICY_ERROR,
        }
    }
}

fn policy_errors(side: &str, errors: &[PolicyError]) -> ImpactError {
    ImpactError::Policy(errors.iter().map(|e| format!("{side}: {e}")).collect())
}

/// A policy set ready to evaluate, and where it came from.
struct Loaded {
    set: PolicySet,
    describe: String,
    root: Option<PathBuf>,
}

fn load_folder(side: &str, dir: &Path, describe: String) -> Result<Loaded, ImpactError> {
    let set = PolicySet::load_pack(dir).map_err(|e| policy_errors(side, &e))?;
    Ok(Loaded {
        set,
        describe,
        root: Some(dir.to_path_buf()),
    })
}

fn load_head(head: Option<&Path>) -> Result<Loaded, ImpactError> {
    match head {
        None => Ok(Loaded {
            set: PolicySet::load(true, &[] as &[PathBuf]).map_err(|e| policy_errors("head", &e))?,
            describe: "built-in pack".into(),
            root: None,
        }),
        Some(dir) if dir.is_dir() => load_folder("head", dir, format!("folder {}", dir.display())),
        Some(dir) => Err(ImpactError::Input(format!(
            "--head {}: not a folder",
            dir.display()
        ))),
    }
}

fn load_base(base: &str, head: Option<&Path>) -> Result<Loaded, ImpactError> {
    let dir = Path::new(base);
    if dir.is_dir() {
        return load_folder("base", dir, format!("folder {}", dir.display()));
    }
    let checkout = source::checkout(base, head).map_err(ImpactError::Input)?;
    // Loaded into memory; the temporary copy goes when `checkout` drops.
    let mut loaded = load_folder("base", &checkout.pack, checkout.describe.clone())?;
    loaded.root = Some(checkout.pack.clone());
    Ok(loaded)
}

/// Errors a finished report carries: a rule that failed at run time.
fn run_errors(side: &str, report: &Report) -> Vec<String> {
    let mut out: Vec<String> = report
        .policy_errors
        .iter()
        .map(|e| format!("{side}: {e}"))
        .collect();
    if out.is_empty() {
        for t in &report.tenants {
            for r in t.rules.iter().filter(|r| r.verdict == Verdict::Error) {
                out.push(format!("{side}: rule {}: tenant {}: error", r.rule, t.id));
            }
        }
    }
    out
}

/// Load both sets, evaluate the estate under each, compare.
pub fn run(args: &Args) -> Result<Impact, ImpactError> {
    let as_of = args
        .as_of
        .as_deref()
        .map(parse_as_of)
        .transpose()
        .map_err(|m| ImpactError::Input(format!("--as-of: {m}")))?;
    let mut estate =
        Estate::discover(&args.estate).map_err(|e| ImpactError::Input(e.to_string()))?;
    if as_of.is_none() && estate.as_of.is_none() {
        // One clock read for both sides, so ages cannot differ between them.
        estate.as_of = Some(audit::run_as_of(&estate, None).0);
    }
    let head = load_head(args.head.as_deref())?;
    let base = load_base(&args.base, args.head.as_deref())?;
    let opts = Options {
        as_of,
        tenants: args.tenants.clone(),
        progress: false,
        ..Default::default()
    };
    let (b, h) = rayon::join(
        || audit::run(&estate, &base.set, &opts),
        || audit::run(&estate, &head.set, &opts),
    );
    let fatal = |side: &str, f: Fatal| match f {
        Fatal::Config(errors) => ImpactError::Input(
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        Fatal::Policy(errors) => policy_errors(side, &errors),
    };
    let b = b.map_err(|f| fatal("base", f))?;
    let h = h.map_err(|f| fatal("head", f))?;
    let errors: Vec<String> = run_errors("base", &b)
        .into_iter()
        .chain(run_errors("head", &h))
        .collect();
    if !errors.is_empty() {
        return Err(ImpactError::Policy(errors));
    }
    Ok(compare::compare(
        &Evaluated {
            policies: base.describe.clone(),
            set: &base.set,
            root: base.root.as_deref(),
            report: &b,
        },
        &Evaluated {
            policies: head.describe.clone(),
            set: &head.set,
            root: head.root.as_deref(),
            report: &h,
        },
        args.fail_on_new,
    ))
}

/// 2 when a tenant could not be audited, else 1 when the gate fails, else 0.
pub fn exit_code(impact: &Impact) -> i32 {
    if !impact.tenants_not_audited.is_empty() {
        exit::INPUT_ERROR
    } else if impact.gate.failing > 0 {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}

/// Evaluate and print the difference; the exit code per `--fail-on-new`.
pub fn cli(args: &Args) -> i32 {
    let impact = match run(args) {
        Ok(i) => i,
        Err(e) => {
            let label = match e {
                ImpactError::Input(_) => "error",
                ImpactError::Policy(_) => "policy error",
            };
            for line in e.to_string().lines() {
                eprintln!("{label}: {line}");
            }
            return e.exit_code();
        }
    };
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    let written = match args.format {
        Format::Table => render::table(&impact, &mut w),
        Format::Markdown => render::markdown(&impact, &mut w),
        Format::Json => std::io::Write::write_all(&mut w, render::to_json(&impact).as_bytes()),
    }
    .and_then(|()| std::io::Write::flush(&mut w));
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write the output: {e}");
            exit::INPUT_ERROR
        }
        _ => {
            if !impact.tenants_not_audited.is_empty() {
                eprintln!(
                    "error: not audited, so not compared: {}",
                    impact.tenants_not_audited.join(", ")
                );
            }
            exit_code(&impact)
        }
    }
}
