//! The readiness assessment: coverage, identity mix, day-one findings, score and verdict,
//! computed from a loaded tenant model and its audit report (blockers and conditions: `issues`).
//!
//! Pure: no file, clock or policy access here (the caller loads and evaluates). The formula and
//! the blocker table are documented in the parent module.

use super::issues::issues;
use super::types::*;
use crate::estate::TenantConfig;
use crate::model::{Identity, Kind, SourceFacts};
use crate::normalise::TenantModel;
use crate::policy::metadata::Severity;
use crate::report::{Report, Verdict as RuleVerdict};
use serde_json::Value;
use std::collections::BTreeMap;

/// Assess one loaded and audited tenant.
pub fn assess(ctx: &Context, model: &TenantModel, report: &Report) -> Readiness {
    let facts = &model.tenant;
    let stale_days = ctx
        .params
        .get("stale_days")
        .and_then(Value::as_i64)
        .unwrap_or(90);
    // The tenant's own sources: records the MSP's systems attribute to it (GDAP, RMM) are
    // access into the tenant, not data about its people.
    let own: Vec<SourceFacts> = facts
        .sources
        .iter()
        .filter(|s| ctx.config.sources.iter().any(|c| c.name == s.name))
        .cloned()
        .collect();
    let sot = assessed_source(ctx.config, &own);
    let mut sources: Vec<SourceCoverage> = own
        .iter()
        .map(|s| {
            source_coverage(
                s,
                &model.identities,
                sot.as_deref() == Some(&s.name),
                stale_days,
            )
        })
        .collect();
    sources.sort_by_key(|s| !s.source_of_truth);
    let gaps = gaps(&own);
    let tenant_report = report.tenants.iter().find(|t| t.id == facts.id);
    let day_one = day_one(report, &facts.id);
    let mut blockers = Vec::new();
    let mut conditions = Vec::new();
    issues(
        ctx,
        model,
        sot.as_deref(),
        &sources,
        &day_one,
        &mut blockers,
        &mut conditions,
    );
    let sot_cov = sources.iter().find(|s| s.source_of_truth);
    let score = score(sot_cov, blockers.len(), conditions.len(), &day_one);
    let verdict = verdict(blockers.len(), conditions.len());
    let reasons = blockers
        .iter()
        .map(|b| format!("blocker: {}: {}", b.title, b.reason))
        .chain(
            conditions
                .iter()
                .map(|c| format!("condition: {}: {}", c.title, c.reason)),
        )
        .collect();
    let fixes_first = blockers
        .iter()
        .chain(&conditions)
        .map(|i| i.fix.clone())
        .collect();
    Readiness {
        schema: SCHEMA,
        tool: Tool {
            name: "driftgate",
            version: env!("CARGO_PKG_VERSION"),
        },
        tenant: TenantInfo {
            id: facts.id.clone(),
            name: facts.name.clone(),
            status: facts.status.clone(),
            config_file: ctx.config.config_file.clone(),
            estate: ctx.estate.map(str::to_string),
            source_of_truth: ctx.config.source_of_truth.clone(),
            assessed_source: sot.clone(),
            forced: false,
        },
        as_of: ctx.as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        as_of_source: ctx.as_of_source.to_string(),
        verdict,
        score: score.total,
        score_breakdown: score,
        reasons,
        fixes_first,
        coverage: Coverage {
            source_of_truth: sot,
            sources,
            gaps,
        },
        identity_mix: identity_mix(&model.identities),
        day_one,
        blockers,
        conditions,
        warnings: tenant_report
            .map(|t| t.warnings.clone())
            .unwrap_or_default(),
        notices: Vec::new(),
    }
}

/// `no-go` with a blocker, `go-with-conditions` with a condition, else `go`.
pub fn verdict(blockers: usize, conditions: usize) -> Verdict {
    if blockers > 0 {
        Verdict::NoGo
    } else if conditions > 0 {
        Verdict::GoWithConditions
    } else {
        Verdict::Go
    }
}

/// `weight × with / population`, rounded half up; 0 when unknown or the population is empty.
fn points(weight: u32, m: Option<&Metric>) -> u32 {
    match m {
        Some(Metric {
            population,
            with: Some(with),
            ..
        }) if *population > 0 => {
            let (w, n, p) = (weight as u64, *with as u64, *population as u64);
            ((2 * w * n + p) / (2 * p)) as u32
        }
        _ => 0,
    }
}

