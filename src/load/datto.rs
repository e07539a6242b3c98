//! `datto-rmm`: Datto RMM account users (`/api/v2/account/users`) as the API returns them: one
//! JSON file of `{pageDetails, users}` pages (one, several concatenated or in an outer array),
//! or a bare array.
//!
//! Decisions (export-formats.md §8.2):
//! - Account users are the MSP's staff: `technician`. The username is the object id and the
//!   principal name (there is no numeric id); without one, the e-mail stands in.
//! - `created` and `lastAccess` are epoch integers whose unit is undocumented: above 1e11 they
//!   are milliseconds, else seconds. `lastAccess` 0 or `null` is never; `created` 0 or `null`
//!   is unknown. No `lastAccess` key anywhere means the export lacks sign-in data.
//! - `disabled` decides `enabled`; the unverified `status` enum only refines the status
//!   (an unrecognised value is kept raw, reported once, and read as unknown).
//! - The payload has no MFA and no role fields: both unknown, never "none".
//! - A page whose `nextPageUrl` is set with no following page in the file means the export
//!   stopped early: an error, so a shortened list is never audited as complete.

use super::connectwise::{collect, full_name, read_export, unknown_activity, Rec, Shape};
use super::{service_name_hint, LoadError, SourceCtx};
use crate::model::*;

const SHAPE: Shape = Shape {
    lists: &["users"],
    record_keys: &["username", "email"],
};

pub fn load(ctx: &mut SourceCtx) -> (Vec<Identity>, Capabilities, Option<String>) {
    let caps = Capabilities {
        jit: Some(false),
        ..Capabilities::default()
    };
    let Some(export) = read_export(ctx, &SHAPE) else {
        return (Vec::new(), caps, None);
    };
    if export.pages_missing(&["/pageDetails/nextPageUrl"]) {
        let mut e = LoadError::file(
            &export.shown,
            "every page in the file has a `nextPageUrl`: the last page is missing; save every page (follow nextPageUrl until it is null)".into(),
        );
        e.field = Some("pageDetails.nextPageUrl".into());
        ctx.errors.push(e);
        return (Vec::new(), caps, None);
    }
    let caps = Capabilities {
        sign_in: export.recs().any(|r| r.has("lastAccess")),
        ..caps
    };
    let mut odd_status = Vec::new();
    let results: Vec<_> = export
        .recs()
        .map(|rec| user(ctx, &rec, caps.sign_in, &mut odd_status))
        .collect();
    let identities = collect(ctx, results);
    odd_status.sort();
    odd_status.dedup();
    if !odd_status.is_empty() {
        ctx.warnings.push(format!(
            "{}: unrecognised `status` value(s) {}: read as unknown (`disabled` still decides enabled)",
            export.shown,
            odd_status.join(", ")
        ));
    }
    (identities, caps, None)
}

fn user(
    ctx: &SourceCtx,
    rec: &Rec,
    sign_in: bool,
    odd_status: &mut Vec<String>,
) -> Result<Identity, LoadError> {
    let username = rec.str("username")?;
    let email = rec.str("email")?;
    let id = username
        .clone()
        .or_else(|| email.clone())
        .ok_or_else(|| rec.err("username", "missing required field".into()))?;
    let mut u = Identity::new(
        &ctx.source.name,
        "datto-rmm",
        id.clone(),
        ctx.provenance(rec.file, rec.index, None),
    );
    u.set_principal_name(Some(id.clone()));
    u.emails.extend(email);
    u.display_name = full_name(rec.str("firstName")?, rec.str("lastName")?);
    u.kind = if service_name_hint(&id) {
        u.kind_evidence.push("service naming convention".into());
        Kind::ServiceAccount
    } else {
        u.kind_evidence
            .push("Datto RMM account user (MSP staff)".into());
        Kind::Technician
    };

    let disabled = rec.bool("disabled")?;
    let raw_status = rec.str("status")?;
    let from_text = match raw_status.as_deref() {
        None => None,
        Some(s) => {
            let known = status_of(s);
            if known.is_none() {
                odd_status.push(format!("`{s}`"));
            }
            known
        }
    };
    u.enabled = match disabled {
        Some(d) => Some(!d),
        None => from_text.and_then(|s| match s {
            Status::Active => Some(true),
            Status::Disabled | Status::Deleted => Some(false),
            _ => None,
        }),
    };
    u.status = match (disabled, from_text) {
        (Some(true), _) => Status::Disabled,
        (_, Some(s)) => s,
        // An unrecognised status says something this loader cannot read: unknown.
        (Some(false), None) if raw_status.is_none() => Status::Active,
        _ => Status::Unknown,
    };
    u.status_raw = raw_status;
    u.created = rec.epoch("created", TimeQuality::Unavailable)?;
    u.activity = if sign_in && rec.has("lastAccess") {
        let last = rec.epoch("lastAccess", TimeQuality::Never)?;
        Activity {
            last_interactive: last.clone(),
            last_any: last,
            known: true,
            ..Activity::default()
        }
    } else {
        unknown_activity()
    };
    Ok(u)
}

/// The `status` text, where its meaning is clear (the enum is not documented).
fn status_of(raw: &str) -> Option<Status> {
    Some(match raw.trim().to_ascii_uppercase().as_str() {
        "ACTIVE" | "ENABLED" => Status::Active,
        "DISABLED" | "INACTIVE" | "DEACTIVATED" => Status::Disabled,
        "SUSPENDED" => Status::Suspended,
        "LOCKED" | "LOCKED_OUT" => Status::Locked,
        "PENDING" | "INVITED" | "UNVERIFIED" => Status::PendingInvite,
        "DELETED" => Status::Deleted,
        _ => return None,
    })
}
