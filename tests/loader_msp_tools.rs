//! Loader specs for the MSP tools (export-formats.md §8): ConnectWise PSA members, Datto RMM
//! users, NinjaOne users and IT Glue users, one test per documented quirk, from inline exports
//! written in the real shapes; plus garbage and truncated files, which must give located errors,
//! never panics.

use driftgate::estate::SourceConfig;
use driftgate::load::{load_source, LoadError, SourceData};
use driftgate::model::{Identity, Kind, Status, TimeQuality};

fn source(kind: &str, locale: Option<&str>) -> SourceConfig {
    SourceConfig {
        name: "src".into(),
        kind: kind.into(),
        path: "export.json".into(),
        locale: locale.map(str::to_string),
        date_format: None,
        columns: None,
    }
}

fn load_bytes(
    kind: &str,
    bytes: &[u8],
    locale: Option<&str>,
) -> Result<SourceData, Vec<LoadError>> {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("export.json"), bytes).unwrap();
    load_source(&source(kind, locale), d.path(), d.path())
}

fn load(kind: &str, text: &str) -> SourceData {
    load_bytes(kind, text.as_bytes(), None).unwrap_or_else(|e| panic!("{kind} must load: {e:?}"))
}

fn fail(kind: &str, text: &str) -> LoadError {
    let errors = load_bytes(kind, text.as_bytes(), None)
        .err()
        .unwrap_or_else(|| panic!("{kind} must fail on {text}"));
    let e = errors[0].clone();
    assert_eq!(e.file, "export.json", "{e}");
    e
}

fn by_name<'a>(data: &'a SourceData, name: &str) -> &'a Identity {
    data.identities
        .iter()
        .find(|i| {
            i.principal_name.as_deref() == Some(name) || i.display_name.as_deref() == Some(name)
        })
        .unwrap_or_else(|| panic!("no identity {name}"))
}

fn at(t: &driftgate::model::Ts) -> String {
    t.at.map(|t| t.to_rfc3339())
        .unwrap_or_else(|| format!("{:?}", t.quality))
}

fn top_roles(id: &Identity) -> Vec<(&str, bool, bool)> {
    id.roles
        .iter()
        .map(|r| (r.role_id.as_str(), r.privileged, r.top))
        .collect()
}

// ---------- ConnectWise PSA ----------

const CW_MEMBERS: &str = r#"[
 {"id": 145, "identifier": "jdoe", "firstName": "John", "lastName": "Doe", "officeEmail": "jdoe@msp.example",
  "primaryEmail": "john.doe@msp.example", "defaultEmail": "Office",
  "inactiveFlag": false, "adminFlag": false, "securityRole": {"id": 12, "name": "Technician"},
  "licenseClass": "F", "hireDate": "2021-03-14T00:00:00Z", "lastLogin": "2024-01-02T15:04:05Z",
  "employeeIdentifer": "E-77", "title": "Engineer", "_info": {"lastUpdated": "2024-01-02T15:04:06Z"}},
 {"id": 146, "identifier": "asmith", "firstName": "Ann", "lastName": "Smith", "officeEmail": "asmith@msp.example",
  "inactiveFlag": false, "adminFlag": true, "securityRole": {"id": 1, "name": "Admin"},
  "licenseClass": "F", "lastLogin": null}
]"#;

#[test]
fn connectwise_members_are_technicians_with_login_emails_and_license_class() {
    let data = load("connectwise", CW_MEMBERS);
    let jdoe = by_name(&data, "jdoe");
    assert_eq!(jdoe.kind, Kind::Technician);
    assert_eq!(jdoe.object_id, "145");
    assert_eq!(jdoe.display_name.as_deref(), Some("John Doe"));
    assert_eq!(
        jdoe.emails,
        vec!["jdoe@msp.example", "john.doe@msp.example"],
        "defaultEmail=Office names which address is the default, it is not one"
    );
    assert_eq!(jdoe.alt_ids["license_class"], "F");
    assert_eq!(
        jdoe.employment.employee_id.as_deref(),
        Some("E-77"),
        "the API's `employeeIdentifer` spelling"
    );
    assert_eq!(at(&jdoe.employment.hire_date), "2021-03-14T00:00:00+00:00");
    assert_eq!(at(&jdoe.activity.last_any), "2024-01-02T15:04:05+00:00");
    assert_eq!((jdoe.enabled, jdoe.status), (Some(true), Status::Active));
    assert_eq!(
        jdoe.created.quality,
        TimeQuality::Unavailable,
        "members carry no creation date"
    );
    assert_eq!(jdoe.prov.record, 1);
    assert_eq!(by_name(&data, "asmith").prov.record, 2);
    assert_eq!(data.facts.capabilities.jit, Some(false));
}