/// The score (see the module doc for the formula).
pub fn score(
    sot: Option<&SourceCoverage>,
    blockers: usize,
    conditions: usize,
    day_one: &DayOne,
) -> Score {
    let mut terms = BTreeMap::new();
    terms.insert("employee_id", points(15, sot.map(|s| &s.employee_id)));
    terms.insert("manager", points(10, sot.map(|s| &s.manager)));
    terms.insert("sign_in", points(15, sot.map(|s| &s.sign_in)));
    terms.insert(
        "mfa_registration",
        points(10, sot.map(|s| &s.mfa_registration)),
    );
    terms.insert(
        "privilege",
        if sot.is_some_and(|s| s.privilege == "known") {
            10
        } else {
            0
        },
    );
    let coverage: u32 = terms.values().sum();
    let sev = |s: &str| day_one.by_severity.get(s).copied().unwrap_or(0) as u32;
    let blocker_penalty = 10 * blockers as u32;
    let condition_penalty = 3 * conditions as u32;
    let findings_penalty = (5 * sev("critical") + 2 * sev("high")).min(20);
    let total = (40 + coverage)
        .saturating_sub(blocker_penalty + condition_penalty + findings_penalty)
        .min(100);
    Score {
        formula: FORMULA,
        base: 40,
        terms,
        coverage,
        blocker_penalty,
        condition_penalty,
        findings_penalty,
        total,
    }
}

const DIRECTORY_KINDS: &[&str] = &[
    "entra",
    "okta",
    "google-workspace",
    "jumpcloud",
    "active-directory",
];

/// The declared source of truth, else the first directory source, else the first source.
fn assessed_source(config: &TenantConfig, sources: &[SourceFacts]) -> Option<String> {
    config.source_of_truth.clone().or_else(|| {
        sources
            .iter()
            .find(|s| DIRECTORY_KINDS.contains(&s.kind.as_str()))
            .or(sources.first())
            .map(|s| s.name.clone())
    })
}

fn metric(population: usize, with: Option<usize>, reason: Option<String>) -> Metric {
    let state = match with {
        _ if population == 0 => MetricState::NotApplicable,
        None => MetricState::Unknown,
        Some(0) => MetricState::None,
        Some(n) if n >= population => MetricState::Complete,
        Some(_) => MetricState::Partial,
    };
    Metric {
        population,
        with,
        share_pct: with
            .filter(|_| population > 0)
            .map(|n| (n * 100 / population) as u32),
        state,
        reason: with.is_none().then_some(reason).flatten(),
    }
}

fn enabled_human(i: &Identity) -> bool {
    i.kind == Kind::Human && i.enabled != Some(false)
}

fn source_coverage(
    s: &SourceFacts,
    identities: &[Identity],
    is_sot: bool,
    stale_days: i64,
) -> SourceCoverage {
    let humans: Vec<&Identity> = identities
        .iter()
        .filter(|i| i.source == s.name && enabled_human(i))
        .collect();
    let n = humans.len();
    let count = |f: &dyn Fn(&Identity) -> bool| humans.iter().filter(|i| f(i)).count();
    let sign_in = s.capabilities.sign_in.then(|| count(&|i| i.activity.known));
    let mfa = s
        .capabilities
        .mfa
        .then(|| count(&|i| i.mfa.registered.is_some()));
    SourceCoverage {
        source: s.name.clone(),
        kind: s.kind.clone(),
        source_of_truth: is_sot,
        identities: s.identities,
        enabled_humans: n,
        employee_id: metric(
            n,
            Some(count(&|i| i.employment.employee_id.is_some())),
            None,
        ),
        manager: metric(n, Some(count(&|i| i.employment.manager.is_some())), None),
        sign_in: metric(n, sign_in, Some(sign_in_hidden(&s.kind))),
        mfa_registration: metric(
            n,
            mfa,
            Some(format!("the {} export shows no MFA registration", s.kind)),
        ),
        mfa_registered: mfa.map(|_| count(&|i| i.mfa.registered == Some(true))),
        stale_humans: sign_in.map(|_| {
            count(&|i| i.activity.known && i.derived.activity_days.is_some_and(|d| d > stale_days))
        }),
        privilege: if s.capabilities.roles {
            "known"
        } else {
            "unknown"
        },
    }
}

fn sign_in_hidden(kind: &str) -> String {
    match kind {
        "entra" => "users.json has no signInActivity (needs Entra ID P1 and AuditLog.Read.All): last sign-in unknown".into(),
        k => format!("the {k} export shows no sign-in activity: last sign-in unknown"),
    }
}

