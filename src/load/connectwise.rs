//! `connectwise`: ConnectWise Manage / PSA members (`/system/members`) and API members
//! (`/system/apiMembers`) as the REST API returns them: one JSON file, a bare array or several
//! pages of one (concatenated, or saved into an outer array).
//!
//! Decisions (export-formats.md §8.1, where the product leaves room):
//! - **Kind.** A member is the MSP's staff: `technician` (a service naming convention on the
//!   login makes it a `service_account`). An API member is a `service_account`, recognised per
//!   record by `licenseClass = "A"` (the API's "API Member" class) or by the apiMembers shape
//!   (`name` / `emailAddress`, no `firstName` / `lastName`), and per file when no record has
//!   `firstName`, `lastName` or `licenseClass`: then the file is an apiMembers export. A trimmed
//!   members export (`fields=`) must therefore keep one of those three. API members' ids live in
//!   their own id space, so their `object_id` is `api-member/<id>`.
//! - **Top role: `Admin`.** `adminFlag: true` is a standing top-role assignment (role id
//!   `adminFlag`); so is a security role named `Admin` or `Administrator`. Any other security
//!   role whose name mentions "admin" is privileged, not top. Custom security roles are known by
//!   name only: the export carries no permissions, so a custom role without "admin" in its name
//!   counts as not privileged.
//! - **`lastLogin`** is typed as a string whose format is unverified: ISO 8601 first, then any
//!   export date form (`locale` decides day/month order). A value that still cannot be read
//!   hides only that member's activity (`unavailable`, with one warning naming file, record and
//!   value) rather than failing the source. `null` is never; a member without the key, in a file
//!   where others have it, is unknown; no key anywhere means the export lacks sign-in data.
//! - **MFA** is shown only as `timebasedOneTimePasswordActivated: true`; false or missing is
//!   unknown, since ConnectWise SSO or an identity provider may do MFA outside this export.
//!
//! This file also holds the small JSON export reader the MSP-tool loaders share (`datto`,
//! `ninjaone`, `itglue`): [`read_export`] and [`Rec`]. It never judges anything.

use super::text::{json_type, read_text, unflattened_type_name};
use super::time::{any_text, epoch, iso, DateOrder};
use super::{non_empty, service_name_hint, LoadError, SourceCtx};
use crate::model::*;
use serde_json::{Map, Value};

const SHAPE: Shape = Shape {
    lists: &[],
    record_keys: &["identifier"],
};

pub fn load(ctx: &mut SourceCtx) -> (Vec<Identity>, Capabilities, Option<String>) {
    let order = match DateOrder::from_locale(ctx.source.locale.as_deref()) {
        Ok(o) => o,
        Err(m) => {
            let mut e = LoadError::file(&ctx.shown(&ctx.path), m);
            e.field = Some("locale".into());
            ctx.errors.push(e);
            return (Vec::new(), Capabilities::default(), None);
        }
    };
    let Some(export) = read_export(ctx, &SHAPE) else {
        return (Vec::new(), Capabilities::default(), None);
    };
    let any = |key: &str| export.recs().any(|r| r.has(key));
    let api_file = !(any("firstName") || any("lastName") || any("licenseClass"));
    let roles = any("securityRole") || any("adminFlag");
    let caps = Capabilities {
        sign_in: any("lastLogin"),
        mfa: false,
        roles,
        jit: Some(false),
        owners: false,
        top_role_countable: roles,
    };
    let mut unreadable = Vec::new();
    let results: Vec<_> = export
        .recs()
        .map(|rec| member(ctx, &rec, api_file, caps.sign_in, order, &mut unreadable))
        .collect();
    let identities = collect(ctx, results);
    if let Some(first) = unreadable.first() {
        ctx.warnings.push(format!(
            "{} member(s) have a `lastLogin` that is not a readable date (first: {first}); their sign-in activity is unknown",
            unreadable.len()
        ));
    }
    (identities, caps, Some("Admin".into()))
}

