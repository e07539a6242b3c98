//! The CLI edge: parse arguments, run a stage, render, choose the exit code.
//!
//! Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 usage/config/input error,
//! 3 policy error. No audit logic lives here.

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use driftgate::audit::{self, Fatal, Loaded, Options};
use driftgate::estate::{parse_as_of, Estate};
use driftgate::manifest;
use driftgate::policy::metadata::Severity;
use driftgate::policy::{test as policy_test, PolicySet};
use driftgate::report::{self, exit};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// `println!` for results: a reader that closed the pipe early (`| head`) is not an error.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        quiet_pipe(writeln!(std::io::stdout().lock(), $($arg)*))?;
    }};
}

/// Treat a closed standard output as done, not as a failure or a panic.
fn quiet_pipe(r: std::io::Result<()>) -> std::io::Result<()> {
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

#[derive(Parser)]
#[command(
    name = "driftgate",
    version,
    about = "Audit identity and access across an MSP's client estate, as policy-as-code."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct PolicyArgs {
    /// Add a folder (or file) of your own Rego rules; repeatable.
    #[arg(long = "policies", value_name = "DIR")]
    policies: Vec<PathBuf>,
    /// Do not load the built-in rule pack (the helper library stays available).
    #[arg(long)]
    no_builtin: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
    Csv,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// JUnit XML (CI test reports).
    Junit,
    /// Markdown (PR comments, job summaries).
    Markdown,
    /// OCSF 1.8.0 Compliance Finding events, one JSON object per line (SIEMs).
    Ocsf,
    /// NIST OSCAL 1.2.3 assessment-results JSON (auditors).
    Oscal,
    /// One self-contained HTML page (people: e-mail, browser, print to PDF).
    Html,
}

#[derive(Subcommand)]
enum Command {
    /// Audit an estate: load every export, evaluate every rule, report findings.
    Audit {
        /// The estate folder (holding estate.toml), or the estate.toml itself.
        #[arg(default_value = ".")]
        estate: PathBuf,
        /// Measure every age from this instant (RFC 3339 or YYYY-MM-DD); overrides tenant and estate as_of.
        #[arg(long, value_name = "TIME")]
        as_of: Option<String>,
        /// Audit only this tenant id; repeatable.
        #[arg(long = "tenant", value_name = "ID")]
        tenants: Vec<String>,
        /// What to print on standard output.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Folder that receives the run folder (report.json, findings.csv).
        #[arg(long, value_name = "DIR", default_value = "reports")]
        out: PathBuf,
        /// Write no run folder.
        #[arg(long)]
        no_out: bool,
        /// Compare with this earlier run folder (or its report.json): print a summary on
        /// standard error and write diff.json into the new run folder. The exit code is unchanged.
        #[arg(long, value_name = "RUN_DIR")]
        baseline: Option<PathBuf>,
        /// Exit 1 when a finding is at or above this severity (`none`: never).
        #[arg(long, value_name = "SEVERITY", default_value = "high", value_parser = parse_fail_on)]
        fail_on: FailOn,
        /// Show no progress on standard error (shown only when it is a terminal).
        #[arg(long, short)]
        quiet: bool,
        /// A completed access-review worksheet (CSV from `driftgate review`) to record as
        /// evidence; repeatable. Worksheets under the estate's `reviews/` folders are read too.
        #[arg(long = "review", value_name = "CSV")]
        reviews: Vec<PathBuf>,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Print the exact normalised input (JSON) the policies see for one tenant.
    Input {
        estate: PathBuf,
        #[arg(long = "tenant", value_name = "ID")]
        tenant: String,
        #[arg(long, value_name = "TIME")]
        as_of: Option<String>,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Who has access: one person's accounts in every system and tenant, with how each is
    /// linked to the source of truth, its status and its findings.
    ///
    /// Searches principal names, emails, object ids, refs, employee ids and alt ids (SID,
    /// objectGUID, immutable id, sAMAccountName ...), case-insensitive, and adds every account
    /// correlated to the same source-of-truth identity. Exit codes: 0 answered (also when no
    /// account matches), 1 an enabled account remains whose source-of-truth identity has left,
    /// 2 usage/config/input error or a tenant could not be searched, 3 policy error.
    #[command(allow_missing_positional = true)]
    Who {
        /// The estate folder (holding estate.toml), or the estate.toml itself.
        #[arg(default_value = ".")]
        estate: PathBuf,
        /// The person: UPN, email, object id, ref, employee id, SID or other alt id.
        principal: String,
        /// Measure every age from this instant (RFC 3339 or YYYY-MM-DD); overrides tenant and estate as_of.
        #[arg(long, value_name = "TIME")]
        as_of: Option<String>,
        /// Search only this tenant id; repeatable.
        #[arg(long = "tenant", value_name = "ID")]
        tenants: Vec<String>,
        /// What to print on standard output.
        #[arg(long, default_value = "table", value_parser = ["table", "json"])]
        format: String,
        /// Show no progress on standard error (shown only when it is a terminal).
        #[arg(long, short)]
        quiet: bool,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// List the loaded rules.
    Rules {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Write a synthetic estate (every source kind, deterministic) for trying driftgate at scale.
    Synth {
        /// Folder to create; must not hold an estate.toml yet.
        dir: PathBuf,
        #[arg(long, default_value_t = 100)]
        tenants: usize,
        /// Identities per tenant (about).
        #[arg(long, default_value_t = 1000)]
        identities: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Re-hash a run folder's inputs, policies and reports against its manifest.json.
    ///
    /// Exit codes: 0 everything matches, 1 a file changed or is missing, 2 usage/input error
    /// (not a run folder, unreadable or unsupported manifest).
    Verify {
        /// The run folder (holding manifest.json).
        run_dir: PathBuf,
        /// Resolve input files against this estate folder instead of the recorded one.
        #[arg(long, value_name = "DIR")]
        estate: Option<PathBuf>,
    },
    /// Compare two run folders: findings new, resolved, persisting and regressed (more severe)
    /// per tenant by fingerprint, drift scores old → new and changed tenant × rule verdicts.
    ///
    /// Exit codes: 0 no new or regressed finding, 1 new or regressed findings, 2 usage/input
    /// error (not a run folder, invalid JSON, a report.json of another schema version).
    Diff {
        /// The earlier run folder (or its report.json).
        old: PathBuf,
        /// The later run folder (or its report.json).
        new: PathBuf,
        /// What to print on standard output (json: schema `driftgate.diff/v1`).
        #[arg(long, default_value = "table", value_parser = ["table", "json"])]
        format: String,
    },
    /// Policy authoring tools.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Print a rule's documentation: what it checks, why, thresholds and their current values,
    /// controls, remediation and an example finding.
    Explain(driftgate::explain::Args),
    /// Pre-onboarding readiness of a prospect tenant: data coverage, identity mix, day-one
    /// findings, blockers, a 0-100 score and a go / go-with-conditions / no-go verdict.
    Readiness(driftgate::readiness::Args),
    /// Open an access review campaign: a worksheet per tenant (CSV and HTML) of every privileged
    /// entitlement, delegated access, technician account and non-human credential.
    Review(driftgate::review::Args),
    /// Offboarding proof for a departed tenant: every remaining path the MSP has into it, as an
    /// evidence document with the manifest hashes.
    OffboardCheck(driftgate::offboard::Args),
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Run every `test_*` rule of the built-in pack and of the given folders, like `opa test`.
    Test(policy_test::Args),
    /// Check policy packs: METADATA, tests and docs per rule, allowed builtins, input fields.
    Lint(driftgate::policy::lint::Args),
    /// What a policy change does to an estate's findings: base policy set against head.
    Impact(driftgate::impact::Args),
}

#[derive(Clone, Copy)]
struct FailOn(Option<Severity>);

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    if s.eq_ignore_ascii_case("none") {
        return Ok(FailOn(None));
    }
    Severity::parse(s)
        .map(|s| FailOn(Some(s)))
        .ok_or_else(|| format!("`{s}`: expected critical, high, medium, low, info or none"))
}

fn main() {
    let cli = Cli::parse();
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::INPUT_ERROR
        }
    };
    std::process::exit(code);
}

fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Audit {
            estate,
            as_of,
            tenants,
            format,
            out,
            no_out,
            baseline,
            fail_on,
            quiet,
            reviews,
            policy,
        } => {
            let started_at = now();
            let baseline = match baseline.as_deref().map(report::diff::read_run).transpose() {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("error: --baseline: {e}");
                    return Ok(exit::INPUT_ERROR);
                }
            };
            let estate_arg = estate.clone();
            let Some(set) = load_policies(&policy) else {
                return Ok(exit::POLICY_ERROR);
            };
            let Some(estate) = open_estate(&estate) else {
                return Ok(exit::INPUT_ERROR);
            };
            let as_of = match as_of.as_deref().map(parse_as_of).transpose() {
                Ok(t) => t,
                Err(m) => {
                    eprintln!("error: --as-of: {m}");
                    return Ok(exit::INPUT_ERROR);
                }
            };
            let mut report = match audit::run(
                &estate,
                &set,
                &Options {
                    as_of,
                    tenants,
                    reviews,
                    progress: !quiet && std::io::stderr().is_terminal(),
                },
            ) {
                Ok(r) => r,
                Err(fatal) => return Ok(report_fatal(fatal)),
            };
            // Compared with a baseline run: carry its drift-score history forward.
            if let Some(old) = &baseline {
                report.trend = old.trend();
            }
            let json = report::to_json(&report);
            let stdout = std::io::stdout();
            let mut w = stdout.lock();
            match format {
                Format::Table => quiet_pipe(report::table::render(&report, &mut w))?,
                Format::Json => quiet_pipe(w.write_all(json.as_bytes()))?,
                Format::Csv => quiet_pipe(report::csv::render(&report, &mut w))?,
                Format::Sarif => quiet_pipe(report::sarif::render(&report, &mut w))?,
                Format::Junit => quiet_pipe(report::junit::render(&report, &mut w))?,
                Format::Markdown => quiet_pipe(report::markdown::render(&report, &mut w))?,
                Format::Ocsf => quiet_pipe(report::ocsf::render(&report, &mut w))?,
                Format::Oscal => quiet_pipe(report::oscal::render(&report, &mut w))?,
                Format::Html => quiet_pipe(report::html::render(&report, &mut w))?,
            }
            quiet_pipe(w.flush())?;
            let drift = match &baseline {
                Some(old) => {
                    let name = if no_out {
                        "this run".to_string()
                    } else {
                        run_dir_name(&report, &json)
                    };
                    let value: serde_json::Value = serde_json::from_str(&json)?;
                    let new = report::diff::parse_run(name, "report.json", &value)?;
                    Some(report::diff::diff(old, &new))
                }
                None => None,
            };
            if !no_out {
                let ctx = manifest::RunContext {
                    command_line: std::env::args_os()
                        .map(|a| a.to_string_lossy().into_owned())
                        .collect(),
                    working_dir: std::env::current_dir().unwrap_or_default(),
                    estate_arg,
                    started_at,
                };
                let evidence = manifest::Manifest::begin(&ctx, &estate, &set, &report)?;
                let diff_json = drift.as_ref().map(report::diff::to_json);
                let dir = write_run(&out, &report, &json, diff_json.as_deref(), evidence)?;
                eprintln!("report written to {}", dir.display());
            }
            if let Some(d) = &drift {
                eprintln!("{}", report::diff::summary_line(d));
            }
            let code = report::exit_code(&report, fail_on.0);
            // The process ends here: freeing a large report and its JSON one value at a time
            // would only delay the exit.
            std::mem::forget((report, json));
            Ok(code)
        }
        Command::Input {
            estate,
            tenant,
            as_of,
            policy,
        } => {
            let Some(set) = load_policies(&policy) else {
                return Ok(exit::POLICY_ERROR);
            };
            let Some(estate) = open_estate(&estate) else {
                return Ok(exit::INPUT_ERROR);
            };
            let flag = as_of
                .as_deref()
                .map(parse_as_of)
                .transpose()
                .map_err(|m| anyhow::anyhow!("--as-of: {m}"))?;
            let config = match audit::select_tenants(&estate, std::slice::from_ref(&tenant)) {
                Ok(mut t) if !t.is_empty() => t.remove(0),
                Ok(_) => {
                    let e = estate
                        .tenant_errors
                        .iter()
                        .find(|(id, _)| *id == tenant)
                        .map(|(_, e)| e.to_string())
                        .unwrap_or_default();
                    eprintln!("error: tenant `{tenant}` could not be read: {e}");
                    return Ok(exit::INPUT_ERROR);
                }
                Err(fatal) => return Ok(report_fatal(fatal)),
            };
            let params = match audit::merge_params(
                &set.default_params(),
                &[(&estate.params, "estate.toml")],
            ) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("error: {e}");
                    return Ok(exit::INPUT_ERROR);
                }
            };
            let prepared = match audit::prepare_tenant(&estate, &config, &params, flag, &[]) {
                Ok(p) => p,
                Err(fatal) => return Ok(report_fatal(fatal)),
            };
            match prepared {
                Loaded::Ready(job, _) => {
                    let value = driftgate::evaluate::input_value(&job);
                    out!("{}", serde_json::to_string_pretty(&value)?);
                    Ok(exit::CLEAN)
                }
                Loaded::Failed(errors, _) => {
                    for e in errors {
                        eprintln!("error: {e}");
                    }
                    Ok(exit::INPUT_ERROR)
                }
            }
        }
        Command::Who {
            estate,
            principal,
            as_of,
            tenants,
            format,
            quiet,
            policy,
        } => {
            if principal.trim().is_empty() {
                eprintln!("error: PRINCIPAL is empty");
                return Ok(exit::INPUT_ERROR);
            }
            let Some(set) = load_policies(&policy) else {
                return Ok(exit::POLICY_ERROR);
            };
            let Some(estate) = open_estate(&estate) else {
                return Ok(exit::INPUT_ERROR);
            };
            let as_of = match as_of.as_deref().map(parse_as_of).transpose() {
                Ok(t) => t,
                Err(m) => {
                    eprintln!("error: --as-of: {m}");
                    return Ok(exit::INPUT_ERROR);
                }
            };
            let opts = driftgate::who::Options {
                as_of,
                tenants,
                progress: !quiet && std::io::stderr().is_terminal(),
            };
            let answer = match driftgate::who::run(&estate, &set, &opts, &principal) {
                Ok(a) => a,
                Err(fatal) => return Ok(report_fatal(fatal)),
            };
            let stdout = std::io::stdout();
            let mut w = stdout.lock();
            if format == "json" {
                quiet_pipe(driftgate::who::render_json(&answer, &mut w))?;
            } else {
                quiet_pipe(driftgate::who::render_table(&answer, &mut w))?;
            }
            quiet_pipe(w.flush())?;
            Ok(driftgate::who::exit_code(&answer))
        }
        Command::Synth {
            dir,
            tenants,
            identities,
            seed,
        } => {
            if dir.join("estate.toml").exists() {
                anyhow::bail!("{} already holds an estate.toml", dir.display());
            }
            driftgate::synth::write_estate(&dir, tenants, identities, seed)
                .with_context(|| format!("writing {}", dir.display()))?;
            eprintln!(
                "wrote {tenants} tenants × ~{identities} identities to {}",
                dir.display()
            );
            Ok(exit::CLEAN)
        }
        Command::Verify { run_dir, estate } => {
            let m = manifest::load(&run_dir)?;
            let result = manifest::verify(&m, &run_dir, estate.as_deref());
            let stdout = std::io::stdout();
            let mut w = stdout.lock();
            quiet_pipe(result.render(&mut w))?;
            quiet_pipe(w.flush())?;
            Ok(result.exit_code())
        }
        Command::Diff { old, new, format } => {
            let old = report::diff::read_run(&old)?;
            let new = report::diff::read_run(&new)?;
            let d = report::diff::diff(&old, &new);
            let stdout = std::io::stdout();
            let mut w = stdout.lock();
            if format == "json" {
                quiet_pipe(w.write_all(report::diff::to_json(&d).as_bytes()))?;
            } else {
                quiet_pipe(report::diff::render_table(&d, &mut w))?;
            }
            quiet_pipe(w.flush())?;
            Ok(report::diff::exit_code(&d))
        }
        Command::Rules { format, policy } => {
            let Some(set) = load_policies(&policy) else {
                return Ok(exit::POLICY_ERROR);
            };
            match format {
                Format::Json => out!(
                    "{}",
                    serde_json::to_string_pretty(&set.rules.values().collect::<Vec<_>>())?
                ),
                _ => {
                    let mut b = tabled::builder::Builder::default();
                    b.push_record(["id", "severity", "scope", "title", "params", "controls"]);
                    for r in set.rules.values() {
                        let params = r
                            .params
                            .iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(" ");
                        let csf = r
                            .controls
                            .get("nist-csf-2.0")
                            .map(|c| c.join(","))
                            .unwrap_or_default();
                        b.push_record([
                            r.id.clone(),
                            r.severity.as_str().into(),
                            format!("{:?}", r.scope).to_lowercase(),
                            r.title.to_string(),
                            params,
                            csf,
                        ]);
                    }
                    let mut t = b.build();
                    t.with(tabled::settings::Style::sharp());
                    out!("{t}\n{} rules", set.rules.len());
                }
            }
            Ok(exit::CLEAN)
        }
        Command::Policy { command } => Ok(match command {
            PolicyCommand::Test(args) => policy_test::cli(&args),
            PolicyCommand::Lint(args) => driftgate::policy::lint::cli(&args),
            PolicyCommand::Impact(args) => driftgate::impact::cli(&args),
        }),
        Command::Explain(args) => Ok(driftgate::explain::cli(&args)),
        Command::Readiness(args) => Ok(driftgate::readiness::cli(&args)),
        Command::Review(args) => Ok(driftgate::review::cli(&args)),
        Command::OffboardCheck(args) => Ok(driftgate::offboard::cli(&args)),
    }
}