#[test]
fn connectwise_several_pages_concatenated_or_in_an_outer_array() {
    let one = r#"{"id": 1, "identifier": "a", "firstName": "A", "lastName": "A"}"#;
    let two = r#"{"id": 2, "identifier": "b", "firstName": "B", "lastName": "B"}"#;
    for text in [
        format!("[{one}]\n[{two}]"),
        format!("[[{one}],[{two}]]"),
        format!("{{\"value\":[{one},{two}],\"Count\":2}}"),
    ] {
        assert_eq!(load("connectwise", &text).identities.len(), 2, "{text}");
    }
    // PowerShell writes a one-element array as a bare object.
    assert_eq!(load("connectwise", one).identities.len(), 1);
}

#[test]
fn connectwise_inactive_flag_and_inactive_date_disable() {
    let data = load(
        "connectwise",
        r#"[{"id": 1, "identifier": "gone", "firstName": "G", "lastName": "One", "inactiveFlag": true, "inactiveDate": "2026-06-30T00:00:00Z"},
            {"id": 2, "identifier": "dated", "firstName": "D", "lastName": "Ated", "inactiveDate": "2026-07-01T00:00:00Z"},
            {"id": 3, "identifier": "unsaid", "firstName": "U", "lastName": "Nsaid"}]"#,
    );
    let gone = by_name(&data, "gone");
    assert_eq!((gone.enabled, gone.status), (Some(false), Status::Disabled));
    assert_eq!(at(&gone.employment.leave_date), "2026-06-30T00:00:00+00:00");
    assert_eq!(
        by_name(&data, "dated").enabled,
        Some(false),
        "an inactiveDate alone means inactive"
    );
    let unsaid = by_name(&data, "unsaid");
    assert_eq!(
        (unsaid.enabled, unsaid.status),
        (None, Status::Unknown),
        "no flag: unknown, not enabled"
    );
}

#[test]
fn connectwise_admin_flag_and_admin_security_role_are_the_top_role() {
    let data = load(
        "connectwise",
        r#"[{"id": 1, "identifier": "flag", "firstName": "F", "lastName": "F", "adminFlag": true, "securityRole": {"id": 12, "name": "Technician"}},
            {"id": 2, "identifier": "role", "firstName": "R", "lastName": "R", "adminFlag": false, "securityRole": {"id": 1, "name": "Admin"}},
            {"id": 3, "identifier": "svcadm", "firstName": "S", "lastName": "S", "securityRole": {"id": 30, "name": "Service Admin"}},
            {"id": 4, "identifier": "tech", "firstName": "T", "lastName": "T", "adminFlag": false, "securityRole": {"id": 12, "name": "Technician"}}]"#,
    );
    assert_eq!(
        top_roles(by_name(&data, "flag")),
        vec![("adminFlag", true, true), ("12", false, false)]
    );
    assert_eq!(top_roles(by_name(&data, "role")), vec![("1", true, true)]);
    assert_eq!(
        top_roles(by_name(&data, "svcadm")),
        vec![("30", true, false)],
        "an admin-named custom role is privileged, not top"
    );
    assert_eq!(
        top_roles(by_name(&data, "tech")),
        vec![("12", false, false)]
    );
    assert_eq!(
        by_name(&data, "tech").roles[0].role_name.as_deref(),
        Some("Technician")
    );
    let caps = &data.facts.capabilities;
    assert!(caps.roles && caps.top_role_countable);
    assert_eq!(data.facts.top_role_name.as_deref(), Some("Admin"));
}

#[test]
fn connectwise_last_login_iso_culture_null_missing_and_unreadable() {
    let text = r#"[{"id": 1, "identifier": "iso", "firstName": "I", "lastName": "S", "lastLogin": "2024-01-02T15:04:05.123Z"},
                   {"id": 2, "identifier": "culture", "firstName": "C", "lastName": "U", "lastLogin": "1/2/2024 3:04:05 PM"},
                   {"id": 3, "identifier": "null", "firstName": "N", "lastName": "U", "lastLogin": null},
                   {"id": 4, "identifier": "missing", "firstName": "M", "lastName": "I"},
                   {"id": 5, "identifier": "junk", "firstName": "J", "lastName": "U", "lastLogin": "sometime"}]"#;
    let data = load_bytes("connectwise", text.as_bytes(), Some("en-US")).unwrap();
    assert_eq!(
        at(&by_name(&data, "iso").activity.last_any),
        "2024-01-02T15:04:05.123+00:00"
    );
    let culture = by_name(&data, "culture");
    assert_eq!(at(&culture.activity.last_any), "2024-01-02T15:04:05+00:00");
    assert_eq!(culture.activity.last_any.quality, TimeQuality::Local);
    assert_eq!(
        by_name(&data, "null").activity.last_any.quality,
        TimeQuality::Never
    );
    for name in ["missing", "junk"] {
        let a = &by_name(&data, name).activity;
        assert_eq!(
            (a.known, a.last_any.quality),
            (false, TimeQuality::Unavailable),
            "{name}: unknown, never never"
        );
    }
    assert!(
        data.warnings
            .iter()
            .any(|w| w.contains("export.json record 5") && w.contains("`sometime`")),
        "an unreadable lastLogin is reported with its location: {:?}",
        data.warnings
    );
    assert!(data.facts.capabilities.sign_in);
    let no_key = load(
        "connectwise",
        r#"[{"id": 1, "identifier": "a", "firstName": "A", "lastName": "A"}]"#,
    );
    assert!(
        !no_key.facts.capabilities.sign_in,
        "no lastLogin anywhere: the export lacks sign-in data"
    );
}

