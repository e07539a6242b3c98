//! Findings: what a rule said about a subject, with the evidence, where it came from and the
//! controls it maps to, plus a stable fingerprint so runs can be compared.
//!
//! Built from a policy's raw output and the tenant model; holds no presentation.

use crate::model::{Identity, Provenance};
use crate::policy::metadata::{RuleMeta, Severity};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Who a finding is about.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Subject {
    /// `<source>/<object id>` for an identity, `source:<name>` or `tenant` otherwise.
    #[serde(rename = "ref")]
    pub reference: String,
    pub id: Option<String>,
    pub display_name: Option<String>,
    pub principal_name: Option<String>,
    pub kind: Option<String>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: String,
    pub title: std::sync::Arc<str>,
    pub severity: Severity,
    pub tenant: String,
    pub subject: Subject,
    pub message: String,
    /// The values that decided the finding, as the rule reported them.
    pub evidence: Value,
    /// Records the evidence came from: the subject's record first, then any the rule cited.
    pub provenance: Vec<Provenance>,
    /// Shared with the rule's catalogue entry: one allocation per rule, not per finding.
    pub controls: std::sync::Arc<BTreeMap<String, Vec<String>>>,
    pub remediation: std::sync::Arc<str>,
    /// sha256(rule, tenant, subject, key), hex: stable across runs for the same fact.
    pub fingerprint: String,
    /// Distinguishes several findings of one rule on one subject (e.g. a credential id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The waiver in force that covers this finding (see [`crate::waiver`]); the verdict and
    /// evidence stay as found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<Box<crate::waiver::Applied>>,
}

/// A subject a rule could not judge, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct NotEvaluable {
    pub subject: String,
    /// The credential or role within the subject, for rules judged per item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub reason: String,
}

/// A rule's raw output that does not have the agreed shape.
pub fn shape_error(rule: &RuleMeta, what: &str, item: &Value) -> String {
    let mut text = item.to_string();
    if text.len() > 200 {
        text.truncate(200);
        text.push('…');
    }
    format!(
        "{} output {what}: {text}",
        rule.package.trim_start_matches("data.")
    )
}

/// Build a finding from one element of a rule's `findings` set.
pub fn from_raw(
    rule: &RuleMeta,
    tenant: &str,
    raw: &Value,
    identities: &std::collections::HashMap<&str, &Identity>,
) -> Result<Finding, String> {
    let obj = raw
        .as_object()
        .ok_or_else(|| shape_error(rule, "is not an object", raw))?;
    let subject_ref = obj
        .get("subject")
        .and_then(Value::as_str)
        .ok_or_else(|| shape_error(rule, "has no string `subject`", raw))?;
    let message = obj
        .get("message")
        .and_then(Value::as_str)
        .ok_or_else(|| shape_error(rule, "has no string `message`", raw))?;
    let evidence = obj
        .get("evidence")
        .cloned()
        .unwrap_or_else(|| Value::Object(Default::default()));
    let key = match obj.get("key") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    };
    let identity = identities.get(subject_ref).copied();
    let subject = match identity {
        Some(i) => Subject {
            reference: i.reference.clone(),
            id: Some(i.object_id.clone()),
            display_name: i.display_name.clone(),
            principal_name: i.principal_name.clone(),
            kind: Some(i.kind.as_str().into()),
            source: Some(i.source.clone()),
        },
        None => Subject {
            reference: subject_ref.into(),
            id: None,
            display_name: None,
            principal_name: None,
            kind: None,
            source: subject_ref.strip_prefix("source:").map(str::to_string),
        },
    };
    let mut provenance: Vec<Provenance> =
        identity.map(|i| vec![i.prov.clone()]).unwrap_or_default();
    if let Some(list) = obj.get("provenance") {
        let items = list
            .as_array()
            .ok_or_else(|| shape_error(rule, "has a `provenance` that is not a list", raw))?;
        for p in items {
            let p: ProvIn = serde_json::from_value(p.clone()).map_err(|e| {
                shape_error(rule, &format!("has a bad provenance entry ({e})"), raw)
            })?;
            let p = Provenance {
                source: p.source,
                file: p.file,
                record: p.record,
                line: p.line,
            };
            if !provenance.contains(&p) {
                provenance.push(p);
            }
        }
    }
    let fingerprint = fingerprint(
        &rule.id,
        tenant,
        &subject.reference,
        key.as_deref().unwrap_or(""),
    );
    Ok(Finding {
        rule: rule.id.clone(),
        title: rule.title.clone(),
        severity: rule.severity,
        tenant: tenant.into(),
        subject,
        message: message.into(),
        evidence,
        provenance,
        controls: rule.controls.clone(),
        remediation: rule.remediation.clone(),
        fingerprint,
        key,
        waived: None,
    })
}

#[derive(serde::Deserialize)]
struct ProvIn {
    source: String,
    file: String,
    record: u64,
    line: Option<u64>,
}

/// Read one element of a rule's `not_evaluable` set.
pub fn not_evaluable_from_raw(rule: &RuleMeta, raw: &Value) -> Result<NotEvaluable, String> {
    let obj = raw
        .as_object()
        .ok_or_else(|| shape_error(rule, "(not_evaluable) is not an object", raw))?;
    let subject = obj
        .get("subject")
        .and_then(Value::as_str)
        .ok_or_else(|| shape_error(rule, "(not_evaluable) has no string `subject`", raw))?;
    let reason = obj
        .get("reason")
        .and_then(Value::as_str)
        .unwrap_or("data needed by the rule is missing");
    let key = match obj.get("key") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    };
    Ok(NotEvaluable {
        subject: subject.into(),
        key,
        reason: reason.into(),
    })
}

/// Stable id of a finding across runs: the fact, not its wording or evidence values.
pub fn fingerprint(rule: &str, tenant: &str, subject: &str, key: &str) -> String {
    let mut h = Sha256::new();
    for part in [rule, tenant, subject, key] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Report order: tenant, then most severe first, then rule, subject, key.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        a.tenant
            .cmp(&b.tenant)
            .then(b.severity.cmp(&a.severity))
            .then(a.rule.cmp(&b.rule))
            .then(a.subject.reference.cmp(&b.subject.reference))
            .then(a.key.cmp(&b.key))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable_and_field_separated() {
        assert_eq!(
            fingerprint("STALE-001", "contoso", "entra/1", ""),
            fingerprint("STALE-001", "contoso", "entra/1", "")
        );
        assert_ne!(
            fingerprint("A-001", "ab", "c", ""),
            fingerprint("A-001", "a", "bc", "")
        );
        assert_eq!(fingerprint("STALE-001", "contoso", "entra/1", "").len(), 32);
    }
}
