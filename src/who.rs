//! Who has access: one person's accounts across every system and tenant of an estate.
//!
//! Finds the accounts whose keys equal the query, widens the set through correlation (the
//! person's source-of-truth identity and every account matched to it), and attaches the findings
//! the real audit ([`audit::run`]) reports about each. It selects and shapes only: it judges
//! nothing (findings come from the rules, `leaver_access` is copied from correlation facts) and
//! prints nothing (the renderers take a writer; the exit code is a pure function of the answer).

use crate::audit::{self, Fatal, Loaded};
use crate::estate::{Estate, MSP_TENANT};
use crate::model::{Identity, Kind, MatchKey, MatchState, Provenance, Status, TimeQuality, Ts};
use crate::policy::metadata::Severity;
use crate::policy::PolicySet;
use crate::report::{exit, TenantState};
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeSet;
use std::io::Write;

/// What the caller chose.
pub struct Options {
    /// `--as-of`: wins over tenant and estate.
    pub as_of: Option<DateTime<Utc>>,
    /// `--tenant`: search only these (empty: all, `_msp` included).
    pub tenants: Vec<String>,
    /// Show progress on standard error (see [`crate::progress`]).
    pub progress: bool,
}

/// The answer to `driftgate who`: what `--format json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// The principal as given (trimmed).
    pub query: String,
    /// The run-wide as_of, RFC 3339.
    pub as_of: String,
    /// Tenants that were loaded and searched, sorted.
    pub searched: Vec<String>,
    /// Every matching account once, sorted by tenant, source, ref.
    pub accounts: Vec<Account>,
    /// Tenants that could not be searched, and policy errors: the answer may be incomplete.
    pub errors: Vec<AnswerError>,
}

/// One account of the person in one system.
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub tenant: String,
    pub source: String,
    pub source_kind: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub object_id: String,
    pub kind: Kind,
    pub principal_name: Option<String>,
    pub display_name: Option<String>,
    /// Can sign in now; null when the export does not say.
    pub enabled: Option<bool>,
    pub status: Status,
    /// The latest sign-in of any kind (`activity.last_any`).
    pub last_activity: Ts,
    pub privileged: Option<bool>,
    pub top_role: Option<bool>,
    /// Role names (the role id when the export names none), sorted, each once.
    pub roles: Vec<String>,
    /// `query`: one of its keys equals the query; `correlation`: linked to an account that does.
    pub found_by: FoundBy,
    pub link: Link,
    /// Enabled while its source-of-truth identity has left (`correlation.sot.gone`).
    pub leaver_access: bool,
    pub provenance: Provenance,
    /// The audit's findings about this account, most severe first.
    pub findings: Vec<AccountFinding>,
}

/// How an account was found.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FoundBy {
    Query,
    Correlation,
}

/// How an account relates to the tenant's source of truth (a summary of `correlation`).
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub state: MatchState,
    pub method: Option<MatchKey>,
    pub value: Option<String>,
    pub sot_ref: Option<String>,
    pub candidates: Vec<String>,
    /// Whether the matched source-of-truth identity has left; null when unknown or unmatched.
    pub sot_gone: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountFinding {
    /// The tenant the finding belongs to: the account's own, except for an MSP account (`_msp`)
    /// whose access the audit reports in each client tenant it reaches.
    pub tenant: String,
    pub rule: String,
    pub severity: Severity,
    pub message: String,
}

/// input: a tenant could not be loaded; policy: a rule failed, findings may be missing.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Input,
    Policy,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct AnswerError {
    pub kind: ErrorKind,
    pub tenant: Option<String>,
    pub message: String,
}

/// A key as compared: trimmed, braces dropped (`{guid}`), lower case.
pub fn normalise_key(s: &str) -> String {
    s.trim().trim_matches(['{', '}']).trim().to_lowercase()
}

/// Whether any key of the account equals the (normalised) query.
fn matches(id: &Identity, q: &str) -> bool {
    let eq = |v: &str| normalise_key(v) == q;
    id.principal_name.as_deref().is_some_and(eq)
        || id.emails.iter().any(|e| eq(e))
        || eq(&id.object_id)
        || eq(&id.reference)
        || id.employment.employee_id.as_deref().is_some_and(eq)
        || id.alt_ids.values().any(|v| eq(v))
}

