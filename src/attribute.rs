//! Attribute: the MSP's estate-level records (GDAP relationships, PSA and RMM accounts scoped to
//! client companies) are audited in the client tenants they reach.
//!
//! A record reaches a tenant when one of its `clients.ids` is one of the tenant's `directory_ids`
//! (compared without case), or when it reaches every client (`clients.all`). Attributed records
//! leave the `_msp` pseudo-tenant, so each finding about MSP access is reported once per tenant
//! reached; records naming client ids that no tenant lists are reported, never dropped.
//! Before that, each GDAP access container learns its technicians: the members of that security
//! group in the MSP's staff source.

use crate::estate::TenantConfig;
use crate::load::SourceData;
use crate::model::{Identity, SourceFacts};
use crate::normalise::TenantModel;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What the `_msp` model hands to the client tenants.
#[derive(Default)]
pub struct Attribution {
    /// Tenant id → the sources (with only the attributed records) to add before normalising.
    pub by_tenant: BTreeMap<String, Vec<SourceData>>,
    /// Messages for the `_msp` tenant: records that name unknown clients.
    pub warnings: Vec<String>,
}

/// Fill GDAP access containers' technicians from the staff source's group memberships, and
/// which of them have left the MSP.
pub fn technicians(model: &mut TenantModel, staff_source: Option<&str>) {
    let Some(staff) = staff_source else { return };
    let mut members: HashMap<String, BTreeSet<(String, bool)>> = HashMap::new();
    for id in model.identities.iter().filter(|i| i.source == staff) {
        let name = id
            .principal_name
            .clone()
            .unwrap_or_else(|| id.reference.clone());
        let left = crate::correlate::gone(id) == Some(true);
        for g in &id.groups {
            members
                .entry(g.id.to_ascii_lowercase())
                .or_default()
                .insert((name.clone(), left));
        }
    }
    for id in model.identities.iter_mut() {
        if let Some(d) = id.delegation.as_mut() {
            for c in &mut d.access_containers {
                let found = members.get(&c.group_id.to_ascii_lowercase());
                c.technicians = found
                    .map(|m| m.iter().map(|(n, _)| n.clone()).collect())
                    .unwrap_or_default();
                c.departed = found
                    .map(|m| {
                        m.iter()
                            .filter(|(_, left)| *left)
                            .map(|(n, _)| n.clone())
                            .collect()
                    })
                    .unwrap_or_default();
            }
        }
    }
}

