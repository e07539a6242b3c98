//! Loader specs: every documented quirk of the three source kinds, from inline exports written in
//! the real shapes, plus truncated and garbage files that must give located errors, never panics.

use driftgate::estate::SourceConfig;
use driftgate::load::{load_source, LoadError, SourceData};
use driftgate::model::{AssignmentKind, CredentialKind, Identity, Kind, TimeQuality};
use std::path::Path;

fn source(kind: &str, path: &str, locale: Option<&str>) -> SourceConfig {
    SourceConfig {
        name: "src".into(),
        kind: kind.into(),
        path: path.into(),
        locale: locale.map(str::to_string),
        date_format: None,
        columns: None,
    }
}

fn load(
    dir: &Path,
    kind: &str,
    path: &str,
    locale: Option<&str>,
) -> Result<SourceData, Vec<LoadError>> {
    load_source(&source(kind, path, locale), dir, dir)
}

fn by_name<'a>(data: &'a SourceData, name: &str) -> &'a Identity {
    data.identities
        .iter()
        .find(|i| {
            i.principal_name.as_deref() == Some(name) || i.display_name.as_deref() == Some(name)
        })
        .unwrap_or_else(|| panic!("no identity {name}"))
}

fn utf16le_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    out
}

// ---------- entra ----------

const USERS_PAGE: &str = r##"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","value":[
 {"id":"6e7b768e-07e2-4810-8459-485f84f8f204","userPrincipalName":"jdoe@contoso.com","displayName":"John Doe","accountEnabled":true,"userType":"Member","createdDateTime":"2021-03-14T09:12:44Z","onPremisesImmutableId":"jnZ7buIHEEiEWUhfhPjyBA==","onPremisesSecurityIdentifier":"S-1-5-21-1-2-3-1108",
  "signInActivity":{"lastSignInDateTime":"2024-01-02T15:04:05Z","lastNonInteractiveSignInDateTime":"2024-01-03T07:11:52.1234567Z","lastSuccessfulSignInDateTime":"2024-01-03T07:11:52Z"}},
 {"id":"39807bd1-3dde-48f3-8165-81ddd4e46de0","userPrincipalName":"adelev_adatum.com#EXT#@contoso.onmicrosoft.com","accountEnabled":true,"userType":"Guest","externalUserState":"PendingAcceptance","createdDateTime":"2023-05-10T12:00:00Z","signInActivity":null},
 {"id":"0b3e2f8a-5c1d-4b7e-9a64-2c9f3e1d7a55","userPrincipalName":"svc-scan@contoso.onmicrosoft.com","accountEnabled":true,"userType":"Member","createdDateTime":null,"passwordPolicies":"DisablePasswordExpiration",
  "signInActivity":{"lastSignInDateTime":"2022-06-01T12:00:00Z","lastNonInteractiveSignInDateTime":"0001-01-01T00:00:00Z","lastNonInteractiveSignInRequestId":""}}
]}"##;

fn entra_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("entra")).unwrap();
    for (name, text) in files {
        std::fs::write(d.path().join("entra").join(name), text).unwrap();
    }
    d
}

#[test]
fn entra_reads_graph_users_with_sign_in_sentinels_and_kinds() {
    let d = entra_dir(&[("users.json", USERS_PAGE)]);
    let data = load(d.path(), "entra", "entra", None).unwrap();
    let jdoe = by_name(&data, "jdoe@contoso.com");
    assert_eq!(jdoe.kind, Kind::Human);
    assert_eq!(
        jdoe.activity.last_any.at.unwrap().to_rfc3339(),
        "2024-01-03T07:11:52+00:00",
        "latest successful or interactive"
    );
    assert_eq!(
        jdoe.activity.last_non_interactive.at.unwrap().to_rfc3339(),
        "2024-01-03T07:11:52.123456700+00:00",
        "7 fraction digits"
    );
    assert_eq!(
        jdoe.alt_ids["object_guid"],
        "6e7b768e-07e2-4810-8459-485f84f8f204"
    );
    let guest = by_name(&data, "adelev_adatum.com#EXT#@contoso.onmicrosoft.com");
    assert_eq!(guest.kind, Kind::Guest);
    assert_eq!(
        guest.activity.last_any.quality,
        TimeQuality::Never,
        "null signInActivity in a P1 export = never"
    );
    let svc = by_name(&data, "svc-scan@contoso.onmicrosoft.com");
    assert_eq!(svc.kind, Kind::ServiceAccount);
    assert_eq!(
        svc.activity.last_any.at.unwrap().to_rfc3339(),
        "2022-06-01T12:00:00+00:00",
        "a non-interactive attempt is not use"
    );
    assert_eq!(
        svc.activity.last_non_interactive.quality,
        TimeQuality::Never,
        "0001-01-01 = never"
    );
    assert_eq!(svc.created.quality, TimeQuality::Absent);
    assert_eq!(svc.password.never_expires, Some(true));
    assert!(data.facts.capabilities.sign_in);
}

#[test]
fn entra_without_p1_is_unknown_not_never() {
    let users = r##"[{"id":"1","userPrincipalName":"a@x.com","accountEnabled":true,"userType":"Member","createdDateTime":"2020-01-01T00:00:00Z"}]"##;
    let d = entra_dir(&[("users.json", users)]);
    let data = load(d.path(), "entra", "entra", None).unwrap();
    let a = &data.identities[0];
    assert!(!a.activity.known);
    assert_eq!(a.activity.last_any.quality, TimeQuality::Unavailable);
    assert_eq!(
        a.mfa.registered, None,
        "no userRegistrationDetails.json: MFA unknown"
    );
    assert_eq!(
        a.privileged, None,
        "no roleAssignments.json: privilege unknown"
    );
    assert!(data
        .facts
        .files_missing
        .contains(&"userRegistrationDetails.json".to_string()));
    assert!(
        !data.facts.capabilities.sign_in
            && !data.facts.capabilities.mfa
            && !data.facts.capabilities.roles
    );
}

#[test]
fn entra_accepts_bare_array_page_array_of_pages_and_concatenated_pages() {
    let one = r##"{"id":"1","userPrincipalName":"a@x.com","accountEnabled":true}"##;
    let two = r##"{"id":"2","userPrincipalName":"b@x.com","accountEnabled":false}"##;
    for text in [
        format!("[{one},{two}]"),
        format!("{{\"value\":[{one},{two}]}}"),
        format!("[{{\"value\":[{one}]}},{{\"value\":[{two}]}}]"),
        format!("{{\"value\":[{one}]}}\n{{\"value\":[{two}]}}"),
    ] {
        let d = entra_dir(&[("users.json", &text)]);
        let data = load(d.path(), "entra", "entra", None).unwrap();
        assert_eq!(data.identities.len(), 2, "{text}");
    }
}

