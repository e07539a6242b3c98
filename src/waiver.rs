//! Waivers: exceptions a team records for findings, `[[waiver]]` in a tenant.toml or in the
//! estate's `waivers.toml`.
//!
//! A waiver names a rule, a tenant and a subject (each exact or a glob with `*` and `?`, compared
//! without letter case), optionally a finding key, and who stands behind it: reason, owner,
//! approver, ticket, expiry. It is **in force** while it has a reason, an owner and an approver
//! other than the owner, and its expiry date (valid through that day) is not before the tenant's
//! as_of. A finding a waiver in force covers stays in the report with its verdict and evidence and
//! is marked waived; the rule's verdict becomes `waived` when every finding is. A waiver not in
//! force covers nothing: GOV-001 (expired) and GOV-002 (unapproved) report it, and GOV findings
//! themselves cannot be waived. This module validates config and matches; it judges nothing.

use crate::estate::ConfigError;
use crate::finding::Finding;
use crate::model::Provenance;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// One validated `[[waiver]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// Rule id or glob (`PRIV-*`).
    pub rule: String,
    /// Tenant id or glob, as written (a tenant.toml's waivers default to that tenant).
    pub tenant: String,
    /// Subject: principal name, `<source>/<object id>` reference or object id; or a glob.
    pub subject: String,
    /// The finding key (a credential id, a role) or a glob; none covers every key.
    pub key: Option<String>,
    pub reason: Option<String>,
    pub owner: Option<String>,
    pub approver: Option<String>,
    pub ticket: Option<String>,
    /// Valid through this day (UTC).
    pub expires: Option<NaiveDate>,
    /// The declaring file, relative to the estate root.
    pub file: String,
    /// 1-based line of the `[[waiver]]` header.
    pub line: usize,
    /// 1-based position among the file's waivers.
    pub index: usize,
}

/// What a covered finding carries: which waiver, and who stands behind it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Applied {
    /// `file:line` of the waiver.
    pub declared: String,
    pub rule: String,
    pub subject: String,
    pub reason: String,
    pub owner: String,
    pub approver: String,
    pub ticket: Option<String>,
    pub expires: Option<String>,
}

/// A waiver as a tenant-scope rule sees it (`input.tenant.waivers`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WaiverFacts {
    pub rule: String,
    pub tenant: String,
    pub subject: String,
    pub key: Option<String>,
    pub reason: Option<String>,
    pub owner: Option<String>,
    pub approver: Option<String>,
    pub ticket: Option<String>,
    pub expires: Option<String>,
    /// `expires − as_of` in whole days: 0 expires today (still in force), negative expired.
    pub days_to_expiry: Option<i64>,
    pub declared: String,
    pub prov: Provenance,
}

const KEYS: &[&str] = &[
    "rule", "tenant", "subject", "key", "reason", "owner", "approver", "ticket", "expires",
];

impl Waiver {
    /// `file:line`, as shown in evidence and messages.
    pub fn declared(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }

    /// Reason, owner and approver present, and the approver is not the owner.
    pub fn approved(&self) -> bool {
        match (&self.reason, &self.owner, &self.approver) {
            (Some(_), Some(owner), Some(approver)) => !owner.eq_ignore_ascii_case(approver),
            _ => false,
        }
    }

    pub fn days_to_expiry(&self, as_of: DateTime<Utc>) -> Option<i64> {
        self.expires.map(|d| (d - as_of.date_naive()).num_days())
    }

    pub fn in_force(&self, as_of: DateTime<Utc>) -> bool {
        self.approved() && self.days_to_expiry(as_of).is_none_or(|d| d >= 0)
    }

    pub fn applies_to_tenant(&self, tenant: &str) -> bool {
        glob(&self.tenant, tenant)
    }

    /// Whether this waiver's rule, subject and key patterns cover the finding (tenant and force
    /// are the caller's business). GOV findings are never covered.
    pub fn covers(&self, f: &Finding) -> bool {
        if f.rule.starts_with("GOV-") || !glob(&self.rule, &f.rule) {
            return false;
        }
        let s = &f.subject;
        let subject = [Some(&s.reference), s.principal_name.as_ref(), s.id.as_ref()]
            .into_iter()
            .flatten()
            .any(|v| glob(&self.subject, v));
        subject
            && self
                .key
                .as_ref()
                .is_none_or(|k| f.key.as_ref().is_some_and(|fk| glob(k, fk)))
    }

