//! `driftgate offboard-check TENANT`: proof that a departed client is unreachable, or what remains.
//!
//! Loads the estate as the audit does (the MSP's GDAP and tool records land in the client they
//! reach), lists every path the MSP has into the tenant ([`paths`]) with its provenance and
//! whether it still gives access, adds the audit's LIFE-001/LIFE-002 findings, hashes every
//! export examined, and assembles an evidence document ([`Proof`], schema
//! `driftgate.offboard/v1`). Everything in the document derives from the inputs and `as_of`
//! (never the wall clock), so the same inputs give byte-identical documents. It judges access
//! from the exports' own facts only; the renderers live in [`render`].

pub mod classify;
pub mod paths;
pub mod render;

use crate::audit::{self, Fatal, Loaded};
use crate::estate::{Estate, TenantConfig, MSP_TENANT};
use crate::manifest;
use crate::policy::metadata::Severity;
use crate::policy::PolicySet;
use crate::report::exit;
use chrono::{DateTime, Utc};
use paths::{Access, AccessPath};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Bumped on any incompatible change to the JSON document.
pub const SCHEMA: &str = "driftgate.offboard/v1";

/// The rules whose findings the document carries.
pub const RULES: &[&str] = &["LIFE-001", "LIFE-002"];

/// `driftgate offboard-check`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The departed (or offboarding) tenant's id.
    pub tenant: String,
    /// The estate folder (holding estate.toml), or the estate.toml itself.
    #[arg(long, default_value = ".")]
    pub estate: PathBuf,
    /// Output format of the evidence document.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the document to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Measure every age from this instant (RFC 3339); wins over tenant and estate `as_of`.
    #[arg(long, value_name = "T")]
    pub as_of: Option<String>,
    /// Policy folders to load besides the built-in pack; repeatable.
    #[arg(long = "policies", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
}

/// The document's format.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Markdown,
    Html,
    Json,
}

/// The evidence document: what `--format json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Proof {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    pub tool: Tool,
    /// `offboard-<tenant>-<as_of>-<hash of inputs and policies>`: stable for the same inputs.
    pub run_id: String,
    /// When the document was generated, by the evidence's clock: the as_of.
    pub generated_at: String,
    pub estate: String,
    pub tenant: TenantInfo,
    pub as_of: String,
    /// flag | tenant | estate | now
    pub as_of_source: String,
    /// SHA-256 over the sorted `path sha256` lines of every policy file loaded.
    pub policy_pack_revision: String,
    /// `zero_remaining_access`, `access_remains` or `not_proven` (unknown paths, nothing known
    /// to remain).
    pub verdict: Verdict,
    /// The document's conclusion in one sentence.
    pub statement: String,
    pub counts: Counts,
    /// Every path found, remaining first within the document order.
    pub paths: Vec<AccessPath>,
    /// The audit's LIFE-001 and LIFE-002 findings for the tenant.
    pub findings: Vec<ProofFinding>,
    /// Every file examined, relative to the estate root, with its SHA-256.
    pub exports: Vec<Export>,
    /// The sources searched: the tenant's own and the MSP's estate-level ones.
    pub sources: Vec<SourceSearched>,
    /// What the exports cannot show, and loader warnings.
    pub notes: Vec<String>,
    pub sign_off: SignOff,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct TenantInfo {
    pub id: String,
    pub name: String,
    pub status: String,
    pub config_file: String,
    pub directory_ids: Vec<String>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    ZeroRemainingAccess,
    AccessRemains,
    NotProven,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
pub struct Counts {
    pub paths: usize,
    pub remaining: usize,
    pub unknown: usize,
    pub closed: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProofFinding {
    pub rule: String,
    pub severity: Severity,
    pub subject: String,
    pub message: String,
    pub waived: bool,
    pub fingerprint: String,
    /// `file (record n)` of each record the finding cites.
    pub provenance: Vec<String>,
}

/// One file examined.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Export {
    pub path: String,
    /// Lower-case hex, as `sha256sum` prints it.
    pub sha256: String,
    pub size: u64,
    /// `config`, or the source it was read for (`tenant:entra`, `msp:gdap`).
    pub role: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceSearched {
    /// `tenant` or `msp`.
    pub scope: &'static str,
    pub name: String,
    pub kind: String,
    pub path: String,
    pub files_missing: Vec<String>,
}

/// Lines left blank for people to fill.
#[derive(Debug, Clone, Serialize, Default)]
pub struct SignOff {
    pub prepared_by: String,
    pub prepared_date: String,
    pub reviewed_by: String,
    pub reviewed_date: String,
}

/// Why no document could be made.
#[derive(Debug)]
pub enum Error {
    /// Unknown tenant, wrong status, bad flag, broken estate or export: exit 2.
    Input(Vec<String>),
    /// A policy that does not load or fails: exit 3.
    Policy(Vec<String>),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => exit::INPUT_ERROR,
            Error::Policy(_) => exit::POLICY_ERROR,
        }
    }
    pub fn messages(&self) -> &[String] {
        match self {
            Error::Input(m) | Error::Policy(m) => m,
        }
    }
}

