//! `google-workspace`: Google Workspace users, from the Admin SDK Directory API (`users.json` in a
//! folder, or a `.json` file), from the admin console's *Download users* CSV, or from GAM
//! `print users` CSV (dotted API names such as `name.fullName`, `aliases.0`).
//!
//! JSON: the `{"kind": "admin#directory#users", "users": [...]}` page (a page with no users omits
//! `users`), a bare array, an array of pages or concatenated pages. `id` is a 21-digit string and
//! must stay one: a JSON number has lost digits and is an error. `lastLoginTime`
//! `1970-01-01T00:00:00.000Z` (in any zone, or GAM's `Never`) means never; a key missing from every
//! record means sign-in data was not exported (unknown). The console CSV's headers carry suffixes
//! (`Email Address [Required]`, `Last Sign In [READ ONLY]`) and change order: columns are matched on
//! the base name, case-insensitive, spaces collapsed. `Never logged in` is never; its date format is
//! not documented, so the source's `date_format` / `locale` are honoured, and without them ISO,
//! culture strings (ambiguous day/month is reported, not guessed) and English month names are read.
//!
//! Privilege: `isAdmin` is the super admin, the top role (privileged, top). `isDelegatedAdmin` is
//! "holds some other admin role" (privileged; which role and scope are not in the users export).
//! The super admin role cannot be assigned to a group, so `isAdmin` on every record makes the top
//! role countable and `false` a real "not a super admin". Other admin roles can be held through
//! groups, which the users export does not show, so `privileged` stays null for a user with neither
//! flag. The console CSV carries privilege only in an `Admin Role(s)` / `Admin Status` column where
//! one was selected for download (its values are an assumption: `Super Admin`, `None`, role names).
//!
//! MFA: `isEnrolledIn2Sv` / `2sv Enrolled` is `mfa.registered`; `isEnforcedIn2Sv` /
//! `2sv Enforced` (the 2-Step Verification policy of the user's OU or group) is `mfa.enforced`,
//! from which the tenant's MFA enforcement is derived (`src/enforcement.rs`). A missing key or
//! column is unknown. Passwords and hashes are never read.

use super::csvmap::DateReader;
use super::text::{field, json_records, json_type, read_text, CsvTable, Decoded};
use super::time::{any_text, iso, DateOrder};
use super::{non_empty, parse_bool, service_name_hint, LoadError, SourceCtx};
use crate::model::*;
use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{Map, Value};

/// Google's name for the top role.
pub const TOP_ROLE: &str = "Super Admin";
const KIND: &str = "google-workspace";
const PAGE_KIND: &str = "admin#directory#users";
/// What the console CSV and GAM write for "never signed in" ("Nunca" in localised exports).
const NEVER: &[&str] = &["never", "never logged in", "nunca"];

pub fn load(ctx: &mut SourceCtx) -> (Vec<Identity>, Capabilities, Option<String>) {
    let path = ctx.path.clone();
    let file = if path.is_dir() {
        let f = path.join("users.json");
        if !f.is_file() {
            let shown = ctx.shown(&f);
            ctx.errors.push(LoadError::file(
                &shown,
                "required file `users.json` (Admin SDK users.list) is missing from the google-workspace export folder; point `path` at the admin console CSV instead if that is what you have".into(),
            ));
            return (Vec::new(), Capabilities::default(), None);
        }
        f
    } else {
        path
    };
    let shown = ctx.shown(&file);
    let decoded = match read_text(&file, &shown) {
        Ok(d) => d,
        Err(e) => {
            ctx.errors.push(e);
            return (Vec::new(), Capabilities::default(), None);
        }
    };
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let head = decoded.text.trim_start_matches('\u{feff}').trim_start();
    let is_json =
        ext == "json" || (ext != "csv" && (head.starts_with('{') || head.starts_with('[')));
    if is_json {
        json_users(ctx, &shown, &decoded.text)
    } else {
        csv_users(ctx, &shown, decoded)
    }
}

