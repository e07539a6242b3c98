//! `okta` loader specs: one test per quirk of export-formats.md §3, inline exports in the API's
//! shapes, and garbage or truncated files that must give located errors, never panics.

use driftgate::estate::SourceConfig;
use driftgate::load::{load_source, LoadError, SourceData};
use driftgate::model::{AssignmentKind, CredentialKind, Identity, Kind, Status, TimeQuality};

const FILES: &[&str] = &[
    "users.json",
    "groups.json",
    "factors.json",
    "roles.json",
    "apiTokens.json",
];

fn okta(files: &[(&str, &[u8])]) -> Result<SourceData, Vec<LoadError>> {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("okta")).unwrap();
    for (name, bytes) in files {
        std::fs::write(d.path().join("okta").join(name), bytes).unwrap();
    }
    let source = SourceConfig {
        name: "okta".into(),
        kind: "okta".into(),
        path: "okta".into(),
        locale: None,
        date_format: None,
        columns: None,
    };
    load_source(&source, d.path(), d.path())
}

fn ok(files: &[(&str, &str)]) -> SourceData {
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    okta(&files).unwrap_or_else(|e| panic!("{e:?}"))
}

fn errors(files: &[(&str, &str)]) -> Vec<LoadError> {
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    okta(&files).err().expect("must fail")
}

fn by_login<'a>(data: &'a SourceData, login: &str) -> &'a Identity {
    data.identities
        .iter()
        .find(|i| i.principal_name.as_deref() == Some(login))
        .unwrap_or_else(|| panic!("no identity {login}"))
}

/// One user per status, in the API's shape (bare array, nullable timestamps).
const USERS: &str = r#"[
 {"id":"00u1active","status":"ACTIVE","created":"2022-04-04T15:56:05.000Z","activated":null,"statusChanged":null,
  "lastLogin":"2024-01-02T15:04:05.000Z","lastUpdated":"2024-01-02T15:04:06.000Z","passwordChanged":"2023-11-20T08:30:00.000Z",
  "type":{"id":"oty1"},
  "profile":{"login":"jdoe@contoso.com","email":"jdoe@contoso.com","secondEmail":"john@home.example","firstName":"John","lastName":"Doe",
             "employeeNumber":"E1001","userType":"Employee","department":"Finance","title":"Controller","managerId":"00u2boss","mobilePhone":null},
  "credentials":{"password":{},"provider":{"type":"ACTIVE_DIRECTORY","name":"contoso.com"}},
  "_links":{"self":{"href":"https://contoso.okta.com/api/v1/users/00u1active"}}},
 {"id":"00u2prov","status":"PROVISIONED","created":"2024-01-05T09:00:00.000Z","activated":"2024-01-05T09:00:00.000Z","lastLogin":null,"passwordChanged":null,
  "profile":{"login":"newhire@contoso.com","email":"newhire@contoso.com","firstName":"New","lastName":"Hire"},
  "credentials":{"provider":{"type":"OKTA","name":"OKTA"}}},
 {"id":"00u3staged","status":"STAGED","created":"2024-02-01T09:00:00.000Z","activated":null,"lastLogin":null,"passwordChanged":null,
  "profile":{"login":"staged@contoso.com","email":"staged@contoso.com"},"credentials":{"provider":{"type":"OKTA","name":"OKTA"}}},
 {"id":"00u4susp","status":"SUSPENDED","created":"2021-01-01T00:00:00.000Z","lastLogin":"2023-01-01T00:00:00.000Z","passwordChanged":null,
  "profile":{"login":"susp@contoso.com","email":"susp@contoso.com"},"credentials":{"password":{},"provider":{"type":"OKTA","name":"OKTA"}}},
 {"id":"00u5locked","status":"LOCKED_OUT","created":"2021-01-01T00:00:00.000Z","lastLogin":"2024-01-01T00:00:00.000Z",
  "profile":{"login":"locked@contoso.com"}},
 {"id":"00u6expired","status":"PASSWORD_EXPIRED","created":"2021-01-01T00:00:00.000Z","lastLogin":"2024-01-01T00:00:00.000Z",
  "profile":{"login":"expired@contoso.com"}},
 {"id":"00u7recovery","status":"RECOVERY","created":"2021-01-01T00:00:00.000Z","lastLogin":"2024-01-01T00:00:00.000Z",
  "profile":{"login":"recovery@contoso.com"}},
 {"id":"00u8gone","status":"DEPROVISIONED","created":"2020-01-01T00:00:00.000Z","statusChanged":"2024-03-01T00:00:00.000Z","lastLogin":"2024-02-28T00:00:00.000Z",
  "profile":{"login":"gone@contoso.com"}},
 {"id":"00u9leaving","status":"ACTIVE","transitioningToStatus":"DEPROVISIONED","created":"2020-01-01T00:00:00.000Z","lastLogin":"2024-02-28T00:00:00.000Z",
  "profile":{"login":"leaving@contoso.com"}},
 {"id":"00uAsvc","status":"ACTIVE","created":"2020-01-01T00:00:00.000Z","lastLogin":null,
  "profile":{"login":"svc-sync@contoso.com","userType":"Service"},"credentials":{"provider":{"type":"FEDERATION","name":"FEDERATION"}},"passwordChanged":null}
]"#;

