//! `jumpcloud` loader specs: one test per quirk of export-formats.md §5, inline exports in the
//! API's shapes, and garbage or truncated files that must give located errors, never panics.

use driftgate::estate::SourceConfig;
use driftgate::load::{load_source, LoadError, SourceData};
use driftgate::model::{AssignmentKind, Identity, Kind, Status, TimeQuality};

fn jumpcloud(files: &[(&str, &[u8])]) -> Result<SourceData, Vec<LoadError>> {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("jc")).unwrap();
    for (name, bytes) in files {
        std::fs::write(d.path().join("jc").join(name), bytes).unwrap();
    }
    let source = SourceConfig {
        name: "jc".into(),
        kind: "jumpcloud".into(),
        path: "jc".into(),
        locale: None,
        date_format: None,
        columns: None,
    };
    load_source(&source, d.path(), d.path())
}

fn ok(files: &[(&str, &str)]) -> SourceData {
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    jumpcloud(&files).unwrap_or_else(|e| panic!("{e:?}"))
}

fn by_name<'a>(data: &'a SourceData, username: &str) -> &'a Identity {
    data.identities
        .iter()
        .find(|i| i.principal_name.as_deref() == Some(username))
        .unwrap_or_else(|| panic!("no identity {username}"))
}

/// A v1 `/api/systemusers` page.
const USERS: &str = r#"{ "totalCount": 6, "results": [
  { "_id": "5c9a1b2c3d4e5f6a7b8c9d0e", "id": "5c9a1b2c3d4e5f6a7b8c9d0e", "username": "jdoe", "email": "jdoe@contoso.com",
    "alternateEmail": "john@home.example", "firstname": "John", "lastname": "Doe", "displayname": "John Doe", "employeeIdentifier": "E1001",
    "employeeType": "Employee", "department": "Finance", "jobTitle": "Controller",
    "state": "ACTIVATED", "activated": true, "suspended": false, "account_locked": false,
    "created": "2021-03-14T09:12:44.000Z", "password_expired": false, "password_never_expires": false,
    "totp_enabled": true, "enable_user_portal_multifactor": true,
    "mfa": { "configured": true, "exclusion": false },
    "mfaEnrollment": { "overallStatus": "ENROLLED", "totpStatus": "ENROLLED", "webAuthnStatus": "NOT_ENROLLED", "pushStatus": "ENROLLED" },
    "sudo": true, "passwordless_sudo": true, "manager": "5c9a1b2c3d4e5f6a7b8c9d0f",
    "externally_managed": true, "external_source_type": "ActiveDirectory", "external_dn": "CN=John Doe,OU=Staff,DC=contoso,DC=com" },
  { "_id": "61f0e1d2c3b4a5968778695a", "username": "svc-ldap", "email": "svc-ldap@contoso.com",
    "state": "ACTIVATED", "activated": true, "suspended": false, "ldap_binding_user": true,
    "created": "2022-06-01T12:00:00.000Z", "password_never_expires": true,
    "mfa": { "configured": false, "exclusion": true, "exclusionUntil": "2099-01-01T00:00:00.000Z" },
    "mfaEnrollment": { "overallStatus": "NOT_ENROLLED" } },
  { "_id": "61f0e1d2c3b4a5968778695b", "username": "gone", "state": "SUSPENDED", "activated": true, "suspended": true,
    "created": "2020-01-01T00:00:00.000Z" },
  { "_id": "61f0e1d2c3b4a5968778695c", "username": "future", "state": "STAGED", "activated": false, "suspended": false,
    "created": "2026-11-01T00:00:00.000Z" },
  { "_id": "61f0e1d2c3b4a5968778695d", "username": "invited", "state": "ACTIVATED", "activated": false, "suspended": false,
    "created": "2026-10-01T00:00:00.000Z", "password_expired": true },
  { "_id": "61f0e1d2c3b4a5968778695e", "username": "locked", "state": "ACTIVATED", "activated": true, "suspended": false,
    "account_locked": true, "created": "2020-01-01T00:00:00.000Z", "totp_enabled": false, "mfa": { "configured": false } } ] }"#;

