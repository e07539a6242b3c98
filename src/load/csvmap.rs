//! `csv`: any other system's user list (a CSV file), read through the source's
//! `[source.columns]` table, which maps a normalised field to a column header.
//!
//! Fields: `principal_name`, `email`, `display_name`, `employee_id`, `external_id`, `kind`,
//! `enabled`, `status`, `last_sign_in`, `created`, `roles` (`;`-separated) and `credential_id`
//! (`;`-separated). The object id is `external_id`, else `principal_name`, else `email` (the last two
//! lower-cased), so at least one of them must be mapped. Dates are ISO 8601 unless the source sets
//! `date_format` (strftime) and/or `locale` (culture strings). The shared layer handles encodings,
//! `#TYPE` lines and `,` / `;` / tab. A mapping with `event_time` makes the file a provisioning
//! tool's event log instead, read by `provlog`.
//!
//! This loader must not guess. An unmapped field is unknown (null, `absent`, `unavailable`), never
//! false or "never"; an empty `last_sign_in` cell is unknown, only an explicit `never` is never.
//! Role names are recorded, but a generic system's role name ("Admin", "Owner") is never read as
//! privilege: `privileged` and `top_role` stay null and no top role is counted.

use super::text::{read_text, unflattened_type_name, CsvTable};
use super::time::{any_text, iso, DateOrder};
use super::{non_empty, parse_bool, service_name_hint, LoadError, SourceCtx};
use crate::model::*;
use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use std::collections::BTreeSet;

/// The normalised fields a `[source.columns]` table may map, with what each holds.
pub const FIELDS: &[(&str, &str)] = &[
    ("principal_name", "sign-in name"),
    ("email", "email address(es), `;`-separated"),
    ("display_name", "display name"),
    ("employee_id", "HR employee id"),
    ("external_id", "the system's own stable id"),
    (
        "kind",
        "human, guest, service, shared, technician, root, agent, workload",
    ),
    (
        "enabled",
        "true/false, yes/no, 1/0, active/inactive, enabled/disabled",
    ),
    (
        "status",
        "active, disabled, suspended, locked, staged, pending, deprovisioned, expired, deleted",
    ),
    ("last_sign_in", "last sign-in time; `never` for never"),
    ("created", "creation time"),
    ("roles", "role names, `;`-separated"),
    ("credential_id", "ids of keys or tokens, `;`-separated"),
];

/// Words an export writes for "never signed in".
const NEVER: &[&str] = &["never", "never logged in", "never signed in"];

/// How a source's date cells are read: its strftime format, its locale, else ISO 8601 only.
#[derive(Debug, Clone)]
pub struct DateReader {
    format: Option<String>,
    /// Set when a locale is configured: culture strings are then accepted.
    order: Option<DateOrder>,
}

impl DateReader {
    /// From the source's `date_format` and `locale`; `Err((key, message))` when either is invalid.
    pub fn new(
        date_format: Option<&str>,
        locale: Option<&str>,
    ) -> Result<DateReader, (&'static str, String)> {
        let format = date_format.map(str::trim).filter(|f| !f.is_empty());
        if let Some(f) = format {
            if StrftimeItems::new(f).any(|i| matches!(i, Item::Error)) {
                return Err((
                    "date_format",
                    format!("`{f}` is not a valid strftime format (e.g. \"%d/%m/%Y %H:%M\")"),
                ));
            }
        }
        let order = match locale {
            Some(_) => Some(DateOrder::from_locale(locale).map_err(|m| ("locale", m))?),
            None => None,
        };
        Ok(DateReader {
            format: format.map(str::to_string),
            order,
        })
    }

    /// True when the source configured neither a format nor a locale.
    pub fn is_default(&self) -> bool {
        self.format.is_none() && self.order.is_none()
    }

    /// Parse one non-empty cell. A value with a zone is exact; without one it is local time.
    pub fn parse(&self, raw: &str) -> Result<Ts, String> {
        let s = raw.trim();
        if let Some(f) = &self.format {
            if let Some(ts) = with_format(s, f) {
                return Ok(ts);
            }
            if let Some(order) = self.order {
                return any_text(s, order).map_err(|_| {
                    format!("`{s}` matches neither date_format `{f}` nor the locale")
                });
            }
            return iso(s).map_err(|_| format!("`{s}` does not match date_format `{f}`"));
        }
        match self.order {
            Some(order) => any_text(s, order),
            None => iso(s).map_err(|_| {
                format!("`{s}` is not ISO 8601: set `date_format` (strftime, e.g. \"%m/%d/%Y %H:%M\") or `locale` on the source")
            }),
        }
    }
}

