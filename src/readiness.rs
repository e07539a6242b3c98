//! `driftgate readiness TENANT_DIR`: can a prospect's directory serve as the source of truth,
//! and what would onboarding it today bring?
//!
//! Loads one tenant folder (inside an estate: that estate's params, baseline, entitlements,
//! waivers and the MSP's records attributed to it; on its own: a one-tenant estate with
//! defaults), runs the normal audit pipeline on just that tenant, and judges the result:
//!
//! - **data coverage**: per source (the source of truth first), the share of *enabled humans*
//!   with an employee id, a manager, known sign-in activity and known MFA registration, and the
//!   exports that are missing with what each hides (read from the loaders' `files_missing` and
//!   capabilities, never by re-reading files). Data an export cannot show is `unknown`, never 0.
//! - **identity mix**: identities by `kind`, with how many are enabled.
//! - **day-one findings**: what the shipped rules raise today, by severity and rule, the top ones.
//! - **blockers** (no-go) and **conditions** (go with conditions), each with its state (`fail`,
//!   or `unknown` when the exports cannot tell), reason, evidence and the fix to make first:
//!
//!   | id | level | when |
//!   |---|---|---|
//!   | `mfa-enforcement` | blocker | a directory's MFA enforcement (BASE-001's facts) is `false` |
//!   | `mfa-enforcement` | condition (unknown) | enforcement is unknown (policies not exported) |
//!   | `top-admins` | blocker | standing top-role holders above PRIV-002's `max_top_admins` |
//!   | `top-admins-few` | condition | fewer enabled standing holders than PRIV-003's `min_top_admins` |
//!   | `privilege-unknown` | condition (unknown) | the source of truth's role assignments are not exported |
//!   | `ownerless-privileged-nhi` | blocker | a privileged non-human identity with no enabled owner |
//!   | `nhi-ownership-unknown` | condition (unknown) | a privileged non-human identity whose ownership is not exported |
//!   | `critical-findings` | blocker | an open critical day-one finding |
//!   | `high-findings` | condition | an open high day-one finding |
//!   | `sign-in-unknown` | condition (unknown) | sign-in activity unknown for more than half the enabled humans |
//!   | `mfa-registration-unknown` | condition (unknown) | MFA registration unknown for more than half the enabled humans |
//!   | `employee-id-coverage` | condition | fewer than 80% of enabled humans carry an employee id |
//!   | `no-source-of-truth` | condition | tenant.toml names no `source_of_truth` |
//!
//! - **verdict**: `no-go` when there is a blocker, else `go-with-conditions` when there is a
//!   condition, else `go`.
//! - **score** 0-100 (integer, deterministic), over the source of truth's enabled humans `N`:
//!
//!   ```text
//!   coverage = 15·E/N + 10·M/N + 15·S/N + 10·R/N + 10·P      (each term rounded half up; 0 when N = 0)
//!     E employee id set, M manager set, S sign-in known, R MFA registration known,
//!     P = 1 when role assignments are exported; unknown data earns no points
//!   penalty  = 10 per blocker + 3 per condition + min(20, 5·critical + 2·high open findings)
//!   score    = clamp(40 + coverage − penalty, 0, 100)
//!   ```
//!
//! Exit codes: 0 go, 1 no-go, 4 go-with-conditions, 2 usage/config/input error (also a tenant
//! whose status is not `prospect`/`onboarding`, unless `--force`), 3 policy error.
//!
//! It must not change any file but `--out`, and never judges a fact the rules already judge
//! differently: findings come from the normal pipeline, blockers only read its facts.

mod assess;
mod issues;
mod render;
mod types;

pub use assess::{assess, score, verdict};
pub use types::*;

use crate::audit::{self, Loaded, Options};
use crate::estate::{ConfigError, Estate, TenantConfig};
use crate::policy::PolicySet;
use crate::report::exit;
use std::path::{Path, PathBuf};

/// Exit code for `go-with-conditions` (0 go, 1 no-go; 2 and 3 keep their meaning).
pub const EXIT_CONDITIONS: i32 = 4;

