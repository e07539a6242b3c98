//! Provisioning-log loader specs (`entra-audit`, `okta-log`, a `csv` event log): inline exports in
//! the shapes the APIs and tools write, with their quirks, and broken files that must give
//! located errors.

use driftgate::estate::SourceConfig;
use driftgate::load::{load_source, LoadError, SourceData};
use driftgate::model::{ActorType, LogEvent, ProvAction, ProvLog};
use std::collections::BTreeMap;

fn source(kind: &str, path: &str, columns: Option<&[(&str, &str)]>) -> SourceConfig {
    SourceConfig {
        name: "log".into(),
        kind: kind.into(),
        path: path.into(),
        locale: None,
        date_format: None,
        columns: columns.map(|c| {
            c.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>()
        }),
    }
}

/// Load `files` (name, text) placed under `path` (a folder when several, or when `folder`).
fn run(
    kind: &str,
    path: &str,
    files: &[(&str, &str)],
    columns: Option<&[(&str, &str)]>,
) -> Result<SourceData, Vec<LoadError>> {
    let d = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = d.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    load_source(&source(kind, path, columns), d.path(), d.path())
}

fn log(data: &SourceData) -> &ProvLog {
    assert!(data.identities.is_empty(), "a log yields no identity");
    data.log.as_ref().expect("a log source carries its log")
}

fn window(l: &ProvLog) -> (String, String) {
    let w = l.window.as_ref().unwrap();
    let s = |t: &driftgate::model::Ts| t.at.unwrap().to_rfc3339();
    (s(&w.start), s(&w.end))
}

fn by_id<'a>(l: &'a ProvLog, id: &str) -> &'a LogEvent {
    l.events
        .iter()
        .find(|e| e.event.id == id)
        .unwrap_or_else(|| panic!("no event {id}"))
}

/// One record of each kind: an admin adds a user, the HR provisioning app assigns an app role, the
/// Entra Connect sync account adds a user, a failed assignment, an unrelated update, a PIM
/// activation, and an admin adds a member to a role (the role in modifiedProperties).
const AUDITS: &[&str] = &[
    r#"{"id":"add-1","category":"UserManagement","result":"success","activityDisplayName":"Add user",
        "activityDateTime":"2026-11-02T08:00:03.12Z","loggedByService":"Core Directory",
        "initiatedBy":{"app":null,"user":{"id":"0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a","displayName":null,"userPrincipalName":"admin@contoso.com","ipAddress":"203.0.113.24"}},
        "targetResources":[{"id":"5B7E0C2A-1F4D-4E8A-9C3B-2D6F8A1E7C40","displayName":null,"type":"User","userPrincipalName":"Jo.Baker@contoso.com","modifiedProperties":[]}]}"#,
    r#"{"id":"assign-1","category":"ApplicationManagement","result":"success","activityDisplayName":"Add app role assignment grant to user",
        "activityDateTime":"2026-11-02T08:01:07.9930000Z",
        "initiatedBy":{"user":null,"app":{"appId":"6b5a4c3d","displayName":"Contoso HR Provisioning","servicePrincipalId":"0a1b2c3d","servicePrincipalName":null}},
        "targetResources":[
          {"id":"d4c3b2a1","displayName":"Contoso RMM","type":"ServicePrincipal","modifiedProperties":[
            {"displayName":"AppRole.Value","oldValue":null,"newValue":"\"Technician\""},
            {"displayName":"AppRole.DisplayName","oldValue":null,"newValue":"\"RMM Technician\""}]},
          {"id":"5b7e0c2a-1f4d-4e8a-9c3b-2d6f8a1e7c40","displayName":null,"Type":"User","userPrincipalName":"jo.baker@contoso.com","modifiedProperties":[]}]}"#,
    r#"{"id":"sync-1","result":"success","activityDisplayName":"Add user","activityDateTime":"2026-11-03T01:00:00Z",
        "initiatedBy":{"app":null,"user":{"id":"11111111-2222-4333-8444-555555555555","userPrincipalName":"Sync_DC01_1a2b3c4d5e6f@contoso.onmicrosoft.com"}},
        "targetResources":[{"id":"aa","type":"User","userPrincipalName":"ann@contoso.com"}]}"#,
    r#"{"id":"failed-1","result":"failure","resultReason":"Microsoft.Online.DirectoryServices.AuthorizationException",
        "activityDisplayName":"Add app role assignment grant to user","activityDateTime":"2026-10-01T00:00:00Z",
        "initiatedBy":{"user":{"userPrincipalName":"helpdesk@contoso.com"}},
        "targetResources":[{"id":"bb","type":"User","userPrincipalName":"bo@contoso.com"}]}"#,
    r#"{"id":"update-1","result":"success","activityDisplayName":"Update user","activityDateTime":"2026-11-19T16:40:11Z",
        "initiatedBy":{"user":{"userPrincipalName":"admin@contoso.com"}},"targetResources":[]}"#,
    r#"{"id":"pim-1","result":"success","activityDisplayName":"Add member to role completed (PIM activation)",
        "activityDateTime":"2026-11-04T00:00:00Z","initiatedBy":{"user":{"userPrincipalName":"jo.baker@contoso.com"}},
        "targetResources":[{"id":"5b7e0c2a","type":"User","userPrincipalName":"jo.baker@contoso.com"}]}"#,
    r#"{"id":"role-1","result":"success","activityDisplayName":"Add member to role","activityDateTime":"2026-11-05T00:00:00Z",
        "initiatedBy":{"user":{"userPrincipalName":"admin@contoso.com"}},
        "targetResources":[{"id":"5b7e0c2a-1f4d-4e8a-9c3b-2d6f8a1e7c40","type":"User","userPrincipalName":"jo.baker@contoso.com","modifiedProperties":[
          {"displayName":"Role.DisplayName","oldValue":null,"newValue":"\"User Administrator\""},
          {"displayName":"Role.TemplateId","oldValue":null,"newValue":"\"fe930be7-5e62-47db-91af-98c3a49a38b1\""}]}]}"#,
];

