//! Entra tenant-wide policies, read as exported: Conditional Access
//! (`conditionalAccessPolicies.json`, Graph `GET /identity/conditionalAccess/policies`), security
//! defaults (`identitySecurityDefaultsEnforcementPolicy.json`, `{"isEnabled": bool}`) and the
//! authorization policy (`authorizationPolicy.json`, `GET /policies/authorizationPolicy`).
//!
//! Every file is optional: absent means unknown (listed in `files_missing`), never "no policy".
//! The singletons may be the bare Graph entity or a one-record page. Keys match without case, so
//! Graph PowerShell objects (`DisplayName`, `Conditions.Users.IncludeUsers`) read the same; their
//! empty placeholders (`Platforms: {IncludePlatforms: []}`, an `AuthenticationStrength` of nulls)
//! mean "not set". A nested value PowerShell truncated to its type name is a located error.
//! What the policies enforce is derived elsewhere (`src/enforcement.rs`): nothing is judged here.

use super::{read, read_as, records, Rec};
use crate::load::text::{field, json_type, unflattened_type_name};
use crate::load::{LoadError, SourceCtx};
use crate::model::{AuthorizationPolicy, CaPolicy, DirectoryPolicies};
use serde_json::{Map, Value};

type Obj = Map<String, Value>;

pub(super) fn load(ctx: &mut SourceCtx) -> DirectoryPolicies {
    let mut out = DirectoryPolicies::default();
    if let Some(file) = read(ctx, "conditionalAccessPolicies.json", false) {
        let mut list = Vec::with_capacity(file.records.len());
        let mut ok = true;
        for rec in records(&file) {
            match policy(ctx, &rec) {
                Ok(p) => list.push(p),
                Err(e) => {
                    ctx.errors.push(e);
                    ok = false;
                }
            }
        }
        out.conditional_access = ok.then_some(list);
    }
    if let Some(file) = read_as(
        ctx,
        "identitySecurityDefaultsEnforcementPolicy.json",
        false,
        true,
    ) {
        match single(&file.records, &file.shown) {
            Ok(obj) => {
                let rec = Rec {
                    obj,
                    file: &file.shown,
                    index: 1,
                };
                match rec.bool("isEnabled") {
                    Ok(Some(on)) => {
                        out.security_defaults = Some((on, ctx.provenance(&file.shown, 1, None)))
                    }
                    Ok(None) => ctx
                        .errors
                        .push(rec.err("isEnabled", "missing required field".into())),
                    Err(e) => ctx.errors.push(e),
                }
            }
            Err(e) => ctx.errors.push(e),
        }
    }
    if let Some(file) = read_as(ctx, "authorizationPolicy.json", false, true) {
        match single(&file.records, &file.shown).and_then(|obj| {
            authorization(
                ctx,
                &Rec {
                    obj,
                    file: &file.shown,
                    index: 1,
                },
            )
        }) {
            Ok(a) => out.authorization = Some(a),
            Err(e) => ctx.errors.push(e),
        }
    }
    out
}

/// The one record of a singleton policy export.
fn single<'a>(records: &'a [Obj], shown: &str) -> Result<&'a Obj, LoadError> {
    match records {
        [one] => Ok(one),
        _ => Err(LoadError::file(
            shown,
            format!(
                "expected one policy object, found {} records",
                records.len()
            ),
        )),
    }
}

fn authorization(ctx: &SourceCtx, rec: &Rec) -> Result<AuthorizationPolicy, LoadError> {
    let perms = nested(rec, Some(rec.obj), "", "defaultUserRolePermissions")?;
    let allowed_to_create_apps = match perms {
        Some(p) => rec.sub(p).bool("allowedToCreateApps").map_err(|mut e| {
            e.field = Some("defaultUserRolePermissions.allowedToCreateApps".into());
            e
        })?,
        None => None,
    };
    Ok(AuthorizationPolicy {
        allow_invites_from: rec.str("allowInvitesFrom")?,
        allowed_to_create_apps,
        prov: ctx.provenance(rec.file, rec.index, None),
    })
}

fn policy(ctx: &SourceCtx, rec: &Rec) -> Result<CaPolicy, LoadError> {
    let id = rec.required("id")?;
    let state = rec.required("state")?;
    let cond = nested(rec, Some(rec.obj), "", "conditions")?;
    let users = nested(rec, cond, "conditions", "users")?;
    let apps = nested(rec, cond, "conditions", "applications")?;
    let u = "conditions.users";
    let a = "conditions.applications";
    let grant = nested(rec, Some(rec.obj), "", "grantControls")?;
    let strength = nested(rec, grant, "grantControls", "authenticationStrength")?;
    let strength = match strength {
        Some(s) => {
            let at = "grantControls.authenticationStrength";
            let name = text(rec, Some(s), at, "displayName")?.or(text(rec, Some(s), at, "id")?);
            let combos = list(rec, Some(s), at, "allowedCombinations")?;
            name.or_else(|| (!combos.is_empty()).then(|| "custom".to_string()))
        }
        None => None,
    };
    Ok(CaPolicy {
        name: rec.str("displayName")?,
        include_users: list(rec, users, u, "includeUsers")?,
        exclude_users: list(rec, users, u, "excludeUsers")?,
        include_groups: list(rec, users, u, "includeGroups")?,
        exclude_groups: list(rec, users, u, "excludeGroups")?,
        include_roles: list(rec, users, u, "includeRoles")?,
        exclude_roles: list(rec, users, u, "excludeRoles")?,
        include_guests: guests(rec, users, "includeGuestsOrExternalUsers")?,
        exclude_guests: guests(rec, users, "excludeGuestsOrExternalUsers")?,
        include_apps: list(rec, apps, a, "includeApplications")?,
        exclude_apps: list(rec, apps, a, "excludeApplications")?,
        client_app_types: list(rec, cond, "conditions", "clientAppTypes")?,
        narrowed_by: narrowed_by(rec, cond)?,
        grant_operator: text(rec, grant, "grantControls", "operator")?,
        built_in_controls: list(rec, grant, "grantControls", "builtInControls")?,
        authentication_strength: strength,
        prov: ctx.provenance(rec.file, rec.index, None),
        id,
        state,
    })
}

