//! Run-to-run drift: compare two run folders' report.json by finding fingerprint, per tenant.
//!
//! A finding is **new** (fingerprint only in the new run), **resolved** (only in the old run),
//! **regressed** (in both, and more severe now or no longer covered by a waiver) or **persisting**
//! (in both otherwise). A new finding a waiver covers is listed as new but does not fail the
//! gate. Beside
//! the findings: each tenant's drift score old → new and every tenant × rule verdict that changed.
//! report.json is the contract, so both runs are read back as JSON values; this module reads
//! files only in [`read_run`] and never looks at estates or policies.

use super::SCHEMA_VERSION;
use crate::policy::metadata::Severity;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;

/// The schema of `driftgate diff --format json` and of a run folder's diff.json.
pub const SCHEMA: &str = "driftgate.diff/v1";

/// Why a run could not be compared. Every message names the file (and field).
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("{path}: not a run folder (no report.json)")]
    NotRunFolder { path: String },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: invalid JSON: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
    #[error("{path}: field `{field}`: {why}")]
    Field {
        path: String,
        field: String,
        why: String,
    },
    #[error(
        "{path}: baseline run from an older schema version (`schema` is `{found}`, \
         this driftgate reads `{SCHEMA_VERSION}`); re-run the audit to compare"
    )]
    OlderSchema { path: String, found: String },
    #[error("{path}: field `schema`: `{found}` is not `{SCHEMA_VERSION}`")]
    OtherSchema { path: String, found: String },
}

/// One finding as the diff lists it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct FindingRef {
    pub rule: String,
    /// The subject's `ref`.
    pub subject: String,
    pub severity: Severity,
    pub fingerprint: String,
    /// A waiver in force covers it in this run.
    pub waived: bool,
}

/// A finding in both runs, more severe now or no longer waived.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Regressed {
    pub rule: String,
    pub subject: String,
    pub severity_old: Severity,
    pub severity_new: Severity,
    pub fingerprint: String,
    /// Waived in the old run, open in the new one (the waiver expired or was removed).
    pub waiver_lapsed: bool,
}

/// A tenant × rule verdict that differs; null where the rule or tenant is absent from a run.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct VerdictChange {
    pub rule: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// The facts of one run that a diff needs.
#[derive(Debug, Clone, Default)]
pub struct Run {
    /// The run folder's name (`run-<as_of>-<hash>`).
    pub run: String,
    pub as_of: String,
    tenants: BTreeMap<String, TenantSide>,
    /// The drift scores of the runs before this one, as its report.json carried them.
    trend: Vec<super::TrendPoint>,
}

impl Run {
    /// The drift-score history up to and including this run: what a run audited with this one
    /// as its `--baseline` carries in `report.json` (`trend`) and shows in the HTML report.
    pub fn trend(&self) -> Vec<super::TrendPoint> {
        let mut points = self.trend.clone();
        points.push(super::TrendPoint {
            run: self.run.clone(),
            as_of: self.as_of.clone(),
            scores: self
                .tenants
                .iter()
                .map(|(id, side)| (id.clone(), side.score))
                .collect(),
        });
        points
    }
}

