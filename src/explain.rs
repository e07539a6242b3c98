//! `driftgate explain ID`: a rule's documentation, with its thresholds' current values.
//!
//! Gathers one [`Explanation`] from the rule's METADATA, its doc (the `.md` beside the `.rego`:
//! embedded for shipped rules, read from disk for a user's), the control catalogues and, with
//! `--estate`, the estate's and tenants' `[params]`; then renders it as text, JSON or Markdown.
//! It never evaluates a policy.

use crate::controls::Catalogue;
use crate::policy::metadata::RuleMeta;
use crate::policy::{Origin, PolicySet};
use crate::report::exit;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// `driftgate explain`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The rule id, e.g. STALE-001 (any case).
    pub id: String,
    /// An estate whose params give the thresholds' current values.
    #[arg(long, value_name = "DIR")]
    pub estate: Option<PathBuf>,
    /// Folders of your own policies (their rules, docs and `controls/*.toml`).
    #[arg(long = "policies", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// How `explain` prints.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

/// Everything `explain` says about one rule.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub id: String,
    pub title: String,
    pub severity: crate::policy::metadata::Severity,
    pub scope: crate::policy::metadata::Scope,
    pub origin: Origin,
    /// The rule's `.rego`.
    pub file: String,
    /// The doc read (`builtin:...md` or the user's path); null when the rule has none.
    pub doc: Option<String>,
    /// METADATA `description`.
    pub description: String,
    /// The doc's "What it checks" (falls back to the description).
    pub checks: String,
    /// The doc's "Why it matters".
    pub why: Option<String>,
    /// The doc's "Not evaluable".
    pub not_evaluable: Option<String>,
    pub params: Vec<Param>,
    pub controls: Vec<ControlLine>,
    /// The doc's "Remediation" (falls back to METADATA `remediation`).
    pub remediation: String,
    /// The doc's "Example finding", without its code fence.
    pub example_finding: Option<String>,
}

/// A threshold: its default and, with `--estate`, its current values.
#[derive(Debug, Clone, Serialize)]
pub struct Param {
    pub name: String,
    pub default: Value,
    /// estate.toml `[params]`, when it sets this one.
    pub estate: Option<Value>,
    /// tenant id → the tenant.toml override.
    pub tenants: BTreeMap<String, Value>,
}

/// One control the rule maps to, with titles from the catalogue when known.
#[derive(Debug, Clone, Serialize)]
pub struct ControlLine {
    pub framework: String,
    pub framework_title: Option<String>,
    pub id: String,
    pub title: Option<String>,
}

/// Print the doc; the exit code: 0 found, 2 unknown rule or bad estate, 3 bad policies.
pub fn cli(args: &Args) -> i32 {
    let set = match PolicySet::load(true, &args.policies) {
        Ok(set) => set,
        Err(errors) => {
            for e in errors {
                eprintln!("policy error: {e}");
            }
            return exit::POLICY_ERROR;
        }
    };
    let Some(rule) = find(&set, &args.id) else {
        let known: Vec<&str> = set.rules.keys().map(String::as_str).collect();
        eprintln!(
            "error: unknown rule {}; known: {}",
            args.id,
            known.join(", ")
        );
        let close = suggest(&args.id, &known);
        if !close.is_empty() {
            eprintln!("hint: did you mean {}?", close.join(", "));
        }
        return exit::INPUT_ERROR;
    };
    let estate = match &args.estate {
        None => None,
        Some(dir) => match crate::estate::Estate::discover(dir) {
            Ok(e) => {
                for (id, err) in &e.tenant_errors {
                    eprintln!("warning: tenant {id} not read, its params are not shown: {err}");
                }
                Some(e)
            }
            Err(e) => {
                eprintln!("error: {e}");
                return exit::INPUT_ERROR;
            }
        },
    };
    let x = explain(rule, &set, estate.as_ref());
    let text = match args.format {
        Format::Text => text(&x),
        Format::Markdown => markdown(&x),
        Format::Json => serde_json::to_string_pretty(&x).expect("serialisable") + "\n",
    };
    print!("{text}");
    exit::CLEAN
}

/// The rule with this id, in any case.
pub fn find<'a>(set: &'a PolicySet, id: &str) -> Option<&'a RuleMeta> {
    let id = id.trim();
    set.rules.values().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// Known ids close to `wanted`: the nearest ones at most two edits away, else the same family.
fn suggest<'a>(wanted: &str, known: &[&'a str]) -> Vec<&'a str> {
    let mut w = wanted.trim().to_ascii_uppercase();
    // `PRIV-7` means PRIV-007.
    if let Some((family, num)) = w.split_once('-') {
        if !num.is_empty() && num.len() < 3 && num.chars().all(|c| c.is_ascii_digit()) {
            w = format!("{family}-{num:0>3}");
        }
    }
    let nearest = known
        .iter()
        .map(|k| distance(&w, k))
        .min()
        .unwrap_or(usize::MAX);
    if nearest <= 2 {
        return known
            .iter()
            .copied()
            .filter(|k| distance(&w, k) == nearest)
            .collect();
    }
    let family = w.split('-').next().unwrap_or_default();
    known
        .iter()
        .copied()
        .filter(|k| !family.is_empty() && k.split('-').next() == Some(family))
        .collect()
}