fn member(
    ctx: &SourceCtx,
    rec: &Rec,
    api_file: bool,
    sign_in: bool,
    order: DateOrder,
    unreadable: &mut Vec<String>,
) -> Result<Identity, LoadError> {
    let id = rec.id("id")?;
    let login = rec.str("identifier")?;
    let license = rec.str("licenseClass")?;
    let api_shape = !rec.has("firstName") && !rec.has("lastName");
    let api = if license
        .as_deref()
        .is_some_and(|l| l.eq_ignore_ascii_case("A"))
    {
        Some("licenseClass=A (API member)")
    } else if api_shape && (rec.has("emailAddress") || rec.has("name")) {
        Some("apiMembers record (name/emailAddress, no firstName/lastName)")
    } else if api_shape && api_file {
        Some("apiMembers export (no record has firstName, lastName or licenseClass)")
    } else {
        None
    };
    let key = id
        .clone()
        .or_else(|| login.clone())
        .ok_or_else(|| rec.err("id", "missing: a member needs `id` or `identifier`".into()))?;
    let object_id = match api {
        Some(_) => format!("api-member/{key}"),
        None => key,
    };
    let mut u = Identity::new(
        &ctx.source.name,
        "connectwise",
        object_id,
        ctx.provenance(rec.file, rec.index, None),
    );
    if let Some(id) = id {
        u.alt_ids.insert("member_id".into(), id);
    }
    if let Some(class) = &license {
        u.alt_ids.insert("license_class".into(), class.clone());
    }
    u.display_name = match rec.str("fullName")? {
        Some(full) => Some(full),
        None => full_name(rec.str("firstName")?, rec.str("lastName")?).or(rec.str("name")?),
    };
    u.emails = emails(rec)?;
    u.kind = match api {
        Some(why) => {
            u.kind_evidence.push(why.into());
            Kind::ServiceAccount
        }
        None if login.as_deref().is_some_and(service_name_hint) => {
            u.kind_evidence.push("service naming convention".into());
            Kind::ServiceAccount
        }
        None => {
            u.kind_evidence.push(match license.as_deref() {
                Some("X") => "ConnectWise member, licenseClass=X (subcontractor)".into(),
                Some(c) => format!("ConnectWise member (MSP staff), licenseClass={c}"),
                None => "ConnectWise member (MSP staff)".into(),
            });
            Kind::Technician
        }
    };
    u.set_principal_name(login);

    let inactive_date = rec.time("inactiveDate", TimeQuality::Absent)?;
    let inactive = rec
        .bool("inactiveFlag")?
        .or_else(|| inactive_date.is_known().then_some(true));
    u.enabled = inactive.map(|i| !i);
    u.status = match inactive {
        Some(true) => Status::Disabled,
        Some(false) => Status::Active,
        None => Status::Unknown,
    };
    u.status_raw = inactive.map(|i| format!("inactiveFlag={i}"));
    if inactive == Some(true) {
        u.employment.leave_date = inactive_date;
    }
    u.employment.hire_date = rec.time("hireDate", TimeQuality::Absent)?;
    u.employment.title = rec.str("title")?;
    // The API spells it `employeeIdentifer`; accept the corrected spelling too.
    u.employment.employee_id = rec
        .str("employeeIdentifer")?
        .or(rec.str("employeeIdentifier")?);
    if let Some(t) = rec.object("type")? {
        u.employment.employee_type = t.str("name")?;
    }
    if let Some(m) = rec.object("reportsTo")? {
        u.employment.manager = m.str("identifier")?.or(m.str("name")?);
    }
    u.created = Ts::of(TimeQuality::Unavailable);
    u.roles = roles(ctx, rec)?;
    if rec.bool("timebasedOneTimePasswordActivated")? == Some(true) {
        u.mfa.registered = Some(true);
        u.mfa.methods = vec!["totp".into()];
        u.mfa.source = Some(format!("{} (record {})", rec.file, rec.index));
    }
    u.activity = activity(rec, sign_in, order, unreadable)?;
    Ok(u)
}

