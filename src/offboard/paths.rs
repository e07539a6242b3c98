//! Which paths the MSP still has into one client tenant, read from the loaded models.
//!
//! A path is a GDAP relationship or one of its access containers, an MSP technician's (or
//! guest's) account in the client's own directory, an account shared with other clients, an
//! integration the MSP operates there and each of its credentials, or a record of the MSP's
//! multi-client tools (RMM, PSA) attributed to the client. Each is classified from the export's
//! own facts: `remaining` (active and usable), `closed` (the export shows it was removed:
//! disabled, terminated, expired, deleted) or `unknown` (the export does not say; never closed).
//! This module selects and classifies only: it reads no file and prints nothing.

use super::classify::{account_state, container_state, credential_state, relationship_state};
pub use super::classify::{Access, PathStatus};
use crate::finding::Finding;
use crate::model::{Identity, Kind, Provenance, StaffState};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What kind of path into the client.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum PathKind {
    /// A GDAP relationship: the MSP's delegated admin roles in the client's tenant.
    GdapRelationship,
    /// A security group in the MSP's tenant that carries a relationship's roles.
    GdapAccessContainer,
    /// An account in the client's directory belonging to an MSP technician.
    TechnicianAccount,
    /// A guest account in the client's directory from the MSP's domains or staff.
    GuestAccount,
    /// An account of the client shared with other clients (LIFE-003): the MSP is the common party.
    SharedAccount,
    /// A service principal, app or service account the MSP operates in the client.
    Integration,
    /// A secret, key or certificate of an MSP account or integration in the client.
    Credential,
    /// A record of the MSP's multi-client tools (RMM, PSA) that reaches this client.
    MspToolAccount,
}

impl PathKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PathKind::GdapRelationship => "gdap_relationship",
            PathKind::GdapAccessContainer => "gdap_access_container",
            PathKind::TechnicianAccount => "technician_account",
            PathKind::GuestAccount => "guest_account",
            PathKind::SharedAccount => "shared_account",
            PathKind::Integration => "integration",
            PathKind::Credential => "credential",
            PathKind::MspToolAccount => "msp_tool_account",
        }
    }
}

/// One path the MSP has (or had) into the client.
#[derive(Debug, Clone, Serialize)]
pub struct AccessPath {
    /// `P1`, `P2` ... in document order.
    pub id: String,
    pub kind: PathKind,
    /// What it is, in a sentence.
    pub what: String,
    /// The account, relationship or credential ref (`<source>/<object id>`, `#<credential id>`).
    pub subject: String,
    /// Where the evidence is: source, file, record.
    pub provenance: Provenance,
    /// The source's kind (`gdap`, `entra`, `ninjaone` ...).
    pub source_kind: String,
    /// The status as the export writes it, when it writes one.
    pub status_raw: Option<String>,
    pub status: PathStatus,
    pub access: Access,
    /// Why this status and access: the fact it rests on.
    pub evidence: String,
    /// Why this record is the MSP's (matched technician, MSP domain, shared with other clients ...).
    pub attributed_by: Vec<String>,
    /// Technicians behind it (GDAP access containers).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub technicians: Vec<String>,
    /// Those of `technicians` who have left the MSP.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub departed_technicians: Vec<String>,
    /// Roles it grants (names where known).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// GDAP: when the relationship ends, and its auto-extension in days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_extend_days: Option<i64>,
    /// LIFE-001 / LIFE-002 findings on this subject (rule ids).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
}

/// What the detection needs besides the tenant's identities.
pub struct Context<'a> {
    /// Names of the estate-level sources (the MSP's own systems).
    pub estate_sources: BTreeSet<&'a str>,
    /// The MSP's staff source, when the estate names one.
    pub staff_source: Option<&'a str>,
    /// The records the MSP's own systems kept (`_msp`): the staff directory among them.
    pub msp: &'a [Identity],
}

/// The MSP's e-mail domains and technician addresses, from its staff source and tools.
struct MspKeys {
    domains: BTreeSet<String>,
    addresses: BTreeSet<String>,
}