impl From<Fatal> for Error {
    fn from(f: Fatal) -> Error {
        match f {
            Fatal::Config(e) => Error::Input(e.iter().map(ToString::to_string).collect()),
            Fatal::Policy(e) => Error::Policy(e.iter().map(ToString::to_string).collect()),
        }
    }
}

/// The statuses that make a tenant's offboarding checkable.
pub const STATUSES: &[&str] = &["departed", "offboarding"];

/// The tenant's config, checked: it exists and is departed or offboarding.
pub fn tenant_config<'a>(estate: &'a Estate, id: &str) -> Result<&'a TenantConfig, Error> {
    if let Some((_, e)) = estate.tenant_errors.iter().find(|(t, _)| t == id) {
        return Err(Error::Input(vec![e.to_string()]));
    }
    let Some(t) = estate.tenants.iter().find(|t| t.id == id) else {
        let mut known: Vec<&str> = estate
            .tenants
            .iter()
            .map(|t| t.id.as_str())
            .chain(estate.tenant_errors.iter().map(|(t, _)| t.as_str()))
            .collect();
        known.sort();
        let what = if id == MSP_TENANT {
            "`_msp` is the MSP's own systems, not a client tenant".to_string()
        } else {
            format!("no tenant `{id}` in this estate")
        };
        return Err(Error::Input(vec![format!(
            "{what} (tenants: {})",
            known.join(", ")
        )]));
    };
    if !STATUSES.contains(&t.status.as_str()) {
        return Err(Error::Input(vec![format!(
            "{}: tenant `{id}` has status `{}`; offboard-check proves the offboarding of a tenant \
             whose status is `departed` or `offboarding` (set `status` in its tenant.toml)",
            t.config_file, t.status
        )]));
    }
    Ok(t)
}

