//! Completed worksheets as evidence: once every worksheet is read ([`super::read`]), validate
//! each tenant's rows against its current inventory into the facts REVIEW-001/002 read
//! (`input.tenant.access_review`) and the tenant's review coverage.
//!
//! Nothing doubtful is applied: an unknown decision, a missing reviewer, a bad or future
//! `reviewed_at`, conflicting duplicates and a changed holder are problems (file, line, field)
//! and the row does not count. A worksheet with a header that lacks a required column is
//! rejected whole; only review evidence is affected, never the rest of the audit.

use super::inventory::Item;
use super::read::Worksheet;
use crate::estate::TenantConfig;
use crate::model::Provenance;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// `error`: the row (or worksheet) does not count; `warning`: counted, or nothing to count.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Error,
    Warning,
}

/// A problem in a worksheet, located by file, line and column.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub level: Level,
    pub file: String,
    pub line: Option<u64>,
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        write!(f, "access review {level}: {}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(field) = &self.field {
            write!(f, " [{field}]")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The latest valid review of an item.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LastReview {
    /// `keep`, `revoke` or `modify`.
    pub decision: String,
    pub reviewer: String,
    /// YYYY-MM-DD.
    pub reviewed_at: String,
    /// Whole days from `reviewed_at` to as_of.
    pub days_ago: i64,
    pub comment: Option<String>,
    pub file: String,
    pub line: u64,
    /// The worksheet row (`source` is `review`).
    pub prov: Provenance,
}

/// One entitlement as REVIEW-001/002 see it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ItemFacts {
    pub item_id: String,
    #[serde(rename = "ref")]
    pub reference: String,
    /// `privileged_role`, `delegated_access`, `technician_account` or `nhi_credential`.
    pub kind: String,
    pub key: String,
    pub label: String,
    pub holder: String,
    pub privileged: bool,
    /// Still in the exports. False: only a worksheet row names it (it was removed since).
    pub exists: bool,
    /// Usable now (holder enabled, credential live, relationship active); null when unknown.
    pub enabled: Option<bool>,
    /// Null: never reviewed (or no review that counts).
    pub last_review: Option<LastReview>,
    /// The export record; null when the item no longer exists.
    pub prov: Option<Provenance>,
}

/// `input.tenant.access_review`.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct AccessReviewFacts {
    /// At least one decided, valid worksheet row names this tenant. False: REVIEW-002 is not
    /// evaluable, and `items` is empty.
    pub recorded: bool,
    /// The worksheets holding this tenant's rows.
    pub worksheets: Vec<String>,
    /// Current entitlements, then those only a worksheet names (`exists` false).
    pub items: Vec<ItemFacts>,
}

impl AccessReviewFacts {
    /// A value with one item and a review, so that the lint knows every field.
    pub fn probe() -> AccessReviewFacts {
        let prov = Provenance {
            source: "s".into(),
            file: "f".into(),
            record: 1,
            line: Some(1),
        };
        AccessReviewFacts {
            recorded: true,
            worksheets: vec![String::new()],
            items: vec![ItemFacts {
                item_id: String::new(),
                reference: String::new(),
                kind: String::new(),
                key: String::new(),
                label: String::new(),
                holder: String::new(),
                privileged: false,
                exists: true,
                enabled: None,
                last_review: Some(LastReview {
                    decision: String::new(),
                    reviewer: String::new(),
                    reviewed_at: String::new(),
                    days_ago: 0,
                    comment: Some(String::new()),
                    file: String::new(),
                    line: 1,
                    prov: prov.clone(),
                }),
                prov: Some(prov),
            }],
        }
    }
}