#[test]
fn connectwise_api_members_are_service_accounts() {
    // An /system/apiMembers export: identifier, name, emailAddress, securityRole; no names.
    let api = load(
        "connectwise",
        r#"[{"id": 7, "identifier": "rmm-sync", "name": "RMM sync", "emailAddress": "ops@msp.example", "inactiveFlag": false, "securityRole": {"id": 1, "name": "Admin"}},
            {"id": 8, "identifier": "backup", "inactiveFlag": false, "securityRole": {"id": 40, "name": "API"}}]"#,
    );
    for (name, id) in [("rmm-sync", "api-member/7"), ("backup", "api-member/8")] {
        let m = by_name(&api, name);
        assert_eq!(
            (m.kind, m.object_id.as_str()),
            (Kind::ServiceAccount, id),
            "{name}"
        );
        assert!(!m.activity.known);
    }
    assert_eq!(by_name(&api, "rmm-sync").emails, vec!["ops@msp.example"]);
    assert!(
        by_name(&api, "rmm-sync").roles[0].top,
        "an API member can hold the top role"
    );
    // Members and API members in one file: licenseClass A, and the apiMembers shape; ids may collide.
    let mixed = load(
        "connectwise",
        r#"[{"id": 7, "identifier": "jdoe", "firstName": "J", "lastName": "D", "licenseClass": "F"},
            {"id": 9, "identifier": "psa-api", "firstName": "API", "lastName": "User", "licenseClass": "A"},
            {"id": 7, "identifier": "rmm-sync", "name": "RMM sync", "securityRole": {"id": 40, "name": "API"}}]"#,
    );
    assert_eq!(by_name(&mixed, "jdoe").kind, Kind::Technician);
    assert_eq!(by_name(&mixed, "psa-api").kind, Kind::ServiceAccount);
    assert_eq!(by_name(&mixed, "rmm-sync").object_id, "api-member/7");
}

#[test]
fn connectwise_service_named_member_and_totp_mfa() {
    let data = load(
        "connectwise",
        r#"[{"id": 1, "identifier": "svc-backup", "firstName": "Backup", "lastName": "Job"},
            {"id": 2, "identifier": "jdoe", "firstName": "J", "lastName": "D", "timebasedOneTimePasswordActivated": true},
            {"id": 3, "identifier": "asmith", "firstName": "A", "lastName": "S", "timebasedOneTimePasswordActivated": false}]"#,
    );
    assert_eq!(by_name(&data, "svc-backup").kind, Kind::ServiceAccount);
    assert_eq!(by_name(&data, "jdoe").mfa.registered, Some(true));
    assert_eq!(
        by_name(&data, "asmith").mfa.registered,
        None,
        "no TOTP is not no MFA: SSO may do it"
    );
    assert!(!data.facts.capabilities.mfa);
}

// ---------- Datto RMM ----------

const DATTO_PAGE: &str = r#"{ "pageDetails": { "count": 2, "nextPageUrl": null, "prevPageUrl": null },
  "users": [ { "username": "jdoe", "email": "jdoe@msp.example", "firstName": "John", "lastName": "Doe",
               "telephone": "", "status": "ACTIVE", "disabled": false,
               "created": 1615713164000, "lastAccess": 1704207845000 },
             { "username": "asmith", "email": "asmith@msp.example", "firstName": "Ann", "lastName": "Smith",
               "status": "ACTIVE", "disabled": true, "created": 1615713164, "lastAccess": 0 } ] }"#;