#[derive(Debug, Clone, Default)]
struct TenantSide {
    score: Option<u64>,
    verdicts: BTreeMap<String, String>,
    findings: BTreeMap<String, FindingRef>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunRef {
    pub run: String,
    pub as_of: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TenantDiff {
    pub tenant: String,
    pub score_old: Option<u64>,
    pub score_new: Option<u64>,
    /// `score_new - score_old`; null when either is null.
    pub score_delta: Option<i64>,
    pub new: Vec<FindingRef>,
    pub resolved: Vec<FindingRef>,
    pub persisting: usize,
    pub regressed: Vec<Regressed>,
    pub verdicts_changed: Vec<VerdictChange>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Totals {
    pub new: usize,
    pub resolved: usize,
    pub persisting: usize,
    pub regressed: usize,
    pub verdicts_changed: usize,
}

/// `driftgate.diff/v1`: tenants sorted by id, findings by rule, subject and fingerprint.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Diff {
    pub schema: &'static str,
    pub old: RunRef,
    pub new: RunRef,
    pub tenants: Vec<TenantDiff>,
    pub totals: Totals,
}

/// Read a run folder (or its report.json path) and check its schema.
pub fn read_run(path: &Path) -> Result<Run, DiffError> {
    let (dir, file) = if path.is_dir() {
        (path.to_path_buf(), path.join("report.json"))
    } else {
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        (dir, path.to_path_buf())
    };
    if !file.is_file() {
        return Err(DiffError::NotRunFolder {
            path: path.display().to_string(),
        });
    }
    let shown = file.display().to_string();
    let text = std::fs::read(&file).map_err(|source| DiffError::Read {
        path: shown.clone(),
        source,
    })?;
    let value: Value = serde_json::from_slice(&text).map_err(|source| DiffError::Json {
        path: shown.clone(),
        source,
    })?;
    let name = std::fs::canonicalize(&dir)
        .unwrap_or(dir)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse_run(name, &shown, &value)
}

/// Validate a report.json value into the facts a diff needs; `path` names it in errors.
pub fn parse_run(run: String, path: &str, report: &Value) -> Result<Run, DiffError> {
    let field = |field: &str, why: &str| DiffError::Field {
        path: path.into(),
        field: field.into(),
        why: why.into(),
    };
    let schema = report
        .get("schema")
        .and_then(Value::as_str)
        .ok_or_else(|| field("schema", "missing or not a string"))?;
    if schema != SCHEMA_VERSION {
        let older = schema
            .strip_prefix("driftgate.report/v")
            .and_then(|v| v.parse::<u32>().ok())
            .is_some_and(|v| v < 1);
        return Err(if older {
            DiffError::OlderSchema {
                path: path.into(),
                found: schema.into(),
            }
        } else {
            DiffError::OtherSchema {
                path: path.into(),
                found: schema.into(),
            }
        });
    }
    let as_of = report
        .pointer("/run/as_of")
        .and_then(Value::as_str)
        .ok_or_else(|| field("run.as_of", "missing or not a string"))?
        .to_string();
    let mut tenants: BTreeMap<String, TenantSide> = BTreeMap::new();
    let list = |name: &str| {
        report
            .get(name)
            .and_then(Value::as_array)
            .ok_or_else(|| field(name, "missing or not an array"))
    };
    for (i, t) in list("tenants")?.iter().enumerate() {
        let id = t
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| field(&format!("tenants[{i}].id"), "missing or not a string"))?;
        let side = tenants.entry(id.into()).or_default();
        side.score = t.pointer("/drift/score").and_then(Value::as_u64);
        for (j, r) in t
            .get("rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let (Some(rule), Some(verdict)) = (
                r.get("rule").and_then(Value::as_str),
                r.get("verdict").and_then(Value::as_str),
            ) else {
                return Err(field(
                    &format!("tenants[{i}].rules[{j}]"),
                    "needs string `rule` and `verdict`",
                ));
            };
            side.verdicts.insert(rule.into(), verdict.into());
        }
    }
    for (i, f) in list("findings")?.iter().enumerate() {
        let text = |key: &str| {
            f.pointer(key).and_then(Value::as_str).ok_or_else(|| {
                field(
                    &format!("findings[{i}]{}", key.replace('/', ".")),
                    "missing or not a string",
                )
            })
        };
        let severity = Severity::parse(text("/severity")?)
            .ok_or_else(|| field(&format!("findings[{i}].severity"), "not a severity"))?;
        let finding = FindingRef {
            rule: text("/rule")?.into(),
            subject: text("/subject/ref")?.into(),
            severity,
            fingerprint: text("/fingerprint")?.into(),
            waived: f.get("waived").is_some_and(|w| !w.is_null()),
        };
        tenants
            .entry(text("/tenant")?.into())
            .or_default()
            .findings
            .insert(finding.fingerprint.clone(), finding);
    }
    let trend = match report.get("trend") {
        None | Some(Value::Null) => Vec::new(),
        Some(t) => serde_json::from_value(t.clone()).map_err(|e| {
            field(
                "trend",
                &format!("not a list of {{run, as_of, scores}} points: {e}"),
            )
        })?,
    };
    Ok(Run {
        run,
        as_of,
        tenants,
        trend,
    })
}