#[test]
fn entra_pascal_case_keys_from_graph_powershell() {
    let users =
        r##"[{"Id":"1","UserPrincipalName":"A@X.com","AccountEnabled":true,"UserType":"Member"}]"##;
    let d = entra_dir(&[("users.json", users)]);
    let data = load(d.path(), "entra", "entra", None).unwrap();
    assert_eq!(
        data.identities[0].principal_name_norm.as_deref(),
        Some("a@x.com")
    );
    assert_eq!(data.identities[0].enabled, Some(true));
}

#[test]
fn entra_roles_pim_groups_registration_and_app_secrets() {
    let users = r##"{"value":[
      {"id":"u1","userPrincipalName":"admin@x.com","accountEnabled":true,"userType":"Member","signInActivity":null},
      {"id":"u2","userPrincipalName":"helpdesk@x.com","accountEnabled":true,"userType":"Member","signInActivity":null},
      {"id":"u3","userPrincipalName":"member@x.com","accountEnabled":false,"userType":"Member","signInActivity":null}]}"##;
    let reg = r##"{"value":[{"id":"u1","userPrincipalName":"admin@x.com","userType":"member","isAdmin":true,"isMfaRegistered":false,"isMfaCapable":false,"methodsRegistered":[]}]}"##;
    let assignments = r##"{"value":[
      {"id":"a1","principalId":"u1","roleDefinitionId":"62e90394-69f5-4237-9190-012177145e10","directoryScopeId":"/"},
      {"id":"a2","principalId":"g1","roleDefinitionId":"729827e3-9c14-49f7-bb1b-9608f156bbb8","directoryScopeId":"/"},
      {"id":"a3","principalId":"sp1","roleDefinitionId":"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3","directoryScopeId":"/"}]}"##;
    let schedules = r##"{"value":[{"principalId":"u1","roleDefinitionId":"62e90394-69f5-4237-9190-012177145e10","directoryScopeId":"/","assignmentType":"Activated","startDateTime":"2026-11-19T00:00:00Z","endDateTime":"2026-11-20T08:00:00Z"}]}"##;
    let eligible = r##"{"value":[{"principalId":"u2","roleDefinitionId":"62e90394-69f5-4237-9190-012177145e10","directoryScopeId":"/","startDateTime":"2026-01-01T00:00:00Z","endDateTime":null,"memberType":"Direct"}]}"##;
    let groups = r##"{"value":[{"id":"g1","displayName":"Helpdesk admins","isAssignableToRole":true,"members":[{"@odata.type":"#microsoft.graph.user","id":"u2"},{"@odata.type":"#microsoft.graph.group","id":"g2"}]},
                              {"id":"g2","displayName":"Nested","members":[{"@odata.type":"#microsoft.graph.user","id":"u3"},{"@odata.type":"#microsoft.graph.group","id":"g1"}]}]}"##;
    let sps = r##"[{"id":"sp1","appId":"app-1","displayName":"backup-job","servicePrincipalType":"Application","accountEnabled":true,"appOwnerOrganizationId":"tenant-guid"},
                  {"id":"sp2","appId":"00000003-0000-0000-c000-000000000000","displayName":"Microsoft Graph","servicePrincipalType":"Application","accountEnabled":true,"appOwnerOrganizationId":"f8cdef31-a31e-4b4a-93e4-5f571e91255a"},
                  {"@odata.type":"#microsoft.graph.agentIdentity","id":"sp3","displayName":"Copilot agent","servicePrincipalType":"ServiceIdentity","accountEnabled":true,"appOwnerOrganizationId":"tenant-guid"}]"##;
    let apps = r##"{"value":[{"id":"ap1","appId":"app-1","displayName":"backup-job","createdDateTime":"2023-06-01T10:00:00Z",
      "passwordCredentials":[{"keyId":"k1","displayName":"prod","hint":"Q~7","startDateTime":"2023-06-01T10:00:00Z","endDateTime":"2025-06-01T10:00:00Z","secretText":"SUPER-SECRET-VALUE"}],
      "keyCredentials":[{"keyId":"k2","displayName":"CN=backup","type":"AsymmetricX509Cert","usage":"Verify","startDateTime":"2024-06-01T00:00:00Z","endDateTime":"2026-06-01T00:00:00Z","key":null}],
      "owners":[{"@odata.type":"#microsoft.graph.user","id":"u3","userPrincipalName":"member@x.com"}]}]}"##;
    let d = entra_dir(&[
        ("users.json", users),
        ("userRegistrationDetails.json", reg),
        ("roleAssignments.json", assignments),
        ("roleAssignmentScheduleInstances.json", schedules),
        ("roleEligibilityScheduleInstances.json", eligible),
        ("groups.json", groups),
        ("servicePrincipals.json", sps),
        ("applications.json", apps),
    ]);
    let data = load(d.path(), "entra", "entra", None).unwrap();
    let admin = by_name(&data, "admin@x.com");
    assert_eq!(admin.mfa.registered, Some(false));
    assert_eq!(
        admin.roles[0].assignment,
        AssignmentKind::Activated,
        "PIM activation is not standing"
    );
    assert!(admin.roles[0].top);
    let helpdesk = by_name(&data, "helpdesk@x.com");
    let kinds: Vec<_> = helpdesk
        .roles
        .iter()
        .map(|r| (r.assignment, r.via_group.clone()))
        .collect();
    assert!(
        kinds.contains(&(AssignmentKind::Permanent, Some("g1".into()))),
        "role through a role-assignable group: {kinds:?}"
    );
    assert!(kinds.contains(&(AssignmentKind::Eligible, None)));
    assert_eq!(
        by_name(&data, "member@x.com").roles.len(),
        1,
        "nested group membership expands (cycle-safe)"
    );
    let app = by_name(&data, "backup-job");
    assert_eq!(app.kind, Kind::Workload);
    assert_eq!(app.roles.len(), 1);
    let creds: Vec<_> = app
        .credentials
        .iter()
        .map(|c| (c.id.as_str(), c.kind))
        .collect();
    assert_eq!(
        creds,
        vec![
            ("k1", CredentialKind::ClientSecret),
            ("k2", CredentialKind::Certificate)
        ]
    );
    assert_eq!(
        app.owners.as_ref().unwrap()[0].enabled,
        Some(false),
        "owner's state comes from users.json"
    );
    assert_eq!(by_name(&data, "Copilot agent").kind, Kind::Agent);
    assert!(
        data.identities
            .iter()
            .all(|i| i.display_name.as_deref() != Some("Microsoft Graph")),
        "first-party SPs are not client identities"
    );
    assert!(
        data.warnings.iter().any(|w| w.contains("first-party")),
        "and the skip is reported, not silent"
    );
    let dump = serde_json::to_string(&data.identities).unwrap();
    assert!(
        !dump.contains("SUPER-SECRET-VALUE"),
        "secret material never enters the model"
    );
}

