//! Evaluate: every rule over every tenant, in parallel.
//!
//! Work is cut into units (a chunk of one tenant's identities, or one tenant-scope pass) so that
//! large and small tenants share one rayon queue; each worker clones the compiled engine once.
//! A runtime error in a rule costs only its unit, is retried per identity to name the record,
//! and is reported with rule, tenant and subject. Nothing here decides severity or output.

use crate::finding::{self, Finding, NotEvaluable};
use crate::model::Identity;
use crate::normalise::TenantModel;
use crate::policy::engine::PolicyEngine;
use crate::policy::metadata::{RuleMeta, Scope};
use crate::policy::{PolicyError, PolicySet};
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Identities per evaluation: large enough to amortise each call's fixed cost, small enough to
/// spread a big tenant over every core (regorus-notes §4.2).
pub const CHUNK: usize = 128;

/// One tenant ready for evaluation.
pub struct TenantJob {
    pub model: TenantModel,
    pub params: BTreeMap<String, serde_json::Value>,
    pub as_of: DateTime<Utc>,
}

/// A rule's outcome in one tenant.
#[derive(Debug, Default)]
pub struct RuleOutcome {
    pub findings: Vec<Finding>,
    pub not_evaluable: Vec<NotEvaluable>,
}

/// What evaluation produced for one tenant.
#[derive(Debug, Default)]
pub struct TenantResult {
    /// By rule id; every loaded rule has an entry.
    pub rules: BTreeMap<String, RuleOutcome>,
    pub errors: Vec<PolicyError>,
}

struct Unit {
    tenant: usize,
    /// None: the tenant-scope pass.
    range: Option<(usize, usize)>,
}

type RawOut = Vec<(String, Vec<serde_json::Value>, Vec<serde_json::Value>)>;
/// Per rule: raw `findings` and `not_evaluable` elements gathered from every unit.
type RawByRule = BTreeMap<String, (Vec<serde_json::Value>, Vec<serde_json::Value>)>;

/// The whole input of one tenant, exactly as evaluation builds it (`driftgate input` prints it).
pub fn input_value(job: &TenantJob) -> regorus::Value {
    parse_input(&input_base(job), &job.model.identities)
}

/// Evaluate every tenant with every rule of `set`.
pub fn evaluate(
    jobs: &[TenantJob],
    set: &PolicySet,
) -> Result<Vec<TenantResult>, Vec<PolicyError>> {
    // One compiled engine per distinct as_of (time.now_ns answers it).
    let mut engines: BTreeMap<DateTime<Utc>, PolicyEngine> = BTreeMap::new();
    for job in jobs {
        if let std::collections::btree_map::Entry::Vacant(slot) = engines.entry(job.as_of) {
            slot.insert(PolicyEngine::build(set, job.as_of)?);
        }
    }
    let prefixes: Vec<InputBase> = jobs.iter().map(input_base).collect();
    let identity_rules: Vec<&RuleMeta> = set
        .rules
        .values()
        .filter(|r| r.scope == Scope::Identity)
        .collect();
    let tenant_rules: Vec<&RuleMeta> = set
        .rules
        .values()
        .filter(|r| r.scope == Scope::Tenant)
        .collect();
    let mut units = Vec::new();
    for (t, job) in jobs.iter().enumerate() {
        let n = job.model.identities.len();
        for start in (0..n).step_by(CHUNK) {
            units.push(Unit {
                tenant: t,
                range: Some((start, (start + CHUNK).min(n))),
            });
        }
        units.push(Unit {
            tenant: t,
            range: None,
        });
    }
    let outputs: Vec<(usize, RawOut, Vec<PolicyError>)> = units
        .par_iter()
        .map_init(
            || engines.clone(),
            |engines, unit| {
                let job = &jobs[unit.tenant];
                let engine = engines.get_mut(&job.as_of).expect("engine per as_of");
                let (slice, rules) = match unit.range {
                    Some((a, b)) => (&job.model.identities[a..b], &identity_rules),
                    None => (&job.model.identities[0..0], &tenant_rules),
                };
                let (out, errors) = run_unit(engine, &prefixes[unit.tenant], job, slice, rules);
                (unit.tenant, out, errors)
            },
        )
        .collect();
    let mut results: Vec<TenantResult> = jobs
        .iter()
        .map(|_| TenantResult {
            rules: set
                .rules
                .keys()
                .map(|id| (id.clone(), RuleOutcome::default()))
                .collect(),
            errors: Vec::new(),
        })
        .collect();
    let mut raw: Vec<RawByRule> = jobs.iter().map(|_| BTreeMap::new()).collect();
    for (t, out, errors) in outputs {
        results[t].errors.extend(errors);
        for (rule, f, ne) in out {
            let entry = raw[t].entry(rule).or_default();
            entry.0.extend(f);
            entry.1.extend(ne);
        }
    }
    results
        .par_iter_mut()
        .zip(raw.into_par_iter())
        .zip(jobs.par_iter())
        .for_each(|((result, raw), job)| assemble(set, job, result, raw));
    Ok(results)
}