/// Split the `_msp` model: records that reach client tenants move there.
pub fn attribute(msp: &mut TenantModel, tenants: &[TenantConfig]) -> Attribution {
    let mut by_id: HashMap<String, Vec<&str>> = HashMap::new();
    for t in tenants {
        for d in &t.directory_ids {
            by_id
                .entry(d.trim().to_ascii_lowercase())
                .or_default()
                .push(t.id.as_str());
        }
    }
    let facts: HashMap<&str, &SourceFacts> = msp
        .tenant
        .sources
        .iter()
        .map(|s| (s.name.as_str(), s))
        .collect();
    let mut out = Attribution::default();
    let mut moved: BTreeMap<String, BTreeMap<String, Vec<Identity>>> = BTreeMap::new();
    let mut unknown: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut keep = Vec::with_capacity(msp.identities.len());
    for id in std::mem::take(&mut msp.identities) {
        let mut reached: BTreeSet<&str> = BTreeSet::new();
        if id.clients.all == Some(true) {
            reached.extend(tenants.iter().map(|t| t.id.as_str()));
        }
        for c in &id.clients.ids {
            match by_id.get(&c.trim().to_ascii_lowercase()) {
                Some(ts) => reached.extend(ts.iter().copied()),
                None => unknown
                    .entry(id.source.clone())
                    .or_default()
                    .push(format!("{} ({c})", id.reference)),
            }
        }
        if reached.is_empty() {
            keep.push(id);
            continue;
        }
        for t in reached {
            moved
                .entry(t.to_string())
                .or_default()
                .entry(id.source.clone())
                .or_default()
                .push(id.clone());
        }
    }
    msp.identities = keep;
    msp.tenant.identity_count = msp.identities.len();
    for (tenant, sources) in moved {
        let list = sources
            .into_iter()
            .filter_map(|(source, identities)| {
                let mut f = (*facts.get(source.as_str())?).clone();
                f.identities = identities.len();
                // The estate source's top role is the MSP's, not the client's: not counted here.
                f.capabilities.top_role_countable = false;
                Some(SourceData {
                    identities,
                    facts: f,
                    warnings: Vec::new(),
                    log: None,
                })
            })
            .collect();
        out.by_tenant.insert(tenant, list);
    }
    for (source, records) in unknown {
        out.warnings.push(format!(
            "source `{source}`: {} record(s) name client ids that no tenant lists in directory_ids, so they are audited with the MSP's own systems: {}",
            records.len(),
            records.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        AccessContainer, Capabilities, Delegation, GroupRef, Kind, Provenance, TenantFacts,
    };

    fn ident(source: &str, oid: &str) -> Identity {
        Identity::new(
            source,
            "k",
            oid.into(),
            Provenance {
                source: source.into(),
                file: "f".into(),
                record: 1,
                line: None,
            },
        )
    }

    fn facts(name: &str) -> SourceFacts {
        SourceFacts {
            name: name.into(),
            kind: "k".into(),
            path: "p".into(),
            files_read: vec![],
            files_missing: vec![],
            identities: 0,
            capabilities: Capabilities::default(),
            top_role_name: None,
            policies: None,
        }
    }

    fn tenant(id: &str, dirs: &[&str]) -> TenantConfig {
        TenantConfig {
            id: id.into(),
            name: id.into(),
            status: "active".into(),
            dir: ".".into(),
            config_file: "t".into(),
            as_of: None,
            directory_ids: dirs.iter().map(|d| d.to_string()).collect(),
            source_of_truth: None,
            sources: vec![],
            params: toml::Table::new(),
            baseline: Default::default(),
            entitlements: Vec::new(),
            waivers: Vec::new(),
        }
    }

    #[test]
    fn records_move_to_the_tenants_they_reach_and_unknown_clients_are_reported() {
        let mut gdap = ident("gdap", "rel-1");
        gdap.kind = Kind::Delegation;
        gdap.clients.ids = vec!["FD46B0CC".into()];
        gdap.delegation = Some(Box::new(Delegation {
            access_containers: vec![AccessContainer {
                group_id: "grp-1".into(),
                ..AccessContainer::default()
            }],
            ..Delegation::default()
        }));
        let mut everywhere = ident("rmm", "tech-1");
        everywhere.clients.all = Some(true);
        let mut stray = ident("gdap", "rel-2");
        stray.clients.ids = vec!["nobody".into()];
        let own = ident("psa", "m-1");
        let mut tech = ident("msp-entra", "u-1");
        tech.set_principal_name(Some("jo@msp.example".into()));
        tech.groups = vec![GroupRef {
            id: "GRP-1".into(),
            name: None,
        }];
        let mut msp = TenantModel {
            tenant: TenantFacts {
                id: "_msp".into(),
                name: "MSP".into(),
                status: "active".into(),
                source_of_truth: Some("msp-entra".into()),
                sources: vec![
                    facts("gdap"),
                    facts("rmm"),
                    facts("psa"),
                    facts("msp-entra"),
                ],
                top_roles: vec![],
                identity_count: 5,
                provisioning: None,
                mfa_enforcement: vec![],
                baseline: vec![],
                waivers: vec![],
                access_review: Default::default(),
            },
            identities: vec![gdap, everywhere, stray, own, tech],
        };
        technicians(&mut msp, Some("msp-entra"));
        let tenants = [tenant("contoso", &["fd46b0cc"]), tenant("fabrikam", &[])];
        let a = attribute(&mut msp, &tenants);
        let refs = |t: &str| -> Vec<String> {
            a.by_tenant[t]
                .iter()
                .flat_map(|s| s.identities.iter().map(|i| i.reference.clone()))
                .collect()
        };
        assert_eq!(refs("contoso"), ["gdap/rel-1", "rmm/tech-1"]);
        assert_eq!(refs("fabrikam"), ["rmm/tech-1"]);
        let moved = &a.by_tenant["contoso"][0].identities[0];
        assert_eq!(
            moved.delegation.as_ref().unwrap().access_containers[0].technicians,
            ["jo@msp.example"]
        );
        let kept: Vec<&str> = msp
            .identities
            .iter()
            .map(|i| i.reference.as_str())
            .collect();
        assert_eq!(kept, ["gdap/rel-2", "psa/m-1", "msp-entra/u-1"]);
        assert_eq!(a.warnings.len(), 1);
        assert!(a.warnings[0].contains("gdap/rel-2 (nobody)"));
    }
}