// ---------- the registry ----------

#[test]
fn registry_wires_the_okta_kind() {
    let data = ok(&[("users.json", USERS)]);
    assert_eq!(data.facts.kind, "okta");
    assert_eq!(data.identities.len(), 10);
    assert!(data.identities.iter().all(|i| i.source_kind == "okta"));
    assert_eq!(data.facts.top_role_name.as_deref(), Some("Super Admin"));
    let p = &by_login(&data, "newhire@contoso.com").prov;
    assert_eq!((p.file.as_str(), p.record), ("okta/users.json", 2));
}

// ---------- users ----------

#[test]
fn every_status_maps_to_a_status_and_enabled() {
    let data = ok(&[("users.json", USERS)]);
    let cases = [
        ("jdoe@contoso.com", Status::Active, Some(true)),
        ("newhire@contoso.com", Status::PendingInvite, Some(true)),
        ("staged@contoso.com", Status::Staged, Some(false)),
        ("susp@contoso.com", Status::Suspended, Some(false)),
        ("locked@contoso.com", Status::Locked, Some(true)),
        ("expired@contoso.com", Status::Active, Some(true)),
        ("recovery@contoso.com", Status::Active, Some(true)),
        ("gone@contoso.com", Status::Deprovisioned, Some(false)),
        ("leaving@contoso.com", Status::Deprovisioned, Some(false)),
    ];
    for (login, status, enabled) in cases {
        let u = by_login(&data, login);
        assert_eq!((u.status, u.enabled), (status, enabled), "{login}");
    }
    assert_eq!(
        by_login(&data, "expired@contoso.com").status_raw.as_deref(),
        Some("PASSWORD_EXPIRED"),
        "the raw status is kept"
    );
    assert_eq!(
        by_login(&data, "leaving@contoso.com").status_raw.as_deref(),
        Some("ACTIVE (transitioningToStatus DEPROVISIONED)")
    );
}

#[test]
fn unknown_status_is_unknown_and_warned() {
    let data = ok(&[(
        "users.json",
        r#"[{"id":"00u1","status":"HIBERNATING","profile":{"login":"a@x.com"}},{"id":"00u2","status":"DEPROVISIONED","profile":{"login":"b@x.com"}}]"#,
    )]);
    let a = by_login(&data, "a@x.com");
    assert_eq!((a.status, a.enabled), (Status::Unknown, None));
    assert!(data.warnings.iter().any(|w| w.contains("unrecognised")));
}

#[test]
fn last_login_null_is_never_and_a_missing_key_is_unknown() {
    let data = ok(&[(
        "users.json",
        r#"[{"id":"00u1","status":"ACTIVE","lastLogin":null,"profile":{"login":"never@x.com"}},
            {"id":"00u2","status":"ACTIVE","lastLogin":"2024-01-02T15:04:05.000Z","profile":{"login":"seen@x.com"}},
            {"id":"00u3","status":"ACTIVE","profile":{"login":"stripped@x.com"}}]"#,
    )]);
    let never = by_login(&data, "never@x.com");
    assert!(never.activity.known);
    assert_eq!(never.activity.last_any.quality, TimeQuality::Never);
    let seen = by_login(&data, "seen@x.com");
    assert_eq!(
        seen.activity.last_any.at.unwrap().to_rfc3339(),
        "2024-01-02T15:04:05+00:00"
    );
    assert_eq!(
        seen.activity.last_non_interactive.quality,
        TimeQuality::Unavailable,
        "token and API use is not in the user object"
    );
    let stripped = by_login(&data, "stripped@x.com");
    assert!(!stripped.activity.known);
    assert_eq!(stripped.activity.last_any.quality, TimeQuality::Unavailable);
    assert!(data.facts.capabilities.sign_in);
}