#[test]
fn registry_wires_the_jumpcloud_kind() {
    let data = ok(&[("systemusers.json", USERS)]);
    assert_eq!(data.facts.kind, "jumpcloud");
    assert_eq!(data.identities.len(), 6);
    assert!(data.identities.iter().all(|i| i.source_kind == "jumpcloud"));
    let p = &by_name(&data, "svc-ldap").prov;
    assert_eq!((p.file.as_str(), p.record), ("jc/systemusers.json", 2));
    assert_eq!(data.facts.top_role_name, None, "no countable top role");
}

#[test]
fn there_is_no_last_login_so_sign_in_activity_is_unknown_never_never() {
    let data = ok(&[("systemusers.json", USERS)]);
    assert!(!data.facts.capabilities.sign_in);
    for u in &data.identities {
        assert!(!u.activity.known);
        assert_eq!(u.activity.last_any.quality, TimeQuality::Unavailable);
        assert_eq!(
            u.activity.last_interactive.quality,
            TimeQuality::Unavailable
        );
    }
}

#[test]
fn state_suspended_activated_and_account_locked_map_to_status() {
    let data = ok(&[("systemusers.json", USERS)]);
    let cases = [
        ("jdoe", Status::Active, Some(true)),
        ("gone", Status::Suspended, Some(false)),
        ("future", Status::Staged, Some(false)),
        ("invited", Status::PendingInvite, Some(true)),
        ("locked", Status::Locked, Some(true)),
    ];
    for (name, status, enabled) in cases {
        let u = by_name(&data, name);
        assert_eq!((u.status, u.enabled), (status, enabled), "{name}");
    }
    assert_eq!(
        by_name(&data, "locked").status_raw.as_deref(),
        Some("state=ACTIVATED activated=true suspended=false account_locked=true")
    );
}

#[test]
fn a_record_without_any_state_field_is_unknown() {
    let data = ok(&[(
        "systemusers.json",
        r#"[{"_id":"a1","username":"bare"},{"_id":"a2","username":"old","suspended":false}]"#,
    )]);
    let bare = by_name(&data, "bare");
    assert_eq!((bare.status, bare.enabled), (Status::Unknown, None));
    assert_eq!(by_name(&data, "old").status, Status::Active);
    assert!(data
        .warnings
        .iter()
        .any(|w| w.contains("1 user(s) with no readable `state`")));
}

#[test]
fn mfa_enrollment_decides_registration_and_methods() {
    let data = ok(&[("systemusers.json", USERS)]);
    let jdoe = by_name(&data, "jdoe");
    assert_eq!(jdoe.mfa.registered, Some(true));
    assert_eq!(jdoe.mfa.methods, vec!["totp", "push"]);
    assert!(jdoe
        .mfa
        .source
        .as_deref()
        .unwrap()
        .contains("jc/systemusers.json (record 1) mfaEnrollment"));
    assert_eq!(by_name(&data, "svc-ldap").mfa.registered, Some(false));
    assert!(data.facts.capabilities.mfa);
}

#[test]
fn older_payloads_fall_back_to_mfa_configured_and_totp_enabled_else_unknown() {
    let data = ok(&[("systemusers.json", USERS)]);
    assert_eq!(by_name(&data, "locked").mfa.registered, Some(false));
    assert_eq!(
        by_name(&data, "gone").mfa.registered,
        None,
        "no MFA field at all: unknown, not false"
    );
    let only_totp = ok(&[(
        "systemusers.json",
        r#"[{"_id":"a1","username":"t","totp_enabled":true}]"#,
    )]);
    assert_eq!(only_totp.identities[0].mfa.registered, Some(true));
    assert_eq!(only_totp.identities[0].mfa.methods, vec!["totp"]);
    let nothing = ok(&[(
        "systemusers.json",
        r#"[{"_id":"a1","username":"n","state":"ACTIVATED"}]"#,
    )]);
    assert!(!nothing.facts.capabilities.mfa);
}

