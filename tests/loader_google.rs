//! `google-workspace` loader specs: every quirk of export-formats.md §4 (Admin SDK JSON, the admin
//! console CSV, GAM CSV), from inline exports written in the documented shapes, plus garbage and
//! truncated files that must give located errors, never panics.

use driftgate::estate::SourceConfig;
use driftgate::load::{load_source, LoadError, SourceData};
use driftgate::model::{Identity, Kind, Status, TimeQuality};
use std::path::Path;

fn source(path: &str, locale: Option<&str>, date_format: Option<&str>) -> SourceConfig {
    SourceConfig {
        name: "gws".into(),
        kind: "google-workspace".into(),
        path: path.into(),
        locale: locale.map(str::to_string),
        date_format: date_format.map(str::to_string),
        columns: None,
    }
}

fn load(dir: &Path, path: &str) -> Result<SourceData, Vec<LoadError>> {
    load_source(&source(path, None, None), dir, dir)
}

/// A folder `google/` holding `users.json`.
fn folder(users: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("google")).unwrap();
    std::fs::write(d.path().join("google/users.json"), users).unwrap();
    d
}

fn file(name: &str, bytes: &[u8]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join(name), bytes).unwrap();
    d
}

fn by_name<'a>(data: &'a SourceData, name: &str) -> &'a Identity {
    data.identities
        .iter()
        .find(|i| i.principal_name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no identity {name}"))
}

fn utf16le_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    out
}

const USERS_PAGE: &str = r##"{ "kind": "admin#directory#users", "etag": "\"x1y2z3\"",
  "users": [
    { "kind": "admin#directory#user", "id": "103456789012345678901", "primaryEmail": "jdoe@example.com",
      "name": { "givenName": "John", "familyName": "Doe", "fullName": "John Doe" },
      "isAdmin": false, "isDelegatedAdmin": true, "agreedToTerms": true,
      "suspended": false, "archived": false, "changePasswordAtNextLogin": false,
      "creationTime": "2021-03-14T09:12:44.000Z", "lastLoginTime": "2024-01-02T15:04:05.000Z",
      "customerId": "C01abcd2e", "orgUnitPath": "/Staff/Finance",
      "isEnrolledIn2Sv": true, "isEnforcedIn2Sv": false,
      "aliases": ["john@example.com"], "nonEditableAliases": ["jdoe@example.test-google-a.com"],
      "relations": [ { "value": "alee@example.com", "type": "manager" } ],
      "externalIds": [ { "value": "E1001", "type": "organization" } ],
      "organizations": [ { "title": "Intern", "primary": false }, { "title": "Accountant", "department": "Finance", "description": "Full time", "primary": true } ] },
    { "kind": "admin#directory#user", "id": "109876543210987654321", "primaryEmail": "leaver@example.com",
      "name": { "givenName": "Lee", "familyName": "Ver", "fullName": "Lee Ver" },
      "isAdmin": false, "isDelegatedAdmin": false, "suspended": true, "suspensionReason": "ADMIN",
      "archived": false, "creationTime": "2023-02-01T08:00:00.000Z", "lastLoginTime": "1970-01-01T00:00:00.000Z",
      "orgUnitPath": "/Leavers", "isEnrolledIn2Sv": false, "isEnforcedIn2Sv": false },
    { "kind": "admin#directory#user", "id": "100000000000000000001", "primaryEmail": "root@example.com",
      "name": { "givenName": "Ada", "familyName": "Admin" },
      "isAdmin": true, "isDelegatedAdmin": false, "suspended": false, "archived": false,
      "creationTime": "2019-01-01T00:00:00.000Z", "lastLoginTime": "2024-06-01T10:00:00.000Z",
      "isEnrolledIn2Sv": true, "isEnforcedIn2Sv": true },
    { "kind": "admin#directory#user", "id": "100000000000000000002", "primaryEmail": "old@example.com",
      "isAdmin": false, "isDelegatedAdmin": false, "suspended": false, "archived": true,
      "creationTime": "2018-01-01T00:00:00.000Z", "lastLoginTime": "2020-01-01T00:00:00.000Z" },
    { "kind": "admin#directory#user", "id": "100000000000000000003", "primaryEmail": "visitor@example.com",
      "isGuestUser": true, "isAdmin": false, "isDelegatedAdmin": false, "suspended": false,
      "creationTime": "2024-01-01T00:00:00.000Z", "lastLoginTime": "1970-01-01T00:00:00.000Z" } ],
  "nextPageToken": "Q0FFU0FnZ0JJ" }"##;

