//! Renders a [`Readiness`] as a terminal table, JSON, Markdown (under 65,536 characters) or one
//! self-contained HTML page (inline CSS, no script, every export value escaped). Renders only.

use super::{Format, Issue, IssueState, Metric, MetricState, Readiness, SourceCoverage};
use crate::report::html::escape as h;
use crate::report::markdown::{escape as md, MAX_CHARS};
use std::fmt::Write as _;

/// The text for `format`.
pub fn render(r: &Readiness, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(r).expect("serialisable") + "\n",
        Format::Table => table(r),
        Format::Markdown => markdown(r),
        Format::Html => html(r),
    }
}

fn metric_text(m: &Metric) -> String {
    match (m.state, m.with, m.share_pct) {
        (MetricState::Unknown, _, _) => "unknown".into(),
        (MetricState::NotApplicable, _, _) => "n/a".into(),
        (_, Some(w), Some(p)) => format!("{w}/{} ({p}%)", m.population),
        _ => "unknown".into(),
    }
}

/// "critical 1, high 3, ..." most severe first.
fn severities(d: &super::DayOne) -> Vec<String> {
    crate::policy::metadata::Severity::ALL
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s.as_str(),
                d.by_severity.get(s.as_str()).unwrap_or(&0)
            )
        })
        .collect()
}

fn opt(n: Option<usize>) -> String {
    n.map_or_else(|| "unknown".into(), |n| n.to_string())
}

fn state(i: &Issue) -> &'static str {
    match i.state {
        IssueState::Fail => "fail",
        IssueState::Unknown => "unknown",
    }
}

fn source_label(s: &SourceCoverage) -> String {
    if s.source_of_truth {
        format!("{} ({}, source of truth)", s.source, s.kind)
    } else {
        format!("{} ({})", s.source, s.kind)
    }
}

const COVERAGE_HEAD: [&str; 8] = [
    "source",
    "enabled humans",
    "employee id",
    "manager",
    "sign-in known",
    "MFA registration known",
    "stale",
    "privilege",
];

fn coverage_row(s: &SourceCoverage) -> [String; 8] {
    [
        source_label(s),
        s.enabled_humans.to_string(),
        metric_text(&s.employee_id),
        metric_text(&s.manager),
        metric_text(&s.sign_in),
        metric_text(&s.mfa_registration),
        opt(s.stale_humans),
        s.privilege.to_string(),
    ]
}

fn table(r: &Readiness) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Readiness of {} ({}), status {}, as of {}",
        r.tenant.name, r.tenant.id, r.tenant.status, r.as_of
    );
    let _ = writeln!(
        o,
        "verdict: {}   score: {}/100",
        r.verdict.as_str(),
        r.score
    );
    o.push('\n');
    let mut b = tabled::builder::Builder::default();
    b.push_record(COVERAGE_HEAD);
    for s in &r.coverage.sources {
        b.push_record(coverage_row(s));
    }
    let mut t = b.build();
    t.with(tabled::settings::Style::sharp());
    let _ = writeln!(o, "Data coverage (share of enabled humans)\n{t}");
    for g in &r.coverage.gaps {
        let _ = writeln!(o, "  missing {} {}: {}", g.source, g.export, g.hides);
    }
    let mix: Vec<String> = r
        .identity_mix
        .by_kind
        .iter()
        .map(|(k, c)| format!("{k} {} ({} enabled)", c.total, c.enabled))
        .collect();
    let _ = writeln!(
        o,
        "\nIdentity mix: {} identities, {} enabled: {}",
        r.identity_mix.total,
        r.identity_mix.enabled,
        mix.join(", ")
    );
    let d = &r.day_one;
    let sev = severities(d);
    let _ = writeln!(
        o,
        "\nDay-one findings: {} open ({}), {} waived",
        d.findings,
        sev.join(", "),
        d.waived
    );
    if !d.by_rule.is_empty() {
        let rules: Vec<String> = d.by_rule.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let _ = writeln!(o, "  by rule: {}", rules.join(", "));
    }
    for f in &d.top {
        let _ = writeln!(
            o,
            "  {:<8} {:<9} {}: {}",
            f.severity.as_str(),
            f.rule,
            f.name.as_deref().unwrap_or(&f.subject),
            f.message
        );
    }
    for (label, list) in [("Blockers", &r.blockers), ("Conditions", &r.conditions)] {
        let _ = writeln!(o, "\n{label}: {}", list.len());
        for i in list.iter() {
            let _ = writeln!(o, "  [{}] {} ({}): {}", state(i), i.title, i.id, i.reason);
            let _ = writeln!(o, "      fix: {}", i.fix);
        }
    }
    let s = &r.score_breakdown;
    let _ = writeln!(
        o,
        "\nScore {} = 40 + coverage {} (employee id {}, manager {}, sign-in {}, MFA registration {}, privilege {}) - blockers {} - conditions {} - findings {}",
        s.total,
        s.coverage,
        s.terms["employee_id"],
        s.terms["manager"],
        s.terms["sign_in"],
        s.terms["mfa_registration"],
        s.terms["privilege"],
        s.blocker_penalty,
        s.condition_penalty,
        s.findings_penalty
    );
    for w in &r.warnings {
        let _ = writeln!(o, "warning: {w}");
    }
    o
}