#[test]
fn entra_bad_inputs_are_located_errors() {
    let cases: &[(&str, &str, Option<u64>, Option<&str>)] = &[
        (
            "[{\"id\":\"1\",\"userPrincipalName\":",
            "malformed JSON",
            None,
            None,
        ),
        ("\u{0}\u{1}garbage", "malformed JSON", None, None),
        (
            r##"[{"userPrincipalName":"a@x.com"}]"##,
            "missing required field",
            Some(1),
            Some("id"),
        ),
        (
            r##"[{"id":"1","accountEnabled":"maybe"}]"##,
            "expected a boolean",
            Some(1),
            Some("accountEnabled"),
        ),
        (
            r##"[{"id":"1"},{"id":"2","createdDateTime":"last tuesday"}]"##,
            "not an ISO 8601",
            Some(2),
            Some("createdDateTime"),
        ),
        (
            r##"[{"id":"1","signInActivity":"Microsoft.Graph.PowerShell.Models.MicrosoftGraphSignInActivity"}]"##,
            "PowerShell type name",
            Some(1),
            Some("signInActivity"),
        ),
        (
            r##"[{"id":"1"},{"id":"1"}]"##,
            "duplicate id",
            Some(2),
            Some("id"),
        ),
        (r##"{"odd":1}"##, "page object", None, None),
    ];
    for (text, want, record, field) in cases {
        let d = entra_dir(&[("users.json", text)]);
        let errors = load(d.path(), "entra", "entra", None)
            .err()
            .unwrap_or_else(|| panic!("{text} must fail"));
        let e = &errors[0];
        assert!(e.message.contains(want), "{text}: {e}");
        assert!(e.file.ends_with("entra/users.json"), "{e}");
        assert_eq!(
            (e.record, e.field.as_deref()),
            (*record, *field),
            "{text}: {e}"
        );
    }
    let d = entra_dir(&[]);
    let errors = load(d.path(), "entra", "entra", None).err().unwrap();
    assert!(errors[0].message.contains("required file `users.json`"));
}

// ---------- active directory ----------

const AD_HEADER: &str = "\"SamAccountName\",\"DisplayName\",\"UserPrincipalName\",\"Enabled\",\"whenCreated\",\"LastLogonDate\",\"lastLogonTimestamp\",\"pwdLastSet\",\"PasswordNeverExpires\",\"accountExpires\",\"adminCount\",\"userAccountControl\",\"objectSid\",\"ObjectGUID\",\"servicePrincipalName\",\"MemberOf\"";

fn ad_rows(delim: &str) -> String {
    let rows = [
        "\"jdoe\",\"John Doe\",\"jdoe@contoso.com\",\"True\",\"3/14/2021 9:12:44 AM\",\"1/2/2024 3:04:05 PM\",\"133486814450000000\",\"133449426000000000\",\"False\",\"9223372036854775807\",\"\",\"512\",\"S-1-5-21-1-2-3-1108\",\"6e7b768e-07e2-4810-8459-485f84f8f204\",\"\",\"CN=Domain Admins,CN=Users,DC=contoso,DC=com;CN=VPN Users,OU=Groups,DC=contoso,DC=com\"",
        "\"svc-sql\",\"svc-sql\",\"\",\"True\",\"6/1/2022 12:00:00 PM\",\"\",\"\",\"132985584000000000\",\"True\",\"0\",\"1\",\"66080\",\"S-1-5-21-1-2-3-2301\",\"0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e\",\"MSSQLSvc/sql01.contoso.com:1433\",\"\"",
        "\"jmuller\",\"José Müller\",\"jmuller@contoso.com\",\"False\",\"2/1/2023 8:00:00 AM\",\"\",\"0\",\"0\",\"False\",\"133800768000000000\",\"\",\"514\",\"S-1-5-21-1-2-3-2450\",\"1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9\",\"\",\"\"",
    ];
    let mut text =
        format!("#TYPE Selected.Microsoft.ActiveDirectory.Management.ADUser\r\n{AD_HEADER}\r\n");
    for r in rows {
        text.push_str(r);
        text.push_str("\r\n");
    }
    text.replace("\",\"", &format!("\"{delim}\""))
}

fn check_ad(data: &SourceData) {
    let jdoe = by_name(data, "jdoe@contoso.com");
    assert_eq!(
        jdoe.activity.last_any.quality,
        TimeQuality::Lagged,
        "lastLogonTimestamp lags"
    );
    assert_eq!(
        jdoe.activity.last_any.at.unwrap().to_rfc3339(),
        "2024-01-02T15:04:05+00:00"
    );
    assert_eq!(
        jdoe.created.at.unwrap().to_rfc3339(),
        "2021-03-14T09:12:44+00:00"
    );
    assert_eq!(
        jdoe.account_expires.quality,
        TimeQuality::Never,
        "i64::MAX = never"
    );
    assert_eq!(jdoe.roles.len(), 1);
    assert_eq!(jdoe.roles[0].role_name.as_deref(), Some("Domain Admins"));
    assert_eq!(jdoe.groups.len(), 2, "MemberOf split on ;");
    let svc = by_name(data, "svc-sql");
    assert_eq!(svc.kind, Kind::ServiceAccount);
    assert_eq!(
        svc.password.not_required,
        Some(true),
        "UAC 0x20 PASSWD_NOTREQD"
    );
    assert_eq!(svc.account_expires.quality, TimeQuality::Never, "0 = never");
    assert_eq!(
        svc.activity.last_any.quality,
        TimeQuality::Never,
        "empty lastLogonTimestamp = never"
    );
    let jm = by_name(data, "jmuller@contoso.com");
    assert_eq!(jm.display_name.as_deref(), Some("José Müller"));
    assert_eq!(jm.enabled, Some(false));
    assert_eq!(jm.password.must_change, Some(true), "pwdLastSet 0");
}

#[test]
fn ad_utf8_utf8_bom_and_utf16le_bom_with_comma_or_semicolon() {
    for (bytes, delim) in [
        (ad_rows(",").into_bytes(), ","),
        (
            [b"\xEF\xBB\xBF".as_slice(), ad_rows(",").as_bytes()].concat(),
            ",",
        ),
        (utf16le_bom(&ad_rows(";")), ";"),
        (
            [b"\xEF\xBB\xBF".as_slice(), ad_rows(";").as_bytes()].concat(),
            ";",
        ),
    ] {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("users.csv"), &bytes).unwrap();
        let data = load(d.path(), "active-directory", "users.csv", Some("en-US"))
            .unwrap_or_else(|e| panic!("{delim}: {e:?}"));
        check_ad(&data);
    }
}