/// The accounts of one tenant that belong to the queried person: direct matches, their
/// source-of-truth identities, and every account correlated to those. Each once, in model order.
pub fn select<'a>(identities: &'a [Identity], query: &str) -> Vec<(&'a Identity, FoundBy)> {
    let q = normalise_key(query);
    if q.is_empty() {
        return Vec::new();
    }
    let direct: Vec<bool> = identities.iter().map(|i| matches(i, &q)).collect();
    let mut sot_refs: BTreeSet<&str> = BTreeSet::new();
    for (i, _) in identities.iter().zip(&direct).filter(|(_, d)| **d) {
        if i.correlation.state == MatchState::SourceOfTruth {
            sot_refs.insert(&i.reference);
        }
        if let Some(s) = &i.correlation.sot_ref {
            sot_refs.insert(s);
        }
    }
    identities
        .iter()
        .zip(direct)
        .filter_map(|(i, d)| {
            if d {
                Some((i, FoundBy::Query))
            } else if sot_refs.contains(i.reference.as_str())
                || i.correlation
                    .sot_ref
                    .as_deref()
                    .is_some_and(|s| sot_refs.contains(s))
            {
                Some((i, FoundBy::Correlation))
            } else {
                None
            }
        })
        .collect()
}

fn account(tenant: &str, i: &Identity, found_by: FoundBy) -> Account {
    let c = &i.correlation;
    let sot_gone = c.sot.as_ref().and_then(|s| s.gone);
    let roles: BTreeSet<String> = i
        .roles
        .iter()
        .map(|r| r.role_name.clone().unwrap_or_else(|| r.role_id.clone()))
        .collect();
    Account {
        tenant: tenant.to_string(),
        source: i.source.clone(),
        source_kind: i.source_kind.clone(),
        reference: i.reference.clone(),
        object_id: i.object_id.clone(),
        kind: i.kind,
        principal_name: i.principal_name.clone(),
        display_name: i.display_name.clone(),
        enabled: i.enabled,
        status: i.status,
        last_activity: i.activity.last_any.clone(),
        privileged: i.privileged,
        top_role: i.top_role,
        roles: roles.into_iter().collect(),
        found_by,
        link: Link {
            state: c.state,
            method: c.method,
            value: c.value.clone(),
            sot_ref: c.sot_ref.clone(),
            candidates: c.candidates.clone(),
            sot_gone,
        },
        leaver_access: i.enabled == Some(true) && sot_gone == Some(true),
        provenance: i.prov.clone(),
        findings: Vec::new(),
    }
}

/// One tenant's matches, or the messages of the errors that stopped it from loading.
type Searched = Result<Vec<Account>, Vec<String>>;

/// Search every selected tenant for `principal`, then audit the tenants holding an account and
/// attach their findings. A tenant that cannot be loaded is an error entry, not a stop.
pub fn run(
    estate: &Estate,
    set: &PolicySet,
    opts: &Options,
    principal: &str,
) -> Result<Answer, Fatal> {
    let (as_of, _) = audit::run_as_of(estate, opts.as_of);
    let selected = audit::select_tenants(estate, &opts.tenants)?;
    let params = audit::merge_params(&set.default_params(), &[(&estate.params, "estate.toml")])
        .map_err(|e| Fatal::Config(vec![e]))?;
    // Loaded as the audit loads them: the MSP's GDAP and PSA/RMM records appear in the client
    // tenants they reach. Each model is dropped once searched: only the matches are kept.
    let loaded = audit::load_estate_progress(
        estate,
        &selected,
        &params,
        as_of,
        opts.as_of.is_some(),
        &crate::progress::Progress::new(opts.progress),
    );
    let mut searched: Vec<(String, Searched)> = loaded
        .into_par_iter()
        .map(|(t, state)| {
            let found = match state {
                Loaded::Ready(job, _) => Ok(select(&job.model.identities, principal)
                    .into_iter()
                    .map(|(i, by)| account(&t.id, i, by))
                    .collect()),
                Loaded::Failed(errors, _) => Err(errors.iter().map(ToString::to_string).collect()),
            };
            (t.id, found)
        })
        .collect();
    // The order the tenants were selected in (load_estate returns `_msp` last).
    searched.sort_by_key(|(id, _)| selected.iter().position(|t| &t.id == id));
    let mut answer = Answer {
        query: principal.trim().to_string(),
        as_of: as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        searched: Vec::new(),
        accounts: Vec::new(),
        errors: Vec::new(),
    };
    let input_error = |tenant: &str, message: String| AnswerError {
        kind: ErrorKind::Input,
        tenant: Some(tenant.to_string()),
        message,
    };
    for (tenant, found) in searched {
        match found {
            Ok(accounts) => {
                answer.searched.push(tenant);
                answer.accounts.extend(accounts);
            }
            Err(messages) => answer
                .errors
                .extend(messages.into_iter().map(|m| input_error(&tenant, m))),
        }
    }
    for (id, e) in &estate.tenant_errors {
        if opts.tenants.is_empty() || opts.tenants.contains(id) {
            answer.errors.push(input_error(id, e.to_string()));
        }
    }
    let holding: BTreeSet<String> = answer.accounts.iter().map(|a| a.tenant.clone()).collect();
    if !holding.is_empty() {
        // MSP records are audited in the client tenants they reach: audit all of them then.
        let audited = if holding.contains(MSP_TENANT) {
            opts.tenants.clone()
        } else {
            holding.into_iter().collect()
        };
        let audit = audit::Options {
            as_of: opts.as_of,
            tenants: audited,
            progress: opts.progress,
            ..Default::default()
        };
        attach_findings(estate, set, &audit, &mut answer)?;
    }
    answer.searched.sort();
    answer.accounts.sort_by(|a, b| {
        (&a.tenant, &a.source, &a.reference).cmp(&(&b.tenant, &b.source, &b.reference))
    });
    answer.errors.sort();
    answer.errors.dedup();
    Ok(answer)
}

