//! Normalise: turn one tenant's loaded sources into the facts policies read.
//!
//! Rust computes facts here so that Rego only compares: ages in days from `as_of`, credential
//! lifetimes and expiry, privileged / top-role flags, and the tenant's top-role holder counts.
//! Identities are sorted by `ref` so every run feeds policies the same order.

use crate::estate::TenantConfig;
use crate::load::time::days_between;
use crate::load::SourceData;
use crate::model::*;
use chrono::{DateTime, Utc};

/// Everything a tenant's evaluation needs, before params are attached.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TenantModel {
    pub tenant: TenantFacts,
    pub identities: Vec<Identity>,
}

/// Build the tenant model from its loaded sources.
pub fn tenant_model(
    config: &TenantConfig,
    mut sources: Vec<SourceData>,
    as_of: DateTime<Utc>,
) -> TenantModel {
    let mut facts = Vec::with_capacity(sources.len());
    let mut identities = Vec::new();
    let logs: Vec<ProvLog> = sources.iter_mut().filter_map(|s| s.log.take()).collect();
    for source in sources {
        let roles_known = source.facts.capabilities.roles;
        for mut id in source.identities {
            settle(&mut id, as_of, roles_known);
            identities.push(id);
        }
        facts.push(source.facts);
    }
    identities.sort_by(|a, b| a.reference.cmp(&b.reference));
    crate::correlate::correlate(&mut identities, config.source_of_truth.as_deref());
    let provisioning = crate::provision::provision(&mut identities, logs, as_of);
    let top_roles = facts
        .iter()
        .filter(|s| s.capabilities.top_role_countable)
        .map(|s| top_role(s, &identities))
        .collect();
    let sot = config.source_of_truth.as_deref();
    let mfa_enforcement = crate::enforcement::mfa_enforcement(&facts, &identities, sot);
    let baseline = crate::settings::checks(
        &config.baseline,
        &crate::settings::Tenant {
            source_of_truth: sot,
            sources: &facts,
            identities: &identities,
            mfa: &mfa_enforcement,
        },
    );
    TenantModel {
        tenant: TenantFacts {
            id: config.id.clone(),
            name: config.name.clone(),
            status: config.status.clone(),
            source_of_truth: config.source_of_truth.clone(),
            identity_count: identities.len(),
            sources: facts,
            top_roles,
            provisioning,
            mfa_enforcement,
            baseline,
            // Set by the audit, which knows the estate's waivers.toml too.
            waivers: Vec::new(),
            // Set by the audit, which reads the review worksheets (see `crate::review`).
            access_review: Default::default(),
        },
        identities,
    }
}

fn top_role(source: &SourceFacts, identities: &[Identity]) -> TopRole {
    let mut holders = Vec::new();
    for id in identities.iter().filter(|i| i.source == source.name) {
        let top: Vec<&RoleAssignment> = id.roles.iter().filter(|r| r.top).collect();
        if top.is_empty() {
            continue;
        }
        let standing = top.iter().any(|r| {
            matches!(
                r.assignment,
                AssignmentKind::Permanent | AssignmentKind::TimeBound
            )
        });
        let cite = top
            .iter()
            .find(|r| {
                matches!(
                    r.assignment,
                    AssignmentKind::Permanent | AssignmentKind::TimeBound
                )
            })
            .unwrap_or(&top[0]);
        holders.push(TopRoleHolder {
            reference: id.reference.clone(),
            principal_name: id
                .principal_name
                .clone()
                .or_else(|| id.display_name.clone()),
            kind: id.kind,
            enabled: id.enabled,
            standing,
            prov: cite.prov.clone(),
        });
    }
    TopRole {
        source: source.name.clone(),
        role_name: source
            .top_role_name
            .clone()
            .unwrap_or_else(|| "top role".into()),
        standing_count: holders
            .iter()
            .filter(|h| h.standing && h.enabled != Some(false))
            .count(),
        enabled_standing_count: holders
            .iter()
            .filter(|h| h.standing && h.enabled == Some(true))
            .count(),
        holders,
    }
}

/// Fill in everything derived from `as_of`, and the privilege flags.
fn settle(id: &mut Identity, as_of: DateTime<Utc>, roles_known: bool) {
    let age = |t: &mut Ts| t.days_ago = t.at.map(|at| days_between(at, as_of));
    age(&mut id.created);
    for t in [
        &mut id.activity.last_interactive,
        &mut id.activity.last_non_interactive,
        &mut id.activity.last_successful,
        &mut id.activity.last_any,
        &mut id.password.last_set,
        &mut id.account_expires,
        &mut id.employment.hire_date,
        &mut id.employment.leave_date,
    ] {
        age(t);
    }
    for r in &mut id.roles {
        age(&mut r.start);
        age(&mut r.end);
    }
    if let Some(d) = id.delegation.as_mut() {
        age(&mut d.ends);
    }
    for c in &mut id.credentials {
        for t in [
            &mut c.created,
            &mut c.rotated,
            &mut c.expires,
            &mut c.last_used,
        ] {
            age(t);
        }
        c.expired = match (c.expires.at, c.expires.quality) {
            (Some(e), _) => Some(e <= as_of),
            (None, TimeQuality::Never) => Some(false),
            _ => None,
        };
        c.lifetime_days = match (c.created.at, c.expires.at) {
            (Some(s), Some(e)) => Some((e - s).num_seconds().div_euclid(86_400)),
            _ => None,
        };
        let use_state = UseState::of(&c.last_used);
        c.derived = CredentialDerived {
            live: match (c.active, c.expired) {
                (Some(false), _) | (_, Some(true)) => Some(false),
                (Some(true), Some(false)) => Some(true),
                _ => None,
            },
            age_days: match (c.rotated.days_ago, c.created.days_ago) {
                (Some(r), Some(c)) => Some(r.min(c)),
                (r, c) => r.or(c),
            },
            use_state,
            unused_days: (use_state == UseState::Dated)
                .then_some(c.last_used.days_ago)
                .flatten(),
            no_expiry: c.expires.at.is_none()
                && matches!(
                    c.expires.quality,
                    TimeQuality::Never | TimeQuality::NotApplicable
                ),
        };
    }
    id.non_human = id.kind.is_non_human();
    let activity = if id.activity.known {
        UseState::of(&id.activity.last_any)
    } else {
        UseState::Unknown
    };
    id.derived = Derived {
        user_account: matches!(
            id.kind,
            Kind::Human
                | Kind::Guest
                | Kind::Technician
                | Kind::Shared
                | Kind::Root
                | Kind::ServiceAccount
        ),
        activity,
        activity_days: (activity == UseState::Dated)
            .then_some(id.activity.last_any.days_ago)
            .flatten(),
        created_days: id.created.days_ago,
        standing_privileged: id.roles.iter().any(|r| {
            r.privileged
                && matches!(
                    r.assignment,
                    AssignmentKind::Permanent | AssignmentKind::TimeBound
                )
        }),
        has_roles: !id.roles.is_empty(),
        has_credentials: !id.credentials.is_empty(),
    };
    let has_privileged = id.roles.iter().any(|r| r.privileged);
    let has_top = id.roles.iter().any(|r| r.top);
    if roles_known {
        id.privileged = Some(has_privileged);
        id.top_role = Some(has_top);
    } else {
        // Without role data a held role still proves privilege; its absence proves nothing.
        id.privileged = id.privileged.or(has_privileged.then_some(true));
        id.top_role = id.top_role.or(has_top.then_some(true));
    }
}