/// Compare two runs. Pure; the order of everything is deterministic.
pub fn diff(old: &Run, new: &Run) -> Diff {
    let empty = TenantSide::default();
    let ids: BTreeSet<&String> = old.tenants.keys().chain(new.tenants.keys()).collect();
    let mut totals = Totals::default();
    let mut tenants = Vec::new();
    for id in ids {
        let o = old.tenants.get(id).unwrap_or(&empty);
        let n = new.tenants.get(id).unwrap_or(&empty);
        let mut t = TenantDiff {
            tenant: id.clone(),
            score_old: o.score,
            score_new: n.score,
            score_delta: o.score.zip(n.score).map(|(a, b)| b as i64 - a as i64),
            new: Vec::new(),
            resolved: Vec::new(),
            persisting: 0,
            regressed: Vec::new(),
            verdicts_changed: Vec::new(),
        };
        for (fp, f) in &n.findings {
            match o.findings.get(fp) {
                None => t.new.push(f.clone()),
                Some(was) if f.severity > was.severity || (was.waived && !f.waived) => {
                    t.regressed.push(Regressed {
                        rule: f.rule.clone(),
                        subject: f.subject.clone(),
                        severity_old: was.severity,
                        severity_new: f.severity,
                        fingerprint: fp.clone(),
                        waiver_lapsed: was.waived && !f.waived,
                    })
                }
                Some(_) => t.persisting += 1,
            }
        }
        t.resolved = o
            .findings
            .iter()
            .filter(|(fp, _)| !n.findings.contains_key(*fp))
            .map(|(_, f)| f.clone())
            .collect();
        t.new.sort();
        t.resolved.sort();
        t.regressed.sort();
        let rules: BTreeSet<&String> = o.verdicts.keys().chain(n.verdicts.keys()).collect();
        for rule in rules {
            let (a, b) = (o.verdicts.get(rule), n.verdicts.get(rule));
            if a != b {
                t.verdicts_changed.push(VerdictChange {
                    rule: rule.clone(),
                    old: a.cloned(),
                    new: b.cloned(),
                });
            }
        }
        totals.new += t.new.len();
        totals.resolved += t.resolved.len();
        totals.persisting += t.persisting;
        totals.regressed += t.regressed.len();
        totals.verdicts_changed += t.verdicts_changed.len();
        tenants.push(t);
    }
    Diff {
        schema: SCHEMA,
        old: RunRef {
            run: old.run.clone(),
            as_of: old.as_of.clone(),
        },
        new: RunRef {
            run: new.run.clone(),
            as_of: new.as_of.clone(),
        },
        tenants,
        totals,
    }
}

/// 1 when the new run has new findings no waiver covers, or regressed ones (CI gates on drift),
/// else 0.
pub fn exit_code(d: &Diff) -> i32 {
    let new_open = d
        .tenants
        .iter()
        .flat_map(|t| &t.new)
        .filter(|f| !f.waived)
        .count();
    if new_open + d.totals.regressed > 0 {
        super::exit::FINDINGS
    } else {
        super::exit::CLEAN
    }
}

/// "vs baseline run-…: N new, M resolved, K persisting, R regressed".
pub fn summary_line(d: &Diff) -> String {
    let t = &d.totals;
    format!(
        "vs baseline {}: {} new, {} resolved, {} persisting, {} regressed",
        d.old.run, t.new, t.resolved, t.persisting, t.regressed
    )
}