/// Office, primary and default e-mail, first the one `defaultEmail` names. `defaultEmail` is
/// either an address or which address is the default (`Office`, `Mobile`, `Home`).
fn emails(rec: &Rec) -> Result<Vec<String>, LoadError> {
    let mut out: Vec<String> = Vec::new();
    let default = rec.str("defaultEmail")?;
    let mut keys = vec!["officeEmail", "primaryEmail", "emailAddress"];
    match default.as_deref() {
        Some(d) if d.contains('@') => out.push(d.to_string()),
        Some(d) if d.eq_ignore_ascii_case("mobile") => keys.insert(0, "mobileEmail"),
        Some(d) if d.eq_ignore_ascii_case("home") => keys.insert(0, "homeEmail"),
        _ => {}
    }
    for key in keys {
        if let Some(mail) = rec.str(key)? {
            if !out.iter().any(|m| m.eq_ignore_ascii_case(&mail)) {
                out.push(mail);
            }
        }
    }
    Ok(out)
}

fn roles(ctx: &SourceCtx, rec: &Rec) -> Result<Vec<RoleAssignment>, LoadError> {
    let mut out = Vec::new();
    if rec.bool("adminFlag")? == Some(true) {
        out.push(role(
            ctx,
            rec,
            "adminFlag".into(),
            Some("Admin (adminFlag)".into()),
            true,
            true,
        ));
    }
    if let Some(r) = rec.object("securityRole")? {
        let name = r.str("name")?;
        let id = r
            .id("id")?
            .or(name.clone())
            .ok_or_else(|| rec.err("securityRole", "has neither `id` nor `name`".into()))?;
        let top = name.as_deref().is_some_and(|n| {
            n.eq_ignore_ascii_case("admin") || n.eq_ignore_ascii_case("administrator")
        });
        let privileged = top || name.as_deref().is_some_and(mentions_admin);
        out.push(role(ctx, rec, id, name, privileged, top));
    }
    Ok(out)
}

fn activity(
    rec: &Rec,
    sign_in: bool,
    order: DateOrder,
    unreadable: &mut Vec<String>,
) -> Result<Activity, LoadError> {
    if !sign_in {
        return Ok(unknown_activity());
    }
    let last = match rec.raw("lastLogin") {
        None => return Ok(unknown_activity()),
        Some(Value::Null) => Ts::of(TimeQuality::Never),
        Some(Value::String(s)) if s.trim().is_empty() => Ts::of(TimeQuality::Never),
        Some(Value::String(s)) => match iso(s).or_else(|_| any_text(s, order)) {
            Ok(t) if t.quality != TimeQuality::Ambiguous => t,
            _ => {
                unreadable.push(format!("{} record {}: `{s}`", rec.file, rec.index));
                return Ok(unknown_activity());
            }
        },
        Some(v) => {
            return Err(rec.err(
                "lastLogin",
                format!("expected a date string, found {}", json_type(v)),
            ))
        }
    };
    Ok(Activity {
        last_interactive: last.clone(),
        last_any: last,
        known: true,
        ..Activity::default()
    })
}

// ---------- the JSON export reader shared by the MSP-tool loaders ----------

/// Where a product's records sit in its export.
pub(super) struct Shape {
    /// Array keys of the product's paging envelope (`users`, `data`); Graph-style `value`
    /// (also PowerShell's `ConvertTo-Json -InputObject`) is always accepted.
    pub lists: &'static [&'static str],
    /// Keys that mark a lone top-level object as one record: PowerShell writes a one-element
    /// array as a bare object.
    pub record_keys: &'static [&'static str],
}

/// One JSON export: its records (numbered 1.. in file order across pages) and the paging
/// envelopes they came in, so a loader can tell a complete export from page 1 of several.
pub(super) struct Export {
    pub shown: String,
    pub records: Vec<Map<String, Value>>,
    /// Each page envelope, without its record list.
    pub envelopes: Vec<Value>,
}

