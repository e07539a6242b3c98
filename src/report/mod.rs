//! The report: the one finished, serialisable result of a run, and the renderers over it.
//!
//! `report.json` is this type serialised (schema documented in docs/report-schema.md). Renderers
//! take a finished report and a writer; none of them changes it. The exit code is a pure function
//! of the report and `--fail-on`.

pub mod csv;
pub mod diff;
pub mod drift;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod ocsf;
pub mod oscal;
#[cfg(test)]
mod sample;
pub mod sarif;
pub mod table;

use crate::finding::{Finding, NotEvaluable};
use crate::policy::metadata::Severity;
use crate::policy::PolicyError;
use serde::Serialize;
use std::collections::BTreeMap;

/// Bumped on any incompatible change to report.json.
pub const SCHEMA_VERSION: &str = "driftgate.report/v1";

/// How many not-evaluable subjects a tenant × rule entry lists (the count is always exact).
pub const NOT_EVALUABLE_LISTED: usize = 25;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub tool: Tool,
    pub run: RunInfo,
    pub rules: Vec<RuleInfo>,
    /// The frameworks and controls the rules map to, with their titles from the control
    /// catalogues (`policies/controls/`, a user folder's `controls/`); unknown ones are absent.
    pub frameworks: BTreeMap<String, crate::controls::FrameworkRef>,
    pub tenants: Vec<TenantReport>,
    pub findings: Vec<Finding>,
    pub policy_errors: Vec<PolicyError>,
    pub summary: Summary,
    /// Tenants × rules: where the estate deviates from the standard (see [`drift`]).
    pub matrix: drift::Matrix,
    /// Drift scores of the earlier runs this one was compared with (`audit --baseline`), oldest
    /// first; absent without a baseline.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trend: Vec<TrendPoint>,
}

/// One earlier run's drift score per tenant (null: the tenant had none, e.g. not audited).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct TrendPoint {
    pub run: String,
    pub as_of: String,
    pub scores: BTreeMap<String, Option<u64>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub estate: String,
    /// RFC 3339; the run-wide as_of (tenants may carry their own).
    pub as_of: String,
    /// flag | estate | now
    pub as_of_source: String,
    /// False when any tenant could not be audited or any policy failed: the report is partial.
    pub complete: bool,
    pub tenants_selected: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleInfo {
    pub id: String,
    pub title: String,
    /// What the rule checks (its METADATA description).
    pub description: String,
    pub remediation: String,
    pub severity: Severity,
    pub scope: crate::policy::metadata::Scope,
    pub origin: crate::policy::Origin,
    pub file: String,
    pub controls: BTreeMap<String, Vec<String>>,
    /// METADATA `custom.effective_on` (YYYY-MM-DD): before it (at the run's as_of) the rule's
    /// findings are warnings and do not count for `--fail-on`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_on: Option<String>,
}

/// audited | error
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TenantState {
    Audited,
    Error,
}

/// Per tenant × rule verdict. `not_evaluable`: no finding, but some subjects could not be judged.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Fail,
    /// Every finding is covered by a waiver in force (see [`crate::waiver`]).
    Waived,
    NotEvaluable,
    Pass,
    /// The rule raised a policy error in this tenant.
    Error,
    /// The tenant's inputs could not be loaded.
    NotAudited,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleVerdict {
    pub rule: String,
    pub verdict: Verdict,
    /// Findings not covered by a waiver.
    pub findings: usize,
    /// Findings covered by a waiver in force (still listed in `findings[]`, marked `waived`).
    pub waived: usize,
    pub not_evaluable: usize,
    /// The first subjects that could not be judged, with the reason.
    pub not_evaluable_subjects: Vec<NotEvaluable>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TenantReport {
    pub id: String,
    pub name: String,
    pub status: String,
    pub state: TenantState,
    pub as_of: Option<String>,
    pub config_file: String,
    pub identities: usize,
    pub sources: Vec<crate::model::SourceFacts>,
    /// Findings by severity (all five keys present).
    pub counts: BTreeMap<Severity, usize>,
    pub rules: Vec<RuleVerdict>,
    pub errors: Vec<InputError>,
    pub warnings: Vec<String>,
    /// Drift score and counts (see [`drift`]).
    pub drift: drift::TenantDrift,
    /// Access review coverage (see [`crate::review`]); null when not audited.
    pub review: Option<crate::review::Coverage>,
}

/// A config or load problem that stopped a tenant from being audited: file, line or record,
/// field, message.
pub use crate::load::LoadError as InputError;

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub tenants: usize,
    pub tenants_audited: usize,
    pub tenants_failed: usize,
    pub identities: usize,
    /// Findings not covered by a waiver (`by_severity` counts these).
    pub findings: usize,
    /// Findings a waiver in force covers (listed in `findings[]` too, marked `waived`).
    pub waived: usize,
    pub by_severity: BTreeMap<Severity, usize>,
}