/// A tenant's review coverage (`tenants[].review` in report.json).
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Coverage {
    /// Completed review evidence exists for the tenant.
    pub recorded: bool,
    pub worksheets: Vec<String>,
    /// `review_interval_days` for this tenant.
    pub interval_days: i64,
    /// Current reviewable entitlements.
    pub items: usize,
    /// Of them, reviewed within `interval_days` (a review that counts).
    pub reviewed: usize,
    /// `reviewed / items`, null when there are no items.
    pub share: Option<f64>,
    /// Current items by kind: `[items, reviewed]`.
    pub by_kind: BTreeMap<String, [usize; 2]>,
    /// The latest decision on each current item, counted.
    pub decisions: BTreeMap<String, usize>,
    /// Items marked `revoke` that are gone from the exports: revocations carried out.
    pub revocations_carried_out: usize,
    /// Problems found in this tenant's worksheet rows.
    pub problems: Vec<Problem>,
}

/// What one tenant's review evidence yields.
pub struct TenantEvidence {
    pub facts: AccessReviewFacts,
    pub coverage: Coverage,
}

/// A decided row that passed validation.
#[derive(Debug, Clone)]
struct Valid {
    item_id: String,
    holder: String,
    what: Option<String>,
    kind: Option<String>,
    reference: Option<String>,
    decision: &'static str,
    reviewer: String,
    date: NaiveDate,
    comment: Option<String>,
    file: String,
    line: u64,
    record: u64,
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().or_else(|| {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc).date_naive())
    })
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Validate the rows naming `tenant` and join them to its inventory.
pub fn tenant_evidence(
    worksheets: &[Worksheet],
    tenant: &TenantConfig,
    items: &[Item],
    as_of: DateTime<Utc>,
    interval_days: i64,
) -> TenantEvidence {
    let mut problems = Vec::new();
    let mut files = BTreeSet::new();
    let mut valid: Vec<Valid> = Vec::new();
    let today = as_of.date_naive();
    for ws in worksheets {
        let mine = ws.folder_tenant.as_deref() == Some(tenant.id.as_str());
        if let Some(p) = &ws.rejected {
            // Reported to the tenants its rows name; without a tenant column, to everyone.
            let named = ws
                .rejected_tenants
                .contains(&tenant.id.to_ascii_lowercase());
            if mine || (ws.folder_tenant.is_none() && (named || !ws.has_tenant_column)) {
                problems.push(p.clone());
            }
            continue;
        }
        for row in &ws.rows {
            let cell = |k: &str| {
                row.cells
                    .get(k)
                    .map(String::as_str)
                    .filter(|s| !s.is_empty())
            };
            let problem = |level: Level, field: &str, message: String| Problem {
                level,
                file: ws.file.clone(),
                line: Some(row.line),
                field: Some(field.into()),
                message,
            };
            let row_tenant = cell("tenant");
            match (&ws.folder_tenant, row_tenant) {
                (Some(folder), Some(t)) if !t.eq_ignore_ascii_case(folder) => {
                    if mine {
                        problems.push(problem(
                            Level::Error,
                            "tenant",
                            format!("names tenant `{t}`, but the worksheet is in {folder}'s folder: not read"),
                        ));
                    }
                    continue;
                }
                (Some(_), _) if !mine => continue,
                (None, Some(t)) if !t.eq_ignore_ascii_case(&tenant.id) => continue,
                (None, None) => continue,
                _ => {}
            }
            files.insert(ws.file.clone());
            let Some(decision) = cell("decision") else {
                continue; // blank: not reviewed
            };
            let decision = match decision.to_ascii_lowercase().as_str() {
                "keep" => "keep",
                "revoke" => "revoke",
                "modify" => "modify",
                _ => {
                    problems.push(problem(
                        Level::Error,
                        "decision",
                        format!("unknown decision `{decision}` (keep, revoke or modify; blank: not reviewed): the row does not count"),
                    ));
                    continue;
                }
            };
            let Some(item_id) = cell("item_id") else {
                problems.push(problem(
                    Level::Error,
                    "item_id",
                    "decided row without an item_id: the row does not count".into(),
                ));
                continue;
            };
            let Some(reviewer) = cell("reviewer") else {
                problems.push(problem(
                    Level::Error,
                    "reviewer",
                    format!("decision `{decision}` without a reviewer: the row does not count"),
                ));
                continue;
            };
            let date = match cell("reviewed_at").map(|s| (s, parse_date(s))) {
                Some((_, Some(d))) if d <= today => d,
                Some((_, Some(d))) => {
                    problems.push(problem(
                        Level::Error,
                        "reviewed_at",
                        format!("reviewed_at {d} is after the audit's as_of {today}: the row does not count"),
                    ));
                    continue;
                }
                Some((s, None)) => {
                    problems.push(problem(
                        Level::Error,
                        "reviewed_at",
                        format!("`{s}` is not a date (YYYY-MM-DD): the row does not count"),
                    ));
                    continue;
                }
                None => {
                    problems.push(problem(
                        Level::Error,
                        "reviewed_at",
                        format!(
                            "decision `{decision}` without reviewed_at: the row does not count"
                        ),
                    ));
                    continue;
                }
            };
            valid.push(Valid {
                item_id: item_id.to_ascii_lowercase(),
                holder: cell("holder").unwrap_or_default().to_string(),
                what: cell("what").map(str::to_string),
                kind: cell("kind").map(str::to_string),
                reference: cell("holder_ref").map(str::to_string),
                decision,
                reviewer: reviewer.to_string(),
                date,
                comment: cell("comment").map(str::to_string),
                file: ws.file.clone(),
                line: row.line,
                record: row.record,
            });
        }
    }
    let recorded = !valid.is_empty();
    let by_id: HashMap<&str, &Item> = items.iter().map(|i| (i.item_id.as_str(), i)).collect();
    // Rows naming one item on one day: identical copies count once, conflicting ones not at all.
    let mut groups: BTreeMap<(String, NaiveDate), Vec<Valid>> = BTreeMap::new();
    for v in valid {
        groups
            .entry((v.item_id.clone(), v.date))
            .or_default()
            .push(v);
    }
    let mut latest: BTreeMap<String, Valid> = BTreeMap::new();
    for ((_, _), rows) in groups {
        let first = &rows[0];
        let same = |a: &Valid, b: &Valid| {
            a.decision == b.decision
                && norm(&a.reviewer) == norm(&b.reviewer)
                && norm(&a.holder) == norm(&b.holder)
                && a.comment.as_deref().map(norm) == b.comment.as_deref().map(norm)
        };
        if rows.iter().all(|r| same(r, first)) {
            for r in &rows[1..] {
                problems.push(Problem {
                    level: Level::Warning,
                    file: r.file.clone(),
                    line: Some(r.line),
                    field: Some("item_id".into()),
                    message: format!(
                        "duplicate of {}:{} (item {}): counted once",
                        first.file, first.line, first.item_id
                    ),
                });
            }
        } else {
            for r in &rows[1..] {
                problems.push(Problem {
                    level: Level::Error,
                    file: r.file.clone(),
                    line: Some(r.line),
                    field: Some("decision".into()),
                    message: format!(
                        "conflicts with {}:{} (item {}, {} by {} against {} by {}): neither row counts",
                        first.file, first.line, first.item_id, r.decision, r.reviewer,
                        first.decision, first.reviewer
                    ),
                });
            }
            continue;
        }
        let row = rows.into_iter().next().expect("a group has a row");
        if let Some(item) = by_id.get(row.item_id.as_str()) {
            if norm(&row.holder) != norm(&item.holder) {
                problems.push(Problem {
                    level: Level::Warning,
                    file: row.file.clone(),
                    line: Some(row.line),
                    field: Some("holder".into()),
                    message: format!(
                        "holder changed: reviewed for `{}`, now held by `{}` (item {}): the review does not count",
                        row.holder, item.holder, row.item_id
                    ),
                });
                continue;
            }
        }
        // The groups are sorted by date: a later review replaces an earlier one.
        latest.insert(row.item_id.clone(), row);
    }
    let review = |v: &Valid| LastReview {
        decision: v.decision.into(),
        reviewer: v.reviewer.clone(),
        reviewed_at: v.date.to_string(),
        days_ago: (today - v.date).num_days(),
        comment: v.comment.clone(),
        file: v.file.clone(),
        line: v.line,
        prov: Provenance {
            source: "review".into(),
            file: v.file.clone(),
            record: v.record,
            line: Some(v.line),
        },
    };
    let mut coverage = Coverage {
        recorded,
        worksheets: files.iter().cloned().collect(),
        interval_days,
        items: items.len(),
        ..Coverage::default()
    };
    for kind in super::inventory::ItemKind::ALL {
        coverage.by_kind.insert(kind.as_str().into(), [0, 0]);
    }
    let mut facts = Vec::with_capacity(if recorded { items.len() } else { 0 });
    for item in items {
        let last = latest.get(&item.item_id);
        let counts = last.is_some_and(|v| (today - v.date).num_days() <= interval_days);
        let slot = coverage
            .by_kind
            .entry(item.kind.as_str().into())
            .or_default();
        slot[0] += 1;
        if counts {
            slot[1] += 1;
            coverage.reviewed += 1;
        }
        if let Some(v) = last {
            *coverage.decisions.entry(v.decision.into()).or_default() += 1;
        }
        if recorded {
            facts.push(ItemFacts {
                item_id: item.item_id.clone(),
                reference: item.reference.clone(),
                kind: item.kind.as_str().into(),
                key: item.key.clone(),
                label: item.label.clone(),
                holder: item.holder.clone(),
                privileged: item.privileged,
                exists: true,
                enabled: item.enabled,
                last_review: last.map(review),
                prov: Some(item.prov.clone()),
            });
        }
    }
    for (id, v) in &latest {
        if by_id.contains_key(id.as_str()) {
            continue;
        }
        if v.decision == "revoke" {
            coverage.revocations_carried_out += 1;
        } else {
            problems.push(Problem {
                level: Level::Warning,
                file: v.file.clone(),
                line: Some(v.line),
                field: Some("item_id".into()),
                message: format!(
                    "item {id} ({}) no longer exists: the entitlement was removed or changed since the review",
                    v.what.as_deref().unwrap_or(&v.holder)
                ),
            });
        }
        facts.push(ItemFacts {
            item_id: id.clone(),
            reference: v.reference.clone().unwrap_or_default(),
            kind: v.kind.clone().unwrap_or_default(),
            key: String::new(),
            label: v.what.clone().unwrap_or_default(),
            holder: v.holder.clone(),
            privileged: false,
            exists: false,
            enabled: None,
            last_review: Some(review(v)),
            prov: None,
        });
    }
    coverage.share = (coverage.items > 0).then(|| coverage.reviewed as f64 / coverage.items as f64);
    problems.sort();
    problems.dedup();
    coverage.problems = problems;
    TenantEvidence {
        facts: AccessReviewFacts {
            recorded,
            worksheets: coverage.worksheets.clone(),
            items: facts,
        },
        coverage,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reviewed_at_takes_a_date_or_an_rfc3339_time() {
        let d = NaiveDate::from_ymd_opt(2026, 10, 15);
        assert_eq!(parse_date("2026-10-15"), d);
        assert_eq!(parse_date("2026-10-15T23:30:00+02:00"), d);
        assert_eq!(parse_date("15/10/2026"), None);
        assert_eq!(parse_date("2026-13-01"), None);
    }

    #[test]
    fn item_ids_are_short_stable_and_distinct() {
        use crate::review::inventory::{item_id, ItemKind};
        let a = item_id("contoso", "entra/1", ItemKind::PrivilegedRole, "r");
        assert_eq!(
            a,
            item_id("contoso", "entra/1", ItemKind::PrivilegedRole, "r")
        );
        assert_eq!(a.len(), 12);
        assert_ne!(
            a,
            item_id("fabrikam", "entra/1", ItemKind::PrivilegedRole, "r")
        );
        assert_ne!(
            a,
            item_id("contoso", "entra/1", ItemKind::NhiCredential, "r")
        );
        // The separator keeps `a|bc` and `ab|c` apart.
        assert_ne!(
            item_id("t", "a", ItemKind::NhiCredential, "bc"),
            item_id("t", "ab", ItemKind::NhiCredential, "c")
        );
    }
}