/// `driftgate readiness`.
///
/// Exit codes: 0 go, 1 no-go, 4 go-with-conditions, 2 usage/config/input error (or a status
/// other than prospect/onboarding without --force), 3 policy error.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit codes: 0 go, 4 go-with-conditions, 1 no-go, 2 usage/config/input error (also a status other than prospect/onboarding without --force), 3 policy error."
)]
pub struct Args {
    /// The prospect's tenant folder (holding tenant.toml), inside an estate or on its own.
    pub tenant_dir: PathBuf,
    /// Measure every age from this instant (RFC 3339 or YYYY-MM-DD); overrides tenant and estate as_of.
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the output to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Assess a tenant whose status is not `prospect` or `onboarding` (a warning, not an error).
    #[arg(long)]
    pub force: bool,
    /// Add a folder (or file) of your own Rego rules; repeatable.
    #[arg(long = "policies", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
}

/// How `readiness` prints.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Markdown,
    /// One self-contained HTML page (inline CSS, no script).
    Html,
}

/// Why an assessment could not be made.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Usage, config or input problem (exit 2).
    #[error("{0}")]
    Input(String),
    /// A policy that does not load, compile or run (exit 3).
    #[error("{0}")]
    Policy(String),
}

/// The exit code for a verdict.
pub fn exit_code(verdict: Verdict) -> i32 {
    match verdict {
        Verdict::Go => exit::CLEAN,
        Verdict::NoGo => exit::FINDINGS,
        Verdict::GoWithConditions => EXIT_CONDITIONS,
    }
}

/// Assess and print; the exit code reflects the verdict.
pub fn cli(args: &Args) -> i32 {
    let result = run(args);
    let r = match result {
        Ok(r) => r,
        Err(Error::Input(m)) => {
            eprintln!("error: {m}");
            return exit::INPUT_ERROR;
        }
        Err(Error::Policy(m)) => {
            eprintln!("policy error: {m}");
            return exit::POLICY_ERROR;
        }
    };
    for w in &r.notices {
        eprintln!("warning: {w}");
    }
    let text = render::render(&r, args.format);
    match &args.out {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text.as_bytes()) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return exit::INPUT_ERROR;
            }
            eprintln!(
                "{}: {} (score {}), written to {}",
                r.tenant.id,
                r.verdict.as_str(),
                r.score,
                path.display()
            );
        }
        None => {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            if let Err(e) = out.write_all(text.as_bytes()) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    eprintln!("error: {e}");
                    return exit::INPUT_ERROR;
                }
            }
        }
    }
    exit_code(r.verdict)
}