#[test]
fn ad_de_de_dates_without_type_line() {
    let text = "SamAccountName;UserPrincipalName;Enabled;whenCreated;LastLogonDate;userAccountControl;ObjectGUID\r\nanna;anna@fabrikam.de;True;02.01.2024 15:04:05;31.10.2026 08:00:00;512;aaaaaaaa-0000-0000-0000-000000000001\r\n";
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("u.csv"), utf16le_bom(text)).unwrap();
    let data = load(d.path(), "active-directory", "u.csv", Some("de-DE")).unwrap();
    let anna = &data.identities[0];
    assert_eq!(
        anna.created.at.unwrap().to_rfc3339(),
        "2024-01-02T15:04:05+00:00"
    );
    assert_eq!(
        anna.activity.last_any.at.unwrap().to_rfc3339(),
        "2026-10-31T08:00:00+00:00"
    );
    assert_eq!(
        anna.privileged, None,
        "no MemberOf column: privilege unknown (normalise decides)"
    );
}

#[test]
fn ad_bad_inputs_are_located_errors() {
    let unflattened = ad_rows(",").replace(
        "\"CN=Domain Admins,CN=Users,DC=contoso,DC=com;CN=VPN Users,OU=Groups,DC=contoso,DC=com\"",
        "\"Microsoft.ActiveDirectory.Management.ADPropertyValueCollection\"",
    );
    /// (file bytes, locale, message part, line, field)
    type Case<'a> = (
        Vec<u8>,
        Option<&'a str>,
        &'a str,
        Option<u64>,
        Option<&'a str>,
    );
    let cases: Vec<Case> = vec![
        (
            unflattened.into_bytes(),
            Some("en-US"),
            "-join ';'",
            Some(3),
            Some("MemberOf"),
        ),
        (
            ad_rows(",").replace("\"512\"", "\"five\"").into_bytes(),
            Some("en-US"),
            "userAccountControl integer",
            Some(3),
            Some("userAccountControl"),
        ),
        (
            ad_rows(",")
                .replace("3/14/2021 9:12:44 AM", "14/3/2021 9:12:44")
                .into_bytes(),
            Some("en-US"),
            "not a valid date",
            Some(3),
            Some("whenCreated"),
        ),
        (
            ad_rows(",").into_bytes(),
            Some("xx-XX"),
            "unknown locale",
            None,
            Some("locale"),
        ),
        (
            b"\"SamAccountName\",\"Enabled\"\r\n\"a\",\"True\"\r\n\"b\"\r\n".to_vec(),
            None,
            "cells but the header has",
            None,
            None,
        ),
        (
            b"\"Title\"\r\n\"x\"\r\n".to_vec(),
            None,
            "no identifying column",
            None,
            Some("ObjectGUID"),
        ),
        (vec![0xFF, 0xFE, 0x00, 0xD8, 0x41], None, "", None, None),
        (Vec::new(), None, "empty CSV", None, None),
    ];
    for (bytes, locale, want, line, field) in cases {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("u.csv"), &bytes).unwrap();
        let errors = load(d.path(), "active-directory", "u.csv", locale)
            .err()
            .unwrap_or_else(|| panic!("{want} must fail"));
        let e = &errors[0];
        assert!(e.message.contains(want), "{want}: {e}");
        assert!(e.file.ends_with("u.csv"));
        if line.is_some() {
            assert_eq!(e.line, line, "{e}");
        }
        if field.is_some() {
            assert_eq!(e.field.as_deref(), field, "{e}");
        }
    }
}

// ---------- aws iam ----------

const AWS_HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

fn aws_report() -> String {
    [
        AWS_HEADER,
        "<root_account>,arn:aws:iam::111122223333:root,2019-01-04T00:00:00+00:00,not_supported,2024-01-02T15:04:05+00:00,not_supported,not_supported,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        "alice,arn:aws:iam::111122223333:user/alice,2021-03-14T09:12:44+00:00,TRUE,2024-01-02T15:04:05+00:00,2023-11-20T08:30:00+00:00,N/A,TRUE,FALSE,N/A,N/A,N/A,N/A,FALSE,N/A,N/A,N/A,N/A,FALSE,N/A,FALSE,N/A",
        "ci-deployer,arn:aws:iam::111122223333:user/automation/ci-deployer,2022-06-01T12:00:00+00:00,false,N/A,N/A,N/A,false,true,2022-06-01T12:05:00+00:00,2024-01-03T07:11:00+00:00,us-east-1,s3,true,2023-01-10T10:00:00Z,N/A,N/A,N/A,true,2023-02-01T00:00:00+00:00,false,N/A",
        "bob,arn:aws:iam::111122223333:user/bob,2023-02-01T08:00:00+00:00,true,no_information,2023-02-01T08:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
    ]
    .join("\n")
        + "\n"
}

#[test]
fn aws_credential_report_sentinels_root_keys_and_certs() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("cr.csv"), aws_report()).unwrap();
    let data = load(d.path(), "aws-iam", "cr.csv", None).unwrap();
    let root = by_name(&data, "<root_account>");
    assert_eq!(root.kind, Kind::Root);
    assert_eq!(
        (root.privileged, root.top_role, root.mfa.registered),
        (Some(true), Some(true), Some(false))
    );
    assert_eq!(root.password.enabled, None, "not_supported is not false");
    assert_eq!(root.alt_ids["account_id"], "111122223333");
    let alice = by_name(&data, "alice");
    assert_eq!(
        (alice.kind, alice.password.enabled, alice.mfa.registered),
        (Kind::Human, Some(true), Some(true)),
        "upper-case booleans"
    );
    assert!(alice.credentials.is_empty(), "N/A keys are no keys");
    assert_eq!(
        alice.privileged, None,
        "the report has no policies: privilege unknown"
    );
    let ci = by_name(&data, "ci-deployer");
    assert_eq!(ci.kind, Kind::ServiceAccount);
    let keys: Vec<_> = ci
        .credentials
        .iter()
        .map(|c| (c.id.as_str(), c.last_used.quality))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("access_key_1", TimeQuality::Exact),
            ("access_key_2", TimeQuality::Never),
            ("cert_1", TimeQuality::Unavailable)
        ]
    );
    assert_eq!(
        ci.credentials[0].last_used_where.as_deref(),
        Some("us-east-1/s3")
    );
    assert_eq!(
        ci.credentials[1].rotated.at.unwrap().to_rfc3339(),
        "2023-01-10T10:00:00+00:00",
        "Z accepted as well as +00:00"
    );
    assert_eq!(ci.credentials[2].kind, CredentialKind::SigningCert);
    let bob = by_name(&data, "bob");
    assert_eq!(
        bob.activity.last_interactive.quality,
        TimeQuality::Never,
        "no_information = never used"
    );
}

