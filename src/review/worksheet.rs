//! The worksheet of one tenant in a campaign: CSV (filled in by the reviewer, read back as
//! evidence) and a read-only HTML page. Renders only; the rows are built by [`super::cli`].

use crate::report::csv::safe_cell;
use crate::report::html::escape;
use std::fmt::Write as _;
use std::io::Write;

/// Worksheet columns, in order. The last four are for the reviewer to fill in.
pub const COLUMNS: &[&str] = &[
    "item_id",
    "tenant",
    "kind",
    "holder",
    "holder_ref",
    "what",
    "key",
    "source",
    "last_activity",
    "findings",
    "suggested_decision",
    "suggestion_reason",
    "decision",
    "reviewer",
    "reviewed_at",
    "comment",
];

/// One worksheet row, as written.
#[derive(Debug, Clone)]
pub struct Row {
    pub item_id: String,
    pub tenant: String,
    pub kind: String,
    pub holder: String,
    pub holder_ref: String,
    pub what: String,
    pub key: String,
    pub source: String,
    pub last_activity: String,
    /// Rule ids of the current findings on the item, `; `-separated.
    pub findings: String,
    pub suggested_decision: String,
    pub suggestion_reason: String,
}

impl Row {
    fn cells(&self) -> [&str; 12] {
        [
            &self.item_id,
            &self.tenant,
            &self.kind,
            &self.holder,
            &self.holder_ref,
            &self.what,
            &self.key,
            &self.source,
            &self.last_activity,
            &self.findings,
            &self.suggested_decision,
            &self.suggestion_reason,
        ]
    }
}

/// The CSV: every cell neutralised against spreadsheet formulas; decision columns empty.
pub fn csv(rows: &[Row], out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(COLUMNS)?;
    for r in rows {
        let mut cells: Vec<String> = r.cells().iter().map(|c| safe_cell(c)).collect();
        cells.extend(std::iter::repeat_n(String::new(), 4));
        w.write_record(&cells)?;
    }
    w.flush()
}

/// Campaign facts shown on the HTML page.
pub struct Campaign<'a> {
    pub id: &'a str,
    pub as_of: &'a str,
    pub tenant: &'a str,
    pub tenant_name: &'a str,
    pub csv_name: &'a str,
}

/// A self-contained page (no script, nothing fetched), every value escaped.
pub fn html(c: &Campaign, rows: &[Row]) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8><title>Access review {} — {}</title>",
        escape(c.id),
        escape(c.tenant)
    );
    o.push_str("<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}th{background:#eee}.revoke{color:#a00;font-weight:bold}.modify{color:#a60;font-weight:bold}.meta{color:#555}</style></head><body>\n");
    let _ = writeln!(
        o,
        "<h1>Access review {} — {} <span class=meta>({})</span></h1>",
        escape(c.id),
        escape(c.tenant),
        escape(c.tenant_name)
    );
    let _ = writeln!(
        o,
        "<p class=meta>As of {}. {} entitlements. Record each decision (<code>keep</code>, <code>revoke</code> or <code>modify</code>), the reviewer, the date (YYYY-MM-DD) and a comment in <code>{}</code>, then put it in the estate's <code>reviews/</code> folder or pass it to <code>driftgate audit --review</code>.</p>",
        escape(c.as_of),
        rows.len(),
        escape(c.csv_name)
    );
    o.push_str("<table><tr>");
    for col in &COLUMNS[..12] {
        let _ = write!(o, "<th>{}</th>", escape(col));
    }
    o.push_str("</tr>\n");
    for r in rows {
        o.push_str("<tr>");
        for (n, cell) in r.cells().iter().enumerate() {
            if n == 10 {
                let _ = write!(o, "<td class={}>{}</td>", escape(cell), escape(cell));
            } else {
                let _ = write!(o, "<td>{}</td>", escape(cell));
            }
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</table>\n</body></html>\n");
    o
}
