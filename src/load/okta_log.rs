//! `okta-log`: the Okta System Log (`GET /api/v1/logs`: a bare array of LogEvents per page, or
//! NDJSON from a SIEM export), one JSON file or a folder of them, as a tenant's provisioning log.
//!
//! Events kept (`outcome.result` `SUCCESS` only): `user.lifecycle.create` (account created),
//! `group.user_membership.add` and `application.user_membership.add` (access granted: an app
//! assignment is how Okta provisions accounts downstream), `user.account.privilege.grant` (admin
//! role granted; the roles are in `debugContext.debugData.privilegeGranted`). An event is
//! automated when the actor is the platform (`SystemPrincipal`: group rules, imports, lifecycle
//! automation) or an application (`PublicClientApp`, `AppInstance`, `Client`); by hand when it is a
//! `User`. An API token acts as the admin who created it, so a script using one looks manual.

use super::provlog::{automated_by, json_files, records, LogBuilder, Rec};
use super::time::iso;
use super::SourceCtx;
use crate::model::*;

pub fn load(ctx: &mut SourceCtx) -> (Vec<Identity>, Capabilities, Option<String>) {
    let mut log = LogBuilder::new(Some("okta"));
    for (shown, text) in json_files(ctx) {
        let recs = match records(&text, &shown) {
            Ok(r) => r,
            Err(e) => {
                ctx.errors.push(e);
                continue;
            }
        };
        for (n, obj) in recs.iter().enumerate() {
            let rec = Rec::new(obj, &shown, n as u64 + 1);
            if let Err(e) = record(ctx, &rec, &mut log) {
                ctx.errors.push(e);
            }
        }
    }
    log.finish(ctx);
    (Vec::new(), Capabilities::default(), None)
}

fn record(ctx: &SourceCtx, rec: &Rec, log: &mut LogBuilder) -> Result<(), super::LoadError> {
    let at = rec.time("published", iso)?;
    log.saw(&at);
    let Some(event_type) = rec.str("eventType")? else {
        return Ok(());
    };
    let action = match event_type.to_ascii_lowercase().as_str() {
        "user.lifecycle.create" => ProvAction::AccountCreated,
        "group.user_membership.add" | "application.user_membership.add" => {
            ProvAction::AccessGranted
        }
        "user.account.privilege.grant" => ProvAction::RoleGranted,
        _ => return Ok(()),
    };
    let succeeded = match rec.object("outcome")? {
        Some(o) => o
            .str("result")?
            .is_some_and(|r| r.eq_ignore_ascii_case("success")),
        None => false,
    };
    if !succeeded {
        return Ok(());
    }
    let (actor, actor_type) = match rec.object("actor")? {
        Some(a) => {
            let name = a
                .str("alternateId")?
                .or(a.str("displayName")?)
                .or(a.str("id")?);
            let kind = match a.str("type")?.as_deref() {
                Some("User") => ActorType::User,
                Some("SystemPrincipal") => ActorType::System,
                Some("PublicClientApp" | "AppInstance" | "Client") => ActorType::App,
                _ => ActorType::Unknown,
            };
            (name, kind)
        }
        None => (None, ActorType::Unknown),
    };
    let mut targets = Vec::new();
    let mut grants = Vec::new();
    for t in rec.objects("target")? {
        match t.str("type")?.as_deref() {
            // AppUser: the account in the assigned app; its alternateId is the app username.
            Some("User" | "AppUser") => {
                targets.extend(t.str("id")?);
                targets.extend(t.str("alternateId")?);
            }
            Some("UserGroup" | "AppInstance") => {
                grants.extend(t.str("id")?);
                grants.extend(t.str("displayName")?);
                grants.extend(t.str("alternateId")?);
            }
            _ => {}
        }
    }
    if let Some(debug) = rec.object("debugContext")? {
        if let Some(data) = debug.object("debugData")? {
            if let Some(roles) = data.str("privilegeGranted")? {
                grants.extend(roles.split(',').map(|r| r.trim().to_string()));
            }
        }
    }
    let event = ProvEvent {
        id: rec
            .str("uuid")?
            .unwrap_or_else(|| format!("record {}", rec.index)),
        activity: event_type,
        action,
        actor,
        actor_type,
        automated: automated_by(actor_type),
        at,
        prov: ctx.provenance(rec.file, rec.index, None),
    };
    log.push(event, targets, grants);
    Ok(())
}