#[test]
fn mfa_exclusion_is_reported() {
    let data = ok(&[("systemusers.json", USERS)]);
    assert!(
        data.warnings
            .iter()
            .any(|w| w.contains("1 user(s) have `mfa.exclusion`")),
        "{:?}",
        data.warnings
    );
}

#[test]
fn sudo_and_ldap_binding_are_privileged_roles_and_role_data_is_incomplete() {
    let data = ok(&[("systemusers.json", USERS)]);
    let jdoe = by_name(&data, "jdoe");
    let r = &jdoe.roles[0];
    assert_eq!(r.role_id, "sudo");
    assert_eq!(
        r.role_name.as_deref(),
        Some("passwordless sudo on every bound system")
    );
    assert!(r.privileged && !r.top);
    assert_eq!(r.assignment, AssignmentKind::Permanent);
    let ldap = by_name(&data, "svc-ldap");
    assert_eq!(ldap.kind, Kind::ServiceAccount);
    assert_eq!(ldap.kind_evidence, vec!["ldap_binding_user=true"]);
    assert_eq!(ldap.roles[0].role_id, "ldap_binding_user");
    assert!(ldap.roles[0].privileged);
    assert!(by_name(&data, "gone").roles.is_empty());
    let caps = &data.facts.capabilities;
    assert!(
        !caps.roles && !caps.top_role_countable,
        "admins and per-system sudo are not in these files"
    );
    assert_eq!(caps.jit, Some(false));
}

#[test]
fn profile_employment_password_and_external_source() {
    let data = ok(&[("systemusers.json", USERS)]);
    let u = by_name(&data, "jdoe");
    assert_eq!(u.object_id, "5c9a1b2c3d4e5f6a7b8c9d0e");
    assert_eq!(u.emails, vec!["jdoe@contoso.com", "john@home.example"]);
    assert_eq!(u.display_name.as_deref(), Some("John Doe"));
    assert_eq!(u.employment.employee_id.as_deref(), Some("E1001"));
    assert_eq!(u.employment.title.as_deref(), Some("Controller"));
    assert_eq!(
        u.employment.manager.as_deref(),
        Some("5c9a1b2c3d4e5f6a7b8c9d0f")
    );
    assert_eq!(u.alt_ids["provider"], "ActiveDirectory");
    assert_eq!(u.alt_ids["dn"], "CN=John Doe,OU=Staff,DC=contoso,DC=com");
    assert_eq!(
        u.created.at.unwrap().to_rfc3339(),
        "2021-03-14T09:12:44+00:00"
    );
    assert_eq!(u.kind, Kind::Human);
    assert_eq!(
        by_name(&data, "svc-ldap").password.never_expires,
        Some(true)
    );
    assert_eq!(by_name(&data, "invited").password.must_change, Some(true));
}

#[test]
fn bare_array_array_of_pages_sdk_ids_and_powershell_dates() {
    let one =
        r#"{"id":"a1","username":"one","state":"ACTIVATED","created":"\/Date(1704207845000)\/"}"#;
    let two = r#"{"_id":"a2","username":"two","state":"ACTIVATED"}"#;
    for text in [
        format!("[{one},{two}]"),
        format!(
            "[{{\"totalCount\":2,\"results\":[{one}]}},{{\"totalCount\":2,\"results\":[{two}]}}]"
        ),
        format!(
            "{{\"totalCount\":2,\"results\":[{one}]}}\n{{\"totalCount\":2,\"results\":[{two}]}}"
        ),
    ] {
        let data = ok(&[("systemusers.json", &text)]);
        assert_eq!(data.identities.len(), 2, "{text}");
        assert_eq!(
            by_name(&data, "one").created.at.unwrap().to_rfc3339(),
            "2024-01-02T15:04:05+00:00"
        );
        assert!(data.warnings.iter().all(|w| !w.contains("totalCount")));
    }
}

