//! Access review campaigns: `driftgate review` writes a worksheet per tenant listing every
//! entitlement a periodic review covers; completed worksheets are read back as evidence by
//! `driftgate audit` (REVIEW-001 revocation not applied, REVIEW-002 review overdue, and each
//! tenant's review coverage).
//!
//! `inventory` finds the entitlements in the model, `read` reads completed worksheets,
//! `evidence` validates them against the inventory, `worksheet` renders. Rust computes the facts; the REVIEW rules judge them.

pub mod evidence;
pub mod inventory;
pub mod read;
pub mod worksheet;

pub use evidence::{AccessReviewFacts, Coverage, Problem};
pub use read::{read_worksheets, Worksheet};

use crate::audit::{self, Loaded, Options};
use crate::estate::Estate;
use crate::policy::PolicySet;
use crate::report::exit;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `review_interval_days`' default (REVIEW-002).
pub const DEFAULT_INTERVAL_DAYS: i64 = 90;

/// `driftgate review`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The estate folder (holding estate.toml), or the estate.toml itself.
    #[arg(default_value = ".")]
    pub estate: PathBuf,
    /// Only this tenant id; repeatable.
    #[arg(long = "tenant", value_name = "ID")]
    pub tenants: Vec<String>,
    /// Where the campaign folder `review-<YYYYMMDD>` is written.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// The review's reference time (RFC 3339 or a date); default: the estate's as_of.
    #[arg(long = "as-of", value_name = "T")]
    pub as_of: Option<String>,
    /// A folder of extra policies, for the current findings column; repeatable.
    #[arg(long = "policies", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
    /// Do not load the built-in policy pack.
    #[arg(long)]
    pub no_builtin: bool,
}

/// A tenant's param as an integer, or its default.
pub fn param_i64(params: &BTreeMap<String, serde_json::Value>, name: &str, default: i64) -> i64 {
    params
        .get(name)
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(default)
}

/// The campaign id: `review-<YYYYMMDD>` of the as_of date.
pub fn campaign_id(as_of: DateTime<Utc>) -> String {
    format!("review-{}", as_of.format("%Y%m%d"))
}

/// Write the worksheets; the exit code: 0 written, 2 usage/config/input error (a tenant that
/// could not be loaded gets no worksheet; the others are still written), 3 policy error.
pub fn cli(args: &Args) -> i32 {
    let estate = match Estate::discover(&args.estate) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INPUT_ERROR;
        }
    };
    let set = match PolicySet::load(!args.no_builtin, &args.policies) {
        Ok(s) => s,
        Err(errors) => {
            for e in errors {
                eprintln!("policy error: {e}");
            }
            return exit::POLICY_ERROR;
        }
    };
    let flag = match args.as_of.as_deref().map(crate::estate::parse_as_of) {
        None => None,
        Some(Ok(t)) => Some(t),
        Some(Err(m)) => {
            eprintln!("error: --as-of: {m}");
            return exit::INPUT_ERROR;
        }
    };
    match write_campaign(&estate, &set, &args.tenants, flag, &args.out) {
        Ok(Campaign {
            dir,
            worksheets: written,
            failed,
        }) => {
            eprintln!("wrote {} worksheet(s) to {}", written.len(), dir.display());
            for (tenant, items) in written {
                eprintln!("  {tenant}: {items} entitlements");
            }
            if failed.is_empty() {
                exit::CLEAN
            } else {
                for f in failed {
                    eprintln!("error: {f}");
                }
                exit::INPUT_ERROR
            }
        }
        Err(Failure::Input(messages)) => {
            for m in messages {
                eprintln!("error: {m}");
            }
            exit::INPUT_ERROR
        }
        Err(Failure::Policy(messages)) => {
            for m in messages {
                eprintln!("policy error: {m}");
            }
            exit::POLICY_ERROR
        }
    }
}

/// Why no campaign was written.
#[derive(Debug)]
pub enum Failure {
    Input(Vec<String>),
    Policy(Vec<String>),
}

/// What a campaign wrote.
#[derive(Debug)]
pub struct Campaign {
    /// `<out>/review-<YYYYMMDD>`.
    pub dir: PathBuf,
    /// `(tenant, item count)` per worksheet written.
    pub worksheets: Vec<(String, usize)>,
    /// Tenants that could not be loaded (no worksheet), as messages.
    pub failed: Vec<String>,
}

