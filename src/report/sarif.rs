//! report.sarif: SARIF 2.1.0 for GitHub code scanning. One run; one result per finding.
//!
//! GitHub rejects a file when any result lacks a physical location, so every result points at a
//! real, estate-relative file: the export holding the finding's first provenance record, or the
//! tenant's config file when the finding cites no record. The subject itself is a logical
//! location. `partialFingerprints` carries the finding's stable fingerprint so alerts match
//! across runs. Renders only; writes no absolute path and no wall-clock time.

use super::Report;
use crate::finding::Finding;
use crate::policy::metadata::Severity;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::io::Write;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key of our fingerprint in `partialFingerprints`; bump the suffix if the fingerprint
/// recipe ever changes.
pub const FINGERPRINT_KEY: &str = "driftgate/v1";

/// SARIF `level` for a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity`, mid-band so a value never sits on a band edge; none for info.
pub fn security_severity(s: Severity) -> Option<&'static str> {
    match s {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("2.0"),
        Severity::Info => None,
    }
}

/// An estate-relative path as a relative URI reference: `/` separators, no leading `/`, and
/// bytes outside the URI's unreserved and path characters percent-encoded.
pub fn relative_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.trim_start_matches('/');
    let mut uri = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                uri.push(b as char)
            }
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' => {
                uri.push(b as char)
            }
            b'@' => uri.push('@'),
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri
}

/// `fullDescription` and `help` are required by GitHub code scanning: the rule's description
/// with its severity, policy file and controls; `help` adds the remediation.
fn rule_json(r: &super::RuleInfo) -> Value {
    let family = r.id.split('-').next().unwrap_or(&r.id).to_lowercase();
    let mut props = Map::new();
    props.insert(
        "tags".into(),
        json!(["security", "identity", family.as_str()]),
    );
    if let Some(s) = security_severity(r.severity) {
        props.insert("security-severity".into(), json!(s));
    }
    props.insert("severity".into(), json!(r.severity.as_str()));
    props.insert("controls".into(), json!(r.controls));
    let controls: Vec<String> = r
        .controls
        .iter()
        .map(|(framework, ids)| format!("{framework} {}", ids.join(", ")))
        .collect();
    let mut full = format!(
        "{} driftgate rule {} ({} severity), defined in {}.",
        r.description.trim_end(),
        r.id,
        r.severity.as_str(),
        r.file
    );
    if !controls.is_empty() {
        full.push_str(&format!(" Controls: {}.", controls.join("; ")));
    }
    let help = if r.remediation.is_empty() {
        full.clone()
    } else {
        format!("{}\n\n{full}", r.remediation)
    };
    json!({
        "id": r.id,
        "name": r.title,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": full},
        "help": {"text": help},
        "defaultConfiguration": {"level": level(r.severity)},
        "properties": props,
    })
}

fn result_json(f: &Finding, rule_index: Option<usize>, config_file: Option<&str>) -> Value {
    let mut physical = Map::new();
    match f.provenance.first() {
        Some(p) => {
            physical.insert(
                "artifactLocation".into(),
                json!({"uri": relative_uri(&p.file)}),
            );
            if let Some(line) = p.line {
                physical.insert("region".into(), json!({"startLine": line}));
            }
            physical.insert(
                "properties".into(),
                json!({"source": p.source, "record": p.record}),
            );
        }
        None => {
            physical.insert(
                "artifactLocation".into(),
                json!({"uri": relative_uri(config_file.unwrap_or("estate.toml"))}),
            );
        }
    }
    // A whole-file location still names a region (SARIF2017): the file's first line.
    if !physical.contains_key("region") {
        physical.insert("region".into(), json!({"startLine": 1}));
    }
    let name = f
        .subject
        .principal_name
        .as_deref()
        .or(f.subject.display_name.as_deref())
        .unwrap_or(&f.subject.reference);
    let mut result = Map::new();
    result.insert("ruleId".into(), json!(f.rule));
    if let Some(i) = rule_index {
        result.insert("ruleIndex".into(), json!(i));
    }
    result.insert("level".into(), json!(level(f.severity)));
    result.insert("message".into(), json!({"text": f.message}));
    result.insert(
        "locations".into(),
        json!([{
            "physicalLocation": physical,
            "logicalLocations": [{
                "name": name,
                "fullyQualifiedName": format!("{}/{}", f.tenant, f.subject.reference),
                "kind": "member",
            }],
        }]),
    );
    result.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT_KEY: f.fingerprint }),
    );
    let mut props = Map::new();
    props.insert("tenant".into(), json!(f.tenant));
    props.insert("severity".into(), json!(f.severity.as_str()));
    props.insert("subject".into(), json!(f.subject));
    props.insert("evidence".into(), f.evidence.clone());
    props.insert("provenance".into(), json!(f.provenance));
    props.insert("controls".into(), json!(*f.controls));
    props.insert("remediation".into(), json!(*f.remediation));
    if let Some(k) = &f.key {
        props.insert("key".into(), json!(k));
    }
    result.insert("properties".into(), Value::Object(props));
    // A waived finding is an accepted, externally recorded suppression: code scanning shows it
    // as dismissed, with the justification.
    if let Some(w) = &f.waived {
        result.insert(
            "suppressions".into(),
            json!([{
                "kind": "external",
                "status": "accepted",
                "justification": format!("{} (waiver {}, owner {}, approved by {})", w.reason, w.declared, w.owner, w.approver),
                "location": {"physicalLocation": {"artifactLocation": {"uri": relative_uri(w.declared.rsplit_once(':').map_or(w.declared.as_str(), |(file, _)| file))}}},
                "properties": **w,
            }]),
        );
    }
    Value::Object(result)
}