/// What each optional Entra export hides when it is missing.
const ENTRA_HIDES: &[(&str, &str)] = &[
    ("userRegistrationDetails.json", "MFA registration unknown (BASE-002, PRIV-001 not evaluable)"),
    ("roleAssignments.json", "privilege unknown: who holds which role, and the Global Administrator count"),
    ("roleDefinitions.json", "role names unknown (built-in template ids still classify privilege)"),
    ("roleAssignmentScheduleInstances.json", "permanent vs PIM-activated unknown: every active assignment counts as standing"),
    ("roleEligibilityScheduleInstances.json", "just-in-time (PIM eligible) assignments unknown (PRIV-004 not evaluable)"),
    ("groups.json", "group memberships unknown: roles held through groups and entitlements (DRIFT-003) not attributed"),
    ("servicePrincipals.json", "workloads, managed identities and agents unknown"),
    ("applications.json", "app registrations' credentials and owners unknown (NHI rules)"),
    ("conditionalAccessPolicies.json", "MFA enforcement by Conditional Access unknown (BASE-001)"),
    ("identitySecurityDefaultsEnforcementPolicy.json", "security defaults unknown (BASE-001, BASE-004 security_defaults)"),
    ("authorizationPolicy.json", "guest invitation and app creation settings unknown (BASE-004)"),
];

/// Missing exports, from the loaders' `files_missing` and capabilities.
fn gaps(sources: &[SourceFacts]) -> Vec<Gap> {
    let mut out = Vec::new();
    for s in sources {
        let gap = |export: &str, hides: String| Gap {
            source: s.name.clone(),
            export: export.to_string(),
            hides,
        };
        for m in &s.files_missing {
            let (name, hides) = match m.split_once(": ") {
                Some((n, h)) => (n, h.to_string()),
                None => (
                    m.as_str(),
                    ENTRA_HIDES
                        .iter()
                        .find(|(f, _)| *f == m)
                        .map(|(_, h)| h.to_string())
                        .unwrap_or_else(|| "what it holds is unknown".into()),
                ),
            };
            out.push(gap(name, hides));
        }
        let listed = |f: &str| s.files_missing.iter().any(|m| m.starts_with(f));
        if !s.capabilities.sign_in && s.identities > 0 {
            let export = if s.kind == "entra" {
                "users.json signInActivity"
            } else {
                "sign-in activity"
            };
            out.push(gap(export, sign_in_hidden(&s.kind)));
        }
        if s.kind != "entra" && !s.capabilities.mfa && DIRECTORY_KINDS.contains(&s.kind.as_str()) {
            out.push(gap(
                "MFA registration",
                "MFA registration unknown (BASE-002, PRIV-001 not evaluable)".into(),
            ));
        }
        let roles_listed = s.kind == "entra" && listed("roleAssignments.json");
        if !s.capabilities.roles && !roles_listed {
            out.push(gap(
                "role assignments",
                "privilege unknown: who holds which role".into(),
            ));
        }
    }
    out
}

fn identity_mix(identities: &[Identity]) -> IdentityMix {
    let mut by_kind: BTreeMap<&'static str, KindCount> = [
        Kind::Human,
        Kind::Guest,
        Kind::ServiceAccount,
        Kind::Workload,
        Kind::ManagedIdentity,
        Kind::Agent,
        Kind::Shared,
    ]
    .into_iter()
    .map(|k| (k.as_str(), KindCount::default()))
    .collect();
    for i in identities {
        let c = by_kind.entry(i.kind.as_str()).or_default();
        c.total += 1;
        if i.enabled != Some(false) {
            c.enabled += 1;
        }
    }
    IdentityMix {
        total: identities.len(),
        enabled: identities
            .iter()
            .filter(|i| i.enabled != Some(false))
            .count(),
        by_kind,
    }
}

fn day_one(report: &Report, tenant: &str) -> DayOne {
    let mine: Vec<&crate::finding::Finding> = report
        .findings
        .iter()
        .filter(|f| f.tenant == tenant)
        .collect();
    let open: Vec<&&crate::finding::Finding> = mine.iter().filter(|f| f.waived.is_none()).collect();
    let mut by_severity: BTreeMap<&'static str, usize> =
        Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
    for f in &open {
        *by_severity.entry(f.severity.as_str()).or_default() += 1;
        *by_rule.entry(f.rule.clone()).or_default() += 1;
    }
    let mut sorted = open.clone();
    sorted.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.rule.cmp(&b.rule))
            .then(a.subject.reference.cmp(&b.subject.reference))
    });
    let top = sorted
        .iter()
        .take(TOP_FINDINGS)
        .map(|f| TopFinding {
            rule: f.rule.clone(),
            severity: f.severity,
            subject: f.subject.reference.clone(),
            name: f
                .subject
                .principal_name
                .clone()
                .or_else(|| f.subject.display_name.clone()),
            message: f.message.clone(),
        })
        .collect();
    let not_evaluable = report
        .tenants
        .iter()
        .filter(|t| t.id == tenant)
        .flat_map(|t| &t.rules)
        .filter(|r| r.verdict == RuleVerdict::NotEvaluable)
        .map(|r| NotEvaluableRule {
            rule: r.rule.clone(),
            subjects: r.not_evaluable,
        })
        .collect();
    DayOne {
        findings: open.len(),
        waived: mine.len() - open.len(),
        by_severity,
        by_rule,
        top,
        not_evaluable,
    }
}