fn json_users(
    ctx: &mut SourceCtx,
    shown: &str,
    text: &str,
) -> (Vec<Identity>, Capabilities, Option<String>) {
    let records = match read_pages(text, shown) {
        Ok(r) => r,
        Err(e) => {
            ctx.errors.push(e);
            return (Vec::new(), Capabilities::default(), None);
        }
    };
    ctx.files_read.push(shown.to_string());
    let recs: Vec<Rec> = records
        .iter()
        .enumerate()
        .map(|(i, obj)| Rec {
            obj,
            file: shown,
            record: i as u64 + 1,
            line: None,
        })
        .collect();
    api_users(ctx, &recs)
}

/// Records of `users.json`. Google leaves `users` out of a page that has none: such a page is
/// given an empty list rather than read as a user or rejected.
fn read_pages(text: &str, shown: &str) -> Result<Vec<Map<String, Value>>, LoadError> {
    if !text.contains(PAGE_KIND) {
        return json_records(text, shown, &["users"]);
    }
    let mut values = Vec::new();
    let mut patched = false;
    for v in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
        let Ok(mut v) = v else {
            return json_records(text, shown, &["users"]);
        };
        let pages: Vec<&mut Value> = match &mut v {
            Value::Array(items) => items.iter_mut().collect(),
            other => vec![other],
        };
        for page in pages {
            if let Value::Object(o) = page {
                let empty_page = o.get("kind").and_then(Value::as_str) == Some(PAGE_KIND)
                    && !o.contains_key("users");
                if empty_page {
                    o.insert("users".into(), Value::Array(Vec::new()));
                    patched = true;
                }
            }
        }
        values.push(v);
    }
    if !patched {
        return json_records(text, shown, &["users"]);
    }
    let text: Vec<String> = values.iter().map(Value::to_string).collect();
    json_records(&text.join("\n"), shown, &["users"])
}

/// Users in the Admin SDK shape (JSON, or GAM CSV rows unflattened into it).
fn api_users(ctx: &mut SourceCtx, recs: &[Rec]) -> (Vec<Identity>, Capabilities, Option<String>) {
    let has = |name: &str| recs.iter().any(|r| r.get(name).is_some());
    let countable = !recs.is_empty() && recs.iter().all(|r| r.get("isAdmin").is_some());
    let caps = Capabilities {
        sign_in: has("lastLoginTime"),
        mfa: has("isEnrolledIn2Sv"),
        top_role_countable: countable,
        ..Capabilities::default()
    };
    if !countable && has("isAdmin") {
        ctx.warnings.push(format!(
            "{}: some users lack `isAdmin`: super admins cannot be counted",
            recs[0].file
        ));
    }
    let mut out = Vec::with_capacity(recs.len());
    for rec in recs {
        match api_user(ctx, rec, caps.sign_in) {
            Ok(u) => out.push(u),
            Err(e) => ctx.errors.push(e),
        }
    }
    (out, caps, countable.then(|| TOP_ROLE.to_string()))
}

