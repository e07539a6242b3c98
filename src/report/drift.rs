//! The estate view: per tenant a drift score and counts, and the drift matrix (tenants × rules).
//! Computed from the finished verdicts and findings; renders nothing.
//!
//! **Drift score** (0-100, higher is worse): `round(100 × W / (W + N))`, where `W` is the
//! severity-weighted number of findings (critical 10, high 5, medium 2, low 1, info 0) and `N` the
//! identities audited in the tenant. 0 means no finding; 50 means the weighted findings equal the
//! number of identities; it approaches 100 as findings per identity grow, whatever the tenant's
//! size. Not-evaluable rules are not part of the score: they are counted beside it, so a tenant
//! cannot look clean by hiding data.

use super::{TenantReport, TenantState, Verdict};
use crate::finding::Finding;
use crate::model::ProvisioningSummary;
use crate::policy::metadata::Severity;
use serde::Serialize;
use std::collections::BTreeMap;

/// Weight of one finding in the drift score.
pub fn weight(s: Severity) -> u64 {
    match s {
        Severity::Critical => 10,
        Severity::High => 5,
        Severity::Medium => 2,
        Severity::Low => 1,
        Severity::Info => 0,
    }
}

/// One tenant's drift at a glance.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct TenantDrift {
    /// 0-100 (see the module doc); null when the tenant was not audited.
    pub score: Option<u32>,
    /// Severity-weighted finding count `W`.
    pub weighted_findings: u64,
    /// Findings per rule family (the id before the dash: STALE, PRIV, NHI, BASE, DRIFT ...).
    pub by_family: BTreeMap<String, usize>,
    /// Rules whose verdict is `not_evaluable`, and the subjects they could not judge.
    pub rules_not_evaluable: usize,
    pub subjects_not_evaluable: usize,
    /// Accounts no source-of-truth identity accounts for (DRIFT-001 findings).
    pub orphans: usize,
    /// Leavers with access left (DRIFT-002 and LIFE-002 findings).
    pub leavers: usize,
    /// Manual exceptions: the tenant's waivers in force; null when the tenant was not audited.
    pub waivers: Option<usize>,
    /// Share of downstream accounts and privileged grants the automated workflow created, out
    /// of those whose creation the tenant's provisioning logs can judge (see
    /// [`automated_share`]). Null when the tenant has no provisioning log, or nothing to judge.
    pub automated_share: Option<f64>,
}

