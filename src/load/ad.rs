//! `active-directory`: `Get-ADUser | Export-Csv` output (a CSV file).
//!
//! UTF-8, UTF-8 BOM or UTF-16LE BOM; with or without `#TYPE`; `,` or `;`; FILETIME integers or
//! culture dates read with the source's `locale`. Privilege comes from membership of the
//! well-known admin groups; `adminCount=1` alone is kept as evidence only ("was privileged").

use super::text::{read_text, unflattened_type_name, CsvTable};
use super::time::{any_text, filetime, DateOrder};
use super::{non_empty, parse_bool, service_name_hint, LoadError, SourceCtx};
use crate::model::*;

/// Built-in groups whose members hold domain privilege.
pub const PRIVILEGED_GROUPS: &[&str] = &[
    "domain admins",
    "enterprise admins",
    "schema admins",
    "administrators",
    "account operators",
    "server operators",
    "backup operators",
    "print operators",
];

const UAC_DISABLED: u32 = 0x2;
const UAC_PASSWD_NOTREQD: u32 = 0x20;
const UAC_DONT_EXPIRE_PASSWORD: u32 = 0x10000;

struct Columns {
    guid: Option<usize>,
    sid: Option<usize>,
    sam: Option<usize>,
    upn: Option<usize>,
    display: Option<usize>,
    mail: Option<usize>,
    enabled: Option<usize>,
    uac: Option<usize>,
    created: Option<usize>,
    last_logon_ts: Option<usize>,
    last_logon_date: Option<usize>,
    pwd_last_set: Option<usize>,
    password_last_set: Option<usize>,
    never_expires: Option<usize>,
    account_expires: Option<usize>,
    admin_count: Option<usize>,
    member_of: Option<usize>,
    manager: Option<usize>,
    employee_id: Option<usize>,
    title: Option<usize>,
    department: Option<usize>,
    spn: Option<usize>,
    object_class: Option<usize>,
    dn: Option<usize>,
}

pub fn load(ctx: &mut SourceCtx) -> (Vec<Identity>, Capabilities, Option<String>) {
    let mut caps = Capabilities {
        jit: Some(false),
        ..Capabilities::default()
    };
    let path = ctx.path.clone();
    let shown = ctx.shown(&path);
    let order = match DateOrder::from_locale(ctx.source.locale.as_deref()) {
        Ok(o) => o,
        Err(m) => {
            ctx.errors.push(LoadError {
                file: shown,
                line: None,
                record: None,
                field: Some("locale".into()),
                message: m,
            });
            return (Vec::new(), caps, None);
        }
    };
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
    let c = Columns {
        guid: table.column(&["ObjectGUID"]),
        sid: table.column(&["objectSid", "SID"]),
        sam: table.column(&["SamAccountName"]),
        upn: table.column(&["UserPrincipalName"]),
        display: table.column(&["DisplayName", "Name"]),
        mail: table.column(&["mail", "EmailAddress"]),
        enabled: table.column(&["Enabled"]),
        uac: table.column(&["userAccountControl"]),
        created: table.column(&["whenCreated", "Created"]),
        last_logon_ts: table.column(&["lastLogonTimestamp"]),
        last_logon_date: table.column(&["LastLogonDate"]),
        pwd_last_set: table.column(&["pwdLastSet"]),
        password_last_set: table.column(&["PasswordLastSet"]),
        never_expires: table.column(&["PasswordNeverExpires"]),
        account_expires: table.column(&["accountExpires"]),
        admin_count: table.column(&["adminCount"]),
        member_of: table.column(&["MemberOf"]),
        manager: table.column(&["Manager"]),
        employee_id: table.column(&["EmployeeID"]),
        title: table.column(&["Title"]),
        department: table.column(&["Department"]),
        spn: table.column(&["servicePrincipalName", "ServicePrincipalNames"]),
        object_class: table.column(&["objectClass", "ObjectClass"]),
        dn: table.column(&["DistinguishedName", "DN"]),
    };
    if c.guid.is_none() && c.sid.is_none() && c.sam.is_none() {
        ctx.errors.push(LoadError::at_line(
            &shown,
            1,
            Some("ObjectGUID"),
            format!("no identifying column: need ObjectGUID, objectSid or SamAccountName (header has: {})", table.headers.join(", ")),
        ));
        return (Vec::new(), caps, None);
    }
    if c.enabled.is_none() && c.uac.is_none() {
        ctx.warnings.push(format!("{shown}: neither Enabled nor userAccountControl exported: whether accounts can sign in is unknown"));
    }
    caps.sign_in = c.last_logon_ts.is_some() || c.last_logon_date.is_some();
    caps.roles = c.member_of.is_some();
    let mut out = Vec::with_capacity(table.rows.len());
    for (index, (line, cells)) in table.rows.iter().enumerate() {
        match row(
            ctx,
            &shown,
            &table,
            &c,
            order,
            index as u64 + 1,
            *line,
            cells,
        ) {
            Ok(u) => out.push(u),
            Err(e) => ctx.errors.push(e),
        }
    }
    (out, caps, None)
}