#[test]
fn an_export_without_last_login_cannot_show_sign_ins() {
    let data = ok(&[(
        "users.json",
        r#"[{"id":"00u1","status":"ACTIVE","profile":{"login":"a@x.com"}}]"#,
    )]);
    assert!(!data.facts.capabilities.sign_in);
    assert_eq!(
        data.identities[0].activity.last_any.quality,
        TimeQuality::Unavailable,
        "unknown, never \"never\""
    );
}

#[test]
fn no_deprovisioned_user_warns_that_offboarding_checks_are_weaker() {
    let without = ok(&[(
        "users.json",
        r#"[{"id":"00u1","status":"ACTIVE","lastLogin":null,"profile":{"login":"a@x.com"}}]"#,
    )]);
    assert!(
        without
            .warnings
            .iter()
            .any(|w| w.contains("no DEPROVISIONED user") && w.contains("offboarding")),
        "{:?}",
        without.warnings
    );
    let with = ok(&[("users.json", USERS)]);
    assert!(!with.warnings.iter().any(|w| w.contains("DEPROVISIONED")));
}

#[test]
fn profile_login_email_employee_number_user_type_and_provider() {
    let data = ok(&[("users.json", USERS)]);
    let u = by_login(&data, "jdoe@contoso.com");
    assert_eq!(u.object_id, "00u1active");
    assert_eq!(u.principal_name_norm.as_deref(), Some("jdoe@contoso.com"));
    assert_eq!(u.emails, vec!["jdoe@contoso.com", "john@home.example"]);
    assert_eq!(u.display_name.as_deref(), Some("John Doe"));
    assert_eq!(u.employment.employee_id.as_deref(), Some("E1001"));
    assert_eq!(u.employment.employee_type.as_deref(), Some("Employee"));
    assert_eq!(u.employment.department.as_deref(), Some("Finance"));
    assert_eq!(u.employment.manager.as_deref(), Some("00u2boss"));
    assert_eq!(u.kind, Kind::Human);
    assert_eq!(
        u.alt_ids["provider"], "ACTIVE_DIRECTORY contoso.com",
        "AD is the source of truth for this user"
    );
    assert_eq!(
        u.created.at.unwrap().to_rfc3339(),
        "2022-04-04T15:56:05+00:00"
    );
    let svc = by_login(&data, "svc-sync@contoso.com");
    assert_eq!(svc.kind, Kind::ServiceAccount);
    assert_eq!(svc.kind_evidence, vec!["userType=Service"]);
}

#[test]
fn user_type_words_decide_service_and_guest_kinds() {
    let data = ok(&[(
        "users.json",
        r#"[{"id":"00u1","status":"DEPROVISIONED","profile":{"login":"t@x.com","userType":"Therapist"}},
            {"id":"00u2","status":"ACTIVE","profile":{"login":"int@x.com","userType":"API User"}},
            {"id":"00u3","status":"ACTIVE","profile":{"login":"ext@partner.example","userType":"External"}},
            {"id":"00u4","status":"ACTIVE","profile":{"login":"svc-backup@x.com"}}]"#,
    )]);
    assert_eq!(by_login(&data, "t@x.com").kind, Kind::Human);
    assert_eq!(by_login(&data, "int@x.com").kind, Kind::ServiceAccount);
    assert_eq!(by_login(&data, "ext@partner.example").kind, Kind::Guest);
    let svc = by_login(&data, "svc-backup@x.com");
    assert_eq!(svc.kind, Kind::ServiceAccount);
    assert_eq!(svc.kind_evidence, vec!["service naming convention"]);
}

#[test]
fn login_that_is_not_an_email_keeps_the_email_as_an_address() {
    let data = ok(&[(
        "users.json",
        r#"[{"id":"00u1","status":"DEPROVISIONED","profile":{"login":"jdoe","email":"jdoe@contoso.com"}}]"#,
    )]);
    let u = &data.identities[0];
    assert_eq!(u.principal_name.as_deref(), Some("jdoe"));
    assert_eq!(u.emails, vec!["jdoe@contoso.com"]);
}

#[test]
fn password_changed_null_is_never_unless_okta_holds_no_password() {
    let data = ok(&[("users.json", USERS)]);
    assert_eq!(
        by_login(&data, "susp@contoso.com")
            .password
            .last_set
            .quality,
        TimeQuality::Never
    );
    let federated = by_login(&data, "svc-sync@contoso.com");
    assert_eq!(federated.password.enabled, Some(false));
    assert_eq!(
        federated.password.last_set.quality,
        TimeQuality::NotApplicable
    );
    assert_eq!(
        by_login(&data, "locked@contoso.com")
            .password
            .last_set
            .quality,
        TimeQuality::Absent,
        "key not exported"
    );
}

