//! `# METADATA` blocks, read by driftgate itself (regorus drops comments).
//!
//! A block is a run of column-1 `#` comment lines starting with `# METADATA`; its YAML attaches to
//! the next `package` line. Everything of ours lives under `custom:` (OPA/Regal convention).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How bad a finding is. Ordered: `Critical` is the greatest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// Where a rule is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Once per chunk of a tenant's identities.
    #[default]
    Identity,
    /// Once per tenant, with an empty identity list.
    Tenant,
}

#[derive(Debug, Deserialize)]
struct RawBlock {
    title: Option<String>,
    description: Option<String>,
    #[serde(default)]
    custom: Option<RawCustom>,
    #[serde(flatten)]
    _rest: BTreeMap<String, yaml_serde::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCustom {
    id: Option<String>,
    severity: Option<String>,
    #[serde(default)]
    scope: Scope,
    #[serde(default)]
    params: BTreeMap<String, yaml_serde::Value>,
    #[serde(default)]
    controls: BTreeMap<String, Vec<yaml_serde::Value>>,
    remediation: Option<String>,
    effective_on: Option<String>,
    applies_to: Option<AppliesTo>,
}

/// `custom.applies_to`: one map (all entries must hold) or a list of maps (any one).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum AppliesTo {
    All(BTreeMap<String, Vec<yaml_serde::Value>>),
    Any(Vec<BTreeMap<String, Vec<yaml_serde::Value>>>),
}

/// A rule's catalogue entry.
#[derive(Debug, Clone, Serialize)]
pub struct RuleMeta {
    pub id: String,
    pub title: std::sync::Arc<str>,
    pub description: String,
    pub severity: Severity,
    pub scope: Scope,
    /// Thresholds the rule reads from `input.params`, with their defaults.
    pub params: BTreeMap<String, serde_json::Value>,
    /// framework id → control ids.
    pub controls: std::sync::Arc<BTreeMap<String, Vec<String>>>,
    pub remediation: std::sync::Arc<str>,
    /// `data.<package>`.
    pub package: String,
    pub file: String,
    pub line: usize,
    /// Whether the package defines `not_evaluable`.
    pub has_not_evaluable: bool,
    /// The identities the rule can say anything about: alternatives (any may hold), each a list
    /// of identity field path → allowed values (all must hold). Others are not given to it.
    /// Empty: every identity.
    pub applies_to: Vec<Vec<(String, Vec<serde_json::Value>)>>,
    /// `custom.effective_on` (YYYY-MM-DD): before this date the rule's findings are warnings,
    /// not failures (`--fail-on`, `policy impact --fail-on-new`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_on: Option<String>,
}

impl RuleMeta {
    /// Whether the rule's findings count at `as_of` (always, without `effective_on`).
    pub fn effective_at(&self, as_of: chrono::DateTime<chrono::Utc>) -> bool {
        effective_at(self.effective_on.as_deref(), as_of)
    }
}

/// Whether a rule with this `effective_on` date (YYYY-MM-DD) is in force at `as_of` (a date
/// that does not parse never holds a finding back).
pub fn effective_at(effective_on: Option<&str>, as_of: chrono::DateTime<chrono::Utc>) -> bool {
    effective_on
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .is_none_or(|d| as_of.date_naive() >= d)
}