impl Export {
    pub fn recs(&self) -> impl Iterator<Item = Rec<'_>> {
        self.records.iter().enumerate().map(|(i, obj)| Rec {
            obj,
            file: &self.shown,
            index: i as u64 + 1,
            prefix: String::new(),
        })
    }

    /// True when every saved page says another follows (at any of the JSON pointers `next`):
    /// the last page is not in the file.
    pub fn pages_missing(&self, next: &[&str]) -> bool {
        let says_more = |v: &Value| match v {
            Value::Null => false,
            Value::String(s) => !s.trim().is_empty(),
            _ => true,
        };
        !self.envelopes.is_empty()
            && self
                .envelopes
                .iter()
                .all(|e| next.iter().any(|p| e.pointer(p).is_some_and(says_more)))
    }

    fn item(&mut self, item: Value, shape: &Shape, outer: bool) -> Result<(), LoadError> {
        match item {
            Value::Object(obj) if outer && list_of(&obj, shape).is_some() => {
                self.envelope(obj, shape)
            }
            Value::Object(obj) => {
                self.records.push(obj);
                Ok(())
            }
            // Pages saved one after another into an outer array.
            Value::Array(page) if outer => page
                .into_iter()
                .try_for_each(|i| self.item(i, shape, false)),
            other => Err(LoadError::at_record(
                &self.shown,
                self.records.len() as u64 + 1,
                None,
                format!("expected an object, found {}", json_type(&other)),
            )),
        }
    }

    fn envelope(&mut self, mut obj: Map<String, Value>, shape: &Shape) -> Result<(), LoadError> {
        if let Some(Value::Array(list)) = list_of(&obj, shape).and_then(|k| obj.remove(&k)) {
            for item in list {
                self.item(item, shape, false)?;
            }
        }
        self.envelopes.push(Value::Object(obj));
        Ok(())
    }

    fn top_object(&mut self, mut obj: Map<String, Value>, shape: &Shape) -> Result<(), LoadError> {
        if list_of(&obj, shape).is_some() {
            return self.envelope(obj, shape);
        }
        // A JSON:API single resource: `{"data": {...}}`.
        if let Some(key) = shape
            .lists
            .iter()
            .find(|k| obj.get(**k).is_some_and(Value::is_object))
        {
            if let Some(Value::Object(one)) = obj.remove(*key) {
                self.records.push(one);
            }
            self.envelopes.push(Value::Object(obj));
            return Ok(());
        }
        if shape.record_keys.iter().any(|k| lookup(&obj, k).is_some()) {
            self.records.push(obj);
            return Ok(());
        }
        let keys: Vec<&str> = obj.keys().take(6).map(String::as_str).collect();
        let lists: Vec<String> = std::iter::once("value")
            .chain(shape.lists.iter().copied())
            .map(|k| format!("`{k}`"))
            .collect();
        Err(LoadError::file(
            &self.shown,
            format!(
                "expected an array of records or a page object with {}, found an object with keys [{}]",
                lists.join(" or "),
                keys.join(", ")
            ),
        ))
    }
}

fn list_of(obj: &Map<String, Value>, shape: &Shape) -> Option<String> {
    std::iter::once("value")
        .chain(shape.lists.iter().copied())
        .find(|k| obj.get(*k).is_some_and(Value::is_array))
        .map(str::to_string)
}

/// Read the source's JSON file; problems go to `ctx.errors` and give `None`.
pub(super) fn read_export(ctx: &mut SourceCtx, shape: &Shape) -> Option<Export> {
    let path = ctx.path.clone();
    let shown = ctx.shown(&path);
    if path.is_dir() {
        let mut e = LoadError::file(
            &shown,
            format!(
                "a `{}` source reads one JSON file, but `path` is a folder",
                ctx.source.kind
            ),
        );
        e.field = Some("path".into());
        ctx.errors.push(e);
        return None;
    }
    let decoded = match read_text(&path, &shown) {
        Ok(d) => d,
        Err(e) => {
            ctx.errors.push(e);
            return None;
        }
    };
    ctx.warnings
        .extend(decoded.warnings.iter().map(|w| format!("{shown}: {w}")));
    match parse_export(&decoded.text, &shown, shape) {
        Ok(export) => {
            if export.records.is_empty() {
                ctx.warnings
                    .push(format!("{shown}: the export holds no records"));
            }
            ctx.files_read.push(shown);
            Some(export)
        }
        Err(e) => {
            ctx.errors.push(e);
            None
        }
    }
}