// ---------- Admin SDK JSON ----------

#[test]
fn registry_wires_google_workspace_through_load_source() {
    let d = folder(USERS_PAGE);
    let data = load(d.path(), "google").unwrap();
    assert_eq!(data.facts.kind, "google-workspace");
    assert_eq!(data.identities.len(), 5);
    assert!(data.facts.files_read[0].ends_with("google/users.json"));
    assert!(data
        .identities
        .iter()
        .all(|i| i.source_kind == "google-workspace" && i.prov.source == "gws"));
    assert_eq!(data.identities[1].prov.record, 2);
}

#[test]
fn id_stays_a_21_digit_string_and_emails_include_every_alias() {
    let d = folder(USERS_PAGE);
    let data = load(d.path(), "google").unwrap();
    let jdoe = by_name(&data, "jdoe@example.com");
    assert_eq!(jdoe.object_id, "103456789012345678901");
    assert_eq!(jdoe.reference, "gws/103456789012345678901");
    assert_eq!(
        jdoe.emails,
        [
            "jdoe@example.com",
            "john@example.com",
            "jdoe@example.test-google-a.com"
        ]
    );
    assert_eq!(jdoe.display_name.as_deref(), Some("John Doe"));
    assert_eq!(
        by_name(&data, "root@example.com").display_name.as_deref(),
        Some("Ada Admin"),
        "no fullName: given + family"
    );
}

#[test]
fn numeric_id_has_lost_digits_and_is_an_error() {
    let d = folder(r#"[{"id": 103456789012345678901, "primaryEmail": "a@example.com"}]"#);
    let e = &load(d.path(), "google").err().unwrap()[0];
    assert_eq!((e.record, e.field.as_deref()), (Some(1), Some("id")));
    assert!(e.message.contains("lost digits"), "{e}");
}

#[test]
fn last_login_1970_sentinel_is_never_and_a_real_time_is_exact() {
    let d = folder(USERS_PAGE);
    let data = load(d.path(), "google").unwrap();
    let leaver = by_name(&data, "leaver@example.com");
    assert_eq!(leaver.activity.last_any.quality, TimeQuality::Never);
    assert!(leaver.activity.last_any.at.is_none());
    let jdoe = by_name(&data, "jdoe@example.com");
    assert_eq!(jdoe.activity.last_interactive.quality, TimeQuality::Exact);
    assert_eq!(
        jdoe.activity.last_any.at.unwrap().to_rfc3339(),
        "2024-01-02T15:04:05+00:00"
    );
    assert_eq!(
        jdoe.created.at.unwrap().to_rfc3339(),
        "2021-03-14T09:12:44+00:00"
    );
    assert!(data.facts.capabilities.sign_in);
}

#[test]
fn gam_renderings_of_never_raw_local_zone_and_word_are_all_never() {
    let users = r#"[
      {"id":"1","primaryEmail":"a@example.com","lastLoginTime":"1970-01-01T00:00:00.000Z"},
      {"id":"2","primaryEmail":"b@example.com","lastLoginTime":"1969-12-31T19:00:00-05:00"},
      {"id":"3","primaryEmail":"c@example.com","lastLoginTime":"Never"},
      {"id":"4","primaryEmail":"d@example.com","lastLoginTime":"2024-01-02T10:04:05-05:00"}]"#;
    let d = folder(users);
    let data = load(d.path(), "google").unwrap();
    for n in ["a", "b", "c"] {
        let u = by_name(&data, &format!("{n}@example.com"));
        assert_eq!(u.activity.last_any.quality, TimeQuality::Never, "{n}");
    }
    assert_eq!(
        by_name(&data, "d@example.com")
            .activity
            .last_any
            .at
            .unwrap()
            .to_rfc3339(),
        "2024-01-02T15:04:05+00:00"
    );
}

#[test]
fn last_login_not_exported_is_unknown_not_never() {
    let users = r#"{"kind":"admin#directory#users","users":[{"id":"1","primaryEmail":"a@example.com","suspended":false}]}"#;
    let d = folder(users);
    let data = load(d.path(), "google").unwrap();
    let a = &data.identities[0];
    assert!(!a.activity.known);
    assert_eq!(a.activity.last_any.quality, TimeQuality::Unavailable);
    assert!(!data.facts.capabilities.sign_in);
    assert_eq!(a.mfa.registered, None, "isEnrolledIn2Sv absent: unknown");
    assert!(!data.facts.capabilities.mfa);
    assert_eq!(a.created.quality, TimeQuality::Absent);
}

