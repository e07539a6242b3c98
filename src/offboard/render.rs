//! The offboarding evidence document in four formats: terminal table, Markdown, self-contained
//! HTML and JSON. Renderers only render: each takes the finished [`Proof`] and a writer; every
//! value from an export is escaped for its format (HTML, Markdown).

use super::paths::{Access, AccessPath};
use super::{Format, Proof};
use crate::report::html::escape as h;
use crate::report::markdown::escape as md;
use std::io::Write;

/// Render `proof` in `format`.
pub fn render(proof: &Proof, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        Format::Table => table(proof, out),
        Format::Markdown => markdown(proof, out),
        Format::Html => html(proof, out),
        Format::Json => json(proof, out),
    }
}

/// Pretty JSON, newline-terminated.
pub fn json(proof: &Proof, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, proof)?;
    writeln!(out)
}

fn where_(p: &AccessPath) -> String {
    format!(
        "{} ({}): {}",
        p.provenance.source,
        p.source_kind,
        p.provenance.locator()
    )
}

fn access_label(a: Access) -> &'static str {
    match a {
        Access::Remaining => "REMAINING",
        Access::Closed => "closed",
        Access::Unknown => "UNKNOWN",
    }
}

/// Facts of a path beyond kind/what/where/status, one per line.
fn details(p: &AccessPath) -> Vec<(&'static str, String)> {
    let mut d = vec![("evidence", p.evidence.clone())];
    if let Some(s) = &p.status_raw {
        d.push(("status as exported", s.clone()));
    }
    if let Some(e) = &p.ends {
        d.push(("ends", e.clone()));
    }
    if let Some(a) = p.auto_extend_days {
        d.push((
            "auto-extend",
            if a == 0 {
                "none".to_string()
            } else {
                format!("{a} days")
            },
        ));
    }
    if !p.roles.is_empty() {
        d.push(("roles", p.roles.join(", ")));
    }
    if !p.technicians.is_empty() {
        d.push(("technicians", p.technicians.join(", ")));
    }
    if !p.departed_technicians.is_empty() {
        d.push(("left the MSP", p.departed_technicians.join(", ")));
    }
    d.push(("attributed by", p.attributed_by.join("; ")));
    if !p.findings.is_empty() {
        d.push(("findings", p.findings.join(", ")));
    }
    d
}

fn short(s: &str, n: usize) -> &str {
    s.get(..n).unwrap_or(s)
}

/// The terminal view.
pub fn table(p: &Proof, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "OFFBOARDING EVIDENCE: {} ({}), status {}",
        p.tenant.name, p.tenant.id, p.tenant.status
    )?;
    writeln!(
        out,
        "estate {} · as of {} ({}) · run {} · driftgate {} · policy pack {}",
        p.estate,
        p.as_of,
        p.as_of_source,
        p.run_id,
        p.tool.version,
        short(&p.policy_pack_revision, 12)
    )?;
    writeln!(out)?;
    writeln!(out, "{}", p.statement)?;
    writeln!(
        out,
        "paths: {} remaining, {} unknown, {} closed",
        p.counts.remaining, p.counts.unknown, p.counts.closed
    )?;
    if !p.paths.is_empty() {
        let mut b = tabled::builder::Builder::default();
        b.push_record(["#", "kind", "what", "where", "status", "access"]);
        for x in &p.paths {
            b.push_record([
                x.id.clone(),
                x.kind.as_str().to_string(),
                x.what.clone(),
                where_(x),
                x.status.as_str().to_string(),
                access_label(x.access).to_string(),
            ]);
        }
        let mut t = b.build();
        t.with(tabled::settings::Style::sharp());
        writeln!(out, "{t}")?;
        for x in &p.paths {
            writeln!(out, "\n[{}] {} — {}", x.id, x.subject, x.what)?;
            for (k, v) in details(x) {
                writeln!(out, "    {k:<19} {v}")?;
            }
        }
    }
    writeln!(out, "\nFindings (LIFE-001, LIFE-002):")?;
    if p.findings.is_empty() {
        writeln!(out, "  none")?;
    }
    for f in &p.findings {
        writeln!(
            out,
            "  {:<8} {} {}{} — {}",
            f.severity.as_str(),
            f.rule,
            f.subject,
            if f.waived { " (waived)" } else { "" },
            f.message
        )?;
    }
    writeln!(out, "\nExports examined (SHA-256):")?;
    for e in &p.exports {
        writeln!(
            out,
            "  {}  {}  ({} bytes, {})",
            e.sha256, e.path, e.size, e.role
        )?;
    }
    if !p.notes.is_empty() {
        writeln!(out, "\nNotes:")?;
        for n in &p.notes {
            writeln!(out, "  - {n}")?;
        }
    }
    writeln!(out, "\nSign-off:")?;
    writeln!(
        out,
        "  Prepared by: ______________________________  Date: ____________"
    )?;
    writeln!(
        out,
        "  Reviewed by: ______________________________  Date: ____________"
    )
}