fn open_estate(path: &Path) -> Option<Estate> {
    Estate::discover(path)
        .map_err(|e| eprintln!("error: {e}"))
        .ok()
}

fn load_policies(args: &PolicyArgs) -> Option<PolicySet> {
    match PolicySet::load(!args.no_builtin, &args.policies) {
        Ok(set) => Some(set),
        Err(errors) => {
            for e in errors {
                eprintln!("policy error: {e}");
            }
            None
        }
    }
}

fn report_fatal(fatal: Fatal) -> i32 {
    match fatal {
        Fatal::Config(errors) => {
            for e in errors {
                eprintln!("error: {e}");
            }
            exit::INPUT_ERROR
        }
        Fatal::Policy(errors) => {
            for e in errors {
                eprintln!("policy error: {e}");
            }
            exit::POLICY_ERROR
        }
    }
}

/// Write `report.json` and `findings.csv` into a new run folder named by as_of and content hash:
/// the same report always lands in the same folder, a different one never overwrites it.
/// `manifest.json` is written last, over every report file the folder then holds.
fn write_run(
    out: &Path,
    report: &report::Report,
    json: &str,
    diff_json: Option<&str>,
    evidence: manifest::Manifest,
) -> anyhow::Result<PathBuf> {
    use rayon::prelude::*;
    // Every format, rendered at once on all cores (each is tens of MB for a large estate).
    let rendered: Vec<(&str, Vec<u8>)> = report::RUN_FILES
        .par_iter()
        .map(|(name, render)| {
            let mut bytes = Vec::new();
            render(report, &mut bytes).map(|()| (*name, bytes))
        })
        .collect::<std::io::Result<_>>()?;
    let dir = out.join(run_dir_name(report, json));
    manifest::prepare_run_dir(&dir, json.as_bytes())?;
    // A reused folder must not keep the comparison of an earlier `--baseline` run.
    if diff_json.is_none() && dir.join("diff.json").is_file() {
        std::fs::remove_file(dir.join("diff.json")).context("cannot remove a stale diff.json")?;
    }
    let files = std::iter::once(("report.json", json.as_bytes()))
        .chain(
            rendered
                .iter()
                .map(|(name, bytes)| (*name, bytes.as_slice())),
        )
        .chain(diff_json.map(|d| ("diff.json", d.as_bytes())));
    for (name, bytes) in files {
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, dir.join(name))
            .with_context(|| format!("cannot write {}", dir.join(name).display()))?;
    }
    evidence.finish(&dir, now())?;
    Ok(dir)
}

/// `run-<as_of>-<first 4 bytes of sha256(report.json), hex>`.
fn run_dir_name(report: &report::Report, json: &str) -> String {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(json.as_bytes());
    let short: String = hash.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let stamp = report.run.as_of.replace([':', '-'], "");
    format!("run-{stamp}-{short}")
}

/// Wall clock for the manifest only (never in report.json: the run folder hashes that).
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
