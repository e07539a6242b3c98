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
    /// The estate's and the tenant's `[[entitlement]]`s (`input.entitlements`).
    pub entitlements: Vec<crate::entitlement::Entitlement>,
}

impl TenantJob {
    pub fn new(
        model: TenantModel,
        params: BTreeMap<String, serde_json::Value>,
        as_of: DateTime<Utc>,
    ) -> TenantJob {
        TenantJob {
            model,
            params,
            as_of,
            entitlements: Vec::new(),
        }
    }
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

/// A rule's `applies_to`, ready to test identity values: any alternative, all of its tests.
struct Selector {
    alternatives: Vec<Vec<Test>>,
}

/// One `path: [allowed values]` of a selector.
struct Test {
    /// The path's first segment, as an index into the selector fields ([`selector_fields`]).
    top: usize,
    /// The rest of the path.
    path: Vec<regorus::Value>,
    allowed: Vec<regorus::Value>,
}

impl Selector {
    fn of(rule: &RuleMeta, fields: &[String]) -> Option<Selector> {
        if rule.applies_to.is_empty() {
            return None;
        }
        let alternatives = rule
            .applies_to
            .iter()
            .map(|all| {
                all.iter()
                    .map(|(path, allowed)| {
                        let mut segments = path.split('.');
                        let top = segments.next().unwrap_or(path);
                        Test {
                            top: fields
                                .iter()
                                .position(|f| f == top)
                                .expect("every selector's field is listed"),
                            path: segments.map(regorus::Value::from).collect(),
                            allowed: allowed
                                .iter()
                                .map(|v| crate::rego_value::to_value(v).expect("scalars convert"))
                                .collect(),
                        }
                    })
                    .collect()
            })
            .collect();
        Some(Selector { alternatives })
    }

