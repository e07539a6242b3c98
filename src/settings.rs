//! Tenant settings: the catalogue of settings driftgate can derive from exports, the MSP
//! `[baseline]` that names the expected values (estate.toml, overridden per key by tenant.toml),
//! and, per tenant, expected against found (the facts BASE-004 compares).
//!
//! Validation happens at config load: an unknown key or a value of the wrong type is a
//! [`ConfigError`] naming the file and key. A tenant exempts itself from a key with `"any"`.
//! Comparison is on normalised values: strings trimmed and lower-cased, lists sorted and
//! deduplicated, role template ids replaced by role names, policy ids never used (names only).
//! It must not judge: whether a difference matters is the rule's call.

use crate::enforcement::{self, blocks_legacy_auth, enabled, label};
use crate::estate::ConfigError;
use crate::model::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The kind of value a setting takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Bool,
    /// One of these words (any case).
    Choice(&'static [&'static str]),
    /// A list of names.
    List,
}

/// One setting driftgate can read from the exports.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub key: &'static str,
    pub ty: Type,
    /// `equal`, or `includes`: every expected item must be found, others may exist too.
    pub compare: &'static str,
    /// What it is and where it comes from (docs/estate.md repeats this table).
    pub about: &'static str,
}

/// The catalogue: every key `[baseline]` accepts.
pub const CATALOGUE: &[Setting] = &[
    Setting {
        key: "mfa_enforced",
        ty: Type::Bool,
        compare: "equal",
        about: "MFA is required of all users (BASE-001's facts: Conditional Access or security defaults in Entra, 2-Step Verification enforcement in Google Workspace, per-user MFA in JumpCloud) in the source of truth, or every directory when it is not one",
    },
    Setting {
        key: "security_defaults",
        ty: Type::Bool,
        compare: "equal",
        about: "Entra security defaults are on (identitySecurityDefaultsEnforcementPolicy.json)",
    },
    Setting {
        key: "legacy_auth_blocked",
        ty: Type::Bool,
        compare: "equal",
        about: "Entra legacy authentication is blocked: an enabled Conditional Access policy for all users and all applications blocks the exchangeActiveSync and other client app types, or security defaults are on",
    },
    Setting {
        key: "conditional_access",
        ty: Type::List,
        compare: "includes",
        about: "Entra Conditional Access policies (display names) that must exist and be enabled; others may exist too",
    },
    Setting {
        key: "guest_invites",
        ty: Type::Choice(&[
            "none",
            "adminsAndGuestInviters",
            "adminsGuestInvitersAndAllMembers",
            "everyone",
        ]),
        compare: "equal",
        about: "who may invite Entra guests (authorizationPolicy.json allowInvitesFrom)",
    },
    Setting {
        key: "users_can_create_apps",
        ty: Type::Bool,
        compare: "equal",
        about: "default Entra users may register applications (authorizationPolicy.json defaultUserRolePermissions.allowedToCreateApps)",
    },
    Setting {
        key: "gdap_roles",
        ty: Type::List,
        compare: "equal",
        about: "the roles the MSP's active GDAP relationships grant in the tenant, by name (a role template id is read as its name)",
    },
];

/// The string that exempts a tenant from a baseline key.
pub const ANY: &str = "any";

pub fn setting(key: &str) -> Option<&'static Setting> {
    CATALOGUE.iter().find(|s| s.key == key)
}

/// One validated `[baseline]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    /// As configured (JSON); the string `any` when `exempt`.
    pub value: Value,
    pub exempt: bool,
    /// `estate.toml` or `tenant.toml`.
    pub from: &'static str,
    /// The file, as reports show it.
    pub file: String,
}

/// A validated `[baseline]`: setting key → expected value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Baseline {
    pub entries: BTreeMap<String, Expected>,
}