#[test]
fn aws_api_json_with_base64_content_is_decoded() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(aws_report());
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("cr.json"), format!("{{\"Content\":\"{b64}\",\"ReportFormat\":\"text/csv\",\"GeneratedTime\":\"2026-11-20T05:00:00Z\"}}")).unwrap();
    assert_eq!(
        load(d.path(), "aws-iam", "cr.json", None)
            .unwrap()
            .identities
            .len(),
        4
    );
}

#[test]
fn aws_bad_inputs_are_located_errors() {
    let missing: String = aws_report()
        .lines()
        .map(|l| format!("{}\n", &l[..l.rfind(',').unwrap()]))
        .collect();
    let cases: Vec<(String, &str, Option<&str>)> = vec![
        (
            missing,
            "missing column `cert_2_last_rotated`",
            Some("cert_2_last_rotated"),
        ),
        (
            aws_report().replace(
                "TRUE,2024-01-02T15:04:05+00:00,2023-11-20",
                "sometimes,2024-01-02T15:04:05+00:00,2023-11-20",
            ),
            "expected true or false",
            Some("password_enabled"),
        ),
        (
            aws_report().replace("2021-03-14T09:12:44+00:00", "14/03/2021"),
            "not an ISO 8601",
            Some("user_creation_time"),
        ),
        (
            aws_report().replace("arn:aws:iam::111122223333:user/bob", "bob-arn"),
            "not an ARN",
            Some("arn"),
        ),
        (
            aws_report()[..300].to_string(),
            "missing column `access_key_2_last_used_date`",
            Some("access_key_2_last_used_date"),
        ),
        (
            aws_report()[..700].to_string(),
            "cells but the header has",
            None,
        ),
        (
            "{\"Content\": 5}".into(),
            "base64 `Content`",
            Some("Content"),
        ),
    ];
    for (text, want, field) in cases {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("cr.csv"), &text).unwrap();
        let errors = load(d.path(), "aws-iam", "cr.csv", None)
            .err()
            .unwrap_or_else(|| panic!("{want} must fail"));
        let e = &errors[0];
        assert!(e.message.contains(want), "{want}: {e}");
        if field.is_some() {
            assert_eq!(e.field.as_deref(), field, "{e}");
        }
    }
}

#[test]
fn no_loader_panics_on_garbage_or_truncation() {
    let seeds: Vec<Vec<u8>> = vec![
        USERS_PAGE.as_bytes().to_vec(),
        ad_rows(";").into_bytes(),
        utf16le_bom(&ad_rows(",")),
        aws_report().into_bytes(),
    ];
    for seed in &seeds {
        for cut in (0..seed.len()).step_by(7) {
            let mut bytes = seed[..cut].to_vec();
            bytes.extend_from_slice(&[0xC3, 0x28, 0xFF, b'"', b',', b'\n', 0x00]);
            let d = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(d.path().join("entra")).unwrap();
            std::fs::write(d.path().join("entra/users.json"), &bytes).unwrap();
            std::fs::write(d.path().join("f.csv"), &bytes).unwrap();
            let _ = load(d.path(), "entra", "entra", None);
            let _ = load(d.path(), "active-directory", "f.csv", Some("en-US"));
            let _ = load(d.path(), "aws-iam", "f.csv", None);
        }
    }
}

#[test]
fn control_characters_from_exports_never_reach_messages() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("u.csv"),
        "SamAccountName,userAccountControl\r\na,\u{1b}[31mfive\u{0}\r\n",
    )
    .unwrap();
    let errors = load(d.path(), "active-directory", "u.csv", None)
        .err()
        .unwrap();
    assert!(
        !errors[0].message.chars().any(|c| c.is_control()),
        "{:?}",
        errors[0].message
    );
    assert!(errors[0].message.contains("\\u{1b}[31mfive"));
}

#[test]
fn entra_portal_never_expiry_is_no_expiry_and_vendor_apps_have_unknown_owners() {
    let users = r#"[{"id":"u1","userPrincipalName":"a@x.com","accountEnabled":true}]"#;
    let apps = r#"[{"id":"ap1","appId":"app-1","displayName":"own-app","passwordCredentials":[{"keyId":"k1","startDateTime":"2024-01-01T00:00:00Z","endDateTime":"2299-12-31T00:00:00Z"}],"owners":[]}]"#;
    let sps = r#"[{"id":"sp1","appId":"app-1","displayName":"own-app","servicePrincipalType":"Application","accountEnabled":true},
                 {"id":"sp2","appId":"vendor-app","displayName":"Zoom","servicePrincipalType":"Application","accountEnabled":true,"appOwnerOrganizationId":"aaaaaaaa-0000-0000-0000-000000000000"}]"#;
    let d = entra_dir(&[
        ("users.json", users),
        ("applications.json", apps),
        ("servicePrincipals.json", sps),
    ]);
    let data = load(d.path(), "entra", "entra", None).unwrap();
    let own = by_name(&data, "own-app");
    assert_eq!(own.credentials[0].expires.quality, TimeQuality::Never);
    assert_eq!(
        own.owners.as_ref().map(Vec::len),
        Some(0),
        "own app with no owners: ownerless"
    );
    assert!(
        by_name(&data, "Zoom").owners.is_none(),
        "a vendor's app: ownership is not in this export"
    );
}

#[test]
fn a_missing_path_names_the_source_and_its_path_key() {
    let d = tempfile::tempdir().unwrap();
    let errors = load(d.path(), "aws-iam", "nope/credential-report.csv", None)
        .err()
        .unwrap();
    assert_eq!(errors[0].field.as_deref(), Some("path"));
    assert!(
        errors[0]
            .message
            .contains("`nope/credential-report.csv` does not exist"),
        "{}",
        errors[0]
    );
}

// ---------- entra: Conditional Access, security defaults, authorization policy ----------

