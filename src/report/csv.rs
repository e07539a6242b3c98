//! findings.csv: one row per finding, for auditors' spreadsheets.
//!
//! Cells that a spreadsheet would run as a formula (`= + - @`, tab, CR) are neutralised with a
//! leading `'` (OWASP CSV injection guidance). Renders only.

use super::Report;
use std::io::Write;

pub const HEADER: &[&str] = &[
    "fingerprint",
    "tenant",
    "rule",
    "severity",
    "title",
    "subject_ref",
    "subject_principal_name",
    "subject_display_name",
    "subject_kind",
    "source",
    "message",
    "evidence",
    "provenance",
    "controls",
    "remediation",
    "waiver",
    "waiver_reason",
    "waiver_owner",
    "waiver_approver",
    "waiver_ticket",
    "waiver_expires",
];

/// Neutralise a cell a spreadsheet would evaluate.
pub fn safe_cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(HEADER)?;
    for f in &report.findings {
        let provenance = f
            .provenance
            .iter()
            .map(|p| format!("{}:{}", p.source, p.locator()))
            .collect::<Vec<_>>()
            .join("; ");
        let controls = f
            .controls
            .iter()
            .map(|(fw, ids)| format!("{fw}: {}", ids.join(", ")))
            .collect::<Vec<_>>()
            .join("; ");
        let waiver = f.waived.as_deref();
        let row = [
            f.fingerprint.as_str(),
            &f.tenant,
            &f.rule,
            f.severity.as_str(),
            &f.title,
            &f.subject.reference,
            f.subject.principal_name.as_deref().unwrap_or(""),
            f.subject.display_name.as_deref().unwrap_or(""),
            f.subject.kind.as_deref().unwrap_or(""),
            f.subject.source.as_deref().unwrap_or(""),
            &f.message,
            &serde_json::to_string(&f.evidence).unwrap_or_default(),
            &provenance,
            &controls,
            &f.remediation,
            waiver.map_or("", |w| w.declared.as_str()),
            waiver.map_or("", |w| w.reason.as_str()),
            waiver.map_or("", |w| w.owner.as_str()),
            waiver.map_or("", |w| w.approver.as_str()),
            waiver.and_then(|w| w.ticket.as_deref()).unwrap_or(""),
            waiver.and_then(|w| w.expires.as_deref()).unwrap_or(""),
        ];
        w.write_record(row.iter().map(|c| safe_cell(c)))?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        for bad in ["=cmd|'/C calc'!A0", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(safe_cell(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(safe_cell("alice@contoso.com"), "alice@contoso.com");
    }

    #[test]
    fn waived_findings_name_their_waiver_in_the_last_columns() {
        let mut out = Vec::new();
        render(&crate::report::sample::sample(), &mut out).unwrap();
        let mut rows = csv::Reader::from_reader(&out[..]);
        assert_eq!(rows.headers().unwrap().len(), HEADER.len());
        let waiver = HEADER.iter().position(|h| *h == "waiver").unwrap();
        let cells: Vec<Vec<String>> = rows
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        let waived: Vec<&Vec<String>> = cells.iter().filter(|c| !c[waiver].is_empty()).collect();
        assert_eq!(waived.len(), 1);
        assert_eq!(
            waived[0][waiver..],
            [
                "tenants/u/tenant.toml:9",
                "kept for <legal> hold & audit",
                "ops@msp.example",
                "ciso@msp.example",
                "CHG-7",
                "2026-12-31"
            ]
        );
    }
}
