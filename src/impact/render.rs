//! `policy impact` output: a terminal table, Markdown for a PR comment (kept under GitHub's
//! limit, text from exports escaped) and JSON (`driftgate.impact/v1`). Renders only.

use super::compare::{Changed, Impact, Item};
use crate::report::markdown::{escape, MAX_CHARS};
use std::io::Write;

/// Findings listed per section in the table (the JSON lists all).
const TABLE_LISTED: usize = 50;

/// Room kept for the closing lines of the Markdown once lists stop.
const RESERVE: usize = 2_048;

/// What changed in a finding, in words: `medium → high; message "a" → "b"; evidence`.
pub fn change_text(c: &Changed) -> String {
    let mut parts = Vec::new();
    if c.severity_base != c.severity_head {
        parts.push(format!(
            "severity {} → {}",
            c.severity_base.as_str(),
            c.severity_head.as_str()
        ));
    }
    if let (Some(old), Some(new)) = (&c.message_base, &c.message_head) {
        parts.push(format!("message \"{old}\" → \"{new}\""));
    }
    if c.evidence_base.is_some() {
        parts.push("evidence changed".into());
    }
    parts.join("; ")
}

fn who(subject: &str, name: Option<&String>) -> String {
    match name {
        Some(n) => format!("{n} ({subject})"),
        None => subject.to_string(),
    }
}

fn flags(waived: bool, warning: bool, effective_on: Option<&String>) -> String {
    let mut out = String::new();
    if warning {
        match effective_on {
            Some(d) => out.push_str(&format!(" [warning: effective {d}]")),
            None => out.push_str(" [warning: not yet effective]"),
        }
    }
    if waived {
        out.push_str(" [waived]");
    }
    out
}

fn summary_line(i: &Impact) -> String {
    let s = &i.summary;
    format!(
        "{} added, {} removed, {} changed, {} unchanged, {} warnings",
        s.added, s.removed, s.changed, s.unchanged, s.warnings
    )
}

fn gate_line(i: &Impact) -> Option<String> {
    let min = i.gate.fail_on_new?;
    Some(if i.gate.failing > 0 {
        format!(
            "gate: FAIL: {} added or more severe findings at or above {} (--fail-on-new)",
            i.gate.failing,
            min.as_str()
        )
    } else {
        format!(
            "gate: pass: no added or more severe finding at or above {} (--fail-on-new)",
            min.as_str()
        )
    })
}

/// JSON text: pretty, newline-terminated.
pub fn to_json(i: &Impact) -> String {
    serde_json::to_string_pretty(i).expect("impact serialises") + "\n"
}

