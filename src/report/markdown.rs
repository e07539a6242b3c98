//! report.md: GitHub-flavoured Markdown for PR comments and job summaries.
//!
//! Title, a summary table per tenant, the drift matrix by rule family, then findings grouped by
//! severity. The whole text stays under [`MAX_CHARS`] (GitHub's limit for a comment): findings
//! stop before the limit and a last line counts the rest. Text from exports is escaped so a
//! display name cannot break a table or inject markup. Renders only.

use super::{Report, TenantState, Verdict};
use crate::finding::Finding;
use crate::policy::metadata::Severity;
use std::io::Write;

/// GitHub rejects a comment or job summary of 65,536 characters or more.
pub const MAX_CHARS: usize = 65_536;

/// Room kept for the closing lines once findings stop.
const RESERVE: usize = 1_024;

/// Escape text for a Markdown table cell: markup characters get a backslash, `<`/`>`/`&` become
/// entities (no raw HTML), newlines become spaces; `@` is escaped so a name from an export never
/// mentions anyone in a PR comment.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' | '@' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn family(rule: &str) -> &str {
    rule.split('-').next().unwrap_or(rule)
}

fn subject(f: &Finding) -> String {
    let name = f
        .subject
        .principal_name
        .as_deref()
        .or(f.subject.display_name.as_deref());
    match name {
        Some(n) if n != f.subject.reference => {
            format!("{} ({})", escape(n), escape(&f.subject.reference))
        }
        _ => escape(&f.subject.reference),
    }
}

/// Text with a length budget, counted in bytes (never fewer than characters).
struct Doc {
    text: String,
}

impl Doc {
    fn line(&mut self, s: &str) {
        self.text.push_str(s);
        self.text.push('\n');
    }
    /// Add the line if the text stays under the limit with the reserve kept free.
    fn try_line(&mut self, s: &str) -> bool {
        if self.text.len() + s.len() + 1 + RESERVE >= MAX_CHARS {
            return false;
        }
        self.line(s);
        true
    }
}

fn summary(report: &Report, doc: &mut Doc) {
    doc.line("| tenant | state | identities | critical | high | medium | low | info | not evaluable | drift score |");
    doc.line("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|");
    for (i, t) in report.tenants.iter().enumerate() {
        let c = |s: Severity| t.counts.get(&s).copied().unwrap_or(0);
        let ne = t
            .rules
            .iter()
            .filter(|r| r.verdict == Verdict::NotEvaluable)
            .count();
        let state = match t.state {
            TenantState::Audited => "audited".to_string(),
            TenantState::Error => format!("**not audited** ({} errors)", t.errors.len()),
        };
        let row = format!(
            "| {} | {state} | {} | {} | {} | {} | {} | {} | {ne} rules | {} |",
            escape(&t.id),
            t.identities,
            c(Severity::Critical),
            c(Severity::High),
            c(Severity::Medium),
            c(Severity::Low),
            c(Severity::Info),
            t.drift
                .score
                .map(|s| s.to_string())
                .unwrap_or_else(|| "–".into())
        );
        if !doc.try_line(&row) {
            doc.line(&format!(
                "\n… and {} more tenants (see report.json)",
                report.tenants.len() - i
            ));
            break;
        }
    }
}

/// Tenants × rule families: findings of failed rules, else `E` error, `-` not audited,
/// `?` not evaluable, `·` pass.
fn matrix(report: &Report, doc: &mut Doc) {
    let m = &report.matrix;
    if m.rows.is_empty() || m.rules.is_empty() || doc.text.len() + 4 * RESERVE >= MAX_CHARS {
        return;
    }
    let mut families: Vec<&str> = m.rules.iter().map(|r| family(r)).collect();
    families.dedup();
    doc.line("");
    doc.line("### Drift matrix");
    doc.line("");
    doc.line(
        "Findings per rule family (not waived); `E` policy error, `-` not audited, `?` not evaluable, `W` waived, `·` pass.",
    );
    doc.line("");
    let head: Vec<String> = families.iter().map(|f| escape(f)).collect();
    doc.line(&format!("| tenant | score | {} |", head.join(" | ")));
    doc.line(&format!("|---|--:|{}", "--:|".repeat(families.len())));
    for (i, row) in m.rows.iter().enumerate() {
        let cells: Vec<String> = families
            .iter()
            .map(|fam| {
                let cells: Vec<_> = m
                    .rules
                    .iter()
                    .zip(&row.cells)
                    .filter(|(r, _)| family(r) == *fam)
                    .map(|(_, c)| c)
                    .collect();
                let failed: usize = cells
                    .iter()
                    .filter(|c| c.verdict == Verdict::Fail)
                    .map(|c| c.findings)
                    .sum();
                let any = |v: Verdict| cells.iter().any(|c| c.verdict == v);
                if failed > 0 {
                    failed.to_string()
                } else if any(Verdict::Error) {
                    "E".into()
                } else if any(Verdict::NotAudited) {
                    "-".into()
                } else if any(Verdict::NotEvaluable) {
                    "?".into()
                } else if any(Verdict::Waived) {
                    "W".into()
                } else {
                    "·".into()
                }
            })
            .collect();
        let line = format!(
            "| {} | {} | {} |",
            escape(&row.tenant),
            row.score
                .map(|s| s.to_string())
                .unwrap_or_else(|| "–".into()),
            cells.join(" | ")
        );
        if !doc.try_line(&line) {
            doc.line(&format!(
                "\n… and {} more tenants (see report.json)",
                m.rows.len() - i
            ));
            break;
        }
    }
}