/// Build the evidence document for one tenant.
pub fn run(
    estate: &Estate,
    estate_file: &Path,
    set: &PolicySet,
    tenant: &str,
    as_of_flag: Option<DateTime<Utc>>,
) -> Result<Proof, Error> {
    let config = tenant_config(estate, tenant)?.clone();
    let (run_as_of, run_source) = audit::run_as_of(estate, as_of_flag);
    let (as_of, as_of_source) = match (as_of_flag, config.as_of) {
        (None, Some(t)) => (t, "tenant"),
        _ => (run_as_of, run_source),
    };
    let params = audit::merge_params(&set.default_params(), &[(&estate.params, "estate.toml")])
        .map_err(|e| Error::Input(vec![e.to_string()]))?;
    // Every tenant: an account the tenant shares with other clients (the MSP's service account,
    // a shared login) only shows when they are loaded too.
    let selected = audit::select_tenants(estate, &[])?;
    let loaded = audit::load_estate(estate, &selected, &params, run_as_of, as_of_flag.is_some());
    let mut tenant_job = None;
    let mut msp_job = None;
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    for (t, state) in loaded {
        match state {
            Loaded::Ready(job, warnings) if t.id == tenant || t.id == MSP_TENANT => {
                notes.extend(warnings.into_iter().map(|w| format!("{}: {w}", t.id)));
                if t.id == MSP_TENANT {
                    msp_job = Some(job);
                } else if t.id == tenant {
                    tenant_job = Some(job);
                }
            }
            Loaded::Failed(e, _) if t.id == tenant || t.id == MSP_TENANT => {
                errors.extend(e.iter().map(|e| format!("{}: {e}", t.id)));
            }
            Loaded::Ready(..) => {}
            Loaded::Failed(..) => notes.push(format!(
                "tenant `{}` could not be read: accounts {tenant} shares with it are not shown",
                t.id
            )),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Input(errors));
    }
    for (id, _) in &estate.tenant_errors {
        notes.push(format!(
            "tenant `{id}` could not be read: accounts {tenant} shares with it are not shown"
        ));
    }
    if estate.tenants.len() > 1 {
        notes.push(
        "the other tenants' exports were read only to find accounts shared with them; they are \
         not listed among the exports examined"
            .into(),
        );
    }
    let Some(tenant_job) = tenant_job else {
        return Err(Error::Input(vec![format!(
            "tenant `{tenant}` was not loaded"
        )]));
    };
    // The audit's own verdict on the tenant: the LIFE findings the document carries.
    let report = audit::run(
        estate,
        set,
        &audit::Options {
            as_of: as_of_flag,
            tenants: vec![tenant.to_string()],
            ..Default::default()
        },
    )?;
    if !report.policy_errors.is_empty() {
        return Err(Error::Policy(
            report
                .policy_errors
                .iter()
                .map(ToString::to_string)
                .collect(),
        ));
    }
    if let Some(t) = report
        .tenants
        .iter()
        .find(|t| t.id == tenant && !t.errors.is_empty())
    {
        return Err(Error::Input(
            t.errors.iter().map(|e| format!("{tenant}: {e}")).collect(),
        ));
    }
    let life: Vec<&crate::finding::Finding> = report
        .findings
        .iter()
        .filter(|f| f.tenant == tenant && RULES.contains(&f.rule.as_str()))
        .collect();
    let staff_source = estate.msp.staff_source.as_deref();
    let msp_identities: &[crate::model::Identity] = msp_job
        .as_ref()
        .map(|j| j.model.identities.as_slice())
        .unwrap_or(&[]);
    let ctx = paths::Context {
        estate_sources: estate.msp_sources.iter().map(|s| s.name.as_str()).collect(),
        staff_source,
        msp: msp_identities,
    };
    let found = paths::detect(&ctx, &tenant_job.model.identities, &life);

    // Sources searched, and every file examined with its hash.
    let mut sources = Vec::new();
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    files.insert(
        crate::estate::relative(&estate.root, estate_file),
        "config".into(),
    );
    files.insert(config.config_file.clone(), "config".into());
    if estate.root.join("waivers.toml").is_file() {
        files.insert("waivers.toml".into(), "config".into());
    }
    let msp_facts = msp_job
        .as_ref()
        .map(|j| j.model.tenant.sources.as_slice())
        .unwrap_or(&[]);
    let estate_names: BTreeSet<&str> = estate.msp_sources.iter().map(|s| s.name.as_str()).collect();
    let own = tenant_job
        .model
        .tenant
        .sources
        .iter()
        .filter(|s| !estate_names.contains(s.name.as_str()))
        .map(|s| ("tenant", s));
    for (scope, s) in own.chain(msp_facts.iter().map(|s| ("msp", s))) {
        for f in &s.files_read {
            files
                .entry(f.clone())
                .or_insert_with(|| format!("{scope}:{}", s.name));
        }
        sources.push(SourceSearched {
            scope,
            name: s.name.clone(),
            kind: s.kind.clone(),
            path: s.path.clone(),
            files_missing: s.files_missing.clone(),
        });
    }
    let mut exports = Vec::new();
    for (path, role) in files {
        let full = estate.root.join(&path);
        let (sha256, size) = manifest::hash_file(&full)
            .map_err(|e| Error::Input(vec![format!("{}: cannot read: {e}", full.display())]))?;
        exports.push(Export {
            path,
            sha256,
            size,
            role,
        });
    }
    for s in &estate.msp_sources {
        if matches!(
            s.kind.as_str(),
            "connectwise" | "datto-rmm" | "itglue" | "csv"
        ) {
            notes.push(format!(
                "source `{}` ({}): its records name no client, so it cannot show which of them reach \
                 {}; its client-scoped entries (companies, sites, stored passwords) need a manual check",
                s.name, s.kind, config.name
            ));
        }
    }
    notes.sort();
    notes.dedup();

    let policy_pack_revision = manifest::pack_revision(&manifest::policy_entries(set));
    let as_of_text = as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let run_id = {
        let mut lines: String = exports
            .iter()
            .map(|e| format!("{} {}\n", e.path, e.sha256))
            .collect();
        lines.push_str(&format!(
            "tenant {tenant}\nas_of {as_of_text}\npolicies {policy_pack_revision}\n"
        ));
        let hash = manifest::sha256_hex(lines.as_bytes());
        format!(
            "offboard-{tenant}-{}-{}",
            as_of_text.replace([':', '-'], ""),
            &hash[..8]
        )
    };
    let counts = Counts {
        paths: found.len(),
        remaining: found
            .iter()
            .filter(|p| p.access == Access::Remaining)
            .count(),
        unknown: found.iter().filter(|p| p.access == Access::Unknown).count(),
        closed: found.iter().filter(|p| p.access == Access::Closed).count(),
    };
    let (verdict, statement) = conclude(&counts, &config.name, tenant, &as_of_text);
    let findings = life
        .iter()
        .map(|f| ProofFinding {
            rule: f.rule.clone(),
            severity: f.severity,
            subject: f.subject.reference.clone(),
            message: f.message.clone(),
            waived: f.waived.is_some(),
            fingerprint: f.fingerprint.clone(),
            provenance: f.provenance.iter().map(|p| p.locator()).collect(),
        })
        .collect();
    Ok(Proof {
        schema: SCHEMA,
        tool: Tool {
            name: "driftgate",
            version: env!("CARGO_PKG_VERSION"),
        },
        run_id,
        generated_at: as_of_text.clone(),
        estate: estate.name.clone(),
        tenant: TenantInfo {
            id: config.id.clone(),
            name: config.name.clone(),
            status: config.status.clone(),
            config_file: config.config_file.clone(),
            directory_ids: config.directory_ids.clone(),
        },
        as_of: as_of_text,
        as_of_source: as_of_source.into(),
        policy_pack_revision,
        verdict,
        statement,
        counts,
        paths: found,
        findings,
        exports,
        sources,
        notes,
        sign_off: SignOff::default(),
    })
}