#[test]
fn a_page_short_of_total_count_warns_that_paging_stopped_early() {
    let text = r#"{"totalCount": 250, "results": [{"_id":"a1","username":"one"}]}"#;
    let data = ok(&[("systemusers.json", text)]);
    assert!(
        data.warnings
            .iter()
            .any(|w| w.contains("holds 1 user(s) but its totalCount says 250")),
        "{:?}",
        data.warnings
    );
}

#[test]
fn utf16_bom_export_is_read() {
    let text = r#"[{"_id":"a1","username":"jos\u00e9","state":"ACTIVATED"}]"#;
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    let data = jumpcloud(&[("systemusers.json", &bytes)]).unwrap();
    assert_eq!(data.identities[0].principal_name.as_deref(), Some("josé"));
}

// ---------- user groups ----------

const GROUPS: &str = r#"[
 {"id":"5f0000000000000000000001","name":"Linux admins","type":"user_group",
  "attributes":{"sudo":{"enabled":true,"withoutPassword":false},"ldapGroups":[{"name":"linux-admins"}]},
  "members":[{"attributes":null,"to":{"attributes":null,"id":"61f0e1d2c3b4a5968778695e","type":"user"}},
             {"to":{"id":"5c9a1b2c3d4e5f6a7b8c9d0e","type":"user"}}]},
 {"id":"5f0000000000000000000002","name":"Everyone","type":"user_group",
  "membership":[{"id":"5c9a1b2c3d4e5f6a7b8c9d0e","type":"user"},{"id":"ffffffffffffffffffffffff","type":"user"}]},
 {"id":"5f0000000000000000000003","name":"Finance","users":["5c9a1b2c3d4e5f6a7b8c9d0e", {"_id":"61f0e1d2c3b4a5968778695a","username":"svc-ldap"}]},
 {"id":"5f0000000000000000000004","name":"No members exported","attributes":{"sudoEnabled":true}}]"#;

#[test]
fn group_members_from_graph_connections_membership_ids_and_user_objects() {
    let data = ok(&[("systemusers.json", USERS), ("usergroups.json", GROUPS)]);
    let names: Vec<_> = by_name(&data, "jdoe")
        .groups
        .iter()
        .map(|g| g.name.as_deref().unwrap())
        .collect();
    assert_eq!(names, vec!["Linux admins", "Everyone", "Finance"]);
    assert_eq!(
        by_name(&data, "svc-ldap").groups[0].name.as_deref(),
        Some("Finance")
    );
    assert!(data
        .warnings
        .iter()
        .any(|w| w.contains("1 group member(s) are not in systemusers.json")));
    assert!(data
        .warnings
        .iter()
        .any(|w| w.contains("1 group(s) without `members`")));
}

#[test]
fn group_sudo_is_a_privileged_role_held_through_the_group() {
    let data = ok(&[("systemusers.json", USERS), ("usergroups.json", GROUPS)]);
    let locked = by_name(&data, "locked");
    assert_eq!(locked.roles.len(), 1);
    let r = &locked.roles[0];
    assert_eq!(r.role_id, "sudo");
    assert_eq!(r.via_group.as_deref(), Some("5f0000000000000000000001"));
    assert_eq!(
        r.role_name.as_deref(),
        Some("sudo on the systems bound to group Linux admins")
    );
    assert!(r.privileged);
    assert_eq!(
        (r.prov.file.as_str(), r.prov.record),
        ("jc/usergroups.json", 1)
    );
}

#[test]
fn missing_usergroups_file_says_what_it_hides() {
    let data = ok(&[("systemusers.json", USERS)]);
    assert!(
        data.facts
            .files_missing
            .iter()
            .any(|f| f.starts_with("usergroups.json") && f.contains("memberships")),
        "{:?}",
        data.facts.files_missing
    );
}

// ---------- bad input ----------

/// (file, text, message part, record, field)
type Case<'a> = (&'a str, &'a str, &'a str, Option<u64>, Option<&'a str>);