    pub fn applied(&self) -> Applied {
        Applied {
            declared: self.declared(),
            rule: self.rule.clone(),
            subject: self.subject.clone(),
            reason: self.reason.clone().unwrap_or_default(),
            owner: self.owner.clone().unwrap_or_default(),
            approver: self.approver.clone().unwrap_or_default(),
            ticket: self.ticket.clone(),
            expires: self.expires.map(|d| d.to_string()),
        }
    }

    pub fn facts(&self, as_of: DateTime<Utc>) -> WaiverFacts {
        WaiverFacts {
            rule: self.rule.clone(),
            tenant: self.tenant.clone(),
            subject: self.subject.clone(),
            key: self.key.clone(),
            reason: self.reason.clone(),
            owner: self.owner.clone(),
            approver: self.approver.clone(),
            ticket: self.ticket.clone(),
            expires: self.expires.map(|d| d.to_string()),
            days_to_expiry: self.days_to_expiry(as_of),
            declared: self.declared(),
            prov: Provenance {
                source: "config".into(),
                file: self.file.clone(),
                record: self.index as u64,
                line: Some(self.line as u64),
            },
        }
    }
}

/// `*` any run of characters, `?` one character; ASCII letter case ignored.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().map(|c| c.to_ascii_lowercase()).collect();
    let t: Vec<char> = text.chars().map(|c| c.to_ascii_lowercase()).collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Validate the `[[waiver]]` tables of one file. `text` is the file's text (for line numbers),
/// `file` its path relative to the estate root; `tenant` is the tenant a tenant.toml belongs to
/// (its waivers default to it and may name no other), none for waivers.toml (tenant required).
pub fn parse(
    tables: &[toml::Spanned<toml::Table>],
    text: &str,
    file: &str,
    tenant: Option<&str>,
) -> Result<Vec<Waiver>, ConfigError> {
    tables
        .iter()
        .enumerate()
        .map(|(n, table)| parse_one(n, table, text, file, tenant))
        .collect()
}

fn parse_one(
    n: usize,
    spanned: &toml::Spanned<toml::Table>,
    text: &str,
    file: &str,
    tenant: Option<&str>,
) -> Result<Waiver, ConfigError> {
    let table = spanned.get_ref();
    let span = spanned.span();
    let header = header_line(text, span.start);
    let err = |key: &str, message: String| ConfigError {
        file: file.into(),
        line: Some(key_line(text, span.clone(), key).unwrap_or(header)),
        key: Some(format!("waiver[{n}].{key}")),
        message,
    };
    if let Some(unknown) = table.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(err(
            unknown,
            format!(
                "unknown field `{unknown}`, expected one of {}",
                KEYS.join(", ")
            ),
        ));
    }
    let text_of = |key: &str| -> Result<Option<String>, ConfigError> {
        match table.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => {
                let s = s.trim();
                Ok((!s.is_empty()).then(|| s.to_string()))
            }
            Some(other) => Err(err(
                key,
                format!("`{key}` must be a string, found {}", other.type_str()),
            )),
        }
    };
    let required = |key: &str| -> Result<String, ConfigError> {
        text_of(key)?.ok_or_else(|| err(key, format!("`{key}` is missing or empty")))
    };
    let rule = required("rule")?;
    let subject = required("subject")?;
    let tenant = match (text_of("tenant")?, tenant) {
        (None, Some(own)) => own.to_string(),
        (Some(t), Some(own)) if glob(&t, own) => own.to_string(),
        (Some(t), Some(own)) => {
            return Err(err(
                "tenant",
                format!("a waiver in tenant `{own}`'s tenant.toml cannot name tenant `{t}`"),
            ))
        }
        (Some(t), None) => t,
        (None, None) => {
            return Err(err(
                "tenant",
                "`tenant` is missing: a waivers.toml waiver names its tenant (an id or a glob)"
                    .into(),
            ))
        }
    };
    let expires = match table.get("expires") {
        None => None,
        Some(toml::Value::Datetime(d)) => match (d.date, d.time) {
            (Some(date), None) => NaiveDate::from_ymd_opt(
                i32::from(date.year),
                u32::from(date.month),
                u32::from(date.day),
            ),
            _ => None,
        }
        .map(Some)
        .ok_or_else(|| {
            err(
                "expires",
                format!("`expires` must be a date like 2026-12-31, found {d}"),
            )
        })?,
        Some(toml::Value::String(s)) => Some(
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
                err(
                    "expires",
                    format!("`expires` must be a date like 2026-12-31, found \"{s}\""),
                )
            })?,
        ),
        Some(other) => {
            return Err(err(
                "expires",
                format!(
                    "`expires` must be a date like 2026-12-31, found {}",
                    other.type_str()
                ),
            ))
        }
    };
    Ok(Waiver {
        rule,
        tenant,
        subject,
        key: text_of("key")?,
        reason: text_of("reason")?,
        owner: text_of("owner")?,
        approver: text_of("approver")?,
        ticket: text_of("ticket")?,
        expires,
        file: file.into(),
        line: header,
        index: n + 1,
    })
}

