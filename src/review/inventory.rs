//! The review inventory: every entitlement of a tenant a periodic access review covers, found in
//! the normalised model: privileged role assignments, delegated admin access (GDAP access
//! containers), MSP technician accounts and the credentials of non-human identities.
//!
//! Each entitlement gets a stable `item_id` (a short hash of tenant, holder ref, kind and key), so
//! a completed worksheet row finds its entitlement again in a later run. This module reads the
//! model only; it judges nothing (the suggested decision is advice for the reviewer, see
//! [`suggest`]).

use crate::model::{AssignmentKind, Identity, Kind, Provenance};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// What kind of entitlement an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemKind {
    /// A privileged role assignment (active, eligible or time-bound).
    PrivilegedRole,
    /// A delegated-admin (GDAP) access container: an MSP group holding roles in the client.
    DelegatedAccess,
    /// An account that belongs to one of the MSP's technicians.
    TechnicianAccount,
    /// A secret, certificate or key of a service account, workload, managed identity or agent.
    NhiCredential,
}

impl ItemKind {
    pub const ALL: [ItemKind; 4] = [
        ItemKind::PrivilegedRole,
        ItemKind::DelegatedAccess,
        ItemKind::TechnicianAccount,
        ItemKind::NhiCredential,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::PrivilegedRole => "privileged_role",
            ItemKind::DelegatedAccess => "delegated_access",
            ItemKind::TechnicianAccount => "technician_account",
            ItemKind::NhiCredential => "nhi_credential",
        }
    }
}

/// One reviewable entitlement as the exports show it now.
#[derive(Debug, Clone)]
pub struct Item {
    pub item_id: String,
    /// The holder identity's `ref`.
    pub reference: String,
    pub kind: ItemKind,
    /// The role id (`@scope` when not tenant-wide), credential id, access-container group id,
    /// or `account`: the same key findings of the other rules carry.
    pub key: String,
    /// What is held: role name and assignment, credential type and name, GDAP relationship.
    pub label: String,
    /// Who holds it: principal name, display name or, failing both, the ref.
    pub holder: String,
    pub source: String,
    pub privileged: bool,
    /// The entitlement can be used now: holder enabled, credential live, relationship active.
    pub enabled: Option<bool>,
    /// Last sign-in of the holder, or last use of the credential (RFC 3339 date).
    pub last_activity: Option<String>,
    /// The export record: the role assignment, credential or identity record.
    pub prov: Provenance,
    /// Index of the holder in the model's identities.
    pub identity: usize,
}

/// The stable id of an entitlement: 12 hex digits of sha256(tenant|ref|kind|key).
pub fn item_id(tenant: &str, reference: &str, kind: ItemKind, key: &str) -> String {
    let mut h = Sha256::new();
    for part in [tenant, reference, kind.as_str(), key] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    h.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The holder's name as a reviewer reads it.
pub fn holder(i: &Identity) -> String {
    i.principal_name
        .clone()
        .or_else(|| i.display_name.clone())
        .unwrap_or_else(|| i.reference.clone())
}

fn date(t: &crate::model::Ts) -> Option<String> {
    t.at.map(|at| at.format("%Y-%m-%d").to_string())
}

fn assignment(a: AssignmentKind) -> &'static str {
    match a {
        AssignmentKind::Permanent => "permanent",
        AssignmentKind::Eligible => "eligible",
        AssignmentKind::Activated => "activated",
        AssignmentKind::TimeBound => "time-bound",
        AssignmentKind::Delegated => "delegated",
    }
}

/// A GDAP relationship that no longer grants anything is not an entitlement.
fn relationship_ended(status: Option<&str>) -> bool {
    status.is_some_and(|s| {
        matches!(
            s.to_ascii_lowercase().as_str(),
            "terminated" | "expired" | "terminationrequested" | "deleted"
        )
    })
}

