//! The direct conversion against the serde route, on every identity of the fixture estates and
//! a synthetic one, and on one identity with every optional part filled.

use super::*;
use crate::audit::Loaded;
use crate::rego_value::to_value;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use std::path::Path;
use std::sync::Arc;

/// Every identity of an estate, loaded as an audit loads them (estate-wide facts included).
fn identities(root: &Path) -> Vec<Identity> {
    let estate = crate::estate::Estate::discover(root).unwrap();
    let (as_of, _) = crate::audit::run_as_of(&estate, None);
    let selected = crate::audit::select_tenants(&estate, &[]).unwrap();
    crate::audit::load_estate(&estate, &selected, &BTreeMap::new(), as_of, false)
        .into_iter()
        .flat_map(|(_, state)| match state {
            Loaded::Ready(job, _) => job.model.identities,
            Loaded::Failed(..) => Vec::new(),
        })
        .collect()
}

fn assert_same(identities: &[Identity], what: &str) {
    for i in identities {
        // Twice: the second from the caches the first filled.
        for _ in 0..2 {
            let (direct, serde) = (identity_value(i), to_value(i).unwrap());
            assert!(
                direct == serde,
                "{what}: {}: {}",
                i.reference,
                first_difference(&direct, &serde, "")
            );
        }
        // Every top-level field alone (what `applies_to` grouping builds) is the same value,
        // and all of them together are the whole identity.
        let whole = identity_value(i);
        let names: Vec<&str> = whole
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_string().unwrap().as_ref())
            .collect();
        for name in &names {
            assert!(
                identity_field(i, name).as_ref() == Some(&whole[&Value::from(*name)]),
                "{what}: {}: field {name} built alone differs",
                i.reference
            );
        }
        let alone: std::collections::BTreeMap<Value, Value> = names
            .iter()
            .map(|name| (Value::from(*name), identity_field(i, name).unwrap()))
            .collect();
        assert!(
            Value::from(alone) == whole,
            "{what}: {}: every field built alone differs from the whole",
            i.reference
        );
    }
}

/// Where two values first differ, for a failure one can read.
fn first_difference(direct: &Value, serde: &Value, path: &str) -> String {
    let name = |k: &Value| k.as_string().map_or(format!("{k:?}"), |s| s.to_string());
    match (direct, serde) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a.iter() {
                match b.get(k) {
                    Some(w) if v == w => {}
                    Some(w) => return first_difference(v, w, &format!("{path}.{}", name(k))),
                    None => return format!("{path}.{}: not in the serde value", name(k)),
                }
            }
            let extra = b.keys().find(|k| a.get(k).is_none());
            format!(
                "{path}.{}: not in the direct value",
                extra.map(name).unwrap_or_default()
            )
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            let at = a
                .iter()
                .zip(b.iter())
                .position(|(v, w)| v != w)
                .unwrap_or(0);
            first_difference(&a[at], &b[at], &format!("{path}[{at}]"))
        }
        _ => format!("{path}: {direct:?} (direct) != {serde:?} (serde)"),
    }
}

#[test]
fn same_value_as_serde_for_every_fixture_identity() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let demo = identities(&fixtures.join("demo"));
    assert!(demo.len() > 20);
    assert_same(&demo, "demo");
    let mut seen = 0;
    for entry in std::fs::read_dir(fixtures.join("rules")).unwrap() {
        let root = entry.unwrap().path();
        if root.join("estate.toml").exists() {
            let identities = identities(&root);
            assert_same(&identities, &root.display().to_string());
            seen += identities.len();
        }
    }
    assert!(
        seen > 20,
        "the rule fixtures are estates with identities: {seen}"
    );
}

#[test]
fn same_value_as_serde_for_a_synthetic_estate() {
    let dir = tempfile::tempdir().unwrap();
    crate::synth::write_estate(dir.path(), 4, 400, 7).unwrap();
    assert_same(&identities(dir.path()), "synthetic");
}

#[test]
fn enum_names_are_serde_names() {
    for (ours, serde) in enum_names() {
        assert_eq!(ours, serde);
    }
}