fn api_user(ctx: &SourceCtx, rec: &Rec, sign_in_exported: bool) -> Result<Identity, LoadError> {
    let email = rec.str("primaryEmail")?;
    let id = match rec.get("id") {
        Some(Value::Number(n)) => {
            return Err(rec.err(
                "id",
                format!("`{n}` is a JSON number: Google ids are 21-digit strings and a number has lost digits; export ids as strings"),
            ))
        }
        _ => rec.str("id")?,
    };
    let id = id
        .or_else(|| email.as_ref().map(|e| e.to_lowercase()))
        .ok_or_else(|| rec.err("id", "missing required field (and no primaryEmail)".into()))?;
    let mut u = Identity::new(
        &ctx.source.name,
        KIND,
        id,
        ctx.provenance(rec.file, rec.record, rec.line),
    );
    u.set_principal_name(email.clone());
    let mut emails: Vec<String> = email.into_iter().collect();
    emails.extend(rec.strings("aliases")?);
    emails.extend(rec.strings("nonEditableAliases")?);
    for e in rec.objects("emails")? {
        emails.extend(rec.sub(e).str("address")?);
    }
    u.emails = dedup(emails);
    u.display_name = match rec.get("name") {
        Some(Value::Object(n)) => {
            let n = rec.sub(n);
            match n.str("fullName")? {
                Some(full) => Some(full),
                None => {
                    let parts: Vec<String> = [n.str("givenName")?, n.str("familyName")?]
                        .into_iter()
                        .flatten()
                        .collect();
                    (!parts.is_empty()).then(|| parts.join(" "))
                }
            }
        }
        _ => rec.str("name")?,
    };
    u.kind = if rec.bool("isGuestUser")? == Some(true) {
        u.kind_evidence.push("isGuestUser=true".into());
        Kind::Guest
    } else if u.principal_name.as_deref().is_some_and(service_name_hint) {
        u.kind_evidence.push("service naming convention".into());
        Kind::ServiceAccount
    } else {
        u.kind_evidence.push("Google Workspace user".into());
        Kind::Human
    };
    let deleted = rec.time("deletionTime", TimeQuality::Absent)?;
    set_status(
        &mut u,
        deleted.at.is_some(),
        rec.bool("suspended")?,
        rec.bool("archived")?,
        rec.str("suspensionReason")?,
    );
    u.created = rec.time("creationTime", TimeQuality::Absent)?;
    let last = if sign_in_exported {
        never_if_epoch(rec.time("lastLoginTime", TimeQuality::Unavailable)?)
    } else {
        Ts::of(TimeQuality::Unavailable)
    };
    u.activity = activity(sign_in_exported, last);
    u.password.must_change = rec.bool("changePasswordAtNextLogin")?;
    u.mfa.registered = rec.bool("isEnrolledIn2Sv")?;
    if u.mfa.registered.is_some() {
        u.mfa.source = Some(format!("{} (record {})", rec.file, rec.record));
    }
    u.mfa.enforced = rec.bool("isEnforcedIn2Sv")?;
    for x in rec.objects("externalIds")? {
        let x = rec.sub(x);
        let organization = x
            .str("type")?
            .is_some_and(|t| t.eq_ignore_ascii_case("organization"));
        if organization && u.employment.employee_id.is_none() {
            u.employment.employee_id = x.str("value")?;
        }
    }
    for r in rec.objects("relations")? {
        let r = rec.sub(r);
        if r.str("type")?
            .is_some_and(|t| t.eq_ignore_ascii_case("manager"))
        {
            u.employment.manager = r.str("value")?;
        }
    }
    let orgs = rec.objects("organizations")?;
    let mut primary = orgs.first().copied();
    for o in &orgs {
        if rec.sub(o).bool("primary")? == Some(true) {
            primary = Some(*o);
        }
    }
    if let Some(o) = primary.map(|o| rec.sub(o)) {
        u.employment.title = o.str("title")?;
        u.employment.department = o.str("department")?;
        u.employment.employee_type = o.str("description")?;
    }
    for (key, alt) in [
        ("customerId", "customer_id"),
        ("orgUnitPath", "org_unit_path"),
    ] {
        if let Some(v) = rec.str(key)? {
            u.alt_ids.insert(alt.into(), v);
        }
    }
    let super_admin = rec.bool("isAdmin")?;
    if super_admin == Some(true) {
        push_role(&mut u, "super-admin", TOP_ROLE, true, "/");
    }
    if rec.bool("isDelegatedAdmin")? == Some(true) {
        push_role(
            &mut u,
            "delegated-admin",
            "Delegated admin (role not named in the users export)",
            false,
            "unknown",
        );
    }
    u.top_role = super_admin;
    Ok(u)
}

fn set_status(
    u: &mut Identity,
    deleted: bool,
    suspended: Option<bool>,
    archived: Option<bool>,
    reason: Option<String>,
) {
    let (status, enabled, raw) = match (deleted, suspended, archived) {
        (true, _, _) => (Status::Deleted, Some(false), "deleted".to_string()),
        (_, Some(true), _) => (
            Status::Suspended,
            Some(false),
            match reason {
                Some(r) => format!("suspended ({r})"),
                None => "suspended".into(),
            },
        ),
        (_, _, Some(true)) => (Status::Disabled, Some(false), "archived".into()),
        // `archived` is a newer field: its absence on an active user means not archived.
        (_, Some(false), _) => (Status::Active, Some(true), "active".into()),
        (_, None, _) => {
            u.status = Status::Unknown;
            return;
        }
    };
    u.status = status;
    u.enabled = enabled;
    u.status_raw = Some(raw);
}