/// The terminal view.
pub fn table(i: &Impact, w: &mut dyn Write) -> std::io::Result<()> {
    writeln!(w, "policy impact on {} (as_of {})", i.estate, i.as_of)?;
    for (label, side) in [("base", &i.base), ("head", &i.head)] {
        writeln!(
            w,
            "  {label}: {} ({} rules, {} findings)",
            side.policies, side.rules, side.findings
        )?;
    }
    if !i.rules_added.is_empty() {
        writeln!(w, "rules added: {}", i.rules_added.join(", "))?;
    }
    if !i.rules_removed.is_empty() {
        writeln!(w, "rules removed: {}", i.rules_removed.join(", "))?;
    }
    for c in &i.rules_changed {
        writeln!(w, "rule changed: {}: {}", c.rule, c.changes.join(", "))?;
    }
    for h in &i.helpers_changed {
        writeln!(w, "helper: {h}")?;
    }
    writeln!(w, "findings: {}", summary_line(i))?;
    if !i.by_rule_tenant.is_empty() {
        let mut b = tabled::builder::Builder::default();
        b.push_record(["rule", "tenant", "added", "removed", "changed", "warnings"]);
        for g in &i.by_rule_tenant {
            b.push_record([
                g.rule.clone(),
                g.tenant.clone(),
                g.added.to_string(),
                g.removed.to_string(),
                g.changed.to_string(),
                g.warnings.to_string(),
            ]);
        }
        let mut t = b.build();
        t.with(tabled::settings::Style::sharp());
        writeln!(w, "{t}")?;
    }
    let items = |w: &mut dyn Write, title: &str, sign: char, list: &[Item]| {
        if list.is_empty() {
            return Ok(());
        }
        writeln!(w, "{title} ({}):", list.len())?;
        for f in list.iter().take(TABLE_LISTED) {
            writeln!(
                w,
                "  {sign} {:<8} {:<9} {:<10} {}: {}{}",
                f.severity.as_str(),
                f.rule,
                f.tenant,
                who(&f.subject, f.name.as_ref()),
                f.message,
                flags(f.waived, f.warning, f.effective_on.as_ref())
            )?;
        }
        more(w, list.len())
    };
    items(w, "added", '+', &i.added)?;
    items(w, "removed", '-', &i.removed)?;
    if !i.changed.is_empty() {
        writeln!(w, "changed ({}):", i.changed.len())?;
        for c in i.changed.iter().take(TABLE_LISTED) {
            writeln!(
                w,
                "  ~ {:<8} {:<9} {:<10} {}: {}{}",
                c.severity_head.as_str(),
                c.rule,
                c.tenant,
                who(&c.subject, c.name.as_ref()),
                change_text(c),
                flags(c.waived, c.warning && c.escalated(), None)
            )?;
        }
        more(w, i.changed.len())?;
    }
    if !i.verdicts_changed.is_empty() {
        writeln!(w, "verdicts changed ({}):", i.verdicts_changed.len())?;
        for v in i.verdicts_changed.iter().take(TABLE_LISTED) {
            writeln!(
                w,
                "  {:<10} {:<9} {} → {}",
                v.tenant,
                v.rule,
                verdict(v.base),
                verdict(v.head)
            )?;
        }
        more(w, i.verdicts_changed.len())?;
    }
    if !i.tenants_not_audited.is_empty() {
        writeln!(
            w,
            "not audited (not compared): {}",
            i.tenants_not_audited.join(", ")
        )?;
    }
    if let Some(g) = gate_line(i) {
        writeln!(w, "{g}")?;
    }
    Ok(())
}

fn more(w: &mut dyn Write, n: usize) -> std::io::Result<()> {
    if n > TABLE_LISTED {
        writeln!(
            w,
            "  … and {} more (--format json lists all)",
            n - TABLE_LISTED
        )?;
    }
    Ok(())
}

fn verdict(v: Option<crate::report::Verdict>) -> String {
    v.map(|v| {
        serde_json::to_value(v)
            .ok()
            .and_then(|s| s.as_str().map(str::to_string))
            .unwrap_or_default()
    })
    .unwrap_or_else(|| "—".into())
}

/// Markdown with a length budget (bytes, never fewer than characters).
struct Doc {
    text: String,
}

impl Doc {
    fn line(&mut self, s: &str) {
        self.text.push_str(s);
        self.text.push('\n');
    }
    fn try_line(&mut self, s: &str) -> bool {
        if self.text.len() + s.len() + 1 + RESERVE >= MAX_CHARS {
            return false;
        }
        self.line(s);
        true
    }
}

/// Rows of one section until the budget runs out; a last line counts the rest.
fn rows(doc: &mut Doc, header: &str, rows: impl ExactSizeIterator<Item = String>) {
    let total = rows.len();
    if !header.is_empty() {
        doc.line(header);
    }
    let mut shown = 0;
    for row in rows {
        if !doc.try_line(&row) {
            break;
        }
        shown += 1;
    }
    if shown < total {
        doc.line(&format!(
            "\n… and {} more (see `--format json`)",
            total - shown
        ));
    }
    doc.line("");
}

fn md_who(subject: &str, name: Option<&String>) -> String {
    escape(&who(subject, name))
}

