//! Blockers (no-go) and conditions (go with conditions), each with its state, reason, evidence
//! and fix, read from the tenant's facts, its coverage and its day-one findings. The table of
//! issues is in the parent module's doc. Unknown data is its own state, never "no".

use super::types::*;
use crate::model::Identity;
use crate::normalise::TenantModel;
use crate::policy::metadata::Severity;
use serde_json::{json, Value};

fn name(i: &Identity) -> String {
    i.display_name
        .clone()
        .or_else(|| i.principal_name.clone())
        .unwrap_or_else(|| i.object_id.clone())
}

/// Push the blockers and conditions of a tenant.
pub(super) fn issues(
    ctx: &Context,
    model: &TenantModel,
    sot: Option<&str>,
    sources: &[SourceCoverage],
    day_one: &DayOne,
    blockers: &mut Vec<Issue>,
    conditions: &mut Vec<Issue>,
) {
    let facts = &model.tenant;
    // MFA enforcement: BASE-001's facts, the source of truth's when it is a directory.
    let entries: Vec<&crate::model::MfaEnforcement> = {
        let own: Vec<_> = facts
            .mfa_enforcement
            .iter()
            .filter(|e| e.source_of_truth)
            .collect();
        if own.is_empty() {
            facts.mfa_enforcement.iter().collect()
        } else {
            own
        }
    };
    let off: Vec<_> = entries
        .iter()
        .filter(|e| e.enforced == Some(false))
        .collect();
    let unknown: Vec<_> = entries.iter().filter(|e| e.enforced.is_none()).collect();
    if !off.is_empty() {
        blockers.push(Issue {
            id: "mfa-enforcement",
            state: IssueState::Fail,
            title: "No MFA enforcement".into(),
            reason: format!(
                "{} does not require MFA of all users: no enabled Conditional Access policy for all users and all apps, and security defaults are off",
                off.iter().map(|e| e.source.as_str()).collect::<Vec<_>>().join(", ")
            ),
            evidence: json!(off
                .iter()
                .map(|e| json!({"source": e.source, "enforced": e.enforced, "mechanism": e.mechanism, "partial": e.partial, "report_only": e.report_only, "reason": e.reason}))
                .collect::<Vec<_>>()),
            fix: "Require MFA of every user before onboarding: an enabled Conditional Access policy for All users and All cloud apps (break-glass accounts excluded), or turn on security defaults".into(),
        });
    } else if !unknown.is_empty() || entries.is_empty() {
        conditions.push(Issue {
            id: "mfa-enforcement",
            state: IssueState::Unknown,
            title: "MFA enforcement unknown".into(),
            reason: if entries.is_empty() {
                "no directory source whose export shows MFA enforcement".into()
            } else {
                unknown
                    .iter()
                    .map(|e| format!("{}: {}", e.source, e.reason.as_deref().unwrap_or("unknown")))
                    .collect::<Vec<_>>()
                    .join("; ")
            },
            evidence: json!(unknown
                .iter()
                .map(|e| json!({"source": e.source, "enforced": null, "reason": e.reason}))
                .collect::<Vec<_>>()),
            fix: "Export conditionalAccessPolicies.json and identitySecurityDefaultsEnforcementPolicy.json (Policy.Read.All) and confirm MFA is required of every user".into(),
        });
    }
    // Standing top-role holders: PRIV-002/003's facts and params.
    let max = ctx
        .params
        .get("max_top_admins")
        .and_then(Value::as_u64)
        .unwrap_or(4) as usize;
    let min = ctx
        .params
        .get("min_top_admins")
        .and_then(Value::as_u64)
        .unwrap_or(2) as usize;
    for tr in &facts.top_roles {
        let holders: Vec<Value> = tr
            .holders
            .iter()
            .filter(|h| h.standing && h.enabled != Some(false))
            .map(|h| json!({"ref": h.reference, "principal_name": h.principal_name}))
            .collect();
        if tr.standing_count > max {
            blockers.push(Issue {
                id: "top-admins",
                state: IssueState::Fail,
                title: format!("Too many standing {} holders", tr.role_name),
                reason: format!(
                    "{} has {} standing holders of {} (max_top_admins {max})",
                    tr.source, tr.standing_count, tr.role_name
                ),
                evidence: json!({"source": tr.source, "role": tr.role_name, "standing_count": tr.standing_count, "max_top_admins": max, "holders": holders}),
                fix: format!(
                    "Reduce standing {} holders in {} to at most {max} (named admins and break-glass accounts); make the rest eligible (PIM) or give them lesser roles",
                    tr.role_name, tr.source
                ),
            });
        } else if tr.enabled_standing_count < min {
            conditions.push(Issue {
                id: "top-admins-few",
                state: IssueState::Fail,
                title: format!("Too few standing {} holders", tr.role_name),
                reason: format!(
                    "{} has {} enabled standing holders of {} (min_top_admins {min}): no break-glass account",
                    tr.source, tr.enabled_standing_count, tr.role_name
                ),
                evidence: json!({"source": tr.source, "role": tr.role_name, "enabled_standing_count": tr.enabled_standing_count, "min_top_admins": min, "holders": holders}),
                fix: "Create two monitored break-glass accounts holding the top role, excluded from Conditional Access lockouts".into(),
            });
        }
    }
    if let Some(s) = sources
        .iter()
        .find(|s| s.source_of_truth && s.privilege == "unknown")
    {
        conditions.push(Issue {
            id: "privilege-unknown",
            state: IssueState::Unknown,
            title: "Privilege unknown".into(),
            reason: format!(
                "{}: role assignments are not exported: who holds admin roles, and how many top admins there are, cannot be told",
                s.source
            ),
            evidence: json!({"source": s.source, "privilege": "unknown"}),
            fix: "Export the role assignments (Entra: roleAssignments.json with roleDefinitions.json)".into(),
        });
    }
    // Privileged non-human identities and their owners.
    let privileged_nhi: Vec<&Identity> = model
        .identities
        .iter()
        .filter(|i| i.kind.is_non_human() && i.privileged == Some(true) && i.enabled != Some(false))
        .collect();
    let ownerless: Vec<&&Identity> = privileged_nhi
        .iter()
        .filter(|i| {
            i.owners
                .as_ref()
                .is_some_and(|o| o.iter().all(|o| o.enabled == Some(false)))
        })
        .collect();
    let owner_unknown: Vec<&&Identity> = privileged_nhi
        .iter()
        .filter(|i| i.owners.is_none())
        .collect();
    let nhi_evidence = |list: &[&&Identity]| {
        json!(list
            .iter()
            .map(|i| json!({
                "ref": i.reference,
                "name": name(i),
                "kind": i.kind.as_str(),
                "roles": i.roles.iter().filter(|r| r.privileged).map(|r| r.role_name.clone().unwrap_or_else(|| r.role_id.clone())).collect::<Vec<_>>(),
                "owners": i.owners.as_ref().map(|o| o.iter().map(|o| json!({"id": o.id, "principal_name": o.principal_name, "enabled": o.enabled})).collect::<Vec<_>>()),
            }))
            .collect::<Vec<_>>())
    };
    if !ownerless.is_empty() {
        blockers.push(Issue {
            id: "ownerless-privileged-nhi",
            state: IssueState::Fail,
            title: "Privileged non-human identity without an owner".into(),
            reason: format!(
                "{} privileged non-human identit{} with no enabled owner: {}",
                ownerless.len(),
                if ownerless.len() == 1 { "y" } else { "ies" },
                ownerless
                    .iter()
                    .map(|i| name(i))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            evidence: nhi_evidence(&ownerless),
            fix: format!(
                "Give {} an accountable owner (an enabled person), or remove its privileged role",
                ownerless
                    .iter()
                    .map(|i| name(i))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    if !owner_unknown.is_empty() {
        conditions.push(Issue {
            id: "nhi-ownership-unknown",
            state: IssueState::Unknown,
            title: "Ownership of privileged non-human identities unknown".into(),
            reason: format!(
                "the export does not show the owners of {}",
                owner_unknown.iter().map(|i| name(i)).collect::<Vec<_>>().join(", ")
            ),
            evidence: nhi_evidence(&owner_unknown),
            fix: "Export the owners (Entra: applications.json with owners) and confirm each has an accountable owner".into(),
        });
    }
    // Day-one findings.
    let crit = day_one.by_severity.get("critical").copied().unwrap_or(0);
    let high = day_one.by_severity.get("high").copied().unwrap_or(0);
    let listed = |sev: Severity| {
        json!(day_one
            .top
            .iter()
            .filter(|f| f.severity == sev)
            .map(|f| json!({"rule": f.rule, "subject": f.subject, "name": f.name}))
            .collect::<Vec<_>>())
    };
    if crit > 0 {
        blockers.push(Issue {
            id: "critical-findings",
            state: IssueState::Fail,
            title: "Critical day-one findings".into(),
            reason: format!("{crit} critical finding(s) if onboarded today"),
            evidence: listed(Severity::Critical),
            fix: format!(
                "Fix the critical findings before onboarding: {}",
                day_one
                    .top
                    .iter()
                    .filter(|f| f.severity == Severity::Critical)
                    .map(|f| format!("{} on {}", f.rule, f.name.as_deref().unwrap_or(&f.subject)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    if high > 0 {
        conditions.push(Issue {
            id: "high-findings",
            state: IssueState::Fail,
            title: "High day-one findings".into(),
            reason: format!("{high} high finding(s) if onboarded today"),
            evidence: listed(Severity::High),
            fix: "Plan the fix of the high findings into the first weeks of onboarding".into(),
        });
    }
    // Source-of-truth data quality.
    if let Some(s) = sources.iter().find(|s| s.source_of_truth) {
        let most_unknown = |m: &Metric, known: usize| {
            m.population > 0 && (m.with.is_none() || known * 2 < m.population)
        };
        if most_unknown(&s.sign_in, s.sign_in.with.unwrap_or(0)) {
            conditions.push(Issue {
                id: "sign-in-unknown",
                state: IssueState::Unknown,
                title: "Sign-in data unknown".into(),
                reason: format!(
                    "{}: last sign-in unknown for {} of {} enabled humans: staleness is unknown, never zero",
                    s.source,
                    s.sign_in.population - s.sign_in.with.unwrap_or(0),
                    s.sign_in.population
                ),
                evidence: json!({"source": s.source, "sign_in": s.sign_in, "stale_humans": s.stale_humans}),
                fix: if s.kind == "entra" {
                    "Export users.json with signInActivity (Entra ID P1 or P2, AuditLog.Read.All) so stale accounts are found before onboarding".into()
                } else {
                    format!("Export the {} users with their last sign-in", s.kind)
                },
            });
        }
        if most_unknown(&s.mfa_registration, s.mfa_registration.with.unwrap_or(0)) {
            conditions.push(Issue {
                id: "mfa-registration-unknown",
                state: IssueState::Unknown,
                title: "MFA registration unknown".into(),
                reason: format!(
                    "{}: MFA registration unknown for {} of {} enabled humans",
                    s.source,
                    s.mfa_registration.population - s.mfa_registration.with.unwrap_or(0),
                    s.mfa_registration.population
                ),
                evidence: json!({"source": s.source, "mfa_registration": s.mfa_registration}),
                fix: if s.kind == "entra" {
                    "Export userRegistrationDetails.json (Entra ID P1 or P2, AuditLog.Read.All)"
                        .into()
                } else {
                    format!("Export the {} MFA factors of every user", s.kind)
                },
            });
        }
        if s.employee_id.population > 0
            && s.employee_id.share_pct.unwrap_or(0) < EMPLOYEE_ID_MIN_PCT
        {
            conditions.push(Issue {
                id: "employee-id-coverage",
                state: IssueState::Fail,
                title: "Employee ids missing".into(),
                reason: format!(
                    "{}: {} of {} enabled humans carry an employee id ({}%, below {EMPLOYEE_ID_MIN_PCT}%): downstream accounts and leavers match on weaker keys",
                    s.source,
                    s.employee_id.with.unwrap_or(0),
                    s.employee_id.population,
                    s.employee_id.share_pct.unwrap_or(0)
                ),
                evidence: json!({"source": s.source, "employee_id": s.employee_id}),
                fix: "Populate employeeId from HR on every active person in the source of truth".into(),
            });
        }
    }
    if ctx.config.source_of_truth.is_none() {
        conditions.push(Issue {
            id: "no-source-of-truth",
            state: IssueState::Fail,
            title: "No source of truth declared".into(),
            reason: format!(
                "{} names no source_of_truth; {} was assessed in its place",
                ctx.config.config_file,
                sot.unwrap_or("no source")
            ),
            evidence: json!({"config_file": ctx.config.config_file, "assessed_source": sot}),
            fix: "Set source_of_truth in tenant.toml to the directory that is authoritative for who should have access".into(),
        });
    }
}