fn line_at(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// The line of the `[[waiver]]` header (a table's span covers its header).
fn header_line(text: &str, start: usize) -> usize {
    line_at(text, start)
}

/// The line where `key = ...` is written in the table whose header starts at `span.start`: the
/// lines up to the next table header.
fn key_line(text: &str, span: std::ops::Range<usize>, key: &str) -> Option<usize> {
    let start = span.start.min(text.len());
    let mut at = start;
    for (n, line) in text[start..].split_inclusive('\n').enumerate() {
        let trimmed = line.trim_start();
        if n > 0 && trimmed.starts_with('[') {
            return None;
        }
        let bare = trimmed.trim_start_matches(['"', '\'']);
        if let Some(rest) = bare.strip_prefix(key) {
            if rest
                .trim_start_matches(['"', '\''])
                .trim_start()
                .starts_with('=')
            {
                return Some(line_at(text, at));
            }
        }
        at += line.len();
    }
    None
}

/// The waivers of `waivers.toml` at the estate root, if there is one.
pub fn read_estate_file(root: &std::path::Path) -> Result<Vec<Waiver>, ConfigError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        #[serde(default)]
        waiver: Vec<toml::Spanned<toml::Table>>,
    }
    let path = root.join("waivers.toml");
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let (raw, text): (File, String) = crate::estate::parse_toml_text(&path, "waivers.toml")?;
    parse(&raw.waiver, &text, "waivers.toml", None)
}

/// One tenant's waivers while its findings are marked: which were used.
pub struct TenantWaivers {
    pub waivers: Vec<Waiver>,
    pub as_of: DateTime<Utc>,
    used: Vec<bool>,
}

impl TenantWaivers {
    pub fn new(waivers: Vec<Waiver>, as_of: DateTime<Utc>) -> TenantWaivers {
        let used = vec![false; waivers.len()];
        TenantWaivers {
            waivers,
            as_of,
            used,
        }
    }

    /// Mark the findings a waiver in force covers; the first in declaration order wins.
    pub fn apply(&mut self, findings: &mut [Finding]) {
        for f in findings.iter_mut() {
            if let Some(n) = self
                .waivers
                .iter()
                .position(|w| w.in_force(self.as_of) && w.covers(f))
            {
                self.used[n] = true;
                f.waived = Some(Box::new(self.waivers[n].applied()));
            }
        }
    }

    /// Waivers in force (the "manual exceptions" measure).
    pub fn in_force(&self) -> usize {
        self.waivers
            .iter()
            .filter(|w| w.in_force(self.as_of))
            .count()
    }