fn with_format(s: &str, f: &str) -> Option<Ts> {
    if let Ok(t) = DateTime::parse_from_str(s, f) {
        return Some(Ts::exact(t.with_timezone(&Utc), s));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
        return Some(Ts::with(
            Some(t.and_utc()),
            TimeQuality::Local,
            Some(s.into()),
        ));
    }
    let d = NaiveDate::parse_from_str(s, f).ok()?;
    let t = d.and_hms_opt(0, 0, 0)?.and_utc();
    Some(Ts::with(Some(t), TimeQuality::Local, Some(s.into())))
}

/// Column index of each mapped field.
#[derive(Default)]
struct Columns {
    principal_name: Option<usize>,
    email: Option<usize>,
    display_name: Option<usize>,
    employee_id: Option<usize>,
    external_id: Option<usize>,
    kind: Option<usize>,
    enabled: Option<usize>,
    status: Option<usize>,
    last_sign_in: Option<usize>,
    created: Option<usize>,
    roles: Option<usize>,
    credential_id: Option<usize>,
}

impl Columns {
    fn slot(&mut self, field: &str) -> Option<&mut Option<usize>> {
        Some(match field {
            "principal_name" => &mut self.principal_name,
            "email" => &mut self.email,
            "display_name" => &mut self.display_name,
            "employee_id" => &mut self.employee_id,
            "external_id" => &mut self.external_id,
            "kind" => &mut self.kind,
            "enabled" => &mut self.enabled,
            "status" => &mut self.status,
            "last_sign_in" => &mut self.last_sign_in,
            "created" => &mut self.created,
            "roles" => &mut self.roles,
            "credential_id" => &mut self.credential_id,
            _ => return None,
        })
    }
}

pub fn load(ctx: &mut SourceCtx) -> (Vec<Identity>, Capabilities, Option<String>) {
    let mut caps = Capabilities::default();
    let path = ctx.path.clone();
    let shown = ctx.shown(&path);
    let config_err = |field: String, message: String| LoadError {
        file: shown.clone(),
        line: None,
        record: None,
        field: Some(field),
        message,
    };
    let Some(mapping) = ctx.source.columns.clone() else {
        ctx.errors.push(config_err(
            "columns".into(),
            format!(
                "source `{}` has kind `csv` but no [source.columns] table: map normalised fields to column headers, e.g. principal_name = \"Email\" (fields: {})",
                ctx.source.name,
                field_names()
            ),
        ));
        return (Vec::new(), caps, None);
    };
    if mapping.contains_key("event_time") {
        // Not a user list: a provisioning tool's event log (see `provlog`).
        return super::provlog::load_csv(ctx, &mapping);
    }
    let dates = match DateReader::new(
        ctx.source.date_format.as_deref(),
        ctx.source.locale.as_deref(),
    ) {
        Ok(d) => Some(d),
        Err((key, m)) => {
            ctx.errors.push(config_err(key.into(), m));
            None
        }
    };
    let mut probe = Columns::default();
    for (field, column) in &mapping {
        if probe.slot(field).is_none() {
            ctx.errors.push(config_err(
                format!("columns.{field}"),
                format!(
                    "`{field}` is not a normalised field: use one of {}",
                    field_names()
                ),
            ));
        } else if column.trim().is_empty() {
            ctx.errors.push(config_err(
                format!("columns.{field}"),
                format!("field `{field}` maps to an empty column name"),
            ));
        }
    }
    if !["principal_name", "email", "external_id"]
        .iter()
        .any(|f| mapping.contains_key(*f))
    {
        ctx.errors.push(config_err(
            "columns".into(),
            "an identity needs an object id: map at least one of principal_name, email or external_id".into(),
        ));
    }
    let Some(dates) = dates else {
        return (Vec::new(), caps, None);
    };
    if !ctx.errors.is_empty() {
        return (Vec::new(), caps, None);
    }
    let table = match read_text(&path, &shown).and_then(|d| CsvTable::parse(d, &shown)) {
        Ok(t) => t,
        Err(e) => {
            ctx.errors.push(e);
            return (Vec::new(), caps, None);
        }
    };
    ctx.files_read.push(shown.clone());
    ctx.warnings
        .extend(table.warnings.iter().map(|w| format!("{shown}: {w}")));
    let mut cols = Columns::default();
    for (field, column) in &mapping {
        match table.column(&[column.as_str()]) {
            Some(i) => {
                if let Some(slot) = cols.slot(field) {
                    *slot = Some(i);
                }
            }
            None => ctx.errors.push(LoadError {
                file: shown.clone(),
                line: Some(1),
                record: None,
                field: Some(field.clone()),
                message: format!(
                    "field `{field}` maps to column `{column}`, which is not in the file (columns present: {})",
                    table.headers.join(", ")
                ),
            }),
        }
    }
    if !ctx.errors.is_empty() {
        return (Vec::new(), caps, None);
    }
    caps.sign_in = cols.last_sign_in.is_some();
    let reader = RowReader {
        shown: &shown,
        table: &table,
        mapping: &mapping,
        cols: &cols,
        dates: &dates,
    };
    let mut unknown_status = BTreeSet::new();
    let mut out = Vec::with_capacity(table.rows.len());
    for (index, (line, cells)) in table.rows.iter().enumerate() {
        match reader.row(ctx, index as u64 + 1, *line, cells, &mut unknown_status) {
            Ok(u) => out.push(u),
            Err(e) => ctx.errors.push(e),
        }
    }
    for s in unknown_status {
        ctx.warnings.push(format!(
            "{shown}: status `{s}` is not a known state: kept as raw text, status unknown"
        ));
    }
    (out, caps, None)
}

