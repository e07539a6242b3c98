//! Two finished reports of one estate, under the base and the head policy set, compared by
//! finding fingerprint (rule, tenant, subject, key): **added** (only under head), **removed**
//! (only under base), **changed** (both, but severity, message or evidence differ) or unchanged;
//! beside them the rules added, removed or changed between the sets and every tenant × rule
//! verdict that differs.
//!
//! Pure: reports and policy sets in, an [`Impact`] out. Reading policies and running audits is
//! the caller's job; rendering is [`super::render`]'s.

use crate::finding::Finding;
use crate::policy::metadata::Severity;
use crate::policy::{PolicyFile, PolicySet};
use crate::report::{Report, Verdict};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The schema of `driftgate policy impact --format json`.
pub const SCHEMA: &str = "driftgate.impact/v1";

/// What a policy change does to an estate's findings.
#[derive(Debug, Clone, Serialize)]
pub struct Impact {
    pub schema: &'static str,
    pub estate: String,
    /// The run-wide as_of both sides were evaluated at (RFC 3339).
    pub as_of: String,
    pub base: Side,
    pub head: Side,
    pub summary: Summary,
    pub rules_added: Vec<String>,
    pub rules_removed: Vec<String>,
    /// Rules in both sets whose METADATA or code differ.
    pub rules_changed: Vec<RuleChange>,
    /// Helper files (`lib/`, by path within the pack) added, removed or changed.
    pub helpers_changed: Vec<String>,
    /// Per rule and tenant, where anything differs (sorted by rule, then tenant).
    pub by_rule_tenant: Vec<Group>,
    pub added: Vec<Item>,
    pub removed: Vec<Item>,
    pub changed: Vec<Changed>,
    pub verdicts_changed: Vec<VerdictChange>,
    /// Tenants either side could not audit: their findings are not compared.
    pub tenants_not_audited: Vec<String>,
    pub gate: Gate,
}

/// One policy set as it was evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// Where the set came from: `folder DIR`, `git REV (sha) PATH` or `built-in pack`.
    pub policies: String,
    pub rules: usize,
    /// Findings in the estate under this set (waived ones included).
    pub findings: usize,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Added or more severe findings of rules not yet effective (`effective_on` after as_of).
    pub warnings: usize,
}

/// A rule in both sets that differs, each difference as a short phrase (`param x 90 → 60`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RuleChange {
    pub rule: String,
    pub changes: Vec<String>,
}

/// Counts for one rule in one tenant.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Group {
    pub rule: String,
    pub tenant: String,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub warnings: usize,
}

/// A finding only one side has.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Item {
    pub rule: String,
    pub tenant: String,
    pub severity: Severity,
    /// The subject's `ref`.
    pub subject: String,
    /// Principal or display name, when the subject has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub message: String,
    pub fingerprint: String,
    /// A waiver in force covers it.
    pub waived: bool,
    /// Its rule is not yet effective (head's `effective_on`): a warning, never a gate failure.
    pub warning: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_on: Option<String>,
}

/// A finding both sides have, with what differs (message and evidence only when they differ).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Changed {
    pub rule: String,
    pub tenant: String,
    pub subject: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub fingerprint: String,
    pub severity_base: Severity,
    pub severity_head: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_base: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_head: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence_base: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence_head: Option<Value>,
    /// Waived under head.
    pub waived: bool,
    /// Its rule is not yet effective under head.
    pub warning: bool,
}

impl Changed {
    /// More severe under head.
    pub fn escalated(&self) -> bool {
        self.severity_head > self.severity_base
    }
}

/// A tenant × rule verdict that differs; null where the rule is absent from a set.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct VerdictChange {
    pub tenant: String,
    pub rule: String,
    pub base: Option<Verdict>,
    pub head: Option<Verdict>,
}

/// `--fail-on-new`: the added (or escalated) findings at or above it that count.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Gate {
    pub fail_on_new: Option<Severity>,
    /// Added or escalated findings at or above `fail_on_new`, not waived, rule in force.
    pub failing: usize,
}

/// One side's policies and finished report.
pub struct Evaluated<'a> {
    pub policies: String,
    pub set: &'a PolicySet,
    /// The pack's root folder, to name its helper files by relative path.
    pub root: Option<&'a std::path::Path>,
    pub report: &'a Report,
}

fn name(f: &Finding) -> Option<String> {
    f.subject
        .principal_name
        .clone()
        .or_else(|| f.subject.display_name.clone())
        .filter(|n| *n != f.subject.reference)
}

fn item(f: &Finding, pending: Option<&str>) -> Item {
    Item {
        rule: f.rule.clone(),
        tenant: f.tenant.clone(),
        severity: f.severity,
        subject: f.subject.reference.clone(),
        name: name(f),
        message: f.message.clone(),
        fingerprint: f.fingerprint.clone(),
        waived: f.waived.is_some(),
        warning: pending.is_some(),
        effective_on: pending.map(str::to_string),
    }
}

