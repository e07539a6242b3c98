//! A tenant's section of report.html: drift summary, verdict per rule, the privileged-access and
//! non-human-identity inventories derived from finding evidence, and every finding with its
//! waiver, evidence, provenance and controls. Renders only.

use super::{anchor, escape, of_tenant, opt, subject_label};
use crate::finding::Finding;
use crate::report::{Report, TenantReport, TenantState, Verdict};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

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

pub(super) fn tenant_section(r: &Report, t: &TenantReport, o: &mut String) {
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