fn page(records: &[&str]) -> String {
    format!(
        r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits","value":[{}]}}"#,
        records.join(",")
    )
}

#[test]
fn entra_audit_keeps_successful_creations_and_grants_with_who_did_them() {
    let data = run(
        "entra-audit",
        "audit.json",
        &[("audit.json", &page(AUDITS))],
        None,
    )
    .unwrap();
    let l = log(&data);
    assert_eq!(l.source, "log");
    let ids: Vec<&str> = l.events.iter().map(|e| e.event.id.as_str()).collect();
    assert_eq!(ids, ["add-1", "assign-1", "sync-1", "role-1"]);
    // Every record widens the window, the failed and the unrelated ones too.
    assert_eq!(
        window(l),
        (
            "2026-10-01T00:00:00+00:00".to_string(),
            "2026-11-19T16:40:11+00:00".to_string()
        )
    );
    let add = by_id(l, "add-1");
    assert_eq!(add.event.action, ProvAction::AccountCreated);
    assert_eq!(
        (
            add.event.actor.as_deref(),
            add.event.actor_type,
            add.event.automated
        ),
        (Some("admin@contoso.com"), ActorType::User, Some(false))
    );
    assert_eq!(add.system.as_deref(), Some("entra"));
    assert_eq!(
        add.targets,
        [
            "5b7e0c2a-1f4d-4e8a-9c3b-2d6f8a1e7c40",
            "jo.baker@contoso.com"
        ],
        "keys lower-cased"
    );
    let assign = by_id(l, "assign-1");
    assert_eq!(assign.event.action, ProvAction::AccessGranted);
    assert_eq!(
        (
            assign.event.actor.as_deref(),
            assign.event.actor_type,
            assign.event.automated
        ),
        (Some("Contoso HR Provisioning"), ActorType::App, Some(true))
    );
    assert_eq!(
        assign.grants,
        ["d4c3b2a1", "contoso rmm", "technician", "rmm technician"]
    );
    assert_eq!(assign.targets.len(), 2, "`Type` read like `type`");
    let sync = by_id(l, "sync-1");
    assert_eq!(
        (sync.event.actor_type, sync.event.automated),
        (ActorType::User, Some(true)),
        "the Entra Connect account is the sync engine"
    );
    let role = by_id(l, "role-1");
    assert_eq!(role.event.action, ProvAction::RoleGranted);
    assert_eq!(
        role.grants,
        ["user administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1"]
    );
    assert_eq!(role.event.prov.record, 7);
    assert_eq!(role.event.at.days_ago, None, "aged later, from as_of");
}

