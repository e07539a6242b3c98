//! The shape of the Rego input as the model serialises it, derived from the model's own types
//! (a probe identity and tenant serialised with serde, the same route `driftgate input` shows),
//! and the check of a path read from `input` against it.
//!
//! Lists are checked down to their elements only where the probe can hold one; values the probe
//! leaves null or empty (optional scalars, open maps such as `alt_ids`) accept any path below.

use super::scan::Seg;
use crate::model::*;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// What a path may read below a point of the input.
#[derive(Debug, Clone)]
pub enum Shape {
    /// An object with known keys.
    Object(BTreeMap<String, Shape>),
    /// An array; its element when known.
    Array(Option<Box<Shape>>),
    /// A string, number or boolean.
    Scalar,
    /// Null in the probe, or an open map: anything may follow.
    Any,
}

impl Shape {
    fn of(v: &Json) -> Shape {
        match v {
            Json::Object(map) if map.is_empty() => Shape::Any,
            Json::Object(map) => {
                Shape::Object(map.iter().map(|(k, v)| (k.clone(), Shape::of(v))).collect())
            }
            Json::Array(items) => Shape::Array(items.first().map(|e| Box::new(Shape::of(e)))),
            Json::Null => Shape::Any,
            _ => Shape::Scalar,
        }
    }
}

fn prov() -> Provenance {
    Provenance {
        source: "s".into(),
        file: "f".into(),
        record: 1,
        line: Some(1),
    }
}

/// An identity with every optional struct present, so that their fields are known.
fn probe_identity() -> Json {
    let mut probe = Identity::new("s", "k", "o".into(), prov());
    probe.staff = Some(Box::new(StaffLink {
        state: StaffState::Matched,
        staff_ref: None,
        method: None,
        value: None,
        principal_name: None,
        gone: None,
    }));
    probe.correlation.sot = Some(Box::new(SotFacts {
        gone: None,
        enabled: None,
        status: Status::Unknown,
        leave_date: Ts::default(),
        principal_name: None,
        groups: None,
        prov: prov(),
    }));
    probe.reuse = Some(Box::new(Reuse {
        found: true,
        keys: Vec::new(),
    }));
    probe.delegation = Some(Box::new(Delegation {
        access_containers: vec![AccessContainer::default()],
        ..Delegation::default()
    }));
    // One element per list of records, so that the records' fields are known too.
    probe.owners = Some(vec![Owner {
        id: String::new(),
        principal_name: None,
        enabled: None,
    }]);
    probe.groups = vec![GroupRef {
        id: String::new(),
        name: None,
    }];
    probe.roles = vec![RoleAssignment {
        role_id: String::new(),
        role_name: None,
        scope: String::new(),
        assignment: AssignmentKind::Permanent,
        privileged: false,
        top: false,
        via_group: None,
        start: Ts::default(),
        end: Ts::default(),
        prov: prov(),
    }];
    probe.credentials = vec![Credential {
        id: String::new(),
        kind: CredentialKind::ClientSecret,
        display_name: None,
        hint: None,
        active: None,
        created: Ts::default(),
        rotated: Ts::default(),
        expires: Ts::default(),
        last_used: Ts::default(),
        last_used_where: None,
        origin: None,
        lifetime_days: None,
        expired: None,
        derived: CredentialDerived::default(),
        prov: prov(),
    }];
    serde_json::to_value(&probe).expect("an identity serialises")
}

fn probe_tenant() -> Json {
    let tenant = TenantFacts {
        id: String::new(),
        name: String::new(),
        status: String::new(),
        source_of_truth: None,
        sources: Vec::new(),
        top_roles: Vec::new(),
        identity_count: 0,
        provisioning: Some(ProvisioningSummary::default()),
        mfa_enforcement: Vec::new(),
        baseline: Vec::new(),
        waivers: Vec::new(),
        access_review: crate::review::AccessReviewFacts::probe(),
    };
    serde_json::to_value(&tenant).expect("tenant facts serialise")
}

fn probe_entitlement() -> Json {
    let e = crate::entitlement::Entitlement {
        group: String::new(),
        source: String::new(),
        roles: Vec::new(),
        declared: String::new(),
    };
    serde_json::to_value(&e).expect("an entitlement serialises")
}

/// The whole input document (`params` is checked per rule, not here).
pub fn input_shape() -> Shape {
    // The top-level keys are those of `evaluate::parse_input`.
    let doc = serde_json::json!({
        "as_of": "",
        "tenant": probe_tenant(),
        "params": {},
        "entitlements": [probe_entitlement()],
        "identities": [probe_identity()],
    });
    Shape::of(&doc)
}

