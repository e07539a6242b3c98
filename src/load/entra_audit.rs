//! `entra-audit`: the Entra ID audit log (Graph `GET /auditLogs/directoryAudits`, or Graph
//! PowerShell `Get-MgAuditLogDirectoryAudit | ConvertTo-Json -Depth 10`), one JSON file or a folder
//! of them, as a tenant's provisioning log.
//!
//! Events kept: successful `Add user` and `Invite external user` (account created),
//! `Add member to group` and `Add app role assignment ...` (access granted: how Entra's own
//! provisioning creates accounts downstream), `Add member to role` and the PIM grants
//! `Add (eligible) member to role in PIM completed ...` (role granted). PIM activations and
//! requests are not grants. An event is automated when `initiatedBy.app` performed it, or the
//! Entra Connect / Cloud Sync service account (`Sync_*@*.onmicrosoft.com`,
//! `ADToAADSyncServiceAccount@*.onmicrosoft.com`) did; by hand when another user did.
//! Matching events to accounts is not done here (see `provision.rs`).

use super::provlog::{json_files, records, LogBuilder, Rec};
use super::time::{any_text, DateOrder};
use super::SourceCtx;
use crate::model::*;
use serde_json::Value;

pub fn load(ctx: &mut SourceCtx) -> (Vec<Identity>, Capabilities, Option<String>) {
    let mut log = LogBuilder::new(Some("entra"));
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
    let at = rec.time("activityDateTime", |s| any_text(s, DateOrder::Infer))?;
    log.saw(&at);
    let Some(activity) = rec.str("activityDisplayName")? else {
        return Ok(());
    };
    let Some(action) = action(&activity) else {
        return Ok(());
    };
    // Failed, timed-out and unrecorded results did not change the directory.
    if !rec
        .str("result")?
        .is_some_and(|r| r.eq_ignore_ascii_case("success"))
    {
        return Ok(());
    }
    let (actor, actor_type, automated) = initiator(rec)?;
    let mut targets = Vec::new();
    let mut grants = Vec::new();
    for t in rec.objects("targetResources")? {
        let kind = t.str("type")?.unwrap_or_default().to_ascii_lowercase();
        let upn = t.str("userPrincipalName")?;
        if kind == "user" || (kind.is_empty() && upn.is_some()) {
            targets.extend(t.str("id")?);
            targets.extend(upn);
        } else if matches!(
            kind.as_str(),
            "role" | "group" | "serviceprincipal" | "application" | "app"
        ) {
            grants.extend(t.str("id")?);
            grants.extend(t.str("displayName")?);
        }
        for p in t.objects("modifiedProperties")? {
            if p.str("displayName")?.is_some_and(|d| granted_property(&d)) {
                grants.extend(property_values(
                    p.obj
                        .iter()
                        .find_map(|(k, v)| k.eq_ignore_ascii_case("newValue").then_some(v)),
                ));
            }
        }
    }
    let event = ProvEvent {
        id: rec
            .str("id")?
            .unwrap_or_else(|| format!("record {}", rec.index)),
        activity,
        action,
        actor,
        actor_type,
        automated,
        at,
        prov: ctx.provenance(rec.file, rec.index, None),
    };
    log.push(event, targets, grants);
    Ok(())
}

/// What an audit activity does for provisioning, if anything.
fn action(activity: &str) -> Option<ProvAction> {
    let a = activity.trim().to_ascii_lowercase();
    if a.contains("requested") || a.contains("pim activation") {
        return None;
    }
    match a.as_str() {
        "add user" | "invite external user" => Some(ProvAction::AccountCreated),
        "add member to group" => Some(ProvAction::AccessGranted),
        _ if a.starts_with("add app role assignment") => Some(ProvAction::AccessGranted),
        _ if a.starts_with("add member to role")
            || a.starts_with("add eligible member to role")
            || a.starts_with("add scoped member to role") =>
        {
            Some(ProvAction::RoleGranted)
        }
        _ => None,
    }
}

