//! Reuse: accounts in different client tenants that are one credential, service account or
//! shared login (LIFE-003).
//!
//! Two steps, before evaluation. [`tenant_keys`] hashes each account's keys as its tenant is
//! loaded (in parallel, while the records are in cache; no string is copied). [`mark`] sorts the
//! small (hash, account) records of all tenants and compares as strings only runs of equal hashes:
//! in effect a hash index built in one pass, cheaper than a map because almost every key is held
//! by a single account (about 7 ms for 100,000 identities). Each key held in two or more tenants
//! is attached to every account holding it (`Identity.reuse`, shared, sorted). Keys:
//! - `credential`: the same credential id (Entra key id, Okta token id, a CSV `credential_id`);
//!   AWS credential-report slots (`access_key_1`) and ids under 8 characters are not unique;
//! - `service_account`: the same login (principal name, e-mail, sAMAccountName) of a non-human
//!   account;
//! - `shared_login`: the same address (principal name or e-mail with an `@`) of a person-like
//!   account (human, technician, shared) not linked to a named technician of the MSP's staff
//!   directory. A bare user name (`jsmith`) is unique only within its own directory.
//!
//! Not reuse: the MSP's estate-level records attributed to several clients (one record in one
//! system), anything in `_msp`, service principals of one multi-tenant application (same
//! `app_id`: one application by design), and built-in accounts every directory has (`krbtgt`).
//! Only the tenants loaded in this run are compared. This module judges nothing: LIFE-003 does.

use crate::estate::MSP_TENANT;
use crate::model::REUSE_LISTED;
use crate::model::{Identity, Kind, Reuse, ReuseAccount, ReuseKey, ReuseKind, StaffState};
use crate::normalise::TenantModel;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Credential ids shorter than this are counters or slot numbers, not unique ids.
const MIN_CREDENTIAL_ID: usize = 8;

/// Accounts every directory or account has under the same name: never reuse.
const BUILT_IN: &[&str] = &[
    "krbtgt",
    "guest",
    "administrator",
    "defaultaccount",
    "wdagutilityaccount",
    "root",
    "<root_account>",
];

/// What a value is compared as: credential ids and logins never match each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Space {
    Credential,
    Login,
}

/// (tenant, identity) positions.
type At = (u32, u32);

/// Which value of an account an entry hashes: a credential's index, or for logins
/// [`PRINCIPAL`], [`SAM`] or an e-mail's index.
const PRINCIPAL: u32 = u32::MAX;
const SAM: u32 = u32::MAX - 1;

/// One key of one account: its hash, and where to find the value again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    hash: u64,
    space: Space,
    tenant: u32,
    index: u32,
    which: u32,
}

/// A fast multiplicative hash of a value as compared (ASCII case folded; the caller folds
/// other case). Not DoS-resistant: every candidate pair is compared as strings anyway.
fn fx(space: Space, bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = space as u64 + 1;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut word = [0u8; 8];
        for (w, b) in word.iter_mut().zip(c) {
            *w = b.to_ascii_lowercase();
        }
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    for b in chunks.remainder() {
        h = (h.rotate_left(5) ^ b.to_ascii_lowercase() as u64).wrapping_mul(K);
    }
    (h.rotate_left(5) ^ bytes.len() as u64).wrapping_mul(K)
}

/// The hash of `lower(v)`, without allocating for ASCII values.
fn hash(space: Space, v: &str) -> u64 {
    let v = v.trim();
    if v.is_ascii() {
        fx(space, v.as_bytes())
    } else {
        fx(space, v.to_lowercase().as_bytes())
    }
}

/// One tenant's keys, hashed by [`tenant_keys`] where the tenant is loaded (while its records
/// are in cache), for [`mark`].
#[derive(Debug, Default)]
pub struct TenantKeys(Vec<Entry>);

/// Every key a tenant's accounts offer (none for `_msp`). `estate_sources` names the
/// estate-level `[[source]]`s: their records attributed to this tenant are skipped.
pub fn tenant_keys(model: &TenantModel, estate_sources: &BTreeSet<&str>) -> TenantKeys {
    let mut out = Vec::new();
    if model.tenant.id != MSP_TENANT {
        tenant_entries(model, estate_sources, &mut out);
    }
    TenantKeys(out)
}

