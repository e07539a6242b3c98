//! `ninjaone`: NinjaOne users (`/v2/users`, ideally with `includeRoles=true`) as the API returns
//! them: one JSON file holding a bare array (or several pages of one).
//!
//! Decisions (export-formats.md §8.3):
//! - `userType` TECHNICIAN is the MSP's staff (`technician`); END_USER is a client's person
//!   (`human`) whose `organizationId` is the client it belongs to (`clients.ids`, matched to a
//!   tenant's `directory_ids`). `permitAllClients` is `clients.all` for technicians; an end user
//!   reaches only its organisation.
//! - Top role: `administrator: true` (role id `administrator`). Role names from `roles` are
//!   privileged when they mention "admin". Without `includeRoles=true` the names are missing
//!   (reported once); privilege is still known from `administrator`.
//! - `mfaConfigured` is `mfa.registered`; `mustChangePw` is `password.must_change`.
//! - There is no last-login and no created date: both `unavailable`, `capabilities.sign_in`
//!   false. The one exception is an invitation still `PENDING` or `EXPIRED`: that account has
//!   never signed in (activity `never`), and its status is `pending_invite` / `expired` (a
//!   dormant, never-activated account) unless it is disabled.

use super::connectwise::{
    collect, full_name, mentions_admin, read_export, role, unknown_activity, Rec, Shape,
};
use super::text::json_type;
use super::{LoadError, SourceCtx};
use crate::model::*;
use serde_json::Value;

const SHAPE: Shape = Shape {
    lists: &[],
    record_keys: &["userType", "uid", "email"],
};

pub fn load(ctx: &mut SourceCtx) -> (Vec<Identity>, Capabilities, Option<String>) {
    let mut caps = Capabilities {
        jit: Some(false),
        ..Capabilities::default()
    };
    let Some(export) = read_export(ctx, &SHAPE) else {
        return (Vec::new(), caps, None);
    };
    let any = |key: &str| export.recs().any(|r| r.has(key));
    caps.mfa = any("mfaConfigured");
    caps.roles = any("administrator");
    caps.top_role_countable = caps.roles;
    if caps.roles && !export.records.is_empty() && !any("roles") {
        ctx.warnings.push(format!(
            "{}: no user has `roles` (export with includeRoles=true): role names are unknown; privilege comes from `administrator` alone",
            export.shown
        ));
    }
    let results: Vec<_> = export.recs().map(|rec| user(ctx, &rec)).collect();
    (collect(ctx, results), caps, Some("Administrator".into()))
}

fn user(ctx: &SourceCtx, rec: &Rec) -> Result<Identity, LoadError> {
    let uid = rec.str("uid")?;
    let id = rec
        .id("id")?
        .or_else(|| uid.clone())
        .ok_or_else(|| rec.err("id", "missing: a user needs `id` or `uid`".into()))?;
    let mut u = Identity::new(
        &ctx.source.name,
        "ninjaone",
        id,
        ctx.provenance(rec.file, rec.index, None),
    );
    if let Some(uid) = uid {
        u.alt_ids.insert("uid".into(), uid);
    }
    let email = rec.str("email")?;
    u.set_principal_name(email.clone());
    u.emails.extend(email);
    u.display_name = full_name(rec.str("firstName")?, rec.str("lastName")?);

    let user_type = rec.str("userType")?.map(|t| t.to_ascii_uppercase());
    let organization = rec.id("organizationId")?;
    let permit_all = rec.bool("permitAllClients")?;
    u.kind = match user_type.as_deref() {
        Some("TECHNICIAN") => {
            u.clients.all = permit_all;
            Kind::Technician
        }
        Some("END_USER") => Kind::Human,
        None if organization.is_some() => Kind::Human,
        _ => Kind::Unknown,
    };
    u.kind_evidence.push(match &user_type {
        Some(t) => format!("userType={t}"),
        None if organization.is_some() => "no userType; organizationId present".into(),
        None => "no userType".into(),
    });
    if u.kind == Kind::Human {
        u.clients.all = Some(permit_all.unwrap_or(false));
        u.clients.ids.extend(organization);
    }

    u.enabled = rec.bool("enabled")?;
    let invitation = rec.str("invitationStatus")?.map(|s| s.to_ascii_uppercase());
    let never_activated = matches!(invitation.as_deref(), Some("PENDING" | "EXPIRED"));
    u.status = match (u.enabled, invitation.as_deref()) {
        (Some(false), _) => Status::Disabled,
        (_, Some("PENDING")) => Status::PendingInvite,
        (_, Some("EXPIRED")) => Status::Expired,
        (Some(true), _) => Status::Active,
        (None, _) => Status::Unknown,
    };
    u.status_raw = invitation.as_ref().map(|i| format!("invitationStatus={i}"));
    u.activity = if never_activated {
        let never = Ts::with(None, TimeQuality::Never, u.status_raw.clone());
        Activity {
            last_interactive: never.clone(),
            last_any: never,
            known: true,
            ..Activity::default()
        }
    } else {
        unknown_activity()
    };
    u.created = Ts::of(TimeQuality::Unavailable);
    u.password.must_change = rec.bool("mustChangePw")?;
    u.mfa.registered = rec.bool("mfaConfigured")?;
    if u.mfa.registered.is_some() {
        u.mfa.source = Some(format!("{} (record {})", rec.file, rec.index));
    }

    if rec.bool("administrator")? == Some(true) {
        u.roles.push(role(
            ctx,
            rec,
            "administrator".into(),
            Some("Administrator".into()),
            true,
            true,
        ));
    }
    for item in rec.list("roles")?.into_iter().flatten() {
        let name = match item {
            Value::String(s) => s.trim().to_string(),
            Value::Object(o) => o
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .trim()
                .to_string(),
            other => {
                return Err(rec.err(
                    "roles",
                    format!("expected role names, found {}", json_type(other)),
                ))
            }
        };
        if name.is_empty() {
            return Err(rec.err("roles", "a role has no name".into()));
        }
        let privileged = mentions_admin(&name);
        u.roles
            .push(role(ctx, rec, name.clone(), Some(name), privileged, false));
    }
    Ok(u)
}