/// The PR-comment view; always under [`MAX_CHARS`].
pub fn markdown_string(i: &Impact) -> String {
    let mut doc = Doc {
        text: String::new(),
    };
    doc.line("## driftgate policy impact");
    doc.line("");
    doc.line(&format!(
        "Estate **{}**, as_of `{}`",
        escape(&i.estate),
        i.as_of
    ));
    doc.line("");
    doc.line("| | policies | rules | findings |");
    doc.line("|---|---|--:|--:|");
    for (label, side) in [("base", &i.base), ("head", &i.head)] {
        doc.line(&format!(
            "| {label} | {} | {} | {} |",
            escape(&side.policies),
            side.rules,
            side.findings
        ));
    }
    doc.line("");
    doc.line(&format!("**Findings: {}**", summary_line(i)));
    doc.line("");
    if let Some(g) = gate_line(i) {
        doc.line(&format!("**{}**", escape(&g)));
        doc.line("");
    }
    let mut rule_lines: Vec<String> = Vec::new();
    if !i.rules_added.is_empty() {
        rule_lines.push(format!("- added: {}", escape(&i.rules_added.join(", "))));
    }
    if !i.rules_removed.is_empty() {
        rule_lines.push(format!(
            "- removed: {}",
            escape(&i.rules_removed.join(", "))
        ));
    }
    for c in &i.rules_changed {
        rule_lines.push(format!(
            "- {}: {}",
            escape(&c.rule),
            escape(&c.changes.join(", "))
        ));
    }
    for h in &i.helpers_changed {
        rule_lines.push(format!("- helper {}", escape(h)));
    }
    if !rule_lines.is_empty() {
        doc.line("### Policy changes");
        doc.line("");
        rows(&mut doc, "", rule_lines.into_iter());
    }
    if !i.by_rule_tenant.is_empty() {
        doc.line("### By rule and tenant");
        doc.line("");
        rows(
            &mut doc,
            "| rule | tenant | added | removed | changed | warnings |\n|---|---|--:|--:|--:|--:|",
            i.by_rule_tenant.iter().map(|g| {
                format!(
                    "| {} | {} | {} | {} | {} | {} |",
                    escape(&g.rule),
                    escape(&g.tenant),
                    g.added,
                    g.removed,
                    g.changed,
                    g.warnings
                )
            }),
        );
    }
    for (title, list) in [("Added", &i.added), ("Removed", &i.removed)] {
        if list.is_empty() {
            continue;
        }
        doc.line(&format!("### {title} ({})", list.len()));
        doc.line("");
        rows(
            &mut doc,
            "| severity | rule | tenant | subject | message |\n|---|---|---|---|---|",
            list.iter().map(|f| {
                format!(
                    "| {} | {} | {} | {} | {}{} |",
                    f.severity.as_str(),
                    escape(&f.rule),
                    escape(&f.tenant),
                    md_who(&f.subject, f.name.as_ref()),
                    escape(&f.message),
                    escape(&flags(f.waived, f.warning, f.effective_on.as_ref()))
                )
            }),
        );
    }
    if !i.changed.is_empty() {
        doc.line(&format!("### Changed ({})", i.changed.len()));
        doc.line("");
        rows(
            &mut doc,
            "| severity | rule | tenant | subject | change |\n|---|---|---|---|---|",
            i.changed.iter().map(|c| {
                format!(
                    "| {} | {} | {} | {} | {}{} |",
                    c.severity_head.as_str(),
                    escape(&c.rule),
                    escape(&c.tenant),
                    md_who(&c.subject, c.name.as_ref()),
                    escape(&change_text(c)),
                    escape(&flags(c.waived, c.warning && c.escalated(), None))
                )
            }),
        );
    }
    if !i.verdicts_changed.is_empty() {
        doc.line(&format!(
            "### Verdicts changed ({})",
            i.verdicts_changed.len()
        ));
        doc.line("");
        rows(
            &mut doc,
            "| tenant | rule | base | head |\n|---|---|---|---|",
            i.verdicts_changed.iter().map(|v| {
                format!(
                    "| {} | {} | {} | {} |",
                    escape(&v.tenant),
                    escape(&v.rule),
                    verdict(v.base),
                    verdict(v.head)
                )
            }),
        );
    }
    if !i.tenants_not_audited.is_empty() {
        doc.line(&format!(
            "Not audited, not compared: {}",
            escape(&i.tenants_not_audited.join(", "))
        ));
    }
    doc.text
}

pub fn markdown(i: &Impact, w: &mut dyn Write) -> std::io::Result<()> {
    w.write_all(markdown_string(i).as_bytes())
}