/// Turn one tenant's raw rule output into findings and not-evaluable lists.
fn assemble(set: &PolicySet, job: &TenantJob, result: &mut TenantResult, raw: RawByRule) {
    let index: HashMap<&str, &Identity> = job
        .model
        .identities
        .iter()
        .map(|i| (i.reference.as_str(), i))
        .collect();
    for (rule_id, (findings, not_evaluable)) in raw {
        let rule = &set.rules[&rule_id];
        let outcome = result
            .rules
            .get_mut(&rule_id)
            .expect("every rule has an entry");
        for f in &findings {
            match finding::from_raw(rule, &job.model.tenant.id, f, &index) {
                Ok(f) => outcome.findings.push(f),
                Err(message) => result
                    .errors
                    .push(rule_error(rule, &job.model.tenant.id, message)),
            }
        }
        let flagged: BTreeSet<(&str, Option<&str>)> = outcome
            .findings
            .iter()
            .map(|f| (f.subject.reference.as_str(), f.key.as_deref()))
            .collect();
        let mut ne = Vec::new();
        for x in &not_evaluable {
            match finding::not_evaluable_from_raw(rule, x) {
                // A subject with a finding is judged; never count it as unknown too.
                Ok(x) if !flagged.contains(&(x.subject.as_str(), x.key.as_deref())) => ne.push(x),
                Ok(_) => {}
                Err(message) => result
                    .errors
                    .push(rule_error(rule, &job.model.tenant.id, message)),
            }
        }
        ne.sort();
        ne.dedup();
        outcome.not_evaluable = ne;
        finding::sort(&mut outcome.findings);
        outcome
            .findings
            .dedup_by(|a, b| a.fingerprint == b.fingerprint);
    }
    result
        .errors
        .sort_by(|a, b| (&a.rule, &a.message).cmp(&(&b.rule, &b.message)));
    result.errors.dedup();
}

fn rule_error(rule: &RuleMeta, tenant: &str, message: String) -> PolicyError {
    let (file, line) = crate::policy::engine::error_location(&message)
        .map(|(f, l)| (f, Some(l)))
        .unwrap_or((rule.file.clone(), None));
    PolicyError {
        rule: Some(rule.id.clone()),
        tenant: Some(tenant.into()),
        file: Some(file),
        line,
        message,
    }
}

/// The parts of an input shared by every chunk of a tenant, built once.
struct InputBase {
    as_of: regorus::Value,
    tenant: regorus::Value,
    params: regorus::Value,
}