fn tenant_entries(model: &TenantModel, estate_sources: &BTreeSet<&str>, out: &mut Vec<Entry>) {
    let mut push = |space, v: &str, index: usize, which: usize| {
        out.push(Entry {
            hash: hash(space, v),
            space,
            tenant: 0,
            index: index as u32,
            which: which as u32,
        })
    };
    for (n, id) in model.identities.iter().enumerate() {
        if attributed(id, estate_sources) {
            continue;
        }
        if !id.credentials.is_empty() && id.source_kind != "aws-iam" {
            for (c, cred) in id.credentials.iter().enumerate() {
                if cred.id.trim().len() >= MIN_CREDENTIAL_ID {
                    push(Space::Credential, &cred.id, n, c);
                }
            }
        }
        let Some(service) = login_holder(id) else {
            continue;
        };
        // A person's bare user name (`jsmith`) is unique only in its own directory: two are
        // two people. Addresses name one mailbox.
        let usable = |v: &str| {
            let v = v.trim();
            !v.is_empty()
                && (service || v.contains('@'))
                && !BUILT_IN.iter().any(|b| b.eq_ignore_ascii_case(v))
        };
        let principal = id.principal_name_norm.as_deref();
        if let Some(p) = principal.filter(|p| usable(p)) {
            push(Space::Login, p, n, PRINCIPAL as usize);
        }
        for (e, email) in id.emails.iter().enumerate() {
            // The principal name again (the usual case) is the same key.
            if usable(email) && !principal.is_some_and(|p| p.eq_ignore_ascii_case(email.trim())) {
                push(Space::Login, email, n, e);
            }
        }
        if service {
            if let Some(sam) = id.alt_ids.get("sam_account_name").filter(|s| usable(s)) {
                push(Space::Login, sam, n, SAM as usize);
            }
        }
    }
}

/// The value an entry hashed, as compared.
fn value_of<'a>(models: &'a [&mut TenantModel], e: &Entry) -> Cow<'a, str> {
    let id = &models[e.tenant as usize].identities[e.index as usize];
    let raw = match (e.space, e.which) {
        (Space::Credential, c) => id.credentials[c as usize].id.as_str(),
        (Space::Login, PRINCIPAL) => id.principal_name_norm.as_deref().unwrap_or_default(),
        (Space::Login, SAM) => id
            .alt_ids
            .get("sam_account_name")
            .map(String::as_str)
            .unwrap_or_default(),
        (Space::Login, e) => id.emails[e as usize].as_str(),
    };
    lower(raw)
}

/// Find the keys held in two or more of `models` and attach them to the accounts holding them.
/// `keys[t]` are the [`tenant_keys`] of `models[t]`.
pub fn mark(models: &mut [&mut TenantModel], keys: Vec<TenantKeys>) {
    assert_eq!(models.len(), keys.len(), "one key list per tenant");
    let mut entries: Vec<Entry> = Vec::with_capacity(keys.iter().map(|k| k.0.len()).sum());
    for (t, k) in keys.into_iter().enumerate() {
        entries.extend(k.0.into_iter().map(|e| Entry {
            tenant: t as u32,
            ..e
        }));
    }
    entries.par_sort_unstable();
    let mut found: Vec<(At, Arc<ReuseKey>)> = Vec::new();
    for run in entries.chunk_by(|a, b| a.hash == b.hash && a.space == b.space) {
        if run.iter().all(|e| e.tenant == run[0].tenant) {
            continue;
        }
        // Equal hashes: compare the values themselves (nearly always one group).
        let mut groups: Vec<(Cow<str>, Vec<At>)> = Vec::new();
        for e in run {
            let value = value_of(models, e);
            let at = (e.tenant, e.index);
            match groups.iter_mut().find(|(v, _)| *v == value) {
                Some((_, holders)) => holders.push(at),
                None => groups.push((value, vec![at])),
            }
        }
        for (value, mut holders) in groups {
            if let Some(key) = reused(models, run[0].space, &value, &mut holders) {
                let key = Arc::new(key);
                found.extend(holders.into_iter().map(|at| (at, key.clone())));
            }
        }
    }
    found.sort_by(|(a, x), (b, y)| (a, x.kind, &x.value).cmp(&(b, y.kind, &y.value)));
    for ((t, n), key) in found {
        let id = &mut models[t as usize].identities[n as usize];
        id.reuse
            .get_or_insert_with(|| {
                Box::new(Reuse {
                    found: true,
                    keys: Vec::new(),
                })
            })
            .keys
            .push(key);
    }
}