#[test]
fn utf16_bom_and_windows_powershell_dates_are_read() {
    let text = r#"[{"id":"00u1","status":"DEPROVISIONED","created":"\/Date(1704207845000)\/","lastLogin":{"value":"\/Date(1704207845000)\/","DisplayHint":2,"DateTime":"Tuesday, January 2, 2024 3:04:05 PM"},"profile":{"login":"jos\u00e9@x.com"}}]"#;
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    let data = okta(&[("users.json", &bytes)]).unwrap();
    let u = &data.identities[0];
    assert_eq!(u.principal_name.as_deref(), Some("josé@x.com"));
    assert_eq!(
        u.created.at.unwrap().to_rfc3339(),
        "2024-01-02T15:04:05+00:00"
    );
    assert_eq!(
        u.activity.last_any.at.unwrap().to_rfc3339(),
        "2024-01-02T15:04:05+00:00"
    );
}

#[test]
fn page_object_array_of_pages_and_concatenated_pages_are_accepted() {
    let one = r#"{"id":"00u1","status":"ACTIVE","profile":{"login":"a@x.com"}}"#;
    let two = r#"{"id":"00u2","status":"DEPROVISIONED","profile":{"login":"b@x.com"}}"#;
    for text in [
        format!("{{\"value\":[{one},{two}]}}"),
        format!("[{{\"value\":[{one}]}},{{\"value\":[{two}]}}]"),
        format!("[{one}]\n[{two}]\n"),
    ] {
        let data = ok(&[("users.json", &text)]);
        assert_eq!(data.identities.len(), 2, "{text}");
    }
}

#[test]
fn convert_to_json_depth_truncation_is_a_located_error() {
    let e = &errors(&[(
        "users.json",
        r#"[{"id":"00u1","status":"ACTIVE","profile":{"login":"a@x.com"},"credentials":{"provider":"@{type=ACTIVE_DIRECTORY; name=contoso.com}"}}]"#,
    )])[0];
    assert_eq!(
        (e.record, e.field.as_deref()),
        (Some(1), Some("credentials.provider"))
    );
    assert!(e.message.contains("-Depth"), "{e}");
}

// ---------- factors ----------

const TWO_USERS: &str = r#"[
 {"id":"00u1","status":"ACTIVE","lastLogin":null,"profile":{"login":"admin@x.com"}},
 {"id":"00u2","status":"ACTIVE","lastLogin":null,"profile":{"login":"pending@x.com"}},
 {"id":"00u3","status":"DEPROVISIONED","lastLogin":null,"profile":{"login":"none@x.com"}}]"#;

#[test]
fn factors_registered_means_any_active_factor() {
    let factors = r#"[
      {"id":"opf1","userId":"00u1","factorType":"push","provider":"OKTA","status":"ACTIVE","created":"2022-04-05T10:00:00.000Z"},
      {"id":"opf2","userId":"00u1","factorType":"token:software:totp","provider":"GOOGLE","status":"ACTIVE"},
      {"id":"opf3","userId":"00u2","factorType":"sms","provider":"OKTA","status":"PENDING_ACTIVATION"},
      {"id":"opf4","userId":"00u2","factorType":"webauthn","provider":"FIDO","status":"INACTIVE"}]"#;
    let data = ok(&[("users.json", TWO_USERS), ("factors.json", factors)]);
    let admin = by_login(&data, "admin@x.com");
    assert_eq!(admin.mfa.registered, Some(true));
    assert_eq!(admin.mfa.methods, vec!["push", "token:software:totp"]);
    assert_eq!(
        admin.mfa.source.as_deref(),
        Some("okta/factors.json (record 1, 2)")
    );
    assert_eq!(
        by_login(&data, "pending@x.com").mfa.registered,
        Some(false),
        "PENDING_ACTIVATION and INACTIVE do not count"
    );
    assert!(data.facts.capabilities.mfa);
}

#[test]
fn a_user_absent_from_factors_has_no_factors() {
    let factors = r#"[{"id":"opf1","userId":"00u1","factorType":"push","status":"ACTIVE"}]"#;
    let data = ok(&[("users.json", TWO_USERS), ("factors.json", factors)]);
    let none = by_login(&data, "none@x.com");
    assert_eq!(none.mfa.registered, Some(false));
    assert!(none.mfa.methods.is_empty());
}

