//! The top of report.html: the header with run status and totals, the estate heat map (tenants ×
//! rule families, coloured by severity-weighted count) and the drift score trend across baseline
//! runs. Renders only.

use super::{anchor, escape, of_tenant, opt};
use crate::finding::Finding;
use crate::policy::metadata::Severity;
use crate::report::drift::weight;
use crate::report::{Report, Verdict};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Rule families in heat-map order; families the report has beyond these follow, sorted.
const FAMILIES: [&str; 7] = ["STALE", "PRIV", "NHI", "BASE", "DRIFT", "LIFE", "GOV"];

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

pub(super) fn header(r: &Report, o: &mut String) {
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

pub(super) fn heat_map(r: &Report, o: &mut String) {
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
pub(super) fn trend(r: &Report, o: &mut String) {
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