fn activity(known: bool, last: Ts) -> Activity {
    Activity {
        known,
        last_interactive: last.clone(),
        last_non_interactive: Ts::of(TimeQuality::Absent),
        last_successful: Ts::of(TimeQuality::Absent),
        last_any: last,
    }
}

/// The Unix epoch, in whatever zone it was rendered, is Google's "never logged in".
fn never_if_epoch(ts: Ts) -> Ts {
    match ts.at {
        Some(t) if t.timestamp().abs() <= 86_400 => Ts::with(None, TimeQuality::Never, ts.raw),
        _ => ts,
    }
}

fn push_role(u: &mut Identity, id: &str, name: &str, top: bool, scope: &str) {
    u.privileged = Some(true);
    u.roles.push(RoleAssignment {
        role_id: id.into(),
        role_name: Some(name.into()),
        scope: scope.into(),
        // The users export cannot show a time-bound assignment.
        assignment: AssignmentKind::Permanent,
        privileged: true,
        top,
        via_group: None,
        start: Ts::of(TimeQuality::Absent),
        end: Ts::of(TimeQuality::Absent),
        prov: u.prov.clone(),
    });
}

fn dedup(items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items
        .into_iter()
        .filter(|e| seen.insert(e.to_lowercase()))
        .collect()
}

/// A JSON user record with located, type-checked field readers.
struct Rec<'a> {
    obj: &'a Map<String, Value>,
    file: &'a str,
    record: u64,
    line: Option<u64>,
}

impl<'a> Rec<'a> {
    fn err(&self, name: &str, message: String) -> LoadError {
        LoadError {
            file: self.file.into(),
            line: self.line,
            record: Some(self.record),
            field: Some(name.into()),
            message,
        }
    }
    fn get(&self, name: &str) -> Option<&'a Value> {
        field(self.obj, name).filter(|v| !v.is_null())
    }
    fn sub(&self, obj: &'a Map<String, Value>) -> Rec<'a> {
        Rec { obj, ..*self }
    }
    fn str(&self, name: &str) -> Result<Option<String>, LoadError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(non_empty(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(v) => Err(self.err(name, format!("expected a string, found {}", json_type(v)))),
        }
    }
    fn bool(&self, name: &str) -> Result<Option<bool>, LoadError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => parse_bool(s)
                .map(Some)
                .ok_or_else(|| self.err(name, format!("expected a boolean, found `{s}`"))),
            Some(v) => Err(self.err(name, format!("expected a boolean, found {}", json_type(v)))),
        }
    }
    /// A timestamp: missing, null or empty → `missing`; GAM's `Never` → never; else ISO 8601.
    fn time(&self, name: &str, missing: TimeQuality) -> Result<Ts, LoadError> {
        let raw = match self.get(name) {
            None => return Ok(Ts::of(missing)),
            Some(Value::String(s)) if s.trim().is_empty() => return Ok(Ts::of(missing)),
            Some(Value::String(s)) => s.trim(),
            Some(v) => {
                return Err(self.err(
                    name,
                    format!("expected a timestamp string, found {}", json_type(v)),
                ))
            }
        };
        if NEVER.contains(&raw.to_ascii_lowercase().as_str()) {
            return Ok(Ts::with(None, TimeQuality::Never, Some(raw.into())));
        }
        iso(raw).map_err(|m| self.err(name, m))
    }
    /// A list of strings; GAM may also write one cell separated by spaces, commas or `;`.
    fn strings(&self, name: &str) -> Result<Vec<String>, LoadError> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(s
                .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
                .filter_map(non_empty)
                .collect()),
            Some(Value::Array(items)) => items
                .iter()
                .filter(|v| !v.is_null())
                .map(|v| match v {
                    Value::String(s) => Ok(s.trim().to_string()),
                    other => Err(self.err(
                        name,
                        format!("expected strings in the list, found {}", json_type(other)),
                    )),
                })
                .filter(|s| !matches!(s, Ok(s) if s.is_empty()))
                .collect(),
            Some(v) => Err(self.err(name, format!("expected a list, found {}", json_type(v)))),
        }
    }
    fn objects(&self, name: &str) -> Result<Vec<&'a Map<String, Value>>, LoadError> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .filter(|v| !v.is_null())
                .map(|v| {
                    v.as_object().ok_or_else(|| {
                        self.err(
                            name,
                            format!("expected objects in the list, found {}", json_type(v)),
                        )
                    })
                })
                .collect(),
            Some(Value::Object(o)) => Ok(vec![o]),
            Some(v) => Err(self.err(name, format!("expected a list, found {}", json_type(v)))),
        }
    }
}