/// Findings by severity, most severe first; returns how many were written.
fn findings(report: &Report, doc: &mut Doc) -> usize {
    let mut shown = 0;
    for severity in Severity::ALL {
        let group: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.severity == severity && f.waived.is_none())
            .collect();
        if group.is_empty() {
            continue;
        }
        let mut title = severity.as_str().to_string();
        title[..1].make_ascii_uppercase();
        let head = format!(
            "\n### {title} ({})\n\n| rule | tenant | subject | message | where |\n|---|---|---|---|---|",
            group.len()
        );
        if !doc.try_line(&head) {
            return shown;
        }
        for f in group {
            let place = f
                .provenance
                .first()
                .map(|p| escape(&p.locator()))
                .unwrap_or_default();
            let row = format!(
                "| {} | {} | {} | {} | {place} |",
                escape(&f.rule),
                escape(&f.tenant),
                subject(f),
                escape(&f.message)
            );
            if !doc.try_line(&row) {
                return shown;
            }
            shown += 1;
        }
    }
    let waived: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.waived.is_some())
        .collect();
    if waived.is_empty() {
        return shown;
    }
    let head = format!(
        "\n### Waived ({})\n\n| rule | tenant | subject | waiver | reason | approver | expires |\n|---|---|---|---|---|---|---|",
        waived.len()
    );
    if !doc.try_line(&head) {
        return shown;
    }
    for f in waived {
        let Some(w) = &f.waived else { continue };
        let row = format!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            escape(&f.rule),
            escape(&f.tenant),
            subject(f),
            escape(&w.declared),
            escape(&w.reason),
            escape(&w.approver),
            escape(w.expires.as_deref().unwrap_or("never"))
        );
        if !doc.try_line(&row) {
            return shown;
        }
        shown += 1;
    }
    shown
}

/// The Markdown text (always under [`MAX_CHARS`]).
pub fn to_string(report: &Report) -> String {
    let mut doc = Doc {
        text: String::new(),
    };
    doc.line(&format!(
        "## driftgate — {} — as of {}",
        escape(&report.run.estate),
        escape(&report.run.as_of)
    ));
    doc.line("");
    let s = &report.summary;
    doc.line(&format!(
        "{} tenants ({} audited, {} not audited), {} identities, **{} findings**{}{}",
        s.tenants,
        s.tenants_audited,
        s.tenants_failed,
        s.identities,
        s.findings,
        if s.waived > 0 {
            format!(" and {} waived", s.waived)
        } else {
            String::new()
        },
        if report.run.complete {
            "."
        } else {
            " — **incomplete**: a tenant could not be audited or a policy failed."
        }
    ));
    let pending = super::not_yet_effective(report);
    let warnings = super::warning_count(report, &pending);
    if warnings > 0 {
        let rules: Vec<&str> = pending.iter().copied().collect();
        doc.line("");
        doc.line(&format!(
            "{warnings} of them belong to rules not yet in force ({}: `effective_on` after as_of): warnings, they do not fail the gate.",
            escape(&rules.join(", "))
        ));
    }
    doc.line("");
    summary(report, &mut doc);
    matrix(report, &mut doc);
    let shown = findings(report, &mut doc);
    let rest = report.findings.len() - shown;
    if rest > 0 {
        doc.line("");
        doc.line(&format!("… and {rest} more findings (see report.json)"));
    }
    if !report.policy_errors.is_empty() {
        doc.line("");
        doc.line(&format!(
            "**{} policy errors** (see report.json).",
            report.policy_errors.len()
        ));
    }
    doc.text
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(to_string(report).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{sample, sample_with};

    #[test]
    fn hostile_text_is_escaped() {
        let md = to_string(&sample());
        assert!(!md.contains("<script>"), "{md}");
        assert!(md.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt; \\| &amp; \"x\" holds Global Administrator"
        ));
        assert!(md.contains("finding 2 with \\*stars\\* and \\`ticks\\`"));
        assert!(md.starts_with("## driftgate — Est \\| ate — as of 2026-11-20T06:00:00Z\n"));
        // Every table row keeps its column count: no unescaped `|` from an export.
        for line in md.lines().filter(|l| l.starts_with("| PRIV-001")) {
            assert_eq!(line.replace("\\|", "").matches('|').count(), 6, "{line}");
        }
        assert!(md.contains("| t | 40 | ? | 1 | 1 |"), "{md}");
        assert!(md.contains("| u | – | · | E | W |"), "{md}");
        assert!(md.contains("### Waived (1)"), "{md}");
        assert!(
            md.contains("kept for &lt;legal&gt; hold &amp; audit"),
            "{md}"
        );
        assert_eq!(escape("@octocat ping"), "\\@octocat ping", "no mention");
    }

    #[test]
    fn long_reports_stop_under_the_limit_and_count_the_rest() {
        let r = sample_with(5_000);
        let md = to_string(&r);
        assert!(md.chars().count() < MAX_CHARS, "{}", md.len());
        let shown = md.lines().filter(|l| l.starts_with("| STALE-001")).count()
            + md.lines().filter(|l| l.starts_with("| PRIV-001")).count();
        assert!(shown > 100, "{shown}");
        let rest = r.findings.len() - shown;
        assert!(
            md.contains(&format!("… and {rest} more findings (see report.json)\n")),
            "{}",
            &md[md.len() - 300..]
        );
        // A short report lists everything and adds no such line.
        assert!(!to_string(&sample()).contains("more findings"));
    }

    #[test]
    fn findings_of_rules_not_yet_in_force_are_called_warnings() {
        let mut r = sample();
        assert!(!to_string(&r).contains("not yet in force"));
        let rule = r.rules.iter_mut().find(|x| x.id == "PRIV-001").unwrap();
        rule.effective_on = Some("2027-01-01".into());
        let md = to_string(&r);
        assert!(
            md.contains(
                "1 of them belong to rules not yet in force (PRIV-001: `effective_on` after as_of)"
            ),
            "{md}"
        );
    }
}