#[test]
fn missing_factors_file_makes_mfa_unknown() {
    let data = ok(&[("users.json", TWO_USERS)]);
    assert!(data.identities.iter().all(|u| u.mfa.registered.is_none()));
    assert!(!data.facts.capabilities.mfa);
    assert!(
        data.facts
            .files_missing
            .iter()
            .any(|f| f.starts_with("factors.json") && f.contains("MFA")),
        "{:?}",
        data.facts.files_missing
    );
    for name in ["groups.json", "roles.json", "apiTokens.json"] {
        assert!(
            data.facts.files_missing.iter().any(|f| f.starts_with(name)),
            "{name}"
        );
    }
}

#[test]
fn factors_grouped_per_user_or_owned_through_api_links() {
    let factors = r#"[
      {"userId":"00u1","factors":[{"id":"opf1","factorType":"webauthn","status":"ACTIVE"}]},
      {"userId":"00u2","factors":[]},
      {"id":"opf9","factorType":"push","status":"ACTIVE",
       "_links":{"self":{"href":"https://x.okta.com/api/v1/users/00u3/factors/opf9"},"verify":{"href":"https://x.okta.com/api/v1/users/00u3/factors/opf9/verify"}}}]"#;
    let data = ok(&[("users.json", TWO_USERS), ("factors.json", factors)]);
    assert_eq!(by_login(&data, "admin@x.com").mfa.methods, vec!["webauthn"]);
    assert_eq!(by_login(&data, "pending@x.com").mfa.registered, Some(false));
    assert_eq!(by_login(&data, "none@x.com").mfa.registered, Some(true));
}

// ---------- roles and groups ----------

const ROLE_USERS: &str = r#"[
 {"id":"00uA","status":"ACTIVE","lastLogin":null,"profile":{"login":"super1@x.com"}},
 {"id":"00uB","status":"ACTIVE","lastLogin":null,"profile":{"login":"super2@x.com"}},
 {"id":"00uC","status":"ACTIVE","lastLogin":null,"profile":{"login":"helpdesk@x.com"}},
 {"id":"00uD","status":"DEPROVISIONED","lastLogin":null,"profile":{"login":"plain@x.com"}}]"#;

const GROUPS: &str = r#"[
 {"id":"00gAdmins","created":"2022-01-01T00:00:00.000Z","type":"OKTA_GROUP","objectClass":["okta:user_group"],
  "profile":{"name":"Okta Super Admins","description":null},
  "members":[{"id":"00uB","status":"ACTIVE","profile":{"login":"super2@x.com"}},{"id":"00uA","profile":{"login":"super1@x.com"}}]},
 {"id":"00gEveryone","type":"BUILT_IN","profile":{"name":"Everyone"},"members":["00uA","00uB","00uC","00uD"]},
 {"id":"00gAD","type":"APP_GROUP","objectClass":["okta:windows_security_principal"],"profile":{"name":"Domain Users"}}]"#;

#[test]
fn super_admin_is_the_top_role_and_every_admin_role_is_privileged() {
    let roles = r#"[
      {"id":"ra1","userId":"00uA","label":"Super Organization Administrator","type":"SUPER_ADMIN","status":"ACTIVE","created":"2022-01-01T00:00:00.000Z","lastUpdated":"2022-01-01T00:00:00.000Z","assignmentType":"USER"},
      {"id":"ra2","userId":"00uC","type":"HELP_DESK_ADMIN","status":"ACTIVE","assignmentType":"USER"},
      {"id":"ra3","userId":"00uC","type":"READ_ONLY_ADMIN","status":"ACTIVE","assignmentType":"USER"},
      {"id":"ra4","userId":"00uC","label":"Vault auditors","type":"CUSTOM","role":"cr0abc","resource-set":"iamXYZ","status":"ACTIVE","assignmentType":"USER"}]"#;
    let data = ok(&[("users.json", ROLE_USERS), ("roles.json", roles)]);
    let super1 = by_login(&data, "super1@x.com");
    let r = &super1.roles[0];
    assert!(r.top && r.privileged);
    assert_eq!(r.assignment, AssignmentKind::Permanent, "Okta has no JIT");
    assert_eq!(
        r.role_name.as_deref(),
        Some("Super Organization Administrator")
    );
    assert_eq!(
        (r.prov.file.as_str(), r.prov.record),
        ("okta/roles.json", 1)
    );
    let hd = by_login(&data, "helpdesk@x.com");
    let got: Vec<_> = hd
        .roles
        .iter()
        .map(|r| {
            (
                r.role_id.as_str(),
                r.role_name.as_deref(),
                r.scope.as_str(),
                r.privileged,
                r.top,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "HELP_DESK_ADMIN",
                Some("Help Desk Administrator"),
                "/",
                true,
                false
            ),
            (
                "READ_ONLY_ADMIN",
                Some("Read-only Administrator"),
                "/",
                true,
                false
            ),
            ("cr0abc", Some("Vault auditors"), "iamXYZ", true, false),
        ]
    );
    let caps = &data.facts.capabilities;
    assert!(caps.roles && caps.top_role_countable);
    assert_eq!(caps.jit, Some(false));
}