/// Write one worksheet per loaded tenant. Refuses to overwrite: an existing worksheet file is
/// an error, and nothing is written.
pub fn write_campaign(
    estate: &Estate,
    set: &PolicySet,
    tenants: &[String],
    as_of_flag: Option<DateTime<Utc>>,
    out: &Path,
) -> Result<Campaign, Failure> {
    let opts = Options {
        as_of: as_of_flag,
        tenants: tenants.to_vec(),
        ..Options::default()
    };
    // The current findings, exactly as `driftgate audit` reports them.
    let report = audit::run(estate, set, &opts).map_err(|f| match f {
        audit::Fatal::Config(e) => Failure::Input(e.iter().map(|e| e.to_string()).collect()),
        audit::Fatal::Policy(e) => Failure::Policy(e.iter().map(|e| e.to_string()).collect()),
    })?;
    let (as_of, _) = audit::run_as_of(estate, as_of_flag);
    let selected = audit::select_tenants(estate, tenants).map_err(|f| match f {
        audit::Fatal::Config(e) => Failure::Input(e.iter().map(|e| e.to_string()).collect()),
        audit::Fatal::Policy(e) => Failure::Policy(e.iter().map(|e| e.to_string()).collect()),
    })?;
    let params = audit::merge_params(&set.default_params(), &[(&estate.params, "estate.toml")])
        .map_err(|e| Failure::Input(vec![e.to_string()]))?;
    let loaded = audit::load_estate(estate, &selected, &params, as_of, as_of_flag.is_some());
    let mut findings: BTreeMap<(&str, &str), Vec<&crate::finding::Finding>> = BTreeMap::new();
    for f in report.findings.iter().filter(|f| f.waived.is_none()) {
        findings
            .entry((f.tenant.as_str(), f.subject.reference.as_str()))
            .or_default()
            .push(f);
    }
    let id = campaign_id(as_of);
    let dir = out.join(&id);
    let mut sheets = Vec::new();
    let mut failed = Vec::new();
    for (config, state) in &loaded {
        let job = match state {
            Loaded::Ready(job, _) => job,
            Loaded::Failed(errors, _) => {
                failed.extend(
                    errors
                        .iter()
                        .map(|e| format!("tenant {}: {e}: no worksheet", config.id)),
                );
                continue;
            }
        };
        let items = inventory::inventory(&config.id, &job.model.identities);
        let thresholds = inventory::Thresholds {
            stale_days: param_i64(&job.params, "stale_days", 90),
            credential_unused_days: param_i64(&job.params, "credential_unused_days", 90),
        };
        let rows: Vec<worksheet::Row> = items
            .iter()
            .map(|item| {
                let who = &job.model.identities[item.identity];
                let on: Vec<&&crate::finding::Finding> = findings
                    .get(&(config.id.as_str(), item.reference.as_str()))
                    .map(|v| {
                        v.iter()
                            .filter(|f| {
                                inventory::concerns(item, &item.reference, f.key.as_deref())
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let rules: BTreeSet<&str> = on.iter().map(|f| f.rule.as_str()).collect();
                let sev: Vec<inventory::ItemFinding> =
                    on.iter().map(|f| (f.rule.clone(), f.severity)).collect();
                let jit = job
                    .model
                    .tenant
                    .sources
                    .iter()
                    .find(|s| s.name == who.source)
                    .and_then(|s| s.capabilities.jit);
                let s = inventory::suggest(item, who, &sev, jit, &thresholds);
                worksheet::Row {
                    item_id: item.item_id.clone(),
                    tenant: config.id.clone(),
                    kind: item.kind.as_str().into(),
                    holder: item.holder.clone(),
                    holder_ref: item.reference.clone(),
                    what: item.label.clone(),
                    key: item.key.clone(),
                    source: item.source.clone(),
                    last_activity: item.last_activity.clone().unwrap_or_default(),
                    findings: rules.into_iter().collect::<Vec<_>>().join("; "),
                    suggested_decision: s.decision.into(),
                    suggestion_reason: s.reason,
                }
            })
            .collect();
        sheets.push((config.id.clone(), config.name.clone(), rows));
    }
    sheets.sort_by(|a, b| a.0.cmp(&b.0));
    // Never overwrite: check every target before writing any.
    let existing: Vec<String> = sheets
        .iter()
        .flat_map(|(t, _, _)| ["csv", "html"].map(|e| dir.join(format!("{t}.{e}"))))
        .filter(|p| p.exists())
        .map(|p| {
            format!(
                "{} already exists: a campaign is never overwritten (move it away, or pass another --out or --as-of)",
                p.display()
            )
        })
        .collect();
    if !existing.is_empty() {
        return Err(Failure::Input(existing));
    }
    let io = |p: &Path, e: std::io::Error| Failure::Input(vec![format!("{}: {e}", p.display())]);
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    let as_of_text = as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut written = Vec::new();
    for (tenant, name, rows) in &sheets {
        let csv_path = dir.join(format!("{tenant}.csv"));
        let mut buf = Vec::new();
        worksheet::csv(rows, &mut buf).map_err(|e| io(&csv_path, e))?;
        create_new(&csv_path, &buf).map_err(|e| io(&csv_path, e))?;
        let html_path = dir.join(format!("{tenant}.html"));
        let page = worksheet::html(
            &worksheet::Campaign {
                id: &id,
                as_of: &as_of_text,
                tenant,
                tenant_name: name,
                csv_name: &format!("{tenant}.csv"),
            },
            rows,
        );
        create_new(&html_path, page.as_bytes()).map_err(|e| io(&html_path, e))?;
        written.push((tenant.clone(), rows.len()));
    }
    Ok(Campaign {
        dir,
        worksheets: written,
        failed,
    })
}

fn create_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(bytes)
}

/// A tenant's review facts and coverage, from the worksheets read for this run.
pub fn tenant_review(
    worksheets: &[Worksheet],
    config: &crate::estate::TenantConfig,
    job: &crate::evaluate::TenantJob,
) -> evidence::TenantEvidence {
    let items = inventory::inventory(&config.id, &job.model.identities);
    let interval = param_i64(&job.params, "review_interval_days", DEFAULT_INTERVAL_DAYS);
    evidence::tenant_evidence(worksheets, config, &items, job.as_of, interval)
}
