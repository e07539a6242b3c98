//! MFA enforcement: whether each directory source of a tenant requires MFA of all its users
//! (the facts BASE-001 compares), derived once per tenant.
//!
//! - `entra`: an enabled Conditional Access policy that requires MFA (the `mfa` control, or an
//!   authentication strength, not offered as one alternative among others) of `All` users for
//!   `All` applications on every sign-in; else security defaults. Report-only policies do not
//!   enforce; policies for roles, groups, guests, some applications or some sign-ins are
//!   `partial`. What every enforcing policy excludes is listed (break-glass accounts are normal).
//!   A missing export is unknown, never "not enforced".
//! - `google-workspace` / `jumpcloud`: the per-user `mfa.enforced` of every active human.
//! - `okta`: no policy export is read: unknown.
//!
//! It must not judge: whether an exclusion or a partial policy is acceptable is the rule's call.

use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};

/// Source kinds that are directories able to require MFA of their users.
pub const DIRECTORY_KINDS: &[&str] = &["entra", "google-workspace", "jumpcloud", "okta"];

/// How many users not enforced are named as a sample.
const SAMPLE: usize = 20;

/// One entry per directory source of the tenant, in source order.
pub fn mfa_enforcement(
    sources: &[SourceFacts],
    identities: &[Identity],
    source_of_truth: Option<&str>,
) -> Vec<MfaEnforcement> {
    sources
        .iter()
        .filter(|s| DIRECTORY_KINDS.contains(&s.kind.as_str()))
        .map(|s| {
            let mut e = match s.kind.as_str() {
                "entra" => entra(s, identities),
                "okta" => unknown(
                    s,
                    "Okta sign-on and authentication policies are not in the export (GET /api/v1/policies?type=OKTA_SIGN_ON and ?type=ACCESS_POLICY with their rules): whether MFA is required cannot be told".into(),
                ),
                "google-workspace" => per_user(
                    s,
                    identities,
                    MfaMechanism::TwoSvPolicy,
                    "isEnforcedIn2Sv / 2sv Enforced",
                ),
                _ => per_user(
                    s,
                    identities,
                    MfaMechanism::PerUser,
                    "enable_user_portal_multifactor",
                ),
            };
            e.source_of_truth = source_of_truth == Some(s.name.as_str());
            e
        })
        .collect()
}

/// The entries a tenant-wide verdict rests on: the source of truth's when it is a directory,
/// else every directory source's.
pub fn judged(all: &[MfaEnforcement]) -> Vec<&MfaEnforcement> {
    match all.iter().find(|e| e.source_of_truth) {
        Some(sot) => vec![sot],
        None => all.iter().collect(),
    }
}

fn blank(s: &SourceFacts) -> MfaEnforcement {
    MfaEnforcement {
        source: s.name.clone(),
        kind: s.kind.clone(),
        source_of_truth: false,
        enforced: None,
        mechanism: None,
        policies: Vec::new(),
        excluded: Vec::new(),
        partial: Vec::new(),
        report_only: Vec::new(),
        users: 0,
        not_enforced_users: 0,
        not_enforced_sample: Vec::new(),
        unknown_users: 0,
        reason: None,
        prov: Vec::new(),
    }
}

fn unknown(s: &SourceFacts, reason: String) -> MfaEnforcement {
    MfaEnforcement {
        reason: Some(reason),
        ..blank(s)
    }
}

/// A policy's name for evidence (its id when it has none).
pub fn label(p: &CaPolicy) -> String {
    p.name.clone().unwrap_or_else(|| p.id.clone())
}

fn has(list: &[String], value: &str) -> bool {
    list.iter().any(|v| v.eq_ignore_ascii_case(value))
}

pub fn enabled(p: &CaPolicy) -> bool {
    p.state.eq_ignore_ascii_case("enabled")
}

pub fn report_only(p: &CaPolicy) -> bool {
    p.state
        .eq_ignore_ascii_case("enabledForReportingButNotEnforced")
}

/// The grant makes MFA mandatory: the `mfa` control or an authentication strength, required
/// (`AND`) or the only kind of control offered (`OR` with `compliantDevice` lets a device stand
/// in for MFA).
pub fn requires_mfa(p: &CaPolicy) -> bool {
    let mfa = offers_mfa(p);
    let and = p
        .grant_operator
        .as_deref()
        .is_some_and(|o| o.eq_ignore_ascii_case("AND"));
    mfa && (and
        || p.built_in_controls
            .iter()
            .all(|c| c.eq_ignore_ascii_case("mfa")))
}