impl Baseline {
    /// Validate a `[baseline]` table of `file` (`tenant`: a tenant.toml, which may use `any`).
    pub fn parse(table: &toml::Table, file: &str, tenant: bool) -> Result<Baseline, ConfigError> {
        let mut entries = BTreeMap::new();
        for (key, raw) in table {
            let err = |message: String| ConfigError {
                file: file.into(),
                line: None,
                key: Some(format!("baseline.{key}")),
                message,
            };
            let Some(s) = setting(key) else {
                let known: Vec<&str> = CATALOGUE.iter().map(|s| s.key).collect();
                return Err(err(format!(
                    "unknown baseline setting `{key}` (known: {})",
                    known.join(", ")
                )));
            };
            let any = raw.as_str().is_some_and(|v| v.eq_ignore_ascii_case(ANY));
            if any && !tenant {
                return Err(err(format!("`\"any\"` exempts one tenant from a setting and belongs in its tenant.toml; to check no tenant, remove `{key}` from estate.toml")));
            }
            if !any {
                check_type(s, raw).map_err(err)?;
            }
            let value = if any {
                Value::String(ANY.into())
            } else {
                serde_json::to_value(raw).map_err(|e| err(e.to_string()))?
            };
            entries.insert(
                key.clone(),
                Expected {
                    value,
                    exempt: any,
                    from: if tenant { "tenant.toml" } else { "estate.toml" },
                    file: file.into(),
                },
            );
        }
        Ok(Baseline { entries })
    }

    /// A tenant's baseline: its own keys (`self`) over the estate's.
    pub fn over(mut self, estate: &Baseline) -> Baseline {
        for (key, e) in &estate.entries {
            self.entries.entry(key.clone()).or_insert_with(|| e.clone());
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn check_type(s: &Setting, raw: &toml::Value) -> Result<(), String> {
    let exempt = " (or \"any\" in a tenant.toml)";
    match (s.ty, raw) {
        (Type::Bool, toml::Value::Boolean(_)) => Ok(()),
        (Type::Bool, v) => Err(format!(
            "`{}` must be true or false{exempt}, found {}",
            s.key,
            v.type_str()
        )),
        (Type::Choice(words), toml::Value::String(v))
            if words.iter().any(|w| w.eq_ignore_ascii_case(v.trim())) =>
        {
            Ok(())
        }
        (Type::Choice(words), v) => Err(format!(
            "`{}` must be one of {}{exempt}, found {v}",
            s.key,
            words.join(", ")
        )),
        (Type::List, toml::Value::Array(items)) => {
            match items
                .iter()
                .find(|i| i.as_str().is_none_or(|t| t.trim().is_empty()))
            {
                Some(bad) => Err(format!(
                    "`{}` must be a list of names, found {bad} in it",
                    s.key
                )),
                None => Ok(()),
            }
        }
        (Type::List, v) => Err(format!(
            "`{}` must be a list of names{exempt}, found {}",
            s.key,
            v.type_str()
        )),
    }
}

/// What a tenant's exports show for one setting.
#[derive(Default)]
struct Found {
    value: Option<Value>,
    source: Option<String>,
    reason: Option<String>,
    prov: Vec<Provenance>,
}

impl Found {
    fn unknown(reason: impl Into<String>) -> Found {
        Found {
            reason: Some(reason.into()),
            ..Found::default()
        }
    }
    fn of(value: Value, source: &str, prov: Vec<Provenance>) -> Found {
        Found {
            value: Some(value),
            source: Some(source.to_string()),
            reason: None,
            prov,
        }
    }
}

/// The tenant as the settings are read from it.
pub struct Tenant<'a> {
    pub source_of_truth: Option<&'a str>,
    pub sources: &'a [SourceFacts],
    pub identities: &'a [Identity],
    pub mfa: &'a [MfaEnforcement],
}

/// Every `[baseline]` setting of the tenant, expected against found, in key order.
pub fn checks(baseline: &Baseline, t: &Tenant) -> Vec<BaselineCheck> {
    if baseline.is_empty() {
        return Vec::new();
    }
    let roles = role_names(t.identities);
    baseline
        .entries
        .iter()
        .filter_map(|(key, e)| {
            let s = setting(key)?;
            let found = found(key, t);
            Some(BaselineCheck {
                setting: key.clone(),
                compare: s.compare.into(),
                expected_norm: if e.exempt {
                    Value::String(ANY.into())
                } else {
                    norm(&e.value, key, &roles)
                },
                actual_norm: found.value.as_ref().map(|v| norm(v, key, &roles)),
                expected: e.value.clone(),
                actual: found.value,
                from: e.from.into(),
                config_file: e.file.clone(),
                exempt: e.exempt,
                source: found.source,
                reason: found.reason,
                prov: found.prov,
            })
        })
        .collect()
}

/// Normalised for comparison.
fn norm(v: &Value, key: &str, roles: &HashMap<String, String>) -> Value {
    let text = |s: &str| {
        let t = s.trim().to_lowercase();
        match key {
            "gdap_roles" => roles.get(&t).cloned().unwrap_or(t),
            _ => t,
        }
    };
    match v {
        Value::String(s) => Value::String(text(s)),
        Value::Array(items) => {
            let set: BTreeSet<String> = items.iter().filter_map(Value::as_str).map(text).collect();
            Value::Array(set.into_iter().map(Value::String).collect())
        }
        other => other.clone(),
    }
}

/// Role template id → lower-case name: the built-in privileged list and every role the
/// tenant's GDAP relationships name.
fn role_names(identities: &[Identity]) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = crate::load::entra::PRIVILEGED_ROLES
        .iter()
        .map(|(id, name)| (id.to_string(), name.to_lowercase()))
        .collect();
    for i in identities.iter().filter(|i| i.kind == Kind::Delegation) {
        for r in &i.roles {
            if let Some(name) = &r.role_name {
                out.insert(r.role_id.to_lowercase(), name.to_lowercase());
            }
        }
    }
    out
}

/// The tenant's Entra source: the source of truth when it is one, else the first.
fn entra<'a>(t: &Tenant<'a>) -> Result<&'a SourceFacts, Found> {
    let mut list = t.sources.iter().filter(|s| s.kind == "entra");
    let first = list.clone().next();
    list.find(|s| Some(s.name.as_str()) == t.source_of_truth)
        .or(first)
        .ok_or_else(|| Found::unknown("the tenant has no entra source"))
}

