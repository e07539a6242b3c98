//! The terminal view: per-tenant counts by severity, errors, and the top findings.
//! Renders only.

use super::{Report, TenantState, Verdict};
use crate::policy::metadata::Severity;
use std::io::Write;
use tabled::settings::Style;
use tabled::{builder::Builder, Table};

/// How many findings the table lists (the JSON and CSV carry all).
pub const TOP: usize = 20;

fn table(builder: Builder) -> Table {
    let mut t = builder.build();
    t.with(Style::sharp());
    t
}

/// A matrix cell: the finding count when the rule failed, else a mark for the verdict.
fn cell(c: &super::drift::Cell) -> String {
    match c.verdict {
        Verdict::Fail => c.findings.to_string(),
        Verdict::Pass => "·".into(),
        Verdict::Waived => "W".into(),
        Verdict::NotEvaluable => "?".into(),
        Verdict::Error => "E".into(),
        Verdict::NotAudited => "-".into(),
    }
}

/// The drift matrix. Up to [`MATRIX_TENANTS`] tenants: one column per tenant and a row per rule;
/// beyond, one row per tenant and a column per rule family (JSON always has tenants × rules).
fn render_matrix(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let m = &report.matrix;
    if m.rows.is_empty() || m.rules.is_empty() {
        return Ok(());
    }
    let mut b = Builder::default();
    if m.rows.len() <= MATRIX_TENANTS {
        let mut head = vec!["rule".to_string()];
        head.extend(m.rows.iter().map(|r| r.tenant.clone()));
        b.push_record(head);
        for (i, rule) in m.rules.iter().enumerate() {
            let mut row = vec![rule.clone()];
            row.extend(m.rows.iter().map(|r| cell(&r.cells[i])));
            b.push_record(row);
        }
    } else {
        let mut families: Vec<String> = m
            .rules
            .iter()
            .map(|r| r.split('-').next().unwrap_or(r).to_string())
            .collect();
        families.dedup();
        let mut head = vec!["tenant".to_string(), "score".to_string()];
        head.extend(families.iter().cloned());
        b.push_record(head);
        for r in &m.rows {
            let mut row = vec![
                r.tenant.clone(),
                r.score.map(|s| s.to_string()).unwrap_or_else(|| "-".into()),
            ];
            for fam in &families {
                let n: usize = m
                    .rules
                    .iter()
                    .zip(&r.cells)
                    .filter(|(rule, c)| {
                        rule.split('-').next() == Some(fam.as_str()) && c.verdict == Verdict::Fail
                    })
                    .map(|(_, c)| c.findings)
                    .sum();
                row.push(if n == 0 { "·".into() } else { n.to_string() });
            }
            b.push_record(row);
        }
    }
    writeln!(
        out,
        "Drift matrix (findings; · pass, W waived, ? not evaluable, E error, - not audited):"
    )?;
    writeln!(out, "{}", table(b))
}

/// Tenants shown as columns of the terminal matrix; more are shown as rows by rule family.
pub const MATRIX_TENANTS: usize = 8;

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "driftgate {} — {} — as of {} ({})",
        report.tool.version, report.run.estate, report.run.as_of, report.run.as_of_source
    )?;
    let mut b = Builder::default();
    b.push_record([
        "tenant",
        "status",
        "identities",
        "critical",
        "high",
        "medium",
        "low",
        "waived",
        "not evaluable",
        "drift score",
        "orphans",
        "leavers",
        "state",
    ]);
    for t in &report.tenants {
        let c = |s: Severity| t.counts.get(&s).copied().unwrap_or(0).to_string();
        let ne = t
            .rules
            .iter()
            .filter(|r| r.verdict == Verdict::NotEvaluable)
            .count();
        let state = match t.state {
            TenantState::Audited => "audited".to_string(),
            TenantState::Error => format!("ERROR ({})", t.errors.len()),
        };
        b.push_record([
            t.id.clone(),
            t.status.clone(),
            t.identities.to_string(),
            c(Severity::Critical),
            c(Severity::High),
            c(Severity::Medium),
            c(Severity::Low),
            t.rules.iter().map(|r| r.waived).sum::<usize>().to_string(),
            format!("{ne} rules"),
            t.drift
                .score
                .map(|s| s.to_string())
                .unwrap_or_else(|| "-".into()),
            t.drift.orphans.to_string(),
            t.drift.leavers.to_string(),
            state,
        ]);
    }
    writeln!(out, "{}", table(b))?;
    render_matrix(report, out)?;
    let mut top: Vec<&crate::finding::Finding> = report
        .findings
        .iter()
        .filter(|f| f.waived.is_none())
        .collect();
    top.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.tenant.cmp(&b.tenant))
            .then(a.rule.cmp(&b.rule))
            .then(a.subject.reference.cmp(&b.subject.reference))
    });
    let pending = super::not_yet_effective(report);
    if !top.is_empty() {
        let mut b = Builder::default();
        b.push_record(["severity", "rule", "tenant", "subject", "message"]);
        for f in top.iter().take(TOP) {
            let subject = f
                .subject
                .principal_name
                .clone()
                .or_else(|| f.subject.display_name.clone())
                .unwrap_or_else(|| f.subject.reference.clone());
            let severity = if pending.contains(f.rule.as_str()) {
                format!("{} (warning)", f.severity.as_str())
            } else {
                f.severity.as_str().to_string()
            };
            b.push_record([
                severity,
                f.rule.clone(),
                f.tenant.clone(),
                subject,
                f.message.clone(),
            ]);
        }
        writeln!(
            out,
            "Top findings ({} of {}):",
            top.len().min(TOP),
            top.len()
        )?;
        writeln!(out, "{}", table(b))?;
    }
    let warnings = super::warning_count(report, &pending);
    if warnings > 0 {
        let rules: Vec<&str> = pending.iter().copied().collect();
        writeln!(
            out,
            "{warnings} findings of rules not yet in force ({}: effective_on after as_of) are warnings: they do not fail --fail-on.",
            rules.join(", ")
        )?;
    }
    for t in report.tenants.iter().filter(|t| !t.errors.is_empty()) {
        writeln!(out, "tenant {}: not audited:", t.id)?;
        for e in &t.errors {
            writeln!(out, "  error: {e}")?;
        }
    }
    for e in &report.policy_errors {
        writeln!(out, "policy error: {e}")?;
    }
    let s = &report.summary;
    writeln!(
        out,
        "{} tenants ({} audited, {} failed), {} identities, {} findings{}{}",
        s.tenants,
        s.tenants_audited,
        s.tenants_failed,
        s.identities,
        s.findings,
        if s.waived > 0 {
            format!(" ({} more waived)", s.waived)
        } else {
            String::new()
        },
        if report.run.complete {
            ""
        } else {
            " — INCOMPLETE: see errors above"
        }
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::sample;

    fn to_string(r: &Report) -> String {
        let mut out = Vec::new();
        render(r, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn findings_of_rules_not_yet_in_force_are_marked_as_warnings() {
        let mut r = sample();
        assert!(!to_string(&r).contains("(warning)"));
        let rule = r.rules.iter_mut().find(|x| x.id == "PRIV-001").unwrap();
        rule.effective_on = Some("2027-01-01".into());
        let text = to_string(&r);
        assert!(text.contains("high (warning)"), "{text}");
        assert!(
            text.contains(
                "1 findings of rules not yet in force (PRIV-001: effective_on after as_of)"
            ),
            "{text}"
        );
        assert!(
            !text.contains("low (warning)"),
            "other rules stay as they are"
        );
    }
}