/// The grant names MFA (the `mfa` control or an authentication strength), required or not.
pub fn offers_mfa(p: &CaPolicy) -> bool {
    has(&p.built_in_controls, "mfa") || p.authentication_strength.is_some()
}

/// Why a policy does not reach every user, every application and every sign-in; None when it
/// does (exclusions aside).
pub fn short_of_all(p: &CaPolicy) -> Option<String> {
    let mut why = Vec::new();
    if !has(&p.include_users, "All") {
        why.push(if has(&p.include_users, "None") && !has_other_targets(p) {
            "applies to no user (includeUsers None)".to_string()
        } else if !p.include_roles.is_empty()
            && p.include_users.is_empty()
            && p.include_groups.is_empty()
            && !p.include_guests
        {
            "directory roles only (admins)".to_string()
        } else if has(&p.include_users, "GuestsOrExternalUsers") || p.include_guests {
            "guests or external users only".to_string()
        } else {
            "selected users, groups or roles only".to_string()
        });
    }
    if !has(&p.include_apps, "All") {
        why.push("selected applications only".into());
    }
    let types = &p.client_app_types;
    let every_client = types.is_empty()
        || has(types, "all")
        || (has(types, "browser") && has(types, "mobileAppsAndDesktopClients"));
    if !every_client {
        why.push(format!("client app types {} only", types.join(", ")));
    }
    if !p.narrowed_by.is_empty() {
        why.push(format!("only some sign-ins ({})", p.narrowed_by.join(", ")));
    }
    (!why.is_empty()).then(|| why.join("; "))
}

fn has_other_targets(p: &CaPolicy) -> bool {
    !p.include_roles.is_empty() || !p.include_groups.is_empty() || p.include_guests
}

/// An enabled policy for all users and applications that blocks the legacy clients
/// (`exchangeActiveSync` and `other`).
pub fn blocks_legacy_auth(p: &CaPolicy) -> bool {
    enabled(p)
        && has(&p.built_in_controls, "block")
        && has(&p.include_users, "All")
        && has(&p.include_apps, "All")
        && has(&p.client_app_types, "exchangeActiveSync")
        && has(&p.client_app_types, "other")
        && p.narrowed_by.is_empty()
}

/// What a policy leaves out, by id.
pub fn exclusions(p: &CaPolicy) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (kind, ids) in [
        ("user", &p.exclude_users),
        ("group", &p.exclude_groups),
        ("role", &p.exclude_roles),
        ("application", &p.exclude_apps),
    ] {
        for id in ids {
            out.insert((kind.to_string(), id.to_ascii_lowercase()));
        }
    }
    if p.exclude_guests || has(&p.exclude_users, "GuestsOrExternalUsers") {
        out.remove(&("user".to_string(), "guestsorexternalusers".to_string()));
        out.insert(("guests_or_external_users".into(), "*".into()));
    }
    out
}

fn entra(s: &SourceFacts, identities: &[Identity]) -> MfaEnforcement {
    let mut e = blank(s);
    let policies = s.policies.as_deref();
    let ca = policies.and_then(|p| p.conditional_access.as_deref());
    let sd = policies.and_then(|p| p.security_defaults.as_ref());
    let mut enforcing: Vec<&CaPolicy> = Vec::new();
    let mut any_enabled = false;
    for p in ca.unwrap_or_default() {
        any_enabled |= enabled(p);
        if !offers_mfa(p) {
            continue;
        }
        if report_only(p) {
            e.report_only.push(label(p));
            e.prov.push(p.prov.clone());
        } else if enabled(p) && !requires_mfa(p) {
            e.partial.push(format!(
                "{}: MFA is one alternative ({} {})",
                label(p),
                p.grant_operator.as_deref().unwrap_or("OR"),
                p.built_in_controls.join(", ")
            ));
            e.prov.push(p.prov.clone());
        } else if enabled(p) {
            match short_of_all(p) {
                None => enforcing.push(p),
                Some(why) => {
                    e.partial.push(format!("{}: {why}", label(p)));
                    e.prov.push(p.prov.clone());
                }
            }
        }
    }
    if !enforcing.is_empty() {
        e.enforced = Some(true);
        e.mechanism = Some(MfaMechanism::ConditionalAccess);
        e.policies = enforcing.iter().map(|p| label(p)).collect();
        e.prov = enforcing.iter().map(|p| p.prov.clone()).collect();
        // A user is left out only when every enforcing policy leaves them out.
        let mut common = exclusions(enforcing[0]);
        for p in &enforcing[1..] {
            let other = exclusions(p);
            common.retain(|x| other.contains(x));
        }
        e.excluded = name_exclusions(common, s, identities);
        return e;
    }
    match (sd, ca) {
        (Some((true, prov)), _) => {
            e.enforced = Some(true);
            e.mechanism = Some(MfaMechanism::SecurityDefaults);
            e.prov = vec![prov.clone()];
        }
        // Enabled Conditional Access policies mean security defaults are off (Entra allows
        // one or the other).
        (Some((false, prov)), Some(_)) => {
            e.enforced = Some(false);
            e.prov.push(prov.clone());
        }
        (None, Some(_)) if any_enabled => e.enforced = Some(false),
        (None, Some(_)) => {
            e.reason = Some("no Conditional Access policy requires MFA of all users, and identitySecurityDefaultsEnforcementPolicy.json was not exported: security defaults may".into());
        }
        (Some((false, _)), None) => {
            e.reason = Some("security defaults are off and conditionalAccessPolicies.json was not exported: a Conditional Access policy may require MFA".into());
        }
        (None, None) => {
            e.reason = Some("neither conditionalAccessPolicies.json nor identitySecurityDefaultsEnforcementPolicy.json was exported".into());
        }
    }
    e
}