#[test]
fn datto_page_users_are_technicians_without_mfa_or_roles() {
    let data = load("datto-rmm", DATTO_PAGE);
    let jdoe = by_name(&data, "jdoe");
    assert_eq!(
        (jdoe.kind, jdoe.object_id.as_str()),
        (Kind::Technician, "jdoe")
    );
    assert_eq!(jdoe.emails, vec!["jdoe@msp.example"]);
    assert_eq!(jdoe.display_name.as_deref(), Some("John Doe"));
    assert_eq!((jdoe.enabled, jdoe.status), (Some(true), Status::Active));
    assert_eq!(at(&jdoe.activity.last_any), "2024-01-02T15:04:05+00:00");
    assert_eq!(
        (jdoe.mfa.registered, jdoe.roles.len(), jdoe.privileged),
        (None, 0, None)
    );
    let caps = &data.facts.capabilities;
    assert!(caps.sign_in && !caps.mfa && !caps.roles && !caps.top_role_countable);
    let asmith = by_name(&data, "asmith");
    assert_eq!(
        (asmith.enabled, asmith.status),
        (Some(false), Status::Disabled),
        "`disabled` wins over status ACTIVE"
    );
}

#[test]
fn datto_epoch_seconds_and_milliseconds_by_magnitude() {
    let data = load("datto-rmm", DATTO_PAGE);
    let (jdoe, asmith) = (by_name(&data, "jdoe"), by_name(&data, "asmith"));
    assert_eq!(
        at(&jdoe.created),
        "2021-03-14T09:12:44+00:00",
        "milliseconds"
    );
    assert_eq!(at(&asmith.created), "2021-03-14T09:12:44+00:00", "seconds");
    assert_eq!(
        asmith.activity.last_any.quality,
        TimeQuality::Never,
        "lastAccess 0 = never"
    );
    let data = load(
        "datto-rmm",
        r#"{"users":[{"username":"a","created":0,"lastAccess":null},
                     {"username":"b","created":null,"lastAccess":"1704207845"},
                     {"username":"c","created":1.615713164e12}]}"#,
    );
    let a = by_name(&data, "a");
    assert_eq!(
        a.created.quality,
        TimeQuality::Unavailable,
        "created 0 is unknown, not never"
    );
    assert_eq!(a.activity.last_any.quality, TimeQuality::Never);
    assert_eq!(
        by_name(&data, "b").created.quality,
        TimeQuality::Unavailable
    );
    assert_eq!(
        at(&by_name(&data, "b").activity.last_any),
        "2024-01-02T15:04:05+00:00",
        "numeric string"
    );
    assert_eq!(
        at(&by_name(&data, "c").created),
        "2021-03-14T09:12:44+00:00",
        "float-written integer"
    );
    let c = by_name(&data, "c");
    assert_eq!(
        (c.activity.known, c.activity.last_any.quality),
        (false, TimeQuality::Unavailable),
        "key missing: unknown"
    );
    let e = fail(
        "datto-rmm",
        r#"{"users":[{"username":"a","lastAccess":-5}]}"#,
    );
    assert_eq!(
        (e.record, e.field.as_deref()),
        (Some(1), Some("lastAccess"))
    );
    let e = fail(
        "datto-rmm",
        r#"{"users":[{"username":"a"},{"username":"b","created":"soon"}]}"#,
    );
    assert_eq!((e.record, e.field.as_deref()), (Some(2), Some("created")));
}

#[test]
fn datto_several_pages_and_bare_arrays() {
    let p1 = r#"{"pageDetails":{"count":1,"nextPageUrl":"https://x/api/v2/account/users?page=1","prevPageUrl":null},"users":[{"username":"a"}]}"#;
    let p2 = r#"{"pageDetails":{"count":1,"nextPageUrl":null,"prevPageUrl":"https://x"},"users":[{"username":"b"}]}"#;
    for text in [
        format!("[{p1},{p2}]"),
        format!("{p2}\n{p1}"),
        r#"[{"username":"a"},{"username":"b"}]"#.to_string(),
    ] {
        let data = load("datto-rmm", &text);
        assert_eq!(data.identities.len(), 2, "{text}");
    }
}

#[test]
fn datto_export_that_stopped_before_the_last_page_is_an_error() {
    let p1 = r#"{"pageDetails":{"count":1,"nextPageUrl":"https://x/api/v2/account/users?page=1"},"users":[{"username":"a"}]}"#;
    let e = fail("datto-rmm", p1);
    assert_eq!(e.field.as_deref(), Some("pageDetails.nextPageUrl"));
    assert!(e.message.contains("last page is missing"), "{e}");
}

#[test]
fn datto_status_enum_is_unverified_so_odd_values_are_unknown_and_reported() {
    let data = load(
        "datto-rmm",
        r#"{"users":[{"username":"a","status":"WHATEVER","disabled":false},
                     {"username":"b","status":"PENDING"},
                     {"username":"c","status":"WHATEVER"}]}"#,
    );
    assert_eq!(by_name(&data, "a").status, Status::Unknown);
    assert_eq!(
        by_name(&data, "a").enabled,
        Some(true),
        "`disabled` still decides"
    );
    assert_eq!(by_name(&data, "a").status_raw.as_deref(), Some("WHATEVER"));
    assert_eq!(by_name(&data, "b").status, Status::PendingInvite);
    assert_eq!(by_name(&data, "c").enabled, None);
    assert_eq!(
        data.warnings
            .iter()
            .filter(|w| w.contains("`WHATEVER`"))
            .count(),
        1,
        "{:?}",
        data.warnings
    );
    assert!(!data.facts.capabilities.sign_in, "no lastAccess anywhere");
}