fn field_names() -> String {
    FIELDS
        .iter()
        .map(|(f, _)| *f)
        .collect::<Vec<_>>()
        .join(", ")
}

struct RowReader<'a> {
    shown: &'a str,
    table: &'a CsvTable,
    mapping: &'a std::collections::BTreeMap<String, String>,
    cols: &'a Columns,
    dates: &'a DateReader,
}

struct Cells<'a> {
    reader: &'a RowReader<'a>,
    cells: &'a [String],
    record: u64,
    line: u64,
}

impl Cells<'_> {
    fn get(&self, col: Option<usize>) -> Option<String> {
        col.and_then(|i| non_empty(&self.cells[i]))
    }
    fn err(&self, field: &str, message: String) -> LoadError {
        let column = self
            .reader
            .mapping
            .get(field)
            .map(|c| format!("column `{c}`: "))
            .unwrap_or_default();
        LoadError {
            file: self.reader.shown.into(),
            line: Some(self.line),
            record: Some(self.record),
            field: Some(field.into()),
            message: format!("{column}{message}"),
        }
    }
    fn date(&self, field: &str, col: Option<usize>, never_words: bool) -> Result<Ts, LoadError> {
        let Some(raw) = self.get(col) else {
            return Ok(Ts::of(if col.is_some() && never_words {
                TimeQuality::Unavailable
            } else {
                TimeQuality::Absent
            }));
        };
        if never_words && NEVER.contains(&raw.to_ascii_lowercase().as_str()) {
            return Ok(Ts::with(None, TimeQuality::Never, Some(raw)));
        }
        self.reader
            .dates
            .parse(&raw)
            .map_err(|m| self.err(field, m))
    }
    fn list(&self, col: Option<usize>) -> Vec<String> {
        self.get(col)
            .map(|v| v.split(';').filter_map(non_empty).collect())
            .unwrap_or_default()
    }
}

