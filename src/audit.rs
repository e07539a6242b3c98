//! The pipeline end to end: estate → load (per tenant, in parallel) → normalise → evaluate →
//! the finished [`Report`]. One broken tenant is reported and the others are still audited.
//!
//! Everything here is orchestration; each stage lives in its own module.

use crate::estate::{ConfigError, Estate, TenantConfig};
use crate::evaluate::{self, TenantJob};
use crate::load;
use crate::normalise::{self, TenantModel};
use crate::policy::{PolicyError, PolicySet};
use crate::progress::Progress;
use crate::report::*;
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// What the caller chose for this run.
#[derive(Default)]
pub struct Options {
    /// `--as-of`: wins over tenant and estate.
    pub as_of: Option<DateTime<Utc>>,
    /// `--tenant`: audit only these (empty: all).
    pub tenants: Vec<String>,
    /// Show progress on standard error (see [`crate::progress`]); off by default.
    pub progress: bool,
    /// `--review`: completed access-review worksheets to record (see [`crate::review`]).
    pub reviews: Vec<std::path::PathBuf>,
}

/// A run that could not start: bad estate.toml, bad policies, an unknown `--tenant`.
#[derive(Debug)]
pub enum Fatal {
    Config(Vec<ConfigError>),
    Policy(Vec<PolicyError>),
}

/// A tenant after loading: ready to evaluate, or stopped by errors.
pub enum Loaded {
    Ready(Box<TenantJob>, Vec<String>),
    Failed(Vec<crate::report::InputError>, Vec<String>),
}

/// Resolve the run-wide as_of: flag > estate > now (reported as such).
pub fn run_as_of(estate: &Estate, flag: Option<DateTime<Utc>>) -> (DateTime<Utc>, &'static str) {
    match (flag, estate.as_of) {
        (Some(t), _) => (t, "flag"),
        (None, Some(t)) => (t, "estate"),
        // The only read of the wall clock, and the report says so.
        (None, None) => (Utc::now().with_nanosecond_zero(), "now"),
    }
}

trait NanoZero {
    fn with_nanosecond_zero(self) -> Self;
}
impl NanoZero for DateTime<Utc> {
    fn with_nanosecond_zero(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap_or(self)
    }
}

/// Tenants to audit: all client tenants plus `_msp` when the estate has sources of its own.
pub fn select_tenants(estate: &Estate, wanted: &[String]) -> Result<Vec<TenantConfig>, Fatal> {
    let mut all: Vec<TenantConfig> = estate.tenants.clone();
    if let Some(msp) = estate.msp_tenant() {
        all.insert(0, msp);
    }
    if wanted.is_empty() {
        return Ok(all);
    }
    let known: Vec<&str> = all
        .iter()
        .map(|t| t.id.as_str())
        .chain(estate.tenant_errors.iter().map(|(id, _)| id.as_str()))
        .collect();
    let unknown: Vec<ConfigError> = wanted
        .iter()
        .filter(|w| !known.contains(&w.as_str()))
        .map(|w| ConfigError {
            file: estate.root.join("estate.toml").display().to_string(),
            line: None,
            key: Some("--tenant".into()),
            message: format!(
                "no tenant `{w}` in this estate (tenants: {})",
                known.join(", ")
            ),
        })
        .collect();
    if !unknown.is_empty() {
        return Err(Fatal::Config(unknown));
    }
    Ok(all.into_iter().filter(|t| wanted.contains(&t.id)).collect())
}

/// Merge params: rule defaults < estate `[params]` < tenant `[params]`, each key checked.
pub fn merge_params(
    defaults: &BTreeMap<String, Value>,
    layers: &[(&toml::Table, &str)],
) -> Result<BTreeMap<String, Value>, ConfigError> {
    let mut out = defaults.clone();
    for (table, file) in layers {
        for (key, value) in table.iter() {
            let err = |message: String| ConfigError {
                file: file.to_string(),
                line: None,
                key: Some(format!("params.{key}")),
                message,
            };
            let Some(default) = defaults.get(key) else {
                let mut known: Vec<&str> = defaults.keys().map(String::as_str).collect();
                known.sort();
                return Err(err(format!(
                    "unknown param `{key}`: no loaded rule reads it (known: {})",
                    known.join(", ")
                )));
            };
            let json = serde_json::to_value(value).map_err(|e| err(e.to_string()))?;
            if !same_type(default, &json) {
                return Err(err(format!(
                    "param `{key}` must be {} like its default {default}, found {json}",
                    type_name(default)
                )));
            }
            if let Some(n) = json.as_i64() {
                if n < 0 {
                    return Err(err(format!(
                        "param `{key}` must not be negative, found {n}"
                    )));
                }
            }
            out.insert(key.clone(), json);
        }
    }
    Ok(out)
}