/// Compare the two sides; `fail_on_new` decides which findings count for the gate.
pub fn compare(base: &Evaluated, head: &Evaluated, fail_on_new: Option<Severity>) -> Impact {
    let as_of = head.report.run.as_of.clone();
    // Rules whose findings are warnings under head, with their effective date.
    let not_yet = crate::report::not_yet_effective(head.report);
    let pending: BTreeMap<&str, &str> = head
        .report
        .rules
        .iter()
        .filter(|r| not_yet.contains(r.id.as_str()))
        .filter_map(|r| Some((r.id.as_str(), r.effective_on.as_deref()?)))
        .collect();
    let not_audited: BTreeSet<String> = [base.report, head.report]
        .iter()
        .flat_map(|r| r.tenants.iter())
        .filter(|t| t.state == crate::report::TenantState::Error)
        .map(|t| t.id.clone())
        .collect();
    let by_fp = |r: &Report| -> BTreeMap<String, Finding> {
        r.findings
            .iter()
            .filter(|f| !not_audited.contains(&f.tenant))
            .map(|f| (f.fingerprint.clone(), f.clone()))
            .collect()
    };
    let (old, new) = (by_fp(base.report), by_fp(head.report));
    let mut summary = Summary::default();
    let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
    let (mut added, mut removed, mut changed) = (Vec::new(), Vec::new(), Vec::new());
    for (fp, f) in &new {
        let warn = pending.get(f.rule.as_str()).copied();
        match old.get(fp) {
            None => {
                let g = group(&mut groups, f);
                g.added += 1;
                g.warnings += usize::from(warn.is_some());
                added.push(item(f, warn));
            }
            Some(o) => {
                let (msg, ev) = (o.message != f.message, o.evidence != f.evidence);
                if o.severity == f.severity && !msg && !ev {
                    summary.unchanged += 1;
                    continue;
                }
                let c = Changed {
                    rule: f.rule.clone(),
                    tenant: f.tenant.clone(),
                    subject: f.subject.reference.clone(),
                    name: name(f),
                    fingerprint: fp.clone(),
                    severity_base: o.severity,
                    severity_head: f.severity,
                    message_base: msg.then(|| o.message.clone()),
                    message_head: msg.then(|| f.message.clone()),
                    evidence_base: ev.then(|| o.evidence.clone()),
                    evidence_head: ev.then(|| f.evidence.clone()),
                    waived: f.waived.is_some(),
                    warning: warn.is_some(),
                };
                let g = group(&mut groups, f);
                g.changed += 1;
                g.warnings += usize::from(warn.is_some() && c.escalated());
                changed.push(c);
            }
        }
    }
    for (fp, f) in &old {
        if !new.contains_key(fp) {
            group(&mut groups, f).removed += 1;
            removed.push(item(f, None));
        }
    }
    let order = |a: &Item, b: &Item| {
        (b.severity, &a.rule, &a.tenant, &a.subject, &a.fingerprint).cmp(&(
            a.severity,
            &b.rule,
            &b.tenant,
            &b.subject,
            &b.fingerprint,
        ))
    };
    added.sort_by(order);
    removed.sort_by(order);
    changed.sort_by(|a, b| {
        (&a.rule, &a.tenant, &a.subject, &a.fingerprint).cmp(&(
            &b.rule,
            &b.tenant,
            &b.subject,
            &b.fingerprint,
        ))
    });
    summary.added = added.len();
    summary.removed = removed.len();
    summary.changed = changed.len();
    summary.warnings = added.iter().filter(|i| i.warning).count()
        + changed
            .iter()
            .filter(|c| c.warning && c.escalated())
            .count();
    let counts = |sev: Severity, waived: bool, warning: bool| {
        !waived && !warning && fail_on_new.is_some_and(|min| sev >= min)
    };
    let failing = added
        .iter()
        .filter(|i| counts(i.severity, i.waived, i.warning))
        .count()
        + changed
            .iter()
            .filter(|c| c.escalated() && counts(c.severity_head, c.waived, c.warning))
            .count();
    let rules = |s: &PolicySet| s.rules.keys().cloned().collect::<BTreeSet<_>>();
    let (base_rules, head_rules) = (rules(base.set), rules(head.set));
    Impact {
        schema: SCHEMA,
        estate: head.report.run.estate.clone(),
        as_of,
        base: side(base),
        head: side(head),
        summary,
        rules_added: head_rules.difference(&base_rules).cloned().collect(),
        rules_removed: base_rules.difference(&head_rules).cloned().collect(),
        rules_changed: rule_changes(base.set, head.set),
        helpers_changed: helper_changes(base, head),
        by_rule_tenant: groups.into_values().collect(),
        added,
        removed,
        changed,
        verdicts_changed: verdict_changes(base.report, head.report),
        tenants_not_audited: not_audited.into_iter().collect(),
        gate: Gate {
            fail_on_new,
            failing,
        },
    }
}