/// Pretty JSON, newline-terminated.
pub fn to_json(d: &Diff) -> String {
    let mut s = serde_json::to_string_pretty(d).expect("a diff serialises");
    s.push('\n');
    s
}

fn score(s: Option<u64>) -> String {
    s.map(|s| s.to_string()).unwrap_or_else(|| "-".into())
}

/// Per-tenant counts and scores, then every new, regressed and resolved finding, then every
/// changed verdict.
pub fn render_table(d: &Diff, out: &mut dyn Write) -> std::io::Result<()> {
    use tabled::builder::Builder;
    let table = |b: Builder| {
        let mut t = b.build();
        t.with(tabled::settings::Style::sharp());
        t
    };
    writeln!(
        out,
        "{} ({}) → {} ({})",
        d.old.run, d.old.as_of, d.new.run, d.new.as_of
    )?;
    let mut b = Builder::default();
    b.push_record([
        "tenant",
        "score",
        "Δ",
        "new",
        "resolved",
        "persisting",
        "regressed",
        "verdicts changed",
    ]);
    for t in &d.tenants {
        b.push_record([
            t.tenant.clone(),
            format!("{} → {}", score(t.score_old), score(t.score_new)),
            t.score_delta
                .map(|x| format!("{x:+}"))
                .unwrap_or_else(|| "-".into()),
            t.new.len().to_string(),
            t.resolved.len().to_string(),
            t.persisting.to_string(),
            t.regressed.len().to_string(),
            t.verdicts_changed.len().to_string(),
        ]);
    }
    writeln!(out, "{}", table(b))?;
    let mut b = Builder::default();
    b.push_record([
        "change",
        "tenant",
        "rule",
        "severity",
        "subject",
        "fingerprint",
    ]);
    let mut rows = 0;
    for t in &d.tenants {
        let mut push = |change: &str, rule: &str, sev: String, subject: &str, fp: &str| {
            rows += 1;
            b.push_record([change, &t.tenant, rule, &sev, subject, fp]);
        };
        for f in &t.new {
            push(
                "new",
                &f.rule,
                f.severity.as_str().into(),
                &f.subject,
                &f.fingerprint,
            );
        }
        for f in &t.regressed {
            let sev = format!("{} → {}", f.severity_old.as_str(), f.severity_new.as_str());
            push("regressed", &f.rule, sev, &f.subject, &f.fingerprint);
        }
        for f in &t.resolved {
            push(
                "resolved",
                &f.rule,
                f.severity.as_str().into(),
                &f.subject,
                &f.fingerprint,
            );
        }
    }
    if rows > 0 {
        writeln!(out, "{}", table(b))?;
    }
    let mut b = Builder::default();
    b.push_record(["tenant", "rule", "old", "new"]);
    for t in &d.tenants {
        for v in &t.verdicts_changed {
            let word = |w: &Option<String>| w.clone().unwrap_or_else(|| "-".into());
            b.push_record([t.tenant.clone(), v.rule.clone(), word(&v.old), word(&v.new)]);
        }
    }
    if d.totals.verdicts_changed > 0 {
        writeln!(out, "Verdicts changed:\n{}", table(b))?;
    }
    let t = &d.totals;
    writeln!(
        out,
        "{} new, {} resolved, {} persisting, {} regressed, {} verdicts changed",
        t.new, t.resolved, t.persisting, t.regressed, t.verdicts_changed
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(findings: &[(&str, &str, &str)], score: u64, verdict: &str) -> Value {
        json!({
            "schema": SCHEMA_VERSION,
            "run": {"as_of": "2026-11-20T06:00:00Z"},
            "tenants": [{"id": "t", "drift": {"score": score},
                         "rules": [{"rule": "X-001", "verdict": verdict}]}],
            "findings": findings.iter().map(|(fp, rule, sev)| json!({
                "tenant": "t", "rule": rule, "severity": sev,
                "subject": {"ref": format!("s/{fp}")}, "fingerprint": fp,
            })).collect::<Vec<_>>(),
        })
    }

    fn run(v: &Value) -> Run {
        parse_run("run-x".into(), "report.json", v).unwrap()
    }

    #[test]
    fn classifies_new_resolved_persisting_and_regressed() {
        let old = report(
            &[
                ("a", "X-001", "low"),
                ("b", "X-001", "high"),
                ("c", "X-001", "high"),
            ],
            10,
            "pass",
        );
        let new = report(
            &[
                ("b", "X-001", "critical"),
                ("c", "X-001", "medium"),
                ("d", "X-001", "low"),
            ],
            25,
            "fail",
        );
        let d = diff(&run(&old), &run(&new));
        let t = &d.tenants[0];
        let fps = |v: &[FindingRef]| v.iter().map(|f| f.fingerprint.clone()).collect::<Vec<_>>();
        assert_eq!(fps(&t.new), ["d"]);
        assert_eq!(fps(&t.resolved), ["a"]);
        assert_eq!(t.regressed[0].fingerprint, "b");
        assert_eq!(t.persisting, 1, "less severe counts as persisting");
        assert_eq!(
            (t.score_old, t.score_new, t.score_delta),
            (Some(10), Some(25), Some(15))
        );
        assert_eq!(t.verdicts_changed[0].old.as_deref(), Some("pass"));
        assert_eq!(exit_code(&d), 1);
        assert_eq!(
            summary_line(&d),
            "vs baseline run-x: 1 new, 1 resolved, 1 persisting, 1 regressed"
        );
    }

    #[test]
    fn a_lapsed_waiver_regresses_and_a_waived_new_finding_does_not_fail_the_gate() {
        let waive = |mut v: Value, fp: &str| {
            for f in v["findings"].as_array_mut().unwrap() {
                if f["fingerprint"] == fp {
                    f["waived"] = json!({"declared": "waivers.toml:1"});
                }
            }
            v
        };
        let old = waive(
            report(&[("a", "X-001", "low"), ("b", "X-001", "low")], 1, "fail"),
            "a",
        );
        let new = report(&[("a", "X-001", "low"), ("b", "X-001", "low")], 2, "fail");
        let d = diff(&run(&old), &run(&new));
        let t = &d.tenants[0];
        assert_eq!(t.regressed.len(), 1);
        assert!(t.regressed[0].waiver_lapsed && t.regressed[0].fingerprint == "a");
        assert_eq!(t.persisting, 1);
        assert_eq!(exit_code(&d), 1);

        let newer = waive(
            report(&[("b", "X-001", "low"), ("c", "X-001", "high")], 2, "fail"),
            "c",
        );
        let d = diff(&run(&new), &run(&newer));
        assert_eq!(d.tenants[0].new.len(), 1);
        assert!(d.tenants[0].new[0].waived);
        assert_eq!(exit_code(&d), 0, "only a waived finding is new");
    }

    #[test]
    fn a_run_against_itself_is_all_persisting() {
        let r = run(&report(&[("a", "X-001", "low")], 3, "fail"));
        let d = diff(&r, &r);
        assert_eq!(
            d.totals,
            Totals {
                persisting: 1,
                ..Totals::default()
            }
        );
        assert_eq!(exit_code(&d), 0);
    }

    #[test]
    fn schema_and_fields_are_checked_by_name() {
        let mut v = report(&[], 0, "pass");
        v["schema"] = json!("driftgate.report/v0");
        let e = parse_run("r".into(), "old/report.json", &v)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("old/report.json") && e.contains("older schema version"),
            "{e}"
        );
        v["schema"] = json!(SCHEMA_VERSION);
        v["findings"] = json!([{"tenant": "t"}]);
        let e = parse_run("r".into(), "old/report.json", &v)
            .unwrap_err()
            .to_string();
        assert!(e.contains("findings[0]"), "{e}");
    }
}