fn same_type(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x.is_f64() || (x.is_i64() || x.is_u64()) && (y.is_i64() || y.is_u64())
        }
        (Value::Array(_), Value::Array(_))
        | (Value::String(_), Value::String(_))
        | (Value::Bool(_), Value::Bool(_)) => true,
        (Value::Object(_), Value::Object(_)) => true,
        _ => false,
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::Array(_) => "a list",
        Value::String(_) => "a string",
        Value::Bool(_) => "a boolean",
        Value::Object(_) => "a table",
        Value::Null => "null",
    }
}

/// Load and normalise one tenant. Any load error stops the tenant (never a shortened audit).
pub fn load_tenant(
    estate: &Estate,
    config: &TenantConfig,
    estate_params: &BTreeMap<String, Value>,
    run_as_of: DateTime<Utc>,
    as_of_flag: bool,
) -> Loaded {
    load_tenant_with(
        estate,
        config,
        estate_params,
        run_as_of,
        as_of_flag,
        Vec::new(),
    )
}

/// As [`load_tenant`], adding the MSP's records attributed to this tenant (see [`attribute`]).
pub fn load_tenant_with(
    estate: &Estate,
    config: &TenantConfig,
    estate_params: &BTreeMap<String, Value>,
    run_as_of: DateTime<Utc>,
    as_of_flag: bool,
    attributed: Vec<load::SourceData>,
) -> Loaded {
    let mut errors: Vec<crate::report::InputError> = Vec::new();
    let mut warnings = Vec::new();
    let params = match merge_params(estate_params, &[(&config.params, &config.config_file)]) {
        Ok(p) => p,
        Err(e) => return Loaded::Failed(vec![e.into()], warnings),
    };
    let as_of = if as_of_flag {
        run_as_of
    } else {
        config.as_of.unwrap_or(run_as_of)
    };
    let mut sources = Vec::new();
    for source in &config.sources {
        match load::load_source(source, &config.dir, &estate.root) {
            Ok(data) => {
                warnings.extend(data.warnings.iter().cloned());
                sources.push(data);
            }
            Err(errs) => errors.extend(errs),
        }
    }
    sources.extend(attributed);
    if sources.iter().all(|s| s.identities.is_empty()) && errors.is_empty() {
        errors.push(crate::report::InputError {
            file: config.config_file.clone(),
            line: None,
            record: None,
            field: Some("source".into()),
            message: "no source yielded any identity: nothing to audit".into(),
        });
    }
    if !errors.is_empty() {
        return Loaded::Failed(errors, warnings);
    }
    let mut model: TenantModel = normalise::tenant_model(config, sources, as_of);
    model.tenant.waivers = estate
        .waivers_for(config)
        .iter()
        .map(|w| w.facts(as_of))
        .collect();
    let mut job = TenantJob::new(model, params, as_of);
    job.entitlements = estate.entitlements_for(config);
    Loaded::Ready(Box::new(job), warnings)
}

/// Load and normalise the selected tenants (in parallel), the MSP's own systems first: their
/// records that reach a client are added to that client's sources (see [`crate::attribute`]),
/// and every account is linked to the MSP's staff directory. Then the accounts the loaded client
/// tenants share are marked (see [`crate::reuse`]). `_msp` is returned only when
/// selected, but is always loaded when the estate has sources of its own.
pub fn load_estate(
    estate: &Estate,
    selected: &[TenantConfig],
    estate_params: &BTreeMap<String, Value>,
    as_of: DateTime<Utc>,
    as_of_flag: bool,
) -> Vec<(TenantConfig, Loaded)> {
    let off = Progress::new(false);
    load_estate_progress(estate, selected, estate_params, as_of, as_of_flag, &off)
}