/// Every reviewable entitlement of one tenant, sorted by kind, holder and label.
pub fn inventory(tenant: &str, identities: &[Identity]) -> Vec<Item> {
    let mut items = Vec::new();
    for (n, i) in identities.iter().enumerate() {
        let technician = i.kind == Kind::Technician || i.staff.is_some();
        let privileged_roles = i.roles.iter().any(|r| r.privileged);
        let delegation = i.kind == Kind::Delegation;
        let nhi_creds = i.non_human && !i.credentials.is_empty();
        if !(technician || privileged_roles || delegation || nhi_creds) {
            continue;
        }
        let who = holder(i);
        let mut push = |kind: ItemKind,
                        key: String,
                        label: String,
                        holder: String,
                        privileged: bool,
                        enabled: Option<bool>,
                        last_activity: Option<String>,
                        prov: &Provenance| {
            items.push(Item {
                item_id: item_id(tenant, &i.reference, kind, &key),
                reference: i.reference.clone(),
                kind,
                key,
                label,
                holder,
                source: i.source.clone(),
                privileged,
                enabled,
                last_activity,
                prov: prov.clone(),
                identity: n,
            });
        };
        let activity = date(&i.activity.last_any);
        if delegation {
            let d = i.delegation.as_deref();
            if d.is_some_and(|d| relationship_ended(d.status.as_deref())) {
                continue;
            }
            let status = d.and_then(|d| d.status.as_deref());
            let active = status.map(|s| s.eq_ignore_ascii_case("active"));
            let names: BTreeMap<&str, &str> = i
                .roles
                .iter()
                .map(|r| {
                    (
                        r.role_id.as_str(),
                        r.role_name.as_deref().unwrap_or(&r.role_id),
                    )
                })
                .collect();
            let relationship = i
                .display_name
                .clone()
                .unwrap_or_else(|| i.object_id.clone());
            let containers = d.map(|d| d.access_containers.as_slice()).unwrap_or(&[]);
            let mut any = false;
            for c in containers {
                if c.status
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case("deleted"))
                {
                    continue;
                }
                any = true;
                let roles: Vec<&str> = c
                    .role_ids
                    .iter()
                    .map(|r| names.get(r.as_str()).copied().unwrap_or(r))
                    .collect();
                let group = c.group_name.clone().unwrap_or_else(|| c.group_id.clone());
                let enabled = match (active, c.status.as_deref()) {
                    (Some(false), _) => Some(false),
                    (_, Some(s)) if !s.eq_ignore_ascii_case("active") => None,
                    (a, _) => a,
                };
                push(
                    ItemKind::DelegatedAccess,
                    c.group_id.clone(),
                    format!("GDAP {relationship}: {}", roles.join(", ")),
                    group,
                    true,
                    enabled,
                    None,
                    &i.prov,
                );
            }
            if !any {
                let roles: Vec<&str> = names.values().copied().collect();
                push(
                    ItemKind::DelegatedAccess,
                    "relationship".into(),
                    format!("GDAP {relationship}: {}", roles.join(", ")),
                    who.clone(),
                    true,
                    active,
                    None,
                    &i.prov,
                );
            }
            continue;
        }
        if technician {
            push(
                ItemKind::TechnicianAccount,
                "account".into(),
                format!("MSP technician account in {}", i.source),
                who.clone(),
                i.privileged == Some(true),
                i.enabled,
                activity.clone(),
                &i.prov,
            );
        }
        // One item per role held, however many assignments hold it.
        let mut roles: BTreeMap<String, (String, Vec<&'static str>, &Provenance)> = BTreeMap::new();
        for r in i.roles.iter().filter(|r| r.privileged) {
            let key = if r.scope == "/" || r.scope.is_empty() {
                r.role_id.clone()
            } else {
                format!("{}@{}", r.role_id, r.scope)
            };
            let name = r.role_name.clone().unwrap_or_else(|| r.role_id.clone());
            let scope = if r.scope == "/" || r.scope.is_empty() {
                String::new()
            } else {
                format!(" on {}", r.scope)
            };
            let e = roles
                .entry(key)
                .or_insert_with(|| (format!("{name}{scope}"), Vec::new(), &r.prov));
            let a = assignment(r.assignment);
            if !e.1.contains(&a) {
                e.1.push(a);
            }
        }
        for (key, (name, kinds, prov)) in roles {
            push(
                ItemKind::PrivilegedRole,
                key,
                format!("{name} ({})", kinds.join(", ")),
                who.clone(),
                true,
                i.enabled,
                activity.clone(),
                prov,
            );
        }
        if i.non_human {
            for c in &i.credentials {
                let kind = serde_json::to_value(c.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                let name = c
                    .display_name
                    .clone()
                    .or_else(|| c.hint.clone().map(|h| format!("hint {h}")))
                    .unwrap_or_else(|| c.id.clone());
                push(
                    ItemKind::NhiCredential,
                    c.id.clone(),
                    format!("{kind} {name}"),
                    who.clone(),
                    i.privileged == Some(true),
                    c.derived.live,
                    date(&c.last_used),
                    &c.prov,
                );
            }
        }
    }
    items.sort_by(|a, b| {
        (a.kind, a.holder.to_lowercase(), &a.label, &a.item_id).cmp(&(
            b.kind,
            b.holder.to_lowercase(),
            &b.label,
            &b.item_id,
        ))
    });
    items
}

/// What the reviewer is advised to decide, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// `keep`, `revoke` or `modify`.
    pub decision: &'static str,
    pub reason: String,
}