/// The SARIF log as a JSON value (keys sorted: byte-identical for identical reports).
pub fn to_value(report: &Report) -> Value {
    let index: BTreeMap<&str, usize> = report
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let config: BTreeMap<&str, &str> = report
        .tenants
        .iter()
        .map(|t| (t.id.as_str(), t.config_file.as_str()))
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            result_json(
                f,
                index.get(f.rule.as_str()).copied(),
                config.get(f.tenant.as_str()).copied(),
            )
        })
        .collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "rules": report
                    .rules
                    .iter()
                    .map(rule_json)
                    .collect::<Vec<_>>(),
            }},
            "automationDetails": {"id": format!("driftgate/{}/", report.run.estate)},
            "properties": {
                "estate": report.run.estate,
                "as_of": report.run.as_of,
                "complete": report.run.complete,
            },
            "results": results,
        }],
    })
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report))?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{sample, HOSTILE};

    #[test]
    fn hostile_text_stays_a_json_string_and_locations_are_relative() {
        let r = sample();
        let mut out = Vec::new();
        render(&r, &mut out).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        let results = v["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), r.findings.len());
        let hostile = &results[0];
        assert_eq!(
            hostile["locations"][0]["logicalLocations"][0]["name"],
            HOSTILE
        );
        assert_eq!(hostile["level"], "error");
        assert_eq!(
            hostile["partialFingerprints"][FINGERPRINT_KEY],
            r.findings[0].fingerprint
        );
        let uri = hostile["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert_eq!(uri, "tenants/t/a%20b/users.csv");
        assert_eq!(
            hostile["locations"][0]["physicalLocation"]["region"]["startLine"],
            7
        );
        // A finding without provenance still has a physical location: the tenant's config.
        let bare = &results[1];
        assert_eq!(
            bare["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "tenants/t/tenant.toml"
        );
        assert_eq!(
            bare["locations"][0]["physicalLocation"]["region"]["startLine"],
            1
        );
        // Only the waived finding is suppressed: accepted, external, with the waiver's file.
        let suppressed: Vec<&Value> = results
            .iter()
            .filter(|r| r.get("suppressions").is_some())
            .collect();
        assert_eq!(suppressed.len(), 1);
        let s = &suppressed[0]["suppressions"][0];
        assert_eq!(
            (&s["kind"], &s["status"]),
            (&json!("external"), &json!("accepted"))
        );
        assert!(s["justification"]
            .as_str()
            .unwrap()
            .starts_with("kept for <legal> hold & audit (waiver tenants/u/tenant.toml:9"));
        assert_eq!(
            s["location"]["physicalLocation"]["artifactLocation"]["uri"],
            "tenants/u/tenant.toml"
        );
        assert_eq!(s["properties"]["approver"], "ciso@msp.example");
    }

    #[test]
    fn relative_uris() {
        assert_eq!(relative_uri("/abs\\x y%.json"), "abs/x%20y%25.json");
        assert_eq!(relative_uri("tenants/c/users.json"), "tenants/c/users.json");
    }
}