/// As [`load_estate`], counting each loaded tenant on `progress`.
pub fn load_estate_progress(
    estate: &Estate,
    selected: &[TenantConfig],
    estate_params: &BTreeMap<String, Value>,
    as_of: DateTime<Utc>,
    as_of_flag: bool,
    progress: &Progress,
) -> Vec<(TenantConfig, Loaded)> {
    let total = selected
        .iter()
        .filter(|t| t.id != crate::estate::MSP_TENANT)
        .count()
        + usize::from(estate.msp_tenant().is_some());
    // The MSP's own systems load first: their records that reach a client are audited there,
    // and its staff source tells which accounts are technicians and which of them have left.
    let staff_source = estate.msp.staff_source.as_deref();
    let mut staff = None;
    let mut msp = estate.msp_tenant().map(|c| {
        let mut state = load_tenant(estate, &c, estate_params, as_of, as_of_flag);
        let mut attribution = crate::attribute::Attribution::default();
        if let Loaded::Ready(job, warnings) = &mut state {
            crate::attribute::technicians(&mut job.model, staff_source);
            if let Some(source) = staff_source {
                staff = Some(crate::correlate::StaffIndex::build(
                    &job.model.identities,
                    source,
                ));
            }
            crate::correlate::link_staff(&mut job.model.identities, staff.as_ref(), staff_source);
            attribution = crate::attribute::attribute(&mut job.model, &estate.tenants);
            warnings.append(&mut attribution.warnings);
        }
        progress.tick(total);
        (c, Some(state), attribution.by_tenant)
    });
    let estate_sources: std::collections::BTreeSet<&str> =
        estate.msp_sources.iter().map(|s| s.name.as_str()).collect();
    let with_keys: Vec<(TenantConfig, Loaded, crate::reuse::TenantKeys)> = selected
        .par_iter()
        .filter(|t| t.id != crate::estate::MSP_TENANT)
        .map(|t| {
            let attributed = msp
                .as_ref()
                .and_then(|(_, _, by)| by.get(&t.id))
                .map(|list| {
                    list.iter()
                        .map(|s| load::SourceData {
                            identities: s.identities.clone(),
                            facts: s.facts.clone(),
                            warnings: Vec::new(),
                            log: None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut state =
                load_tenant_with(estate, t, estate_params, as_of, as_of_flag, attributed);
            let mut keys = crate::reuse::TenantKeys::default();
            if let Loaded::Ready(job, _) = &mut state {
                crate::correlate::link_staff(
                    &mut job.model.identities,
                    staff.as_ref(),
                    staff_source,
                );
                // Hashed here, while this tenant's records are still in cache.
                keys = crate::reuse::tenant_keys(&job.model, &estate_sources);
            }
            progress.tick(total);
            (t.clone(), state, keys)
        })
        .collect();
    progress.loaded(total);
    // Accounts shared between the client tenants loaded here (LIFE-003).
    let mut loaded = Vec::with_capacity(with_keys.len());
    let mut keys = Vec::with_capacity(with_keys.len());
    for (config, state, k) in with_keys {
        if matches!(state, Loaded::Ready(..)) {
            keys.push(k);
        }
        loaded.push((config, state));
    }
    let mut models: Vec<&mut crate::normalise::TenantModel> = loaded
        .iter_mut()
        .filter_map(|(_, state)| match state {
            Loaded::Ready(job, _) => Some(&mut job.model),
            Loaded::Failed(..) => None,
        })
        .collect();
    crate::reuse::mark(&mut models, keys);
    if selected.iter().any(|t| t.id == crate::estate::MSP_TENANT) {
        if let Some((config, state, _)) = msp.as_mut() {
            if let Some(state) = state.take() {
                loaded.push((config.clone(), state));
            }
        }
    }
    loaded
}

/// One tenant prepared exactly as [`run`] prepares it for evaluation — with the MSP's records
/// attributed to it, reuse marked among the tenants loaded with it, and completed access reviews
/// joined — for `driftgate input`.
pub fn prepare_tenant(
    estate: &Estate,
    config: &TenantConfig,
    estate_params: &BTreeMap<String, Value>,
    as_of_flag: Option<DateTime<Utc>>,
    reviews: &[std::path::PathBuf],
) -> Result<Loaded, Fatal> {
    let (as_of, _) = run_as_of(estate, as_of_flag);
    let worksheets =
        crate::review::read_worksheets(estate, reviews).map_err(|e| Fatal::Config(vec![e]))?;
    let loaded = load_estate(
        estate,
        std::slice::from_ref(config),
        estate_params,
        as_of,
        as_of_flag.is_some(),
    );
    let state = loaded
        .into_iter()
        .find(|(c, _)| c.id == config.id)
        .map(|(_, state)| state)
        .unwrap_or_else(|| Loaded::Failed(Vec::new(), Vec::new()));
    Ok(match state {
        Loaded::Ready(mut job, warnings) => {
            job.model.tenant.access_review =
                crate::review::tenant_review(&worksheets, config, &job).facts;
            Loaded::Ready(job, warnings)
        }
        failed => failed,
    })
}

/// Run an audit and build the finished report.
pub fn run(estate: &Estate, set: &PolicySet, opts: &Options) -> Result<Report, Fatal> {
    let (as_of, as_of_source) = run_as_of(estate, opts.as_of);
    let selected = select_tenants(estate, &opts.tenants)?;
    let estate_params = merge_params(&set.default_params(), &[(&estate.params, "estate.toml")])
        .map_err(|e| Fatal::Config(vec![e]))?;
    let worksheets = crate::review::read_worksheets(estate, &opts.reviews)
        .map_err(|e| Fatal::Config(vec![e]))?;
    let timing = Timing::new();
    let progress = Progress::new(opts.progress);
    let loaded = load_estate_progress(
        estate,
        &selected,
        &estate_params,
        as_of,
        opts.as_of.is_some(),
        &progress,
    );
    let mut jobs = Vec::new();
    let mut tenants: Vec<TenantReport> = Vec::new();
    let mut job_tenant = Vec::new();
    let mut job_waivers = Vec::new();
    for (config, state) in loaded {
        let mut report = TenantReport {
            id: config.id.clone(),
            name: config.name.clone(),
            status: config.status.clone(),
            state: TenantState::Audited,
            as_of: None,
            config_file: config.config_file.clone(),
            identities: 0,
            sources: Vec::new(),
            counts: zero_counts(),
            rules: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            drift: drift::TenantDrift::default(),
            review: None,
        };
        match state {
            Loaded::Ready(mut job, warnings) => {
                report.warnings = warnings;
                // Completed access reviews joined to this tenant's entitlements (REVIEW-*).
                let review = crate::review::tenant_review(&worksheets, &config, &job);
                job.model.tenant.access_review = review.facts;
                report
                    .warnings
                    .extend(review.coverage.problems.iter().map(|p| p.to_string()));
                report.review = Some(review.coverage);
                report.identities = job.model.identities.len();
                report.sources = job.model.tenant.sources.clone();
                report.as_of = Some(job.as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
                report.drift.automated_share =
                    drift::automated_share(job.model.tenant.provisioning.as_ref());
                job_tenant.push(tenants.len());
                job_waivers.push(crate::waiver::TenantWaivers::new(
                    estate.waivers_for(&config),
                    job.as_of,
                ));
                jobs.push(*job);
            }
            Loaded::Failed(errors, warnings) => {
                report.state = TenantState::Error;
                report.errors = errors;
                report.warnings = warnings;
            }
        }
        tenants.push(report);
    }
    for (id, e) in &estate.tenant_errors {
        if opts.tenants.is_empty() || opts.tenants.contains(id) {
            let mut t = TenantReport {
                id: id.clone(),
                name: id.clone(),
                status: "unknown".into(),
                state: TenantState::Error,
                as_of: None,
                config_file: e.file.clone(),
                identities: 0,
                sources: Vec::new(),
                counts: zero_counts(),
                rules: Vec::new(),
                errors: vec![e.clone().into()],
                warnings: Vec::new(),
                drift: drift::TenantDrift::default(),
                review: None,
            };
            t.rules = set
                .rules
                .keys()
                .map(|r| unevaluated(r, Verdict::NotAudited))
                .collect();
            tenants.push(t);
        }
    }
    timing.mark("load + normalise");
    progress.evaluating(jobs.iter().map(|j| j.model.identities.len()).sum());
    let results = evaluate::evaluate(&jobs, set);
    progress.evaluated();
    let results = results.map_err(Fatal::Policy)?;
    // The models are no longer needed: free them on every core (a 100k-identity estate's models
    // take as long to drop as the report takes to assemble).
    jobs.into_par_iter().for_each(drop);
    timing.mark("evaluate");
    let mut findings = Vec::new();
    let mut policy_errors = Vec::new();
    let rule_names: Vec<&str> = set.rules.keys().map(String::as_str).collect();
    for ((j, result), mut waivers) in results.into_iter().enumerate().zip(job_waivers) {
        let t = &mut tenants[job_tenant[j]];
        let failed_rules: std::collections::BTreeSet<String> = result
            .errors
            .iter()
            .filter_map(|e| e.rule.clone())
            .collect();
        for (rule_id, mut outcome) in result.rules {
            waivers.apply(&mut outcome.findings);
            let waived = outcome
                .findings
                .iter()
                .filter(|f| f.waived.is_some())
                .count();
            let verdict = if failed_rules.contains(&rule_id) {
                Verdict::Error
            } else if outcome.findings.len() > waived {
                Verdict::Fail
            } else if waived > 0 {
                Verdict::Waived
            } else if !outcome.not_evaluable.is_empty() {
                Verdict::NotEvaluable
            } else {
                Verdict::Pass
            };
            for f in outcome.findings.iter().filter(|f| f.waived.is_none()) {
                *t.counts.entry(f.severity).or_default() += 1;
            }
            t.rules.push(RuleVerdict {
                rule: rule_id,
                verdict,
                findings: outcome.findings.len() - waived,
                waived,
                not_evaluable: outcome.not_evaluable.len(),
                not_evaluable_subjects: outcome
                    .not_evaluable
                    .into_iter()
                    .take(NOT_EVALUABLE_LISTED)
                    .collect(),
            });
            findings.extend(outcome.findings);
        }
        t.warnings.extend(waivers.warnings(&rule_names));
        t.drift.waivers = Some(waivers.in_force());
        policy_errors.extend(result.errors);
    }
    for t in tenants
        .iter_mut()
        .filter(|t| t.state == TenantState::Error && t.rules.is_empty())
    {
        t.rules = set
            .rules
            .keys()
            .map(|r| unevaluated(r, Verdict::NotAudited))
            .collect();
    }
    tenants.sort_by(|a, b| a.id.cmp(&b.id));
    crate::finding::sort(&mut findings);
    let mut per_tenant: BTreeMap<&str, Vec<&crate::finding::Finding>> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.waived.is_none()) {
        per_tenant.entry(f.tenant.as_str()).or_default().push(f);
    }
    let drift: Vec<drift::TenantDrift> = tenants
        .iter()
        .map(|t| {
            drift::tenant_drift(
                t,
                per_tenant
                    .get(t.id.as_str())
                    .map(Vec::as_slice)
                    .unwrap_or(&[]),
            )
        })
        .collect();
    drop(per_tenant);
    for (t, d) in tenants.iter_mut().zip(&drift) {
        t.drift = d.clone();
    }
    let rule_ids: Vec<String> = set.rules.keys().cloned().collect();
    let matrix = drift::matrix(&rule_ids, &tenants, &drift);
    let mut by_severity = zero_counts();
    let mut waived = 0;
    for f in &findings {
        if f.waived.is_some() {
            waived += 1;
        } else {
            *by_severity.entry(f.severity).or_default() += 1;
        }
    }
    let failed = tenants
        .iter()
        .filter(|t| t.state == TenantState::Error)
        .count();
    timing.mark("report");
    Ok(Report {
        schema: SCHEMA_VERSION,
        tool: Tool {
            name: "driftgate",
            version: env!("CARGO_PKG_VERSION"),
        },
        run: RunInfo {
            estate: estate.name.clone(),
            as_of: as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            as_of_source: as_of_source.into(),
            complete: failed == 0 && policy_errors.is_empty(),
            tenants_selected: opts.tenants.clone(),
        },
        rules: set
            .rules
            .values()
            .map(|r| RuleInfo {
                id: r.id.clone(),
                title: r.title.to_string(),
                description: r.description.clone(),
                remediation: r.remediation.to_string(),
                severity: r.severity,
                scope: r.scope,
                origin: set
                    .files
                    .iter()
                    .find(|f| f.path == r.file)
                    .map(|f| f.origin.clone())
                    .unwrap_or(crate::policy::Origin::User),
                file: r.file.clone(),
                controls: (*r.controls).clone(),
                effective_on: r.effective_on.clone(),
            })
            .collect(),
        frameworks: set
            .catalogue
            .referenced(set.rules.values().map(|r| &*r.controls)),
        summary: Summary {
            tenants: tenants.len(),
            tenants_audited: tenants.len() - failed,
            tenants_failed: failed,
            identities: tenants.iter().map(|t| t.identities).sum(),
            findings: findings.len() - waived,
            waived,
            by_severity,
        },
        tenants,
        findings,
        policy_errors,
        matrix,
        trend: Vec::new(),
    })
}

/// Stage timings on stderr when `DRIFTGATE_TIMING` is set (for profiling; never in reports).
struct Timing(Option<std::cell::Cell<std::time::Instant>>);

impl Timing {
    fn new() -> Timing {
        Timing(
            std::env::var_os("DRIFTGATE_TIMING")
                .map(|_| std::cell::Cell::new(std::time::Instant::now())),
        )
    }
    fn mark(&self, stage: &str) {
        if let Some(t) = &self.0 {
            eprintln!("timing: {stage}: {:.3} s", t.get().elapsed().as_secs_f64());
            t.set(std::time::Instant::now());
        }
    }
}

fn unevaluated(rule: &str, verdict: Verdict) -> RuleVerdict {
    RuleVerdict {
        rule: rule.into(),
        verdict,
        findings: 0,
        waived: 0,
        not_evaluable: 0,
        not_evaluable_subjects: Vec::new(),
    }
}