/// The key held by `holders`, when they are in two or more tenants and not one multi-tenant
/// application; `holders` is left sorted and deduplicated.
fn reused(
    models: &[&mut TenantModel],
    space: Space,
    value: &str,
    holders: &mut Vec<At>,
) -> Option<ReuseKey> {
    holders.sort_unstable();
    holders.dedup();
    let first_tenant = holders[0].0;
    if holders.iter().all(|h| h.0 == first_tenant) {
        return None;
    }
    let id = |at: &At| &models[at.0 as usize].identities[at.1 as usize];
    let app = |at: &At| id(at).alt_ids.get("app_id").map(|a| a.to_ascii_lowercase());
    let first_app = app(&holders[0]);
    if first_app.is_some() && holders.iter().all(|h| app(h) == first_app) {
        return None;
    }
    let kind = match space {
        Space::Credential => ReuseKind::Credential,
        Space::Login if holders.iter().any(|h| id(h).non_human) => ReuseKind::ServiceAccount,
        Space::Login => ReuseKind::SharedLogin,
    };
    let tenant = |at: &At| models[at.0 as usize].tenant.id.as_str();
    let tenants: BTreeSet<&str> = holders.iter().map(tenant).collect();
    let mut accounts: Vec<ReuseAccount> = holders
        .iter()
        .map(|h| ReuseAccount {
            tenant: tenant(h).to_string(),
            reference: id(h).reference.clone(),
            prov: id(h).prov.clone(),
        })
        .collect();
    accounts.sort();
    let account_count = accounts.len();
    accounts.truncate(REUSE_LISTED);
    Some(ReuseKey {
        kind,
        value: value.to_string(),
        tenants: tenants.into_iter().map(str::to_string).collect(),
        accounts,
        account_count,
    })
}

/// Whether the account's logins are compared: Some(true) for a non-human account (any login,
/// sAMAccountName included), Some(false) for a person-like account (addresses only: principal
/// name or e-mail with an `@`) that no named technician of the MSP's staff directory accounts
/// for (then it is their own account).
fn login_holder(id: &Identity) -> Option<bool> {
    if id.non_human {
        return Some(true);
    }
    let person_like = matches!(id.kind, Kind::Human | Kind::Technician | Kind::Shared);
    let named_technician = || {
        id.staff
            .as_ref()
            .is_some_and(|s| s.state == StaffState::Matched)
    };
    (person_like && !named_technician()).then_some(false)
}

/// An estate-level record that `attribute.rs` copied into the client tenants it reaches.
fn attributed(id: &Identity, estate_sources: &BTreeSet<&str>) -> bool {
    // The client fields first: they lie in the record, the source name behind a pointer.
    (id.clients.all == Some(true) || !id.clients.ids.is_empty())
        && estate_sources.contains(id.source.as_str())
}

