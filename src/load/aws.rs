//! `aws-iam`: the IAM credential report (a CSV file, or the API's JSON with base64 `Content`).
//!
//! Exact AWS columns; `N/A`, `no_information` and `not_supported` kept apart; booleans in any case;
//! `<root_account>` is the top role. The report carries no policies, so whether an IAM user is
//! privileged is unknown (only root is known to be).

use super::text::{decode, read_text, CsvTable};
use super::time::iso;
use super::{LoadError, SourceCtx};
use crate::model::*;

/// The report's columns, in AWS's fixed order.
pub const COLUMNS: &[&str] = &[
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

pub fn load(ctx: &mut SourceCtx) -> (Vec<Identity>, Capabilities, Option<String>) {
    let caps = Capabilities {
        sign_in: true,
        mfa: true,
        jit: Some(false),
        ..Capabilities::default()
    };
    let path = ctx.path.clone();
    let shown = ctx.shown(&path);
    let table = match read_text(&path, &shown)
        .and_then(|d| unwrap_api_json(d, &shown))
        .and_then(|d| CsvTable::parse(d, &shown))
    {
        Ok(t) => t,
        Err(e) => {
            ctx.errors.push(e);
            return (Vec::new(), caps, None);
        }
    };
    ctx.files_read.push(shown.clone());
    let mut cols = Vec::with_capacity(COLUMNS.len());
    for name in COLUMNS {
        match table.require(&[name], &shown) {
            Ok(i) => cols.push(i),
            Err(e) => ctx.errors.push(e),
        }
    }
    if cols.len() != COLUMNS.len() {
        return (Vec::new(), caps, None);
    }
    let mut out = Vec::with_capacity(table.rows.len());
    for (index, (line, cells)) in table.rows.iter().enumerate() {
        let row_cells = Row { cells, cols: &cols };
        match row(ctx, &shown, index as u64 + 1, *line, &row_cells) {
            Ok(u) => out.push(u),
            Err(e) => ctx.errors.push(e),
        }
    }
    (out, caps, Some("root".into()))
}

/// `aws iam get-credential-report` JSON (`{"Content": base64, ...}`) saved as-is: decode it.
fn unwrap_api_json(
    d: super::text::Decoded,
    shown: &str,
) -> Result<super::text::Decoded, LoadError> {
    if !d.text.trim_start().starts_with('{') {
        return Ok(d);
    }
    let v: serde_json::Value = serde_json::from_str(&d.text).map_err(|e| {
        LoadError::at_line(shown, e.line() as u64, None, format!("malformed JSON: {e}"))
    })?;
    let content = v.get("Content").and_then(|c| c.as_str()).ok_or_else(|| LoadError {
        file: shown.into(),
        line: None,
        record: None,
        field: Some("Content".into()),
        message: "JSON without a base64 `Content` field: expected the credential report CSV or get-credential-report output".into(),
    })?;
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(content.trim())
        .map_err(|e| LoadError {
            file: shown.into(),
            line: None,
            record: None,
            field: Some("Content".into()),
            message: format!("`Content` is not base64: {e}"),
        })?;
    Ok(decode(&bytes))
}

/// One report row, read by column name.
struct Row<'a> {
    cells: &'a [String],
    cols: &'a [usize],
}

impl<'a> Row<'a> {
    fn get(&self, name: &str) -> &'a str {
        let i = COLUMNS
            .iter()
            .position(|c| *c == name)
            .expect("known column");
        self.cells[self.cols[i]].trim()
    }
}