/// Users for the policy tests: a member and the break-glass account the policies exclude.
const POLICY_USERS: &str = r##"{"value":[
 {"id":"11111111-1111-4111-8111-111111111111","userPrincipalName":"ann@contoso.com","accountEnabled":true,"userType":"Member"},
 {"id":"22222222-2222-4222-8222-222222222222","userPrincipalName":"breakglass@contoso.com","accountEnabled":true,"userType":"Member"}
]}"##;

/// One Graph CA policy: `users`, `grant` and `extra` are spliced in as JSON.
fn ca(id: &str, name: &str, state: &str, users: &str, grant: &str, extra: &str) -> String {
    format!(
        r#"{{"id":"{id}","displayName":"{name}","state":"{state}",
 "conditions":{{"users":{users},"applications":{{"includeApplications":["All"],"excludeApplications":[]}},"clientAppTypes":["all"],"signInRiskLevels":[],"userRiskLevels":[],"platforms":null,"locations":null{extra}}},
 "grantControls":{grant},"sessionControls":null}}"#
    )
}

const ALL_USERS: &str = r#"{"includeUsers":["All"],"excludeUsers":["22222222-2222-4222-8222-222222222222"],"includeGroups":[],"excludeGroups":["33333333-3333-4333-8333-333333333333"],"includeRoles":[],"excludeRoles":[]}"#;
const ADMINS_ONLY: &str = r#"{"includeUsers":[],"excludeUsers":[],"includeGroups":[],"excludeGroups":[],"includeRoles":["62e90394-69f5-4237-9190-012177145e10"],"excludeRoles":[]}"#;
const NOBODY: &str = r#"{"includeUsers":["None"],"excludeUsers":[],"includeGroups":[],"excludeGroups":[],"includeRoles":[],"excludeRoles":[]}"#;
const GRANT_MFA: &str =
    r#"{"operator":"OR","builtInControls":["mfa"],"authenticationStrength":null}"#;

fn page(items: &[String]) -> String {
    format!(
        r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies","value":[{}]}}"#,
        items.join(",")
    )
}

fn enforcement(data: &SourceData) -> driftgate::model::MfaEnforcement {
    let facts = std::slice::from_ref(&data.facts);
    driftgate::enforcement::mfa_enforcement(facts, &data.identities, Some("src")).remove(0)
}

#[test]
fn entra_conditional_access_for_all_users_enforces_mfa_and_lists_exclusions() {
    let policies = page(&[
        ca(
            "p1",
            "Require MFA for admins",
            "enabled",
            ADMINS_ONLY,
            GRANT_MFA,
            "",
        ),
        ca(
            "p2",
            "MFA for all (pilot)",
            "enabledForReportingButNotEnforced",
            ALL_USERS,
            GRANT_MFA,
            "",
        ),
        ca("p3", "Parked", "enabled", NOBODY, GRANT_MFA, ""),
        ca(
            "p4",
            "Require MFA for all users",
            "enabled",
            ALL_USERS,
            GRANT_MFA,
            "",
        ),
        ca(
            "p5",
            "MFA off the office network",
            "enabled",
            ALL_USERS,
            GRANT_MFA,
            r#","locations":{"includeLocations":["All"],"excludeLocations":["AllTrusted"]}"#,
        ),
    ]);
    let groups = r##"{"value":[{"id":"33333333-3333-4333-8333-333333333333","displayName":"CA exclusions","members":[{"id":"22222222-2222-4222-8222-222222222222"}]}]}"##;
    let d = entra_dir(&[
        ("users.json", POLICY_USERS),
        ("conditionalAccessPolicies.json", &policies),
        ("groups.json", groups),
    ]);
    let data = load(d.path(), "entra", "entra", None).unwrap();
    assert!(data
        .facts
        .files_read
        .iter()
        .any(|f| f.ends_with("entra/conditionalAccessPolicies.json")));
    assert!(data
        .facts
        .files_missing
        .contains(&"identitySecurityDefaultsEnforcementPolicy.json".to_string()));
    let e = enforcement(&data);
    assert_eq!(e.enforced, Some(true));
    assert_eq!(
        e.mechanism,
        Some(driftgate::model::MfaMechanism::ConditionalAccess)
    );
    assert_eq!(e.policies, ["Require MFA for all users"]);
    let excluded: Vec<(&str, &str, Option<&str>)> = e
        .excluded
        .iter()
        .map(|x| (x.kind.as_str(), x.id.as_str(), x.name.as_deref()))
        .collect();
    assert_eq!(
        excluded,
        [
            (
                "group",
                "33333333-3333-4333-8333-333333333333",
                Some("CA exclusions")
            ),
            (
                "user",
                "22222222-2222-4222-8222-222222222222",
                Some("breakglass@contoso.com")
            ),
        ]
    );
    assert_eq!(e.prov[0].record, 4);
    assert!(e.source_of_truth);
}

#[test]
fn entra_report_only_role_only_none_and_narrowed_policies_do_not_enforce() {
    let policies = page(&[
        ca(
            "p1",
            "Require MFA for admins",
            "enabled",
            ADMINS_ONLY,
            GRANT_MFA,
            "",
        ),
        ca(
            "p2",
            "MFA for all (pilot)",
            "enabledForReportingButNotEnforced",
            ALL_USERS,
            GRANT_MFA,
            "",
        ),
        ca("p3", "Parked", "enabled", NOBODY, GRANT_MFA, ""),
        ca(
            "p5",
            "MFA off the office network",
            "enabled",
            ALL_USERS,
            GRANT_MFA,
            r#","locations":{"includeLocations":["All"],"excludeLocations":["AllTrusted"]}"#,
        ),
        ca(
            "p6",
            "MFA or compliant device",
            "enabled",
            ALL_USERS,
            r#"{"operator":"OR","builtInControls":["mfa","compliantDevice"]}"#,
            "",
        ),
        ca("p7", "Old MFA policy", "disabled", ALL_USERS, GRANT_MFA, ""),
        ca(
            "p11",
            "MFA for guests",
            "enabled",
            r#"{"includeUsers":["GuestsOrExternalUsers"],"excludeUsers":[]}"#,
            GRANT_MFA,
            "",
        ),
    ]);
    let d = entra_dir(&[
        ("users.json", POLICY_USERS),
        ("conditionalAccessPolicies.json", &policies),
    ]);
    let e = enforcement(&load(d.path(), "entra", "entra", None).unwrap());
    assert_eq!(
        e.enforced,
        Some(false),
        "enabled CA policies mean security defaults are off"
    );
    assert_eq!(e.mechanism, None);
    assert_eq!(e.report_only, ["MFA for all (pilot)"]);
    assert_eq!(
        e.partial,
        [
            "Require MFA for admins: directory roles only (admins)",
            "Parked: applies to no user (includeUsers None)",
            "MFA off the office network: only some sign-ins (locations)",
            "MFA or compliant device: MFA is one alternative (OR mfa, compliantDevice)",
            "MFA for guests: guests or external users only",
        ]
    );
    assert!(e.excluded.is_empty());
}