/// Zeroed counts for every severity, so every report has the same keys.
pub fn zero_counts() -> BTreeMap<Severity, usize> {
    Severity::ALL.iter().map(|s| (*s, 0)).collect()
}

/// Exit codes, pinned by CLI tests.
pub mod exit {
    pub const CLEAN: i32 = 0;
    pub const FINDINGS: i32 = 1;
    pub const INPUT_ERROR: i32 = 2;
    pub const POLICY_ERROR: i32 = 3;
}

/// 3 on any policy error, else 2 when a tenant could not be audited, else 1 when a finding is at
/// or above `fail_on`, else 0.
pub fn exit_code(report: &Report, fail_on: Option<Severity>) -> i32 {
    if !report.policy_errors.is_empty()
        || report
            .tenants
            .iter()
            .any(|t| t.rules.iter().any(|r| r.verdict == Verdict::Error))
    {
        exit::POLICY_ERROR
    } else if report.tenants.iter().any(|t| t.state == TenantState::Error) {
        exit::INPUT_ERROR
    } else if fail_on.is_some_and(|min| {
        let pending = not_yet_effective(report);
        report
            .findings
            .iter()
            .any(|f| f.severity >= min && f.waived.is_none() && !pending.contains(f.rule.as_str()))
    }) {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}

/// Rules whose `effective_on` is after the run's as_of: their findings are warnings.
pub fn not_yet_effective(report: &Report) -> std::collections::BTreeSet<&str> {
    let as_of = chrono::DateTime::parse_from_rfc3339(&report.run.as_of).map(|t| t.to_utc());
    report
        .rules
        .iter()
        .filter(|r| {
            as_of
                .is_ok_and(|t| !crate::policy::metadata::effective_at(r.effective_on.as_deref(), t))
        })
        .map(|r| r.id.as_str())
        .collect()
}

/// Open (not waived) findings of the rules in `pending` ([`not_yet_effective`]): warnings.
pub fn warning_count(report: &Report, pending: &std::collections::BTreeSet<&str>) -> usize {
    report
        .findings
        .iter()
        .filter(|f| f.waived.is_none() && pending.contains(f.rule.as_str()))
        .count()
}

impl Report {
    /// The report without its findings (cheap: everything else is small).
    fn clone_without_findings(&self) -> Report {
        Report {
            schema: self.schema,
            tool: self.tool.clone(),
            run: self.run.clone(),
            rules: self.rules.clone(),
            frameworks: self.frameworks.clone(),
            tenants: self.tenants.clone(),
            findings: Vec::new(),
            policy_errors: self.policy_errors.clone(),
            summary: self.summary.clone(),
            matrix: self.matrix.clone(),
            trend: self.trend.clone(),
        }
    }
}

/// A renderer: a finished report to bytes.
pub type Render = fn(&Report, &mut dyn std::io::Write) -> std::io::Result<()>;

/// Every file a run folder holds besides report.json (and manifest.json, written last), with its
/// renderer. `--format` offers the same renderers on standard output.
pub const RUN_FILES: &[(&str, Render)] = &[
    ("findings.csv", csv::render),
    ("report.sarif", sarif::render),
    ("report.junit.xml", junit::render),
    ("report.md", markdown::render),
    ("report.ocsf.jsonl", ocsf::render),
    ("report.oscal.json", oscal::render),
    ("report.html", html::render),
];

/// report.json text: pretty, newline-terminated, byte-identical for identical inputs.
///
/// Findings are rendered in parallel (they are most of the bytes) and spliced in pre-indented,
/// giving exactly the text `serde_json::to_string_pretty(report)` would.
pub fn to_json(report: &Report) -> String {
    use rayon::prelude::*;
    let head =
        serde_json::to_string_pretty(&report.clone_without_findings()).expect("report serialises");
    let rendered: Vec<String> = report
        .findings
        .par_iter()
        .map(|f| {
            serde_json::to_string_pretty(f)
                .expect("finding serialises")
                .replace('\n', "\n    ")
        })
        .collect();
    const SLOT: &str = "\n  \"findings\": [],";
    let at = head.find(SLOT).expect("top-level findings key");
    let mut s = String::with_capacity(
        head.len() + rendered.iter().map(|r| r.len() + 6).sum::<usize>() + 16,
    );
    s.push_str(&head[..at]);
    if rendered.is_empty() {
        s.push_str(SLOT);
    } else {
        s.push_str("\n  \"findings\": [");
        for (i, r) in rendered.iter().enumerate() {
            s.push_str(if i == 0 { "\n    " } else { ",\n    " });
            s.push_str(r);
        }
        s.push_str("\n  ],");
    }
    s.push_str(&head[at + SLOT.len()..]);
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(policy_errors: usize, tenant_error: bool, severities: &[Severity]) -> Report {
        let finding = |s: Severity| Finding {
            rule: "X-001".into(),
            title: "".into(),
            severity: s,
            tenant: "t".into(),
            subject: crate::finding::Subject {
                reference: "s".into(),
                id: None,
                display_name: None,
                principal_name: None,
                kind: None,
                source: None,
            },
            message: String::new(),
            evidence: serde_json::Value::Null,
            provenance: vec![],
            controls: Default::default(),
            remediation: "".into(),
            fingerprint: String::new(),
            waived: None,
            key: None,
        };
        Report {
            schema: SCHEMA_VERSION,
            tool: Tool {
                name: "driftgate",
                version: "0",
            },
            run: RunInfo {
                estate: String::new(),
                as_of: String::new(),
                as_of_source: String::new(),
                complete: true,
                tenants_selected: vec![],
            },
            rules: vec![],
            frameworks: BTreeMap::new(),
            tenants: vec![TenantReport {
                id: "t".into(),
                name: "t".into(),
                status: "active".into(),
                state: if tenant_error {
                    TenantState::Error
                } else {
                    TenantState::Audited
                },
                as_of: None,
                config_file: String::new(),
                identities: 0,
                sources: vec![],
                counts: zero_counts(),
                rules: vec![],
                errors: vec![],
                warnings: vec![],
                drift: drift::TenantDrift::default(),
                review: None,
            }],
            findings: severities.iter().map(|s| finding(*s)).collect(),
            policy_errors: (0..policy_errors)
                .map(|_| PolicyError {
                    rule: None,
                    tenant: None,
                    file: None,
                    line: None,
                    message: String::new(),
                })
                .collect(),
            summary: Summary {
                tenants: 1,
                tenants_audited: 1,
                tenants_failed: 0,
                identities: 0,
                findings: 0,
                waived: 0,
                by_severity: zero_counts(),
            },
            matrix: drift::Matrix {
                rules: vec![],
                rows: vec![],
            },
            trend: Vec::new(),
        }
    }

    #[test]
    fn parallel_json_is_exactly_the_serial_pretty_print() {
        let mut r = report(0, false, &[Severity::High, Severity::Low]);
        r.findings[0].evidence =
            serde_json::json!({"nested": {"list": [1, {"a": "multi\nline"}]}, "empty": {}});
        let mut serial = serde_json::to_string_pretty(&r).unwrap();
        serial.push('\n');
        assert_eq!(to_json(&r), serial);
        let empty = report(0, false, &[]);
        assert_eq!(
            to_json(&empty),
            serde_json::to_string_pretty(&empty).unwrap() + "\n"
        );
    }

    #[test]
    fn exit_code_table() {
        use Severity::*;
        type Case<'a> = (usize, bool, &'a [Severity], Option<Severity>, i32);
        let cases: &[Case] = &[
            (0, false, &[], Some(High), 0),
            (0, false, &[Medium], Some(High), 0),
            (0, false, &[Medium, High], Some(High), 1),
            (0, false, &[Critical], Some(High), 1),
            (0, false, &[Low], Some(Low), 1),
            (0, false, &[Critical], None, 0),
            (0, true, &[Critical], Some(High), 2),
            (1, true, &[Critical], Some(High), 3),
            (1, false, &[], Some(High), 3),
        ];
        for &(pe, te, sev, fail_on, want) in cases {
            assert_eq!(
                exit_code(&report(pe, te, sev), fail_on),
                want,
                "{pe} {te} {sev:?} {fail_on:?}"
            );
        }
    }

    #[test]
    fn findings_of_a_rule_not_yet_effective_do_not_fail_the_gate() {
        let mut r = report(0, false, &[Severity::Critical]);
        r.run.as_of = "2026-11-20T06:00:00Z".into();
        r.rules.push(RuleInfo {
            id: "X-001".into(),
            title: String::new(),
            description: String::new(),
            remediation: String::new(),
            severity: Severity::Critical,
            scope: crate::policy::metadata::Scope::Identity,
            origin: crate::policy::Origin::User,
            file: String::new(),
            controls: BTreeMap::new(),
            effective_on: Some("2026-11-21".into()),
        });
        assert_eq!(exit_code(&r, Some(Severity::Low)), exit::CLEAN);
        r.rules[0].effective_on = Some("2026-11-20".into());
        assert_eq!(exit_code(&r, Some(Severity::Low)), exit::FINDINGS);
    }

    #[test]
    fn waived_findings_do_not_fail_the_gate() {
        let mut r = report(0, false, &[Severity::Critical]);
        assert_eq!(exit_code(&r, Some(Severity::Low)), exit::FINDINGS);
        r.findings[0].waived = Some(Box::new(crate::waiver::Applied {
            declared: "waivers.toml:1".into(),
            rule: "X-001".into(),
            subject: "s".into(),
            reason: "r".into(),
            owner: "o".into(),
            approver: "a".into(),
            ticket: None,
            expires: None,
        }));
        assert_eq!(exit_code(&r, Some(Severity::Low)), exit::CLEAN);
    }
}
