//! NIST OSCAL 1.2.3 assessment-results, for auditors who take NIST's machine-readable format.
//!
//! One `result` per audited tenant. Its `reviewed-controls` are the NIST SP 800-53 Rev. 5
//! controls the rule pack maps to (catalog tokens: `AC-2(3)` → `ac-2.3`). Each finding of the
//! tenant is an `observation` (method TEST, type `discovery`, its provenance as relevant evidence).
//! Each tenant × rule × control is an OSCAL `finding` whose target is the control objective:
//! `not-satisfied` when the rule failed, `satisfied` when it passed — pass results, not only
//! failures. Not-evaluable and waived verdicts are findings with state `not-satisfied` and reason
//! `other`, their cause in `remarks` (for waived: the waivers, `file:line`, that accept the risk).
//!
//! Deterministic: every uuid is a v5 UUID of stable keys (fingerprints, tenant and rule ids), and
//! every time is the run's `as_of`, never the wall clock. `import-ap` points at a back-matter
//! resource describing the policy pack and the estate (what an assessment plan would hold).

use super::{Report, RuleVerdict, TenantReport, TenantState, Verdict};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::Write;

/// The OSCAL release these documents follow.
pub const OSCAL_VERSION: &str = "1.2.3";

/// The namespace of every driftgate OSCAL uuid (itself a v5 UUID of the URL namespace).
fn namespace() -> uuid::Uuid {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"https://driftgate.dev/oscal")
}

fn uuid_of(parts: &[&str]) -> String {
    uuid::Uuid::new_v5(&namespace(), parts.join("\u{1f}").as_bytes()).to_string()
}

/// `AC-2(3)` → `ac-2.3`, `IA-2(1)` → `ia-2.1`, `AC-6` → `ac-6` (NIST catalog control ids).
pub fn control_id(sp800_53: &str) -> String {
    let lower = sp800_53.trim().to_ascii_lowercase();
    match lower.split_once('(') {
        Some((base, rest)) => format!("{base}.{}", rest.trim_end_matches(')')),
        None => lower,
    }
}

const SP800_53: &str = "nist-sp-800-53r5";

/// The NIST SP 800-53 controls of a rule, as catalog ids.
fn controls_of(report: &Report, rule: &str) -> Vec<String> {
    report
        .rules
        .iter()
        .find(|r| r.id == rule)
        .and_then(|r| r.controls.get(SP800_53))
        .map(|ids| ids.iter().map(|c| control_id(c)).collect())
        .unwrap_or_default()
}

fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Fail => "fail",
        Verdict::NotEvaluable => "not_evaluable",
        Verdict::Pass => "pass",
        Verdict::Waived => "waived",
        Verdict::Error => "error",
        Verdict::NotAudited => "not_audited",
    }
}

fn as_of<'a>(report: &'a Report, t: &'a TenantReport) -> &'a str {
    t.as_of.as_deref().unwrap_or(&report.run.as_of)
}

fn observations(report: &Report, t: &TenantReport) -> Vec<Value> {
    report
        .findings
        .iter()
        .filter(|f| f.tenant == t.id)
        .map(|f| {
            let evidence: Vec<Value> = f
                .provenance
                .iter()
                .map(|p| {
                    json!({
                        "description": match p.line {
                            Some(line) => format!("{} ({} line {line}, record {})", p.source, p.file, p.record),
                            None => format!("{} ({} record {})", p.source, p.file, p.record),
                        }
                    })
                })
                .collect();
            let mut o = json!({
                "uuid": uuid_of(&["observation", &f.fingerprint]),
                "title": format!("{} {}", f.rule, f.title),
                "description": f.message,
                "props": [
                    {"name": "rule", "ns": "https://driftgate.dev/ns/oscal", "value": f.rule},
                    {"name": "subject", "ns": "https://driftgate.dev/ns/oscal", "value": f.subject.reference},
                    {"name": "severity", "ns": "https://driftgate.dev/ns/oscal", "value": f.severity.as_str()},
                    {"name": "fingerprint", "ns": "https://driftgate.dev/ns/oscal", "value": f.fingerprint},
                ],
                "methods": ["TEST"],
                "types": ["discovery"],
                "collected": as_of(report, t),
            });
            if !evidence.is_empty() {
                o["relevant-evidence"] = Value::from(evidence);
            }
            o
        })
        .collect()
}