/// Markdown, cut to stay under [`MAX_CHARS`].
fn markdown(r: &Readiness) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# Readiness: {} (`{}`)\n\n**Verdict: {}** · score **{}/100** · status {} · as of {}\n",
        md(&r.tenant.name),
        md(&r.tenant.id),
        r.verdict.as_str(),
        r.score,
        md(&r.tenant.status),
        r.as_of
    );
    for (label, list) in [("Blockers", &r.blockers), ("Conditions", &r.conditions)] {
        let _ = writeln!(o, "## {label} ({})\n", list.len());
        if list.is_empty() {
            o.push_str("None.\n\n");
            continue;
        }
        o.push_str("| state | issue | reason | fix first |\n|---|---|---|---|\n");
        for i in list.iter() {
            let _ = writeln!(
                o,
                "| {} | {} (`{}`) | {} | {} |",
                state(i),
                md(&i.title),
                i.id,
                md(&i.reason),
                md(&i.fix)
            );
        }
        o.push('\n');
    }
    o.push_str("## Data coverage (share of enabled humans)\n\n");
    o.push_str(&format!("| {} |\n", COVERAGE_HEAD.join(" | ")));
    o.push_str(&format!("|{}\n", "---|".repeat(COVERAGE_HEAD.len())));
    for s in &r.coverage.sources {
        let row: Vec<String> = coverage_row(s).iter().map(|c| md(c)).collect();
        let _ = writeln!(o, "| {} |", row.join(" | "));
    }
    o.push('\n');
    for g in &r.coverage.gaps {
        let _ = writeln!(
            o,
            "- missing in {}: {}: {}",
            md(&g.source),
            md(&g.export),
            md(&g.hides)
        );
    }
    o.push_str("\n## Identity mix\n\n| kind | identities | enabled |\n|---|---|---|\n");
    for (k, c) in &r.identity_mix.by_kind {
        let _ = writeln!(o, "| {} | {} | {} |", md(k), c.total, c.enabled);
    }
    let d = &r.day_one;
    let _ = writeln!(
        o,
        "\n## Day-one findings: {} open, {} waived\n",
        d.findings, d.waived
    );
    let sev = severities(d);
    let _ = writeln!(o, "By severity: {}\n", sev.join(", "));
    if !d.top.is_empty() {
        o.push_str("| severity | rule | subject | message |\n|---|---|---|---|\n");
    }
    let tail = format!(
        "\n## Score\n\n{} = 40 + coverage {} − blockers {} − conditions {} − findings {}\n",
        r.score_breakdown.total,
        r.score_breakdown.coverage,
        r.score_breakdown.blocker_penalty,
        r.score_breakdown.condition_penalty,
        r.score_breakdown.findings_penalty
    );
    for (n, f) in d.top.iter().enumerate() {
        let line = format!(
            "| {} | {} | {} | {} |\n",
            f.severity.as_str(),
            f.rule,
            md(f.name.as_deref().unwrap_or(&f.subject)),
            md(&f.message)
        );
        if o.len() + line.len() + tail.len() + 200 >= MAX_CHARS {
            let _ = writeln!(o, "\n… and {} more findings", d.top.len() - n);
            break;
        }
        o.push_str(&line);
    }
    o.push_str(&tail);
    if o.len() >= MAX_CHARS {
        // Unreachable in practice (every list above is bounded); keep the promise anyway.
        let mut cut = MAX_CHARS - 64;
        while !o.is_char_boundary(cut) {
            cut -= 1;
        }
        o.truncate(cut);
        o.push_str("\n… (cut: see the JSON output)\n");
    }
    o
}