#[test]
fn entra_audit_reads_every_page_shape_and_a_folder_of_files() {
    let (a, b) = AUDITS.split_at(3);
    let shapes = [
        format!("[{}]", AUDITS.join(",")),
        format!("[{},{}]", page(a), page(b)),
        format!("{}\n{}\n", page(a), page(b)),
    ];
    for s in &shapes {
        let data = run("entra-audit", "audit.json", &[("audit.json", s)], None).unwrap();
        assert_eq!(log(&data).events.len(), 4, "{s}");
    }
    let data = run(
        "entra-audit",
        "audit",
        &[
            ("audit/2026-11-01.json", &page(a)),
            ("audit/2026-11-02.json", &page(b)),
            ("audit/notes.txt", "not a log"),
        ],
        None,
    )
    .unwrap();
    assert_eq!(log(&data).events.len(), 4);
    assert_eq!(data.facts.files_read.len(), 2);
    assert_eq!(data.facts.identities, 0);
}

#[test]
fn entra_audit_graph_powershell_pascal_case_and_missing_parts() {
    // Get-MgAuditLogDirectoryAudit | ConvertTo-Json -Depth 10 (PowerShell 7): PascalCase keys.
    let ps = r#"[{"ActivityDateTime":"2026-11-06T09:15:00.0000000+00:00","ActivityDisplayName":"Add member to group",
        "Id":"ps-1","Result":"success","Category":"GroupManagement",
        "InitiatedBy":{"App":{"AppId":null,"DisplayName":null,"ServicePrincipalId":null},"User":{"Id":"0d9c","UserPrincipalName":"admin@contoso.com","DisplayName":null}},
        "TargetResources":[{"Id":"cc","Type":"User","UserPrincipalName":"cy@contoso.com","ModifiedProperties":[
          {"DisplayName":"Group.DisplayName","OldValue":null,"NewValue":"\"RMM Users\""}]}],
        "AdditionalProperties":{}},
       {"ActivityDateTime":"2026-11-07T00:00:00Z","ActivityDisplayName":"Add user","Id":"bare-1","Result":"success",
        "InitiatedBy":null,"TargetResources":null},
       {"ActivityDateTime":"2026-11-08T00:00:00Z","ActivityDisplayName":"Add user","Id":"selfservice-1","Result":"success",
        "InitiatedBy":{"app":null,"user":{"id":"00000000-0000-0000-0000-000000000000","displayName":null,"userPrincipalName":null}},
        "TargetResources":[]}]"#;
    let data = run("entra-audit", "a.json", &[("a.json", ps)], None).unwrap();
    let l = log(&data);
    let g = by_id(l, "ps-1");
    assert_eq!(g.event.action, ProvAction::AccessGranted);
    assert_eq!(g.event.automated, Some(false));
    assert_eq!(g.targets, ["cc", "cy@contoso.com"]);
    assert_eq!(g.grants, ["rmm users"]);
    // No initiator and no targets: kept, but it names no one and no actor.
    for id in ["bare-1", "selfservice-1"] {
        let e = by_id(l, id);
        assert!(e.targets.is_empty());
        assert_eq!(
            (
                e.event.actor.as_deref(),
                e.event.actor_type,
                e.event.automated
            ),
            (None, ActorType::Unknown, None)
        );
    }
}