/// Audit the tenants that hold an account and copy each account's findings.
fn attach_findings(
    estate: &Estate,
    set: &PolicySet,
    opts: &audit::Options,
    answer: &mut Answer,
) -> Result<(), Fatal> {
    let report = audit::run(estate, set, opts)?;
    for a in &mut answer.accounts {
        let msp = a.tenant == MSP_TENANT;
        a.findings = report
            .findings
            .iter()
            .filter(|f| (msp || f.tenant == a.tenant) && f.subject.reference == a.reference)
            .map(|f| AccountFinding {
                tenant: f.tenant.clone(),
                rule: f.rule.clone(),
                severity: f.severity,
                message: f.message.clone(),
            })
            .collect();
        a.findings.sort_by(|x, y| {
            y.severity
                .cmp(&x.severity)
                .then(x.tenant.cmp(&y.tenant))
                .then(x.rule.cmp(&y.rule))
                .then(x.message.cmp(&y.message))
        });
    }
    // A tenant that failed the search is already an error; one that failed only now is not.
    for t in report
        .tenants
        .iter()
        .filter(|t| t.state == TenantState::Error && answer.searched.contains(&t.id))
    {
        for e in &t.errors {
            answer.errors.push(AnswerError {
                kind: ErrorKind::Input,
                tenant: Some(t.id.clone()),
                message: format!("findings unavailable: {e}"),
            });
        }
    }
    for e in &report.policy_errors {
        answer.errors.push(AnswerError {
            kind: ErrorKind::Policy,
            tenant: e.tenant.clone(),
            message: e.to_string(),
        });
    }
    Ok(())
}