// ---------- NinjaOne ----------

const NINJA_USERS: &str = r#"[
 { "id": 12, "uid": "8f14e45f-ceea-467f-a0e6-4e2b9b1f0c11", "firstName": "John", "lastName": "Doe",
   "email": "jdoe@msp.example", "enabled": true, "administrator": true, "permitAllClients": true,
   "mustChangePw": false, "mfaConfigured": true, "userType": "TECHNICIAN", "invitationStatus": "REGISTERED",
   "roles": ["System Administrator"] },
 { "id": 13, "uid": "c9f0f895-fb98-4b91-9d0c-5b3e8a1c2d33", "firstName": "Ann", "lastName": "Smith",
   "email": "asmith@msp.example", "enabled": true, "administrator": false, "permitAllClients": false,
   "mustChangePw": true, "mfaConfigured": false, "userType": "TECHNICIAN", "invitationStatus": "REGISTERED",
   "roles": ["Helpdesk"] },
 { "id": 40, "uid": "45c48cce-2e2d-4fbd-8a1b-9e0f7a6b5c44", "firstName": "Eve", "lastName": "User",
   "email": "eve@contoso.example", "enabled": true, "administrator": false, "userType": "END_USER",
   "organizationId": 7, "invitationStatus": "REGISTERED", "mfaConfigured": false, "roles": [] }
]"#;

#[test]
fn ninjaone_technicians_administrator_roles_and_client_scope() {
    let data = load("ninjaone", NINJA_USERS);
    let jdoe = by_name(&data, "jdoe@msp.example");
    assert_eq!(
        (jdoe.kind, jdoe.object_id.as_str()),
        (Kind::Technician, "12")
    );
    assert_eq!(jdoe.alt_ids["uid"], "8f14e45f-ceea-467f-a0e6-4e2b9b1f0c11");
    assert_eq!(
        top_roles(jdoe),
        vec![
            ("administrator", true, true),
            ("System Administrator", true, false)
        ]
    );
    assert_eq!(
        jdoe.clients.all,
        Some(true),
        "permitAllClients reaches every client"
    );
    assert_eq!(jdoe.mfa.registered, Some(true));
    let asmith = by_name(&data, "asmith@msp.example");
    assert_eq!(top_roles(asmith), vec![("Helpdesk", false, false)]);
    assert_eq!(asmith.clients.all, Some(false));
    assert_eq!(
        asmith.mfa.registered,
        Some(false),
        "mfaConfigured false is a real no"
    );
    assert_eq!(asmith.password.must_change, Some(true));
    let caps = &data.facts.capabilities;
    assert!(caps.mfa && caps.roles && caps.top_role_countable && !caps.sign_in);
    assert_eq!(data.facts.top_role_name.as_deref(), Some("Administrator"));
}

#[test]
fn ninjaone_end_users_are_client_humans_in_their_organisation() {
    let data = load("ninjaone", NINJA_USERS);
    let eve = by_name(&data, "eve@contoso.example");
    assert_eq!(eve.kind, Kind::Human);
    assert_eq!(
        (eve.clients.ids.clone(), eve.clients.all),
        (vec!["7".to_string()], Some(false))
    );
}

#[test]
fn ninjaone_has_no_last_login_and_no_created_date() {
    let data = load("ninjaone", NINJA_USERS);
    for id in &data.identities {
        assert_eq!(id.created.quality, TimeQuality::Unavailable);
        assert_eq!(
            (id.activity.known, id.activity.last_any.quality),
            (false, TimeQuality::Unavailable)
        );
    }
}

#[test]
fn ninjaone_pending_and_expired_invitations_are_never_activated() {
    let data = load(
        "ninjaone",
        r#"[{"id":1,"email":"p@msp.example","enabled":true,"userType":"TECHNICIAN","invitationStatus":"PENDING","administrator":false},
            {"id":2,"email":"x@msp.example","enabled":true,"userType":"TECHNICIAN","invitationStatus":"EXPIRED","administrator":true},
            {"id":3,"email":"d@msp.example","enabled":false,"userType":"TECHNICIAN","invitationStatus":"PENDING","administrator":false}]"#,
    );
    let p = by_name(&data, "p@msp.example");
    assert_eq!(p.status, Status::PendingInvite);
    assert_eq!(p.status_raw.as_deref(), Some("invitationStatus=PENDING"));
    assert_eq!(
        (p.activity.known, p.activity.last_any.quality),
        (true, TimeQuality::Never)
    );
    let x = by_name(&data, "x@msp.example");
    assert_eq!(
        (x.status, x.activity.last_any.quality),
        (Status::Expired, TimeQuality::Never)
    );
    assert!(x.roles[0].top, "a dormant administrator is still one");
    assert_eq!(
        by_name(&data, "d@msp.example").status,
        Status::Disabled,
        "disabled wins"
    );
}