/// The verdict and its sentence. Unknown paths never count as closed.
pub fn conclude(c: &Counts, name: &str, id: &str, as_of: &str) -> (Verdict, String) {
    let paths = |n: usize| format!("{n} path{}", if n == 1 { "" } else { "s" });
    if c.remaining > 0 {
        let unknown = if c.unknown > 0 {
            format!(", and {} with unknown status", paths(c.unknown))
        } else {
            String::new()
        };
        (
            Verdict::AccessRemains,
            format!(
                "Access remains as of {as_of}: the MSP still has {} into {name} ({id}){unknown}.",
                paths(c.remaining)
            ),
        )
    } else if c.unknown > 0 {
        (
            Verdict::NotProven,
            format!(
                "Not proven as of {as_of}: no path into {name} ({id}) is known to remain, but {} \
                 {} unknown status, so zero remaining access cannot be stated.",
                paths(c.unknown),
                if c.unknown == 1 { "has" } else { "have" }
            ),
        )
    } else if c.closed > 0 {
        (
            Verdict::ZeroRemainingAccess,
            format!(
                "Zero remaining access as of {as_of}: every path the MSP had into {name} ({id}) \
                 is closed ({} closed) in the exports examined.",
                paths(c.closed)
            ),
        )
    } else {
        (
            Verdict::ZeroRemainingAccess,
            format!(
                "Zero remaining access as of {as_of}: the exports examined show no path from the \
                 MSP into {name} ({id})."
            ),
        )
    }
}

