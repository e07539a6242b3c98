//! A small hand-built report for the renderers' unit tests: two tenants, three rules, every
//! verdict, a hostile display name, a finding without provenance and a waived finding. Test-only.

use super::drift::{Cell, Matrix, MatrixRow, TenantDrift};
use super::*;
use crate::finding::Subject;
use crate::model::Provenance;
use std::sync::Arc;

/// A display name that breaks every format it is not escaped in.
pub const HOSTILE: &str = "<script>alert(1)</script> | & \"x\"";

fn rule(id: &str, title: &str, severity: Severity) -> RuleInfo {
    RuleInfo {
        id: id.into(),
        title: title.into(),
        description: format!("{title}: what it checks"),
        remediation: "fix it".into(),
        severity,
        scope: Default::default(),
        origin: crate::policy::Origin::Builtin,
        file: format!("builtin:policies/{id}.rego"),
        controls: BTreeMap::from([("cis-v8".to_string(), vec!["5.3".to_string()])]),
        effective_on: None,
    }
}

/// A finding of `rule` on subject `reference` in tenant `t`.
pub fn finding(rule: &str, severity: Severity, reference: &str, n: usize) -> Finding {
    Finding {
        rule: rule.into(),
        title: Arc::from("title"),
        severity,
        tenant: "t".into(),
        subject: Subject {
            reference: reference.into(),
            id: Some(format!("{n}")),
            display_name: Some(format!("user {n}")),
            principal_name: None,
            kind: Some("user".into()),
            source: Some("entra".into()),
        },
        message: format!("finding {n} with *stars* and `ticks`"),
        evidence: serde_json::json!({ "n": n }),
        provenance: vec![Provenance {
            source: "entra".into(),
            file: "tenants/t/entra/users.json".into(),
            record: n as u64 + 1,
            line: None,
        }],
        controls: Arc::new(BTreeMap::new()),
        remediation: Arc::from("fix it"),
        fingerprint: format!("{n:032x}"),
        key: None,
        waived: None,
    }
}

fn verdict(rule: &str, verdict: Verdict, findings: usize) -> RuleVerdict {
    RuleVerdict {
        rule: rule.into(),
        verdict,
        findings: if verdict == Verdict::Waived {
            0
        } else {
            findings
        },
        waived: if verdict == Verdict::Waived {
            findings
        } else {
            0
        },
        not_evaluable: usize::from(verdict == Verdict::NotEvaluable),
        not_evaluable_subjects: if verdict == Verdict::NotEvaluable {
            vec![crate::finding::NotEvaluable {
                subject: "entra/<b>".into(),
                key: None,
                reason: "no sign-in data & no <audit> log".into(),
            }]
        } else {
            vec![]
        },
    }
}

fn tenant(id: &str, rules: Vec<RuleVerdict>, score: Option<u32>) -> TenantReport {
    TenantReport {
        id: id.into(),
        name: id.into(),
        status: "active".into(),
        state: TenantState::Audited,
        as_of: None,
        config_file: format!("tenants/{id}/tenant.toml"),
        identities: 10,
        sources: vec![],
        counts: zero_counts(),
        rules,
        errors: vec![],
        warnings: vec![],
        drift: TenantDrift {
            score,
            ..Default::default()
        },
        review: None,
    }
}

/// The sample report; `extra` more low findings of STALE-001 in tenant `t`.
pub fn sample_with(extra: usize) -> Report {
    let mut hostile = finding("PRIV-001", Severity::High, "entra/1", 1);
    hostile.subject.display_name = Some(HOSTILE.into());
    hostile.message = format!("{HOSTILE} holds Global Administrator");
    hostile.provenance = vec![Provenance {
        source: "ad".into(),
        file: "tenants/t/a b/users.csv".into(),
        record: 6,
        line: Some(7),
    }];
    let mut bare = finding("STALE-001", Severity::Low, "tenant", 2);
    bare.provenance.clear();
    let mut waived = finding("STALE-001", Severity::Low, "entra/w", 3);
    waived.tenant = "u".into();
    waived.waived = Some(Box::new(crate::waiver::Applied {
        declared: "tenants/u/tenant.toml:9".into(),
        rule: "STALE-*".into(),
        subject: "entra/w".into(),
        reason: "kept for <legal> hold & audit".into(),
        owner: "ops@msp.example".into(),
        approver: "ciso@msp.example".into(),
        ticket: Some("CHG-7".into()),
        expires: Some("2026-12-31".into()),
    }));
    let mut findings = vec![hostile, bare, waived];
    findings.extend((0..extra).map(|i| finding("STALE-001", Severity::Low, "entra/x", 100 + i)));
    let stale = findings.len() - 2;
    let mut t = tenant(
        "t",
        vec![
            verdict("BASE-001", Verdict::NotEvaluable, 0),
            verdict("PRIV-001", Verdict::Fail, 1),
            verdict("STALE-001", Verdict::Fail, stale),
        ],
        Some(40),
    );
    t.counts.insert(Severity::High, 1);
    t.counts.insert(Severity::Low, stale);
    let u = tenant(
        "u",
        vec![
            verdict("BASE-001", Verdict::Pass, 0),
            verdict("PRIV-001", Verdict::Error, 0),
            verdict("STALE-001", Verdict::Waived, 1),
        ],
        None,
    );
    let cells = |t: &TenantReport| {
        t.rules
            .iter()
            .map(|r| Cell {
                verdict: r.verdict,
                findings: r.findings,
            })
            .collect()
    };
    let matrix = Matrix {
        rules: vec!["BASE-001".into(), "PRIV-001".into(), "STALE-001".into()],
        rows: vec![
            MatrixRow {
                tenant: "t".into(),
                score: Some(40),
                cells: cells(&t),
            },
            MatrixRow {
                tenant: "u".into(),
                score: None,
                cells: cells(&u),
            },
        ],
    };
    Report {
        schema: SCHEMA_VERSION,
        tool: Tool {
            name: "driftgate",
            version: "0.0.0",
        },
        run: RunInfo {
            estate: "Est | ate".into(),
            as_of: "2026-11-20T06:00:00Z".into(),
            as_of_source: "flag".into(),
            complete: false,
            tenants_selected: vec![],
        },
        rules: vec![
            rule("BASE-001", "MFA not enforced", Severity::Medium),
            rule("PRIV-001", "Standing <admin> & more", Severity::High),
            rule("STALE-001", "Stale account", Severity::Low),
        ],
        frameworks: BTreeMap::from([(
            "cis-v8".to_string(),
            crate::controls::FrameworkRef {
                title: "CIS Controls v8".into(),
                controls: BTreeMap::from([("5.3".into(), "Disable <Dormant> Accounts".into())]),
            },
        )]),
        tenants: vec![t, u],
        summary: Summary {
            tenants: 2,
            tenants_audited: 2,
            tenants_failed: 0,
            identities: 20,
            findings: findings.len() - 1,
            waived: 1,
            by_severity: zero_counts(),
        },
        findings,
        policy_errors: vec![PolicyError {
            rule: Some("PRIV-001".into()),
            tenant: Some("u".into()),
            file: None,
            line: None,
            message: "undefined <ref> & co".into(),
        }],
        matrix,
        trend: Vec::new(),
    }
}

pub fn sample() -> Report {
    sample_with(0)
}