/// Trimmed and lower-cased, borrowing when it already is.
fn lower(v: &str) -> Cow<'_, str> {
    let v = v.trim();
    if v.bytes().any(|b| b.is_ascii_uppercase()) || !v.is_ascii() {
        Cow::Owned(v.to_lowercase())
    } else {
        Cow::Borrowed(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Credential, CredentialDerived, CredentialKind, Provenance, StaffLink, Ts};

    fn ident(source: &str, oid: &str, kind: Kind, login: Option<&str>) -> Identity {
        let mut i = Identity::new(
            source,
            source,
            oid.into(),
            Provenance {
                source: source.into(),
                file: format!("{source}.json"),
                record: 1,
                line: None,
            },
        );
        i.kind = kind;
        i.non_human = kind.is_non_human();
        i.set_principal_name(login.map(str::to_string));
        i
    }

    fn credential(id: &str) -> Credential {
        Credential {
            id: id.into(),
            kind: CredentialKind::ApiToken,
            display_name: Some("deploy".into()),
            hint: Some("abc".into()),
            active: Some(true),
            created: Ts::default(),
            rotated: Ts::default(),
            expires: Ts::default(),
            last_used: Ts::default(),
            last_used_where: None,
            origin: None,
            lifetime_days: None,
            expired: None,
            derived: CredentialDerived::default(),
            prov: Provenance {
                source: "s".into(),
                file: "f".into(),
                record: 1,
                line: None,
            },
        }
    }

    fn model(tenant: &str, identities: Vec<Identity>) -> TenantModel {
        // The config as a user writes it, so these tests follow TenantConfig's shape.
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("estate.toml"), "").unwrap();
        std::fs::create_dir(d.path().join("t")).unwrap();
        std::fs::write(
            d.path().join("t/tenant.toml"),
            "[[source]]\nname = \"s\"\nkind = \"csv\"\npath = \"s.csv\"\n",
        )
        .unwrap();
        let mut estate = crate::estate::Estate::discover(d.path()).unwrap();
        let config = estate.tenants.remove(0);
        let mut m = crate::normalise::tenant_model(&config, Vec::new(), chrono::Utc::now());
        m.tenant.id = tenant.to_string();
        m.identities = identities;
        m
    }

    fn run(mut models: Vec<TenantModel>) -> Vec<TenantModel> {
        let estate: BTreeSet<&str> = ["psa"].into_iter().collect();
        let keys = models.iter().map(|m| tenant_keys(m, &estate)).collect();
        let mut refs: Vec<&mut TenantModel> = models.iter_mut().collect();
        mark(&mut refs, keys);
        models
    }

    /// Every (tenant, ref, kind, value, tenants) the pass attached.
    fn marks(models: &[TenantModel]) -> Vec<String> {
        let mut out = Vec::new();
        for m in models {
            for i in &m.identities {
                for k in i.reuse.iter().flat_map(|r| &r.keys) {
                    out.push(format!(
                        "{} {} {:?} {} {}",
                        m.tenant.id,
                        i.reference,
                        k.kind,
                        k.value,
                        k.tenants.join(",")
                    ));
                }
            }
        }
        out
    }

    #[test]
    fn the_same_credential_id_in_two_tenants_is_reuse_but_hints_and_slots_are_not() {
        let mut a = ident("okta", "u1", Kind::ServiceAccount, Some("sync@a.example"));
        a.credentials = vec![credential("00TABCDEF123"), credential("short")];
        let mut b = ident("okta", "u9", Kind::Human, Some("kim@b.example"));
        b.credentials = vec![credential("00tabcdef123"), credential("short")];
        let mut aws_a = ident("aws", "u", Kind::ServiceAccount, Some("ci-a"));
        aws_a.source_kind = "aws-iam".into();
        aws_a.credentials = vec![credential("access_key_1")];
        let mut aws_b = aws_a.clone();
        aws_b.set_principal_name(Some("ci-b".into()));
        let out = run(vec![model("a", vec![a, aws_a]), model("b", vec![b, aws_b])]);
        assert_eq!(
            marks(&out),
            [
                "a okta/u1 Credential 00tabcdef123 a,b",
                "b okta/u9 Credential 00tabcdef123 a,b"
            ]
        );
        let key = &out[0].identities[0].reuse.as_ref().unwrap().keys[0];
        assert_eq!(key.account_count, 2);
        assert_eq!(key.accounts[1].tenant, "b");
        assert_eq!(key.accounts[1].reference, "okta/u9");
    }

    #[test]
    fn a_service_account_login_in_two_tenants_is_reuse() {
        let mut a = ident("ad", "1", Kind::ServiceAccount, None);
        a.alt_ids
            .insert("sam_account_name".into(), "SVC-Backup".into());
        let b = ident("aws", "2", Kind::ServiceAccount, Some("svc-backup"));
        let mut krbtgt_a = ident("ad", "3", Kind::ServiceAccount, None);
        krbtgt_a
            .alt_ids
            .insert("sam_account_name".into(), "krbtgt".into());
        let krbtgt_b = krbtgt_a.clone();
        let out = run(vec![
            model("a", vec![a, krbtgt_a]),
            model("b", vec![b, krbtgt_b]),
            model(
                "c",
                vec![ident("ad", "1", Kind::Human, Some("x@c.example"))],
            ),
        ]);
        assert_eq!(
            marks(&out),
            [
                "a ad/1 ServiceAccount svc-backup a,b",
                "b aws/2 ServiceAccount svc-backup a,b"
            ]
        );
    }

    #[test]
    fn a_shared_login_is_reuse_unless_a_named_technician_owns_it() {
        let helpdesk = |oid| ident("rmm", oid, Kind::Human, Some("Helpdesk@MSP.example"));
        let mut jo_a = ident("rmm", "jo", Kind::Technician, Some("jo@msp.example"));
        jo_a.staff = Some(Box::new(StaffLink {
            state: StaffState::Matched,
            staff_ref: Some("msp-entra/jo".into()),
            method: None,
            value: None,
            principal_name: None,
            gone: Some(false),
        }));
        let jo_b = jo_a.clone();
        let mut guest_a = ident("entra", "g", Kind::Guest, Some("x#ext#@a.example"));
        guest_a.emails = vec!["vendor@v.example".into()];
        let mut guest_b = guest_a.clone();
        guest_b.set_principal_name(Some("x#ext#@b.example".into()));
        let bare = |oid| ident("jumpcloud", oid, Kind::Human, Some("jsmith"));
        let out = run(vec![
            model("a", vec![helpdesk("1"), jo_a, guest_a, bare("9")]),
            model("b", vec![helpdesk("2"), jo_b, guest_b, bare("9")]),
        ]);
        assert_eq!(
            marks(&out),
            [
                "a rmm/1 SharedLogin helpdesk@msp.example a,b",
                "b rmm/2 SharedLogin helpdesk@msp.example a,b"
            ]
        );
    }

    #[test]
    fn case_is_folded_beyond_ascii_and_aliases_count_once() {
        let mut a = ident("okta", "1", Kind::Shared, Some("JÖRG.Admin@MSP.example"));
        a.emails = vec!["jörg.admin@msp.example".into(), "ops@msp.example".into()];
        let mut b = ident("csv", "2", Kind::Human, Some(" jörg.admin@msp.example "));
        b.emails = vec!["OPS@msp.example".into()];
        let out = run(vec![model("a", vec![a]), model("b", vec![b])]);
        assert_eq!(
            marks(&out),
            [
                "a okta/1 SharedLogin jörg.admin@msp.example a,b",
                "a okta/1 SharedLogin ops@msp.example a,b",
                "b csv/2 SharedLogin jörg.admin@msp.example a,b",
                "b csv/2 SharedLogin ops@msp.example a,b"
            ]
        );
        assert_eq!(
            hash(Space::Login, "ÄB@x"),
            hash(Space::Login, " äb@X "),
            "the hash is of the value as compared"
        );
        assert_ne!(hash(Space::Login, "ab@x"), hash(Space::Credential, "ab@x"));
    }

    #[test]
    fn attributed_msp_records_msp_itself_and_multi_tenant_apps_are_not_reuse() {
        // The MSP's PSA member, attributed to both clients: one record, not reuse.
        let mut psa = ident("psa", "146", Kind::Human, Some("helpdesk@msp.example"));
        psa.clients.ids = vec!["c-1".into(), "c-2".into()];
        // A vendor's multi-tenant app: its service principal in each tenant.
        let sp = |oid| {
            let mut sp = ident("entra", oid, Kind::Workload, None);
            sp.alt_ids.insert("app_id".into(), "APP-1".into());
            sp.credentials = vec![credential("11111111-2222")];
            sp
        };
        let mut other_app = sp("sp-9");
        other_app.alt_ids.insert("app_id".into(), "app-2".into());
        let msp_login = ident("rmm", "m", Kind::Human, Some("helpdesk@msp.example"));
        let out = run(vec![
            model("_msp", vec![msp_login]),
            model("a", vec![psa.clone(), sp("sp-1")]),
            model("b", vec![psa, sp("sp-2")]),
        ]);
        assert!(marks(&out).is_empty(), "{:?}", marks(&out));
        // A different application holding the same key id is reuse, for all three.
        let out = run(vec![
            model("a", vec![sp("sp-1")]),
            model("b", vec![sp("sp-2"), other_app]),
        ]);
        assert_eq!(marks(&out).len(), 3, "{:?}", marks(&out));
        // A tenant-level source that shares a name with an estate source still counts.
        let out = run(vec![
            model(
                "a",
                vec![ident("psa", "1", Kind::Human, Some("admin@msp.example"))],
            ),
            model(
                "b",
                vec![ident("psa", "1", Kind::Human, Some("admin@msp.example"))],
            ),
        ]);
        assert_eq!(marks(&out).len(), 2);
    }

    #[test]
    fn two_accounts_in_one_tenant_are_not_reuse_and_output_is_deterministic() {
        let svc = |oid| {
            let mut s = ident("okta", oid, Kind::ServiceAccount, Some("svc@msp.example"));
            s.emails = vec!["SVC@msp.example".into()];
            s.credentials = vec![credential("00TOKEN0001")];
            s
        };
        let out = run(vec![model("a", vec![svc("1"), svc("2")])]);
        assert!(marks(&out).is_empty());
        let build = || {
            run(vec![
                model("c", vec![svc("1")]),
                model("a", vec![svc("1"), svc("2")]),
                model("b", vec![svc("1")]),
            ])
        };
        let first = build();
        let all = marks(&first);
        assert_eq!(all.len(), 8, "{all:?}");
        assert!(all[0].starts_with("c okta/1 Credential 00token0001 a,b,c"));
        assert!(all[1].starts_with("c okta/1 ServiceAccount svc@msp.example a,b,c"));
        for _ in 0..5 {
            assert_eq!(marks(&build()), all);
        }
        let key = &first[1].identities[0].reuse.as_ref().unwrap().keys[1];
        let listed: Vec<String> = key
            .accounts
            .iter()
            .map(|a| format!("{}:{}", a.tenant, a.reference))
            .collect();
        assert_eq!(listed, ["a:okta/1", "a:okta/2", "b:okta/1", "c:okta/1"]);
        assert!(first[0].identities[0].reuse.is_some());
    }
}