/// Records of any container shape: a bare array, pages concatenated or saved in an outer array,
/// the product's envelope (one or several), a JSON:API single resource, or one bare record.
pub(super) fn parse_export(text: &str, shown: &str, shape: &Shape) -> Result<Export, LoadError> {
    let mut export = Export {
        shown: shown.to_string(),
        records: Vec::new(),
        envelopes: Vec::new(),
    };
    let mut values = 0;
    for item in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
        let value = item.map_err(|e| {
            LoadError::at_line(shown, e.line() as u64, None, format!("malformed JSON: {e}"))
        })?;
        values += 1;
        match value {
            Value::Array(items) => {
                for item in items {
                    export.item(item, shape, true)?;
                }
            }
            Value::Object(obj) => export.top_object(obj, shape)?,
            other => {
                return Err(LoadError::file(
                    shown,
                    format!(
                        "expected an array or a page object, found {}",
                        json_type(&other)
                    ),
                ))
            }
        }
    }
    if values == 0 {
        return Err(LoadError::file(
            shown,
            "the file holds no JSON at all (an interrupted export?)".into(),
        ));
    }
    Ok(export)
}

/// Key lookup that tolerates camelCase, PascalCase, kebab-case and snake_case spellings.
fn lookup<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    fn fold(s: &str) -> impl Iterator<Item = char> + '_ {
        s.chars()
            .filter(|c| *c != '-' && *c != '_')
            .map(|c| c.to_ascii_lowercase())
    }
    obj.get(name).or_else(|| {
        obj.iter()
            .find(|(k, _)| fold(k).eq(fold(name)))
            .map(|(_, v)| v)
    })
}

/// A value PowerShell wrote instead of the data: `@{id=12; name=...}` or a .NET type name
/// (ConvertTo-Json below the object's depth).
fn powershell_stub(s: &str) -> bool {
    s.starts_with("@{") || unflattened_type_name(s)
}

/// One record, with field readers that report a bad value as a located error.
pub(super) struct Rec<'a> {
    obj: &'a Map<String, Value>,
    pub file: &'a str,
    pub index: u64,
    /// Path of this object inside the record (`attributes.`), for error fields.
    prefix: String,
}