fn findings(report: &Report, t: &TenantReport) -> Vec<Value> {
    let mut out = Vec::new();
    for v in &t.rules {
        let RuleVerdict { rule, verdict, .. } = v;
        let related: Vec<Value> = report
            .findings
            .iter()
            .filter(|f| f.tenant == t.id && &f.rule == rule)
            .map(|f| json!({"observation-uuid": uuid_of(&["observation", &f.fingerprint])}))
            .collect();
        let title = report
            .rules
            .iter()
            .find(|r| &r.id == rule)
            .map(|r| r.title.as_str())
            .unwrap_or(rule);
        let (state, reason, remarks) = match verdict {
            Verdict::Pass => ("satisfied", "pass", None),
            Verdict::Fail => ("not-satisfied", "fail", None),
            Verdict::Waived => {
                let by: BTreeSet<&str> = report
                    .findings
                    .iter()
                    .filter(|f| f.tenant == t.id && &f.rule == rule)
                    .filter_map(|f| f.waived.as_ref().map(|w| w.declared.as_str()))
                    .collect();
                (
                    "not-satisfied",
                    "other",
                    Some(format!(
                        "verdict waived: every finding is covered by an approved waiver in force (risk accepted: {})",
                        by.into_iter().collect::<Vec<_>>().join(", ")
                    )),
                )
            }
            other => (
                "not-satisfied",
                "other",
                Some(format!(
                    "verdict {}: the rule could not be judged fully",
                    verdict_name(*other)
                )),
            ),
        };
        for control in controls_of(report, rule) {
            let mut f = json!({
                "uuid": uuid_of(&["finding", &t.id, rule, &control]),
                "title": format!("{rule} {title}"),
                "description": format!(
                    "{rule} on tenant {}: {} ({} finding(s)).",
                    t.id,
                    verdict_name(*verdict),
                    related.len()
                ),
                "target": {
                    "type": "objective-id",
                    "target-id": format!("{control}_obj"),
                    "status": {"state": state, "reason": reason},
                },
            });
            if let Some(r) = &remarks {
                f["target"]["status"]["remarks"] = Value::from(r.as_str());
            }
            if !related.is_empty() {
                f["related-observations"] = Value::from(related.clone());
            }
            out.push(f);
        }
    }
    out
}

fn result(report: &Report, t: &TenantReport) -> Value {
    let controls: BTreeSet<String> = t
        .rules
        .iter()
        .flat_map(|v| controls_of(report, &v.rule))
        .collect();
    let selection = if controls.is_empty() {
        json!({"include-all": {}})
    } else {
        json!({"include-controls": controls.iter().map(|c| json!({"control-id": c})).collect::<Vec<_>>()})
    };
    let mut r = json!({
        "uuid": uuid_of(&["result", &t.id]),
        "title": format!("Tenant {} ({})", t.name, t.id),
        "description": format!(
            "Automated identity and access policy evaluation of tenant {} by driftgate {}: {} identities, every export listed in the run's evidence manifest.",
            t.id,
            env!("CARGO_PKG_VERSION"),
            t.identities
        ),
        "start": as_of(report, t),
        "end": as_of(report, t),
        "reviewed-controls": {"control-selections": [selection]},
    });
    let observations = observations(report, t);
    if !observations.is_empty() {
        r["observations"] = Value::from(observations);
    }
    let findings = findings(report, t);
    if !findings.is_empty() {
        r["findings"] = Value::from(findings);
    }
    r
}