#[test]
fn entra_audit_errors_are_located() {
    // ConvertTo-Json's default -Depth 2 turns nested objects into type names.
    let shallow = r#"[{"Id":"x","ActivityDisplayName":"Add user","ActivityDateTime":"2026-11-07T00:00:00Z","Result":"success",
        "InitiatedBy":{"User":"Microsoft.Graph.PowerShell.Models.MicrosoftGraphUserIdentity"},
        "TargetResources":"Microsoft.Graph.PowerShell.Models.MicrosoftGraphTargetResource[]"}]"#;
    let e = run("entra-audit", "a.json", &[("a.json", shallow)], None)
        .err()
        .expect("must fail");
    assert_eq!(e.len(), 1);
    assert_eq!(
        (e[0].file.as_str(), e[0].record, e[0].field.as_deref()),
        ("a.json", Some(1), Some("InitiatedBy.User"))
    );
    assert!(e[0].message.contains("-Depth 10"), "{}", e[0].message);
    let no_time = r#"{"value":[{"id":"1","activityDisplayName":"Update user"},{"id":"2","activityDisplayName":"Add user","activityDateTime":"yesterday"}]}"#;
    let e = run("entra-audit", "a.json", &[("a.json", no_time)], None)
        .err()
        .expect("must fail");
    let at: Vec<(Option<u64>, Option<&str>)> =
        e.iter().map(|e| (e.record, e.field.as_deref())).collect();
    assert_eq!(
        at,
        [
            (Some(1), Some("activityDateTime")),
            (Some(2), Some("activityDateTime"))
        ]
    );
    let e = run("entra-audit", "a.json", &[("a.json", "[{\"id\":\n")], None)
        .err()
        .expect("must fail");
    assert_eq!(e[0].line, Some(2));
    let e = run("entra-audit", "audit", &[("audit/readme.txt", "x")], None)
        .err()
        .expect("must fail");
    assert!(e[0].message.contains("no .json file"), "{}", e[0].message);
}

/// Okta System Log events as `/api/v1/logs` returns them (a bare array).
const OKTA: &str = r#"[
 {"uuid":"ev-create","published":"2026-11-01T10:00:00.000Z","eventType":"user.lifecycle.create","version":"0","severity":"INFO",
  "displayMessage":"Create Okta user",
  "actor":{"id":"0oa1hrsync","type":"PublicClientApp","alternateId":"Workday provisioning","displayName":"Workday"},
  "outcome":{"result":"SUCCESS","reason":null},
  "target":[{"id":"00u1ada","type":"User","alternateId":"ada@contoso.com","displayName":"Ada Lovelace","detailEntry":null}],
  "transaction":{"id":"Zb1","type":"JOB"}},
 {"uuid":"ev-rule","published":"2026-11-01T10:05:00.000Z","eventType":"group.user_membership.add",
  "actor":{"id":"0oarule","type":"SystemPrincipal","alternateId":"system@okta.com","displayName":"Okta System"},
  "outcome":{"result":"SUCCESS"},
  "target":[{"id":"00u1ada","type":"User","alternateId":"ada@contoso.com"},{"id":"00g1","type":"UserGroup","alternateId":"unknown","displayName":"Finance"}]},
 {"uuid":"ev-app","published":"2026-11-01T10:06:00.000Z","eventType":"application.user_membership.add",
  "actor":{"id":"00uadmin","type":"User","alternateId":"admin@contoso.com","displayName":"Admin"},
  "outcome":{"result":"SUCCESS"},
  "target":[{"id":"0ua1","type":"AppUser","alternateId":"ada.l","displayName":"Ada Lovelace"},
            {"id":"0oaaws","type":"AppInstance","alternateId":"AWS Account Federation","displayName":"AWS"},
            {"id":"00u1ada","type":"User","alternateId":"ada@contoso.com"}]},
 {"uuid":"ev-priv","published":"2026-11-02T00:00:00.000Z","eventType":"user.account.privilege.grant",
  "actor":{"id":"00uadmin","type":"User","alternateId":"admin@contoso.com"},
  "outcome":{"result":"SUCCESS"},
  "target":[{"id":"00u1ada","type":"User","alternateId":"ada@contoso.com"}],
  "debugContext":{"debugData":{"privilegeGranted":"Super administrator, Read only admin"}}},
 {"uuid":"ev-denied","published":"2026-10-15T00:00:00.000Z","eventType":"user.lifecycle.create",
  "actor":{"type":"User","alternateId":"intern@contoso.com"},"outcome":{"result":"FAILURE","reason":"INSUFFICIENT_PERMISSIONS"},
  "target":[{"id":"00u9","type":"User","alternateId":"x@contoso.com"}]},
 {"uuid":"ev-login","published":"2026-11-18T12:00:00.000Z","eventType":"user.session.start",
  "actor":{"type":"User","alternateId":"ada@contoso.com"},"outcome":{"result":"SUCCESS"},"target":[]}
]"#;