/// Who performed the event: `initiatedBy.user` or `initiatedBy.app`.
fn initiator(rec: &Rec) -> Result<(Option<String>, ActorType, Option<bool>), super::LoadError> {
    let Some(by) = rec.object("initiatedBy")? else {
        return Ok((None, ActorType::Unknown, None));
    };
    if let Some(user) = by.object("user")? {
        let upn = user.str("userPrincipalName")?;
        // Self-service events carry an all-zero id and nothing else: no one to name.
        let id = user
            .str("id")?
            .filter(|id| id.chars().any(|c| c != '0' && c != '-'));
        let name = upn.clone().or(user.str("displayName")?).or(id);
        if let Some(name) = name {
            let automated = upn.as_deref().is_some_and(sync_account);
            return Ok((Some(name), ActorType::User, Some(automated)));
        }
    }
    if let Some(app) = by.object("app")? {
        let name = app
            .str("displayName")?
            .or(app.str("servicePrincipalName")?)
            .or(app.str("appId")?)
            .or(app.str("servicePrincipalId")?);
        if name.is_some() {
            return Ok((name, ActorType::App, Some(true)));
        }
    }
    Ok((None, ActorType::Unknown, None))
}

/// Entra Connect writes as `Sync_<server>_<id>@<tenant>.onmicrosoft.com`, Cloud Sync as
/// `ADToAADSyncServiceAccount@<tenant>.onmicrosoft.com`: a user object, but the sync engine.
fn sync_account(upn: &str) -> bool {
    let u = upn.trim().to_ascii_lowercase();
    u.split_once('@').is_some_and(|(local, domain)| {
        domain.ends_with(".onmicrosoft.com")
            && (local.starts_with("sync_") || local == "adtoaadsyncserviceaccount")
    })
}

/// `modifiedProperties` that name what was granted.
fn granted_property(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    [
        "role.displayname",
        "role.templateid",
        "role.objectid",
        "role.wellknownobjectname",
        "group.displayname",
        "group.objectid",
        "approle.id",
        "approle.value",
        "approle.displayname",
    ]
    .contains(&n.as_str())
}

/// A `newValue`: JSON text inside a string (`"\"Global Administrator\""`, `"[\"a\",\"b\"]"`).
fn property_values(v: Option<&Value>) -> Vec<String> {
    let Some(Value::String(raw)) = v else {
        return Vec::new();
    };
    match serde_json::from_str::<Value>(raw) {
        Ok(Value::String(s)) => vec![s],
        Ok(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => vec![raw.trim().to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activities_that_provision() {
        assert_eq!(action("Add user"), Some(ProvAction::AccountCreated));
        assert_eq!(
            action("Add member to group"),
            Some(ProvAction::AccessGranted)
        );
        assert_eq!(
            action("Add app role assignment grant to user"),
            Some(ProvAction::AccessGranted)
        );
        assert_eq!(
            action("Add eligible member to role in PIM completed (permanent)"),
            Some(ProvAction::RoleGranted)
        );
        assert_eq!(
            action("Add member to role completed (PIM activation)"),
            None
        );
        assert_eq!(
            action("Add member to role requested (PIM activation)"),
            None
        );
        assert_eq!(action("Update user"), None);
    }

    #[test]
    fn sync_engine_accounts() {
        assert!(sync_account(
            "Sync_DC01_1a2b3c4d5e6f@contoso.onmicrosoft.com"
        ));
        assert!(sync_account(
            "ADToAADSyncServiceAccount@contoso.onmicrosoft.com"
        ));
        assert!(!sync_account("sync_jo@contoso.com"));
        assert!(!sync_account("admin@contoso.onmicrosoft.com"));
    }

    #[test]
    fn new_values_are_json_inside_strings() {
        let v = |s: &str| property_values(Some(&Value::String(s.into())));
        assert_eq!(v("\"Global Administrator\""), ["Global Administrator"]);
        assert_eq!(v("[\"a\",\"b\"]"), ["a", "b"]);
        assert_eq!(v("plain"), ["plain"]);
    }
}