#[test]
fn ninjaone_without_include_roles_warns_and_keeps_administrator() {
    let data = load(
        "ninjaone",
        r#"[{"id":1,"email":"a@msp.example","enabled":true,"userType":"TECHNICIAN","administrator":true}]"#,
    );
    assert_eq!(
        top_roles(&data.identities[0]),
        vec![("administrator", true, true)]
    );
    assert!(
        data.warnings
            .iter()
            .any(|w| w.contains("includeRoles=true")),
        "{:?}",
        data.warnings
    );
    assert_eq!(data.identities[0].mfa.registered, None);
    assert!(!data.facts.capabilities.mfa);
}

// ---------- IT Glue ----------

const ITGLUE_PAGE: &str = r#"{ "data": [
  { "id": "1", "type": "users", "attributes": {
    "first-name": "John", "last-name": "Doe", "name": "John Doe", "role-name": "Administrator",
    "email": "jdoe@msp.example", "invitation-sent-at": "2019-06-11T23:57:04.000Z",
    "invitation-accepted-at": "2019-06-12T08:00:00.000Z", "current-sign-in-at": "2024-01-02T15:04:05.000Z",
    "current-sign-in-ip": "203.0.113.10", "last-sign-in-at": "2023-12-28T09:00:00.000Z",
    "last-sign-in-ip": "203.0.113.10", "reputation": 1, "created-at": "2019-06-11T23:57:04.000Z",
    "updated-at": "2024-01-02T15:04:05.000Z", "my-glue-account-id": null, "my-glue": false } },
  { "id": "2", "type": "users", "attributes": {
    "name": "Ann Smith", "role-name": "Manager", "email": "asmith@msp.example",
    "invitation-sent-at": "2020-01-01T00:00:00.000Z", "invitation-accepted-at": "2020-01-02T00:00:00.000Z",
    "current-sign-in-at": "2023-05-01T00:00:00.000Z", "last-sign-in-at": "2024-02-01T00:00:00.000Z",
    "created-at": "2020-01-01T00:00:00.000Z", "my-glue": false } },
  { "id": "3", "type": "users", "attributes": {
    "name": "New Hire", "role-name": "Editor", "email": "new@msp.example",
    "invitation-sent-at": "2026-10-01T00:00:00.000Z", "invitation-accepted-at": null,
    "current-sign-in-at": null, "last-sign-in-at": null, "created-at": "2026-10-01T00:00:00.000Z", "my-glue": false } },
  { "id": "4", "type": "users", "attributes": {
    "name": "Client Portal", "role-name": "Read-only", "email": "eve@contoso.example",
    "invitation-accepted-at": "2022-01-01T00:00:00.000Z", "current-sign-in-at": null, "last-sign-in-at": null,
    "created-at": "2022-01-01T00:00:00.000Z", "my-glue-account-id": 991, "my-glue": true } } ],
  "meta": { "current-page": 1, "next-page": null, "prev-page": null, "total-pages": 1, "total-count": 4 }, "links": {} }"#;

#[test]
fn itglue_json_api_kebab_case_users() {
    let data = load("itglue", ITGLUE_PAGE);
    let jdoe = by_name(&data, "jdoe@msp.example");
    assert_eq!(
        (jdoe.kind, jdoe.object_id.as_str()),
        (Kind::Technician, "1")
    );
    assert_eq!(jdoe.display_name.as_deref(), Some("John Doe"));
    assert_eq!(at(&jdoe.created), "2019-06-11T23:57:04+00:00");
    assert_eq!(
        (jdoe.enabled, jdoe.mfa.registered),
        (None, None),
        "no enabled flag, no MFA flag"
    );
    assert_eq!(jdoe.status, Status::Unknown);
    let caps = &data.facts.capabilities;
    assert!(caps.sign_in && caps.roles && !caps.mfa && caps.top_role_countable);
}

#[test]
fn itglue_sign_in_is_the_later_of_current_and_last() {
    let data = load("itglue", ITGLUE_PAGE);
    assert_eq!(
        at(&by_name(&data, "jdoe@msp.example").activity.last_any),
        "2024-01-02T15:04:05+00:00"
    );
    assert_eq!(
        at(&by_name(&data, "asmith@msp.example").activity.last_any),
        "2024-02-01T00:00:00+00:00",
        "max(), whichever field holds it"
    );
    let portal = by_name(&data, "eve@contoso.example");
    assert_eq!(
        portal.activity.last_any.quality,
        TimeQuality::Never,
        "both null: never signed in"
    );
}

