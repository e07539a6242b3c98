//! Reading worksheets: every `*.csv` below the estate's `reviews/`, each tenant folder's
//! `reviews/`, and `audit --review FILE`, read once per run. Parses only: a header without a
//! required column rejects the worksheet (the problem is kept for its tenants); rows are
//! validated per tenant by [`super::evidence`].

use super::evidence::{Level, Problem};
use crate::estate::{ConfigError, Estate};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Columns a completed worksheet must have (`tenant` too, except in a tenant folder).
pub const REQUIRED: &[&str] = &["item_id", "holder", "decision", "reviewer", "reviewed_at"];

/// One data row, cells as written (CSV-injection guard `'` removed).
#[derive(Debug, Clone)]
pub(super) struct RawRow {
    pub(super) line: u64,
    pub(super) record: u64,
    pub(super) cells: HashMap<String, String>,
}

/// A worksheet as read from disk.
#[derive(Debug, Clone)]
pub struct Worksheet {
    /// Relative to the estate root when below it, else as given.
    pub file: String,
    /// The tenant whose folder holds it; none for the estate's `reviews/` and `--review`.
    pub(super) folder_tenant: Option<String>,
    /// Why the worksheet was rejected whole (bad header, unreadable CSV).
    pub(super) rejected: Option<Problem>,
    pub(super) has_tenant_column: bool,
    /// A rejected worksheet's tenants (lower-cased `tenant` cells), so its problem reaches them.
    pub(super) rejected_tenants: BTreeSet<String>,
    pub(super) rows: Vec<RawRow>,
}

fn shown(estate: &Estate, p: &Path) -> String {
    p.strip_prefix(&estate.root)
        .unwrap_or(p)
        .display()
        .to_string()
        .replace('\\', "/")
}

fn csv_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            csv_files(&p, out);
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
            out.push(p);
        }
    }
}

/// Read every worksheet: the estate's `reviews/`, each tenant folder's `reviews/`, then `extra`
/// (`audit --review`). A `--review` file that cannot be read is an error naming it.
pub fn read_worksheets(estate: &Estate, extra: &[PathBuf]) -> Result<Vec<Worksheet>, ConfigError> {
    let mut out = Vec::new();
    let mut files = Vec::new();
    csv_files(&estate.root.join("reviews"), &mut files);
    for f in files {
        out.push(read(&f, shown(estate, &f), None));
    }
    for t in &estate.tenants {
        if t.dir == estate.root {
            continue;
        }
        let mut files = Vec::new();
        csv_files(&t.dir.join("reviews"), &mut files);
        for f in files {
            out.push(read(&f, shown(estate, &f), Some(t.id.clone())));
        }
    }
    for f in extra {
        if !f.is_file() {
            return Err(ConfigError {
                file: f.display().to_string(),
                line: None,
                key: Some("--review".into()),
                message: "no such worksheet file".into(),
            });
        }
        let abs = f.canonicalize().unwrap_or_else(|_| f.clone());
        let root = estate
            .root
            .canonicalize()
            .unwrap_or_else(|_| estate.root.clone());
        let name = abs
            .strip_prefix(&root)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| f.display().to_string());
        if out.iter().any(|w: &Worksheet| w.file == name) {
            continue; // already read from the estate's reviews/ folders
        }
        out.push(read(f, name, None));
    }
    Ok(out)
}

/// Undo the CSV-injection guard that `driftgate review` (and findings.csv) put on a cell.
fn unguard(s: &str) -> String {
    let t = s.trim();
    match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => t.to_string(),
    }
}

fn read(path: &Path, file: String, folder_tenant: Option<String>) -> Worksheet {
    let mut ws = Worksheet {
        file: file.clone(),
        folder_tenant,
        rejected: None,
        has_tenant_column: false,
        rejected_tenants: BTreeSet::new(),
        rows: Vec::new(),
    };
    let reject = |message: String, line: Option<u64>| Problem {
        level: Level::Error,
        file: file.clone(),
        line,
        field: None,
        message,
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            ws.rejected = Some(reject(format!("cannot read the worksheet: {e}"), None));
            return ws;
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match r.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
        Err(e) => {
            ws.rejected = Some(reject(format!("not a CSV file: {e}"), Some(1)));
            return ws;
        }
    };
    ws.has_tenant_column = header.iter().any(|h| h == "tenant");
    let mut missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !header.iter().any(|h| h == c))
        .collect();
    if ws.folder_tenant.is_none() && !ws.has_tenant_column {
        missing.push("tenant");
    }
    if !missing.is_empty() {
        if let Some(col) = header.iter().position(|h| h == "tenant") {
            ws.rejected_tenants = r
                .records()
                .flatten()
                .filter_map(|rec| rec.get(col).map(|t| t.trim().to_ascii_lowercase()))
                .collect();
        }
        ws.rejected = Some(Problem {
            field: Some(missing.join(", ")),
            ..reject(
                format!(
                    "header lacks column(s) {}: the worksheet is not read (columns: {})",
                    missing.join(", "),
                    header.join(", ")
                ),
                Some(1),
            )
        });
        return ws;
    }
    for (n, rec) in r.records().enumerate() {
        match rec {
            Ok(rec) => {
                let line = rec.position().map(|p| p.line()).unwrap_or(n as u64 + 2);
                let cells = header
                    .iter()
                    .zip(rec.iter())
                    .map(|(h, c)| (h.clone(), unguard(c)))
                    .collect();
                ws.rows.push(RawRow {
                    line,
                    record: n as u64 + 1,
                    cells,
                });
            }
            Err(e) => {
                let line = e.position().map(|p| p.line());
                ws.rejected = Some(reject(format!("not a CSV file: {e}"), line));
                ws.rejected_tenants = ws
                    .rows
                    .iter()
                    .filter_map(|r| r.cells.get("tenant").map(|t| t.to_ascii_lowercase()))
                    .collect();
                ws.rows.clear();
                return ws;
            }
        }
    }
    ws
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_injection_guard_is_undone_only_where_it_was_added() {
        assert_eq!(unguard(" '=SUM(A1) "), "=SUM(A1)");
        assert_eq!(unguard("'-5"), "-5");
        assert_eq!(unguard("'quoted'"), "'quoted'");
        assert_eq!(unguard("o'brien"), "o'brien");
    }
}
