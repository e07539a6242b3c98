//! Correlate: match every downstream account of a tenant to its source-of-truth identity.
//!
//! Keys are tried strongest first — object GUID (AD `objectGUID` ↔ Entra `onPremisesImmutableId`),
//! SID (AD `objectSid` ↔ Entra `onPremisesSecurityIdentifier`), employee id, principal name, then
//! any address (principal name or email, aliases included) — and the first key that finds any
//! candidate decides: one candidate is a match, several are `ambiguous` and listed, never guessed.
//! Hash indexes built once per tenant keep this linear in the number of accounts.

use crate::model::{
    Correlation, Identity, Kind, MatchKey, MatchState, SotFacts, StaffLink, StaffState,
};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// The source-of-truth identities of a tenant, indexed by every key.
struct Index {
    by_key: [HashMap<String, Vec<usize>>; 5],
}

const TIERS: [MatchKey; 5] = [
    MatchKey::ObjectGuid,
    MatchKey::Sid,
    MatchKey::EmployeeId,
    MatchKey::PrincipalName,
    MatchKey::Email,
];

/// The values an account offers for one key, normalised (case, braces, whitespace).
fn keys(id: &Identity, key: MatchKey) -> Vec<String> {
    let alt = |name: &str| {
        id.alt_ids
            .get(name)
            .map(|v| v.trim().trim_matches(['{', '}']).to_ascii_lowercase())
            .filter(|v| !v.is_empty())
    };
    match key {
        MatchKey::ObjectGuid => alt("object_guid").into_iter().collect(),
        MatchKey::Sid => alt("sid").into_iter().collect(),
        MatchKey::EmployeeId => id
            .employment
            .employee_id
            .as_deref()
            .map(|e| e.trim().to_lowercase())
            .filter(|e| !e.is_empty())
            .into_iter()
            .collect(),
        MatchKey::PrincipalName => id.principal_name_norm.clone().into_iter().collect(),
        MatchKey::Email => {
            let mut all: BTreeSet<String> = id
                .emails
                .iter()
                .map(|e| e.trim().to_lowercase())
                .filter(|e| e.contains('@'))
                .collect();
            all.extend(id.principal_name_norm.clone().filter(|p| p.contains('@')));
            all.into_iter().collect()
        }
    }
}

impl Index {
    fn build(identities: &[Identity], sot: &[usize]) -> Index {
        let mut by_key: [HashMap<String, Vec<usize>>; 5] = Default::default();
        for &n in sot {
            for (tier, key) in TIERS.iter().enumerate() {
                for value in keys(&identities[n], *key) {
                    let slot = by_key[tier].entry(value).or_default();
                    if !slot.contains(&n) {
                        slot.push(n);
                    }
                }
            }
        }
        Index { by_key }
    }

    /// The strongest key with any candidate: (key, value, candidates).
    fn find(&self, id: &Identity) -> Option<(MatchKey, String, Vec<usize>)> {
        for (tier, key) in TIERS.iter().enumerate() {
            let mut found: Vec<usize> = Vec::new();
            let mut via = None;
            for value in keys(id, *key) {
                if let Some(hits) = self.by_key[tier].get(&value) {
                    via.get_or_insert(value);
                    for &h in hits {
                        if !found.contains(&h) {
                            found.push(h);
                        }
                    }
                }
            }
            if let Some(value) = via {
                found.sort_unstable();
                return Some((*key, value, found));
            }
        }
        None
    }
}

/// Fill `correlation` on every identity of one tenant. `sot` names the source-of-truth source.
pub fn correlate(identities: &mut [Identity], sot: Option<&str>) {
    let Some(sot) = sot else {
        for id in identities.iter_mut() {
            id.correlation = Correlation::state(MatchState::NoSourceOfTruth);
        }
        return;
    };
    let sot_members: Vec<usize> = (0..identities.len())
        .filter(|&n| identities[n].source == sot)
        .collect();
    let index = Index::build(identities, &sot_members);
    // An export with group memberships shows some; one showing none carries no group data.
    let groups_known = sot_members
        .iter()
        .any(|&n| !identities[n].groups.is_empty());
    // Built once per matched source-of-truth identity and shared by its accounts.
    let mut groups: HashMap<usize, Arc<[String]>> = HashMap::new();
    let results: Vec<Correlation> = identities
        .iter()
        .map(|id| {
            if id.source == sot {
                return Correlation::state(MatchState::SourceOfTruth);
            }
            if !id.derived.user_account {
                return Correlation::state(MatchState::NotApplicable);
            }
            match index.find(id) {
                None => Correlation::state(MatchState::Unmatched),
                Some((key, value, found)) if found.len() == 1 => {
                    let s = &identities[found[0]];
                    Correlation {
                        state: MatchState::Matched,
                        method: Some(key),
                        value: Some(value),
                        sot_ref: Some(s.reference.clone()),
                        candidates: Vec::new(),
                        sot: Some(Box::new(SotFacts {
                            gone: gone(s),
                            enabled: s.enabled,
                            status: s.status,
                            leave_date: s.employment.leave_date.clone(),
                            principal_name: s.principal_name.clone(),
                            groups: groups_known.then(|| {
                                groups
                                    .entry(found[0])
                                    .or_insert_with(|| group_keys(s))
                                    .clone()
                            }),
                            prov: s.prov.clone(),
                        })),
                    }
                }
                Some((key, value, found)) => Correlation {
                    state: MatchState::Ambiguous,
                    method: Some(key),
                    value: Some(value),
                    sot_ref: None,
                    candidates: found
                        .iter()
                        .map(|&n| identities[n].reference.clone())
                        .collect(),
                    sot: None,
                },
            }
        })
        .collect();
    for (id, c) in identities.iter_mut().zip(results) {
        id.correlation = c;
    }
}