#[test]
fn itglue_unaccepted_invitation_is_pending_and_never_signed_in() {
    let data = load("itglue", ITGLUE_PAGE);
    let new = by_name(&data, "new@msp.example");
    assert_eq!(new.status, Status::PendingInvite);
    assert_eq!(
        (new.activity.known, new.activity.last_any.quality),
        (true, TimeQuality::Never)
    );
    assert_eq!(new.enabled, None);
}

#[test]
fn itglue_roles_administrator_top_manager_privileged() {
    let data = load("itglue", ITGLUE_PAGE);
    assert_eq!(
        top_roles(by_name(&data, "jdoe@msp.example")),
        vec![("Administrator", true, true)]
    );
    assert_eq!(
        top_roles(by_name(&data, "asmith@msp.example")),
        vec![("Manager", true, false)]
    );
    assert_eq!(
        top_roles(by_name(&data, "new@msp.example")),
        vec![("Editor", false, false)]
    );
    assert_eq!(data.facts.top_role_name.as_deref(), Some("Administrator"));
    let odd = load(
        "itglue",
        r#"{"data":[{"id":"9","type":"users","attributes":{"email":"o@msp.example","role-name":"Super Admin"}}]}"#,
    );
    assert_eq!(
        top_roles(&odd.identities[0]),
        vec![("Super Admin", true, false)]
    );
    assert!(
        odd.warnings.iter().any(|w| w.contains("`Super Admin`")),
        "{:?}",
        odd.warnings
    );
}

#[test]
fn itglue_my_glue_users_are_client_humans() {
    let data = load("itglue", ITGLUE_PAGE);
    let portal = by_name(&data, "eve@contoso.example");
    assert_eq!(portal.kind, Kind::Human);
    assert_eq!(portal.alt_ids["my_glue_account_id"], "991");
}

#[test]
fn itglue_pages_single_resource_and_flattened_records() {
    let p1 = r#"{"data":[{"id":"1","type":"users","attributes":{"email":"a@x.example"}}],"meta":{"current-page":1,"next-page":2,"total-count":2}}"#;
    let p2 = r#"{"data":[{"id":"2","type":"users","attributes":{"email":"b@x.example"}}],"meta":{"current-page":2,"next-page":null,"total-count":2}}"#;
    for text in [format!("[{p1},{p2}]"), format!("{p1}\n{p2}")] {
        assert_eq!(load("itglue", &text).identities.len(), 2, "{text}");
    }
    let single = load(
        "itglue",
        r#"{"data":{"id":"5","type":"users","attributes":{"email":"s@x.example"}}}"#,
    );
    assert_eq!(single.identities[0].object_id, "5");
    let flat = load(
        "itglue",
        r#"[{"id":6,"email":"f@x.example","role_name":"Administrator","current_sign_in_at":"2024-01-02T15:04:05Z"}]"#,
    );
    assert_eq!(
        flat.identities[0].roles[0].role_id, "Administrator",
        "snake_case keys"
    );
    assert_eq!(
        at(&flat.identities[0].activity.last_any),
        "2024-01-02T15:04:05+00:00"
    );
}

#[test]
fn itglue_export_missing_pages_is_an_error() {
    let p1 = r#"{"data":[{"id":"1","type":"users","attributes":{"email":"a@x.example"}}],"meta":{"current-page":1,"next-page":2,"total-count":2}}"#;
    assert_eq!(fail("itglue", p1).field.as_deref(), Some("meta.next-page"));
    let short = r#"{"data":[{"id":"1","type":"users","attributes":{"email":"a@x.example"}}],"meta":{"next-page":null,"total-count":3}}"#;
    let e = fail("itglue", short);
    assert_eq!(e.field.as_deref(), Some("meta.total-count"));
    assert!(
        e.message.contains("says 3 users but the file holds 1"),
        "{e}"
    );
}

#[test]
fn itglue_bad_records_are_located() {
    let cases: &[(&str, &str, u64, &str)] = &[
        (
            r#"{"data":[{"id":"1","type":"users","attributes":{"email":"a@x"}},{"id":"2","type":"organizations","attributes":{"name":"Contoso"}}]}"#,
            "not a user",
            2,
            "type",
        ),
        (
            r#"{"data":[{"id":"1","type":"users","attributes":"@{first-name=John; last-name=Doe}"}]}"#,
            "ConvertTo-Json -Depth",
            1,
            "attributes",
        ),
        (
            r#"{"data":[{"id":"1","type":"users","attributes":{"email":"a@x","created-at":"yesterday"}}]}"#,
            "not an ISO 8601",
            1,
            "attributes.created-at",
        ),
        (
            r#"{"data":[{"type":"users","attributes":{"email":"a@x"}}]}"#,
            "missing",
            1,
            "id",
        ),
    ];
    for (text, want, record, field) in cases {
        let e = fail("itglue", text);
        assert!(e.message.contains(want), "{text}: {e}");
        assert_eq!(
            (e.record, e.field.as_deref()),
            (Some(*record), Some(*field)),
            "{e}"
        );
    }
}