/// A finding of the current audit on an item's holder: rule id and severity.
pub type ItemFinding = (String, crate::policy::metadata::Severity);

/// The thresholds the suggestion uses (the tenant's params).
pub struct Thresholds {
    pub stale_days: i64,
    pub credential_unused_days: i64,
}

/// Advice only: **revoke** when the holder has left, is disabled, is stale, the credential is
/// expired or unused, or a critical finding concerns the item; **modify** when a standing
/// privileged assignment could be eligible (the directory supports just-in-time assignment),
/// a departed technician is still in a GDAP group, or a high finding concerns the item;
/// **keep** otherwise.
pub fn suggest(
    item: &Item,
    who: &Identity,
    findings: &[ItemFinding],
    jit: Option<bool>,
    t: &Thresholds,
) -> Suggestion {
    use crate::policy::metadata::Severity;
    let revoke = |reason: String| Suggestion {
        decision: "revoke",
        reason,
    };
    let modify = |reason: String| Suggestion {
        decision: "modify",
        reason,
    };
    let left = who.correlation.sot.as_ref().and_then(|s| s.gone) == Some(true)
        || who.staff.as_ref().and_then(|s| s.gone) == Some(true);
    if left {
        return revoke("the holder has left".into());
    }
    match item.kind {
        ItemKind::NhiCredential => {
            let c = who.credentials.iter().find(|c| c.id == item.key);
            if let Some(c) = c {
                if c.expired == Some(true) {
                    return revoke("the credential has expired".into());
                }
                if c.derived
                    .unused_days
                    .is_some_and(|d| d > t.credential_unused_days)
                {
                    return revoke(format!(
                        "the credential has not been used for {} days",
                        c.derived.unused_days.unwrap_or_default()
                    ));
                }
            }
        }
        ItemKind::DelegatedAccess => {}
        _ => {
            if who.enabled == Some(false) {
                return revoke("the holder's account is disabled".into());
            }
            if who.derived.activity_days.is_some_and(|d| d > t.stale_days) {
                return revoke(format!(
                    "no sign-in for {} days",
                    who.derived.activity_days.unwrap_or_default()
                ));
            }
        }
    }
    if let Some((rule, _)) = findings.iter().find(|(_, s)| *s == Severity::Critical) {
        return revoke(format!("critical finding {rule}"));
    }
    if item.kind == ItemKind::DelegatedAccess {
        let departed = who
            .delegation
            .as_deref()
            .and_then(|d| d.access_containers.iter().find(|c| c.group_id == item.key))
            .map(|c| c.departed.clone())
            .unwrap_or_default();
        if !departed.is_empty() {
            return modify(format!(
                "remove departed technicians from the group: {}",
                departed.join(", ")
            ));
        }
    }
    if item.kind == ItemKind::PrivilegedRole && jit == Some(true) {
        let standing = who.roles.iter().any(|r| {
            r.privileged
                && item.key.split('@').next() == Some(r.role_id.as_str())
                && matches!(
                    r.assignment,
                    AssignmentKind::Permanent | AssignmentKind::TimeBound
                )
        });
        if standing {
            return modify("standing assignment: make it eligible (just-in-time)".into());
        }
    }
    if let Some((rule, _)) = findings.iter().find(|(_, s)| *s == Severity::High) {
        return modify(format!("high finding {rule}"));
    }
    Suggestion {
        decision: "keep",
        reason: if findings.is_empty() {
            "in use, no finding".into()
        } else {
            "no critical or high finding".into()
        },
    }
}

/// Whether a finding (subject ref and key) concerns an item: same holder, and the item's key or
/// no key; any finding on a GDAP relationship or a technician account.
pub fn concerns(item: &Item, subject: &str, key: Option<&str>) -> bool {
    subject == item.reference
        && match item.kind {
            ItemKind::DelegatedAccess | ItemKind::TechnicianAccount => true,
            ItemKind::PrivilegedRole => {
                key.is_none_or(|k| k == item.key || item.key.split('@').next() == Some(k))
            }
            ItemKind::NhiCredential => key.is_none_or(|k| k == item.key),
        }
}