fn input_base(job: &TenantJob) -> InputBase {
    InputBase {
        as_of: regorus::Value::from(job.as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        tenant: crate::rego_value::to_value(&job.model.tenant).expect("tenant facts convert"),
        params: crate::rego_value::to_value(&job.params).expect("params convert"),
    }
}

/// The input value of one evaluation: the same document `input_json` describes.
fn parse_input(base: &InputBase, identities: &[Identity]) -> regorus::Value {
    let mut map = BTreeMap::new();
    map.insert(regorus::Value::from("as_of"), base.as_of.clone());
    map.insert(regorus::Value::from("tenant"), base.tenant.clone());
    map.insert(regorus::Value::from("params"), base.params.clone());
    map.insert(
        regorus::Value::from("identities"),
        crate::rego_value::to_value(identities).expect("identities convert"),
    );
    regorus::Value::from(map)
}

fn run_unit(
    engine: &mut PolicyEngine,
    prefix: &InputBase,
    job: &TenantJob,
    identities: &[Identity],
    rules: &[&RuleMeta],
) -> (RawOut, Vec<PolicyError>) {
    let mut out = Vec::with_capacity(rules.len());
    let mut errors = Vec::new();
    if rules.is_empty() {
        return (out, errors);
    }
    let input = parse_input(prefix, identities);
    // Fast path: every rule of the scope in one evaluation.
    let scope = if rules[0].scope == Scope::Identity {
        "identity"
    } else {
        "tenant"
    };
    if let Ok(serde_json::Value::Object(mut all)) = engine.eval_batch(&input, scope) {
        let mut complete = true;
        for rule in rules {
            match all.remove(&rule.id) {
                Some(serde_json::Value::Array(mut pair)) if pair.len() == 2 => {
                    let ne = as_list(pair.pop().expect("two"));
                    let f = as_list(pair.pop().expect("two"));
                    out.push((rule.id.clone(), f, ne));
                }
                _ => complete = false,
            }
        }
        if complete {
            return (out, errors);
        }
        out.clear();
    }
    for rule in rules {
        match eval_rule(engine, &input, rule) {
            Ok((f, ne)) => out.push((rule.id.clone(), f, ne)),
            Err(message) if identities.len() > 1 => {
                // Pinpoint the record: retry one identity at a time; the rest still count.
                let (mut f_all, mut ne_all) = (Vec::new(), Vec::new());
                for one in identities.chunks(1) {
                    let single = parse_input(prefix, one);
                    match eval_rule(engine, &single, rule) {
                        Ok((f, ne)) => {
                            f_all.extend(f);
                            ne_all.extend(ne);
                        }
                        Err(m) => errors.push(rule_error(
                            rule,
                            &job.model.tenant.id,
                            format!(
                                "{m} (subject {}, {})",
                                one[0].reference,
                                one[0].prov.locator()
                            ),
                        )),
                    }
                }
                if errors.is_empty() {
                    errors.push(rule_error(rule, &job.model.tenant.id, message));
                }
                out.push((rule.id.clone(), f_all, ne_all));
            }
            Err(message) => {
                let subject = identities
                    .first()
                    .map(|i| format!(" (subject {}, {})", i.reference, i.prov.locator()))
                    .unwrap_or_default();
                errors.push(rule_error(
                    rule,
                    &job.model.tenant.id,
                    format!("{message}{subject}"),
                ));
            }
        }
    }
    (out, errors)
}

fn as_list(v: serde_json::Value) -> Vec<serde_json::Value> {
    match v {
        serde_json::Value::Array(items) => items,
        _ => Vec::new(),
    }
}

fn eval_rule(
    engine: &mut PolicyEngine,
    input: &regorus::Value,
    rule: &RuleMeta,
) -> Result<(Vec<serde_json::Value>, Vec<serde_json::Value>), String> {
    let findings = engine.eval(input, &format!("{}.findings", rule.package))?;
    let ne = if rule.has_not_evaluable {
        engine.eval(input, &format!("{}.not_evaluable", rule.package))?
    } else {
        Vec::new()
    };
    Ok((findings, ne))
}