/// A path that reads nothing the model provides: where it goes wrong.
#[derive(Debug, PartialEq)]
pub struct Unknown {
    /// What is wrong, naming the path.
    pub message: String,
}

fn show(path: &[Seg]) -> String {
    let mut s = String::from("input");
    for seg in path {
        match seg {
            Seg::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            Seg::Elem => s.push_str("[_]"),
        }
    }
    s
}

/// Check one path; `params` (the rule's declared params) decides `input.params.<name>`.
pub fn check(shape: &Shape, path: &[Seg], params: &[String]) -> Option<Unknown> {
    if let [Seg::Key(first), Seg::Key(name), ..] = path {
        if first == "params" {
            if params.iter().any(|p| p == name) {
                return None;
            }
            return Some(Unknown {
                message: format!(
                    "input.params.{name} is not a declared param of this rule (custom.params){}",
                    suggest(name, params.iter().map(String::as_str))
                ),
            });
        }
    }
    let mut at = shape;
    for (n, seg) in path.iter().enumerate() {
        let here = &path[..n];
        match (at, seg) {
            (Shape::Any, _) => return None,
            (Shape::Object(fields), Seg::Key(k)) => match fields.get(k) {
                Some(next) => at = next,
                None => {
                    return Some(Unknown {
                        message: format!(
                            "{} has no field `{k}` in the normalised model{}",
                            show(here),
                            suggest(k, fields.keys().map(String::as_str))
                        ),
                    })
                }
            },
            // Iterating an object's values: which one is not known here.
            (Shape::Object(_), Seg::Elem) => return None,
            (Shape::Array(elem), Seg::Elem) => match elem {
                Some(e) => at = e,
                None => return None,
            },
            (Shape::Array(_), Seg::Key(k)) => {
                return Some(Unknown {
                    message: format!(
                        "{} is a list: it has no field `{k}` (iterate it: `some x in {}`)",
                        show(here),
                        show(here)
                    ),
                })
            }
            (Shape::Scalar, Seg::Key(k)) => {
                return Some(Unknown {
                    message: format!("{} is a single value: it has no field `{k}`", show(here)),
                })
            }
            (Shape::Scalar, Seg::Elem) => return None,
        }
    }
    None
}

/// ` (did you mean `x`?)` for the closest candidate, when one is close.
pub fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let limit = (name.len() / 3).max(2);
    candidates
        .map(|c| (distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &str) -> Vec<Seg> {
        s.split('.')
            .map(|p| {
                if p == "[_]" {
                    Seg::Elem
                } else {
                    Seg::Key(p.into())
                }
            })
            .collect()
    }

    #[test]
    fn model_fields_are_known_and_typos_are_suggested() {
        let shape = input_shape();
        for ok in [
            "identities.[_].kind",
            "identities.[_].derived.activity_days",
            "identities.[_].staff.gone",
            "identities.[_].correlation.sot.groups",
            "identities.[_].delegation.access_containers",
            "identities.[_].alt_ids.sid",
            "identities.[_].roles.[_].role_name",
            "identities.[_].credentials.[_].derived.unused_days",
            "identities.[_].delegation.access_containers.[_].technicians",
            "identities.[_].emails.[_]",
            "tenant.mfa_enforcement",
            "tenant.provisioning.logs",
            "entitlements.[_].roles",
            "as_of",
        ] {
            assert_eq!(check(&shape, &path(ok), &[]), None, "{ok}");
        }
        let bad = check(&shape, &path("identities.[_].derived.activty_days"), &[]).unwrap();
        assert!(bad
            .message
            .starts_with("input.identities[_].derived has no field `activty_days`"));
        assert!(
            bad.message.contains("did you mean `activity_days`"),
            "{}",
            bad.message
        );
        assert!(check(&shape, &path("tenant.mfa"), &[]).is_some());
        assert!(check(&shape, &path("identities.[_].roles.[_].role_nme"), &[]).is_some());
        assert!(check(&shape, &path("identities.kind"), &[]).is_some());
        assert!(check(&shape, &path("identities.[_].non_human.x"), &[]).is_some());
        let p = check(&shape, &path("params.stale_dys"), &["stale_days".into()]).unwrap();
        assert!(p.message.contains("did you mean `stale_days`"));
        assert_eq!(
            check(&shape, &path("params.stale_days"), &["stale_days".into()]),
            None
        );
    }
}