fn row(
    ctx: &SourceCtx,
    shown: &str,
    record: u64,
    line: u64,
    r: &Row,
) -> Result<Identity, LoadError> {
    let get = |name: &str| r.get(name);
    let err = |field: &str, message: String| LoadError {
        file: shown.into(),
        line: Some(line),
        record: Some(record),
        field: Some(field.into()),
        message,
    };
    let boolean = |name: &str| -> Result<Option<bool>, LoadError> {
        let (v, f) = (get(name), name);
        match v.to_ascii_lowercase().as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            "not_supported" | "n/a" | "" => Ok(None),
            _ => Err(err(f, format!("expected true or false, found `{v}`"))),
        }
    };
    // ISO time, or one of the report's sentinels.
    let time = |name: &str, na: TimeQuality| -> Result<Ts, LoadError> {
        let (v, f) = (get(name), name);
        match v.to_ascii_lowercase().as_str() {
            "n/a" => Ok(Ts::with(None, na, Some(v.into()))),
            "no_information" => Ok(Ts::with(None, TimeQuality::Never, Some(v.into()))),
            "not_supported" => Ok(Ts::with(None, TimeQuality::NotApplicable, Some(v.into()))),
            "" => Ok(Ts::of(TimeQuality::Absent)),
            _ => iso(v).map_err(|m| err(f, m)),
        }
    };
    let user = get("user");
    let arn = get("arn");
    if user.is_empty() {
        return Err(err("user", "empty user name".into()));
    }
    if !arn.starts_with("arn:") {
        return Err(err("arn", format!("`{arn}` is not an ARN")));
    }
    let account = arn.split(':').nth(4).unwrap_or("").to_string();
    let root = user == "<root_account>";
    let mut u = Identity::new(
        &ctx.source.name,
        "aws-iam",
        arn.to_string(),
        ctx.provenance(shown, record, Some(line)),
    );
    u.alt_ids.insert("arn".into(), arn.into());
    u.alt_ids.insert("account_id".into(), account);
    u.set_principal_name(Some(user.to_string()));
    u.display_name = Some(user.to_string());
    u.created = time("user_creation_time", TimeQuality::Absent)?;
    u.password.enabled = boolean("password_enabled")?;
    u.password.last_set = time("password_last_changed", TimeQuality::NotApplicable)?;
    u.mfa.registered = boolean("mfa_active")?;
    u.mfa.source = Some(format!("{shown}:{line} mfa_active"));
    // N/A for a password that exists means it was never used (or before 2014-10-20).
    let pw_na = if u.password.enabled == Some(true) {
        TimeQuality::Never
    } else {
        TimeQuality::NotApplicable
    };
    u.activity.last_interactive = time("password_last_used", pw_na)?;
    for n in [1, 2] {
        let active = boolean(&format!("access_key_{n}_active"))?;
        let rotated = time(
            &format!("access_key_{n}_last_rotated"),
            TimeQuality::NotApplicable,
        )?;
        if active != Some(true) && rotated.at.is_none() {
            continue;
        }
        // N/A last use of an existing key: never used (or not since 2015-04-22).
        let last_used = time(
            &format!("access_key_{n}_last_used_date"),
            TimeQuality::Never,
        )?;
        let region = get(&format!("access_key_{n}_last_used_region"));
        let service = get(&format!("access_key_{n}_last_used_service"));
        let place = [region, service]
            .iter()
            .filter(|p| !p.is_empty() && !p.eq_ignore_ascii_case("n/a"))
            .copied()
            .collect::<Vec<_>>()
            .join("/");
        u.activity.last_non_interactive = Ts::latest(&u.activity.last_non_interactive, &last_used);
        u.credentials.push(Credential {
            id: format!("access_key_{n}"),
            kind: CredentialKind::AccessKey,
            display_name: None,
            hint: None,
            active,
            created: rotated.clone(),
            rotated,
            expires: Ts::of(TimeQuality::Never),
            last_used,
            last_used_where: (!place.is_empty()).then_some(place),
            origin: Some("user".into()),
            lifetime_days: None,
            expired: None,
            derived: CredentialDerived::default(),
            prov: u.prov.clone(),
        });
    }
    for n in [1, 2] {
        let active = boolean(&format!("cert_{n}_active"))?;
        let rotated = time(
            &format!("cert_{n}_last_rotated"),
            TimeQuality::NotApplicable,
        )?;
        if active != Some(true) && rotated.at.is_none() {
            continue;
        }
        u.credentials.push(Credential {
            id: format!("cert_{n}"),
            kind: CredentialKind::SigningCert,
            display_name: None,
            hint: None,
            active,
            created: rotated.clone(),
            rotated,
            expires: Ts::of(TimeQuality::Absent),
            last_used: Ts::of(TimeQuality::Unavailable),
            last_used_where: None,
            origin: Some("user".into()),
            lifetime_days: None,
            expired: None,
            derived: CredentialDerived::default(),
            prov: u.prov.clone(),
        });
    }
    if u.activity.last_non_interactive.quality == TimeQuality::Absent
        && u.credentials
            .iter()
            .all(|c| c.kind != CredentialKind::AccessKey)
    {
        u.activity.last_non_interactive = Ts::of(TimeQuality::NotApplicable);
    }
    u.activity.last_any = Ts::latest(
        &u.activity.last_interactive,
        &u.activity.last_non_interactive,
    );
    u.activity.known = true;
    let any_active_key = u
        .credentials
        .iter()
        .any(|c| c.kind == CredentialKind::AccessKey && c.active == Some(true));
    if root {
        u.kind = Kind::Root;
        u.kind_evidence.push("<root_account>".into());
        u.enabled = u
            .password
            .enabled
            .or(Some(true))
            .map(|p| p || any_active_key);
        u.privileged = Some(true);
        u.top_role = Some(true);
        u.roles.push(RoleAssignment {
            role_id: "root".into(),
            role_name: Some("root".into()),
            scope: "/".into(),
            assignment: AssignmentKind::Permanent,
            privileged: true,
            top: true,
            via_group: None,
            start: u.created.clone(),
            end: Ts::of(TimeQuality::Never),
            prov: u.prov.clone(),
        });
    } else {
        u.enabled = Some(u.password.enabled == Some(true) || any_active_key);
        if u.password.enabled == Some(false) && any_active_key {
            u.kind = Kind::ServiceAccount;
            u.kind_evidence
                .push("no console password, active access key".into());
        } else if super::service_name_hint(user)
            || arn.contains(":user/automation/")
            || arn.contains(":user/service/")
        {
            u.kind = Kind::ServiceAccount;
            u.kind_evidence
                .push("service naming convention or path".into());
        } else {
            u.kind = Kind::Human;
            u.kind_evidence
                .push("IAM user with console password".into());
        }
    }
    u.status = match u.enabled {
        Some(true) => Status::Active,
        Some(false) => Status::Disabled,
        None => Status::Unknown,
    };
    Ok(u)
}