/// 3 on a policy error, else 2 when a tenant could not be searched (the answer is incomplete),
/// else 1 when an enabled account remains for someone whose source-of-truth identity has left,
/// else 0 (also when no account matches).
pub fn exit_code(answer: &Answer) -> i32 {
    if answer.errors.iter().any(|e| e.kind == ErrorKind::Policy) {
        exit::POLICY_ERROR
    } else if !answer.errors.is_empty() {
        exit::INPUT_ERROR
    } else if answer.accounts.iter().any(|a| a.leaver_access) {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}

/// The JSON answer: pretty, newline-terminated, byte-identical for identical inputs.
pub fn render_json(answer: &Answer, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, answer)?;
    writeln!(out)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn tri(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

fn status_str(s: Status) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn activity(t: &Ts) -> String {
    let quality = serde_json::to_value(t.quality)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    match t.at {
        Some(at) if t.quality == TimeQuality::Exact => at.format("%Y-%m-%d").to_string(),
        Some(at) => format!("{} ({quality})", at.format("%Y-%m-%d")),
        None => quality,
    }
}

fn link(l: &Link) -> String {
    match l.state {
        MatchState::SourceOfTruth => "source of truth".into(),
        MatchState::Matched => format!(
            "matched by {} = {} → {}{}",
            l.method.map(MatchKey::as_str).unwrap_or("?"),
            l.value.as_deref().unwrap_or(""),
            l.sot_ref.as_deref().unwrap_or("?"),
            if l.sot_gone == Some(true) {
                " (has left)"
            } else {
                ""
            }
        ),
        MatchState::Ambiguous => format!(
            "ambiguous by {} = {}: {}",
            l.method.map(MatchKey::as_str).unwrap_or("?"),
            l.value.as_deref().unwrap_or(""),
            l.candidates.join(", ")
        ),
        MatchState::Unmatched => "unmatched".into(),
        MatchState::NoSourceOfTruth => "no source of truth".into(),
        MatchState::NotApplicable => "not correlated".into(),
    }
}

/// The link in a few words, for the table (the details give key value and target).
fn link_short(l: &Link) -> String {
    let gone = if l.sot_gone == Some(true) {
        " (has left)"
    } else {
        ""
    };
    match l.state {
        MatchState::Matched => format!(
            "matched by {}{gone}",
            l.method.map(MatchKey::as_str).unwrap_or("?")
        ),
        MatchState::Ambiguous => format!("ambiguous ({} candidates)", l.candidates.len()),
        _ => link(l),
    }
}

/// The terminal view: a header line, one row per account, then each account's details and
/// findings, then leaver access and errors.
pub fn render_table(answer: &Answer, out: &mut dyn Write) -> std::io::Result<()> {
    let tenants: BTreeSet<&str> = answer.accounts.iter().map(|a| a.tenant.as_str()).collect();
    let enabled = answer
        .accounts
        .iter()
        .filter(|a| a.enabled == Some(true))
        .count();
    if answer.accounts.is_empty() {
        writeln!(
            out,
            "{}: no account matches (searched principal names, emails, object ids, refs, employee \
             ids and alt ids in {}, as of {})",
            answer.query,
            plural(answer.searched.len(), "tenant", "tenants"),
            answer.as_of
        )?;
    } else {
        writeln!(
            out,
            "{}: {} in {} ({enabled} enabled), as of {}",
            answer.query,
            plural(answer.accounts.len(), "account", "accounts"),
            plural(tenants.len(), "tenant", "tenants"),
            answer.as_of
        )?;
        let mut b = tabled::builder::Builder::default();
        b.push_record([
            "#",
            "tenant",
            "source",
            "account",
            "kind",
            "enabled",
            "status",
            "last activity",
            "privileged",
            "link",
            "findings",
        ]);
        for (n, a) in answer.accounts.iter().enumerate() {
            let name = a
                .principal_name
                .clone()
                .or_else(|| a.display_name.clone())
                .unwrap_or_else(|| a.object_id.clone());
            let privileged = if a.top_role == Some(true) {
                "top role"
            } else {
                tri(a.privileged)
            };
            b.push_record([
                (n + 1).to_string(),
                a.tenant.clone(),
                format!("{} ({})", a.source, a.source_kind),
                name,
                a.kind.as_str().to_string(),
                tri(a.enabled).to_string(),
                status_str(a.status),
                activity(&a.last_activity),
                privileged.to_string(),
                link_short(&a.link),
                a.findings.len().to_string(),
            ]);
        }
        let mut t = b.build();
        t.with(tabled::settings::Style::sharp());
        writeln!(out, "{t}")?;
        for (n, a) in answer.accounts.iter().enumerate() {
            writeln!(
                out,
                "\n[{}] {} {}{}",
                n + 1,
                a.tenant,
                a.reference,
                a.display_name
                    .as_deref()
                    .map(|d| format!(" — {d}"))
                    .unwrap_or_default()
            )?;
            let roles = if a.roles.is_empty() {
                "none".to_string()
            } else {
                a.roles.join(", ")
            };
            writeln!(out, "    roles:    {roles}")?;
            writeln!(out, "    linked:   {}", link(&a.link))?;
            writeln!(out, "    record:   {}", a.provenance.locator())?;
            if a.findings.is_empty() {
                writeln!(out, "    findings: none")?;
            }
            for (k, f) in a.findings.iter().enumerate() {
                writeln!(
                    out,
                    "    {}{:<8} {:<9} {}{}",
                    if k == 0 { "findings: " } else { "          " },
                    f.severity.as_str(),
                    f.rule,
                    if f.tenant == a.tenant {
                        String::new()
                    } else {
                        format!("[{}] ", f.tenant)
                    },
                    f.message
                )?;
            }
        }
        let leavers: Vec<&Account> = answer.accounts.iter().filter(|a| a.leaver_access).collect();
        if !leavers.is_empty() {
            writeln!(out)?;
        }
        for a in leavers {
            writeln!(
                out,
                "LEAVER ACCESS: {} {} is enabled but its source-of-truth identity {} has left",
                a.tenant,
                a.reference,
                a.link.sot_ref.as_deref().unwrap_or("?")
            )?;
        }
    }
    for e in &answer.errors {
        let label = match e.kind {
            ErrorKind::Input => "warning: tenant not searched",
            ErrorKind::Policy => "warning: policy error, findings may be missing",
        };
        match &e.tenant {
            Some(t) => writeln!(out, "{label}: {t}: {}", e.message)?,
            None => writeln!(out, "{label}: {}", e.message)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(errors: &[ErrorKind], leaver: bool) -> Answer {
        let mut id = Identity::new(
            "s",
            "k",
            "o".into(),
            Provenance {
                source: "s".into(),
                file: "f".into(),
                record: 1,
                line: None,
            },
        );
        id.enabled = Some(true);
        let mut a = account("t", &id, FoundBy::Query);
        a.leaver_access = leaver;
        Answer {
            query: "q".into(),
            as_of: String::new(),
            searched: vec!["t".into()],
            accounts: vec![a],
            errors: errors
                .iter()
                .map(|&kind| AnswerError {
                    kind,
                    tenant: None,
                    message: String::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn exit_code_table() {
        use ErrorKind::*;
        let cases: &[(&[ErrorKind], bool, i32)] = &[
            (&[], false, 0),
            (&[], true, 1),
            (&[Input], true, 2),
            (&[Input, Policy], false, 3),
            (&[Policy], true, 3),
        ];
        for &(errors, leaver, want) in cases {
            assert_eq!(
                exit_code(&answer(errors, leaver)),
                want,
                "{errors:?} {leaver}"
            );
        }
        let mut none = answer(&[], false);
        none.accounts.clear();
        assert_eq!(exit_code(&none), 0, "no match is an answer, not an error");
    }

    #[test]
    fn a_direct_match_brings_its_source_of_truth_and_every_account_linked_to_it() {
        let id = |source: &str, oid: &str, upn: &str| {
            let mut i = Identity::new(
                source,
                "k",
                oid.into(),
                Provenance {
                    source: source.into(),
                    file: "f".into(),
                    record: 1,
                    line: None,
                },
            );
            i.set_principal_name(Some(upn.into()));
            i
        };
        let linked = |mut i: Identity, sot: &str| {
            i.correlation.state = MatchState::Matched;
            i.correlation.sot_ref = Some(sot.into());
            i
        };
        let mut ad = id("ad", "1", "ada@contoso.com");
        ad.correlation.state = MatchState::SourceOfTruth;
        ad.alt_ids.insert("sid".into(), "S-1-5-21-9".into());
        let ids = vec![
            ad,
            id("ad", "2", "bob@contoso.com"),
            linked(id("aws", "a1", "ada-admin"), "ad/1"),
            linked(id("entra", "e1", "ada@contoso.com"), "ad/1"),
            linked(id("entra", "e2", "bob@contoso.com"), "ad/2"),
        ];
        let found = |q: &str| -> Vec<(String, FoundBy)> {
            select(&ids, q)
                .into_iter()
                .map(|(i, by)| (i.reference.clone(), by))
                .collect()
        };
        use FoundBy::*;
        let ada = vec![
            ("ad/1".to_string(), Query),
            ("aws/a1".to_string(), Correlation),
            ("entra/e1".to_string(), Query),
        ];
        assert_eq!(found("ADA@contoso.com"), ada);
        assert_eq!(found("{s-1-5-21-9}"), {
            let mut v = ada.clone();
            v[2].1 = Correlation;
            v
        });
        assert_eq!(
            found("ada-admin").len(),
            3,
            "downstream reaches its source of truth"
        );
        assert!(found("eve@contoso.com").is_empty());
        assert!(found("  ").is_empty());
    }

    #[test]
    fn keys_compare_trimmed_without_case_or_braces() {
        assert_eq!(normalise_key("  {ABC-def} "), "abc-def");
        assert_eq!(normalise_key("Lee.Gu@Contoso.com"), "lee.gu@contoso.com");
    }
}