/// Levenshtein distance (ids are short).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Gather what `explain` prints about `rule`.
pub fn explain(
    rule: &RuleMeta,
    set: &PolicySet,
    estate: Option<&crate::estate::Estate>,
) -> Explanation {
    let (doc_path, doc) = doc(rule);
    let sections = doc.as_deref().map(sections).unwrap_or_default();
    let section = |name: &str| {
        sections
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(name))
            .map(|(_, body)| body.clone())
            .filter(|b| !b.is_empty())
    };
    let params = rule
        .params
        .iter()
        .map(|(name, default)| Param {
            name: name.clone(),
            default: default.clone(),
            estate: estate.and_then(|e| e.params.get(name)).map(to_json),
            tenants: estate
                .map(|e| {
                    e.tenants
                        .iter()
                        .filter_map(|t| t.params.get(name).map(|v| (t.id.clone(), to_json(v))))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    Explanation {
        id: rule.id.clone(),
        title: rule.title.to_string(),
        severity: rule.severity,
        scope: rule.scope,
        origin: set
            .files
            .iter()
            .find(|f| f.path == rule.file)
            .map_or(Origin::User, |f| f.origin.clone()),
        file: rule.file.clone(),
        doc: doc_path,
        description: rule.description.clone(),
        checks: section("What it checks").unwrap_or_else(|| rule.description.clone()),
        why: section("Why it matters"),
        not_evaluable: section("Not evaluable"),
        params,
        controls: controls(rule, &set.catalogue),
        remediation: section("Remediation").unwrap_or_else(|| rule.remediation.to_string()),
        example_finding: section("Example finding").map(|b| unfence(&b)),
    }
}

fn to_json(v: &toml::Value) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The rule's doc: (where it was read, its text).
fn doc(rule: &RuleMeta) -> (Option<String>, Option<String>) {
    if let Some(text) = crate::policy::builtin_doc(&rule.file) {
        let shown = rule
            .file
            .strip_suffix(".rego")
            .unwrap_or(&rule.file)
            .to_string()
            + ".md";
        return (Some(shown), Some(text.to_string()));
    }
    if rule.file.starts_with("builtin:") {
        return (None, None);
    }
    let path = Path::new(&rule.file).with_extension("md");
    match std::fs::read_to_string(&path) {
        Ok(text) => (Some(path.display().to_string()), Some(text)),
        Err(_) => (None, None),
    }
}

/// A doc's `## ` sections: (heading, trimmed body), in order. Headings inside code fences are
/// text.
fn sections(doc: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut fenced = false;
    for line in doc.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        match line.strip_prefix("## ") {
            Some(h) if !fenced => out.push((h.trim().to_string(), String::new())),
            _ => {
                if let Some((_, body)) = out.last_mut() {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    for (_, body) in &mut out {
        *body = body.trim().to_string();
    }
    out
}

/// A section that is one code block, without its fence.
fn unfence(body: &str) -> String {
    let lines: Vec<&str> = body.lines().collect();
    match (lines.first(), lines.last()) {
        (Some(first), Some(last))
            if lines.len() >= 2 && first.starts_with("```") && last.trim() == "```" =>
        {
            lines[1..lines.len() - 1].join("\n")
        }
        _ => body.to_string(),
    }
}

fn controls(rule: &RuleMeta, cat: &Catalogue) -> Vec<ControlLine> {
    rule.controls
        .iter()
        .flat_map(|(fw, ids)| {
            ids.iter().map(move |id| ControlLine {
                framework: fw.clone(),
                framework_title: cat.framework(fw).map(|f| f.title.clone()),
                id: id.clone(),
                title: cat.title(fw, id).map(str::to_string),
            })
        })
        .collect()
}

fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// "default 90; estate 120; tenant contoso 60" (only what is set).
fn values(p: &Param) -> String {
    let mut s = format!("default {}", compact(&p.default));
    if let Some(v) = &p.estate {
        let _ = write!(s, "; estate {}", compact(v));
    }
    for (t, v) in &p.tenants {
        let _ = write!(s, "; tenant {t} {}", compact(v));
    }
    s
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("  {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Controls grouped by framework: (framework key, its title, [(id, title)]).
type Grouped<'a> = Vec<(&'a str, Option<&'a str>, Vec<(&'a str, Option<&'a str>)>)>;

fn grouped(x: &Explanation) -> Grouped<'_> {
    let mut out: Grouped<'_> = Vec::new();
    for c in &x.controls {
        if out.last().is_none_or(|(fw, _, _)| *fw != c.framework) {
            out.push((&c.framework, c.framework_title.as_deref(), Vec::new()));
        }
        if let Some((_, _, ids)) = out.last_mut() {
            ids.push((&c.id, c.title.as_deref()));
        }
    }
    out
}

/// The readable form.
pub fn text(x: &Explanation) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{}  {}", x.id, x.title);
    let _ = writeln!(
        o,
        "severity {} · scope {} · {}",
        x.severity.as_str(),
        serde_json::to_value(x.scope).map_or_else(|_| String::new(), |v| compact(&v)),
        x.file
    );
    let mut part = |head: &str, body: &str| {
        let _ = write!(o, "\n{head}\n{}\n", indent(body));
    };
    part("What it checks", &x.checks);
    if let Some(why) = &x.why {
        part("Why it matters", why);
    }
    if !x.params.is_empty() {
        let lines: Vec<String> = x
            .params
            .iter()
            .map(|p| format!("{}: {}", p.name, values(p)))
            .collect();
        part("Thresholds", &lines.join("\n"));
    }
    if let Some(ne) = &x.not_evaluable {
        part("Not evaluable", ne);
    }
    let mut lines = Vec::new();
    for (fw, title, ids) in grouped(x) {
        lines.push(match title {
            Some(t) => format!("{t} ({fw})"),
            None => fw.to_string(),
        });
        for (id, t) in ids {
            lines.push(match t {
                Some(t) => format!("  {id}  {t}"),
                None => format!("  {id}"),
            });
        }
    }
    part("Controls", &lines.join("\n"));
    part("Remediation", &x.remediation);
    if let Some(ex) = &x.example_finding {
        part("Example finding", ex);
    }
    o
}

/// The Markdown form (for a wiki page or a PR comment).
pub fn markdown(x: &Explanation) -> String {
    let md = crate::report::markdown::escape;
    let mut o = String::new();
    let _ = writeln!(o, "# {} {}\n", x.id, md(&x.title));
    let _ = writeln!(
        o,
        "Severity **{}** · scope **{}** · `{}`",
        x.severity.as_str(),
        serde_json::to_value(x.scope).map_or_else(|_| String::new(), |v| compact(&v)),
        x.file
    );
    let _ = write!(o, "\n## What it checks\n{}\n", x.checks);
    if let Some(why) = &x.why {
        let _ = write!(o, "\n## Why it matters\n{why}\n");
    }
    if !x.params.is_empty() {
        o.push_str(
            "\n## Thresholds\n\n| param | default | estate | tenants |\n|---|---|---|---|\n",
        );
        for p in &x.params {
            let tenants: Vec<String> = p
                .tenants
                .iter()
                .map(|(t, v)| format!("{t}: `{}`", compact(v)))
                .collect();
            let _ = writeln!(
                o,
                "| `{}` | `{}` | {} | {} |",
                p.name,
                compact(&p.default),
                p.estate
                    .as_ref()
                    .map_or_else(String::new, |v| format!("`{}`", compact(v))),
                md(&tenants.join(", "))
            );
        }
    }
    if let Some(ne) = &x.not_evaluable {
        let _ = write!(o, "\n## Not evaluable\n{ne}\n");
    }
    o.push_str("\n## Controls\n\n| framework | control | title |\n|---|---|---|\n");
    for c in &x.controls {
        let _ = writeln!(
            o,
            "| {} | {} | {} |",
            md(c.framework_title.as_deref().unwrap_or(&c.framework)),
            md(&c.id),
            md(c.title.as_deref().unwrap_or(""))
        );
    }
    let _ = write!(o, "\n## Remediation\n{}\n", x.remediation);
    if let Some(ex) = &x.example_finding {
        let _ = write!(o, "\n## Example finding\n```json\n{ex}\n```\n");
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_split_on_headings_outside_fences() {
        let s = sections("# X\nintro\n## A\none\n\n## B\n```\n## not a heading\n```\n");
        assert_eq!(
            s,
            vec![
                ("A".to_string(), "one".to_string()),
                ("B".to_string(), "```\n## not a heading\n```".to_string())
            ]
        );
        assert_eq!(unfence("```json\n{}\n```"), "{}");
        assert_eq!(unfence("plain"), "plain");
    }

    #[test]
    fn close_ids_are_suggested() {
        let known = ["STALE-001", "STALE-002", "PRIV-001"];
        assert_eq!(suggest("stale-01", &known), ["STALE-001"]);
        assert_eq!(suggest("stale-2", &known), ["STALE-002"]);
        assert_eq!(suggest("STALE-1234", &known), ["STALE-001", "STALE-002"]);
        assert!(suggest("XYZ", &known).is_empty());
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn every_shipped_rule_explains_from_its_doc() {
        let set = PolicySet::load(true, &[] as &[&str]).unwrap();
        for rule in set.rules.values() {
            let x = explain(rule, &set, None);
            assert!(x.doc.is_some(), "{}: no doc", rule.id);
            assert!(x.why.is_some(), "{}: no `## Why it matters`", rule.id);
            assert!(
                x.controls.iter().all(|c| c.title.is_some()),
                "{}: a control without a title",
                rule.id
            );
        }
    }
}