#[test]
fn bad_records_are_located_errors() {
    let user = r#"[{"_id":"a1","username":"x"}]"#;
    let cases: &[Case] = &[
        (
            "systemusers.json",
            r#"[{"username":"x"}]"#,
            "missing required field",
            Some(1),
            Some("_id"),
        ),
        (
            "systemusers.json",
            r#"[{"_id":"a1"},{"_id":"a2","suspended":"maybe"}]"#,
            "expected a boolean",
            Some(2),
            Some("suspended"),
        ),
        (
            "systemusers.json",
            r#"[{"_id":"a1","created":"someday"}]"#,
            "not a date",
            Some(1),
            Some("created"),
        ),
        (
            "systemusers.json",
            r#"[{"_id":"a1","mfaEnrollment":{"overallStatus":3}}]"#,
            "expected a string",
            Some(1),
            Some("mfaEnrollment.overallStatus"),
        ),
        (
            "systemusers.json",
            r#"[{"_id":"a1","mfa":"@{configured=True; exclusion=False}"}]"#,
            "-Depth",
            Some(1),
            Some("mfa"),
        ),
        (
            "systemusers.json",
            r#"[{"_id":"a1","username":7}]"#,
            "expected a string",
            Some(1),
            Some("username"),
        ),
        (
            "systemusers.json",
            r#"[{"_id":"a1"},{"_id":"a1"}]"#,
            "duplicate id",
            Some(2),
            Some("id"),
        ),
        (
            "systemusers.json",
            r#"{"totalCount":1}"#,
            "page object",
            None,
            None,
        ),
        ("systemusers.json", "", "file is empty", None, None),
        (
            "usergroups.json",
            r#"[{"name":"g"}]"#,
            "missing required field",
            Some(1),
            Some("_id"),
        ),
        (
            "usergroups.json",
            r#"[{"id":"g1","members":{"to":"x"}}]"#,
            "expected an array",
            Some(1),
            Some("members"),
        ),
        (
            "usergroups.json",
            r#"[{"id":"g1","members":[3]}]"#,
            "a member is a number",
            Some(1),
            Some("members"),
        ),
        (
            "usergroups.json",
            r#"[{"id":"g1","attributes":{"sudo":{"enabled":"sometimes"}}}]"#,
            "expected a boolean",
            Some(1),
            Some("attributes.sudo.enabled"),
        ),
    ];
    for (file, text, want, record, field) in cases {
        let mut files: Vec<(&str, &[u8])> = vec![("systemusers.json", user.as_bytes())];
        if *file == "systemusers.json" {
            files[0].1 = text.as_bytes();
        } else {
            files.push((file, text.as_bytes()));
        }
        let errs = jumpcloud(&files)
            .err()
            .unwrap_or_else(|| panic!("{text} must fail"));
        let e = &errs[0];
        assert!(e.message.contains(want), "{file} {text}: {e}");
        assert_eq!(e.file, format!("jc/{file}"), "{e}");
        assert_eq!(
            (e.record, e.field.as_deref()),
            (*record, *field),
            "{file} {text}: {e}"
        );
    }
}

#[test]
fn missing_systemusers_json_is_an_error_naming_it() {
    let errs = jumpcloud(&[]).err().unwrap();
    assert!(
        errs[0].message.contains("required file `systemusers.json`"),
        "{}",
        errs[0]
    );
}