    /// `tops`: an identity's selector fields, None where it has no such field.
    fn matches(&self, tops: &[Option<regorus::Value>]) -> bool {
        self.alternatives.iter().any(|all| {
            all.iter().all(|Test { top, path, allowed }| {
                let Some(mut at) = tops[*top].as_ref() else {
                    return false;
                };
                for segment in path {
                    match at {
                        regorus::Value::Object(fields) => match fields.get(segment) {
                            Some(next) => at = next,
                            None => return false,
                        },
                        _ => return false,
                    }
                }
                allowed.contains(at)
            })
        })
    }
}

/// The top-level fields any selector reads, in order.
fn selector_fields(rules: &[&RuleMeta]) -> Vec<String> {
    let mut fields = BTreeSet::new();
    for rule in rules {
        for (path, _) in rule.applies_to.iter().flatten() {
            fields.insert(path.split('.').next().unwrap_or(path).to_string());
        }
    }
    fields.into_iter().collect()
}

/// A tenant's identities grouped by the identity rules that apply to them (`applies_to`).
struct Grouped {
    /// (indices into the identity rules, member identity indices), members in model order.
    groups: Vec<(Vec<usize>, Vec<usize>)>,
}

fn group_identities(job: &TenantJob, selectors: &[Option<Selector>], fields: &[String]) -> Grouped {
    let mut by_mask: BTreeMap<Vec<usize>, Vec<usize>> = BTreeMap::new();
    let mut mask = Vec::with_capacity(selectors.len());
    let mut tops = Vec::with_capacity(fields.len());
    for (n, identity) in job.model.identities.iter().enumerate() {
        // Only the fields the selectors read are converted here.
        tops.clear();
        tops.extend(
            fields
                .iter()
                .map(|f| crate::rego_identity::identity_field(identity, f)),
        );
        mask.clear();
        mask.extend(
            selectors
                .iter()
                .enumerate()
                .filter(|(_, s)| s.as_ref().is_none_or(|s| s.matches(&tops)))
                .map(|(r, _)| r),
        );
        if !mask.is_empty() {
            by_mask.entry(mask.clone()).or_default().push(n);
        }
    }
    // Tiny groups cost more in per-evaluation overhead than their rules save: evaluate them
    // together under the union of their rules (giving a rule more identities than its
    // `applies_to` promises never changes what it finds).
    let (small, mut groups): (Vec<_>, Vec<_>) = by_mask
        .into_iter()
        .partition(|(_, members)| members.len() < SMALL_GROUP);
    if small.len() > 1 {
        let mut rules: BTreeSet<usize> = BTreeSet::new();
        let mut members = Vec::new();
        for (mask, m) in small {
            rules.extend(mask);
            members.extend(m);
        }
        members.sort_unstable();
        groups.push((rules.into_iter().collect(), members));
    } else {
        groups.extend(small);
    }
    Grouped { groups }
}

/// Groups smaller than this are merged (see [`group_identities`]).
const SMALL_GROUP: usize = 16;

enum UnitKind {
    /// Members `start..end` of the tenant's group `group`.
    Identities {
        group: usize,
        start: usize,
        end: usize,
    },
    /// The tenant-scope pass.
    Tenant,
}

struct Unit {
    tenant: usize,
    kind: UnitKind,
}

type RawOut = Vec<(String, Vec<serde_json::Value>, Vec<serde_json::Value>)>;
/// Per rule: raw `findings` and `not_evaluable` elements gathered from every unit.
type RawByRule = BTreeMap<String, (Vec<serde_json::Value>, Vec<serde_json::Value>)>;

/// The whole input of one tenant, exactly as evaluation builds it (`driftgate input` prints it).
pub fn input_value(job: &TenantJob) -> regorus::Value {
    let all: Vec<usize> = (0..job.model.identities.len()).collect();
    parse_input(&input_base(job), identity_values(job, &all))
}

fn identity_values(job: &TenantJob, members: &[usize]) -> Vec<regorus::Value> {
    members
        .iter()
        .map(|&n| crate::rego_identity::identity_value(&job.model.identities[n]))
        .collect()
}

/// Evaluate every tenant with every rule of `set`.
///
/// Each identity is given only to the identity rules whose `applies_to` it matches: identities
/// are grouped by that set of rules, and each chunk of a group is evaluated with one batch rule
/// holding exactly those rules. A rule's findings cannot depend on other identities of its
/// chunk, so the grouping changes nothing but the work done (tested on the demo and a
/// synthetic estate).
pub fn evaluate(
    jobs: &[TenantJob],
    set: &PolicySet,
) -> Result<Vec<TenantResult>, Vec<PolicyError>> {
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
    // The top-level fields the selectors read (each is built in full for grouping).
    let fields = selector_fields(&identity_rules);
    let grouped: Vec<Grouped> = jobs
        .par_iter()
        .map(|job| {
            // Rego values are not shared between threads: each job builds its own selectors.
            let selectors: Vec<Option<Selector>> = identity_rules
                .iter()
                .map(|r| Selector::of(r, &fields))
                .collect();
            group_identities(job, &selectors, &fields)
        })
        .collect();
    // One batch rule per distinct rule set in the estate, numbered in sorted order.
    let mut batch_of: BTreeMap<&[usize], usize> = BTreeMap::new();
    for g in &grouped {
        for (mask, _) in &g.groups {
            batch_of.entry(mask.as_slice()).or_insert(0);
        }
    }
    for (n, slot) in batch_of.values_mut().enumerate() {
        *slot = n;
    }
    let batches: Vec<Vec<String>> = batch_of
        .keys()
        .map(|mask| mask.iter().map(|&r| identity_rules[r].id.clone()).collect())
        .collect();
    // One compiled engine per distinct as_of (time.now_ns answers it). Built here once to report
    // policy errors; each worker thread then builds its own (regorus values are not `Send`).
    let as_ofs: BTreeSet<DateTime<Utc>> = jobs.iter().map(|j| j.as_of).collect();
    for &as_of in &as_ofs {
        PolicyEngine::build_with_groups(set, as_of, &batches)?;
    }
    let generation = GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut units = Vec::new();
    for (t, g) in grouped.iter().enumerate() {
        for (group, (_, members)) in g.groups.iter().enumerate() {
            for start in (0..members.len()).step_by(CHUNK) {
                units.push(Unit {
                    tenant: t,
                    kind: UnitKind::Identities {
                        group,
                        start,
                        end: (start + CHUNK).min(members.len()),
                    },
                });
            }
        }
        units.push(Unit {
            tenant: t,
            kind: UnitKind::Tenant,
        });
    }
    let outputs: Vec<(usize, RawOut, Vec<PolicyError>)> = units
        .par_iter()
        .map(|unit| {
            WORKER.with(|worker| {
                let mut worker = worker.borrow_mut();
                if worker.as_ref().is_none_or(|w| w.generation != generation) {
                    *worker = Some(Worker {
                        generation,
                        engines: as_ofs
                            .iter()
                            .map(|&as_of| {
                                let engine = PolicyEngine::build_with_groups(set, as_of, &batches)
                                    .expect("built above");
                                (as_of, engine)
                            })
                            .collect(),
                        prefixes: HashMap::new(),
                    });
                }
                let worker = worker.as_mut().expect("just set");
                let job = &jobs[unit.tenant];
                let prefix = worker
                    .prefixes
                    .entry(unit.tenant)
                    .or_insert_with(|| input_base(job));
                let engine = worker
                    .engines
                    .get_mut(&job.as_of)
                    .expect("engine per as_of");
                let (members, rules, batch): (&[usize], Vec<&RuleMeta>, String) = match unit.kind {
                    UnitKind::Identities { group, start, end } => {
                        let (mask, members) = &grouped[unit.tenant].groups[group];
                        (
                            &members[start..end],
                            mask.iter().map(|&r| identity_rules[r]).collect(),
                            format!("group_{}", batch_of[mask.as_slice()]),
                        )
                    }
                    UnitKind::Tenant => (&[], tenant_rules.clone(), "tenant".into()),
                };
                let (out, errors) = run_unit(engine, prefix, job, members, &rules, &batch);
                (unit.tenant, out, errors)
            })
        })
        .collect();
    // Free every worker's engines and inputs now, not at the next evaluation.
    rayon::broadcast(|_| {
        WORKER.with(|w| drop(w.borrow_mut().take()));
    });
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

/// Numbers each call of [`evaluate`], so a worker knows when its engines are stale.
static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// One worker thread's engines (per as_of) and tenant input prefixes for one evaluation.
struct Worker {
    generation: u64,
    engines: BTreeMap<DateTime<Utc>, PolicyEngine>,
    prefixes: HashMap<usize, InputBase>,
}

thread_local! {
    static WORKER: std::cell::RefCell<Option<Worker>> = const { std::cell::RefCell::new(None) };
}

/// The parts of an input shared by every chunk of a tenant, built once per worker.
struct InputBase {
    as_of: regorus::Value,
    tenant: regorus::Value,
    params: regorus::Value,
    entitlements: regorus::Value,
}

fn input_base(job: &TenantJob) -> InputBase {
    InputBase {
        as_of: regorus::Value::from(job.as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        tenant: crate::rego_value::to_value(&job.model.tenant).expect("tenant facts convert"),
        params: crate::rego_value::to_value(&job.params).expect("params convert"),
        entitlements: crate::rego_value::to_value(&job.entitlements).expect("entitlements convert"),
    }
}

/// The input value of one evaluation: the same document `input_json` describes.
fn parse_input(base: &InputBase, identities: Vec<regorus::Value>) -> regorus::Value {
    let mut map = BTreeMap::new();
    map.insert(regorus::Value::from("as_of"), base.as_of.clone());
    map.insert(regorus::Value::from("tenant"), base.tenant.clone());
    map.insert(regorus::Value::from("params"), base.params.clone());
    map.insert(
        regorus::Value::from("entitlements"),
        base.entitlements.clone(),
    );
    map.insert(
        regorus::Value::from("identities"),
        regorus::Value::from(identities),
    );
    regorus::Value::from(map)
}

fn run_unit(
    engine: &mut PolicyEngine,
    prefix: &InputBase,
    job: &TenantJob,
    members: &[usize],
    rules: &[&RuleMeta],
    batch: &str,
) -> (RawOut, Vec<PolicyError>) {
    let mut out = Vec::with_capacity(rules.len());
    let mut errors = Vec::new();
    if rules.is_empty() {
        return (out, errors);
    }
    let values = identity_values(job, members);
    let input = parse_input(prefix, values.clone());
    // Fast path: every rule of the unit in one evaluation.
    if let Ok(serde_json::Value::Object(mut all)) = engine.eval_batch(&input, batch) {
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
            Err(message) if members.len() > 1 => {
                // Pinpoint the record: retry one identity at a time; the rest still count.
                let (mut f_all, mut ne_all) = (Vec::new(), Vec::new());
                for (&n, value) in members.iter().zip(&values) {
                    let single = parse_input(prefix, vec![value.clone()]);
                    match eval_rule(engine, &single, rule) {
                        Ok((f, ne)) => {
                            f_all.extend(f);
                            ne_all.extend(ne);
                        }
                        Err(m) => {
                            let one = &job.model.identities[n];
                            errors.push(rule_error(
                                rule,
                                &job.model.tenant.id,
                                format!("{m} (subject {}, {})", one.reference, one.prov.locator()),
                            ))
                        }
                    }
                }
                if errors.is_empty() {
                    errors.push(rule_error(rule, &job.model.tenant.id, message));
                }
                out.push((rule.id.clone(), f_all, ne_all));
            }
            Err(message) => {
                let subject = members
                    .first()
                    .map(|&n| &job.model.identities[n])
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{load_tenant, Loaded};
    use crate::estate::Estate;

    fn jobs(root: &std::path::Path, set: &PolicySet) -> Vec<TenantJob> {
        let estate = Estate::discover(root).unwrap();
        let params =
            crate::audit::merge_params(&set.default_params(), &[(&estate.params, "e")]).unwrap();
        let (as_of, _) = crate::audit::run_as_of(&estate, None);
        estate
            .tenants
            .iter()
            .filter_map(|t| match load_tenant(&estate, t, &params, as_of, false) {
                Loaded::Ready(job, _) => Some(*job),
                Loaded::Failed(..) => None,
            })
            .collect()
    }

    /// Everything a run reports per tenant, in a comparable form.
    fn outcome(results: &[TenantResult]) -> Vec<String> {
        let mut out = Vec::new();
        for (t, r) in results.iter().enumerate() {
            for (rule, o) in &r.rules {
                for f in &o.findings {
                    out.push(format!("{t} {rule} {} {}", f.fingerprint, f.message));
                }
                for x in &o.not_evaluable {
                    out.push(format!("{t} {rule} ne {x:?}"));
                }
            }
            out.extend(r.errors.iter().map(|e| format!("{t} error {e:?}")));
        }
        out
    }

    /// `applies_to` only saves work: the shipped rules give the same findings, not-evaluable
    /// entries and errors when every identity is given to every rule.
    #[test]
    fn applies_to_changes_no_result() {
        let set = PolicySet::load(true, &[] as &[&str]).unwrap();
        assert!(
            set.rules
                .values()
                .filter(|r| !r.applies_to.is_empty())
                .count()
                >= 10,
            "the shipped pack declares applies_to"
        );
        let mut unfiltered = set.clone();
        for rule in unfiltered.rules.values_mut() {
            rule.applies_to.clear();
        }
        let synthetic = tempfile::tempdir().unwrap();
        crate::synth::write_estate(synthetic.path(), 4, 400, 7).unwrap();
        let demo = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo"));
        for root in [demo, synthetic.path()] {
            let jobs = jobs(root, &set);
            assert!(!jobs.is_empty());
            let grouped = outcome(&evaluate(&jobs, &set).unwrap());
            let whole = outcome(&evaluate(&jobs, &unfiltered).unwrap());
            assert!(grouped.len() > 20, "{}: a real workload", root.display());
            assert_eq!(grouped, whole, "{}", root.display());
        }
        // And the comparison can fail: a selector that hides identities a rule judges shows.
        let mut wrong = set.clone();
        wrong.rules.get_mut("STALE-001").unwrap().applies_to =
            vec![vec![("kind".into(), vec![serde_json::json!("guest")])]];
        let jobs = jobs(synthetic.path(), &set);
        assert_ne!(
            outcome(&evaluate(&jobs, &wrong).unwrap()),
            outcome(&evaluate(&jobs, &unfiltered).unwrap())
        );
    }

    /// The same for the rules whose facts come from the whole estate (entitlements, reuse across
    /// tenants), loaded as an audit loads them.
    #[test]
    fn applies_to_changes_no_result_for_estate_wide_facts() {
        let set = PolicySet::load(true, &[] as &[&str]).unwrap();
        let mut unfiltered = set.clone();
        for rule in unfiltered.rules.values_mut() {
            rule.applies_to.clear();
        }
        for name in ["DRIFT-003", "LIFE-003"] {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/rules")
                .join(name);
            let estate = Estate::discover(&root).unwrap();
            let params =
                crate::audit::merge_params(&set.default_params(), &[(&estate.params, "e")])
                    .unwrap();
            let (as_of, _) = crate::audit::run_as_of(&estate, None);
            let selected = crate::audit::select_tenants(&estate, &[]).unwrap();
            let jobs: Vec<TenantJob> =
                crate::audit::load_estate(&estate, &selected, &params, as_of, false)
                    .into_iter()
                    .filter_map(|(_, state)| match state {
                        Loaded::Ready(job, _) => Some(*job),
                        Loaded::Failed(..) => None,
                    })
                    .collect();
            let grouped = outcome(&evaluate(&jobs, &set).unwrap());
            assert!(
                grouped.iter().any(|l| l.contains(name)),
                "{name}: {grouped:?}"
            );
            assert_eq!(grouped, outcome(&evaluate(&jobs, &unfiltered).unwrap()));
        }
    }

    #[test]
    fn selectors_follow_paths_and_allow_listed_values() {
        let mut rule = PolicySet::load(true, &[] as &[&str]).unwrap().rules["PRIV-005"].clone();
        rule.applies_to = vec![
            vec![
                (
                    "privileged".into(),
                    vec![serde_json::json!(true), serde_json::Value::Null],
                ),
                ("derived.has_roles".into(), vec![serde_json::json!(true)]),
            ],
            vec![("kind".into(), vec![serde_json::json!("delegation")])],
        ];
        let fields = selector_fields(&[&rule]);
        assert_eq!(fields, ["derived", "kind", "privileged"]);
        let sel = Selector::of(&rule, &fields).unwrap();
        // An identity's selector fields, as grouping builds them.
        let v = |j: serde_json::Value| {
            let whole = crate::rego_value::to_value(&j).unwrap();
            fields
                .iter()
                .map(|f| whole.as_object().unwrap().get(&f.as_str().into()).cloned())
                .collect::<Vec<_>>()
        };
        assert!(sel.matches(&v(
            serde_json::json!({"privileged": null, "derived": {"has_roles": true}})
        )));
        assert!(!sel.matches(&v(
            serde_json::json!({"privileged": false, "derived": {"has_roles": true}})
        )));
        assert!(
            !sel.matches(&v(serde_json::json!({"privileged": true}))),
            "a missing field never matches"
        );
        assert!(!sel.matches(&v(serde_json::json!({"privileged": true, "derived": 1}))));
        assert!(
            sel.matches(&v(serde_json::json!({"kind": "delegation"}))),
            "any alternative"
        );
    }
}
