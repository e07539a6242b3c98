//! OCSF 1.8.0 Compliance Finding events (class 2003), one JSON object per line.
//!
//! One event per finding. `compliance.standards` names every framework the rule maps to and
//! `requirements` every control as `<standard> <id>` (e.g. `NIST CSF 2.0 PR.AA-05`); the NIST CSF
//! 2.0 control (else the first mapped) is `control`. One event per finding rather than per
//! finding × framework keeps the file proportional to the findings (eight frameworks would
//! repeat each finding's evidence eight times). A finding that maps to no framework names
//! driftgate's own rule. Every value is deterministic: `time` is the tenant's `as_of` in epoch
//! milliseconds (never the wall clock), `finding_info.uid` is the finding's fingerprint, and
//! events follow the report's finding order. What OCSF has no field for (evidence, provenance,
//! the control map by framework key) is under `unmapped`.

use super::Report;
use crate::finding::Finding;
use crate::policy::metadata::Severity;
use serde_json::{json, Value};
use std::io::Write;

/// The OCSF schema release these events follow.
pub const OCSF_VERSION: &str = "1.8.0";

/// Framework keys of rule METADATA and the standard names OCSF consumers expect.
const FRAMEWORKS: &[(&str, &str)] = &[
    ("nist-csf-1.1", "NIST CSF 1.1"),
    ("nist-csf-2.0", "NIST CSF 2.0"),
    ("nist-sp-800-53r5", "NIST SP 800-53 Rev. 5"),
    ("nist-sp-800-207", "NIST SP 800-207"),
    ("cis-v8", "CIS Controls v8"),
    ("iso-27001-2022", "ISO/IEC 27001:2022"),
    ("soc2-2017", "AICPA SOC 2 TSC 2017"),
    ("owasp-nhi-2025", "OWASP Non-Human Identities Top 10 2025"),
];

fn standard_name(key: &str) -> &str {
    FRAMEWORKS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, name)| *name)
        .unwrap_or(key)
}

/// OCSF `severity_id` and its caption.
fn severity(s: Severity) -> (u8, &'static str) {
    match s {
        Severity::Critical => (5, "Critical"),
        Severity::High => (4, "High"),
        Severity::Medium => (3, "Medium"),
        Severity::Low => (2, "Low"),
        Severity::Info => (1, "Informational"),
    }
}

/// Milliseconds since the epoch of an RFC 3339 instant (0 when it cannot be read).
fn epoch_ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.timestamp_millis())
        .unwrap_or(0)
}

fn event(report: &Report, f: &Finding) -> Value {
    let (severity_id, severity_name) = severity(f.severity);
    let as_of = report
        .tenants
        .iter()
        .find(|t| t.id == f.tenant)
        .and_then(|t| t.as_of.as_deref())
        .unwrap_or(&report.run.as_of);
    let mapped: Vec<(&str, &Vec<String>)> = f
        .controls
        .iter()
        .filter(|(_, ids)| !ids.is_empty())
        .map(|(k, ids)| (k.as_str(), ids))
        .collect();
    let standards: Vec<&str> = if mapped.is_empty() {
        vec!["driftgate"]
    } else {
        mapped.iter().map(|(k, _)| standard_name(k)).collect()
    };
    let requirements: Vec<String> = if mapped.is_empty() {
        vec![format!("driftgate {}", f.rule)]
    } else {
        mapped
            .iter()
            .flat_map(|(k, ids)| {
                ids.iter()
                    .map(move |id| format!("{} {id}", standard_name(k)))
            })
            .collect()
    };
    let control = f
        .controls
        .get("nist-csf-2.0")
        .and_then(|ids| ids.first())
        .or_else(|| mapped.first().and_then(|(_, ids)| ids.first()))
        .cloned()
        .unwrap_or_else(|| f.rule.clone());
    let name = f
        .subject
        .principal_name
        .as_deref()
        .or(f.subject.display_name.as_deref())
        .unwrap_or(&f.subject.reference);
    json!({
        "activity_id": 1,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": 2003,
        "class_name": "Compliance Finding",
        "type_uid": 200301,
        "type_name": "Compliance Finding: Create",
        "time": epoch_ms(as_of),
        "severity_id": severity_id,
        "severity": severity_name,
        "status_id": if f.waived.is_some() { 3 } else { 1 },
        "status": if f.waived.is_some() { "Suppressed" } else { "New" },
        "message": f.message,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": "driftgate",
                "vendor_name": "driftgate",
                "version": env!("CARGO_PKG_VERSION"),
            },
            "event_code": f.rule,
            "tenant_uid": f.tenant,
            "uid": f.fingerprint,
        },
        "finding_info": {
            "uid": f.fingerprint,
            "title": &*f.title,
            "analytic": {"uid": f.rule, "name": &*f.title, "type_id": 1, "type": "Rule"},
        },
        "compliance": {
            "standards": standards,
            "requirements": requirements,
            "control": control,
            "status_id": 3,
            "status": "Fail",
        },
        "resources": [{
            "type": f.subject.kind.as_deref().unwrap_or("tenant"),
            "uid": f.subject.reference,
            "name": name,
            "data": {"source": f.subject.source},
        }],
        "remediation": {"desc": &*f.remediation},
        "unmapped": {
            "waived": f.waived,
            "evidence": f.evidence,
            "provenance": f.provenance,
            "key": f.key,
            "controls": &*f.controls,
        },
    })
}