/// Exclusions with the names the export shows: principal names of users, group and role names.
fn name_exclusions(
    ids: BTreeSet<(String, String)>,
    s: &SourceFacts,
    identities: &[Identity],
) -> Vec<MfaExclusion> {
    let mut names: BTreeMap<(String, String), Option<String>> =
        ids.into_iter().map(|k| (k, None)).collect();
    if names.is_empty() {
        return Vec::new();
    }
    let mut set = |kind: &str, id: &str, name: Option<&String>| {
        if let Some(slot) = names.get_mut(&(kind.to_string(), id.to_ascii_lowercase())) {
            if slot.is_none() {
                *slot = name.cloned();
            }
        }
    };
    for (id, name) in crate::load::entra::PRIVILEGED_ROLES {
        set("role", id, Some(&name.to_string()));
    }
    // One pass over the source's identities, only when something is excluded.
    for i in identities.iter().filter(|i| i.source == s.name) {
        set(
            "user",
            &i.object_id,
            i.principal_name.as_ref().or(i.display_name.as_ref()),
        );
        for g in &i.groups {
            set("group", &g.id, g.name.as_ref());
        }
        for r in &i.roles {
            set("role", &r.role_id, r.role_name.as_ref());
        }
        if let Some(app) = i.alt_ids.get("app_id") {
            set("application", app, i.display_name.as_ref());
        }
    }
    names
        .into_iter()
        .map(|((kind, id), name)| MfaExclusion { kind, id, name })
        .collect()
}

/// Google Workspace and JumpCloud: every active human's own `mfa.enforced`.
fn per_user(
    s: &SourceFacts,
    identities: &[Identity],
    mechanism: MfaMechanism,
    field: &str,
) -> MfaEnforcement {
    let mut e = blank(s);
    let mut not: Vec<(&str, &Provenance)> = Vec::new();
    for i in identities.iter().filter(|i| i.source == s.name) {
        if !matches!(i.kind, Kind::Human | Kind::Technician) || i.enabled == Some(false) {
            continue;
        }
        e.users += 1;
        match i.mfa.enforced {
            Some(false) => not.push((i.principal_name.as_deref().unwrap_or(&i.reference), &i.prov)),
            None => e.unknown_users += 1,
            Some(true) => {}
        }
    }
    not.sort();
    e.not_enforced_users = not.len();
    for (name, prov) in not.iter().take(SAMPLE) {
        e.not_enforced_sample.push(name.to_string());
        e.prov.push((*prov).clone());
    }
    if e.users == 0 {
        e.reason = Some("no active human user to judge".into());
    } else if !not.is_empty() {
        e.enforced = Some(false);
    } else if e.unknown_users == e.users {
        e.reason = Some(format!("the export does not show {field}"));
    } else if e.unknown_users > 0 {
        e.reason = Some(format!(
            "{field} is unknown for {} of {} active users",
            e.unknown_users, e.users
        ));
    } else {
        e.enforced = Some(true);
        e.mechanism = Some(mechanism);
    }
    e
}