/// A METADATA problem, located.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetaError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// Read the package-scope METADATA of one policy file. `Ok(None)`: a helper package, not a rule.
pub fn parse(file: &str, text: &str) -> Result<Option<RuleMeta>, MetaError> {
    let lines: Vec<&str> = text.lines().collect();
    let package_line = lines
        .iter()
        .position(|l| l.trim_start().starts_with("package "));
    let Some(pkg_idx) = package_line else {
        return Err(MetaError {
            file: file.into(),
            line: 1,
            message: "no `package` line".into(),
        });
    };
    let package = lines[pkg_idx].trim_start()["package ".len()..]
        .trim()
        .to_string();
    let err = |line: usize, message: String| MetaError {
        file: file.into(),
        line,
        message,
    };
    // The comment block directly above `package` (blank lines end a block, per OPA).
    let mut start = pkg_idx;
    while start > 0 && lines[start - 1].starts_with('#') {
        start -= 1;
    }
    let block: Vec<&str> = lines[start..pkg_idx].to_vec();
    let Some(meta_at) = block.iter().position(|l| l.trim_end() == "# METADATA") else {
        return Ok(None);
    };
    let yaml: String = block[meta_at + 1..]
        .iter()
        .map(|l| {
            l.strip_prefix("# ")
                .or_else(|| l.strip_prefix('#'))
                .unwrap_or(l)
        })
        .collect::<Vec<_>>()
        .join("\n");
    let line = start + meta_at + 1;
    let raw: RawBlock = yaml_serde::from_str(&yaml)
        .map_err(|e| err(line, format!("METADATA is not valid YAML: {e}")))?;
    let Some(custom) = raw.custom else {
        return Ok(None);
    };
    let id = custom
        .id
        .ok_or_else(|| err(line, "METADATA custom.id is missing".into()))?;
    if !valid_id(&id) {
        return Err(err(line, format!("rule id `{id}` must look like ABC-123")));
    }
    let severity_raw = custom
        .severity
        .ok_or_else(|| err(line, format!("{id}: METADATA custom.severity is missing")))?;
    let severity = Severity::parse(&severity_raw).ok_or_else(|| {
        err(
            line,
            format!("{id}: unknown severity `{severity_raw}` (critical, high, medium, low, info)"),
        )
    })?;
    let mut params = BTreeMap::new();
    for (k, v) in custom.params {
        let json =
            serde_json::to_value(&v).map_err(|e| err(line, format!("{id}: param `{k}`: {e}")))?;
        params.insert(k, json);
    }
    let mut controls = BTreeMap::new();
    for (framework, ids) in custom.controls {
        let ids: Vec<String> = ids
            .into_iter()
            .map(|v| match v {
                yaml_serde::Value::String(s) => Ok(s),
                other => Err(err(line, format!("{id}: control ids must be quoted strings (CIS `5.3` as \"5.3\"), found {other:?} under {framework}"))),
            })
            .collect::<Result<_, _>>()?;
        controls.insert(framework, ids);
    }
    if controls.is_empty() {
        return Err(err(
            line,
            format!("{id}: METADATA custom.controls maps the rule to no control"),
        ));
    }
    let effective_on = match custom.effective_on {
        None => None,
        Some(d) => {
            // The key's own line, so the error points at the date.
            let at = block[meta_at + 1..]
                .iter()
                .position(|l| l.contains("effective_on:"))
                .map_or(line, |k| line + 1 + k);
            let date = chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                err(
                    at,
                    format!("{id}: custom.effective_on `{d}` is not a date (YYYY-MM-DD)"),
                )
            })?;
            Some(date.format("%Y-%m-%d").to_string())
        }
    };
    let alternatives = match custom.applies_to {
        None => Vec::new(),
        Some(AppliesTo::All(one)) => vec![one],
        Some(AppliesTo::Any(any)) => any,
    };
    if !alternatives.is_empty() && custom.scope != Scope::Identity {
        return Err(err(
            line,
            format!("{id}: custom.applies_to only applies to identity-scope rules"),
        ));
    }
    let mut applies_to = Vec::new();
    for entries in alternatives {
        if entries.is_empty() {
            return Err(err(
                line,
                format!("{id}: custom.applies_to has an empty alternative: it would select every identity"),
            ));
        }
        let mut all = Vec::new();
        for (path, values) in entries {
            if !crate::model::identity_has_field(&path) {
                return Err(err(
                    line,
                    format!("{id}: custom.applies_to names `{path}`, which is not a field of an identity (see `driftgate input`)"),
                ));
            }
            if values.is_empty() {
                return Err(err(
                    line,
                    format!(
                        "{id}: custom.applies_to.{path} lists no value: the rule would see no identity"
                    ),
                ));
            }
            let mut allowed = Vec::new();
            for v in values {
                let json = serde_json::to_value(&v)
                    .map_err(|e| err(line, format!("{id}: custom.applies_to.{path}: {e}")))?;
                if json.is_object() || json.is_array() {
                    return Err(err(
                        line,
                        format!("{id}: custom.applies_to.{path} values must be strings, numbers, booleans or null"),
                    ));
                }
                allowed.push(json);
            }
            all.push((path, allowed));
        }
        applies_to.push(all);
    }
    Ok(Some(RuleMeta {
        title: raw
            .title
            .ok_or_else(|| err(line, format!("{id}: METADATA title is missing")))?
            .into(),
        description: raw.description.unwrap_or_default(),
        severity,
        scope: custom.scope,
        params,
        controls: controls.into(),
        remediation: custom
            .remediation
            .ok_or_else(|| {
                err(
                    line,
                    format!("{id}: METADATA custom.remediation is missing"),
                )
            })?
            .into(),
        package: format!("data.{package}"),
        file: file.into(),
        line,
        has_not_evaluable: lines
            .iter()
            .any(|l| l.starts_with("not_evaluable contains") || l.starts_with("not_evaluable[")),
        applies_to,
        effective_on,
        id,
    }))
}