#[test]
fn entra_security_defaults_and_absent_policy_files_are_unknown_not_no() {
    let sd = |on: bool| {
        format!(
            r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy/$entity","id":"00000000-0000-0000-0000-000000000005","displayName":"Security Defaults","isEnabled":{on}}}"#
        )
    };
    let run = |files: &[(&str, &str)]| {
        let mut all = vec![("users.json", POLICY_USERS)];
        all.extend_from_slice(files);
        let d = entra_dir(&all);
        enforcement(&load(d.path(), "entra", "entra", None).unwrap())
    };
    let none = run(&[]);
    assert_eq!(none.enforced, None);
    assert!(none
        .reason
        .as_deref()
        .unwrap()
        .starts_with("neither conditionalAccessPolicies.json"));

    let on = sd(true);
    let e = run(&[("identitySecurityDefaultsEnforcementPolicy.json", &on)]);
    assert_eq!(e.enforced, Some(true));
    assert_eq!(
        e.mechanism,
        Some(driftgate::model::MfaMechanism::SecurityDefaults)
    );
    assert_eq!(e.prov[0].record, 1);

    let off = sd(false);
    let e = run(&[("identitySecurityDefaultsEnforcementPolicy.json", &off)]);
    assert_eq!(e.enforced, None, "a CA policy may still require MFA");
    assert!(e
        .reason
        .as_deref()
        .unwrap()
        .contains("conditionalAccessPolicies.json was not exported"));

    let disabled_only = page(&[ca(
        "p7",
        "Old MFA policy",
        "disabled",
        ALL_USERS,
        GRANT_MFA,
        "",
    )]);
    let e = run(&[("conditionalAccessPolicies.json", &disabled_only)]);
    assert_eq!(e.enforced, None, "security defaults may be on");
    let e = run(&[
        ("conditionalAccessPolicies.json", &disabled_only),
        ("identitySecurityDefaultsEnforcementPolicy.json", &off),
    ]);
    assert_eq!(e.enforced, Some(false));
    let empty = run(&[
        ("conditionalAccessPolicies.json", r#"{"value":[]}"#),
        ("identitySecurityDefaultsEnforcementPolicy.json", &off),
    ]);
    assert_eq!(empty.enforced, Some(false));
}

#[test]
fn entra_policy_exports_in_every_shape_including_graph_powershell() {
    // Get-MgIdentityConditionalAccessPolicy | ConvertTo-Json -Depth 10: PascalCase keys, every
    // condition present and empty, an authentication strength of nulls when none is set.
    let powershell = r#"[{"Id":"p9","DisplayName":"Require MFA for all users","State":"enabled",
 "Conditions":{"Users":{"IncludeUsers":["All"],"ExcludeUsers":["22222222-2222-4222-8222-222222222222"],"IncludeGroups":[],"ExcludeGroups":[],"IncludeRoles":[],"ExcludeRoles":[],
   "IncludeGuestsOrExternalUsers":{"GuestOrExternalUserTypes":null,"ExternalTenants":null},"ExcludeGuestsOrExternalUsers":{"GuestOrExternalUserTypes":"internalGuest,b2bCollaborationGuest","ExternalTenants":{"MembershipKind":"all"}}},
  "Applications":{"IncludeApplications":["All"],"ExcludeApplications":[],"IncludeUserActions":[]},
  "ClientAppTypes":["all"],"Platforms":{"IncludePlatforms":[],"ExcludePlatforms":[]},"Locations":{"IncludeLocations":[],"ExcludeLocations":[]},
  "Devices":{"DeviceFilter":{"Mode":null,"Rule":null},"IncludeDevices":[],"ExcludeDevices":[]},"SignInRiskLevels":[],"UserRiskLevels":[],"ServicePrincipalRiskLevels":[],
  "ClientApplications":{"IncludeServicePrincipals":[],"ExcludeServicePrincipals":[]}},
 "GrantControls":{"Operator":"OR","BuiltInControls":["mfa"],"AuthenticationStrength":{"Id":null,"DisplayName":null,"AllowedCombinations":[]}},
 "SessionControls":null}]"#;
    let strength = ca(
        "p8",
        "Phishing-resistant MFA",
        "enabled",
        ALL_USERS,
        r#"{"operator":"OR","builtInControls":[],"authenticationStrength":{"id":"00000000-0000-0000-0000-000000000004","displayName":"Phishing-resistant MFA","allowedCombinations":["windowsHelloForBusiness","fido2"]}}"#,
        "",
    );
    let shapes = [
        powershell.to_string(),
        format!("[{}]", page(std::slice::from_ref(&strength))),
        format!("[{strength}]"),
        format!("{}\n{}", page(&[]), page(std::slice::from_ref(&strength))),
    ];
    let sd_page = r#"{"value":[{"id":"00000000-0000-0000-0000-000000000005","isEnabled":false}]}"#;
    let auth_ps = r#"{"Id":"authorizationPolicy","AllowInvitesFrom":"adminsAndGuestInviters","DefaultUserRolePermissions":{"AllowedToCreateApps":false,"AllowedToCreateSecurityGroups":false}}"#;
    for shape in &shapes {
        let d = entra_dir(&[
            ("users.json", POLICY_USERS),
            ("conditionalAccessPolicies.json", shape),
            ("identitySecurityDefaultsEnforcementPolicy.json", sd_page),
            ("authorizationPolicy.json", auth_ps),
        ]);
        let data =
            load(d.path(), "entra", "entra", None).unwrap_or_else(|e| panic!("{shape}: {e:?}"));
        let e = enforcement(&data);
        assert_eq!(e.enforced, Some(true), "{shape}");
        let p = data.facts.policies.as_ref().unwrap();
        let a = p.authorization.as_ref().unwrap();
        assert_eq!(
            a.allow_invites_from.as_deref(),
            Some("adminsAndGuestInviters")
        );
        assert_eq!(a.allowed_to_create_apps, Some(false));
        assert_eq!(p.security_defaults.as_ref().map(|s| s.0), Some(false));
    }
    let d = entra_dir(&[
        ("users.json", POLICY_USERS),
        ("conditionalAccessPolicies.json", powershell),
    ]);
    let e = enforcement(&load(d.path(), "entra", "entra", None).unwrap());
    let kinds: Vec<&str> = e.excluded.iter().map(|x| x.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["guests_or_external_users", "user"],
        "empty placeholders narrow nothing"
    );
}

