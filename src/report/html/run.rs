//! The closing section of report.html: waived findings with their waivers, waivers not applied,
//! and run metadata (run facts, policy errors, rules loaded). Renders only.

use super::{anchor, escape, opt, subject_label};
use crate::finding::Finding;
use crate::report::Report;
use std::fmt::Write as _;

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

pub(super) fn run_metadata(r: &Report, o: &mut String) {
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