#[test]
fn missing_roles_file_leaves_privilege_unknown() {
    let data = ok(&[("users.json", ROLE_USERS)]);
    let caps = &data.facts.capabilities;
    assert!(!caps.roles && !caps.top_role_countable);
    assert!(data.identities.iter().all(|u| u.roles.is_empty()));
}

#[test]
fn roles_granted_to_groups_reach_their_members_once() {
    let roles = r#"[
      {"groupId":"00gAdmins","roles":[{"id":"gr1","type":"SUPER_ADMIN","status":"ACTIVE","assignmentType":"GROUP"}]},
      {"userId":"00uB","roles":[{"id":"gr1","type":"SUPER_ADMIN","status":"ACTIVE","assignmentType":"GROUP"}]}]"#;
    let data = ok(&[
        ("users.json", ROLE_USERS),
        ("groups.json", GROUPS),
        ("roles.json", roles),
    ]);
    for login in ["super1@x.com", "super2@x.com"] {
        let u = by_login(&data, login);
        assert_eq!(u.roles.len(), 1, "{login}: no double count");
        assert_eq!(u.roles[0].via_group.as_deref(), Some("00gAdmins"));
        assert!(u.roles[0].top);
    }
    assert!(by_login(&data, "helpdesk@x.com").roles.is_empty());
    assert!(data.facts.capabilities.top_role_countable);
}

#[test]
fn a_user_listed_with_a_group_role_keeps_it_when_the_group_grant_is_not_exported() {
    let roles = r#"[{"userId":"00uC","roles":[{"id":"gr1","type":"ORG_ADMIN","status":"ACTIVE","assignmentType":"GROUP"}]}]"#;
    let data = ok(&[("users.json", ROLE_USERS), ("roles.json", roles)]);
    let r = &by_login(&data, "helpdesk@x.com").roles;
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].role_id, "ORG_ADMIN");
}

#[test]
fn a_top_role_on_a_group_without_members_is_not_countable() {
    let roles = r#"[{"id":"gr1","type":"SUPER_ADMIN","status":"ACTIVE","assignmentType":"GROUP",
                    "_links":{"assignee":{"href":"https://x.okta.com/api/v1/groups/00gAD"}}}]"#;
    let data = ok(&[
        ("users.json", ROLE_USERS),
        ("groups.json", GROUPS),
        ("roles.json", roles),
    ]);
    assert!(!data.facts.capabilities.top_role_countable);
    assert!(data
        .warnings
        .iter()
        .any(|w| w.contains("00gAD") && w.contains("holders are unknown")));
}

#[test]
fn roles_owned_through_the_api_assignee_link() {
    let roles = r#"[{"id":"ra1","type":"APP_ADMIN","status":"ACTIVE","assignmentType":"USER",
                    "_links":{"assignee":{"href":"https://x.okta.com/api/v1/users/00uC"}}}]"#;
    let data = ok(&[("users.json", ROLE_USERS), ("roles.json", roles)]);
    assert_eq!(
        by_login(&data, "helpdesk@x.com").roles[0].role_id,
        "APP_ADMIN"
    );
}

#[test]
fn inactive_role_assignments_are_not_counted_and_said_so() {
    let roles = r#"[{"id":"ra1","userId":"00uA","type":"SUPER_ADMIN","status":"INACTIVE"}]"#;
    let data = ok(&[("users.json", ROLE_USERS), ("roles.json", roles)]);
    assert!(by_login(&data, "super1@x.com").roles.is_empty());
    assert!(data.warnings.iter().any(|w| w.contains("not ACTIVE")));
}

#[test]
fn group_members_as_objects_or_ids_and_groups_without_members() {
    let data = ok(&[("users.json", ROLE_USERS), ("groups.json", GROUPS)]);
    let groups: Vec<_> = by_login(&data, "super1@x.com")
        .groups
        .iter()
        .map(|g| (g.id.as_str(), g.name.as_deref()))
        .collect();
    assert_eq!(
        groups,
        vec![
            ("00gAdmins", Some("Okta Super Admins")),
            ("00gEveryone", Some("Everyone"))
        ]
    );
    assert!(data
        .warnings
        .iter()
        .any(|w| w.contains("1 group(s) without `members`")));
}