#[test]
fn garbage_and_truncated_files_give_located_errors_never_panics() {
    for (name, seed) in [("systemusers.json", USERS), ("usergroups.json", GROUPS)] {
        let garbage: &[&[u8]] = &[
            b"\x00\x01garbage",
            b"",
            b"\xFF\xFE\x00\xD8",
            b"{\"results\":",
        ];
        let bytes = seed.as_bytes();
        let mut inputs: Vec<Vec<u8>> = garbage.iter().map(|g| g.to_vec()).collect();
        for cut in (1..bytes.len()).step_by(7) {
            let mut b = bytes[..cut].to_vec();
            b.extend_from_slice(&[0xC3, 0x28, b'"', b',']);
            inputs.push(b);
        }
        for input in inputs {
            let mut files: Vec<(&str, &[u8])> = vec![(name, &input)];
            if name != "systemusers.json" {
                files.push(("systemusers.json", USERS.as_bytes()));
            }
            if let Err(errs) = jumpcloud(&files) {
                assert!(
                    errs.iter().any(|e| e.file == format!("jc/{name}")),
                    "{name}: {errs:?}"
                );
            }
        }
        let half = &bytes[..bytes.len() / 2];
        let mut files: Vec<(&str, &[u8])> = vec![(name, half)];
        if name != "systemusers.json" {
            files.push(("systemusers.json", USERS.as_bytes()));
        }
        let errs = jumpcloud(&files)
            .err()
            .unwrap_or_else(|| panic!("truncated {name} must fail"));
        assert!(
            errs[0].message.contains("malformed JSON"),
            "{name}: {}",
            errs[0]
        );
        assert_eq!(errs[0].file, format!("jc/{name}"));
    }
}

fn enforcement(data: &SourceData) -> driftgate::model::MfaEnforcement {
    let facts = std::slice::from_ref(&data.facts);
    driftgate::enforcement::mfa_enforcement(facts, &data.identities, None).remove(0)
}

#[test]
fn user_portal_mfa_is_mfa_enforced_and_an_exclusion_overrides_it() {
    let data = ok(&[("systemusers.json", USERS)]);
    assert_eq!(by_name(&data, "jdoe").mfa.enforced, Some(true));
    assert_eq!(
        by_name(&data, "svc-ldap").mfa.enforced,
        Some(false),
        "mfa.exclusion: MFA deliberately bypassed"
    );
    assert_eq!(
        by_name(&data, "locked").mfa.enforced,
        None,
        "not in the record: unknown"
    );
    // Active humans: jdoe, invited (pending), locked; two of them unknown.
    let e = enforcement(&data);
    assert_eq!(e.enforced, None);
    assert_eq!((e.users, e.unknown_users), (3, 2));
    assert_eq!(
        e.reason.as_deref(),
        Some("enable_user_portal_multifactor is unknown for 2 of 3 active users")
    );

    let users = r#"[
  { "_id": "5c9a1b2c3d4e5f6a7b8c9d01", "username": "amy", "state": "ACTIVATED", "enable_user_portal_multifactor": true },
  { "_id": "5c9a1b2c3d4e5f6a7b8c9d02", "username": "ben", "state": "ACTIVATED", "enable_user_portal_multifactor": true,
    "mfa": { "configured": true, "exclusion": true, "exclusionUntil": "2027-01-01T00:00:00.000Z" } },
  { "_id": "5c9a1b2c3d4e5f6a7b8c9d03", "username": "cal", "state": "ACTIVATED", "enable_user_portal_multifactor": false },
  { "_id": "5c9a1b2c3d4e5f6a7b8c9d04", "username": "dee", "state": "SUSPENDED", "enable_user_portal_multifactor": false } ]"#;
    let e = enforcement(&ok(&[("systemusers.json", users)]));
    assert_eq!(e.enforced, Some(false));
    assert_eq!((e.users, e.not_enforced_users), (3, 2));
    assert_eq!(e.not_enforced_sample, ["ben", "cal"]);

    let all = r#"[{ "_id": "5c9a1b2c3d4e5f6a7b8c9d01", "username": "amy", "state": "ACTIVATED", "enable_user_portal_multifactor": "True" }]"#;
    let e = enforcement(&ok(&[("systemusers.json", all)]));
    assert_eq!(e.enforced, Some(true));
    assert_eq!(e.mechanism, Some(driftgate::model::MfaMechanism::PerUser));

    let bad = r#"[{ "_id": "5c9a1b2c3d4e5f6a7b8c9d01", "username": "amy", "enable_user_portal_multifactor": "often" }]"#;
    let errors = jumpcloud(&[("systemusers.json", bad.as_bytes())])
        .err()
        .unwrap();
    assert_eq!(
        errors[0].field.as_deref(),
        Some("enable_user_portal_multifactor")
    );
}
