//! report.html: one self-contained page for people — e-mailed, opened offline, printed to PDF.
//!
//! Header and totals, the estate heat map (tenants × rule families), the control view (each
//! framework control's verdict per tenant, linked to the findings behind it), a section per
//! tenant (drift, verdicts, privileged-access and non-human-identity inventories, findings with
//! evidence and provenance), waivers, and run metadata. Inline CSS only: no script, no network
//! fetch (a Content-Security-Policy forbids both), print CSS breaks pages between tenants.
//! Every piece of text from an export goes through [`escape`]; the output is deterministic.
//! Renders only.
//!
//! This module assembles the document and holds the helpers every section shares (escaping,
//! fragment ids, cell text); each section is rendered by a submodule: `summary` (header, heat map,
//! trend), `controls` (control view), `tenant` (tenant sections, inventories, findings) and
//! `run` (waivers, run metadata).

mod controls;
mod run;
mod summary;
mod tenant;

use super::Report;
use crate::finding::Finding;
use std::fmt::Write as _;
use std::io::Write;

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

/// The whole document.
pub fn to_string(r: &Report) -> String {
    let mut o = String::with_capacity(64 * 1024 + r.findings.len() * 1024);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n<meta name=viewport content=\"width=device-width,initial-scale=1\">\n<title>driftgate — {} — {}</title>\n<style>{CSS}</style></head><body>\n",
        escape(&r.run.estate),
        escape(&r.run.as_of)
    );
    summary::header(r, &mut o);
    summary::heat_map(r, &mut o);
    summary::trend(r, &mut o);
    controls::control_view(r, &mut o);
    for t in &r.tenants {
        tenant::tenant_section(r, t, &mut o);
    }
    run::run_metadata(r, &mut o);
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