fn found(key: &str, t: &Tenant) -> Found {
    let result = match key {
        "mfa_enforced" => Ok(mfa_enforced(t)),
        "gdap_roles" => Ok(gdap_roles(t)),
        _ => entra(t).map(|s| entra_setting(key, s)),
    };
    result.unwrap_or_else(|unknown| unknown)
}

fn mfa_enforced(t: &Tenant) -> Found {
    let judged = enforcement::judged(t.mfa);
    if judged.is_empty() {
        return Found::unknown(
            "the tenant has no directory source (entra, google-workspace, jumpcloud, okta)",
        );
    }
    let named = |list: &[&MfaEnforcement]| {
        list.iter()
            .map(|e| e.source.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let not: Vec<&MfaEnforcement> = judged
        .iter()
        .copied()
        .filter(|e| e.enforced == Some(false))
        .collect();
    if !not.is_empty() {
        let prov = not.iter().flat_map(|e| e.prov.clone()).collect();
        return Found::of(Value::Bool(false), &named(&not), prov);
    }
    let unknown: Vec<String> = judged
        .iter()
        .filter(|e| e.enforced.is_none())
        .map(|e| format!("{}: {}", e.source, e.reason.as_deref().unwrap_or("unknown")))
        .collect();
    if !unknown.is_empty() {
        return Found::unknown(unknown.join("; "));
    }
    let prov = judged.iter().flat_map(|e| e.prov.clone()).collect();
    Found::of(Value::Bool(true), &named(&judged), prov)
}

fn gdap_roles(t: &Tenant) -> Found {
    let relationships: Vec<&Identity> = t
        .identities
        .iter()
        .filter(|i| i.kind == Kind::Delegation)
        .collect();
    if relationships.is_empty() && !t.sources.iter().any(|s| s.kind == "gdap") {
        return Found::unknown("no GDAP export reaches this tenant (no `gdap` source, or none of its relationships names one of the tenant's directory_ids)");
    }
    let mut names = BTreeSet::new();
    let mut prov = Vec::new();
    let mut sources = BTreeSet::new();
    for i in relationships {
        let active = i
            .delegation
            .as_ref()
            .and_then(|d| d.status.as_deref())
            .is_some_and(|s| s.eq_ignore_ascii_case("active"));
        if !active {
            continue;
        }
        sources.insert(i.source.as_str());
        prov.push(i.prov.clone());
        for r in &i.roles {
            names.insert(r.role_name.clone().unwrap_or_else(|| r.role_id.clone()));
        }
    }
    let list = names.into_iter().map(Value::String).collect();
    let source = sources.into_iter().collect::<Vec<_>>().join(", ");
    Found {
        value: Some(Value::Array(list)),
        source: (!source.is_empty()).then_some(source),
        reason: None,
        prov,
    }
}

fn entra_setting(key: &str, s: &SourceFacts) -> Found {
    let policies = s.policies.as_deref();
    let ca = policies.and_then(|p| p.conditional_access.as_deref());
    let sd = policies.and_then(|p| p.security_defaults.as_ref());
    let auth = policies.and_then(|p| p.authorization.as_ref());
    let no_ca = "conditionalAccessPolicies.json was not exported";
    let no_auth = "authorizationPolicy.json was not exported";
    match key {
        "security_defaults" => match sd {
            Some((on, prov)) => Found::of(Value::Bool(*on), &s.name, vec![prov.clone()]),
            None => Found::unknown("identitySecurityDefaultsEnforcementPolicy.json was not exported"),
        },
        "legacy_auth_blocked" => {
            if let Some((true, prov)) = sd {
                return Found::of(Value::Bool(true), &s.name, vec![prov.clone()]);
            }
            let Some(ca) = ca else {
                return Found::unknown(format!("{no_ca} (and security defaults are not on)"));
            };
            let blocking: Vec<Provenance> = ca
                .iter()
                .filter(|p| blocks_legacy_auth(p))
                .map(|p| p.prov.clone())
                .collect();
            if !blocking.is_empty() {
                Found::of(Value::Bool(true), &s.name, blocking)
            } else if sd.is_some() || ca.iter().any(enabled) {
                Found::of(Value::Bool(false), &s.name, Vec::new())
            } else {
                Found::unknown("no Conditional Access policy blocks legacy authentication, and identitySecurityDefaultsEnforcementPolicy.json was not exported: security defaults may")
            }
        }
        "conditional_access" => match ca {
            Some(ca) => {
                let on: Vec<&CaPolicy> = ca.iter().filter(|p| enabled(p)).collect();
                let names = on.iter().map(|p| Value::String(label(p))).collect();
                Found::of(
                    Value::Array(names),
                    &s.name,
                    on.iter().map(|p| p.prov.clone()).collect(),
                )
            }
            None => Found::unknown(no_ca),
        },
        "guest_invites" => match auth {
            Some(a) => match &a.allow_invites_from {
                Some(v) => Found::of(Value::String(v.clone()), &s.name, vec![a.prov.clone()]),
                None => Found::unknown("authorizationPolicy.json has no allowInvitesFrom"),
            },
            None => Found::unknown(no_auth),
        },
        "users_can_create_apps" => match auth {
            Some(a) => match a.allowed_to_create_apps {
                Some(v) => Found::of(Value::Bool(v), &s.name, vec![a.prov.clone()]),
                None => Found::unknown(
                    "authorizationPolicy.json has no defaultUserRolePermissions.allowedToCreateApps",
                ),
            },
            None => Found::unknown(no_auth),
        },
        other => Found::unknown(format!("`{other}` is not read from entra")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn unknown_keys_and_wrong_types_name_the_file_and_key() {
        let e = Baseline::parse(&table("mfa = true"), "estate.toml", false).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("baseline.mfa"));
        assert!(e.message.contains("known: mfa_enforced"), "{}", e.message);
        let e = Baseline::parse(&table("mfa_enforced = \"yes\""), "t.toml", true).unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.key.as_deref()),
            ("t.toml", Some("baseline.mfa_enforced"))
        );
        let e = Baseline::parse(&table("gdap_roles = [\"a\", 3]"), "t.toml", true).unwrap_err();
        assert!(e.message.contains("list of names"), "{}", e.message);
        let e = Baseline::parse(&table("guest_invites = \"anyone\""), "t.toml", true).unwrap_err();
        assert!(
            e.message.contains("adminsAndGuestInviters"),
            "{}",
            e.message
        );
        let e =
            Baseline::parse(&table("mfa_enforced = \"any\""), "estate.toml", false).unwrap_err();
        assert!(e.message.contains("tenant.toml"), "{}", e.message);
    }

    #[test]
    fn tenant_keys_override_the_estate_and_any_exempts() {
        let estate = Baseline::parse(
            &table("mfa_enforced = true\nguest_invites = \"adminsAndGuestInviters\""),
            "estate.toml",
            false,
        )
        .unwrap();
        let tenant = Baseline::parse(&table("mfa_enforced = \"ANY\""), "t/tenant.toml", true)
            .unwrap()
            .over(&estate);
        let mfa = &tenant.entries["mfa_enforced"];
        assert!(mfa.exempt);
        assert_eq!(
            (mfa.from, mfa.file.as_str()),
            ("tenant.toml", "t/tenant.toml")
        );
        assert_eq!(tenant.entries["guest_invites"].from, "estate.toml");
    }

    #[test]
    fn gdap_roles_are_the_active_relationships_roles_by_name() {
        let prov = Provenance {
            source: "gdap".into(),
            file: "msp/gdap/delegatedAdminRelationships.json".into(),
            record: 1,
            line: None,
        };
        let relationship = |id: &str, status: &str, roles: &[(&str, Option<&str>)]| {
            let mut i = Identity::new("gdap", "gdap", id.into(), prov.clone());
            i.kind = Kind::Delegation;
            i.delegation = Some(Box::new(Delegation {
                status: Some(status.into()),
                ..Delegation::default()
            }));
            i.roles = roles
                .iter()
                .map(|(rid, name)| RoleAssignment {
                    role_id: rid.to_string(),
                    role_name: name.map(str::to_string),
                    scope: "/".into(),
                    assignment: AssignmentKind::Delegated,
                    privileged: false,
                    top: false,
                    via_group: None,
                    start: Ts::default(),
                    end: Ts::default(),
                    prov: prov.clone(),
                })
                .collect();
            i
        };
        let identities = [
            relationship(
                "rel-1",
                "active",
                &[
                    (
                        "729827e3-9c14-49f7-bb1b-9608f156bbb8",
                        Some("Helpdesk Administrator"),
                    ),
                    ("0f971eea-41eb-4569-a71e-57bb8a3eff1e", None),
                ],
            ),
            relationship(
                "rel-2",
                "terminated",
                &[(
                    "62e90394-69f5-4237-9190-012177145e10",
                    Some("Global Administrator"),
                )],
            ),
        ];
        let baseline = Baseline::parse(
            &table("gdap_roles = [\"729827E3-9c14-49f7-bb1b-9608f156bbb8\", \"0f971eea-41eb-4569-a71e-57bb8a3eff1e\"]"),
            "estate.toml",
            false,
        )
        .unwrap();
        let got = checks(
            &baseline,
            &Tenant {
                source_of_truth: None,
                sources: &[],
                identities: &identities,
                mfa: &[],
            },
        );
        assert_eq!(
            got[0].actual,
            Some(serde_json::json!([
                "0f971eea-41eb-4569-a71e-57bb8a3eff1e",
                "Helpdesk Administrator"
            ]))
        );
        assert_eq!(got[0].actual_norm.as_ref(), Some(&got[0].expected_norm));
        assert_eq!(got[0].source.as_deref(), Some("gdap"));
    }

    #[test]
    fn lists_are_normalised_and_role_ids_read_as_names() {
        let roles = role_names(&[]);
        assert_eq!(
            norm(
                &serde_json::json!([
                    " Helpdesk Administrator",
                    "62e90394-69f5-4237-9190-012177145e10",
                    "helpdesk administrator"
                ]),
                "gdap_roles",
                &roles
            ),
            serde_json::json!(["global administrator", "helpdesk administrator"])
        );
        assert_eq!(
            norm(
                &serde_json::json!("AdminsAndGuestInviters"),
                "guest_invites",
                &roles
            ),
            serde_json::json!("adminsandguestinviters")
        );
    }
}