#[test]
fn instants_as_chrono_writes_them() {
    let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
        .unwrap()
        .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
        .unwrap()
        .and_utc();
    for t in [
        Utc.with_ymd_and_hms(2026, 11, 20, 6, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(1601, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
        Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(-1, 1, 1, 0, 0, 0).unwrap(),
        DateTime::from_timestamp(1_700_000_000, 999_999_999).unwrap(),
        leap,
    ] {
        assert_eq!(
            time_value(&t),
            Value::from(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            "{t:?}"
        );
    }
}

fn prov(line: Option<u64>) -> Provenance {
    Provenance {
        source: "entra".into(),
        file: "tenants/a/users.json".into(),
        record: 3,
        line,
    }
}

fn dated(days: i64) -> Ts {
    let mut t = Ts::exact(Utc.with_ymd_and_hms(2025, 2, 3, 4, 5, 6).unwrap(), "raw");
    t.days_ago = Some(days);
    t
}

fn event() -> ProvEvent {
    ProvEvent {
        id: "e1".into(),
        activity: "Add user".into(),
        action: ProvAction::RoleGranted,
        actor: Some("admin@a".into()),
        actor_type: ActorType::App,
        automated: Some(true),
        at: dated(3),
        prov: prov(Some(2)),
    }
}

/// Every optional part present, every list filled: the branches real exports rarely reach.
#[test]
fn same_value_as_serde_with_every_branch_filled() {
    let mut i = Identity::new("entra", "entra", "u1".into(), prov(None));
    i.alt_ids = [("sid".into(), "S-1".into()), ("arn".into(), "a".into())].into();
    i.set_principal_name(Some("Ann@A".into()));
    i.emails = vec!["ann@a".into()];
    i.display_name = Some("Ann".into());
    i.kind = Kind::Technician;
    i.kind_evidence = vec!["x".into(), "y".into()];
    i.non_human = true;
    i.status = Status::PendingInvite;
    i.status_raw = Some("Pending".into());
    i.enabled = Some(false);
    i.created = dated(-2);
    i.activity = Activity {
        last_interactive: dated(1),
        last_non_interactive: Ts::of(TimeQuality::Unavailable),
        last_successful: Ts::with(None, TimeQuality::Lagged, None),
        last_any: dated(1),
        known: true,
    };
    i.password = Password {
        enabled: Some(true),
        last_set: dated(400),
        never_expires: Some(true),
        not_required: Some(false),
        must_change: None,
    };
    i.account_expires = Ts::of(TimeQuality::Never);
    i.employment = Employment {
        employee_id: Some("E1".into()),
        employee_type: Some("Employee".into()),
        department: Some("Ops".into()),
        title: Some("Tech".into()),
        manager: Some("boss".into()),
        hire_date: dated(900),
        leave_date: Ts::of(TimeQuality::Ambiguous),
    };
    i.mfa = Mfa {
        registered: Some(true),
        capable: Some(false),
        methods: vec!["push".into(), "sms".into()],
        source: Some("mfa.json".into()),
        enforced: Some(true),
    };
    i.privileged = Some(true);
    i.top_role = Some(false);
    i.roles = vec![RoleAssignment {
        role_id: "r1".into(),
        role_name: Some("Global Administrator".into()),
        scope: "/".into(),
        assignment: AssignmentKind::TimeBound,
        privileged: true,
        top: true,
        via_group: Some("g1".into()),
        start: dated(10),
        end: dated(-10),
        prov: prov(Some(7)),
    }];
    i.groups = vec![
        GroupRef {
            id: "g1".into(),
            name: Some("Admins".into()),
        },
        GroupRef {
            id: "g2".into(),
            name: None,
        },
    ];
    i.credentials = vec![Credential {
        id: "k1".into(),
        kind: CredentialKind::SigningCert,
        display_name: Some("cert".into()),
        hint: Some("ab".into()),
        active: Some(true),
        created: dated(30),
        rotated: dated(30),
        expires: dated(-335),
        last_used: Ts::of(TimeQuality::NotApplicable),
        last_used_where: Some("eu".into()),
        origin: Some("application".into()),
        lifetime_days: Some(365),
        expired: Some(false),
        derived: CredentialDerived {
            live: Some(true),
            age_days: Some(30),
            use_state: UseState::NotApplicable,
            unused_days: None,
            no_expiry: false,
        },
        prov: prov(None),
    }];
    i.owners = Some(vec![Owner {
        id: "o1".into(),
        principal_name: Some("bob@a".into()),
        enabled: None,
    }]);
    i.clients = Clients {
        ids: vec!["c1".into()],
        all: Some(false),
    };
    i.correlation = Correlation {
        state: MatchState::Ambiguous,
        method: Some(MatchKey::EmployeeId),
        value: Some("e1".into()),
        sot_ref: Some("ad/1".into()),
        candidates: vec!["ad/1".into(), "ad/2".into()],
        sot: Some(Box::new(SotFacts {
            gone: Some(true),
            enabled: Some(false),
            status: Status::Deprovisioned,
            leave_date: dated(5),
            principal_name: Some("ann@a".into()),
            groups: Some(vec!["staff".to_string()].into()),
            prov: prov(Some(9)),
        })),
    };
    i.delegation = Some(Box::new(Delegation {
        customer_id: Some("t1".into()),
        customer_name: Some("Contoso".into()),
        status: Some("active".into()),
        duration: Some("P730D".into()),
        duration_days: Some(730),
        auto_extend_days: Some(0),
        ends: dated(-100),
        access_containers: vec![AccessContainer {
            group_id: "g9".into(),
            group_name: Some("Helpdesk".into()),
            role_ids: vec!["r1".into()],
            status: Some("active".into()),
            technicians: vec!["ann@msp".into()],
            departed: vec!["bob@msp".into()],
        }],
    }));
    i.staff = Some(Box::new(StaffLink {
        state: StaffState::NoStaffSource,
        staff_ref: Some("staff/1".into()),
        method: Some(MatchKey::Email),
        value: Some("ann@msp".into()),
        principal_name: Some("ann@msp".into()),
        gone: Some(false),
    }));
    i.reuse = Some(Box::new(Reuse {
        found: true,
        keys: vec![Arc::new(ReuseKey {
            kind: ReuseKind::SharedLogin,
            value: "admin".into(),
            tenants: vec!["a".into(), "b".into()],
            accounts: vec![ReuseAccount {
                tenant: "b".into(),
                reference: "entra/u9".into(),
                prov: prov(None),
            }],
            account_count: 12,
        })],
    }));
    i.provisioning = Provisioning {
        state: ProvState::NoEvent,
        gap: true,
        event: Some(Box::new(event())),
        matched_on: Some("email".into()),
        window: Some(Box::new(ProvWindow {
            start: dated(90),
            end: dated(0),
        })),
        keys: vec!["ann@a".into()],
        grants: vec![GrantProvisioning {
            role_id: "r1".into(),
            role_name: None,
            assignment: AssignmentKind::Delegated,
            via_group: None,
            state: ProvState::Matched,
            event: Some(event()),
            granted: dated(10),
            prov: prov(Some(1)),
        }],
    };
    i.derived = Derived {
        user_account: true,
        activity: UseState::Dated,
        activity_days: Some(1),
        created_days: None,
        standing_privileged: true,
        has_roles: true,
        has_credentials: true,
    };
    let mut blank = Identity::new("entra", "entra", "u2".into(), prov(Some(4)));
    blank.principal_name_norm = Some("other".into());
    assert_same(&[i.clone(), blank], "filled");
    // The same identity with its memoised parts varied.
    i.provisioning = Provisioning::default();
    i.correlation = Correlation::state(MatchState::NoSourceOfTruth);
    i.mfa = Mfa::default();
    i.clients = Clients::default();
    i.employment = Employment::default();
    i.password = Password::default();
    assert_same(&[i], "memoised");
}
