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

/// A self-contained page (no script, nothing fetched), every value escaped: the counts by kind
/// and by suggested decision, then one row per entitlement with what a reviewer decides on first
/// (the suggestion and its reason, holder, what) and the identifiers beneath.
pub fn html(c: &Campaign, rows: &[Row]) -> String {
    use std::collections::BTreeMap;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"><title>Access review {} — {}</title>",
        escape(c.id),
        escape(c.tenant)
    );
    o.push_str("<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:1300px;padding:0 1em}table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #d0d7de;padding:4px 7px;text-align:left;vertical-align:top}th{background:#f3f5f7}.revoke{color:#b42318;font-weight:600}.modify{color:#9a6700;font-weight:600}.keep{color:#1a7f37}.meta{color:#57606a;font-size:.9em}td.n{text-align:right}@media print{body{max-width:none;font-size:11px}tr{break-inside:avoid}}</style></head><body>\n");
    let _ = writeln!(
        o,
        "<h1>Access review {} — {} <span class=meta>({})</span></h1>",
        escape(c.id),
        escape(c.tenant),
        escape(c.tenant_name)
    );
    let _ = writeln!(
        o,
        "<p class=meta>As of {}. {} entitlements. Record each decision (<code>keep</code>, <code>revoke</code> or <code>modify</code>), the reviewer, the date (YYYY-MM-DD) and a comment in <code>{}</code>, then put it in the estate's <code>reviews/</code> folder or pass it to <code>driftgate audit --review</code>. Rows are matched by <code>item_id</code>.</p>",
        escape(c.as_of),
        rows.len(),
        escape(c.csv_name)
    );
    let mut kinds: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for r in rows {
        *kinds
            .entry(r.kind.as_str())
            .or_default()
            .entry(r.suggested_decision.as_str())
            .or_default() += 1;
    }
    o.push_str("<table><tr><th>kind</th><th>entitlements</th><th>suggested revoke</th><th>suggested modify</th><th>suggested keep</th></tr>\n");
    for (kind, by) in &kinds {
        let n = |d: &str| by.get(d).copied().unwrap_or(0);
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            escape(kind),
            by.values().sum::<usize>(),
            n("revoke"),
            n("modify"),
            n("keep")
        );
    }
    o.push_str("</table>\n<table><tr><th>suggested</th><th>kind</th><th>holder</th><th>what</th><th>source</th><th>last activity</th><th>findings</th><th>item</th></tr>\n");
    for r in rows {
        let _ = writeln!(
            o,
            "<tr><td><span class={d}>{d}</span><br><span class=meta>{}</span></td><td>{}</td><td>{}<br><span class=meta>{}</span></td><td>{}<br><span class=meta>{}</span></td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            escape(&r.suggestion_reason),
            escape(&r.kind),
            escape(&r.holder),
            escape(&r.holder_ref),
            escape(&r.what),
            escape(&r.key),
            escape(&r.source),
            escape(&r.last_activity),
            escape(&r.findings),
            escape(&r.item_id),
            d = escape(&r.suggested_decision)
        );
    }
    o.push_str("</table>\n</body></html>\n");
    o
}
