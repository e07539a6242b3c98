//! The readiness report's types (`driftgate.readiness/v1`): what is serialised, nothing computed.

use crate::estate::TenantConfig;
use crate::policy::metadata::Severity;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Schema id of the JSON output.
pub const SCHEMA: &str = "driftgate.readiness/v1";

/// How many day-one findings are listed (all are counted).
pub const TOP_FINDINGS: usize = 10;

/// Share of enabled humans below which missing employee ids are a condition (percent).
pub const EMPLOYEE_ID_MIN_PCT: u32 = 80;

/// The score formula, as reported beside the score.
pub const FORMULA: &str = "score = clamp(40 + coverage - penalty, 0, 100); coverage = 15*E/N + 10*M/N + 15*S/N + 10*R/N + 10*P (each term rounded half up, 0 when N = 0; N enabled humans in the source of truth; E employee id, M manager, S sign-in known, R MFA registration known; P = 1 when role assignments are exported; unknown earns no points); penalty = 10 per blocker + 3 per condition + min(20, 5*critical + 2*high open day-one findings)";

/// Go, go with conditions, or no-go.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Go,
    GoWithConditions,
    NoGo,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Go => "go",
            Verdict::GoWithConditions => "go-with-conditions",
            Verdict::NoGo => "no-go",
        }
    }
}

/// What the caller knows beyond the model and report.
pub struct Context<'a> {
    pub config: &'a TenantConfig,
    /// The estate's name, when the tenant sits in one.
    pub estate: Option<&'a str>,
    pub as_of: chrono::DateTime<chrono::Utc>,
    /// `flag`, `tenant`, `estate` or `now`.
    pub as_of_source: &'a str,
    /// The tenant's merged params (rule defaults < estate < tenant).
    pub params: &'a BTreeMap<String, Value>,
}

/// The whole readiness report (`driftgate.readiness/v1`).
#[derive(Debug, Clone, Serialize)]
pub struct Readiness {
    pub schema: &'static str,
    pub tool: Tool,
    pub tenant: TenantInfo,
    pub as_of: String,
    pub as_of_source: String,
    pub verdict: Verdict,
    pub score: u32,
    pub score_breakdown: Score,
    /// One line per blocker, then per condition: why the verdict is what it is.
    pub reasons: Vec<String>,
    /// The fixes to make first: blockers' fixes, then conditions'.
    pub fixes_first: Vec<String>,
    pub coverage: Coverage,
    pub identity_mix: IdentityMix,
    pub day_one: DayOne,
    pub blockers: Vec<Issue>,
    pub conditions: Vec<Issue>,
    /// The loaders' warnings for this tenant.
    pub warnings: Vec<String>,
    /// Printed on standard error (e.g. a forced non-prospect status); not serialised.
    #[serde(skip)]
    pub notices: Vec<String>,
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
    /// The estate it was assessed in; null for a tenant folder on its own (defaults).
    pub estate: Option<String>,
    /// As declared in tenant.toml; null when it names none.
    pub source_of_truth: Option<String>,
    /// The source assessed as the source of truth (declared, else the first directory source).
    pub assessed_source: Option<String>,
    /// Assessed with `--force` although its status is not prospect/onboarding.
    pub forced: bool,
}

/// The score and how it was reached.
#[derive(Debug, Clone, Serialize)]
pub struct Score {
    pub formula: &'static str,
    pub base: u32,
    /// Coverage points per term: employee_id (15), manager (10), sign_in (15),
    /// mfa_registration (10), privilege (10).
    pub terms: BTreeMap<&'static str, u32>,
    pub coverage: u32,
    pub blocker_penalty: u32,
    pub condition_penalty: u32,
    pub findings_penalty: u32,
    pub total: u32,
}

/// complete | partial | none | unknown | not_applicable
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MetricState {
    /// Every identity of the population has it.
    Complete,
    Partial,
    /// The export shows the field, and no identity has it set.
    None,
    /// The export cannot show it (licence, missing file): neither yes nor no.
    Unknown,
    /// No identity to measure.
    NotApplicable,
}

/// One coverage measure over a source's enabled humans.
#[derive(Debug, Clone, Serialize)]
pub struct Metric {
    pub population: usize,
    /// How many have it; null when unknown.
    pub with: Option<usize>,
    /// Percent, rounded down; null when unknown or the population is empty.
    pub share_pct: Option<u32>,
    pub state: MetricState,
    /// Why it is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Coverage of one source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceCoverage {
    pub source: String,
    pub kind: String,
    pub source_of_truth: bool,
    pub identities: usize,
    /// Kind `human`, not disabled: the population of every metric.
    pub enabled_humans: usize,
    pub employee_id: Metric,
    pub manager: Metric,
    pub sign_in: Metric,
    pub mfa_registration: Metric,
    /// Humans with MFA registered; null when registration is unknown.
    pub mfa_registered: Option<usize>,
    /// Humans whose last sign-in is older than `stale_days`; null when sign-in is unknown.
    pub stale_humans: Option<usize>,
    /// `known` when role assignments are exported, else `unknown`.
    pub privilege: &'static str,
}

/// An export that is missing, and what that hides.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Gap {
    pub source: String,
    pub export: String,
    pub hides: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// The source assessed as the source of truth.
    pub source_of_truth: Option<String>,
    /// The source of truth first, then the others in tenant.toml order.
    pub sources: Vec<SourceCoverage>,
    pub gaps: Vec<Gap>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
pub struct KindCount {
    pub total: usize,
    pub enabled: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct IdentityMix {
    pub total: usize,
    pub enabled: usize,
    /// Every kind of the model (`human`, `guest`, `service_account`, `workload`,
    /// `managed_identity`, `agent`, `shared` always present, others when found).
    pub by_kind: BTreeMap<&'static str, KindCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TopFinding {
    pub rule: String,
    pub severity: Severity,
    pub subject: String,
    pub name: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotEvaluableRule {
    pub rule: String,
    pub subjects: usize,
}

/// What the shipped rules raise if the tenant were onboarded today.
#[derive(Debug, Clone, Serialize)]
pub struct DayOne {
    /// Open findings (not waived).
    pub findings: usize,
    pub waived: usize,
    /// Open findings per severity (every severity present).
    pub by_severity: BTreeMap<&'static str, usize>,
    /// Open findings per rule.
    pub by_rule: BTreeMap<String, usize>,
    /// The first open findings by severity (most severe first), then rule and subject.
    pub top: Vec<TopFinding>,
    /// Rules that could not judge some subjects.
    pub not_evaluable: Vec<NotEvaluableRule>,
}

/// fail | unknown
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum IssueState {
    /// The exports show the problem.
    Fail,
    /// The exports cannot tell: never reported as "no".
    Unknown,
}

/// A blocker or a condition.
#[derive(Debug, Clone, Serialize)]
pub struct Issue {
    pub id: &'static str,
    pub state: IssueState,
    pub title: String,
    pub reason: String,
    pub evidence: Value,
    pub fix: String,
}