#[test]
fn is_admin_is_the_top_role_delegated_admin_is_privileged_neither_is_not_a_no() {
    let d = folder(USERS_PAGE);
    let data = load(d.path(), "google").unwrap();
    assert_eq!(data.facts.top_role_name.as_deref(), Some("Super Admin"));
    assert!(data.facts.capabilities.top_role_countable);
    assert!(
        !data.facts.capabilities.roles,
        "delegated roles through groups are not in the users export"
    );
    let root = by_name(&data, "root@example.com");
    assert_eq!((root.top_role, root.privileged), (Some(true), Some(true)));
    assert!(root.roles.iter().any(|r| r.top && r.privileged));
    let jdoe = by_name(&data, "jdoe@example.com");
    assert_eq!(jdoe.top_role, Some(false));
    assert_eq!(jdoe.privileged, Some(true), "isDelegatedAdmin");
    assert!(jdoe.roles.iter().all(|r| r.privileged && !r.top));
    let leaver = by_name(&data, "leaver@example.com");
    assert_eq!(leaver.top_role, Some(false), "super admin is per user only");
    assert_eq!(
        leaver.privileged, None,
        "isAdmin=false does not mean not an admin"
    );
}

#[test]
fn top_role_not_countable_when_is_admin_missing() {
    let d = folder(r#"[{"id":"1","primaryEmail":"a@example.com"}]"#);
    let data = load(d.path(), "google").unwrap();
    assert!(!data.facts.capabilities.top_role_countable);
    assert_eq!(data.facts.top_role_name, None);
    assert_eq!(data.identities[0].top_role, None);
    assert_eq!(data.identities[0].privileged, None);
}

#[test]
fn suspended_archived_and_active_states() {
    let d = folder(USERS_PAGE);
    let data = load(d.path(), "google").unwrap();
    let leaver = by_name(&data, "leaver@example.com");
    assert_eq!(
        (leaver.status, leaver.enabled, leaver.status_raw.as_deref()),
        (Status::Suspended, Some(false), Some("suspended (ADMIN)"))
    );
    let old = by_name(&data, "old@example.com");
    assert_eq!(
        (old.status, old.enabled, old.status_raw.as_deref()),
        (Status::Disabled, Some(false), Some("archived"))
    );
    let jdoe = by_name(&data, "jdoe@example.com");
    assert_eq!((jdoe.status, jdoe.enabled), (Status::Active, Some(true)));
    let visitor = by_name(&data, "visitor@example.com");
    assert_eq!(
        (visitor.status, visitor.enabled),
        (Status::Active, Some(true)),
        "archived absent (older API): not archived"
    );
    let d = folder(r#"[{"id":"1","primaryEmail":"a@example.com"}]"#);
    let a = &load(d.path(), "google").unwrap().identities[0];
    assert_eq!(
        (a.status, a.enabled),
        (Status::Unknown, None),
        "no suspended flag: unknown"
    );
}

#[test]
fn deleted_users_from_show_deleted_are_deleted() {
    let d = folder(
        r#"[{"id":"1","primaryEmail":"a@example.com","suspended":false,"deletionTime":"2024-05-01T00:00:00.000Z"}]"#,
    );
    let a = &load(d.path(), "google").unwrap().identities[0];
    assert_eq!((a.status, a.enabled), (Status::Deleted, Some(false)));
}

#[test]
fn two_step_enrolment_is_mfa_registered() {
    let d = folder(USERS_PAGE);
    let data = load(d.path(), "google").unwrap();
    assert!(data.facts.capabilities.mfa);
    assert_eq!(
        by_name(&data, "jdoe@example.com").mfa.registered,
        Some(true)
    );
    assert_eq!(
        by_name(&data, "leaver@example.com").mfa.registered,
        Some(false)
    );
    assert_eq!(
        by_name(&data, "old@example.com").mfa.registered,
        None,
        "not in the record: unknown"
    );
    assert!(by_name(&data, "jdoe@example.com")
        .mfa
        .source
        .as_deref()
        .unwrap()
        .contains("users.json (record 1)"));
}

#[test]
fn employee_id_manager_primary_organization_and_tenant_keys() {
    let d = folder(USERS_PAGE);
    let data = load(d.path(), "google").unwrap();
    let jdoe = by_name(&data, "jdoe@example.com");
    assert_eq!(jdoe.employment.employee_id.as_deref(), Some("E1001"));
    assert_eq!(
        jdoe.employment.manager.as_deref(),
        Some("alee@example.com"),
        "manager is an email"
    );
    assert_eq!(jdoe.employment.title.as_deref(), Some("Accountant"));
    assert_eq!(jdoe.employment.department.as_deref(), Some("Finance"));
    assert_eq!(jdoe.employment.employee_type.as_deref(), Some("Full time"));
    assert_eq!(jdoe.alt_ids["customer_id"], "C01abcd2e");
    assert_eq!(jdoe.alt_ids["org_unit_path"], "/Staff/Finance");
    assert!(
        jdoe.clients.ids.is_empty(),
        "customerId is the tenant's own id"
    );
    assert_eq!(jdoe.password.must_change, Some(false));
}

#[test]
fn guest_users_and_service_naming() {
    let d = folder(USERS_PAGE);
    let data = load(d.path(), "google").unwrap();
    assert_eq!(by_name(&data, "visitor@example.com").kind, Kind::Guest);
    assert_eq!(by_name(&data, "jdoe@example.com").kind, Kind::Human);
    let d = folder(r#"[{"id":"1","primaryEmail":"svc-backup@example.com"}]"#);
    assert_eq!(
        load(d.path(), "google").unwrap().identities[0].kind,
        Kind::ServiceAccount
    );
}

#[test]
fn every_json_container_shape_including_an_empty_page_without_users() {
    let one = r#"{"id":"1","primaryEmail":"a@example.com"}"#;
    let two = r#"{"id":"2","primaryEmail":"b@example.com"}"#;
    let shapes = [
        format!("[{one},{two}]"),
        format!(r#"{{"kind":"admin#directory#users","users":[{one},{two}],"nextPageToken":"x"}}"#),
        format!(r#"[{{"kind":"admin#directory#users","users":[{one}]}},{{"kind":"admin#directory#users","users":[{two}]}}]"#),
        format!("{{\"kind\":\"admin#directory#users\",\"users\":[{one}]}}\n{{\"kind\":\"admin#directory#users\",\"users\":[{two}]}}\n"),
        format!(r#"[{{"kind":"admin#directory#users","users":[{one},{two}]}},{{"kind":"admin#directory#users","etag":"e"}}]"#),
        format!("{{\"kind\":\"admin#directory#users\",\"users\":[{one},{two}]}}\n{{\"kind\":\"admin#directory#users\",\"etag\":\"e\"}}"),
    ];
    for s in &shapes {
        let d = folder(s);
        let data = load(d.path(), "google").unwrap_or_else(|e| panic!("{s}: {e:?}"));
        assert_eq!(data.identities.len(), 2, "{s}");
    }
    let d = folder(r#"{"kind":"admin#directory#users","etag":"e"}"#);
    assert!(
        load(d.path(), "google").unwrap().identities.is_empty(),
        "a domain page with no users"
    );
}

#[test]
fn a_json_file_path_works_as_well_as_a_folder() {
    let d = file("export.json", USERS_PAGE.as_bytes());
    assert_eq!(load(d.path(), "export.json").unwrap().identities.len(), 5);
}

#[test]
fn json_bad_inputs_are_located_errors() {
    let cases: &[(&str, &str, Option<u64>, Option<&str>)] = &[
        (
            r#"{"kind":"admin#directory#users","users":[{"id":"1","primaryEmail":"#,
            "malformed JSON",
            None,
            None,
        ),
        ("\u{0}\u{1}garbage", "malformed JSON", None, None),
        (r#"{"odd":1}"#, "page object", None, None),
        (
            r#"[{"primaryEmail":"a@example.com","isAdmin":true},{"isAdmin":false}]"#,
            "missing required field",
            Some(2),
            Some("id"),
        ),
        (
            r#"[{"id":"1","isAdmin":"maybe"}]"#,
            "expected a boolean",
            Some(1),
            Some("isAdmin"),
        ),
        (
            r#"[{"id":"1"},{"id":"2","lastLoginTime":"last week"}]"#,
            "not an ISO 8601",
            Some(2),
            Some("lastLoginTime"),
        ),
        (
            r#"[{"id":"1","isEnforcedIn2Sv":"sometimes"}]"#,
            "expected a boolean",
            Some(1),
            Some("isEnforcedIn2Sv"),
        ),
        (
            r#"[{"id":"1","aliases":[3]}]"#,
            "expected strings",
            Some(1),
            Some("aliases"),
        ),
        (
            r#"[{"id":"1","externalIds":"E1"}]"#,
            "expected a list",
            Some(1),
            Some("externalIds"),
        ),
        (
            r#"[{"id":"1"},{"id":"1"}]"#,
            "duplicate id",
            Some(2),
            Some("id"),
        ),
        (
            r#"[{"id":"1","creationTime":7}]"#,
            "timestamp string",
            Some(1),
            Some("creationTime"),
        ),
    ];
    for (text, want, record, field) in cases {
        let d = folder(text);
        let errors = load(d.path(), "google")
            .err()
            .unwrap_or_else(|| panic!("{text} must fail"));
        let e = &errors[0];
        assert!(e.message.contains(want), "{text}: {e}");
        assert!(e.file.ends_with("google/users.json"), "{e}");
        assert_eq!(
            (e.record, e.field.as_deref()),
            (*record, *field),
            "{text}: {e}"
        );
    }
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("google")).unwrap();
    let errors = load(d.path(), "google").err().unwrap();
    assert!(errors[0].message.contains("required file `users.json`"));
}

// ---------- admin console CSV ----------

const CONSOLE: &str = "First Name [Required],Last Name [Required],Email Address [Required],Password [Required],Password Hash Function [UPLOAD ONLY],Org Unit Path [Required],New Primary Email [UPLOAD ONLY],Status [READ ONLY],Last Sign In [READ ONLY],Recovery Email,Employee ID,Employee Type,Employee Title,Manager Email,Department,Cost Center,2sv Enrolled [READ ONLY],2sv Enforced [READ ONLY],Email Usage [READ ONLY]\r\n\
John,Doe,jdoe@example.com,****,,/Staff/Finance,,Active,2024-01-02T15:04:05Z,john@home.example,E1001,Full time,Accountant,alee@example.com,Finance,CC1,True,False,1.2 GB\r\n\
Lee,Ver,leaver@example.com,****,,/Leavers,,Suspended,Never logged in,,,,,,,,False,False,0 GB\r\n\
Olde,Timer,old@example.com,****,,/Archive,,Archived,,,,,,,,,False,True,Nunca\r\n";

#[test]
fn console_csv_bracketed_headers_statuses_never_and_2sv() {
    let d = file("users.csv", CONSOLE.as_bytes());
    let data = load(d.path(), "users.csv").unwrap();
    assert_eq!(data.identities.len(), 3);
    let jdoe = by_name(&data, "jdoe@example.com");
    assert_eq!(jdoe.object_id, "jdoe@example.com");
    assert_eq!(jdoe.display_name.as_deref(), Some("John Doe"));
    assert_eq!((jdoe.status, jdoe.enabled), (Status::Active, Some(true)));
    assert_eq!(
        jdoe.activity.last_any.at.unwrap().to_rfc3339(),
        "2024-01-02T15:04:05+00:00"
    );
    assert_eq!(jdoe.mfa.registered, Some(true));
    assert_eq!(jdoe.employment.employee_id.as_deref(), Some("E1001"));
    assert_eq!(jdoe.employment.manager.as_deref(), Some("alee@example.com"));
    assert_eq!(jdoe.employment.title.as_deref(), Some("Accountant"));
    assert_eq!(jdoe.alt_ids["org_unit_path"], "/Staff/Finance");
    assert_eq!(
        jdoe.emails,
        ["jdoe@example.com"],
        "recovery email is not theirs"
    );
    assert_eq!(jdoe.prov.line, Some(2));
    let leaver = by_name(&data, "leaver@example.com");
    assert_eq!(leaver.activity.last_any.quality, TimeQuality::Never);
    assert_eq!(
        (leaver.status, leaver.enabled),
        (Status::Suspended, Some(false))
    );
    let old = by_name(&data, "old@example.com");
    assert_eq!((old.status, old.enabled), (Status::Disabled, Some(false)));
    assert_eq!(old.status_raw.as_deref(), Some("Archived"));
    assert_eq!(
        old.activity.last_any.quality,
        TimeQuality::Unavailable,
        "an empty cell is unknown, not never"
    );
    assert!(data.facts.capabilities.sign_in && data.facts.capabilities.mfa);
    assert!(
        !data.facts.capabilities.top_role_countable,
        "no admin column in this download"
    );
    assert_eq!(jdoe.privileged, None);
    assert_eq!(jdoe.top_role, None);
}

#[test]
fn console_csv_columns_reordered_recased_and_newer_2sv_names() {
    let text = "\"LAST SIGN IN [READ ONLY]\",\"2sv  Enrollment Status [READ ONLY]\",\"email address [required]\",\"status [read only]\"\r\n\
\"Never logged in\",\"Not enrolled\",\"a@example.com\",\"ACTIVE\"\r\n\
\"2024-01-02T15:04:05Z\",\"Enrolled\",\"b@example.com\",\"active\"\r\n";
    let d = file("users.csv", text.as_bytes());
    let data = load(d.path(), "users.csv").unwrap();
    let a = by_name(&data, "a@example.com");
    assert_eq!(a.activity.last_any.quality, TimeQuality::Never);
    assert_eq!(a.mfa.registered, Some(false));
    assert_eq!(a.status, Status::Active);
    assert_eq!(by_name(&data, "b@example.com").mfa.registered, Some(true));
}

#[test]
fn console_csv_utf16le_bom_and_semicolons() {
    let text = CONSOLE.replace(',', ";");
    let d = file("users.csv", &utf16le_bom(&text));
    let data = load(d.path(), "users.csv").unwrap();
    assert_eq!(data.identities.len(), 3);
    assert_eq!(
        by_name(&data, "leaver@example.com")
            .activity
            .last_any
            .quality,
        TimeQuality::Never
    );
}

#[test]
fn console_csv_dates_follow_locale_or_date_format_else_ambiguity_is_reported() {
    let text = "Email Address [Required],Last Sign In [READ ONLY]\n\
a@example.com,03/04/2024 10:00:00\n\
b@example.com,\"January 2, 2024, 3:04:05 PM\"\n";
    let d = file("users.csv", text.as_bytes());
    let data = load(d.path(), "users.csv").unwrap();
    assert_eq!(
        by_name(&data, "a@example.com").activity.last_any.quality,
        TimeQuality::Ambiguous,
        "no locale: day/month not guessed"
    );
    assert_eq!(
        by_name(&data, "b@example.com")
            .activity
            .last_any
            .at
            .unwrap()
            .to_rfc3339(),
        "2024-01-02T15:04:05+00:00"
    );
    let text =
        "Email Address [Required],Last Sign In [READ ONLY]\na@example.com,03/04/2024 10:00:00\n";
    let d = file("users.csv", text.as_bytes());
    let gb = load_source(
        &source("users.csv", Some("en-GB"), None),
        d.path(),
        d.path(),
    )
    .unwrap();
    assert_eq!(
        gb.identities[0].activity.last_any.at.unwrap().to_rfc3339(),
        "2024-04-03T10:00:00+00:00"
    );
    let fmt = load_source(
        &source("users.csv", None, Some("%m/%d/%Y %H:%M:%S")),
        d.path(),
        d.path(),
    )
    .unwrap();
    assert_eq!(
        fmt.identities[0].activity.last_any.at.unwrap().to_rfc3339(),
        "2024-03-04T10:00:00+00:00"
    );
}

#[test]
fn console_csv_admin_column_counts_super_admins_when_downloaded() {
    let text = "Email Address [Required],Admin Roles [READ ONLY]\n\
root@example.com,Super Admin\n\
help@example.com,Help Desk Admin; Groups Admin\n\
user@example.com,\n";
    let d = file("users.csv", text.as_bytes());
    let data = load(d.path(), "users.csv").unwrap();
    assert!(data.facts.capabilities.top_role_countable);
    assert_eq!(data.facts.top_role_name.as_deref(), Some("Super Admin"));
    let root = by_name(&data, "root@example.com");
    assert_eq!((root.top_role, root.privileged), (Some(true), Some(true)));
    let help = by_name(&data, "help@example.com");
    assert_eq!((help.top_role, help.privileged), (Some(false), Some(true)));
    assert_eq!(help.roles.len(), 2);
    let user = by_name(&data, "user@example.com");
    assert_eq!((user.top_role, user.privileged), (Some(false), None));
}

#[test]
fn console_csv_bad_inputs_are_located_errors() {
    /// (file bytes, message part, line, field)
    type Case<'a> = (Vec<u8>, &'a str, Option<u64>, Option<&'a str>);
    let cases: Vec<Case> = vec![
        (
            CONSOLE.replace("Suspended", "On holiday").into_bytes(),
            "not a user status",
            Some(3),
            Some("Status [READ ONLY]"),
        ),
        (
            CONSOLE
                .replace("True,False,1.2 GB", "Maybe,False,1.2 GB")
                .into_bytes(),
            "expected True or False, found `Maybe`",
            Some(2),
            Some("2sv Enrolled [READ ONLY]"),
        ),
        (
            CONSOLE
                .replace("True,False,1.2 GB", "True,Sometimes,1.2 GB")
                .into_bytes(),
            "found `Sometimes`",
            Some(2),
            Some("2sv Enforced [READ ONLY]"),
        ),
        (
            CONSOLE
                .replace("2024-01-02T15:04:05Z", "yesterday-ish")
                .into_bytes(),
            "date_format",
            Some(2),
            Some("Last Sign In [READ ONLY]"),
        ),
        (
            CONSOLE.replace("jdoe@example.com", "").into_bytes(),
            "no email address",
            Some(2),
            Some("Email Address [Required]"),
        ),
        (
            b"Name,Mail\nx,y\n".to_vec(),
            "not a Google Workspace user export",
            Some(1),
            Some("Email Address [Required]"),
        ),
        (
            b"Email Address [Required],Status [READ ONLY]\na@example.com\n".to_vec(),
            "cells but the header has",
            Some(2),
            None,
        ),
        (
            b"Email Address [Required]\r\na@example.com\r\nA@Example.com\r\n".to_vec(),
            "duplicate id",
            Some(3),
            Some("id"),
        ),
        (Vec::new(), "empty CSV", None, None),
    ];
    for (bytes, want, line, field) in cases {
        let d = file("users.csv", &bytes);
        let errors = load(d.path(), "users.csv")
            .err()
            .unwrap_or_else(|| panic!("{want} must fail"));
        let e = &errors[0];
        assert!(e.message.contains(want), "{want}: {e}");
        assert!(e.file.ends_with("users.csv"), "{e}");
        assert_eq!((e.line, e.field.as_deref()), (line, field), "{want}: {e}");
    }
    let d = file("users.csv", CONSOLE.as_bytes());
    let errors = load_source(
        &source("users.csv", Some("xx-XX"), None),
        d.path(),
        d.path(),
    )
    .err()
    .unwrap();
    assert_eq!(errors[0].field.as_deref(), Some("locale"));
}

// ---------- GAM print users ----------

const GAM: &str = "primaryEmail,id,name.fullName,isAdmin,isDelegatedAdmin,suspended,archived,lastLoginTime,creationTime,isEnrolledIn2Sv,isEnforcedIn2Sv,aliases,aliases.0,externalIds.0.type,externalIds.0.value,orgUnitPath\n\
jdoe@example.com,103456789012345678901,John Doe,False,True,False,False,2024-01-02T15:04:05.000Z,2021-03-14T09:12:44.000Z,True,False,1,john@example.com,organization,E1001,/Staff\n\
root@example.com,100000000000000000001,Ada Admin,True,False,False,False,Never,2019-01-01T00:00:00.000Z,True,True,0,,,,/\n";

#[test]
fn gam_print_users_csv_reads_like_the_api() {
    let d = file("gam-users.csv", GAM.as_bytes());
    let data = load(d.path(), "gam-users.csv").unwrap();
    let jdoe = by_name(&data, "jdoe@example.com");
    assert_eq!(jdoe.object_id, "103456789012345678901");
    assert_eq!(jdoe.emails, ["jdoe@example.com", "john@example.com"]);
    assert_eq!(jdoe.employment.employee_id.as_deref(), Some("E1001"));
    assert_eq!(jdoe.privileged, Some(true));
    assert_eq!(jdoe.prov.line, Some(2));
    let root = by_name(&data, "root@example.com");
    assert_eq!(root.top_role, Some(true));
    assert_eq!(
        root.activity.last_any.quality,
        TimeQuality::Never,
        "GAM `Never`"
    );
    assert!(data.facts.capabilities.top_role_countable);
    let bad = GAM.replace("False,True,False", "False,Perhaps,False");
    let d = file("gam-users.csv", bad.as_bytes());
    let e = &load(d.path(), "gam-users.csv").err().unwrap()[0];
    assert_eq!(
        (e.line, e.record, e.field.as_deref()),
        (Some(2), Some(1), Some("isDelegatedAdmin")),
        "{e}"
    );
}

// ---------- robustness ----------

#[test]
fn garbage_and_truncation_never_panic_and_always_locate() {
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        ("google/users.json", USERS_PAGE.as_bytes().to_vec()),
        ("users.csv", CONSOLE.as_bytes().to_vec()),
        ("users.csv", utf16le_bom(CONSOLE)),
        ("gam.csv", GAM.as_bytes().to_vec()),
    ];
    for (name, seed) in &seeds {
        for cut in (0..seed.len()).step_by(5) {
            let mut bytes = seed[..cut].to_vec();
            bytes.extend_from_slice(&[0xC3, 0x28, 0xFF, b'"', b',', b'\n', 0x00]);
            let d = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(d.path().join("google")).unwrap();
            std::fs::write(d.path().join(name), &bytes).unwrap();
            let path = if name.starts_with("google/") {
                "google"
            } else {
                name
            };
            if let Err(errors) = load(d.path(), path) {
                assert!(!errors.is_empty());
                for e in errors {
                    assert!(e.file.ends_with(name), "{name} cut {cut}: {e}");
                    assert!(
                        e.line.is_some()
                            || e.record.is_some()
                            || e.field.is_some()
                            || e.message.contains("JSON")
                            || e.message.contains("CSV")
                            || e.message.contains("export"),
                        "{name} cut {cut}: unlocated {e}"
                    );
                }
            }
        }
    }
}

fn enforcement(data: &SourceData) -> driftgate::model::MfaEnforcement {
    let facts = std::slice::from_ref(&data.facts);
    driftgate::enforcement::mfa_enforcement(facts, &data.identities, None).remove(0)
}

#[test]
fn two_step_enforcement_is_mfa_enforced_and_decides_the_tenant() {
    let d = folder(USERS_PAGE);
    let data = load(d.path(), "google").unwrap();
    assert_eq!(by_name(&data, "jdoe@example.com").mfa.enforced, Some(false));
    assert_eq!(by_name(&data, "root@example.com").mfa.enforced, Some(true));
    assert_eq!(
        by_name(&data, "old@example.com").mfa.enforced,
        None,
        "not in the record: unknown"
    );
    // Active humans: jdoe (not enforced) and root; the suspended leaver, the archived user and
    // the guest are not judged.
    let e = enforcement(&data);
    assert_eq!(e.enforced, Some(false));
    assert_eq!((e.users, e.not_enforced_users, e.unknown_users), (2, 1, 0));
    assert_eq!(e.not_enforced_sample, ["jdoe@example.com"]);
    assert_eq!(
        (e.prov[0].file.as_str(), e.prov[0].record),
        ("google/users.json", 1)
    );
    assert_eq!(e.mechanism, None);

    let all = USERS_PAGE.replace(
        r#""isEnrolledIn2Sv": true, "isEnforcedIn2Sv": false"#,
        r#""isEnrolledIn2Sv": true, "isEnforcedIn2Sv": true"#,
    );
    let d = folder(&all);
    let e = enforcement(&load(d.path(), "google").unwrap());
    assert_eq!(e.enforced, Some(true));
    assert_eq!(
        e.mechanism,
        Some(driftgate::model::MfaMechanism::TwoSvPolicy)
    );

    let unknown = USERS_PAGE.replace(r#""isEnrolledIn2Sv": true, "isEnforcedIn2Sv": false,"#, "");
    let d = folder(&unknown);
    let e = enforcement(&load(d.path(), "google").unwrap());
    assert_eq!(e.enforced, None, "unknown is never no");
    assert_eq!(
        e.reason.as_deref(),
        Some("isEnforcedIn2Sv / 2sv Enforced is unknown for 1 of 2 active users")
    );
}

#[test]
fn console_csv_2sv_enforced_column_is_mfa_enforced() {
    let d = file("users.csv", CONSOLE.as_bytes());
    let data = load(d.path(), "users.csv").unwrap();
    assert_eq!(by_name(&data, "jdoe@example.com").mfa.enforced, Some(false));
    assert_eq!(by_name(&data, "old@example.com").mfa.enforced, Some(true));
    let e = enforcement(&data);
    assert_eq!(
        (e.enforced, e.users, e.not_enforced_users),
        (Some(false), 1, 1)
    );

    let text = "Email Address [Required],Status [READ ONLY],2sv Enforced [READ ONLY]\r\na@example.com,Active,Enforced\r\nb@example.com,Active,True\r\n";
    let d = file("users.csv", text.as_bytes());
    let e = enforcement(&load(d.path(), "users.csv").unwrap());
    assert_eq!(e.enforced, Some(true));

    let text = "Email Address [Required],Status [READ ONLY]\r\na@example.com,Active\r\n";
    let d = file("users.csv", text.as_bytes());
    let e = enforcement(&load(d.path(), "users.csv").unwrap());
    assert_eq!(e.enforced, None);
    assert_eq!(
        e.reason.as_deref(),
        Some("the export does not show isEnforcedIn2Sv / 2sv Enforced")
    );

    let text = "Email Address [Required],2sv Enforced [READ ONLY]\r\na@example.com,perhaps\r\n";
    let d = file("users.csv", text.as_bytes());
    let errors = load(d.path(), "users.csv").err().unwrap();
    assert!(
        errors[0].message.contains("expected True or False"),
        "{}",
        errors[0]
    );
}