// ---------- API tokens ----------

#[test]
fn api_tokens_are_credentials_of_their_owner() {
    let tokens = r#"[
      {"id":"00T1","name":"terraform","userId":"00uA","clientName":"Okta API","created":"2024-01-01T00:00:00.000Z",
       "expiresAt":"2024-02-01T00:00:00.000Z","lastUpdated":"2024-01-01T00:00:00.000Z","tokenWindow":"P30D","network":{"connection":"ANYWHERE"}},
      {"id":"00T2","name":"siem","userId":"00uC","created":"2023-01-01T00:00:00.000Z","expiresAt":"2024-06-01T00:00:00.000Z","lastUsed":"2024-05-02T00:00:00.000Z"},
      {"id":"00T3","name":"orphan","userId":"00uZZ","created":"2023-01-01T00:00:00.000Z"}]"#;
    let data = ok(&[("users.json", ROLE_USERS), ("apiTokens.json", tokens)]);
    let c = &by_login(&data, "super1@x.com").credentials[0];
    assert_eq!((c.id.as_str(), c.kind), ("00T1", CredentialKind::ApiToken));
    assert_eq!(c.display_name.as_deref(), Some("terraform"));
    assert_eq!(c.active, Some(true));
    assert_eq!(
        c.created.at.unwrap().to_rfc3339(),
        "2024-01-01T00:00:00+00:00"
    );
    assert_eq!(
        c.expires.at.unwrap().to_rfc3339(),
        "2024-02-01T00:00:00+00:00"
    );
    assert_eq!(
        c.last_used.quality,
        TimeQuality::Unavailable,
        "the API does not export last use"
    );
    assert_eq!(
        (c.prov.file.as_str(), c.prov.record),
        ("okta/apiTokens.json", 1)
    );
    let siem = &by_login(&data, "helpdesk@x.com").credentials[0];
    assert_eq!(
        siem.last_used.at.unwrap().to_rfc3339(),
        "2024-05-02T00:00:00+00:00",
        "taken as given when the export adds it"
    );
    assert!(
        data.warnings
            .iter()
            .any(|w| w.contains("00T3") && w.contains("not in users.json")),
        "a token of an unknown user is reported, not dropped silently"
    );
}

// ---------- bad input ----------

/// (file, text, message part, record, field)
type Case<'a> = (&'a str, &'a str, &'a str, Option<u64>, Option<&'a str>);