fn valid_id(id: &str) -> bool {
    let Some((family, num)) = id.split_once('-') else {
        return false;
    };
    !family.is_empty()
        && family
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && family.starts_with(|c: char| c.is_ascii_uppercase())
        && num.len() == 3
        && num.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "# METADATA\n# title: Stale account\n# description: d\n# custom:\n#   id: STALE-001\n#   severity: medium\n#   params:\n#     stale_days: 90\n#   controls:\n#     cis-v8: [\"5.3\"]\n#   remediation: Disable it.\npackage driftgate.rules.stale_001\n\nimport rego.v1\n\nnot_evaluable contains x if { false }\n";

    #[test]
    fn reads_package_metadata() {
        let m = parse("p.rego", RULE).unwrap().unwrap();
        assert_eq!(
            (m.id.as_str(), m.severity, m.package.as_str()),
            (
                "STALE-001",
                Severity::Medium,
                "data.driftgate.rules.stale_001"
            )
        );
        assert_eq!(m.params["stale_days"], serde_json::json!(90));
        assert_eq!(m.controls["cis-v8"], vec!["5.3".to_string()]);
        assert!(m.has_not_evaluable);
        assert_eq!(m.line, 1);
    }

    #[test]
    fn effective_on_is_a_date_checked_against_as_of() {
        let with = |d: &str| {
            RULE.replace(
                "#   params:",
                &format!("#   effective_on: {d}\n#   params:"),
            )
        };
        let m = parse("p.rego", &with("2027-01-01")).unwrap().unwrap();
        assert_eq!(m.effective_on.as_deref(), Some("2027-01-01"));
        let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        assert!(!m.effective_at(at("2026-12-31T23:59:59Z")));
        assert!(m.effective_at(at("2027-01-01T00:00:00Z")));
        assert!(parse("p.rego", RULE)
            .unwrap()
            .unwrap()
            .effective_at(at("2000-01-01T00:00:00Z")));
        let e = parse("p.rego", &with("2027-13-01")).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("p.rego", 7));
        assert!(
            e.message
                .contains("custom.effective_on `2027-13-01` is not a date (YYYY-MM-DD)"),
            "{}",
            e.message
        );
    }

    #[test]
    fn helper_packages_are_not_rules() {
        assert!(parse("l.rego", "package driftgate.lib\n")
            .unwrap()
            .is_none());
    }

    #[test]
    fn defects_are_located_errors() {
        let bad_sev = RULE.replace("severity: medium", "severity: urgent");
        assert!(parse("p.rego", &bad_sev)
            .unwrap_err()
            .message
            .contains("unknown severity `urgent`"));
        let float_cis = RULE.replace("[\"5.3\"]", "[5.3]");
        assert!(parse("p.rego", &float_cis)
            .unwrap_err()
            .message
            .contains("quoted"));
        let bad_id = RULE.replace("STALE-001", "stale1");
        assert!(parse("p.rego", &bad_id)
            .unwrap_err()
            .message
            .contains("ABC-123"));
        let with_sel = |sel: &str| {
            RULE.replace(
                "#   params:",
                &format!("#   applies_to:\n#     {sel}\n#   params:"),
            )
        };
        let m = parse("p.rego", &with_sel("kind: [human, guest]"))
            .unwrap()
            .unwrap();
        assert_eq!(
            m.applies_to,
            vec![vec![(
                "kind".to_string(),
                vec![serde_json::json!("human"), serde_json::json!("guest")]
            )]]
        );
        let any = RULE.replace(
            "#   params:",
            "#   applies_to:\n#     - {kind: [technician]}\n#     - {kind: [delegation], enabled: [true]}\n#   params:",
        );
        let m = parse("p.rego", &any).unwrap().unwrap();
        assert_eq!(m.applies_to.len(), 2);
        assert_eq!(m.applies_to[1].len(), 2);
        for (sel, says) in [
            ("knd: [human]", "not a field of an identity"),
            ("derived.has_rolez: [true]", "not a field of an identity"),
            ("kind: []", "lists no value"),
            (
                "kind: [[human]]",
                "must be strings, numbers, booleans or null",
            ),
        ] {
            let e = parse("p.rego", &with_sel(sel)).unwrap_err();
            assert!(e.message.contains(says), "{sel}: {}", e.message);
        }
        let tenant_scoped = with_sel("kind: [human]").replace(
            "#   id: STALE-001\n",
            "#   id: STALE-001\n#   scope: tenant\n",
        );
        assert!(parse("p.rego", &tenant_scoped)
            .unwrap_err()
            .message
            .contains("only applies to identity-scope rules"));
        let no_fix = RULE.replace("#   remediation: Disable it.\n", "");
        assert!(parse("p.rego", &no_fix)
            .unwrap_err()
            .message
            .contains("remediation"));
    }
}