#[test]
fn entra_settings_for_the_baseline_come_from_the_policies() {
    use driftgate::settings::{checks, Baseline, Tenant};
    let block = ca(
        "p10",
        "Block legacy authentication",
        "enabled",
        ALL_USERS,
        r#"{"operator":"OR","builtInControls":["block"]}"#,
        "",
    )
    .replace(
        r#""clientAppTypes":["all"]"#,
        r#""clientAppTypes":["exchangeActiveSync","other"]"#,
    );
    let policies = page(&[
        ca(
            "p4",
            "Require MFA for all users",
            "enabled",
            ALL_USERS,
            GRANT_MFA,
            "",
        ),
        block,
    ]);
    let auth = r#"{"id":"authorizationPolicy","allowInvitesFrom":"everyone","defaultUserRolePermissions":{"allowedToCreateApps":true}}"#;
    let d = entra_dir(&[
        ("users.json", POLICY_USERS),
        ("conditionalAccessPolicies.json", &policies),
        ("authorizationPolicy.json", auth),
    ]);
    let data = load(d.path(), "entra", "entra", None).unwrap();
    let facts = std::slice::from_ref(&data.facts);
    let mfa = driftgate::enforcement::mfa_enforcement(facts, &data.identities, Some("src"));
    let table: toml::Table = toml::from_str(
        "mfa_enforced = true\nsecurity_defaults = false\nlegacy_auth_blocked = true\nguest_invites = \"Everyone\"\nusers_can_create_apps = false\nconditional_access = [\" block LEGACY authentication \"]\ngdap_roles = []",
    )
    .unwrap();
    let baseline = Baseline::parse(&table, "estate.toml", false).unwrap();
    let got = checks(
        &baseline,
        &Tenant {
            source_of_truth: Some("src"),
            sources: facts,
            identities: &data.identities,
            mfa: &mfa,
        },
    );
    let by = |k: &str| got.iter().find(|c| c.setting == k).unwrap();
    assert_eq!(by("mfa_enforced").actual, Some(serde_json::json!(true)));
    assert_eq!(
        by("legacy_auth_blocked").actual_norm,
        Some(serde_json::json!(true))
    );
    assert_eq!(
        by("guest_invites").actual_norm,
        Some(serde_json::json!("everyone"))
    );
    assert_eq!(
        by("guest_invites").expected_norm,
        serde_json::json!("everyone")
    );
    assert_eq!(
        by("users_can_create_apps").actual,
        Some(serde_json::json!(true))
    );
    assert_eq!(
        by("conditional_access").actual_norm,
        Some(serde_json::json!([
            "block legacy authentication",
            "require mfa for all users"
        ]))
    );
    assert_eq!(
        by("conditional_access").expected_norm,
        serde_json::json!(["block legacy authentication"])
    );
    let sd = by("security_defaults");
    assert_eq!(sd.actual, None);
    assert_eq!(
        sd.reason.as_deref(),
        Some("identitySecurityDefaultsEnforcementPolicy.json was not exported")
    );
    assert!(by("gdap_roles")
        .reason
        .as_deref()
        .unwrap()
        .starts_with("no GDAP export reaches this tenant"));
}

#[test]
fn entra_bad_policy_exports_are_located_errors() {
    let good_users = ("users.json", POLICY_USERS);
    type Case<'a> = (&'a str, &'a str, &'a str, Option<u64>, Option<&'a str>);
    let cases: &[Case] = &[
        (
            "conditionalAccessPolicies.json",
            r#"[{"id":"p1","displayName":"x"}]"#,
            "missing required field",
            Some(1),
            Some("state"),
        ),
        (
            "conditionalAccessPolicies.json",
            r#"[{"id":"p0","state":"enabled"},{"id":"p1","state":"enabled","conditions":{"users":{"includeUsers":["All",7]}}}]"#,
            "expected a list of strings",
            Some(2),
            Some("conditions.users.includeUsers"),
        ),
        (
            "conditionalAccessPolicies.json",
            r#"[{"Id":"p1","State":"enabled","Conditions":{"Users":"Microsoft.Graph.PowerShell.Models.MicrosoftGraphConditionalAccessUsers"}}]"#,
            "PowerShell type name",
            Some(1),
            Some("conditions.users"),
        ),
        (
            "conditionalAccessPolicies.json",
            r#"[{"id":"p1","state":"enabled","grantControls":["mfa"]}]"#,
            "expected an object",
            Some(1),
            Some("grantControls"),
        ),
        (
            "conditionalAccessPolicies.json",
            r#"{"value":[{"id":"p1","state":"enabled"}"#,
            "malformed JSON",
            None,
            None,
        ),
        (
            "identitySecurityDefaultsEnforcementPolicy.json",
            r#"{"id":"x","displayName":"Security Defaults"}"#,
            "missing required field",
            Some(1),
            Some("isEnabled"),
        ),
        (
            "identitySecurityDefaultsEnforcementPolicy.json",
            r#"{"isEnabled":"sometimes"}"#,
            "expected a boolean",
            Some(1),
            Some("isEnabled"),
        ),
        (
            "identitySecurityDefaultsEnforcementPolicy.json",
            r#"[{"isEnabled":true},{"isEnabled":false}]"#,
            "expected one policy object, found 2",
            None,
            None,
        ),
        (
            "authorizationPolicy.json",
            r#"{"allowInvitesFrom":"everyone","defaultUserRolePermissions":{"allowedToCreateApps":"maybe"}}"#,
            "expected a boolean",
            Some(1),
            Some("defaultUserRolePermissions.allowedToCreateApps"),
        ),
        (
            "authorizationPolicy.json",
            r#"{"allowInvitesFrom":3}"#,
            "expected a string",
            Some(1),
            Some("allowInvitesFrom"),
        ),
    ];
    for (name, text, want, record, field) in cases {
        let d = entra_dir(&[good_users, (name, text)]);
        let errors = load(d.path(), "entra", "entra", None)
            .err()
            .unwrap_or_else(|| panic!("{text} must fail"));
        let e = &errors[0];
        assert!(e.message.contains(want), "{text}: {e}");
        assert!(e.file.ends_with(&format!("entra/{name}")), "{e}");
        assert_eq!(
            (e.record, e.field.as_deref()),
            (*record, *field),
            "{text}: {e}"
        );
    }
}