#[test]
fn bad_records_are_located_errors() {
    let user = r#"[{"id":"00u1","status":"DEPROVISIONED","profile":{"login":"a@x.com"}}]"#;
    let cases: &[Case] = &[
        (
            "users.json",
            r#"[{"status":"ACTIVE"}]"#,
            "missing required field",
            Some(1),
            Some("id"),
        ),
        (
            "users.json",
            r#"[{"id":"00u1"},{"id":"00u2","created":"last tuesday"}]"#,
            "not a date",
            Some(2),
            Some("created"),
        ),
        (
            "users.json",
            r#"[{"id":"00u1","profile":{"login":42}}]"#,
            "expected a string",
            Some(1),
            Some("profile.login"),
        ),
        (
            "users.json",
            r#"[{"id":"00u1","profile":"jdoe"}]"#,
            "expected an object",
            Some(1),
            Some("profile"),
        ),
        (
            "users.json",
            r#"[{"id":"00u1","lastLogin":1704207845}]"#,
            "expected a timestamp",
            Some(1),
            Some("lastLogin"),
        ),
        (
            "users.json",
            r#"[{"id":"00u1"},{"id":"00u1"}]"#,
            "duplicate id",
            Some(2),
            Some("id"),
        ),
        (
            "users.json",
            r#"[{"id":"00u1"}, 7]"#,
            "expected an object",
            Some(2),
            None,
        ),
        ("users.json", r#"{"odd":1}"#, "page object", None, None),
        ("factors.json", " \r\n", "file is empty", None, None),
        (
            "groups.json",
            r#"[{"id":"00g1","members":[true]}]"#,
            "a member is a boolean",
            Some(1),
            Some("members"),
        ),
        (
            "groups.json",
            r#"[{"profile":{"name":"x"}}]"#,
            "missing required field",
            Some(1),
            Some("id"),
        ),
        (
            "factors.json",
            r#"[{"id":"opf1","factorType":"push","status":"ACTIVE"}]"#,
            "whose factor",
            Some(1),
            Some("userId"),
        ),
        (
            "factors.json",
            r#"[{"userId":"00u1","factors":[1]}]"#,
            "expected objects",
            Some(1),
            Some("factors"),
        ),
        (
            "factors.json",
            r#"[{"userId":"00u1","factors":[{"factorType":"push","status":false}]}]"#,
            "expected a string",
            Some(1),
            Some("factors[].status"),
        ),
        (
            "roles.json",
            r#"[{"id":"ra1","userId":"00u1","status":"ACTIVE"}]"#,
            "missing required field",
            Some(1),
            Some("type"),
        ),
        (
            "roles.json",
            r#"[{"id":"ra1","type":"ORG_ADMIN"}]"#,
            "who holds this role",
            Some(1),
            Some("userId"),
        ),
        (
            "roles.json",
            r#"[{"id":"ra1","userId":"00u1","type":"ORG_ADMIN","created":"soon"}]"#,
            "not a date",
            Some(1),
            Some("created"),
        ),
        (
            "apiTokens.json",
            r#"[{"id":"00T1","name":"x"}]"#,
            "missing required field",
            Some(1),
            Some("userId"),
        ),
        (
            "apiTokens.json",
            r#"[{"id":"00T1","userId":"00u1","expiresAt":"never"}]"#,
            "not a date",
            Some(1),
            Some("expiresAt"),
        ),
    ];
    for (file, text, want, record, field) in cases {
        let mut files = vec![("users.json", user)];
        if *file == "users.json" {
            files[0].1 = text;
        } else {
            files.push((file, text));
        }
        let errs = errors(&files);
        let e = &errs[0];
        assert!(e.message.contains(want), "{file} {text}: {e}");
        assert_eq!(e.file, format!("okta/{file}"), "{e}");
        assert_eq!(
            (e.record, e.field.as_deref()),
            (*record, *field),
            "{file} {text}: {e}"
        );
    }
}

#[test]
fn missing_users_json_is_an_error_naming_it() {
    let errs = okta(&[]).err().unwrap();
    assert!(
        errs[0].message.contains("required file `users.json`"),
        "{}",
        errs[0]
    );
}

#[test]
fn garbage_and_truncated_files_give_located_errors_never_panics() {
    let seeds: [(&str, &str); 5] = [
        ("users.json", USERS),
        ("groups.json", GROUPS),
        (
            "factors.json",
            r#"[{"userId":"00u1active","factors":[{"id":"opf1","factorType":"push","status":"ACTIVE"}]}]"#,
        ),
        (
            "roles.json",
            r#"[{"id":"ra1","userId":"00u1active","type":"SUPER_ADMIN","status":"ACTIVE","created":"2022-01-01T00:00:00.000Z"}]"#,
        ),
        (
            "apiTokens.json",
            r#"[{"id":"00T1","name":"t","userId":"00u1active","created":"2024-01-01T00:00:00.000Z","expiresAt":"2024-02-01T00:00:00.000Z"}]"#,
        ),
    ];
    assert_eq!(seeds.len(), FILES.len());
    for (name, seed) in seeds {
        let garbage: &[&[u8]] = &[b"\x00\x01garbage", b"", b"\xFF\xFE\x00\xD8", b"{\"value\":"];
        let bytes = seed.as_bytes();
        let mut inputs: Vec<Vec<u8>> = garbage.iter().map(|g| g.to_vec()).collect();
        for cut in (1..bytes.len()).step_by(11) {
            let mut b = bytes[..cut].to_vec();
            b.extend_from_slice(&[0xC3, 0x28, b'"', b',']);
            inputs.push(b);
        }
        for input in inputs {
            let mut files: Vec<(&str, &[u8])> = vec![(name, &input)];
            if name != "users.json" {
                files.push(("users.json", USERS.as_bytes()));
            }
            match okta(&files) {
                Ok(_) => {}
                Err(errs) => {
                    assert!(
                        errs.iter().any(|e| e.file == format!("okta/{name}")),
                        "{name}: {errs:?}"
                    );
                }
            }
        }
        // A plainly truncated file is always an error naming it.
        let errs = okta(&[
            (name, &bytes[..bytes.len() / 2]),
            (
                "users.json",
                if name == "users.json" {
                    &bytes[..bytes.len() / 2]
                } else {
                    USERS.as_bytes()
                },
            ),
        ])
        .err()
        .unwrap_or_else(|| panic!("truncated {name} must fail"));
        assert!(
            errs[0].message.contains("malformed JSON"),
            "{name}: {}",
            errs[0]
        );
        assert_eq!(errs[0].file, format!("okta/{name}"));
    }
}