#[allow(clippy::too_many_arguments)]
fn row(
    ctx: &SourceCtx,
    shown: &str,
    table: &CsvTable,
    c: &Columns,
    order: DateOrder,
    record: u64,
    line: u64,
    cells: &[String],
) -> Result<Identity, LoadError> {
    let err = |col: usize, message: String| LoadError {
        file: shown.into(),
        line: Some(line),
        record: Some(record),
        field: Some(table.headers[col].clone()),
        message,
    };
    let cell = |col: Option<usize>| col.and_then(|i| non_empty(&cells[i]));
    for (i, v) in cells.iter().enumerate() {
        if unflattened_type_name(v) {
            let h = &table.headers[i];
            return Err(err(i, format!("`{v}` is a .NET type name, not data: re-export with a calculated property, e.g. @{{n='{h}';e={{$_.{h} -join ';'}}}}")));
        }
    }
    let time =
        |col: Option<usize>, empty: TimeQuality, filetime_col: bool| -> Result<Ts, LoadError> {
            let Some(i) = col else {
                return Ok(Ts::of(TimeQuality::Absent));
            };
            let raw = cells[i].trim();
            if raw.is_empty() {
                return Ok(Ts::of(empty));
            }
            let parsed = if filetime_col {
                filetime(raw)
            } else {
                any_text(raw, order)
            };
            parsed.map_err(|m| err(i, m))
        };
    let id = cell(c.guid)
        .or_else(|| cell(c.sid))
        .or_else(|| cell(c.sam))
        .ok_or_else(|| {
            let col = c.guid.or(c.sid).or(c.sam).unwrap_or(0);
            err(
                col,
                "row has no ObjectGUID, objectSid or SamAccountName".into(),
            )
        })?;
    let mut u = Identity::new(
        &ctx.source.name,
        "active-directory",
        id.to_ascii_lowercase(),
        ctx.provenance(shown, record, Some(line)),
    );
    for (col, key) in [
        (c.sid, "sid"),
        (c.sam, "sam_account_name"),
        (c.dn, "dn"),
        (c.guid, "object_guid"),
    ] {
        if let Some(v) = cell(col) {
            u.alt_ids.insert(
                key.into(),
                if key == "object_guid" {
                    v.to_ascii_lowercase()
                } else {
                    v
                },
            );
        }
    }
    let sam = cell(c.sam).unwrap_or_default();
    u.set_principal_name(cell(c.upn).or_else(|| (!sam.is_empty()).then(|| sam.clone())));
    u.display_name = cell(c.display);
    u.emails.extend(cell(c.mail));
    let uac = match cell(c.uac) {
        Some(v) => Some(v.parse::<u32>().map_err(|_| {
            err(
                c.uac.unwrap_or(0),
                format!("`{v}` is not a userAccountControl integer"),
            )
        })?),
        None => None,
    };
    u.enabled = match cell(c.enabled) {
        Some(v) => Some(parse_bool(&v).ok_or_else(|| {
            err(
                c.enabled.unwrap_or(0),
                format!("expected True or False, found `{v}`"),
            )
        })?),
        None => uac.map(|f| f & UAC_DISABLED == 0),
    };
    u.status = match u.enabled {
        Some(true) => Status::Active,
        Some(false) => Status::Disabled,
        None => Status::Unknown,
    };
    u.password.not_required = uac.map(|f| f & UAC_PASSWD_NOTREQD != 0);
    u.password.never_expires = match cell(c.never_expires) {
        Some(v) => parse_bool(&v),
        None => uac.map(|f| f & UAC_DONT_EXPIRE_PASSWORD != 0),
    };
    u.created = time(c.created, TimeQuality::Absent, false)?;
    // lastLogonTimestamp replicates with a lag of up to 14 days; LastLogonDate is derived from it.
    let mut last = time(c.last_logon_ts, TimeQuality::Never, true)?;
    if c.last_logon_ts.is_none() {
        last = time(c.last_logon_date, TimeQuality::Never, false)?;
    }
    if last.at.is_some() {
        last.quality = TimeQuality::Lagged;
    }
    u.activity = Activity {
        known: c.last_logon_ts.is_some() || c.last_logon_date.is_some(),
        last_interactive: last.clone(),
        last_non_interactive: Ts::of(TimeQuality::Absent),
        last_successful: Ts::of(TimeQuality::Absent),
        last_any: if c.last_logon_ts.is_none() && c.last_logon_date.is_none() {
            Ts::of(TimeQuality::Unavailable)
        } else {
            last
        },
    };
    let pwd = time(c.pwd_last_set, TimeQuality::Absent, true)?;
    if c.pwd_last_set.is_some() {
        u.password.must_change = Some(pwd.quality == TimeQuality::Never);
    }
    u.password.last_set = if pwd.at.is_some() {
        pwd
    } else {
        time(c.password_last_set, TimeQuality::Absent, false)?
    };
    u.account_expires = time(c.account_expires, TimeQuality::Never, true)?;
    u.employment.employee_id = cell(c.employee_id);
    u.employment.title = cell(c.title);
    u.employment.department = cell(c.department);
    u.employment.manager = cell(c.manager);
    if let Some(ac) = cell(c.admin_count) {
        if ac == "1" {
            u.kind_evidence
                .push("adminCount=1 (is or was privileged)".into());
        }
    }
    if let Some(groups) = cell(c.member_of) {
        for dn in groups.split(';').map(str::trim).filter(|d| !d.is_empty()) {
            let cn = dn.split(',').next().unwrap_or(dn);
            let cn = cn
                .strip_prefix("CN=")
                .or_else(|| cn.strip_prefix("cn="))
                .unwrap_or(cn)
                .to_string();
            if PRIVILEGED_GROUPS.contains(&cn.to_ascii_lowercase().as_str()) {
                u.roles.push(RoleAssignment {
                    role_id: dn.to_string(),
                    role_name: Some(cn.clone()),
                    scope: "/".into(),
                    assignment: AssignmentKind::Permanent,
                    privileged: true,
                    top: false,
                    via_group: None,
                    start: Ts::of(TimeQuality::Absent),
                    end: Ts::of(TimeQuality::Never),
                    prov: u.prov.clone(),
                });
            }
            u.groups.push(GroupRef {
                id: dn.to_string(),
                name: Some(cn),
            });
        }
    }
    let object_class = cell(c.object_class)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let spn = cell(c.spn);
    u.kind = if object_class.contains("managedserviceaccount") {
        u.kind_evidence.push(format!("objectClass={object_class}"));
        Kind::ServiceAccount
    } else if spn.is_some() {
        u.kind_evidence.push("servicePrincipalName present".into());
        Kind::ServiceAccount
    } else if sam.ends_with('$') {
        u.kind_evidence.push("sAMAccountName ends with $".into());
        Kind::ServiceAccount
    } else if sam.eq_ignore_ascii_case("krbtgt") {
        u.kind_evidence.push("built-in krbtgt".into());
        Kind::ServiceAccount
    } else if sam.eq_ignore_ascii_case("guest") {
        u.kind_evidence.push("built-in Guest".into());
        Kind::Shared
    } else if service_name_hint(&sam) || u.principal_name.as_deref().is_some_and(service_name_hint)
    {
        u.kind_evidence.push("service naming convention".into());
        Kind::ServiceAccount
    } else {
        Kind::Human
    };
    Ok(u)
}