/// 0 zero remaining access, 1 access remains or is not proven (unknown paths).
pub fn exit_code(proof: &Proof) -> i32 {
    match proof.verdict {
        Verdict::ZeroRemainingAccess => exit::CLEAN,
        Verdict::AccessRemains | Verdict::NotProven => exit::FINDINGS,
    }
}

/// Check and print (or write) the evidence; the exit code: 0 no access remains, 1 access
/// remains (or cannot be ruled out), 2 usage/config/input error, 3 policy error.
pub fn cli(args: &Args) -> i32 {
    match cli_inner(args) {
        Ok(code) => code,
        Err(e) => {
            let label = match e {
                Error::Input(_) => "error",
                Error::Policy(_) => "policy error",
            };
            for m in e.messages() {
                eprintln!("{label}: {m}");
            }
            e.exit_code()
        }
    }
}

fn cli_inner(args: &Args) -> Result<i32, Error> {
    let as_of = args
        .as_of
        .as_deref()
        .map(crate::estate::parse_as_of)
        .transpose()
        .map_err(|m| Error::Input(vec![format!("--as-of: {m}")]))?;
    let set = PolicySet::load(true, &args.policies)
        .map_err(|e| Error::Policy(e.iter().map(ToString::to_string).collect()))?;
    let estate = Estate::discover(&args.estate).map_err(|e| Error::Input(vec![e.to_string()]))?;
    let estate_file = if args.estate.is_dir() {
        args.estate.join("estate.toml")
    } else {
        args.estate.clone()
    };
    let estate_file = estate.root.join(
        estate_file
            .file_name()
            .map(PathBuf::from)
            .unwrap_or_else(|| "estate.toml".into()),
    );
    let proof = run(&estate, &estate_file, &set, &args.tenant, as_of)?;
    let mut bytes = Vec::new();
    render::render(&proof, args.format, &mut bytes)
        .map_err(|e| Error::Input(vec![format!("cannot render: {e}")]))?;
    match &args.out {
        Some(path) => {
            std::fs::write(path, &bytes).map_err(|e| {
                Error::Input(vec![format!("{}: cannot write: {e}", path.display())])
            })?;
            eprintln!("{} (written to {})", proof.statement, path.display());
        }
        None => {
            use std::io::Write;
            let stdout = std::io::stdout();
            let mut w = stdout.lock();
            // A closed pipe (`| head`) is not an error of the check.
            let _ = w.write_all(&bytes).and_then(|()| w.flush());
        }
    }
    Ok(exit_code(&proof))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_table() {
        let c = |remaining, unknown, closed| Counts {
            paths: remaining + unknown + closed,
            remaining,
            unknown,
            closed,
        };
        let cases = [
            (c(0, 0, 0), Verdict::ZeroRemainingAccess),
            (c(0, 0, 3), Verdict::ZeroRemainingAccess),
            (c(1, 0, 3), Verdict::AccessRemains),
            (c(1, 2, 0), Verdict::AccessRemains),
            (c(0, 1, 3), Verdict::NotProven),
        ];
        for (counts, want) in cases {
            let (v, s) = conclude(&counts, "W", "w", "2026-11-20T06:00:00Z");
            assert_eq!(v, want, "{counts:?}");
            assert_eq!(
                s.starts_with("Zero remaining access as of 2026-11-20T06:00:00Z"),
                want == Verdict::ZeroRemainingAccess
            );
        }
    }
}