/// Every finding as a Compliance Finding event, one JSON document per line.
pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    for f in &report.findings {
        serde_json::to_writer(&mut *out, &event(report, f))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared sample report, its first finding mapped to two frameworks.
    fn report() -> Report {
        let mut report = crate::report::sample::sample();
        report.findings[0].controls = std::sync::Arc::new(std::collections::BTreeMap::from([
            ("nist-csf-2.0".to_string(), vec!["PR.AA-05".to_string()]),
            (
                "nist-sp-800-53r5".to_string(),
                vec!["AC-2".to_string(), "AC-6".to_string()],
            ),
        ]));
        report
    }

    fn lines(report: &Report) -> Vec<Value> {
        let mut out = Vec::new();
        render(report, &mut out).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn one_compliance_finding_per_finding_with_the_required_fields() {
        let report = report();
        let events = lines(&report);
        assert_eq!(events.len(), report.findings.len());
        assert!(!events.is_empty());
        for e in &events {
            for key in [
                "activity_id",
                "category_uid",
                "class_uid",
                "metadata",
                "severity_id",
                "time",
                "type_uid",
                "finding_info",
                "compliance",
            ] {
                assert!(!e[key].is_null(), "OCSF requires {key}: {e}");
            }
            assert_eq!(e["class_uid"], 2003);
            assert_eq!(
                e["type_uid"].as_i64().unwrap(),
                e["class_uid"].as_i64().unwrap() * 100 + e["activity_id"].as_i64().unwrap()
            );
            assert_eq!(e["metadata"]["version"], OCSF_VERSION);
            assert!(e["metadata"]["product"]["name"].is_string());
            assert!(e["finding_info"]["uid"].is_string());
            assert!(
                e["time"].as_i64().unwrap() > 1_000_000_000_000,
                "milliseconds"
            );
        }
        let uids: std::collections::BTreeSet<&str> = events
            .iter()
            .map(|e| e["finding_info"]["uid"].as_str().unwrap())
            .collect();
        assert_eq!(uids.len(), events.len(), "finding_info.uid is unique");
    }

    #[test]
    fn standards_carry_framework_names_and_control_ids() {
        let report = report();
        let f = &report.findings[0];
        let e = &lines(&report)[0];
        assert_eq!(e["metadata"]["event_code"], f.rule.as_str());
        assert_eq!(
            e["compliance"]["standards"],
            json!(["NIST CSF 2.0", "NIST SP 800-53 Rev. 5"])
        );
        assert_eq!(
            e["compliance"]["requirements"],
            json!([
                "NIST CSF 2.0 PR.AA-05",
                "NIST SP 800-53 Rev. 5 AC-2",
                "NIST SP 800-53 Rev. 5 AC-6"
            ])
        );
        assert_eq!(e["compliance"]["control"], "PR.AA-05");
        assert_eq!(e["compliance"]["status"], "Fail");
        assert_eq!((&e["status_id"], &e["status"]), (&json!(1), &json!("New")));
        let waived = event(
            &report,
            report.findings.iter().find(|f| f.waived.is_some()).unwrap(),
        );
        assert_eq!(
            (&waived["status_id"], &waived["status"]),
            (&json!(3), &json!("Suppressed"))
        );
        assert_eq!(waived["compliance"]["status"], "Fail", "the verdict stays");
        assert_eq!(
            waived["unmapped"]["waived"]["declared"],
            "tenants/u/tenant.toml:9"
        );
        assert_eq!(e["resources"][0]["uid"], f.subject.reference.as_str());
        let unmapped = &lines(&report)[1];
        assert_eq!(unmapped["compliance"]["standards"], json!(["driftgate"]));
    }

    #[test]
    fn same_report_same_bytes() {
        let report = report();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        render(&report, &mut a).unwrap();
        render(&report, &mut b).unwrap();
        assert_eq!(a, b);
    }
}