impl RowReader<'_> {
    fn row(
        &self,
        ctx: &SourceCtx,
        record: u64,
        line: u64,
        cells: &[String],
        unknown_status: &mut BTreeSet<String>,
    ) -> Result<Identity, LoadError> {
        let c = self.cols;
        let r = Cells {
            reader: self,
            cells,
            record,
            line,
        };
        for (field, column) in self.mapping {
            if let Some(i) = self.table.column(&[column.as_str()]) {
                let v = cells[i].trim();
                if unflattened_type_name(v) {
                    return Err(r.err(field, format!("`{v}` is a .NET type name, not data: re-export with a calculated property, e.g. @{{n='{column}';e={{$_.{column} -join ';'}}}}")));
                }
            }
        }
        let principal = r.get(c.principal_name);
        let emails: Vec<String> = r
            .get(c.email)
            .map(|v| v.split([';', ',']).filter_map(non_empty).collect())
            .unwrap_or_default();
        let external = r.get(c.external_id);
        let object_id = external
            .clone()
            .or_else(|| principal.as_ref().map(|p| p.to_lowercase()))
            .or_else(|| emails.first().map(|e| e.to_lowercase()))
            .ok_or_else(|| {
                let field = ["external_id", "principal_name", "email"]
                    .into_iter()
                    .find(|f| self.mapping.contains_key(*f))
                    .unwrap_or("principal_name");
                r.err(
                    field,
                    "row has no value for any identifying field (external_id, principal_name, email)"
                        .into(),
                )
            })?;
        let mut u = Identity::new(
            &ctx.source.name,
            "csv",
            object_id,
            ctx.provenance(self.shown, record, Some(line)),
        );
        if let Some(x) = external {
            u.alt_ids.insert("external_id".into(), x);
        }
        u.set_principal_name(principal);
        u.emails = emails;
        u.display_name = r.get(c.display_name);
        u.employment.employee_id = r.get(c.employee_id);
        u.enabled = match r.get(c.enabled) {
            Some(v) => Some(enabled_value(&v).ok_or_else(|| {
                r.err("enabled", format!("`{v}` is not a boolean: expected true/false, yes/no, 1/0, active/inactive or enabled/disabled"))
            })?),
            None => None,
        };
        match r.get(c.status) {
            Some(v) => {
                u.status = status_value(&v).unwrap_or_else(|| {
                    unknown_status.insert(v.clone());
                    Status::Unknown
                });
                u.status_raw = Some(v);
                if c.enabled.is_none() {
                    u.enabled = enabled_from_status(u.status);
                }
            }
            None => {
                u.status = match u.enabled {
                    Some(true) => Status::Active,
                    Some(false) => Status::Disabled,
                    None => Status::Unknown,
                }
            }
        }
        u.kind = match r.get(c.kind) {
            Some(v) => {
                let k = kind_value(&v).ok_or_else(|| {
                    r.err("kind", format!("`{v}` is not a kind: use human, guest, service, shared, technician, root, agent or workload"))
                })?;
                u.kind_evidence.push(format!("kind={v}"));
                k
            }
            None => {
                let name = u.principal_name.clone().or(u.emails.first().cloned());
                if name.as_deref().is_some_and(service_name_hint) {
                    u.kind_evidence.push("service naming convention".into());
                    Kind::ServiceAccount
                } else {
                    u.kind_evidence.push("no kind in this export".into());
                    Kind::Unknown
                }
            }
        };
        u.created = r.date("created", c.created, false)?;
        let last = r.date("last_sign_in", c.last_sign_in, true)?;
        u.activity = Activity {
            known: c.last_sign_in.is_some(),
            last_interactive: last.clone(),
            last_non_interactive: Ts::of(TimeQuality::Absent),
            last_successful: Ts::of(TimeQuality::Absent),
            last_any: if c.last_sign_in.is_some() {
                last
            } else {
                Ts::of(TimeQuality::Unavailable)
            },
        };
        for name in r.list(c.roles) {
            u.roles.push(RoleAssignment {
                role_id: name.clone(),
                role_name: Some(name),
                scope: "/".into(),
                assignment: AssignmentKind::Permanent,
                // A generic system's role name is not evidence of privilege (module doc).
                privileged: false,
                top: false,
                via_group: None,
                start: Ts::of(TimeQuality::Absent),
                end: Ts::of(TimeQuality::Absent),
                prov: u.prov.clone(),
            });
        }
        for id in r.list(c.credential_id) {
            u.credentials.push(Credential {
                id,
                kind: CredentialKind::ApiToken,
                display_name: None,
                hint: None,
                active: None,
                created: Ts::of(TimeQuality::Absent),
                rotated: Ts::of(TimeQuality::Absent),
                expires: Ts::of(TimeQuality::Absent),
                last_used: Ts::of(TimeQuality::Absent),
                last_used_where: None,
                origin: Some("user".into()),
                lifetime_days: None,
                expired: None,
                derived: CredentialDerived::default(),
                prov: u.prov.clone(),
            });
        }
        Ok(u)
    }
}

