//! report.html: one self-contained page for people — e-mailed, opened offline, printed to PDF.
//!
//! Header and totals, the estate heat map (tenants × rule families), the control view (each
//! framework control's verdict per tenant, linked to the findings behind it), a section per
//! tenant (drift, verdicts, privileged-access and non-human-identity inventories, findings with
//! evidence and provenance), waivers, and run metadata. Inline CSS only: no script, no network
//! fetch (a Content-Security-Policy forbids both), print CSS breaks pages between tenants.
//! Every piece of text from an export goes through [`escape`]; the output is deterministic.
//! Renders only.

use super::drift::weight;
use super::{Report, TenantReport, TenantState, Verdict};
use crate::finding::Finding;
use crate::policy::metadata::Severity;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write;

/// Rule families in heat-map order; families the report has beyond these follow, sorted.
const FAMILIES: [&str; 7] = ["STALE", "PRIV", "NHI", "BASE", "DRIFT", "LIFE", "GOV"];

/// Controls shown first in the control view: the access-permissions controls MSP audits ask for.
const LEAD_CONTROLS: [(&str, &str); 2] =
    [("nist-csf-1.1", "PR.AC-4"), ("nist-csf-2.0", "PR.AA-05")];

const CSS: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1f24;margin:0 auto;max-width:1200px;padding:1em 1.5em}
h1{font-size:1.6em;margin:.2em 0}h2{border-bottom:2px solid #d0d7de;padding-bottom:.2em;margin-top:1.6em}
h3{margin-top:1.3em}table{border-collapse:collapse;margin:.5em 0 1em}
th,td{border:1px solid #d0d7de;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f5f7}td a{white-space:nowrap}td.n,th.n{text-align:right}td.c{text-align:center;min-width:3em}
pre{background:#f6f8fa;border:1px solid #d0d7de;padding:.5em;white-space:pre-wrap;word-break:break-all;margin:.3em 0}
.meta{color:#57606a}.cards{display:flex;flex-wrap:wrap;gap:.5em;margin:.5em 0}
.card{border:1px solid #d0d7de;border-radius:6px;padding:.4em .8em;min-width:6em}
.card b{display:block;font-size:1.4em}
.w0{background:#fff}.w1{background:#fff3c4}.w2{background:#ffd8a8}.w3{background:#ffa8a8}.w4{background:#e03131;color:#fff}
.w4 a{color:#fff}.fail{color:#b42318;font-weight:600}.pass{color:#1a7f37}.ne{color:#9a6700}.err{color:#8250df;font-weight:600}
.sev-critical,.sev-high{color:#b42318;font-weight:600}.sev-medium{color:#9a6700}
.finding{border-left:4px solid #d0d7de;padding:.1em .8em;margin:.8em 0}
.finding.critical,.finding.high{border-color:#e03131}.finding.medium{border-color:#f59f00}
.warn{background:#fff3c4;border:1px solid #f59f00;padding:.4em .8em}
.waived{color:#0969da;font-weight:600}.finding.waived-f{border-left-style:dashed}.wv{background:#ddf4ff;border:1px solid #54aeff;padding:.3em .6em}
@media print{body{max-width:none;font-size:11px}.tenant{break-before:page}
a{color:inherit;text-decoration:none}pre,tr,.finding{break-inside:avoid}
.w0,.w1,.w2,.w3,.w4,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
";

/// HTML-escape text for element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A fragment id from arbitrary parts: ASCII letters, digits and `-` kept, anything else as
/// `_xx` hex bytes, so distinct inputs give distinct ids and nothing needs escaping.
fn anchor(parts: &[&str]) -> String {
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str("--");
        }
        for b in p.bytes() {
            if b.is_ascii_alphanumeric() || b == b'-' && !out.ends_with('-') {
                out.push(b as char);
            } else {
                let _ = write!(out, "_{b:02x}");
            }
        }
    }
    out
}

fn family(rule: &str) -> &str {
    rule.split('-').next().unwrap_or(rule)
}

/// Colour class for a severity-weighted count.
fn heat(weighted: u64) -> &'static str {
    match weighted {
        0 => "w0",
        1..=4 => "w1",
        5..=9 => "w2",
        10..=19 => "w3",
        _ => "w4",
    }
}

fn verdict_cell(v: Verdict) -> (&'static str, &'static str) {
    match v {
        Verdict::Fail => ("fail", "fail"),
        Verdict::Pass => ("pass", "pass"),
        Verdict::Waived => ("waived", "waived"),
        Verdict::NotEvaluable => ("ne", "not evaluable"),
        Verdict::Error => ("err", "error"),
        Verdict::NotAudited => ("err", "not audited"),
    }
}

fn subject_label(f: &Finding) -> String {
    let s = &f.subject;
    match s.principal_name.as_deref().or(s.display_name.as_deref()) {
        Some(n) if n != s.reference => format!(
            "{} <span class=meta>({})</span>",
            escape(n),
            escape(&s.reference)
        ),
        _ => escape(&s.reference),
    }
}

fn opt(v: Option<impl ToString>) -> String {
    v.map(|v| escape(&v.to_string()))
        .unwrap_or_else(|| "–".into())
}

/// The report's findings of one tenant, in report order.
fn of_tenant<'a>(report: &'a Report, tenant: &str) -> Vec<&'a Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.tenant == tenant)
        .collect()
}

fn header(r: &Report, o: &mut String) {
    let _ = write!(
        o,
        "<header><h1>driftgate report — {}</h1>\n<p class=meta>as of {} ({}) · driftgate {} · schema {}</p>\n",
        escape(&r.run.estate),
        escape(&r.run.as_of),
        escape(&r.run.as_of_source),
        escape(r.tool.version),
        escape(r.schema)
    );
    if r.run.complete {
        o.push_str(
            "<p>Run complete: every selected tenant was audited and every policy ran.</p>\n",
        );
    } else {
        o.push_str("<p class=warn><strong>Incomplete run:</strong> a tenant could not be audited or a policy failed; absent findings do not mean a pass.</p>\n");
    }
    let s = &r.summary;
    o.push_str("<div class=cards>");
    for (label, n) in [
        ("tenants", s.tenants),
        ("audited", s.tenants_audited),
        ("not audited", s.tenants_failed),
        ("identities", s.identities),
        ("findings", s.findings),
    ] {
        let _ = write!(o, "<div class=card><b>{n}</b>{label}</div>");
    }
    for sev in Severity::ALL {
        let n = s.by_severity.get(&sev).copied().unwrap_or(0);
        let _ = write!(
            o,
            "<div class=\"card sev-{0}\"><b>{n}</b>{0}</div>",
            sev.as_str()
        );
    }
    let _ = writeln!(
        o,
        "</div>\n<p>Policy errors: {}</p>\n</header>",
        r.policy_errors.len()
    );
}

/// Families in display order: the fixed seven, then any others the report's rules have.
fn families(r: &Report) -> Vec<String> {
    let mut out: Vec<String> = FAMILIES.iter().map(|f| f.to_string()).collect();
    let extra: BTreeSet<&str> = r
        .matrix
        .rules
        .iter()
        .map(|x| family(x))
        .filter(|f| !FAMILIES.contains(f))
        .collect();
    out.extend(extra.into_iter().map(String::from));
    out
}

fn heat_map(r: &Report, o: &mut String) {
    o.push_str("<section id=estate><h2>Estate summary</h2>\n<p>Findings per tenant and rule family. Colour: severity-weighted count (critical 10, high 5, medium 2, low 1), from none <span class=w1>&nbsp;1–4&nbsp;</span> <span class=w2>&nbsp;5–9&nbsp;</span> <span class=w3>&nbsp;10–19&nbsp;</span> <span class=w4>&nbsp;20+&nbsp;</span>. Text: number of findings not waived; <strong>·</strong> pass, <strong>W</strong> waived, <strong>?</strong> not evaluable, <strong>E</strong> policy error, <strong>–</strong> not audited or no rule of the family.</p>\n");
    let fams = families(r);
    o.push_str("<table class=heat><tr><th>tenant</th><th class=n>drift score</th><th class=n>identities</th><th class=n title=\"entitlements reviewed within review_interval_days (access reviews)\">reviewed</th>");
    for f in &fams {
        let _ = write!(o, "<th class=c>{}</th>", escape(f));
    }
    o.push_str("</tr>\n");
    for (row, t) in r.matrix.rows.iter().zip(&r.tenants) {
        let findings = of_tenant(r, &row.tenant);
        let _ = write!(
            o,
            "<tr><th><a href=\"#{}\">{}</a></th><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td>",
            anchor(&["tenant", &row.tenant]),
            escape(&row.tenant),
            opt(row.score),
            t.identities,
            match &t.review {
                Some(c) if c.recorded => c
                    .share
                    .map(|s| format!("{:.0}%", s * 100.0))
                    .unwrap_or_else(|| "–".into()),
                Some(_) => "none".into(),
                None => "–".into(),
            }
        );
        for fam in &fams {
            let cells: Vec<_> = r
                .matrix
                .rules
                .iter()
                .zip(&row.cells)
                .filter(|(x, _)| family(x) == fam)
                .map(|(_, c)| c)
                .collect();
            let of_family: Vec<&&Finding> = findings
                .iter()
                .filter(|f| family(&f.rule) == fam && f.waived.is_none())
                .collect();
            let weighted: u64 = of_family.iter().map(|f| weight(f.severity)).sum();
            let any = |v: Verdict| cells.iter().any(|c| c.verdict == v);
            let text = if !of_family.is_empty() {
                of_family.len().to_string()
            } else if any(Verdict::Error) {
                "E".into()
            } else if cells.is_empty() || any(Verdict::NotAudited) {
                "–".into()
            } else if any(Verdict::NotEvaluable) {
                "?".into()
            } else if any(Verdict::Waived) {
                "W".into()
            } else {
                "·".into()
            };
            let _ = write!(
                o,
                "<td class=\"c {}\" title=\"weighted {weighted}\">{text}</td>",
                heat(weighted)
            );
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</table></section>\n");
}

/// The drift score of each tenant across the baseline runs and this one (`audit --baseline`),
/// with the change since the previous run; nothing when the run had no baseline.
fn trend(r: &Report, o: &mut String) {
    if r.trend.is_empty() {
        return;
    }
    o.push_str("<section id=trend><h2>Drift score trend</h2>\n<p>Per tenant, the drift score of each earlier run this one was compared with (<code>--baseline</code>), oldest first, then this run; Δ is the change since the previous run. Lower is better.</p>\n<table><tr><th>tenant</th>");
    for p in &r.trend {
        let _ = write!(
            o,
            "<th title=\"{}\">{}</th>",
            escape(&p.run),
            escape(&p.as_of)
        );
    }
    let _ = writeln!(
        o,
        "<th>this run<br>{}</th><th>Δ</th></tr>",
        escape(&r.run.as_of)
    );
    let mut tenants: BTreeSet<&str> = r.tenants.iter().map(|t| t.id.as_str()).collect();
    for p in &r.trend {
        tenants.extend(p.scores.keys().map(String::as_str));
    }
    for id in tenants {
        let _ = write!(o, "<tr><td>{}</td>", escape(id));
        let mut last = None;
        for p in &r.trend {
            let score = p.scores.get(id).copied().flatten();
            let _ = write!(o, "<td class=num>{}</td>", opt(score));
            last = score;
        }
        let now = r
            .tenants
            .iter()
            .find(|t| t.id == id)
            .and_then(|t| t.drift.score)
            .map(u64::from);
        let delta = match (last, now) {
            (Some(a), Some(b)) => format!("{:+}", b as i64 - a as i64),
            _ => "–".into(),
        };
        let _ = writeln!(
            o,
            "<td class=num>{}</td><td class=num>{delta}</td></tr>",
            opt(now)
        );
    }
    o.push_str("</table></section>\n");
}

/// Every (framework, control) the rules map to, with the rules: lead controls first, then by
/// framework and control.
fn controls(r: &Report) -> Vec<((String, String), Vec<String>)> {
    let mut map: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for rule in &r.rules {
        for (fw, ids) in &rule.controls {
            for id in ids {
                map.entry((fw.clone(), id.clone()))
                    .or_default()
                    .insert(rule.id.clone());
            }
        }
    }
    let mut out = Vec::new();
    for (fw, id) in LEAD_CONTROLS {
        if let Some(rules) = map.remove(&(fw.to_string(), id.to_string())) {
            out.push((
                (fw.to_string(), id.to_string()),
                rules.into_iter().collect(),
            ));
        }
    }
    out.extend(map.into_iter().map(|(k, v)| (k, v.into_iter().collect())));
    out
}

fn control_view(r: &Report, o: &mut String) {
    o.push_str("<section id=controls><h2>Control view</h2>\n<p>Per control and tenant: <span class=fail>fail</span> when a mapped rule failed, else <span class=ne>not evaluable</span> when one could not be judged (or errored, or the tenant was not audited), else <span class=waived>waived</span> when a mapped rule's findings are all waived, else <span class=pass>pass</span>. Links lead to the findings.</p>\n");
    let list = controls(r);
    if list.is_empty() {
        o.push_str("<p>No rule maps to a control.</p></section>\n");
        return;
    }
    let mut framework = "";
    for ((fw, id), rules) in &list {
        let lead = LEAD_CONTROLS.contains(&(fw.as_str(), id.as_str()));
        let group = if lead { "lead" } else { fw.as_str() };
        if group != framework {
            if !framework.is_empty() {
                o.push_str("</table>\n");
            }
            framework = group;
            let title = if lead {
                "Access permissions (NIST CSF 1.1 PR.AC-4, CSF 2.0 PR.AA-05)".to_string()
            } else {
                match r.frameworks.get(fw) {
                    Some(f) => format!("{} ({})", escape(&f.title), escape(fw)),
                    None => escape(fw),
                }
            };
            let _ = write!(
                o,
                "<h3>{title}</h3>\n<table><tr><th>control</th><th>rules</th>"
            );
            for t in &r.tenants {
                let _ = write!(o, "<th>{}</th>", escape(&t.id));
            }
            o.push_str("</tr>\n");
        }
        // The control's title from the catalogue; an unknown control shows its id alone.
        let ctitle = r
            .frameworks
            .get(fw)
            .and_then(|f| f.controls.get(id))
            .map(|t| format!(" <span class=meta>{}</span>", escape(t)))
            .unwrap_or_default();
        let _ = write!(
            o,
            "<tr><th>{} {}{ctitle}</th><td>{}</td>",
            escape(fw),
            escape(id),
            escape(&rules.join(", "))
        );
        for t in &r.tenants {
            let mapped: Vec<_> = t.rules.iter().filter(|v| rules.contains(&v.rule)).collect();
            let (class, word) = if mapped.iter().any(|v| v.verdict == Verdict::Fail) {
                ("fail", "fail")
            } else if mapped
                .iter()
                .any(|v| !matches!(v.verdict, Verdict::Pass | Verdict::Waived))
                || mapped.is_empty()
            {
                ("ne", "not evaluable")
            } else if mapped.iter().any(|v| v.verdict == Verdict::Waived) {
                ("waived", "waived")
            } else {
                ("pass", "pass")
            };
            let _ = write!(o, "<td><span class={class}>{word}</span>");
            for v in mapped.iter().filter(|v| v.findings + v.waived > 0) {
                let waived = if v.waived > 0 {
                    format!(" (+{} waived)", v.waived)
                } else {
                    String::new()
                };
                let _ = write!(
                    o,
                    "<br><a href=\"#{}\">{}</a> ×{}{waived}",
                    anchor(&["findings", &t.id, &v.rule]),
                    escape(&v.rule),
                    v.findings
                );
            }
            o.push_str("</td>");
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</table></section>\n");
}

/// Role names a finding's evidence carries: `roles[].role_name`, `role_name`,
/// `entitlements[].roles[]`.
fn roles(e: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Some(n) = e.get("role_name").and_then(Value::as_str) {
        out.insert(n.to_string());
    }
    for r in e
        .get("roles")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(n) = r.get("role_name").and_then(Value::as_str).or(r.as_str()) {
            out.insert(n.to_string());
        }
    }
    for ent in e
        .get("entitlements")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for n in ent
            .get("roles")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            out.insert(n.to_string());
        }
    }
    out
}

/// The credential facts of an NHI or STALE-004 finding's evidence, as `key: value` text.
fn credential(f: &Finding) -> String {
    const KEYS: [&str; 8] = [
        "kind",
        "display_name",
        "created",
        "expires",
        "last_used",
        "days",
        "days_since_expiry",
        "owners",
    ];
    let mut parts = Vec::new();
    if let Some(k) = &f.key {
        parts.push(format!("key: {k}"));
    }
    for k in KEYS {
        match f.evidence.get(k) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => parts.push(format!("{k}: {s}")),
            Some(v) => parts.push(format!("{k}: {v}")),
        }
    }
    escape(&parts.join("; "))
}

fn rule_links(t: &str, rules: &BTreeSet<&str>) -> String {
    rules
        .iter()
        .map(|x| {
            format!(
                "<a href=\"#{}\">{}</a>",
                anchor(&["findings", t, x]),
                escape(x)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn inventories(t: &TenantReport, findings: &[&Finding], o: &mut String) {
    let mut privileged: BTreeMap<&str, (&Finding, BTreeSet<String>, BTreeSet<&str>)> =
        BTreeMap::new();
    for f in findings.iter().filter(|f| {
        f.rule.starts_with("PRIV-") || f.rule == "DRIFT-003" || f.rule.starts_with("LIFE-")
    }) {
        let e = privileged
            .entry(f.subject.reference.as_str())
            .or_insert_with(|| (f, BTreeSet::new(), BTreeSet::new()));
        e.1.extend(roles(&f.evidence));
        e.2.insert(f.rule.as_str());
    }
    o.push_str("<h3>Privileged-access inventory</h3>\n<p class=meta>Subjects of PRIV, DRIFT-003 and LIFE findings, with the roles their evidence names (the report holds no full identity list).</p>\n");
    if privileged.is_empty() {
        o.push_str("<p>None.</p>\n");
    } else {
        o.push_str("<table><tr><th>subject</th><th>kind</th><th>source</th><th>roles</th><th>rules</th></tr>\n");
        for (f, roles, rules) in privileged.values() {
            let roles: Vec<String> = roles.iter().map(|x| escape(x)).collect();
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                subject_label(f),
                opt(f.subject.kind.as_deref()),
                opt(f.subject.source.as_deref()),
                if roles.is_empty() {
                    "–".into()
                } else {
                    roles.join("<br>")
                },
                rule_links(&t.id, rules)
            );
        }
        o.push_str("</table>\n");
    }
    o.push_str("<h3>Non-human identity and credential inventory</h3>\n<p class=meta>Subjects of NHI and STALE-004 findings, with the credential facts from their evidence.</p>\n");
    let nhi: Vec<&&Finding> = findings
        .iter()
        .filter(|f| f.rule.starts_with("NHI-") || f.rule == "STALE-004")
        .collect();
    if nhi.is_empty() {
        o.push_str("<p>None.</p>\n");
        return;
    }
    let mut rows: BTreeMap<(&str, String), (&Finding, BTreeSet<&str>)> = BTreeMap::new();
    for f in nhi {
        let row = rows
            .entry((f.subject.reference.as_str(), credential(f)))
            .or_insert_with(|| (f, BTreeSet::new()));
        row.1.insert(f.rule.as_str());
    }
    o.push_str("<table><tr><th>subject</th><th>kind</th><th>credential</th><th>rules</th></tr>\n");
    for ((_, cred), (f, rules)) in &rows {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{cred}</td><td>{}</td></tr>",
            subject_label(f),
            opt(f.subject.kind.as_deref()),
            rule_links(&t.id, rules)
        );
    }
    o.push_str("</table>\n");
}

fn finding_block(f: &Finding, o: &mut String) {
    let _ = writeln!(
        o,
        "<div class=\"finding {sev}{}\" id=\"{}\"><p><strong>{}</strong> <span class=sev-{sev}>{sev}</span> — {}<br>{}<br>{}</p>",
        if f.waived.is_some() { " waived-f" } else { "" },
        anchor(&["finding", &f.fingerprint]),
        escape(&f.rule),
        escape(&f.title),
        subject_label(f),
        escape(&f.message),
        sev = f.severity.as_str()
    );
    if let Some(w) = &f.waived {
        let _ = writeln!(
            o,
            "<p class=wv><span class=waived>Waived</span> by {} — {}<br>owner {}, approved by {}{}{}</p>",
            escape(&w.declared),
            escape(&w.reason),
            escape(&w.owner),
            escape(&w.approver),
            opt_label(", ticket ", w.ticket.as_deref()),
            opt_label(", expires ", w.expires.as_deref())
        );
    }
    let evidence = serde_json::to_string_pretty(&f.evidence).unwrap_or_default();
    let _ = writeln!(o, "<pre>{}</pre>", escape(&evidence));
    if f.provenance.is_empty() {
        o.push_str("<p class=meta>No provenance recorded.</p>\n");
    } else {
        o.push_str("<table><tr><th>source</th><th>file</th><th class=n>record</th><th class=n>line</th></tr>\n");
        for p in &f.provenance {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                escape(&p.source),
                escape(&p.file),
                p.record,
                opt(p.line)
            );
        }
        o.push_str("</table>\n");
    }
    let controls: Vec<String> = f
        .controls
        .iter()
        .map(|(fw, ids)| format!("{fw} {}", ids.join(", ")))
        .collect();
    let _ = writeln!(
        o,
        "<p class=meta>Remediation: {}<br>Controls: {}<br>Fingerprint: {}</p></div>",
        escape(&f.remediation),
        escape(&controls.join("; ")),
        escape(&f.fingerprint)
    );
}

/// `label` and the escaped value, or nothing.
fn opt_label(label: &str, v: Option<&str>) -> String {
    v.map(|v| format!("{label}{}", escape(v)))
        .unwrap_or_default()
}

/// "15 / 16 reviewed within 90 days (93.8%)", with the worksheets; escaped.
fn review_coverage(t: &TenantReport) -> String {
    let Some(c) = &t.review else {
        return "–".into();
    };
    let share = c
        .share
        .map(|s| format!(" ({:.1}%)", s * 100.0))
        .unwrap_or_default();
    let mut cell = format!(
        "{} / {} entitlements reviewed within {} days{share}",
        c.reviewed, c.items, c.interval_days
    );
    if c.recorded {
        let _ = write!(cell, "; from {}", escape(&c.worksheets.join(", ")));
        if c.revocations_carried_out > 0 {
            let _ = write!(
                cell,
                "; {} revocation(s) carried out",
                c.revocations_carried_out
            );
        }
    } else {
        cell.push_str("; no completed access review recorded");
    }
    if !c.problems.is_empty() {
        let _ = write!(cell, "; {} worksheet problem(s)", c.problems.len());
    }
    cell
}

fn tenant_section(r: &Report, t: &TenantReport, o: &mut String) {
    let findings = of_tenant(r, &t.id);
    let d = &t.drift;
    let _ = writeln!(
        o,
        "<section class=tenant id=\"{}\"><h2>Tenant {} <span class=meta>({}, {})</span></h2>",
        anchor(&["tenant", &t.id]),
        escape(&t.id),
        escape(&t.name),
        escape(&t.status)
    );
    if t.state == TenantState::Error {
        o.push_str(
            "<p class=warn><strong>Not audited:</strong> its inputs could not be loaded.</p>\n",
        );
    }
    let share = d.automated_share.map(|s| format!("{:.1}%", s * 100.0));
    let _ = writeln!(
        o,
        "<table><tr><th>drift score</th><td class=n>{}</td></tr><tr><th>identities</th><td class=n>{}</td></tr><tr><th>weighted findings</th><td class=n>{}</td></tr><tr><th>orphans</th><td class=n>{}</td></tr><tr><th>leavers with access</th><td class=n>{}</td></tr><tr><th>automated provisioning share</th><td class=n>{}</td></tr><tr><th>access review coverage</th><td>{}</td></tr><tr><th>rules / subjects not evaluable</th><td class=n>{} / {}</td></tr><tr><th>waivers in force</th><td class=n>{}</td></tr><tr><th>config</th><td>{}</td></tr><tr><th>as of</th><td>{}</td></tr></table>",
        opt(d.score),
        t.identities,
        d.weighted_findings,
        d.orphans,
        d.leavers,
        opt(share),
        review_coverage(t),
        d.rules_not_evaluable,
        d.subjects_not_evaluable,
        opt(d.waivers),
        escape(&t.config_file),
        opt(t.as_of.as_deref())
    );
    o.push_str("<h3>Findings per rule family</h3>\n<table><tr>");
    for fam in d.by_family.keys() {
        let _ = write!(o, "<th>{}</th>", escape(fam));
    }
    o.push_str("<th>total</th></tr><tr>");
    for n in d.by_family.values() {
        let _ = write!(o, "<td class=n>{n}</td>");
    }
    let open = findings.iter().filter(|f| f.waived.is_none()).count();
    let _ = writeln!(o, "<td class=n>{open}</td></tr></table>");
    for e in &t.errors {
        let _ = writeln!(
            o,
            "<p class=warn>Input error: {}</p>",
            escape(&serde_json::to_string(e).unwrap_or_default())
        );
    }
    for w in &t.warnings {
        let _ = writeln!(o, "<p class=meta>Warning: {}</p>", escape(w));
    }
    o.push_str("<h3>Verdict per rule</h3>\n<table><tr><th>rule</th><th>verdict</th><th class=n>findings</th><th class=n>waived</th><th>not evaluable</th></tr>\n");
    for v in &t.rules {
        let (class, word) = verdict_cell(v.verdict);
        let rule = if v.findings + v.waived > 0 {
            format!(
                "<a href=\"#{}\">{}</a>",
                anchor(&["findings", &t.id, &v.rule]),
                escape(&v.rule)
            )
        } else {
            escape(&v.rule)
        };
        let mut ne = String::new();
        if v.not_evaluable > 0 {
            let _ = write!(ne, "{} subjects", v.not_evaluable);
            for s in &v.not_evaluable_subjects {
                let key = s
                    .key
                    .as_deref()
                    .map(|k| format!(" [{}]", escape(k)))
                    .unwrap_or_default();
                let _ = write!(ne, "<br>{}{key}: {}", escape(&s.subject), escape(&s.reason));
            }
        }
        let _ = writeln!(
            o,
            "<tr><td>{rule}</td><td class={class}>{word}</td><td class=n>{}</td><td class=n>{}</td><td>{ne}</td></tr>",
            v.findings,
            v.waived
        );
    }
    o.push_str("</table>\n");
    inventories(t, &findings, o);
    let _ = writeln!(
        o,
        "<h3>Findings ({open}{})</h3>",
        match findings.len() - open {
            0 => String::new(),
            w => format!(", and {w} waived"),
        }
    );
    let mut last = "";
    for f in &findings {
        if f.rule != last {
            last = &f.rule;
            let _ = writeln!(
                o,
                "<h4 id=\"{}\">{} — {}</h4>",
                anchor(&["findings", &t.id, &f.rule]),
                escape(&f.rule),
                escape(&f.title)
            );
        }
        finding_block(f, o);
    }
    o.push_str("</section>\n");
}

/// Every waived finding with the waiver behind it, the waivers in force per tenant, and the
/// waivers not applied (GOV-001 expired, GOV-002 unapproved).
fn waivers(r: &Report, o: &mut String) {
    o.push_str("<section class=tenant id=run><h2>Waivers</h2>\n<p>A waived finding keeps its verdict and evidence; it is not counted in severity counts, drift scores or the exit code. Waivers in force per tenant: ");
    let counts: Vec<String> = r
        .tenants
        .iter()
        .map(|t| format!("{} {}", escape(&t.id), opt(t.drift.waivers)))
        .collect();
    o.push_str(&counts.join(", "));
    o.push_str(".</p>\n");
    let waived: Vec<&Finding> = r.findings.iter().filter(|f| f.waived.is_some()).collect();
    if waived.is_empty() {
        o.push_str("<p>No finding is waived.</p>\n");
    } else {
        o.push_str("<table><tr><th>tenant</th><th>rule</th><th>subject</th><th>waiver</th><th>reason</th><th>owner</th><th>approver</th><th>ticket</th><th>expires</th></tr>\n");
        for f in waived {
            let Some(w) = &f.waived else { continue };
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&f.tenant),
                anchor(&["finding", &f.fingerprint]),
                escape(&f.rule),
                subject_label(f),
                escape(&w.declared),
                escape(&w.reason),
                escape(&w.owner),
                escape(&w.approver),
                opt(w.ticket.as_deref()),
                opt(w.expires.as_deref())
            );
        }
        o.push_str("</table>\n");
    }
    let not_applied: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.rule == "GOV-001" || f.rule == "GOV-002")
        .collect();
    if !not_applied.is_empty() {
        o.push_str("<h3>Waivers not applied</h3>\n<table><tr><th>tenant</th><th>rule</th><th>waiver</th></tr>\n");
        for f in not_applied {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td><a href=\"#{}\">{}</a></td><td>{}</td></tr>",
                escape(&f.tenant),
                anchor(&["finding", &f.fingerprint]),
                escape(&f.rule),
                escape(&f.message)
            );
        }
        o.push_str("</table>\n");
    }
}

fn run_metadata(r: &Report, o: &mut String) {
    waivers(r, o);
    o.push_str("<h2>Run metadata</h2>\n");
    let selected = if r.run.tenants_selected.is_empty() {
        "all".to_string()
    } else {
        escape(&r.run.tenants_selected.join(", "))
    };
    let _ = writeln!(
        o,
        "<table><tr><th>estate</th><td>{}</td></tr><tr><th>as of</th><td>{}</td></tr><tr><th>as of source</th><td>{}</td></tr><tr><th>tenants selected</th><td>{selected}</td></tr><tr><th>complete</th><td>{}</td></tr><tr><th>tool</th><td>{} {}</td></tr></table>",
        escape(&r.run.estate),
        escape(&r.run.as_of),
        escape(&r.run.as_of_source),
        if r.run.complete { "yes" } else { "no" },
        escape(r.tool.name),
        escape(r.tool.version)
    );
    if !r.policy_errors.is_empty() {
        o.push_str("<h3>Policy errors</h3>\n<table><tr><th>rule</th><th>tenant</th><th>file</th><th>line</th><th>message</th></tr>\n");
        for e in &r.policy_errors {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                opt(e.rule.as_deref()),
                opt(e.tenant.as_deref()),
                opt(e.file.as_deref()),
                opt(e.line),
                escape(&e.message)
            );
        }
        o.push_str("</table>\n");
    }
    let _ = writeln!(o, "<h3>Rules loaded ({})</h3>\n<table><tr><th>rule</th><th>title</th><th>severity</th><th>origin</th><th>file</th></tr>", r.rules.len());
    for x in &r.rules {
        let origin = match x.origin {
            crate::policy::Origin::Builtin => "builtin",
            crate::policy::Origin::User => "user",
        };
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td class=sev-{sev}>{sev}</td><td>{origin}</td><td>{}</td></tr>",
            escape(&x.id),
            escape(&x.title),
            escape(&x.file),
            sev = x.severity.as_str()
        );
    }
    o.push_str("</table></section>\n");
}

/// The whole document.
pub fn to_string(r: &Report) -> String {
    let mut o = String::with_capacity(64 * 1024 + r.findings.len() * 1024);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n<meta name=viewport content=\"width=device-width,initial-scale=1\">\n<title>driftgate — {} — {}</title>\n<style>{CSS}</style></head><body>\n",
        escape(&r.run.estate),
        escape(&r.run.as_of)
    );
    header(r, &mut o);
    heat_map(r, &mut o);
    trend(r, &mut o);
    control_view(r, &mut o);
    for t in &r.tenants {
        tenant_section(r, t, &mut o);
    }
    run_metadata(r, &mut o);
    o.push_str("</body></html>\n");
    o
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(to_string(report).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::sample;

    #[test]
    fn hostile_text_is_escaped_everywhere() {
        let html = to_string(&sample());
        assert!(!html.contains("<script"), "raw script tag");
        assert!(
            !html.contains("entra/<b>"),
            "raw tag from a not-evaluable subject"
        );
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; | &amp; &quot;x&quot; holds Global Administrator"));
        assert!(html.contains("Standing &lt;admin&gt; &amp; more"));
        assert!(html.contains("entra/&lt;b&gt;: no sign-in data &amp; no &lt;audit&gt; log"));
        assert!(html.contains("undefined &lt;ref&gt; &amp; co"));
        assert_eq!(escape("'\"&<>"), "&#39;&quot;&amp;&lt;&gt;");
    }

    #[test]
    fn nothing_is_fetched_and_no_script_runs() {
        let html = to_string(&sample());
        for bad in [
            "src=", "http://", "https://", "<script", "<link", "@import", "url(",
        ] {
            assert!(!html.contains(bad), "{bad}");
        }
        // Every link is a fragment within the page.
        for (i, _) in html.match_indices("href=") {
            assert!(html[i..].starts_with("href=\"#"), "{}", &html[i..i + 40]);
        }
        assert!(html.contains("default-src 'none'"));
    }

    #[test]
    fn heat_map_control_view_and_sections_follow_the_report() {
        let r = sample();
        let html = to_string(&r);
        assert_eq!(html, to_string(&r), "deterministic");
        // Tenant t: STALE one low finding (weight 1), PRIV one high (5), NHI no rule, BASE
        // not evaluable.
        assert!(html.contains(concat!(
            "<td class=\"c w1\" title=\"weighted 1\">1</td><td class=\"c w2\" title=\"weighted 5\">1</td>",
            "<td class=\"c w0\" title=\"weighted 0\">–</td><td class=\"c w0\" title=\"weighted 0\">?</td>"
        )));
        // Tenant u: PRIV errored, STALE passed.
        assert!(html.contains("<td class=\"c w0\" title=\"weighted 0\">·</td>"));
        assert!(html.contains("<td class=\"c w0\" title=\"weighted 0\">E</td>"));
        assert!(html.contains("<h3>CIS Controls v8 (cis-v8)</h3>"));
        assert!(html.contains(
            "<th>cis-v8 5.3 <span class=meta>Disable &lt;Dormant&gt; Accounts</span></th>"
        ));
        assert!(html.contains("href=\"#findings--t--PRIV-001\">PRIV-001</a> ×1"));
        assert!(html.contains("id=\"findings--t--PRIV-001\""));
        assert!(html.contains("<td class=\"c w0\" title=\"weighted 0\">W</td>"));
        assert!(html.contains("<td class=waived>waived</td><td class=n>0</td><td class=n>1</td>"));
        assert!(html.contains("<span class=waived>Waived</span> by tenants/u/tenant.toml:9 — kept for &lt;legal&gt; hold &amp; audit"));
        assert!(html.contains("Waivers in force per tenant: "));
        let order = [
            "id=estate",
            "id=controls",
            "id=\"tenant--t\"",
            "id=\"tenant--u\"",
            "id=run",
        ];
        let at: Vec<usize> = order.iter().map(|s| html.find(s).unwrap()).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    }

    #[test]
    fn anchors_are_distinct_and_safe() {
        assert_eq!(anchor(&["a b", "<x>"]), "a_20b--_3cx_3e");
        assert_ne!(anchor(&["a-", "b"]), anchor(&["a", "-b"]));
        assert_ne!(anchor(&["a--b"]), anchor(&["a", "b"]));
    }
}