    /// Warnings: waivers in force that covered no finding, and waivers naming no loaded rule.
    pub fn warnings(&self, rules: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        for (w, used) in self.waivers.iter().zip(&self.used) {
            if !rules.iter().any(|r| glob(&w.rule, r)) {
                out.push(format!(
                    "{}: waiver rule `{}` matches no loaded rule",
                    w.declared(),
                    w.rule
                ));
            } else if w.in_force(self.as_of) && !used {
                out.push(format!(
                    "{}: waiver for {} on `{}` covers no finding (remove it when it is no longer needed)",
                    w.declared(),
                    w.rule,
                    w.subject
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct File {
        #[serde(default)]
        waiver: Vec<toml::Spanned<toml::Table>>,
    }

    fn parse_text(text: &str, tenant: Option<&str>) -> Result<Vec<Waiver>, ConfigError> {
        let raw: File = toml::from_str(text).unwrap();
        parse(&raw.waiver, text, "waivers.toml", tenant)
    }

    #[test]
    fn glob_matches_stars_and_marks_without_case() {
        assert!(glob(
            "breakglass-*@contoso.com",
            "BreakGlass-01@Contoso.com"
        ));
        assert!(glob("*", ""));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "ac"));
        assert!(glob("*-*-*", "a-b-c"));
        assert!(!glob("PRIV-*", "STALE-001"));
        assert!(glob("ab*cd*", "abxxcdyycd"));
        assert!(!glob("exact@x.com", "exact@x.com.evil"));
    }

    #[test]
    fn lines_point_at_the_header_and_the_key() {
        let text = "name = \"x\"\n\n[[waiver]]\nrule = \"PRIV-001\"\ntenant = \"contoso\"\nsubject = \"a@b.c\"\n\n[[waiver]]\nrule = \"STALE-001\"\ntenant = \"*\"\nsubject = \"x\"\nexpires = 2026-13-01\n";
        // An invalid TOML date is a TOML syntax error (reported by the TOML parser with its
        // line); a string that is no date is ours.
        assert!(toml::from_str::<File>(text).is_err());
        let text = text.replace("2026-13-01", "\"2026-02-30\"");
        let e = parse_text(&text, None).unwrap_err();
        assert_eq!(e.line, Some(12));
        assert_eq!(e.key.as_deref(), Some("waiver[1].expires"));
        assert!(e.message.contains("2026-02-30"), "{}", e.message);
        let ok = parse_text(&text.replace("\"2026-02-30\"", "2026-12-31"), None).unwrap();
        assert_eq!(ok[0].line, 3);
        assert_eq!(ok[1].line, 8);
        assert_eq!(ok[1].expires, NaiveDate::from_ymd_opt(2026, 12, 31));
        assert_eq!(ok[1].declared(), "waivers.toml:8");
    }

    #[test]
    fn unknown_key_missing_fields_and_foreign_tenant_are_errors() {
        let e = parse_text(
            "[[waiver]]\nrule = \"PRIV-001\"\nsubject = \"x\"\napprovr = \"y\"\n",
            Some("contoso"),
        )
        .unwrap_err();
        assert_eq!(
            (e.key.as_deref(), e.line),
            (Some("waiver[0].approvr"), Some(4))
        );
        let e = parse_text("[[waiver]]\nrule = \"PRIV-001\"\n", Some("contoso")).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("waiver[0].subject"));
        let e = parse_text("[[waiver]]\nrule = \"PRIV-001\"\nsubject = \"x\"\n", None).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("waiver[0].tenant"));
        let e = parse_text(
            "[[waiver]]\nrule = \"PRIV-001\"\nsubject = \"x\"\ntenant = \"fabrikam\"\n",
            Some("contoso"),
        )
        .unwrap_err();
        assert_eq!(e.key.as_deref(), Some("waiver[0].tenant"));
        let e = parse_text(
            "[[waiver]]\nrule = \"PRIV-001\"\nsubject = \"x\"\nowner = 3\n",
            Some("contoso"),
        )
        .unwrap_err();
        assert!(e.message.contains("must be a string"), "{}", e.message);
        let own = parse_text(
            "[[waiver]]\nrule = \"PRIV-001\"\nsubject = \"x\"\nreason = \"  \"\n",
            Some("contoso"),
        )
        .unwrap();
        assert_eq!(own[0].tenant, "contoso");
        assert_eq!(own[0].reason, None, "blank is absent");
    }

    fn waiver(expires: Option<&str>, approver: Option<&str>) -> Waiver {
        Waiver {
            rule: "PRIV-*".into(),
            tenant: "contoso".into(),
            subject: "breakglass-*@contoso.com".into(),
            key: None,
            reason: Some("monitored break-glass".into()),
            owner: Some("ops@msp.example".into()),
            approver: approver.map(str::to_string),
            ticket: None,
            expires: expires.map(|d| d.parse().unwrap()),
            file: "waivers.toml".into(),
            line: 1,
            index: 1,
        }
    }

    #[test]
    fn in_force_through_the_expiry_day_and_only_when_approved() {
        let as_of: DateTime<Utc> = "2026-11-20T06:00:00Z".parse().unwrap();
        let ok = Some("ciso@msp.example");
        assert!(waiver(None, ok).in_force(as_of));
        assert!(waiver(Some("2026-11-20"), ok).in_force(as_of));
        assert_eq!(
            waiver(Some("2026-11-20"), ok).days_to_expiry(as_of),
            Some(0)
        );
        assert!(!waiver(Some("2026-11-19"), ok).in_force(as_of));
        assert_eq!(
            waiver(Some("2026-11-19"), ok).days_to_expiry(as_of),
            Some(-1)
        );
        assert!(!waiver(None, None).in_force(as_of));
        assert!(
            !waiver(None, Some("OPS@msp.example")).in_force(as_of),
            "self-approval"
        );
    }
}