/// An identity's groups as entitlements name them: ids and names, lower-cased, sorted.
fn group_keys(s: &Identity) -> Arc<[String]> {
    let mut keys: Vec<String> = s
        .groups
        .iter()
        .flat_map(|g| std::iter::once(&g.id).chain(g.name.as_ref()))
        .map(|k| k.trim().to_lowercase())
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into()
}

/// Whether a source-of-truth identity has left (see [`SotFacts::gone`]).
pub fn gone(s: &Identity) -> Option<bool> {
    use crate::model::{Status, TimeQuality};
    let left_status = matches!(
        s.status,
        Status::Disabled
            | Status::Deprovisioned
            | Status::Deleted
            | Status::Suspended
            | Status::Expired
    );
    let leave = &s.employment.leave_date;
    let past_leave = matches!(
        leave.quality,
        TimeQuality::Exact | TimeQuality::Lagged | TimeQuality::Local
    ) && leave.days_ago.is_some_and(|d| d >= 0);
    if left_status || s.enabled == Some(false) || past_leave {
        Some(true)
    } else if s.enabled == Some(true) || s.status != Status::Unknown {
        Some(false)
    } else {
        None
    }
}

/// The MSP's staff directory, indexed once per run and shared by every tenant.
pub struct StaffIndex {
    staff: Vec<Identity>,
    index: Index,
}

impl StaffIndex {
    /// Index the identities of `source` in the `_msp` model.
    pub fn build(msp: &[Identity], source: &str) -> StaffIndex {
        let staff: Vec<Identity> = msp.iter().filter(|i| i.source == source).cloned().collect();
        let all: Vec<usize> = (0..staff.len()).collect();
        let index = Index::build(&staff, &all);
        StaffIndex { staff, index }
    }
}

/// Link accounts to the MSP's technicians: every user account that matches a staff identity
/// (it is an MSP account, never a client orphan), and every technician account (absent when it
/// matches none). `staff` is None when the estate names no staff source. Staff-source records
/// themselves are not linked.
pub fn link_staff(
    identities: &mut [Identity],
    staff: Option<&StaffIndex>,
    staff_source: Option<&str>,
) {
    for id in identities.iter_mut() {
        if Some(id.source.as_str()) == staff_source || !id.derived.user_account {
            continue;
        }
        let technician = id.kind == Kind::Technician;
        id.staff = match staff {
            None => technician.then(|| Box::new(unlinked(StaffState::NoStaffSource))),
            Some(ix) => match ix.index.find(id) {
                Some((key, value, found)) if found.len() == 1 => {
                    let s = &ix.staff[found[0]];
                    Some(Box::new(StaffLink {
                        state: StaffState::Matched,
                        staff_ref: Some(s.reference.clone()),
                        method: Some(key),
                        value: Some(value),
                        principal_name: s.principal_name.clone(),
                        gone: gone(s),
                    }))
                }
                // Several staff identities: not guessed; a technician stays "absent" only when
                // nothing matched at all.
                Some(_) => None,
                None => technician.then(|| Box::new(unlinked(StaffState::Absent))),
            },
        };
    }
}