fn group<'a>(groups: &'a mut BTreeMap<(String, String), Group>, f: &Finding) -> &'a mut Group {
    groups
        .entry((f.rule.clone(), f.tenant.clone()))
        .or_insert_with(|| Group {
            rule: f.rule.clone(),
            tenant: f.tenant.clone(),
            ..Group::default()
        })
}

fn side(e: &Evaluated) -> Side {
    Side {
        policies: e.policies.clone(),
        rules: e.set.rules.len(),
        findings: e.report.findings.len(),
    }
}

/// The Rego of a file without its comments (METADATA changes are listed one by one).
fn code(set: &PolicySet, file: &str) -> Vec<String> {
    set.files
        .iter()
        .find(|f| f.path == file)
        .map(|f| {
            f.text
                .lines()
                .map(str::trim_end)
                .filter(|l| !l.trim_start().starts_with('#') && !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn rule_changes(base: &PolicySet, head: &PolicySet) -> Vec<RuleChange> {
    let show = |v: Option<&Value>| v.map_or("—".to_string(), Value::to_string);
    let mut out = Vec::new();
    for (id, h) in &head.rules {
        let Some(b) = base.rules.get(id) else {
            continue;
        };
        let mut changes = Vec::new();
        if b.severity != h.severity {
            changes.push(format!(
                "severity {} → {}",
                b.severity.as_str(),
                h.severity.as_str()
            ));
        }
        if b.scope != h.scope {
            changes.push(format!("scope {:?} → {:?}", b.scope, h.scope).to_lowercase());
        }
        let keys: BTreeSet<&String> = b.params.keys().chain(h.params.keys()).collect();
        for k in keys {
            let (old, new) = (b.params.get(k), h.params.get(k));
            if old != new {
                changes.push(format!("param {k} {} → {}", show(old), show(new)));
            }
        }
        if b.effective_on != h.effective_on {
            let d = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
            changes.push(format!(
                "effective_on {} → {}",
                d(&b.effective_on),
                d(&h.effective_on)
            ));
        }
        if b.applies_to != h.applies_to {
            changes.push("applies_to changed".into());
        }
        if b.title != h.title {
            changes.push("title changed".into());
        }
        if code(base, &b.file) != code(head, &h.file) {
            changes.push("code changed".into());
        }
        if !changes.is_empty() {
            out.push(RuleChange {
                rule: id.clone(),
                changes,
            });
        }
    }
    out
}

/// A helper file's path within its pack: `lib/x.rego`.
fn relative(f: &PolicyFile, root: Option<&std::path::Path>) -> String {
    if let Some(p) = f.path.strip_prefix("builtin:policies/") {
        return p.to_string();
    }
    root.and_then(|r| std::path::Path::new(&f.path).strip_prefix(r).ok())
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|| f.path.clone())
}

fn helper_changes(base: &Evaluated, head: &Evaluated) -> Vec<String> {
    let helpers = |e: &Evaluated| -> BTreeMap<String, String> {
        let rule_files: BTreeSet<&str> = e.set.rules.values().map(|r| r.file.as_str()).collect();
        e.set
            .files
            .iter()
            .filter(|f| !f.is_test() && !rule_files.contains(f.path.as_str()))
            .map(|f| (relative(f, e.root), f.text.clone()))
            .collect()
    };
    let (b, h) = (helpers(base), helpers(head));
    let paths: BTreeSet<&String> = b.keys().chain(h.keys()).collect();
    paths
        .into_iter()
        .filter_map(|p| match (b.get(p), h.get(p)) {
            (None, Some(_)) => Some(format!("{p} added")),
            (Some(_), None) => Some(format!("{p} removed")),
            (Some(x), Some(y)) if x != y => Some(format!("{p} changed")),
            _ => None,
        })
        .collect()
}

fn verdict_changes(base: &Report, head: &Report) -> Vec<VerdictChange> {
    let verdicts = |r: &Report| -> BTreeMap<(String, String), Verdict> {
        r.tenants
            .iter()
            .flat_map(|t| {
                t.rules
                    .iter()
                    .map(move |v| ((t.id.clone(), v.rule.clone()), v.verdict))
            })
            .collect()
    };
    let (b, h) = (verdicts(base), verdicts(head));
    let keys: BTreeSet<&(String, String)> = b.keys().chain(h.keys()).collect();
    keys.into_iter()
        .filter(|k| b.get(*k) != h.get(*k))
        .map(|k| VerdictChange {
            tenant: k.0.clone(),
            rule: k.1.clone(),
            base: b.get(k).copied(),
            head: h.get(k).copied(),
        })
        .collect()
}