/// Conditions that limit a policy to some sign-ins. Graph PowerShell writes every condition,
/// empty; only a condition with content narrows.
fn narrowed_by(rec: &Rec, cond: Option<&Obj>) -> Result<Vec<String>, LoadError> {
    let c = "conditions";
    let mut out = Vec::new();
    for key in [
        "signInRiskLevels",
        "userRiskLevels",
        "servicePrincipalRiskLevels",
        "insiderRiskLevels",
    ] {
        if !list(rec, cond, c, key)?.is_empty() {
            out.push(key.to_string());
        }
    }
    for (key, include, exclude) in [
        ("locations", "includeLocations", "excludeLocations"),
        ("platforms", "includePlatforms", "excludePlatforms"),
    ] {
        let at = format!("{c}.{key}");
        let o = nested(rec, cond, c, key)?;
        let inc = list(rec, o, &at, include)?;
        let all = inc.is_empty() || inc.iter().any(|v| v.eq_ignore_ascii_case("all"));
        if !all || !list(rec, o, &at, exclude)?.is_empty() {
            out.push(key.to_string());
        }
    }
    let devices = nested(rec, cond, c, "devices")?;
    let filter = nested(rec, devices, "conditions.devices", "deviceFilter")?;
    let rule = text(rec, filter, "conditions.devices.deviceFilter", "rule")?;
    let inc = list(rec, devices, "conditions.devices", "includeDevices")?;
    if rule.is_some()
        || !inc.iter().all(|v| v.eq_ignore_ascii_case("all"))
        || !list(rec, devices, "conditions.devices", "excludeDevices")?.is_empty()
    {
        out.push("devices".into());
    }
    let flows = nested(rec, cond, c, "authenticationFlows")?;
    if text(
        rec,
        flows,
        "conditions.authenticationFlows",
        "transferMethods",
    )?
    .is_some_and(|m| !m.eq_ignore_ascii_case("none"))
    {
        out.push("authenticationFlows".into());
    }
    let clients = nested(rec, cond, c, "clientApplications")?;
    if !list(
        rec,
        clients,
        "conditions.clientApplications",
        "includeServicePrincipals",
    )?
    .is_empty()
    {
        out.push("clientApplications".into());
    }
    Ok(out)
}

/// `include/excludeGuestsOrExternalUsers` is set: an object naming guest types.
fn guests(rec: &Rec, users: Option<&Obj>, key: &str) -> Result<bool, LoadError> {
    let at = "conditions.users";
    let Some(g) = nested(rec, users, at, key)? else {
        return Ok(false);
    };
    let path = format!("{at}.{key}");
    Ok(text(rec, Some(g), &path, "guestOrExternalUserTypes")?
        .is_some_and(|t| !t.eq_ignore_ascii_case("none")))
}

fn path(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

fn type_name_error(rec: &Rec, at: &str, key: &str, s: &str) -> LoadError {
    rec.err(
        &path(at, key),
        format!("`{s}` is a PowerShell type name, not data: export with ConvertTo-Json -Depth 10, or Graph JSON directly"),
    )
}

/// The object under `key` of `obj` (absent or null: None).
fn nested<'a>(
    rec: &Rec,
    obj: Option<&'a Obj>,
    at: &str,
    key: &str,
) -> Result<Option<&'a Obj>, LoadError> {
    match obj.and_then(|o| field(o, key)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(Value::String(s)) if unflattened_type_name(s) => Err(type_name_error(rec, at, key, s)),
        Some(v) => Err(rec.err(
            &path(at, key),
            format!("expected an object, found {}", json_type(v)),
        )),
    }
}

/// A list of strings under `key` (absent or null: empty). Blank entries are skipped; any
/// other element type is an error, never dropped.
fn list(rec: &Rec, obj: Option<&Obj>, at: &str, key: &str) -> Result<Vec<String>, LoadError> {
    match obj.and_then(|o| field(o, key)) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .filter(|v| !v.is_null())
            .map(|v| match v {
                Value::String(s) => Ok(s.trim().to_string()),
                other => Err(rec.err(
                    &path(at, key),
                    format!(
                        "expected a list of strings, found {} in it",
                        json_type(other)
                    ),
                )),
            })
            .filter(|r| !matches!(r, Ok(s) if s.is_empty()))
            .collect(),
        Some(Value::String(s)) if unflattened_type_name(s) => Err(type_name_error(rec, at, key, s)),
        Some(v) => Err(rec.err(
            &path(at, key),
            format!("expected a list of strings, found {}", json_type(v)),
        )),
    }
}

/// A string under `key` (absent, null or blank: None).
fn text(rec: &Rec, obj: Option<&Obj>, at: &str, key: &str) -> Result<Option<String>, LoadError> {
    match obj.and_then(|o| field(o, key)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(crate::load::non_empty(s)),
        Some(v) => Err(rec.err(
            &path(at, key),
            format!("expected a string, found {}", json_type(v)),
        )),
    }
}