const CSS: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1f24;margin:0 auto;max-width:1100px;padding:1em 1.5em}
h1{font-size:1.6em;margin:.2em 0}h2{border-bottom:2px solid #d0d7de;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #d0d7de;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f5f7}td.n{text-align:right}.meta{color:#57606a}
.verdict{display:inline-block;padding:.3em .8em;border-radius:6px;font-weight:700;font-size:1.2em}
.go{background:#dafbe1;color:#1a7f37}.go-with-conditions{background:#fff3c4;color:#9a6700}.no-go{background:#ffebe9;color:#b42318}
.fail{color:#b42318;font-weight:600}.unknown{color:#9a6700;font-weight:600}
.sev-critical,.sev-high{color:#b42318;font-weight:600}.sev-medium{color:#9a6700}
pre{background:#f6f8fa;border:1px solid #d0d7de;padding:.5em;white-space:pre-wrap;word-break:break-all;margin:.3em 0}
";

fn html(r: &Readiness) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n<meta name=viewport content=\"width=device-width,initial-scale=1\">\n<title>driftgate readiness — {}</title>\n<style>{CSS}</style></head><body>\n",
        h(&r.tenant.name)
    );
    let _ = writeln!(
        o,
        "<h1>Readiness: {} <span class=meta>({})</span></h1>\n<p><span class=\"verdict {v}\">{v}</span> score <b>{}</b>/100 · status {} · as of {} ({})</p>",
        h(&r.tenant.name),
        h(&r.tenant.id),
        r.score,
        h(&r.tenant.status),
        h(&r.as_of),
        h(&r.as_of_source),
        v = r.verdict.as_str()
    );
    for (label, list) in [("Blockers", &r.blockers), ("Conditions", &r.conditions)] {
        let _ = writeln!(o, "<h2>{label} ({})</h2>", list.len());
        if list.is_empty() {
            o.push_str("<p>None.</p>\n");
            continue;
        }
        o.push_str(
            "<table><tr><th>state</th><th>issue</th><th>reason</th><th>fix first</th></tr>\n",
        );
        for i in list.iter() {
            let ev = serde_json::to_string_pretty(&i.evidence).unwrap_or_default();
            let _ = writeln!(
                o,
                "<tr><td class={s}>{s}</td><td>{} <code>{}</code></td><td>{}</td><td>{}</td></tr>\n<tr><td></td><td colspan=3><pre>{}</pre></td></tr>",
                h(&i.title),
                h(i.id),
                h(&i.reason),
                h(&i.fix),
                h(&ev),
                s = state(i)
            );
        }
        o.push_str("</table>\n");
    }
    o.push_str(
        "<h2>Data coverage <span class=meta>(share of enabled humans)</span></h2>\n<table><tr>",
    );
    for c in COVERAGE_HEAD {
        let _ = write!(o, "<th>{c}</th>");
    }
    o.push_str("</tr>\n");
    for s in &r.coverage.sources {
        o.push_str("<tr>");
        for c in coverage_row(s) {
            let _ = write!(o, "<td>{}</td>", h(&c));
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</table>\n");
    if !r.coverage.gaps.is_empty() {
        o.push_str(
            "<table><tr><th>source</th><th>missing export</th><th>what it hides</th></tr>\n",
        );
        for g in &r.coverage.gaps {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                h(&g.source),
                h(&g.export),
                h(&g.hides)
            );
        }
        o.push_str("</table>\n");
    }
    o.push_str(
        "<h2>Identity mix</h2>\n<table><tr><th>kind</th><th>identities</th><th>enabled</th></tr>\n",
    );
    for (k, c) in &r.identity_mix.by_kind {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            h(k),
            c.total,
            c.enabled
        );
    }
    let _ = writeln!(
        o,
        "<tr><th>total</th><th>{}</th><th>{}</th></tr></table>",
        r.identity_mix.total, r.identity_mix.enabled
    );
    let d = &r.day_one;
    let _ = writeln!(
        o,
        "<h2>Day-one findings: {} open, {} waived</h2>",
        d.findings, d.waived
    );
    let sev = severities(d);
    let _ = writeln!(o, "<p>{}</p>", h(&sev.join(", ")));
    if !d.top.is_empty() {
        o.push_str(
            "<table><tr><th>severity</th><th>rule</th><th>subject</th><th>message</th></tr>\n",
        );
        for f in &d.top {
            let _ = writeln!(
                o,
                "<tr><td class=sev-{s}>{s}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                h(&f.rule),
                h(f.name.as_deref().unwrap_or(&f.subject)),
                h(&f.message),
                s = f.severity.as_str()
            );
        }
        o.push_str("</table>\n");
    }
    let s = &r.score_breakdown;
    let _ = writeln!(
        o,
        "<h2>Score</h2>\n<p>{} = 40 + coverage {} (employee id {}, manager {}, sign-in {}, MFA registration {}, privilege {}) − blockers {} − conditions {} − findings {}</p>\n<p class=meta>{}</p>",
        s.total,
        s.coverage,
        s.terms["employee_id"],
        s.terms["manager"],
        s.terms["sign_in"],
        s.terms["mfa_registration"],
        s.terms["privilege"],
        s.blocker_penalty,
        s.condition_penalty,
        s.findings_penalty,
        h(s.formula)
    );
    if !r.warnings.is_empty() {
        o.push_str("<h2>Warnings</h2>\n<ul>\n");
        for w in &r.warnings {
            let _ = writeln!(o, "<li>{}</li>", h(w));
        }
        o.push_str("</ul>\n");
    }
    let _ = writeln!(
        o,
        "<p class=meta>driftgate {} · {} · {}</p>\n</body></html>",
        h(r.tool.version),
        h(&r.tenant.config_file),
        h(r.schema)
    );
    o
}
