//! `gdap`: Microsoft Partner Center granular delegated admin privileges (a folder).
//!
//! Reads `delegatedAdminRelationships.json` (required) and the access assignments, either nested
//! as `accessAssignments` in each relationship or in `delegatedAdminAccessAssignments.json` with
//! a `relationshipId` on each (export scripts add it; the Graph objects lack it). Any container
//! shape of Graph exports is accepted (one page, several, a bare array, one bare object).
//!
//! Decisions (export-formats.md §2):
//! - Each relationship is one identity of kind `delegation`: object id = relationship id,
//!   `clients.ids` = the customer's tenant id (how the estate attributes it to a tenant).
//! - `status` is kept as written. `active`, `expiring`, `terminationRequested` and
//!   `terminating` still grant access (enabled); `created`, `approvalPending`, `approved` and
//!   `activating` do not yet; `expired` and `terminated` no longer. Anything else is unknown.
//! - `duration` and `autoExtendDuration` are ISO 8601 durations read into whole days, a part
//!   day counting as a day (`P2Y` = 730, `P1M` = 30, `PT8H` = 1, `PT0S` = 0). A malformed one
//!   is a located error. Without `duration`, `endDateTime - activatedDateTime` stands in.
//! - Roles are the relationship's `accessDetails.unifiedRoles` (the ceiling the customer
//!   approved), each a `delegated` assignment; privileged and top by the Entra template list.
//!   Without `accessDetails` the relationship's roles are unknown (`privileged` null).
//! - Access containers (security groups in the MSP's tenant) with their roles and status;
//!   without either assignment source they are unknown, said in `files_missing`.
//!
//! It never judges: whether a role, a duration or an auto-extension is too much is PRIV-007's.

use super::connectwise::{parse_export, unknown_activity, Shape};
use super::entra::{GLOBAL_ADMIN, PRIVILEGED_ROLES};
use super::text::{field, json_type, read_text};
use super::time::iso;
use super::{non_empty, LoadError, SourceCtx};
use crate::model::*;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

const RELATIONSHIPS: &str = "delegatedAdminRelationships.json";
const ASSIGNMENTS: &str = "delegatedAdminAccessAssignments.json";