// ---------- all four ----------

const KINDS: [(&str, &str); 4] = [
    ("connectwise", CW_MEMBERS),
    ("datto-rmm", DATTO_PAGE),
    ("ninjaone", NINJA_USERS),
    ("itglue", ITGLUE_PAGE),
];

#[test]
fn the_registry_wires_each_msp_tool_kind() {
    for (kind, text) in KINDS {
        let data = load(kind, text);
        assert_eq!(data.facts.kind, kind);
        assert_eq!(data.facts.files_read, vec!["export.json"]);
        assert!(!data.identities.is_empty(), "{kind}");
        for (i, id) in data.identities.iter().enumerate() {
            assert_eq!(id.source_kind, kind);
            assert_eq!(
                (
                    id.prov.source.as_str(),
                    id.prov.file.as_str(),
                    id.prov.record
                ),
                ("src", "export.json", i as u64 + 1),
                "{kind}: provenance on every record"
            );
        }
    }
}

#[test]
fn powershell_utf16_output_is_read() {
    for (kind, text) in KINDS {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let data = load_bytes(kind, &bytes, None).unwrap_or_else(|e| panic!("{kind}: {e:?}"));
        assert!(!data.identities.is_empty(), "{kind}");
    }
}

#[test]
fn garbage_and_shape_errors_are_located_for_every_kind() {
    for (kind, _) in KINDS {
        let e = fail(kind, "[\n{\"id\": 1,\n");
        assert!(e.message.contains("malformed JSON"), "{kind}: {e}");
        assert_eq!(e.line, Some(3), "{kind}: {e}");
        let e = fail(kind, "\u{0}\u{1}garbage");
        assert!(e.message.contains("malformed JSON"), "{kind}: {e}");
        let e = fail(
            kind,
            r#"[{"id":"1","email":"a@x","identifier":"a","username":"a"}, 3]"#,
        );
        assert_eq!(e.record, Some(2), "{kind}: {e}");
        let e = fail(kind, r#"{"odd": [{"x": 1}]}"#);
        assert!(e.message.contains("page object"), "{kind}: {e}");
        let e = fail(kind, "  \n");
        assert!(e.message.contains("no JSON"), "{kind}: {e}");
        let e = fail(kind, "42");
        assert!(e.message.contains("found a number"), "{kind}: {e}");
    }
    let e = fail(
        "connectwise",
        r#"[{"identifier":"a","firstName":"A","inactiveFlag":"maybe"}]"#,
    );
    assert_eq!(
        (e.record, e.field.as_deref()),
        (Some(1), Some("inactiveFlag"))
    );
    let e = fail("connectwise", r#"[{"firstName":"A"}]"#);
    assert_eq!((e.record, e.field.as_deref()), (Some(1), Some("id")));
    let e = fail(
        "connectwise",
        r#"[{"id":1,"identifier":"a","firstName":"A","securityRole":"@{id=1; name=Admin}"}]"#,
    );
    assert_eq!(e.field.as_deref(), Some("securityRole"));
    let e = fail("datto-rmm", r#"{"users":[{"email":null}]}"#);
    assert_eq!((e.record, e.field.as_deref()), (Some(1), Some("username")));
    let e = fail("ninjaone", r#"[{"email":"a@x","enabled":1.5}]"#);
    assert_eq!(e.field.as_deref(), Some("id"));
    let e = fail("ninjaone", r#"[{"id":1,"email":"a@x","roles":[3]}]"#);
    assert_eq!(e.field.as_deref(), Some("roles"));
    let e = fail("ninjaone", r#"[{"id":1},{"id":1}]"#);
    assert!(e.message.contains("duplicate id"), "{e}");
}

#[test]
fn no_msp_loader_panics_on_truncation_or_noise() {
    for (kind, text) in KINDS {
        let bytes = text.as_bytes();
        for cut in (0..bytes.len()).step_by(5) {
            let mut b = bytes[..cut].to_vec();
            b.extend_from_slice(&[0xC3, 0x28, 0xFF, b'"', b',', b'\n', 0x00]);
            let _ = load_bytes(kind, &b, None);
            let _ = load_bytes(kind, &bytes[..cut], None);
        }
    }
}

#[test]
fn a_folder_path_is_a_located_error() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("export.json")).unwrap();
    for (kind, _) in KINDS {
        let errors = load_source(&source(kind, None), d.path(), d.path())
            .err()
            .unwrap();
        assert_eq!(errors[0].field.as_deref(), Some("path"), "{kind}");
    }
}