#[test]
fn okta_log_reads_lifecycle_membership_and_privilege_events() {
    let data = run(
        "okta-log",
        "okta-log.json",
        &[("okta-log.json", OKTA)],
        None,
    )
    .unwrap();
    let l = log(&data);
    let got: Vec<(&str, ProvAction, ActorType, Option<bool>)> = l
        .events
        .iter()
        .map(|e| {
            (
                e.event.id.as_str(),
                e.event.action,
                e.event.actor_type,
                e.event.automated,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "ev-create",
                ProvAction::AccountCreated,
                ActorType::App,
                Some(true)
            ),
            (
                "ev-rule",
                ProvAction::AccessGranted,
                ActorType::System,
                Some(true)
            ),
            (
                "ev-app",
                ProvAction::AccessGranted,
                ActorType::User,
                Some(false)
            ),
            (
                "ev-priv",
                ProvAction::RoleGranted,
                ActorType::User,
                Some(false)
            ),
        ]
    );
    assert_eq!(
        window(l),
        (
            "2026-10-15T00:00:00+00:00".to_string(),
            "2026-11-18T12:00:00+00:00".to_string()
        )
    );
    let app = by_id(l, "ev-app");
    assert_eq!(app.targets, ["0ua1", "ada.l", "00u1ada", "ada@contoso.com"]);
    assert_eq!(app.grants, ["0oaaws", "aws", "aws account federation"]);
    assert_eq!(
        by_id(l, "ev-priv").grants,
        ["super administrator", "read only admin"]
    );
    assert_eq!(by_id(l, "ev-create").system.as_deref(), Some("okta"));
    assert_eq!(
        by_id(l, "ev-create").event.actor.as_deref(),
        Some("Workday provisioning")
    );
}

#[test]
fn okta_log_reads_siem_ndjson_and_locates_errors() {
    let ndjson: String = serde_json::from_str::<Vec<serde_json::Value>>(OKTA)
        .unwrap()
        .iter()
        .map(|v| v.to_string() + "\n")
        .collect();
    let data = run(
        "okta-log",
        "siem.ndjson.json",
        &[("siem.ndjson.json", &ndjson)],
        None,
    )
    .unwrap();
    assert_eq!(log(&data).events.len(), 4);
    let bad = r#"[{"uuid":"1","eventType":"user.lifecycle.create"},{"uuid":"2","published":"2026-11-01T00:00:00Z","eventType":"user.lifecycle.create","outcome":{"result":"SUCCESS"},"target":{"id":"x"}}]"#;
    let e = run("okta-log", "l.json", &[("l.json", bad)], None)
        .err()
        .expect("must fail");
    let at: Vec<(Option<u64>, Option<&str>)> =
        e.iter().map(|e| (e.record, e.field.as_deref())).collect();
    assert_eq!(
        at,
        [(Some(1), Some("published")), (Some(2), Some("target"))]
    );
}

