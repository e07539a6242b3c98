//! METADATA checks of one rule file: every field the pack's contract requires, each problem on
//! the line of its key, and every control id against the control catalogue. What these checks
//! do not cover, `metadata::parse` (the loader's own reading) still reports.

use super::fields::suggest;
use super::Problem;
use crate::controls::Catalogue;
use yaml_serde::Value as Yaml;

/// OPA's METADATA attributes; anything of ours belongs under `custom:` (Regal's
/// `invalid-metadata-attribute`).
const OPA_ATTRIBUTES: &[&str] = &[
    "scope",
    "title",
    "description",
    "related_resources",
    "authors",
    "organizations",
    "schemas",
    "entrypoint",
    "custom",
];

/// The frameworks every rule must map to.
pub const REQUIRED_FRAMEWORKS: &[&str] = &["nist-csf-1.1", "nist-csf-2.0"];

const SEVERITIES: &[&str] = &["critical", "high", "medium", "low", "info"];

/// What the other checks need from a rule's METADATA.
#[derive(Debug, Default)]
pub struct RuleInfo {
    pub id: Option<String>,
    /// Line of the `# METADATA` comment (or of `package` when there is none).
    pub line: usize,
    /// `custom.params` names.
    pub params: Vec<String>,
    /// Whether the file has a METADATA block with `custom:`.
    pub has_custom: bool,
}

/// YAML lines of a METADATA block: (file line, text without the `# `).
type YamlLines = Vec<(usize, String)>;

/// The `package` line, and the METADATA block above it: its `# METADATA` line and YAML lines.
fn block(text: &str) -> Option<(usize, Option<(usize, YamlLines)>)> {
    let lines: Vec<&str> = text.lines().collect();
    let pkg = lines
        .iter()
        .position(|l| l.trim_start().starts_with("package "))?;
    let mut start = pkg;
    while start > 0 && lines[start - 1].starts_with('#') {
        start -= 1;
    }
    let Some(at) = (start..pkg).find(|&n| lines[n].trim_end() == "# METADATA") else {
        return Some((pkg + 1, None));
    };
    let yaml = (at + 1..pkg)
        .map(|n| {
            let l = lines[n];
            let y = l
                .strip_prefix("# ")
                .or_else(|| l.strip_prefix('#'))
                .unwrap_or(l);
            (n + 1, y.to_string())
        })
        .collect();
    Some((pkg + 1, Some((at + 1, yaml))))
}

/// The line of `key:` in the block: the first at top level (`nested` false) or indented.
fn key_line(yaml: &[(usize, String)], key: &str, nested: bool, default: usize) -> usize {
    yaml.iter()
        .find(|(_, l)| {
            let t = l.trim_start();
            let indented = t.len() != l.len();
            indented == nested && t.starts_with(key) && t[key.len()..].starts_with(':')
        })
        .map(|(n, _)| *n)
        .unwrap_or(default)
}