fn unlinked(state: StaffState) -> StaffLink {
    StaffLink {
        state,
        staff_ref: None,
        method: None,
        value: None,
        principal_name: None,
        gone: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Provenance};

    fn id(source: &str, oid: &str, upn: Option<&str>) -> Identity {
        let mut i = Identity::new(
            source,
            "x",
            oid.into(),
            Provenance {
                source: source.into(),
                file: "f".into(),
                record: 1,
                line: None,
            },
        );
        i.kind = Kind::Human;
        i.derived.user_account = true;
        i.set_principal_name(upn.map(str::to_string));
        i
    }

    #[test]
    fn strongest_key_wins_and_is_recorded() {
        let mut a = id("ad", "1", Some("Ada@Contoso.com"));
        a.alt_ids.insert("object_guid".into(), "ABC".into());
        let b = id("ad", "2", Some("bob@contoso.com"));
        // Same GUID as Ada (braces and case differ) but Bob's UPN: the GUID decides.
        let mut e = id("entra", "e1", Some("bob@contoso.com"));
        e.alt_ids.insert("object_guid".into(), "{abc}".into());
        let mut ids = vec![a, b, e];
        correlate(&mut ids, Some("ad"));
        let c = &ids[2].correlation;
        assert_eq!(c.state, MatchState::Matched);
        assert_eq!(c.method, Some(MatchKey::ObjectGuid));
        assert_eq!(c.sot_ref.as_deref(), Some("ad/1"));
        assert_eq!(ids[0].correlation.state, MatchState::SourceOfTruth);
    }

    #[test]
    fn aliases_match_and_equal_candidates_are_ambiguous() {
        let mut a = id("ad", "1", Some("ada@contoso.com"));
        a.emails = vec!["a.lovelace@contoso.com".into()];
        let mut b = id("ad", "2", Some("bob@contoso.com"));
        b.emails = vec!["team@contoso.com".into()];
        let mut c = id("ad", "3", Some("cy@contoso.com"));
        c.emails = vec!["TEAM@contoso.com".into()];
        let alias = id("rmm", "r1", Some("A.Lovelace@contoso.com"));
        let shared = id("rmm", "r2", Some("team@contoso.com"));
        let nobody = id("rmm", "r3", Some("eve@elsewhere.example"));
        let mut app = id("rmm", "r4", None);
        app.kind = Kind::Workload;
        app.derived.user_account = false;
        let mut ids = vec![a, b, c, alias, shared, nobody, app];
        correlate(&mut ids, Some("ad"));
        assert_eq!(ids[3].correlation.method, Some(MatchKey::Email));
        assert_eq!(ids[3].correlation.sot_ref.as_deref(), Some("ad/1"));
        assert_eq!(ids[4].correlation.state, MatchState::Ambiguous);
        assert_eq!(ids[4].correlation.candidates, vec!["ad/2", "ad/3"]);
        assert_eq!(ids[5].correlation.state, MatchState::Unmatched);
        assert_eq!(ids[6].correlation.state, MatchState::NotApplicable);
    }

    #[test]
    fn matched_accounts_carry_the_source_of_truth_groups_shared() {
        use crate::model::GroupRef;
        let mut ada = id("entra", "1", Some("ada@contoso.com"));
        ada.groups = vec![
            GroupRef {
                id: "G-2".into(),
                name: Some("Cloud Admins".into()),
            },
            GroupRef {
                id: "g-1".into(),
                name: None,
            },
        ];
        let bob = id("entra", "2", Some("bob@contoso.com"));
        let aws = id("aws", "a", Some("ada@contoso.com"));
        let rmm = id("rmm", "r", Some("ADA@contoso.com"));
        let aws_bob = id("aws", "b", Some("bob@contoso.com"));
        let mut ids = vec![ada, bob, aws, rmm, aws_bob];
        correlate(&mut ids, Some("entra"));
        let groups = |n: usize| ids[n].correlation.sot.as_ref().unwrap().groups.clone();
        assert_eq!(
            groups(2).as_deref(),
            Some(&["cloud admins".to_string(), "g-1".into(), "g-2".into()][..])
        );
        assert!(
            Arc::ptr_eq(&groups(2).unwrap(), &groups(3).unwrap()),
            "one allocation per source-of-truth identity"
        );
        assert_eq!(
            groups(4).as_deref(),
            Some(&[][..]),
            "in no group: a real no"
        );
        // An export without any group membership cannot say: null, never "no groups".
        let mut ids = vec![
            id("entra", "1", Some("ada@contoso.com")),
            id("aws", "a", Some("ada@contoso.com")),
        ];
        correlate(&mut ids, Some("entra"));
        assert_eq!(ids[1].correlation.state, MatchState::Matched);
        assert!(ids[1].correlation.sot.as_ref().unwrap().groups.is_none());
    }

    #[test]
    fn no_source_of_truth_is_its_own_state() {
        let mut ids = vec![id("entra", "1", Some("a@b.c"))];
        correlate(&mut ids, None);
        assert_eq!(ids[0].correlation.state, MatchState::NoSourceOfTruth);
    }
}