/// Built-in Entra roles often granted through GDAP that the privileged list does not name
/// (template id, name): names only, for messages and `msp_allowed_roles` matching by name.
const OTHER_ROLES: &[(&str, &str)] = &[
    ("88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "Directory Readers"),
    (
        "f023fd81-a637-4b56-95fd-791ac0226033",
        "Service Support Administrator",
    ),
    (
        "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
        "License Administrator",
    ),
    (
        "b0f54661-2d74-4c50-afa3-1ec803f12efe",
        "Billing Administrator",
    ),
    (
        "fdd7a751-b60b-444a-984c-02652fe8fa1c",
        "Groups Administrator",
    ),
    (
        "69091246-20e8-4a56-aa4d-066075b2a7a8",
        "Teams Administrator",
    ),
    (
        "baf37b3a-610e-45da-9e62-d9d1e5e8914b",
        "Teams Communications Administrator",
    ),
    ("4a5d8f65-41da-4de4-8968-e035b65339cf", "Reports Reader"),
    (
        "790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b",
        "Message Center Reader",
    ),
    (
        "31392ffb-586c-42d1-9346-e59415a2cc4e",
        "Exchange Recipient Administrator",
    ),
    (
        "17315797-102d-40b4-93e0-432062caca18",
        "Compliance Administrator",
    ),
    (
        "11648597-926c-4cf3-9c36-bcebb0ba8dcc",
        "Power Platform Administrator",
    ),
    (
        "44367163-eba1-44c3-98af-f5787879f96a",
        "Dynamics 365 Administrator",
    ),
    (
        "11451d60-acb2-45eb-a7d6-43d0f0125c13",
        "Windows 365 Administrator",
    ),
    (
        "2b745bdf-0803-4d80-aa65-822c4493daac",
        "Office Apps Administrator",
    ),
    (
        "644ef478-e28f-4e28-b9dc-3fdde9aa0b1f",
        "Printer Administrator",
    ),
    (
        "75934031-6c7e-415a-99d7-48dbd49e875e",
        "Usage Summary Reports Reader",
    ),
    ("95e79109-95c0-4d8e-aee3-d01accf2d47b", "Guest Inviter"),
];

/// Relationship statuses: (status, normalised status, grants access now).
const STATUSES: &[(&str, Status, Option<bool>)] = &[
    ("active", Status::Active, Some(true)),
    ("expiring", Status::Active, Some(true)),
    ("terminationRequested", Status::Active, Some(true)),
    ("terminating", Status::Active, Some(true)),
    ("created", Status::Staged, Some(false)),
    ("approvalPending", Status::PendingInvite, Some(false)),
    ("approved", Status::Staged, Some(false)),
    ("activating", Status::Staged, Some(false)),
    ("expired", Status::Expired, Some(false)),
    ("terminated", Status::Deprovisioned, Some(false)),
];

pub fn load(ctx: &mut SourceCtx) -> (Vec<Identity>, Capabilities, Option<String>) {
    let mut caps = Capabilities {
        jit: Some(false),
        ..Capabilities::default()
    };
    let Some((rel_file, relationships)) = read(ctx, RELATIONSHIPS, true) else {
        return (Vec::new(), caps, None);
    };
    let separate = read(ctx, ASSIGNMENTS, false);
    let mut notes = Notes::default();
    let mut identities = Vec::with_capacity(relationships.len());
    for (n, obj) in relationships.iter().enumerate() {
        let rec = Obj::top(obj, &rel_file, n as u64 + 1);
        match relationship(ctx, &rec, &mut notes) {
            Ok(u) => identities.push(u),
            Err(e) => ctx.errors.push(e),
        }
    }
    // `roles` says every relationship's roles are known; one without accessDetails keeps
    // `privileged` null (normalise would otherwise read "no roles" as a real no).
    caps.roles = relationships
        .iter()
        .all(|r| field(r, "accessDetails").is_some_and(|v| !v.is_null()));
    if !caps.roles && !relationships.is_empty() {
        ctx.warnings.push(format!(
            "{rel_file}: relationship(s) without `accessDetails`: their roles are unknown"
        ));
    }
    let nested = relationships
        .iter()
        .filter(|r| field(r, "accessAssignments").is_some())
        .count();
    if let Some((file, records)) = &separate {
        attach(ctx, file, records, &mut identities);
    } else if nested == 0 {
        ctx.files_missing.push(format!(
            "{ASSIGNMENTS}: access containers unknown (no relationship carries nested `accessAssignments` either)"
        ));
    } else if nested < relationships.len() {
        ctx.warnings.push(format!(
            "{rel_file}: {} relationship(s) carry no `accessAssignments` and {ASSIGNMENTS} is absent: their access containers are unknown",
            relationships.len() - nested
        ));
    }
    for u in &mut identities {
        if let Some(d) = &mut u.delegation {
            d.access_containers
                .sort_by(|a, b| a.group_id.cmp(&b.group_id));
        }
    }
    notes.report(ctx, &rel_file);
    (identities, caps, None)
}

/// Values seen across the file that are reported once rather than per record.
#[derive(Default)]
struct Notes {
    odd_status: BTreeSet<String>,
    unknown_roles: BTreeSet<String>,
    no_customer: usize,
}

impl Notes {
    fn report(&self, ctx: &mut SourceCtx, file: &str) {
        let list = |s: &BTreeSet<String>| {
            s.iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !self.odd_status.is_empty() {
            ctx.warnings.push(format!(
                "{file}: unrecognised relationship `status` value(s) {}: whether they grant access is unknown",
                list(&self.odd_status)
            ));
        }
        if !self.unknown_roles.is_empty() {
            ctx.warnings.push(format!(
                "{file}: role id(s) {} are not known Entra built-in role templates: name unknown, counted as not privileged",
                list(&self.unknown_roles)
            ));
        }
        if self.no_customer > 0 {
            ctx.warnings.push(format!(
                "{file}: {} relationship(s) that grant access name no `customer.tenantId`: they cannot be attributed to a tenant",
                self.no_customer
            ));
        }
    }
}

fn read(
    ctx: &mut SourceCtx,
    name: &str,
    required: bool,
) -> Option<(String, Vec<Map<String, Value>>)> {
    let path = ctx.path.join(name);
    let shown = ctx.shown(&path);
    if !path.is_file() {
        if required {
            ctx.errors.push(LoadError::file(
                &shown,
                format!("required file `{name}` is missing from the gdap export folder"),
            ));
        }
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
    // A lone object is one record when PowerShell unwrapped a one-element array.
    let shape = Shape {
        lists: &[],
        record_keys: &["accessDetails", "accessContainer", "customer"],
    };
    match parse_export(&decoded.text, &shown, &shape) {
        Ok(export) => {
            ctx.files_read.push(shown.clone());
            Some((shown, export.records))
        }
        Err(e) => {
            ctx.errors.push(e);
            None
        }
    }
}

fn relationship(ctx: &SourceCtx, rec: &Obj, notes: &mut Notes) -> Result<Identity, LoadError> {
    let id = rec.required("id")?;
    let mut u = Identity::new(
        &ctx.source.name,
        "gdap",
        id,
        ctx.provenance(rec.file, rec.index, None),
    );
    u.display_name = rec.str("displayName")?;
    u.kind = Kind::Delegation;
    u.kind_evidence
        .push("Partner Center delegatedAdminRelationship (GDAP)".into());
    let status = rec.str("status")?;
    (u.status, u.enabled) = match &status {
        None => (Status::Unknown, None),
        Some(s) => match STATUSES.iter().find(|(n, ..)| n.eq_ignore_ascii_case(s)) {
            Some((_, st, en)) => (*st, *en),
            None => {
                notes.odd_status.insert(s.clone());
                (Status::Unknown, None)
            }
        },
    };
    u.status_raw = status.clone();
    u.created = rec.time("createdDateTime")?;
    let activated = rec.time("activatedDateTime")?;
    let ends = rec.time("endDateTime")?;
    u.account_expires = ends.clone();
    u.activity = unknown_activity();

    let (customer_id, customer_name) = match rec.object("customer")? {
        Some(c) => (c.str("tenantId")?, c.str("displayName")?),
        None => (None, None),
    };
    if customer_id.is_none() && u.enabled == Some(true) {
        notes.no_customer += 1;
    }
    u.clients.ids.extend(customer_id.clone());

    let duration = rec.str("duration")?;
    let days = match &duration {
        Some(d) => Some(duration_days(d).map_err(|m| rec.err("duration", m))?),
        None => match (activated.at, ends.at) {
            (Some(a), Some(e)) if e >= a => {
                Some(((e - a).num_seconds() + 86_399).div_euclid(86_400))
            }
            _ => None,
        },
    };
    let auto_extend_days = match rec.str("autoExtendDuration")? {
        Some(d) => Some(duration_days(&d).map_err(|m| rec.err("autoExtendDuration", m))?),
        None => None,
    };

    let roles = match rec.object("accessDetails")? {
        Some(details) => Some(role_ids(&details, notes)?),
        None => None,
    };
    if let Some(roles) = &roles {
        for (role_id, name) in roles {
            let builtin = PRIVILEGED_ROLES
                .iter()
                .find(|(t, _)| *t == role_id.as_str());
            u.roles.push(RoleAssignment {
                role_id: role_id.clone(),
                role_name: name.clone(),
                scope: "/".into(),
                assignment: AssignmentKind::Delegated,
                privileged: builtin.is_some(),
                top: role_id == GLOBAL_ADMIN,
                via_group: None,
                start: activated.clone(),
                end: ends.clone(),
                prov: u.prov.clone(),
            });
        }
        u.privileged = Some(u.roles.iter().any(|r| r.privileged));
        u.top_role = Some(u.roles.iter().any(|r| r.top));
    }

    let mut access_containers = Vec::new();
    if let Some(items) = rec.list("accessAssignments")? {
        for item in items {
            access_containers.push(container(&item)?);
        }
    }
    u.delegation = Some(Box::new(Delegation {
        customer_id,
        customer_name,
        status,
        duration,
        duration_days: days,
        auto_extend_days,
        ends,
        access_containers,
    }));
    Ok(u)
}

/// `unifiedRoles[].roleDefinitionId`, lower-cased and de-duplicated in file order, each with
/// the name the export gives (`displayName` / `roleName`, added by some scripts) or the known one.
fn role_ids(details: &Obj, notes: &mut Notes) -> Result<Vec<(String, Option<String>)>, LoadError> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for item in details.list("unifiedRoles")?.unwrap_or_default() {
        let id = item.required("roleDefinitionId")?.to_ascii_lowercase();
        if out.iter().any(|(seen, _)| *seen == id) {
            continue;
        }
        let known = PRIVILEGED_ROLES
            .iter()
            .chain(OTHER_ROLES)
            .find(|(t, _)| *t == id)
            .map(|(_, n)| n.to_string());
        let name = match item.str("displayName")?.or(item.str("roleName")?) {
            Some(n) => Some(n),
            None if known.is_some() => known,
            None => {
                notes.unknown_roles.insert(id.clone());
                None
            }
        };
        out.push((id, name));
    }
    Ok(out)
}

/// One access assignment: the MSP security group, its roles and the assignment's status.
fn container(rec: &Obj) -> Result<AccessContainer, LoadError> {
    let group = rec
        .object("accessContainer")?
        .ok_or_else(|| rec.err("accessContainer", "missing required field".into()))?;
    let mut role_ids = Vec::new();
    if let Some(details) = rec.object("accessDetails")? {
        for item in details.list("unifiedRoles")?.unwrap_or_default() {
            let id = item.required("roleDefinitionId")?.to_ascii_lowercase();
            if !role_ids.contains(&id) {
                role_ids.push(id);
            }
        }
    }
    Ok(AccessContainer {
        group_id: group.required("accessContainerId")?,
        group_name: group.str("displayName")?,
        role_ids,
        status: rec.str("status")?,
        technicians: Vec::new(),
        departed: Vec::new(),
    })
}

/// Access assignments from their own file, attached by `relationshipId`.
fn attach(
    ctx: &mut SourceCtx,
    file: &str,
    records: &[Map<String, Value>],
    identities: &mut [Identity],
) {
    let index: HashMap<String, usize> = identities
        .iter()
        .enumerate()
        .map(|(n, u)| (u.object_id.to_ascii_lowercase(), n))
        .collect();
    let mut orphans = BTreeMap::new();
    for (n, obj) in records.iter().enumerate() {
        let rec = Obj::top(obj, file, n as u64 + 1);
        let found = rec.required("relationshipId").and_then(|rel| {
            let c = container(&rec)?;
            Ok((rel, c))
        });
        let (rel, c) = match found {
            Ok(v) => v,
            Err(e) => {
                ctx.errors.push(e);
                continue;
            }
        };
        let Some(&i) = index.get(&rel.to_ascii_lowercase()) else {
            *orphans.entry(rel).or_insert(0) += 1;
            continue;
        };
        if let Some(d) = &mut identities[i].delegation {
            // The same assignment nested and in the file is one assignment.
            let dup = d
                .access_containers
                .iter()
                .any(|x| x.group_id.eq_ignore_ascii_case(&c.group_id) && x.role_ids == c.role_ids);
            if !dup {
                d.access_containers.push(c);
            }
        }
    }
    if !orphans.is_empty() {
        let ids: Vec<String> = orphans.keys().map(|k| format!("`{k}`")).collect();
        ctx.warnings.push(format!(
            "{file}: {} assignment(s) name a relationshipId not in {RELATIONSHIPS}: {}",
            orphans.values().sum::<usize>(),
            ids.join(", ")
        ));
    }
}

/// Whole days of an ISO 8601 duration (`P730D`, `P2Y`, `P1Y6M`, `P2W`, `PT8H`, `P1DT12H`,
/// `PT0S`), a part day counting as a day. Years are 365 days and months 30: GDAP's own
/// maximum `P2Y` is 730 days. Decimal fractions (`P0.5D`, `PT1,5H`) are accepted.
pub fn duration_days(raw: &str) -> Result<i64, String> {
    let bad = |why: &str| format!("`{raw}` is not an ISO 8601 duration ({why})");
    let s = raw.trim();
    let body = s
        .strip_prefix('P')
        .or_else(|| s.strip_prefix('p'))
        .ok_or_else(|| bad("it must start with P"))?;
    let (date, time) = match body.find(['T', 't']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    if time.is_some_and(str::is_empty) || (date.is_empty() && time.is_none()) {
        return Err(bad("no components"));
    }
    const DATE_UNITS: &[(char, f64)] = &[
        ('Y', 365.0 * 86_400.0),
        ('M', 30.0 * 86_400.0),
        ('W', 7.0 * 86_400.0),
        ('D', 86_400.0),
    ];
    const TIME_UNITS: &[(char, f64)] = &[('H', 3_600.0), ('M', 60.0), ('S', 1.0)];
    let mut seconds = 0f64;
    for (mut rest, units) in [(date, DATE_UNITS), (time.unwrap_or(""), TIME_UNITS)] {
        // Units in order, each at most once.
        let mut next = 0;
        while !rest.is_empty() {
            let end = rest
                .find(|c: char| c.is_ascii_alphabetic())
                .ok_or_else(|| bad("a number without a unit"))?;
            let unit = rest[end..]
                .chars()
                .next()
                .unwrap_or(' ')
                .to_ascii_uppercase();
            let at = units
                .iter()
                .position(|(u, _)| *u == unit)
                .filter(|&p| p >= next)
                .ok_or_else(|| bad(&format!("unexpected `{unit}`")))?;
            let number = &rest[..end];
            let digits = !number.is_empty()
                && number
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == ',');
            let value: f64 = number
                .replace(',', ".")
                .parse()
                .ok()
                .filter(|_| digits)
                .ok_or_else(|| bad(&format!("`{number}` is not a number")))?;
            seconds += value * units[at].1;
            next = at + 1;
            rest = &rest[end + 1..];
        }
    }
    if !seconds.is_finite() || seconds > 1e15 {
        return Err(bad("out of range"));
    }
    Ok((seconds / 86_400.0).ceil() as i64)
}

/// One JSON object of a record (or the record itself), with readers that fail as located
/// errors naming the full path (`accessDetails.unifiedRoles[2].roleDefinitionId`).
struct Obj<'a> {
    map: &'a Map<String, Value>,
    file: &'a str,
    index: u64,
    prefix: String,
}

impl<'a> Obj<'a> {
    fn top(map: &'a Map<String, Value>, file: &'a str, index: u64) -> Obj<'a> {
        Obj {
            map,
            file,
            index,
            prefix: String::new(),
        }
    }
    fn err(&self, name: &str, message: String) -> LoadError {
        LoadError::at_record(
            self.file,
            self.index,
            Some(&format!("{}{name}", self.prefix)),
            message,
        )
    }
    fn get(&self, name: &str) -> Option<&'a Value> {
        field(self.map, name).filter(|v| !v.is_null())
    }
    fn str(&self, name: &str) -> Result<Option<String>, LoadError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(non_empty(s)),
            Some(v) => Err(self.err(name, format!("expected a string, found {}", json_type(v)))),
        }
    }
    fn required(&self, name: &str) -> Result<String, LoadError> {
        self.str(name)?
            .ok_or_else(|| self.err(name, "missing required field".into()))
    }
    /// A timestamp: absent, `null` or empty → absent; otherwise ISO 8601.
    fn time(&self, name: &str) -> Result<Ts, LoadError> {
        match self.str(name)? {
            None => Ok(Ts::of(TimeQuality::Absent)),
            Some(s) => iso(&s).map_err(|m| self.err(name, m)),
        }
    }
    fn object(&self, name: &str) -> Result<Option<Obj<'a>>, LoadError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Obj {
                map,
                file: self.file,
                index: self.index,
                prefix: format!("{}{name}.", self.prefix),
            })),
            Some(v) => Err(self.err(name, not_data("an object", v))),
        }
    }
    /// A list of objects.
    fn list(&self, name: &str) -> Result<Option<Vec<Obj<'a>>>, LoadError> {
        let items = match self.get(name) {
            None => return Ok(None),
            Some(Value::Array(items)) => items,
            Some(v) => return Err(self.err(name, not_data("an array", v))),
        };
        items
            .iter()
            .enumerate()
            .map(|(n, v)| match v {
                Value::Object(map) => Ok(Obj {
                    map,
                    file: self.file,
                    index: self.index,
                    prefix: format!("{}{name}[{n}].", self.prefix),
                }),
                other => Err(self.err(
                    &format!("{name}[{n}]"),
                    format!("expected an object, found {}", json_type(other)),
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}

fn not_data(want: &str, v: &Value) -> String {
    match v {
        Value::String(s) if s.starts_with("@{") || super::text::unflattened_type_name(s) => {
            format!("`{s}` is what PowerShell writes for a nested value it did not serialise: re-export with ConvertTo-Json -Depth 10")
        }
        _ => format!("expected {want}, found {}", json_type(v)),
    }
}