fn domain(addr: &str) -> Option<String> {
    let (_, d) = addr.trim().rsplit_once('@')?;
    (!d.is_empty()).then(|| d.to_ascii_lowercase())
}

/// `jo.reyes_northwind-msp.example#EXT#@client.onmicrosoft.com` → `jo.reyes@northwind-msp.example`.
fn guest_home(upn: &str) -> Option<String> {
    let lower = upn.to_ascii_lowercase();
    let (local, _) = lower.split_once("#ext#")?;
    let (user, dom) = local.rsplit_once('_')?;
    Some(format!("{user}@{dom}"))
}

impl MspKeys {
    fn new(ctx: &Context) -> MspKeys {
        let mut domains = BTreeSet::new();
        let mut addresses = BTreeSet::new();
        for id in ctx.msp {
            let staff = Some(id.source.as_str()) == ctx.staff_source;
            if !staff && id.kind != Kind::Technician {
                continue;
            }
            for a in id.principal_name.iter().chain(&id.emails) {
                if !a.contains('@') {
                    continue;
                }
                addresses.insert(a.trim().to_ascii_lowercase());
                // Only the staff directory says which domains are the MSP's own (a technician
                // login in a tool may use a contractor's or a public domain).
                if staff {
                    domains.extend(domain(a));
                }
            }
        }
        MspKeys { domains, addresses }
    }

    /// The account's addresses (a guest's home address included), lower-cased.
    fn addresses(id: &Identity) -> Vec<String> {
        let mut out: Vec<String> = id
            .principal_name
            .iter()
            .chain(&id.emails)
            .map(|a| a.trim().to_ascii_lowercase())
            .collect();
        out.extend(id.principal_name.as_deref().and_then(guest_home));
        out
    }

    /// Whether an address (a guest's home address included) is an MSP technician's or in the
    /// MSP's domains.
    fn is_msp(&self, addr: &str) -> bool {
        let lower = addr.trim().to_ascii_lowercase();
        std::iter::once(lower.clone())
            .chain(guest_home(&lower))
            .any(|a| {
                self.addresses.contains(&a) || domain(&a).is_some_and(|d| self.domains.contains(&d))
            })
    }

    /// Why an account is the MSP's; `msp_accounts` are the object ids of the tenant's accounts
    /// already known to be the MSP's (owners are named by object id).
    fn reasons(&self, id: &Identity, msp_accounts: &BTreeSet<String>) -> Vec<String> {
        let mut out = Vec::new();
        let addrs = MspKeys::addresses(id);
        if let Some(a) = addrs.iter().find(|a| self.addresses.contains(*a)) {
            out.push(format!("address {a} is an MSP technician's"));
        } else if let Some(d) = addrs
            .iter()
            .filter_map(|a| domain(a))
            .find(|d| self.domains.contains(d))
        {
            out.push(format!("address in the MSP's domain {d}"));
        }
        if id.non_human {
            for o in id.owners.iter().flatten() {
                let name = o.principal_name.as_deref().unwrap_or(&o.id).to_string();
                if msp_accounts.contains(&o.id.to_ascii_lowercase()) || self.is_msp(&name) {
                    out.push(format!("owned by the MSP's account {name}"));
                }
            }
        }
        out
    }
}

fn name(id: &Identity) -> String {
    id.display_name
        .clone()
        .or_else(|| id.principal_name.clone())
        .unwrap_or_else(|| id.object_id.clone())
}

fn label(id: &Identity) -> String {
    match (&id.display_name, &id.principal_name) {
        (Some(d), Some(p)) if d != p => format!("{d} <{p}>"),
        _ => name(id),
    }
}

fn blank(kind: PathKind, id: &Identity, what: String) -> AccessPath {
    AccessPath {
        id: String::new(),
        kind,
        what,
        subject: id.reference.clone(),
        provenance: id.prov.clone(),
        source_kind: id.source_kind.clone(),
        status_raw: id.status_raw.clone(),
        status: PathStatus::Unknown,
        access: Access::Unknown,
        evidence: String::new(),
        attributed_by: Vec::new(),
        technicians: Vec::new(),
        departed_technicians: Vec::new(),
        roles: Vec::new(),
        ends: None,
        auto_extend_days: None,
        findings: Vec::new(),
    }
}

