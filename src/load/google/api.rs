//! The Admin SDK Directory API user shape: `users.json` pages (JSON) and GAM rows unflattened
//! into it, read into identities — names, aliases, status, sign-in, 2SV, employment, and the
//! `isAdmin` / `isDelegatedAdmin` privilege flags. Reads only; never passwords or hashes.

use super::dates::never_if_epoch;
use super::record::Rec;
use super::{activity, push_role, set_status, KIND, TOP_ROLE};
use crate::load::text::json_records;
use crate::load::{service_name_hint, LoadError, SourceCtx};
use crate::model::*;
use serde_json::{Map, Value};

const PAGE_KIND: &str = "admin#directory#users";

pub(super) fn json_users(
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
pub(super) fn api_users(
    ctx: &mut SourceCtx,
    recs: &[Rec],
) -> (Vec<Identity>, Capabilities, Option<String>) {
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

fn dedup(items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items
        .into_iter()
        .filter(|e| seen.insert(e.to_lowercase()))
        .collect()
}