fn text_of(v: Option<&Yaml>) -> Option<String> {
    match v? {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Check one rule file's METADATA. `declares_findings`: the file is a rule by its content.
pub fn check(
    file: &str,
    text: &str,
    declares_findings: bool,
    catalogue: &Catalogue,
    out: &mut Vec<Problem>,
) -> RuleInfo {
    let mut info = RuleInfo::default();
    let Some((pkg_line, meta)) = block(text) else {
        return info; // no package: a parse error, reported as such
    };
    info.line = pkg_line;
    let problems_before = out.len();
    let mut report = |line: usize, check: &'static str, message: String| {
        out.push(Problem {
            file: file.to_string(),
            line,
            check,
            message,
        })
    };
    let Some((meta_line, yaml)) = meta else {
        if declares_findings {
            report(
                pkg_line,
                "metadata-missing",
                "rule package has no `# METADATA` block directly above `package`".into(),
            );
        }
        return info;
    };
    info.line = meta_line;
    let source: String = yaml
        .iter()
        .map(|(_, l)| l.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let doc: Yaml = match yaml_serde::from_str(&source) {
        Ok(d) => d,
        Err(e) => {
            let line = e
                .location()
                .map(|l| meta_line + l.line())
                .unwrap_or(meta_line);
            report(
                line,
                "metadata-invalid",
                format!("METADATA is not valid YAML: {e}"),
            );
            return info;
        }
    };
    let Some(top) = doc.as_mapping() else {
        report(
            meta_line,
            "metadata-invalid",
            "METADATA must be a YAML mapping".into(),
        );
        return info;
    };
    let get = |m: &yaml_serde::Mapping, k: &str| m.get(k).cloned();
    for key in top.keys() {
        let k = text_of(Some(key)).unwrap_or_default();
        if !OPA_ATTRIBUTES.contains(&k.as_str()) {
            report(
                key_line(&yaml, &k, false, meta_line),
                "metadata-invalid",
                format!(
                    "unknown METADATA attribute `{k}`: OPA tools ignore it; put it under `custom:`"
                ),
            );
        }
    }
    let Some(custom) = top.get("custom").and_then(|c| c.as_mapping()) else {
        if declares_findings {
            report(
                meta_line,
                "metadata-missing",
                "METADATA has no `custom:` block (id, severity, scope, params, controls, remediation)"
                    .into(),
            );
        }
        return info;
    };
    info.has_custom = true;
    for (key, what, check) in [
        ("title", "title", "title-missing"),
        ("description", "description", "description-missing"),
    ] {
        if text_of(get(top, key).as_ref()).is_none_or(|s| s.trim().is_empty()) {
            report(
                meta_line,
                check,
                format!("METADATA {what} is missing or empty"),
            );
        }
    }
    let line_of = |key: &str| key_line(&yaml, key, true, meta_line);
    match text_of(get(custom, "id").as_ref()) {
        None => report(
            meta_line,
            "id-missing",
            "METADATA custom.id is missing".into(),
        ),
        Some(id) if !valid_id(&id) => report(
            line_of("id"),
            "id-malformed",
            format!("rule id `{id}` must match ^[A-Z][A-Z0-9]*-[0-9]{{3}}$ (e.g. STALE-001)"),
        ),
        Some(id) => info.id = Some(id),
    }
    match text_of(get(custom, "severity").as_ref()) {
        None => report(
            meta_line,
            "severity-invalid",
            "METADATA custom.severity is missing".into(),
        ),
        Some(s) if !SEVERITIES.contains(&s.as_str()) => report(
            line_of("severity"),
            "severity-invalid",
            format!(
                "unknown severity `{s}`: one of {}{}",
                SEVERITIES.join(", "),
                suggest(&s.to_lowercase(), SEVERITIES.iter().copied())
            ),
        ),
        Some(_) => {}
    }
    if let Some(scope) = get(custom, "scope") {
        let s = text_of(Some(&scope)).unwrap_or_default();
        if s != "identity" && s != "tenant" {
            report(
                line_of("scope"),
                "scope-invalid",
                format!("custom.scope `{s}` must be `identity` or `tenant`"),
            );
        }
    }
    if text_of(get(custom, "remediation").as_ref()).is_none_or(|s| s.trim().is_empty()) {
        report(
            line_of("remediation"),
            "remediation-missing",
            "METADATA custom.remediation is missing or empty: say how to fix a finding".into(),
        );
    }
    match get(custom, "params") {
        None => {}
        Some(Yaml::Mapping(p)) => {
            info.params = p.keys().filter_map(|k| text_of(Some(k))).collect();
        }
        Some(_) => report(
            line_of("params"),
            "metadata-invalid",
            "custom.params must map each param to its default".into(),
        ),
    }
    controls(&yaml, custom, catalogue, meta_line, &mut report);
    // Anything else the loader itself rejects (applies_to, unknown custom keys, ...), once the
    // checks above found nothing to say.
    if out.len() == problems_before {
        if let Err(e) = crate::policy::metadata::parse(file, text) {
            out.push(Problem {
                file: file.to_string(),
                line: e.line,
                check: "metadata-invalid",
                message: e.message,
            });
        }
    }
    info
}

fn controls(
    yaml: &[(usize, String)],
    custom: &yaml_serde::Mapping,
    catalogue: &Catalogue,
    meta_line: usize,
    report: &mut impl FnMut(usize, &'static str, String),
) {
    let controls_line = key_line(yaml, "controls", true, meta_line);
    let Some(map) = custom.get("controls").and_then(|c| c.as_mapping()) else {
        report(
            controls_line,
            "controls-missing",
            format!(
                "METADATA custom.controls is missing: map the rule to at least {}",
                REQUIRED_FRAMEWORKS.join(" and ")
            ),
        );
        return;
    };
    for required in REQUIRED_FRAMEWORKS {
        let ids = map.get(*required).and_then(|v| v.as_sequence());
        if ids.is_none_or(|s| s.is_empty()) {
            report(
                controls_line,
                "controls-missing",
                format!("custom.controls has no `{required}` control ids"),
            );
        }
    }
    // No catalogue at all (none shipped, none given): nothing to check ids against.
    let check_ids = !catalogue.frameworks.is_empty();
    for (key, ids) in map {
        let framework = text_of(Some(key)).unwrap_or_default();
        let line = key_line(yaml, &framework, true, controls_line);
        let Some(ids) = ids.as_sequence() else {
            report(
                line,
                "metadata-invalid",
                format!("custom.controls.{framework} must be a list of control ids"),
            );
            continue;
        };
        let known = catalogue.framework(&framework);
        if check_ids && known.is_none() {
            report(
                line,
                "control-unknown",
                format!(
                    "unknown control framework `{framework}`{} (known: {})",
                    suggest(&framework, catalogue.frameworks.keys().map(String::as_str)),
                    catalogue
                        .frameworks
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        for id in ids {
            let Yaml::String(id) = id else {
                report(
                    line,
                    "metadata-invalid",
                    format!("{framework}: control ids must be quoted strings (CIS `5.3` as \"5.3\"), found {id:?}"),
                );
                continue;
            };
            if let Some(fw) = known {
                if !fw.controls.contains_key(id) {
                    report(
                        line,
                        "control-unknown",
                        format!(
                            "control `{id}` is not in the {framework} catalogue ({}){}",
                            fw.file,
                            suggest(id, fw.controls.keys().map(String::as_str))
                        ),
                    );
                }
            }
        }
    }
}

/// `^[A-Z][A-Z0-9]*-[0-9]{3}$`
pub fn valid_id(id: &str) -> bool {
    let Some((family, num)) = id.split_once('-') else {
        return false;
    };
    family.starts_with(|c: char| c.is_ascii_uppercase())
        && family
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && num.len() == 3
        && num.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_well_formed() {
        for ok in ["STALE-001", "A1-999", "X-000"] {
            assert!(valid_id(ok), "{ok}");
        }
        for bad in [
            "stale-001",
            "STALE-1",
            "STALE001",
            "1A-001",
            "STALE-0001",
            "ST_ALE-001",
        ] {
            assert!(!valid_id(bad), "{bad}");
        }
    }
}