fn set_state(p: &mut AccessPath, (status, access, evidence): (PathStatus, Access, String)) {
    p.status = status;
    p.access = access;
    p.evidence = evidence;
}

fn gdap(id: &Identity, groups: &BTreeMap<String, String>, out: &mut Vec<AccessPath>) {
    let d = id.delegation.as_deref().cloned().unwrap_or_default();
    let role_names: BTreeMap<&str, String> = id
        .roles
        .iter()
        .map(|r| {
            (
                r.role_id.as_str(),
                r.role_name.clone().unwrap_or_else(|| r.role_id.clone()),
            )
        })
        .collect();
    let names = |ids: &[String]| -> Vec<String> {
        ids.iter()
            .map(|r| {
                role_names
                    .get(r.as_str())
                    .cloned()
                    .unwrap_or_else(|| r.clone())
            })
            .collect()
    };
    let customer = d
        .customer_name
        .clone()
        .or_else(|| d.customer_id.clone())
        .unwrap_or_else(|| "?".into());
    let mut rel = blank(
        PathKind::GdapRelationship,
        id,
        format!("GDAP relationship {} with {customer}", name(id)),
    );
    let state = relationship_state(id);
    let rel_state = (state.0, state.1);
    set_state(&mut rel, state);
    rel.status_raw = d.status.clone();
    rel.roles = role_names.values().cloned().collect();
    rel.ends = d
        .ends
        .at
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    rel.auto_extend_days = d.auto_extend_days;
    rel.attributed_by = vec![format!(
        "customer tenant id {} is one of this tenant's directory_ids",
        d.customer_id.as_deref().unwrap_or("?")
    )];
    out.push(rel);
    for c in &d.access_containers {
        // The relationship names only the group id; the staff source's memberships name it.
        let group = c
            .group_name
            .clone()
            .or_else(|| groups.get(&c.group_id.to_ascii_lowercase()).cloned())
            .map(|n| format!("{n} ({})", c.group_id))
            .unwrap_or_else(|| c.group_id.clone());
        let mut p = blank(
            PathKind::GdapAccessContainer,
            id,
            format!("security group {group} in relationship {}", name(id)),
        );
        p.subject = format!("{}#{}", id.reference, c.group_id);
        p.status_raw = c.status.clone();
        set_state(&mut p, container_state(c, rel_state));
        p.roles = names(&c.role_ids);
        p.technicians = c.technicians.clone();
        p.departed_technicians = c.departed.clone();
        p.attributed_by = vec![format!("access container of {}", id.reference)];
        if c.technicians.is_empty() {
            p.evidence
                .push_str("; no members of this group found in the MSP's staff source");
        }
        out.push(p);
    }
}