impl<'a> Rec<'a> {
    pub fn err(&self, field: &str, message: String) -> LoadError {
        LoadError::at_record(
            self.file,
            self.index,
            Some(&format!("{}{field}", self.prefix)),
            message,
        )
    }
    /// The value, `null` included; `None` when the key is absent.
    pub fn raw(&self, name: &str) -> Option<&'a Value> {
        lookup(self.obj, name)
    }
    pub fn has(&self, name: &str) -> bool {
        self.raw(name).is_some()
    }
    fn get(&self, name: &str) -> Option<&'a Value> {
        self.raw(name).filter(|v| !v.is_null())
    }
    pub fn str(&self, name: &str) -> Result<Option<String>, LoadError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(non_empty(s)),
            Some(v) => Err(self.err(name, format!("expected a string, found {}", json_type(v)))),
        }
    }
    /// An id, written as a string or an integer.
    pub fn id(&self, name: &str) -> Result<Option<String>, LoadError> {
        match self.get(name) {
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(Some(n.to_string())),
            Some(Value::Number(n)) => Err(self.err(name, format!("`{n}` is not an integer id"))),
            _ => self.str(name),
        }
    }
    pub fn bool(&self, name: &str) -> Result<Option<bool>, LoadError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => super::parse_bool(s)
                .map(Some)
                .ok_or_else(|| self.err(name, format!("expected a boolean, found `{s}`"))),
            Some(v) => Err(self.err(name, format!("expected a boolean, found {}", json_type(v)))),
        }
    }
    /// A nested object, read with the same located errors.
    pub fn object(&self, name: &str) -> Result<Option<Rec<'a>>, LoadError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(obj)) => Ok(Some(Rec {
                obj,
                file: self.file,
                index: self.index,
                prefix: format!("{}{name}.", self.prefix),
            })),
            Some(v) => Err(self.not_data(name, v, "an object")),
        }
    }
    pub fn list(&self, name: &str) -> Result<Option<&'a Vec<Value>>, LoadError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(v) => Err(self.not_data(name, v, "an array")),
        }
    }
    fn not_data(&self, name: &str, v: &Value, want: &str) -> LoadError {
        match v {
            Value::String(s) if powershell_stub(s) => self.err(
                name,
                format!("`{s}` is what PowerShell writes for a nested value it did not serialise: re-export with ConvertTo-Json -Depth 10"),
            ),
            _ => self.err(name, format!("expected {want}, found {}", json_type(v))),
        }
    }
    /// An ISO 8601 timestamp: key absent → `absent`, `null` or empty → `null_means`.
    pub fn time(&self, name: &str, null_means: TimeQuality) -> Result<Ts, LoadError> {
        match self.raw(name) {
            None => Ok(Ts::of(TimeQuality::Absent)),
            Some(Value::Null) => Ok(Ts::of(null_means)),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(Ts::of(null_means)),
            Some(Value::String(s)) if s.contains("Date(") => {
                // PowerShell 5.1 ConvertTo-Json writes DateTime as \/Date(ms)\/.
                any_text(s, DateOrder::Infer).map_err(|m| self.err(name, m))
            }
            Some(Value::String(s)) => iso(s).map_err(|m| self.err(name, m)),
            Some(v) => Err(self.err(
                name,
                format!("expected a timestamp string, found {}", json_type(v)),
            )),
        }
    }
    /// An epoch integer, seconds or milliseconds told by magnitude (above 1e11 = ms). Absent →
    /// `absent`; `null`, empty or `0` → `zero_means`. A numeric string or an ISO string is read too.
    pub fn epoch(&self, name: &str, zero_means: TimeQuality) -> Result<Ts, LoadError> {
        let (n, raw) = match self.raw(name) {
            None => return Ok(Ts::of(TimeQuality::Absent)),
            Some(Value::Null) => return Ok(Ts::of(zero_means)),
            Some(Value::Number(n)) => {
                let whole = n.as_i64().or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e18)
                        .map(|f| f as i64)
                });
                match whole {
                    Some(w) => (w, n.to_string()),
                    None => return Err(self.err(name, format!("`{n}` is not an epoch integer"))),
                }
            }
            Some(Value::String(s)) if s.trim().is_empty() => return Ok(Ts::of(zero_means)),
            Some(Value::String(s)) => match s.trim().parse::<i64>() {
                Ok(n) => (n, s.clone()),
                Err(_) => return iso(s).map_err(|m| self.err(name, m)),
            },
            Some(v) => {
                return Err(self.err(
                    name,
                    format!("expected an epoch integer, found {}", json_type(v)),
                ))
            }
        };
        match n {
            0 => Ok(Ts::with(None, zero_means, Some(raw))),
            n if n < 0 => Err(self.err(name, format!("epoch `{raw}` is negative"))),
            n => epoch(n, &raw).map_err(|m| self.err(name, m)),
        }
    }
}

/// Errors to `ctx.errors`, identities out: no record is dropped without a located error.
pub(super) fn collect(
    ctx: &mut SourceCtx,
    results: Vec<Result<Identity, LoadError>>,
) -> Vec<Identity> {
    let mut out = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(u) => out.push(u),
            Err(e) => ctx.errors.push(e),
        }
    }
    out
}

/// A standing, tenant-wide role held directly: the only kind these products have.
pub(super) fn role(
    ctx: &SourceCtx,
    rec: &Rec,
    id: String,
    name: Option<String>,
    privileged: bool,
    top: bool,
) -> RoleAssignment {
    RoleAssignment {
        role_id: id,
        role_name: name,
        scope: "/".into(),
        assignment: AssignmentKind::Permanent,
        privileged,
        top,
        via_group: None,
        start: Ts::of(TimeQuality::Absent),
        end: Ts::of(TimeQuality::Never),
        prov: ctx.provenance(rec.file, rec.index, None),
    }
}

/// Sign-in activity the export cannot show.
pub(super) fn unknown_activity() -> Activity {
    let ts = Ts::of(TimeQuality::Unavailable);
    Activity {
        last_interactive: ts.clone(),
        last_non_interactive: ts.clone(),
        last_successful: ts.clone(),
        last_any: ts,
        known: false,
    }
}

pub(super) fn full_name(first: Option<String>, last: Option<String>) -> Option<String> {
    match (first, last) {
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (f, l) => f.or(l),
    }
}

pub(super) fn mentions_admin(name: &str) -> bool {
    name.to_ascii_lowercase().contains("admin")
}