/// The document's header facts, in the order the Markdown and HTML tables show them.
fn facts(p: &Proof) -> [(&'static str, String); 9] {
    [
        ("Tenant", format!("{} ({})", p.tenant.name, p.tenant.id)),
        ("Status", p.tenant.status.clone()),
        ("Estate", p.estate.clone()),
        ("As of", format!("{} ({})", p.as_of, p.as_of_source)),
        ("Generated", p.generated_at.clone()),
        ("Run id", p.run_id.clone()),
        ("driftgate", p.tool.version.to_string()),
        ("Policy pack revision", p.policy_pack_revision.clone()),
        (
            "Paths",
            format!(
                "{} remaining, {} unknown, {} closed",
                p.counts.remaining, p.counts.unknown, p.counts.closed
            ),
        ),
    ]
}

/// Markdown, for tickets and change records.
pub fn markdown(p: &Proof, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "# Offboarding evidence: {} ({})\n",
        md(&p.tenant.name),
        md(&p.tenant.id)
    )?;
    writeln!(out, "**{}**\n", md(&p.statement))?;
    writeln!(out, "| | |\n|---|---|")?;
    for (k, v) in facts(p) {
        writeln!(out, "| {k} | {} |", md(&v))?;
    }
    writeln!(out, "\n## Paths into the tenant\n")?;
    if p.paths.is_empty() {
        writeln!(out, "None found in the exports examined.")?;
    } else {
        writeln!(out, "| # | kind | what | where | status | access |")?;
        writeln!(out, "|---|---|---|---|---|---|")?;
        for x in &p.paths {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | **{}** |",
                x.id,
                x.kind.as_str(),
                md(&x.what),
                md(&where_(x)),
                x.status.as_str(),
                x.access.as_str()
            )?;
        }
        for x in &p.paths {
            writeln!(out, "\n### {}: {}\n", x.id, md(&x.subject))?;
            for (k, v) in details(x) {
                writeln!(out, "- {k}: {}", md(&v))?;
            }
        }
    }
    writeln!(out, "\n## Findings (LIFE-001, LIFE-002)\n")?;
    if p.findings.is_empty() {
        writeln!(out, "None.")?;
    } else {
        writeln!(out, "| rule | severity | subject | message | waived |")?;
        writeln!(out, "|---|---|---|---|---|")?;
        for f in &p.findings {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                f.rule,
                f.severity.as_str(),
                md(&f.subject),
                md(&f.message),
                if f.waived { "yes" } else { "no" }
            )?;
        }
    }
    writeln!(out, "\n## Exports examined\n")?;
    writeln!(out, "| file | SHA-256 | bytes | read for |")?;
    writeln!(out, "|---|---|---|---|")?;
    for e in &p.exports {
        writeln!(
            out,
            "| {} | `{}` | {} | {} |",
            md(&e.path),
            e.sha256,
            e.size,
            md(&e.role)
        )?;
    }
    if !p.notes.is_empty() {
        writeln!(out, "\n## Notes\n")?;
        for n in &p.notes {
            writeln!(out, "- {}", md(n))?;
        }
    }
    writeln!(out, "\n## Sign-off\n")?;
    writeln!(out, "| role | name | date |\n|---|---|---|")?;
    writeln!(out, "| Prepared by | | |\n| Reviewed by | | |")
}

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:70em}\
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.3em .6em;\
text-align:left;vertical-align:top}th{background:#f3f3f3}.remaining{color:#b00020;font-weight:bold}\
.unknown{color:#a05a00;font-weight:bold}.closed{color:#1b6e20}.verdict{font-size:1.2em;padding:.6em;\
border:2px solid #888}code{font-size:.85em}dl{margin:.3em 0 1em}dt{font-weight:bold}\
.sign td{height:2.2em;min-width:14em}@media print{body{margin:0}}";

/// One self-contained page: inline CSS, no script, no network.
pub fn html(p: &Proof, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
    )?;
    writeln!(
        out,
        "<title>Offboarding evidence: {}</title>\n<style>{CSS}</style>\n</head>\n<body>",
        h(&p.tenant.name)
    )?;
    writeln!(
        out,
        "<h1>Offboarding evidence: {} ({})</h1>",
        h(&p.tenant.name),
        h(&p.tenant.id)
    )?;
    writeln!(out, "<p class=\"verdict\">{}</p>", h(&p.statement))?;
    writeln!(out, "<table>")?;
    for (k, v) in facts(p) {
        writeln!(out, "<tr><th>{k}</th><td>{}</td></tr>", h(&v))?;
    }
    writeln!(out, "</table>\n<h2>Paths into the tenant</h2>")?;
    if p.paths.is_empty() {
        writeln!(out, "<p>None found in the exports examined.</p>")?;
    } else {
        writeln!(
            out,
            "<table>\n<tr><th>#</th><th>kind</th><th>what</th><th>where</th><th>status</th><th>access</th></tr>"
        )?;
        for x in &p.paths {
            writeln!(
                out,
                "<tr><td><a href=\"#{id}\">{id}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{a}\">{a}</td></tr>",
                x.kind.as_str(),
                h(&x.what),
                h(&where_(x)),
                x.status.as_str(),
                id = h(&x.id),
                a = x.access.as_str()
            )?;
        }
        writeln!(out, "</table>")?;
        for x in &p.paths {
            writeln!(
                out,
                "<h3 id=\"{}\">{}: {}</h3>\n<dl>",
                h(&x.id),
                h(&x.id),
                h(&x.subject)
            )?;
            for (k, v) in details(x) {
                writeln!(out, "<dt>{k}</dt><dd>{}</dd>", h(&v))?;
            }
            writeln!(out, "</dl>")?;
        }
    }
    writeln!(out, "<h2>Findings (LIFE-001, LIFE-002)</h2>")?;
    if p.findings.is_empty() {
        writeln!(out, "<p>None.</p>")?;
    } else {
        writeln!(
            out,
            "<table>\n<tr><th>rule</th><th>severity</th><th>subject</th><th>message</th><th>waived</th></tr>"
        )?;
        for f in &p.findings {
            writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                h(&f.rule),
                f.severity.as_str(),
                h(&f.subject),
                h(&f.message),
                if f.waived { "yes" } else { "no" }
            )?;
        }
        writeln!(out, "</table>")?;
    }
    writeln!(
        out,
        "<h2>Exports examined</h2>\n<table>\n<tr><th>file</th><th>SHA-256</th><th>bytes</th><th>read for</th></tr>"
    )?;
    for e in &p.exports {
        writeln!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            h(&e.path),
            h(&e.sha256),
            e.size,
            h(&e.role)
        )?;
    }
    writeln!(out, "</table>")?;
    if !p.notes.is_empty() {
        writeln!(out, "<h2>Notes</h2>\n<ul>")?;
        for n in &p.notes {
            writeln!(out, "<li>{}</li>", h(n))?;
        }
        writeln!(out, "</ul>")?;
    }
    writeln!(
        out,
        "<h2>Sign-off</h2>\n<table class=\"sign\">\n<tr><th>role</th><th>name</th><th>signature</th><th>date</th></tr>\n\
         <tr><td>Prepared by</td><td></td><td></td><td></td></tr>\n\
         <tr><td>Reviewed by</td><td></td><td></td><td></td></tr>\n</table>\n</body>\n</html>"
    )
}