/// Every path into the client found in its loaded identities (its own sources and the MSP's
/// records attributed to it), with the LIFE-001/LIFE-002 findings about each, in document order:
/// GDAP first, then accounts, integrations and credentials, then the MSP's tools; ids `P1`...
pub fn detect(ctx: &Context, identities: &[Identity], findings: &[&Finding]) -> Vec<AccessPath> {
    let keys = MspKeys::new(ctx);
    let groups: BTreeMap<String, String> = ctx
        .msp
        .iter()
        .flat_map(|i| &i.groups)
        .filter_map(|g| Some((g.id.to_ascii_lowercase(), g.name.clone()?)))
        .collect();
    let flagged: BTreeMap<&str, BTreeSet<&str>> =
        findings.iter().fold(BTreeMap::new(), |mut m, f| {
            m.entry(f.subject.reference.as_str())
                .or_default()
                .insert(f.rule.as_str());
            m
        });
    // The client's user accounts that are the MSP's: owners of integrations are named by id.
    let msp_accounts: BTreeSet<String> = identities
        .iter()
        .filter(|i| !i.non_human && !ctx.estate_sources.contains(i.source.as_str()))
        .filter(|i| i.staff.is_some() || MspKeys::addresses(i).iter().any(|a| keys.is_msp(a)))
        .map(|i| i.object_id.to_ascii_lowercase())
        .collect();
    let mut out = Vec::new();
    for id in identities {
        if id.kind == Kind::Delegation {
            gdap(id, &groups, &mut out);
            continue;
        }
        if ctx.estate_sources.contains(id.source.as_str()) {
            let reach = if id.clients.all == Some(true) {
                "reaches every client".to_string()
            } else {
                format!(
                    "scoped to client organisation {}",
                    id.clients.ids.join(", ")
                )
            };
            let mut p = blank(
                PathKind::MspToolAccount,
                id,
                format!(
                    "{} ({}) in the MSP's {} `{}`: {reach}",
                    label(id),
                    id.kind.as_str(),
                    id.source_kind,
                    id.source
                ),
            );
            set_state(&mut p, account_state(id));
            p.attributed_by = vec![format!(
                "estate-level record attributed to this tenant ({reach})"
            )];
            out.push(p);
            continue;
        }
        let mut why = Vec::new();
        if let Some(s) = &id.staff {
            why.push(match s.state {
                StaffState::Matched => format!(
                    "matched to MSP staff {} by {} = {}{}",
                    s.principal_name.as_deref().unwrap_or("?"),
                    s.method.map(|m| m.as_str()).unwrap_or("?"),
                    s.value.as_deref().unwrap_or(""),
                    match s.gone {
                        Some(true) => " (has left the MSP)",
                        Some(false) => "",
                        None => " (whether they left is unknown)",
                    }
                ),
                StaffState::Absent => {
                    "technician account that matches no one in the MSP's staff directory".into()
                }
                StaffState::NoStaffSource => {
                    "technician account (the estate names no staff source)".into()
                }
            });
        }
        why.extend(keys.reasons(id, &msp_accounts));
        if let Some(r) = &id.reuse {
            for k in &r.keys {
                why.push(format!(
                    "the same {} `{}` is in tenants {}",
                    serde_json::to_value(k.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    k.value,
                    k.tenants.join(", ")
                ));
            }
        }
        let rules: Vec<String> = flagged
            .get(id.reference.as_str())
            .map(|r| r.iter().map(|r| r.to_string()).collect())
            .unwrap_or_default();
        if why.is_empty() && rules.is_empty() {
            continue;
        }
        if why.is_empty() {
            why.push(format!(
                "reported by {}: a departed client's live integration counts as the MSP's access \
                 unless shown otherwise",
                rules.join(", ")
            ));
        }
        let kind = if id.non_human {
            PathKind::Integration
        } else if id.staff.is_some() {
            PathKind::TechnicianAccount
        } else if id.kind == Kind::Guest {
            PathKind::GuestAccount
        } else if id.reuse.is_some() {
            PathKind::SharedAccount
        } else {
            PathKind::TechnicianAccount
        };
        let mut p = blank(
            kind,
            id,
            format!(
                "{} ({}) in the client's {} `{}`",
                label(id),
                id.kind.as_str(),
                id.source_kind,
                id.source
            ),
        );
        let state = account_state(id);
        let holder = state.1;
        set_state(&mut p, state);
        p.attributed_by = why;
        p.findings = rules;
        let mut roles: BTreeSet<String> = BTreeSet::new();
        for r in &id.roles {
            roles.insert(r.role_name.clone().unwrap_or_else(|| r.role_id.clone()));
        }
        p.roles = roles.into_iter().collect();
        out.push(p);
        for c in &id.credentials {
            let cname = c.display_name.clone().unwrap_or_else(|| c.id.clone());
            let kind = serde_json::to_value(c.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let mut q = blank(
                PathKind::Credential,
                id,
                format!("{kind} {cname} of {}", name(id)),
            );
            q.subject = format!("{}#{}", id.reference, c.id);
            q.provenance = c.prov.clone();
            q.status_raw = None;
            set_state(&mut q, credential_state(c, holder));
            if let Some(e) = c.expires.at {
                q.ends = Some(e.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            }
            q.attributed_by = vec![format!("credential of {}", id.reference)];
            out.push(q);
        }
    }
    // GDAP relationships and their containers stay together, then the rest by kind.
    let order = |k: PathKind| match k {
        PathKind::GdapRelationship | PathKind::GdapAccessContainer => 0,
        PathKind::MspToolAccount => 2,
        _ => 1,
    };
    out.sort_by(|a, b| {
        (order(a.kind), &a.provenance.source, &a.subject, a.kind).cmp(&(
            order(b.kind),
            &b.provenance.source,
            &b.subject,
            b.kind,
        ))
    });
    for (n, p) in out.iter_mut().enumerate() {
        p.id = format!("P{}", n + 1);
        if p.findings.is_empty() {
            if let Some(r) = flagged.get(p.subject.as_str()) {
                p.findings = r.iter().map(|r| r.to_string()).collect();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccessContainer, Delegation, StaffLink, Status};

    fn ident(source: &str, oid: &str) -> Identity {
        Identity::new(
            source,
            "entra",
            oid.into(),
            Provenance {
                source: source.into(),
                file: "f.json".into(),
                record: 1,
                line: None,
            },
        )
    }

    fn ctx(msp: &[Identity]) -> Context<'_> {
        Context {
            estate_sources: ["gdap", "rmm", "staff"].into_iter().collect(),
            staff_source: Some("staff"),
            msp,
        }
    }

    #[test]
    fn gdap_status_decides_remaining_closed_or_unknown() {
        let rel = |status: Option<&str>, enabled: Option<bool>, s: Status| {
            let mut i = ident("gdap", "r");
            i.kind = Kind::Delegation;
            i.enabled = enabled;
            i.status = s;
            i.delegation = Some(Box::new(Delegation {
                status: status.map(str::to_string),
                access_containers: vec![AccessContainer {
                    group_id: "g".into(),
                    status: Some("active".into()),
                    technicians: vec!["al@msp.example".into()],
                    ..AccessContainer::default()
                }],
                ..Delegation::default()
            }));
            let paths = detect(&ctx(&[]), &[i], &[]);
            (paths[0].access, paths[1].access, paths[0].status)
        };
        use Access::*;
        assert_eq!(
            rel(Some("active"), Some(true), Status::Active),
            (Remaining, Remaining, PathStatus::Active)
        );
        assert_eq!(
            rel(Some("terminated"), Some(false), Status::Deprovisioned),
            (Closed, Closed, PathStatus::Terminated)
        );
        assert_eq!(
            rel(Some("approved"), Some(false), Status::Staged),
            (Remaining, Remaining, PathStatus::Pending)
        );
        assert_eq!(
            rel(None, None, Status::Unknown),
            (Unknown, Unknown, PathStatus::Unknown)
        );
    }

    #[test]
    fn client_accounts_of_msp_staff_and_domains_are_paths_others_are_not() {
        let mut staff = ident("staff", "s1");
        staff.set_principal_name(Some("jo@msp.example".into()));
        let msp = [staff];
        let mut tech = ident("entra", "t1");
        tech.enabled = Some(false);
        tech.status = Status::Disabled;
        tech.staff = Some(Box::new(StaffLink {
            state: StaffState::Matched,
            staff_ref: Some("staff/s1".into()),
            method: None,
            value: None,
            principal_name: Some("jo@msp.example".into()),
            gone: Some(true),
        }));
        let mut guest = ident("entra", "g1");
        guest.kind = Kind::Guest;
        guest.set_principal_name(Some(
            "old.tech_msp.example#EXT#@client.onmicrosoft.com".into(),
        ));
        let mut client = ident("entra", "c1");
        client.set_principal_name(Some("ines@client.example".into()));
        client.enabled = Some(true);
        let paths = detect(&ctx(&msp), &[tech, guest, client], &[]);
        let got: Vec<(&str, PathKind, Access)> = paths
            .iter()
            .map(|p| (p.subject.as_str(), p.kind, p.access))
            .collect();
        assert_eq!(
            got,
            [
                ("entra/g1", PathKind::GuestAccount, Access::Unknown),
                ("entra/t1", PathKind::TechnicianAccount, Access::Closed),
            ]
        );
        assert!(paths[0].attributed_by[0].contains("msp.example"));
    }
}