/// The whole report as one OSCAL assessment-results document.
pub fn document(report: &Report) -> Value {
    let tenants: Vec<&TenantReport> = report
        .tenants
        .iter()
        .filter(|t| t.state == TenantState::Audited)
        .collect();
    let mut results: Vec<Value> = tenants.iter().map(|t| result(report, t)).collect();
    if results.is_empty() {
        // OSCAL needs at least one result: say that nothing could be assessed.
        results.push(json!({
            "uuid": uuid_of(&["result", "none"]),
            "title": "No tenant could be audited",
            "description": "Every tenant failed to load; see report.json for the errors.",
            "start": report.run.as_of,
            "reviewed-controls": {"control-selections": [{"include-all": {}}]},
        }));
    }
    let plan = uuid_of(&["plan", &report.run.estate, &report.run.as_of]);
    let rules: Vec<String> = report
        .rules
        .iter()
        .map(|r| format!("{} {}", r.id, r.title))
        .collect();
    json!({
        "assessment-results": {
            "uuid": uuid_of(&["assessment-results", &report.run.estate, &report.run.as_of]),
            "metadata": {
                "title": format!("driftgate identity audit: {} as of {}", report.run.estate, report.run.as_of),
                "last-modified": report.run.as_of,
                "version": env!("CARGO_PKG_VERSION"),
                "oscal-version": OSCAL_VERSION,
            },
            "import-ap": {"href": format!("#{plan}")},
            "results": results,
            "back-matter": {"resources": [{
                "uuid": plan,
                "title": "Assessment plan: driftgate policy pack and estate scope",
                "description": format!(
                    "Estate {}; tenants {}; rules: {}.",
                    report.run.estate,
                    report.tenants.iter().map(|t| t.id.as_str()).collect::<Vec<_>>().join(", "),
                    rules.join("; ")
                ),
                // The run folder's full report and its evidence manifest (hashes of every input).
                "rlinks": [
                    {"href": "report.json", "media-type": "application/json"},
                    {"href": "manifest.json", "media-type": "application/json"},
                ],
            }]},
        }
    })
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(report))?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        let mut report = crate::report::sample::sample();
        for r in &mut report.rules {
            r.controls.insert(
                SP800_53.into(),
                vec!["AC-2(3)".to_string(), "AC-6".to_string()],
            );
        }
        report
    }

    fn is_uuid_v5(s: &str) -> bool {
        let b = s.as_bytes();
        s.len() == 36
            && b[14] == b'5'
            && matches!(b[19], b'8' | b'9' | b'a' | b'b')
            && s.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
    }

    #[test]
    fn catalog_control_ids() {
        assert_eq!(control_id("AC-2(3)"), "ac-2.3");
        assert_eq!(control_id("IA-2(12)"), "ia-2.12");
        assert_eq!(control_id("AC-6"), "ac-6");
    }

    #[test]
    fn required_fields_valid_uuids_and_pass_results() {
        let doc = document(&report());
        let ar = &doc["assessment-results"];
        for key in ["uuid", "metadata", "import-ap", "results"] {
            assert!(!ar[key].is_null(), "{key}");
        }
        for key in ["title", "last-modified", "version", "oscal-version"] {
            assert!(ar["metadata"][key].is_string(), "metadata.{key}");
        }
        let href = ar["import-ap"]["href"].as_str().unwrap();
        assert_eq!(
            &href[1..],
            ar["back-matter"]["resources"][0]["uuid"].as_str().unwrap()
        );
        let text = doc.to_string();
        let mut uuids = BTreeSet::new();
        for (at, _) in text.match_indices("uuid\":\"") {
            let u = &text[at + 7..at + 43];
            assert!(is_uuid_v5(u), "{u}");
            uuids.insert(u.to_string());
        }
        assert!(uuids.len() > 3);
        let results = ar["results"].as_array().unwrap();
        assert!(!results.is_empty());
        let mut states = BTreeSet::new();
        for r in results {
            for key in ["uuid", "title", "description", "start", "reviewed-controls"] {
                assert!(!r[key].is_null(), "result.{key}");
            }
            for f in r["findings"].as_array().into_iter().flatten() {
                assert!(f["target"]["target-id"].as_str().unwrap().ends_with("_obj"));
                states.insert(f["target"]["status"]["state"].as_str().unwrap().to_string());
            }
            for o in r["observations"].as_array().into_iter().flatten() {
                assert_eq!(o["methods"][0], "TEST");
                assert_eq!(o["types"][0], "discovery");
                assert!(o["collected"].is_string());
            }
        }
        assert!(states.contains("satisfied") && states.contains("not-satisfied"));
    }

    #[test]
    fn same_report_same_document() {
        assert_eq!(document(&report()), document(&report()));
    }
}