const TOOL: &str = "\u{feff}When;Account;Account Id;Action;Role;By;By Type;Status\r\n\
2026-11-01 09:00;ada@contoso.com;7781;create user;;hr-sync;service;Succeeded\r\n\
2026-11-01 09:01;ada@contoso.com;7781;assign role;Admin;it-admin;admin;Succeeded\r\n\
2026-10-15 12:00;bo@contoso.com;;create user;;it-admin;admin;Failed\r\n\
2026-11-02 10:00;cy@contoso.com;;create user;;;;Succeeded\r\n";

const TOOL_COLUMNS: &[(&str, &str)] = &[
    ("event_time", "When"),
    ("target", "Account"),
    ("target_id", "Account Id"),
    ("activity", "Action"),
    ("role", "Role"),
    ("actor", "By"),
    ("actor_type", "By Type"),
    ("result", "Status"),
];

#[test]
fn csv_event_log_of_another_provisioning_tool() {
    let mut s = source("csv", "tool.csv", Some(TOOL_COLUMNS));
    s.date_format = Some("%Y-%m-%d %H:%M".into());
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("tool.csv"), TOOL).unwrap();
    let data = load_source(&s, d.path(), d.path()).unwrap();
    let l = log(&data);
    let got: Vec<(&str, ProvAction, Option<bool>, &[String])> = l
        .events
        .iter()
        .map(|e| {
            (
                e.event.activity.as_str(),
                e.event.action,
                e.event.automated,
                e.grants.as_slice(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "create user",
                ProvAction::AccountCreated,
                Some(true),
                &[][..]
            ),
            (
                "assign role",
                ProvAction::RoleGranted,
                Some(false),
                &["admin".to_string()][..]
            ),
            ("create user", ProvAction::AccountCreated, None, &[][..]),
        ]
    );
    let first = &l.events[0];
    assert_eq!(first.targets, ["ada@contoso.com", "7781"]);
    assert_eq!(first.system, None, "a tool's events may concern any system");
    assert_eq!(first.event.id, "line 2");
    assert_eq!(first.event.prov.line, Some(2));
    assert_eq!(
        window(l).0,
        "2026-10-15T12:00:00+00:00",
        "the failed row counts for the window"
    );
}

#[test]
fn csv_event_log_mapping_and_cells_are_checked() {
    let e = run(
        "csv",
        "t.csv",
        &[("t.csv", TOOL)],
        Some(&[("event_time", "When"), ("principal_name", "Account")]),
    )
    .err()
    .expect("must fail");
    let fields: Vec<Option<&str>> = e.iter().map(|e| e.field.as_deref()).collect();
    assert_eq!(fields, [Some("columns.principal_name"), Some("columns")]);
    let e = run(
        "csv",
        "t.csv",
        &[(
            "t.csv",
            "When,Account\n2026-11-01T00:00:00Z,a@x\nsoon,b@x\n,c@x\n",
        )],
        Some(&[("event_time", "When"), ("target", "Account")]),
    )
    .err()
    .expect("must fail");
    let at: Vec<(Option<u64>, Option<&str>)> =
        e.iter().map(|e| (e.line, e.field.as_deref())).collect();
    assert_eq!(
        at,
        [(Some(3), Some("event_time")), (Some(4), Some("event_time"))]
    );
    assert!(
        e[0].message.starts_with("column `When`:"),
        "{}",
        e[0].message
    );
}

#[test]
fn an_empty_log_has_no_window_and_says_so() {
    let data = run("okta-log", "l.json", &[("l.json", "[]")], None).unwrap();
    assert!(log(&data).window.is_none());
    let data = run(
        "okta-log",
        "l.json",
        &[(
            "l.json",
            r#"[{"uuid":"1","published":"2026-11-01T00:00:00Z","eventType":"user.session.start"}]"#,
        )],
        None,
    )
    .unwrap();
    assert!(log(&data).window.is_some());
    assert!(
        data.warnings[0].contains("no successful account creation"),
        "{:?}",
        data.warnings
    );
}