/// `enabled` in any of the spellings systems export.
pub fn enabled_value(raw: &str) -> Option<bool> {
    parse_bool(raw).or_else(|| match raw.trim().to_ascii_lowercase().as_str() {
        "active" | "enabled" => Some(true),
        "inactive" | "disabled" => Some(false),
        _ => None,
    })
}

fn status_value(raw: &str) -> Option<Status> {
    let s = raw.trim().to_ascii_lowercase().replace(['_', '-'], " ");
    Some(match s.as_str() {
        "active" | "enabled" => Status::Active,
        "disabled" | "inactive" | "deactivated" => Status::Disabled,
        "suspended" | "blocked" => Status::Suspended,
        "locked" | "locked out" => Status::Locked,
        "staged" | "provisioned" => Status::Staged,
        "pending" | "invited" | "pending invite" | "pending acceptance" => Status::PendingInvite,
        "deprovisioned" => Status::Deprovisioned,
        "expired" => Status::Expired,
        "deleted" | "removed" => Status::Deleted,
        _ => return None,
    })
}

fn enabled_from_status(status: Status) -> Option<bool> {
    match status {
        Status::Active => Some(true),
        Status::Disabled
        | Status::Suspended
        | Status::Locked
        | Status::Deprovisioned
        | Status::Expired
        | Status::Deleted => Some(false),
        Status::Staged | Status::PendingInvite | Status::Unknown => None,
    }
}

fn kind_value(raw: &str) -> Option<Kind> {
    let s = raw.trim().to_ascii_lowercase().replace(['_', '-'], " ");
    Some(match s.as_str() {
        "human" | "user" | "person" | "employee" | "member" | "staff" => Kind::Human,
        "guest" | "external" => Kind::Guest,
        "service" | "service account" | "svc" | "system" | "api" | "integration" | "bot" => {
            Kind::ServiceAccount
        }
        "shared" | "shared account" => Kind::Shared,
        "technician" | "tech" => Kind::Technician,
        "root" => Kind::Root,
        "agent" => Kind::Agent,
        "workload" | "application" | "app" => Kind::Workload,
        "managed identity" => Kind::ManagedIdentity,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_enabled_spelling() {
        for t in ["true", "YES", "1", "Active", "ENABLED", "y"] {
            assert_eq!(enabled_value(t), Some(true), "{t}");
        }
        for f in ["False", "no", "0", "INACTIVE", "disabled", "N"] {
            assert_eq!(enabled_value(f), Some(false), "{f}");
        }
        assert_eq!(enabled_value("maybe"), None);
    }

    #[test]
    fn dates_iso_by_default_format_or_locale_when_configured() {
        let iso_only = DateReader::new(None, None).unwrap();
        assert_eq!(
            iso_only.parse("2024-01-02T15:04:05Z").unwrap().quality,
            TimeQuality::Exact
        );
        assert!(iso_only
            .parse("02/01/2024")
            .unwrap_err()
            .contains("date_format"));
        let fmt = DateReader::new(Some("%d/%m/%Y %H:%M"), None).unwrap();
        let t = fmt.parse("02/01/2024 15:04").unwrap();
        assert_eq!(
            (t.at.unwrap().to_rfc3339().as_str(), t.quality),
            ("2024-01-02T15:04:00+00:00", TimeQuality::Local)
        );
        let zoned = DateReader::new(Some("%d.%m.%Y %H:%M %z"), None).unwrap();
        assert_eq!(
            zoned
                .parse("02.01.2024 17:04 +0200")
                .unwrap()
                .at
                .unwrap()
                .to_rfc3339(),
            "2024-01-02T15:04:00+00:00"
        );
        let day_only = DateReader::new(Some("%Y%m%d"), None).unwrap();
        assert_eq!(
            day_only.parse("20240102").unwrap().at.unwrap().to_rfc3339(),
            "2024-01-02T00:00:00+00:00"
        );
        let gb = DateReader::new(None, Some("en-GB")).unwrap();
        assert_eq!(
            gb.parse("02/01/2024 15:04:05")
                .unwrap()
                .at
                .unwrap()
                .to_rfc3339(),
            "2024-01-02T15:04:05+00:00"
        );
        assert_eq!(
            DateReader::new(Some("%Q"), None).unwrap_err().0,
            "date_format"
        );
        assert_eq!(
            DateReader::new(None, Some("xx-YY")).unwrap_err().0,
            "locale"
        );
    }
}
