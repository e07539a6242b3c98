//! `itglue`: IT Glue users (`/users`) as the API returns them: JSON:API pages
//! `{data: [{id, type, attributes}], meta, links}` with kebab-case attributes (one page, several
//! concatenated or in an outer array); records already flattened (attributes beside `id`) and
//! snake_case or camelCase keys are read too.
//!
//! Decisions (export-formats.md §8.4):
//! - Users are the MSP's staff (`technician`); a `my-glue: true` user is a client's MyGlue
//!   portal user (`human`).
//! - Sign-in is the later of `current-sign-in-at` and `last-sign-in-at` (Devise: current is the
//!   latest, last the one before). `null` in both is never; so is an invitation never accepted.
//! - `invitation-accepted-at: null` is a pending invitation (status `pending_invite`) that never
//!   signed in. Otherwise the status is unknown: IT Glue exports no enabled flag (`enabled`
//!   null) and no MFA flag (unknown).
//! - Roles are IT Glue's fixed set. Top role: Administrator. Manager is privileged too (it
//!   reaches the admin area and manages users); Editor, Creator, Lite and Read-only are not. An
//!   unknown role name is privileged only when it mentions "admin", and is reported.
//! - A file whose every page has `meta.next-page` / `links.next`, or fewer records than
//!   `meta.total-count`, stopped early: an error, never a silently shortened list.

use super::connectwise::{
    collect, full_name, mentions_admin, read_export, role, unknown_activity, Export, Rec, Shape,
};
use super::{LoadError, SourceCtx};
use crate::model::*;

const SHAPE: Shape = Shape {
    lists: &["data"],
    record_keys: &["attributes", "email"],
};

/// IT Glue's roles: (name, privileged, top).
const ROLES: &[(&str, bool, bool)] = &[
    ("Administrator", true, true),
    ("Manager", true, false),
    ("Editor", false, false),
    ("Creator", false, false),
    ("Lite", false, false),
    ("Read-only", false, false),
];

pub fn load(ctx: &mut SourceCtx) -> (Vec<Identity>, Capabilities, Option<String>) {
    let mut caps = Capabilities {
        jit: Some(false),
        ..Capabilities::default()
    };
    let Some(export) = read_export(ctx, &SHAPE) else {
        return (Vec::new(), caps, None);
    };
    if let Some(e) = incomplete(&export) {
        ctx.errors.push(e);
        return (Vec::new(), caps, None);
    }
    let attrs: Vec<Option<Rec>> = export
        .recs()
        .map(|r| match r.object("attributes") {
            Ok(Some(a)) => Some(a),
            Ok(None) => Some(r),
            Err(_) => None,
        })
        .collect();
    let any = |key: &str| attrs.iter().flatten().any(|a| a.has(key));
    caps.sign_in = any("current-sign-in-at") || any("last-sign-in-at");
    caps.roles = any("role-name");
    caps.top_role_countable = caps.roles;
    let mut odd_roles = Vec::new();
    let results: Vec<_> = export
        .recs()
        .map(|rec| user(ctx, &rec, caps.sign_in, &mut odd_roles))
        .collect();
    let identities = collect(ctx, results);
    odd_roles.sort();
    odd_roles.dedup();
    if !odd_roles.is_empty() {
        ctx.warnings.push(format!(
            "{}: unknown `role-name` value(s) {}: privileged only if the name mentions admin",
            export.shown,
            odd_roles.join(", ")
        ));
    }
    (identities, caps, Some("Administrator".into()))
}

/// A paged export that stopped before its last page.
fn incomplete(export: &Export) -> Option<LoadError> {
    let located = |field: &str, message: String| {
        let mut e = LoadError::file(&export.shown, message);
        e.field = Some(field.into());
        e
    };
    if export.pages_missing(&["/meta/next-page", "/links/next"]) {
        return Some(located(
            "meta.next-page",
            "every page in the file names a next page: the last page is missing; save every page (page[number] until next-page is null)".into(),
        ));
    }
    let total = export
        .envelopes
        .iter()
        .filter_map(|e| e.pointer("/meta/total-count").and_then(|v| v.as_u64()))
        .max()?;
    (total > export.records.len() as u64).then(|| {
        located(
            "meta.total-count",
            format!(
                "meta.total-count says {total} users but the file holds {}: pages are missing",
                export.records.len()
            ),
        )
    })
}

fn user(
    ctx: &SourceCtx,
    rec: &Rec,
    sign_in: bool,
    odd_roles: &mut Vec<String>,
) -> Result<Identity, LoadError> {
    let id = rec
        .id("id")?
        .ok_or_else(|| rec.err("id", "missing required field".into()))?;
    if let Some(t) = rec.str("type")? {
        if !t.eq_ignore_ascii_case("users") {
            return Err(rec.err(
                "type",
                format!("a `{t}` resource, not a user: this file must hold the /users list"),
            ));
        }
    }
    let nested = rec.object("attributes")?;
    let a = nested.as_ref().unwrap_or(rec);
    let mut u = Identity::new(
        &ctx.source.name,
        "itglue",
        id,
        ctx.provenance(rec.file, rec.index, None),
    );
    let email = a.str("email")?;
    u.set_principal_name(email.clone());
    u.emails.extend(email);
    u.display_name = match a.str("name")? {
        Some(n) => Some(n),
        None => full_name(a.str("first-name")?, a.str("last-name")?),
    };
    let my_glue = a.bool("my-glue")? == Some(true);
    u.kind = if my_glue {
        u.kind_evidence
            .push("my-glue=true (a client's MyGlue portal user)".into());
        Kind::Human
    } else {
        u.kind_evidence.push("IT Glue user (MSP staff)".into());
        Kind::Technician
    };
    if let Some(account) = a.id("my-glue-account-id")? {
        u.alt_ids.insert("my_glue_account_id".into(), account);
    }
    u.created = a.time("created-at", TimeQuality::Absent)?;

    let accepted = a.time("invitation-accepted-at", TimeQuality::Never)?;
    let never_accepted = accepted.quality == TimeQuality::Never;
    u.status = if never_accepted {
        Status::PendingInvite
    } else {
        Status::Unknown
    };
    u.status_raw = never_accepted.then(|| "invitation-accepted-at=null".into());
    let current = a.time("current-sign-in-at", TimeQuality::Never)?;
    let previous = a.time("last-sign-in-at", TimeQuality::Never)?;
    u.activity = if never_accepted {
        let never = Ts::with(None, TimeQuality::Never, u.status_raw.clone());
        Activity {
            last_interactive: never.clone(),
            last_any: never,
            known: true,
            ..Activity::default()
        }
    } else if sign_in && (a.has("current-sign-in-at") || a.has("last-sign-in-at")) {
        let last = Ts::latest(&current, &previous);
        Activity {
            last_interactive: last.clone(),
            last_any: last,
            known: true,
            ..Activity::default()
        }
    } else {
        unknown_activity()
    };

    if let Some(name) = a.str("role-name")? {
        let fold = |s: &str| -> String {
            s.chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .collect()
        };
        let (privileged, top) = match ROLES.iter().find(|(n, ..)| fold(n) == fold(&name)) {
            Some((_, p, t)) => (*p, *t),
            None => {
                odd_roles.push(format!("`{name}`"));
                (mentions_admin(&name), false)
            }
        };
        u.roles
            .push(role(ctx, rec, name.clone(), Some(name), privileged, top));
    }
    Ok(u)
}