/// Open the tenant, run the pipeline on it, assess.
pub fn run(args: &Args) -> Result<Readiness, Error> {
    let as_of_flag = args
        .as_of
        .as_deref()
        .map(crate::estate::parse_as_of)
        .transpose()
        .map_err(|m| Error::Input(format!("--as-of: {m}")))?;
    let (estate, config, in_estate) = open(&args.tenant_dir)?;
    let mut notices = Vec::new();
    if !matches!(config.status.as_str(), "prospect" | "onboarding") {
        let m = format!(
            "{}: tenant `{}` has status `{}`; readiness is for a `prospect` or `onboarding` tenant",
            config.config_file, config.id, config.status
        );
        if !args.force {
            return Err(Error::Input(format!(
                "{m} (use --force to assess it anyway)"
            )));
        }
        notices.push(m);
    }
    let set = PolicySet::load(true, &args.policies).map_err(|errors| {
        Error::Policy(
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })?;
    let estate_params =
        audit::merge_params(&set.default_params(), &[(&estate.params, "estate.toml")])
            .map_err(|e| Error::Input(e.to_string()))?;
    let (run_as_of, as_of_source) = audit::run_as_of(&estate, as_of_flag);
    let loaded = audit::load_estate(
        &estate,
        std::slice::from_ref(&config),
        &estate_params,
        run_as_of,
        as_of_flag.is_some(),
    );
    let job = loaded
        .into_iter()
        .find(|(c, _)| c.id == config.id)
        .map(|(_, state)| state);
    let job = match job {
        Some(Loaded::Ready(job, _)) => job,
        Some(Loaded::Failed(errors, _)) => {
            return Err(Error::Input(
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n"),
            ))
        }
        None => {
            return Err(Error::Input(format!(
                "{}: tenant not loaded",
                config.config_file
            )))
        }
    };
    let opts = Options {
        as_of: as_of_flag,
        tenants: vec![config.id.clone()],
        ..Options::default()
    };
    let report = audit::run(&estate, &set, &opts).map_err(|f| match f {
        audit::Fatal::Config(e) => Error::Input(
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        audit::Fatal::Policy(e) => Error::Policy(
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    })?;
    if !report.policy_errors.is_empty() {
        return Err(Error::Policy(
            report
                .policy_errors
                .iter()
                .map(|e| format!("{e:?}"))
                .collect::<Vec<_>>()
                .join("\n"),
        ));
    }
    let as_of_source = if as_of_flag.is_none() && config.as_of.is_some() {
        "tenant"
    } else {
        as_of_source
    };
    let context = Context {
        config: &config,
        estate: in_estate.then_some(estate.name.as_str()),
        as_of: job.as_of,
        as_of_source,
        params: &job.params,
    };
    let mut r = assess(&context, &job.model, &report);
    r.notices = notices;
    r.tenant.forced = args.force && !matches!(config.status.as_str(), "prospect" | "onboarding");
    Ok(r)
}

/// Find the tenant's config: through the estate above it when there is one, else read its
/// tenant.toml on its own as a one-tenant estate. The bool says whether an estate was found.
pub fn open(dir: &Path) -> Result<(Estate, TenantConfig, bool), Error> {
    let file = dir.join("tenant.toml");
    if !file.is_file() {
        return Err(Error::Input(format!(
            "{}: no tenant.toml here: pass a tenant folder (one holding tenant.toml)",
            file.display()
        )));
    }
    let dir_abs = dir
        .canonicalize()
        .map_err(|e| Error::Input(format!("{}: {e}", dir.display())))?;
    let config_err = |e: ConfigError| Error::Input(e.to_string());
    if let Some(root) = dir_abs
        .ancestors()
        .skip(1)
        .find(|a| a.join("estate.toml").is_file())
    {
        let estate = Estate::discover(root).map_err(config_err)?;
        let same = |p: &Path| p.canonicalize().ok().as_deref() == Some(dir_abs.as_path());
        if let Some(config) = estate.tenants.iter().find(|t| same(&t.dir)).cloned() {
            return Ok((estate, config, true));
        }
        let rel = crate::estate::relative(root, &dir_abs.join("tenant.toml"));
        if let Some((_, e)) = estate.tenant_errors.iter().find(|(_, e)| e.file == rel) {
            return Err(config_err(e.clone()));
        }
        return Err(Error::Input(format!(
            "{rel}: not a tenant of the estate at {}",
            root.display()
        )));
    }
    // A tenant on its own: a one-tenant estate with defaults, rooted at its parent folder.
    let root = dir_abs.parent().unwrap_or(&dir_abs).to_path_buf();
    let shown = crate::estate::relative(&root, &dir_abs.join("tenant.toml"));
    let mut config =
        crate::estate::read_tenant(&dir_abs.join("tenant.toml"), &shown).map_err(config_err)?;
    config.baseline =
        std::mem::take(&mut config.baseline).over(&crate::settings::Baseline::default());
    let estate = Estate {
        root: root.clone(),
        name: config.name.clone(),
        as_of: None,
        msp: Default::default(),
        params: toml::Table::new(),
        baseline: Default::default(),
        entitlements: Vec::new(),
        waivers: Vec::new(),
        msp_sources: Vec::new(),
        tenants: vec![config.clone()],
        tenant_errors: Vec::new(),
    };
    Ok((estate, config, false))
}