// ---------- CSV: admin console download, or GAM ----------

fn csv_users(
    ctx: &mut SourceCtx,
    shown: &str,
    decoded: Decoded,
) -> (Vec<Identity>, Capabilities, Option<String>) {
    let table = match CsvTable::parse(decoded, shown) {
        Ok(t) => t,
        Err(e) => {
            ctx.errors.push(e);
            return (Vec::new(), Capabilities::default(), None);
        }
    };
    ctx.files_read.push(shown.to_string());
    ctx.warnings
        .extend(table.warnings.iter().map(|w| format!("{shown}: {w}")));
    if table.column(&["primaryEmail"]).is_some() {
        let objects: Vec<Map<String, Value>> = table
            .rows
            .iter()
            .map(|(_, cells)| unflatten(&table.headers, cells))
            .collect();
        let recs: Vec<Rec> = objects
            .iter()
            .zip(&table.rows)
            .enumerate()
            .map(|(i, (obj, (line, _)))| Rec {
                obj,
                file: shown,
                record: i as u64 + 1,
                line: Some(*line),
            })
            .collect();
        return api_users(ctx, &recs);
    }
    console_users(ctx, shown, &table)
}

/// A GAM row (`name.fullName`, `aliases.0`, `externalIds.0.value`) as the API object it came from.
fn unflatten(headers: &[String], cells: &[String]) -> Map<String, Value> {
    let mut root = Value::Object(Map::new());
    for (h, cell) in headers.iter().zip(cells) {
        let value = cell.trim();
        if !value.is_empty() {
            let path: Vec<&str> = h.trim().split('.').collect();
            insert(&mut root, &path, value);
        }
    }
    match arrays(root) {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn insert(node: &mut Value, path: &[&str], value: &str) {
    let (Value::Object(map), Some((head, rest))) = (node, path.split_first()) else {
        return;
    };
    if rest.is_empty() {
        // A list's count column (`aliases`) never overwrites the list (`aliases.0`).
        if !map.get(*head).is_some_and(Value::is_object) {
            map.insert(head.to_string(), Value::String(value.into()));
        }
        return;
    }
    let child = map
        .entry(head.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if !child.is_object() {
        *child = Value::Object(Map::new());
    }
    insert(child, rest, value);
}

fn arrays(v: Value) -> Value {
    let Value::Object(m) = v else {
        return v;
    };
    let m: Map<String, Value> = m.into_iter().map(|(k, v)| (k, arrays(v))).collect();
    if m.is_empty() || !m.keys().all(|k| k.parse::<usize>().is_ok()) {
        return Value::Object(m);
    }
    let mut items: Vec<(usize, Value)> = m
        .into_iter()
        .map(|(k, v)| (k.parse().unwrap_or(usize::MAX), v))
        .collect();
    items.sort_by_key(|(i, _)| *i);
    Value::Array(items.into_iter().map(|(_, v)| v).collect())
}

/// A console header's base name: `[...]` suffixes dropped, lower-case, spaces collapsed.
pub fn base_name(header: &str) -> String {
    let mut out = String::new();
    let mut depth = 0u32;
    for c in header.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.trim_matches(|c: char| c == '"' || c.is_whitespace())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

struct Console {
    email: usize,
    first: Option<usize>,
    last: Option<usize>,
    status: Option<usize>,
    last_sign_in: Option<usize>,
    enrolled: Option<usize>,
    enforced: Option<usize>,
    employee_id: Option<usize>,
    employee_type: Option<usize>,
    title: Option<usize>,
    manager: Option<usize>,
    department: Option<usize>,
    org_unit: Option<usize>,
    must_change: Option<usize>,
    admin: Option<usize>,
}

fn console_users(
    ctx: &mut SourceCtx,
    shown: &str,
    table: &CsvTable,
) -> (Vec<Identity>, Capabilities, Option<String>) {
    let bases: Vec<String> = table.headers.iter().map(|h| base_name(h)).collect();
    let col = |names: &[&str]| names.iter().find_map(|n| bases.iter().position(|b| b == n));
    let Some(email) = col(&["email address", "email"]) else {
        ctx.errors.push(LoadError::at_line(
            shown,
            1,
            Some("Email Address [Required]"),
            format!(
                "not a Google Workspace user export: no `Email Address [Required]` column (admin console) or `primaryEmail` column (GAM); header has: {}",
                table.headers.join(", ")
            ),
        ));
        return (Vec::new(), Capabilities::default(), None);
    };
    let dates = match DateReader::new(
        ctx.source.date_format.as_deref(),
        ctx.source.locale.as_deref(),
    ) {
        Ok(d) => d,
        Err((key, message)) => {
            ctx.errors.push(LoadError {
                file: shown.into(),
                line: None,
                record: None,
                field: Some(key.into()),
                message,
            });
            return (Vec::new(), Capabilities::default(), None);
        }
    };
    let c = Console {
        email,
        first: col(&["first name"]),
        last: col(&["last name"]),
        status: col(&["status"]),
        last_sign_in: col(&["last sign in", "last login"]),
        enrolled: col(&["2sv enrolled", "2sv enrollment status", "2sv enrollment"]),
        enforced: col(&["2sv enforced", "2sv enforcement status", "2sv enforcement"]),
        employee_id: col(&["employee id"]),
        employee_type: col(&["employee type"]),
        title: col(&["employee title"]),
        manager: col(&["manager email"]),
        department: col(&["department"]),
        org_unit: col(&["org unit path"]),
        must_change: col(&[
            "change password at next sign-in",
            "change password at next sign in",
        ]),
        admin: col(&["admin roles", "admin role", "admin status"]),
    };
    let caps = Capabilities {
        sign_in: c.last_sign_in.is_some(),
        mfa: c.enrolled.is_some(),
        top_role_countable: c.admin.is_some(),
        ..Capabilities::default()
    };
    let mut out = Vec::with_capacity(table.rows.len());
    for (index, (line, cells)) in table.rows.iter().enumerate() {
        let row = ConsoleRow {
            shown,
            table,
            cells,
            record: index as u64 + 1,
            line: *line,
        };
        match console_user(ctx, &row, &c, &dates) {
            Ok(u) => out.push(u),
            Err(e) => ctx.errors.push(e),
        }
    }
    let top = caps.top_role_countable.then(|| TOP_ROLE.to_string());
    (out, caps, top)
}

struct ConsoleRow<'a> {
    shown: &'a str,
    table: &'a CsvTable,
    cells: &'a [String],
    record: u64,
    line: u64,
}

impl ConsoleRow<'_> {
    fn get(&self, col: Option<usize>) -> Option<String> {
        col.and_then(|i| non_empty(&self.cells[i]))
    }
    fn err(&self, col: usize, message: String) -> LoadError {
        LoadError {
            file: self.shown.into(),
            line: Some(self.line),
            record: Some(self.record),
            field: Some(self.table.headers[col].clone()),
            message,
        }
    }
    /// `True`/`False`, or the words `Enrolled` / `Not enrolled`, `Enforced`, `On` / `Off`.
    fn flag(&self, col: Option<usize>) -> Result<Option<bool>, LoadError> {
        let Some(v) = self.get(col) else {
            return Ok(None);
        };
        let word = v.to_ascii_lowercase();
        parse_bool(&v)
            .or(match word.as_str() {
                "enrolled" | "enforced" | "on" => Some(true),
                "not enrolled" | "not enforced" | "off" => Some(false),
                _ => None,
            })
            .map(Some)
            .ok_or_else(|| {
                self.err(
                    col.unwrap_or(0),
                    format!("expected True or False, found `{v}`"),
                )
            })
    }
    fn time(
        &self,
        col: Option<usize>,
        empty: TimeQuality,
        dates: &DateReader,
    ) -> Result<Ts, LoadError> {
        let Some(i) = col else {
            return Ok(Ts::of(TimeQuality::Absent));
        };
        match non_empty(&self.cells[i]) {
            None => Ok(Ts::of(empty)),
            Some(raw) => console_time(&raw, dates).map_err(|m| self.err(i, m)),
        }
    }
}

fn console_user(
    ctx: &SourceCtx,
    r: &ConsoleRow,
    c: &Console,
    dates: &DateReader,
) -> Result<Identity, LoadError> {
    let email = r
        .get(Some(c.email))
        .ok_or_else(|| r.err(c.email, "row has no email address".into()))?;
    let mut u = Identity::new(
        &ctx.source.name,
        KIND,
        email.to_lowercase(),
        ctx.provenance(r.shown, r.record, Some(r.line)),
    );
    u.set_principal_name(Some(email.clone()));
    u.emails = vec![email];
    let name: Vec<String> = [r.get(c.first), r.get(c.last)]
        .into_iter()
        .flatten()
        .collect();
    u.display_name = (!name.is_empty()).then(|| name.join(" "));
    u.kind = if u.principal_name.as_deref().is_some_and(service_name_hint) {
        u.kind_evidence.push("service naming convention".into());
        Kind::ServiceAccount
    } else {
        u.kind_evidence.push("Google Workspace user".into());
        Kind::Human
    };
    if let Some(v) = r.get(c.status) {
        let (suspended, archived, deleted) = match v.to_ascii_lowercase().as_str() {
            "active" => (false, false, false),
            "suspended" | "blocked" => (true, false, false),
            "archived" => (false, true, false),
            "deleted" => (false, false, true),
            _ => {
                return Err(r.err(
                    c.status.unwrap_or(0),
                    format!("`{v}` is not a user status: expected Active, Suspended or Archived"),
                ))
            }
        };
        set_status(&mut u, deleted, Some(suspended), Some(archived), None);
        u.status_raw = Some(v);
    }
    let last = never_if_epoch(r.time(c.last_sign_in, TimeQuality::Unavailable, dates)?);
    u.activity = if c.last_sign_in.is_some() {
        activity(true, last)
    } else {
        activity(false, Ts::of(TimeQuality::Unavailable))
    };
    u.mfa.registered = r.flag(c.enrolled)?;
    if u.mfa.registered.is_some() {
        u.mfa.source = Some(format!("{}:{}", r.shown, r.line));
    }
    u.mfa.enforced = r.flag(c.enforced)?;
    u.password.must_change = r.flag(c.must_change)?;
    u.employment.employee_id = r.get(c.employee_id);
    u.employment.employee_type = r.get(c.employee_type);
    u.employment.title = r.get(c.title);
    u.employment.manager = r.get(c.manager);
    u.employment.department = r.get(c.department);
    if let Some(ou) = r.get(c.org_unit) {
        u.alt_ids.insert("org_unit_path".into(), ou);
    }
    if c.admin.is_some() {
        let cell = r.get(c.admin).unwrap_or_default();
        let mut top = false;
        for role in cell.split([';', ',']).filter_map(non_empty) {
            let lower = role.to_ascii_lowercase();
            if matches!(lower.as_str(), "none" | "no" | "-" | "false") {
                continue;
            }
            let is_top = matches!(
                lower.as_str(),
                "super admin" | "super administrator" | "_seed_admin_role"
            );
            top |= is_top;
            let id = if is_top {
                "super-admin".to_string()
            } else {
                role.clone()
            };
            push_role(
                &mut u,
                &id,
                if is_top { TOP_ROLE } else { &role },
                is_top,
                "unknown",
            );
        }
        u.top_role = Some(top);
    }
    Ok(u)
}

/// A console date cell. The format is undocumented: honour the source's `date_format` / `locale`,
/// else read ISO, culture strings and English month names; a trailing `UTC`/`GMT` makes it exact.
fn console_time(raw: &str, dates: &DateReader) -> Result<Ts, String> {
    let s = raw.trim();
    if NEVER.contains(&s.to_ascii_lowercase().as_str()) {
        return Ok(Ts::with(None, TimeQuality::Never, Some(s.into())));
    }
    if !dates.is_default() {
        return dates.parse(s);
    }
    let (body, utc) = match s.strip_suffix(" UTC").or_else(|| s.strip_suffix(" GMT")) {
        Some(b) => (b.trim(), true),
        None => (s, false),
    };
    let looks_iso = body.len() >= 10 && body.as_bytes()[4] == b'-';
    let parsed = if looks_iso {
        iso(body)
    } else {
        any_text(body, DateOrder::Infer).or_else(|e| month_names(body).ok_or(e))
    };
    let mut ts = parsed.map_err(|_| {
        format!("`{s}` is not a date this loader reads: set `date_format` (strftime) on the source")
    })?;
    if utc && ts.quality == TimeQuality::Local {
        ts.quality = TimeQuality::Exact;
    }
    ts.raw = Some(s.into());
    Ok(ts)
}

fn month_names(s: &str) -> Option<Ts> {
    const WITH_TIME: &[&str] = &[
        "%B %d, %Y, %I:%M:%S %p",
        "%B %d, %Y %I:%M:%S %p",
        "%B %d, %Y, %I:%M %p",
        "%B %d, %Y %I:%M %p",
        "%d %B %Y %H:%M:%S",
        "%d %B %Y %H:%M",
    ];
    const DATE_ONLY: &[&str] = &["%B %d, %Y", "%d %B %Y"];
    let local = |t: NaiveDateTime| Ts::with(Some(t.and_utc()), TimeQuality::Local, Some(s.into()));
    WITH_TIME
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| {
            DATE_ONLY
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .map(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names_drop_suffixes_case_and_spacing() {
        assert_eq!(base_name("Last Sign In [READ ONLY]"), "last sign in");
        assert_eq!(base_name("\"Email  Address [Required]\""), "email address");
        assert_eq!(
            base_name("Recovery Phone [MUST BE IN THE E.164 FORMAT]"),
            "recovery phone"
        );
        assert_eq!(base_name("2sv Enrolled [READ ONLY]"), "2sv enrolled");
    }

    #[test]
    fn epoch_in_any_zone_is_never() {
        for raw in [
            "1970-01-01T00:00:00.000Z",
            "1969-12-31T19:00:00-05:00",
            "1970-01-01T01:00:00+01:00",
        ] {
            assert_eq!(
                never_if_epoch(iso(raw).unwrap()).quality,
                TimeQuality::Never,
                "{raw}"
            );
        }
        assert_eq!(
            never_if_epoch(iso("2024-01-02T15:04:05.000Z").unwrap()).quality,
            TimeQuality::Exact
        );
    }

    #[test]
    fn console_dates_month_names_and_utc_suffix() {
        let d = DateReader::new(None, None).unwrap();
        let t = console_time("January 2, 2024, 3:04:05 PM", &d).unwrap();
        assert_eq!(
            (t.at.unwrap().to_rfc3339().as_str(), t.quality),
            ("2024-01-02T15:04:05+00:00", TimeQuality::Local)
        );
        let t = console_time("2024/01/02 15:04:05 UTC", &d).unwrap();
        assert_eq!(
            (t.at.unwrap().to_rfc3339().as_str(), t.quality),
            ("2024-01-02T15:04:05+00:00", TimeQuality::Exact)
        );
        assert_eq!(
            console_time("03/04/2024 10:00", &d).unwrap().quality,
            TimeQuality::Ambiguous
        );
        assert_eq!(
            console_time("Never logged in", &d).unwrap().quality,
            TimeQuality::Never
        );
        assert!(console_time("sometime", &d).is_err());
    }

    #[test]
    fn gam_rows_unflatten_into_api_objects() {
        let headers: Vec<String> = [
            "primaryEmail",
            "name.fullName",
            "aliases",
            "aliases.0",
            "aliases.1",
            "externalIds.0.type",
            "externalIds.0.value",
        ]
        .map(String::from)
        .to_vec();
        let cells: Vec<String> = [
            "a@x.com",
            "A X",
            "2",
            "b@x.com",
            "c@x.com",
            "organization",
            "E1",
        ]
        .map(String::from)
        .to_vec();
        let v = Value::Object(unflatten(&headers, &cells));
        assert_eq!(
            v,
            serde_json::json!({"primaryEmail":"a@x.com","name":{"fullName":"A X"},"aliases":["b@x.com","c@x.com"],"externalIds":[{"type":"organization","value":"E1"}]})
        );
    }
}