/// The drift matrix: one row per tenant, one cell per rule, in the report's rule order.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Matrix {
    pub rules: Vec<String>,
    pub rows: Vec<MatrixRow>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MatrixRow {
    pub tenant: String,
    pub score: Option<u32>,
    /// Per rule: the finding count when it failed, else the verdict word.
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Cell {
    pub verdict: Verdict,
    pub findings: usize,
}

fn family(rule: &str) -> String {
    rule.split('-').next().unwrap_or(rule).to_string()
}

/// How repeatable onboarding is: `automated / (automated + manual + no_event)` over downstream
/// accounts and their privileged grants, rounded to 4 decimals. `automated` and `manual` count
/// those a log event accounts for, by who performed it (an application, service or connector;
/// or a person); `no_event` those made inside the logs' window with no event at all, which were
/// made by hand outside the workflow (GOV-003). Made outside the window, or by an actor the log
/// does not name: not counted either way. Null without a log or with nothing counted.
pub fn automated_share(p: Option<&ProvisioningSummary>) -> Option<f64> {
    let p = p?;
    let automated = p.accounts.automated + p.grants.automated;
    let judged =
        automated + p.accounts.manual + p.grants.manual + p.accounts.no_event + p.grants.no_event;
    (judged > 0).then(|| (automated as f64 / judged as f64 * 10_000.0).round() / 10_000.0)
}

/// A tenant's drift from its verdicts and the findings that belong to it. `automated_share` is
/// kept from `t.drift`, where the audit sets it from the tenant's model when it is loaded.
pub fn tenant_drift(t: &TenantReport, findings: &[&Finding]) -> TenantDrift {
    let weighted: u64 = findings.iter().map(|f| weight(f.severity)).sum();
    let mut by_family = BTreeMap::new();
    for f in findings {
        *by_family.entry(family(&f.rule)).or_insert(0) += 1;
    }
    let count = |ids: &[&str]| {
        findings
            .iter()
            .filter(|f| ids.contains(&f.rule.as_str()))
            .count()
    };
    let audited = t.state == TenantState::Audited;
    TenantDrift {
        score: audited.then(|| score(weighted, t.identities as u64)),
        weighted_findings: weighted,
        by_family,
        rules_not_evaluable: t
            .rules
            .iter()
            .filter(|r| r.verdict == Verdict::NotEvaluable)
            .count(),
        subjects_not_evaluable: t.rules.iter().map(|r| r.not_evaluable).sum(),
        orphans: count(&["DRIFT-001"]),
        leavers: count(&["DRIFT-002", "LIFE-002"]),
        waivers: t.drift.waivers,
        automated_share: t.drift.automated_share,
    }
}

/// `round(100 × W / (W + N))`, in integers.
pub fn score(weighted: u64, identities: u64) -> u32 {
    if weighted == 0 {
        return 0;
    }
    ((200 * weighted + weighted + identities) / (2 * (weighted + identities))) as u32
}

/// The matrix over every tenant of the report.
pub fn matrix(rules: &[String], tenants: &[TenantReport], drift: &[TenantDrift]) -> Matrix {
    Matrix {
        rules: rules.to_vec(),
        rows: tenants
            .iter()
            .zip(drift)
            .map(|(t, d)| {
                let by_rule: BTreeMap<&str, &super::RuleVerdict> =
                    t.rules.iter().map(|r| (r.rule.as_str(), r)).collect();
                MatrixRow {
                    tenant: t.id.clone(),
                    score: d.score,
                    cells: rules
                        .iter()
                        .map(|r| match by_rule.get(r.as_str()) {
                            Some(v) => Cell {
                                verdict: v.verdict,
                                findings: v.findings,
                            },
                            None => Cell {
                                verdict: Verdict::NotAudited,
                                findings: 0,
                            },
                        })
                        .collect(),
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_is_zero_clean_half_at_parity_and_bounded() {
        assert_eq!(score(0, 100), 0);
        assert_eq!(score(100, 100), 50);
        assert_eq!(score(10, 0), 100);
        assert_eq!(score(1, 1000), 0);
        assert_eq!(score(5, 95), 5);
        assert_eq!(score(1_000_000, 1), 100);
        // Rounded half up: 100 × 1 / 3 = 33.3 → 33; 100 × 2 / 3 = 66.7 → 67.
        assert_eq!(score(1, 2), 33);
        assert_eq!(score(2, 1), 67);
    }

    #[test]
    fn automated_share_counts_hand_made_accounts_and_ignores_the_unjudgeable() {
        use crate::model::ProvCounts;
        assert_eq!(automated_share(None), None);
        let mut p = ProvisioningSummary::default();
        assert_eq!(automated_share(Some(&p)), None, "nothing judged");
        p.accounts = ProvCounts {
            total: 9,
            matched: 4,
            automated: 2,
            manual: 1,
            no_event: 1,
            outside_window: 4,
        };
        p.grants = ProvCounts {
            total: 2,
            matched: 1,
            automated: 1,
            no_event: 1,
            ..ProvCounts::default()
        };
        // (2 + 1) automated / (3 automated + 1 manual + 2 no_event); the unknown actor and the
        // four accounts outside the window are not counted.
        assert_eq!(automated_share(Some(&p)), Some(0.5));
        p.grants = ProvCounts::default();
        assert_eq!(automated_share(Some(&p)), Some(0.5));
        p.accounts.no_event = 0;
        assert_eq!(automated_share(Some(&p)), Some(0.6667));
    }

    #[test]
    fn weights_order_severities() {
        assert!(weight(Severity::Critical) > weight(Severity::High));
        assert!(weight(Severity::High) > weight(Severity::Medium));
        assert!(weight(Severity::Medium) > weight(Severity::Low));
        assert_eq!(weight(Severity::Info), 0);
    }
}
