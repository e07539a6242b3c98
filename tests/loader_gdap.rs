//! `gdap` loader specs: one test per quirk of export-formats.md §2 (nested or separate access
//! assignments, ISO 8601 durations, auto-extension, statuses, customer ids, unknown role ids),
//! inline exports in Graph's shapes, and garbage or truncated files that must give located
//! errors, never panics.

use driftgate::estate::SourceConfig;
use driftgate::load::gdap::duration_days;
use driftgate::load::{load_source, LoadError, SourceData};
use driftgate::model::{AssignmentKind, Identity, Kind, Status, TimeQuality};

const RELS: &str = "delegatedAdminRelationships.json";
const ASSIGN: &str = "delegatedAdminAccessAssignments.json";
const GA: &str = "62e90394-69f5-4237-9190-012177145e10";
const HELPDESK: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
const READERS: &str = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b";

fn gdap(files: &[(&str, &[u8])]) -> Result<SourceData, Vec<LoadError>> {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("msp/gdap")).unwrap();
    for (name, bytes) in files {
        std::fs::write(d.path().join("msp/gdap").join(name), bytes).unwrap();
    }
    let source = SourceConfig {
        name: "gdap".into(),
        kind: "gdap".into(),
        path: "msp/gdap".into(),
        locale: None,
        date_format: None,
        columns: None,
    };
    load_source(&source, d.path(), d.path())
}

fn ok(files: &[(&str, &str)]) -> SourceData {
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    gdap(&files).unwrap_or_else(|e| panic!("{e:?}"))
}

fn errors(files: &[(&str, &str)]) -> Vec<LoadError> {
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    gdap(&files).err().expect("must fail")
}

fn rel<'a>(data: &'a SourceData, id: &str) -> &'a Identity {
    data.identities
        .iter()
        .find(|i| i.object_id == id)
        .unwrap_or_else(|| panic!("no relationship {id}"))
}

/// A relationship in Graph's shape, with the given status, duration and roles.
fn relationship(id: &str, status: &str, duration: &str, roles: &[&str]) -> String {
    let roles: Vec<String> = roles
        .iter()
        .map(|r| format!(r#"{{"roleDefinitionId":"{r}"}}"#))
        .collect();
    format!(
        r##"{{"@odata.type":"#microsoft.graph.delegatedAdminRelationship","id":"{id}","displayName":"GDAP {id}",
  "duration":"{duration}","autoExtendDuration":"PT0S","status":"{status}",
  "createdDateTime":"2024-01-02T10:00:00.1234567Z","activatedDateTime":"2024-01-03T11:22:33.7654321Z",
  "endDateTime":"2026-01-02T11:22:33.7654321Z",
  "customer":{{"tenantId":"tenant-{id}","displayName":"Customer {id}"}},
  "accessDetails":{{"unifiedRoles":[{}]}}}}"##,
        roles.join(",")
    )
}

fn page(records: &[String]) -> String {
    format!(
        r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#tenantRelationships/delegatedAdminRelationships","value":[{}]}}"#,
        records.join(",\n")
    )
}

/// The sample of export-formats.md §2: Contoso, two roles (one of them Global Administrator),
/// its access assignments nested.
const CONTOSO: &str = r##"{ "value": [ {
  "@odata.type": "#microsoft.graph.delegatedAdminRelationship",
  "@odata.etag": "W/\"JyIwMzAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAnIg==\"",
  "id": "5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-9e98-a3205431b836",
  "displayName": "Contoso-GDAP-2024",
  "duration": "P730D",
  "autoExtendDuration": "PT0S",
  "status": "active",
  "createdDateTime": "2024-01-02T10:00:00.1234567Z",
  "activatedDateTime": "2024-01-03T11:22:33.7654321Z",
  "lastModifiedDateTime": "2024-01-03T11:22:33.7654321Z",
  "endDateTime": "2026-01-02T11:22:33.7654321Z",
  "customer": { "tenantId": "8777b240-c6f0-4469-9e98-a3205431b836", "displayName": "Contoso Ltd" },
  "accessDetails": { "unifiedRoles": [
    { "roleDefinitionId": "729827e3-9c14-49f7-bb1b-9608f156bbb8" },
    { "roleDefinitionId": "62E90394-69F5-4237-9190-012177145E10" } ] },
  "accessAssignments": [
    { "id": "a2", "status": "active",
      "accessContainer": { "accessContainerId": "ffff0000-0000-0000-0000-00000000000b", "accessContainerType": "securityGroup" },
      "accessDetails": { "unifiedRoles": [ { "roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10" } ] } },
    { "id": "a1", "status": "pending",
      "accessContainer": { "accessContainerId": "bda0bb2d-8c1f-4a2e-9d3b-6f5e4d3c2b1a", "accessContainerType": "securityGroup" },
      "accessDetails": { "unifiedRoles": [ { "roleDefinitionId": "729827e3-9c14-49f7-bb1b-9608f156bbb8" } ] } } ]
} ] }"##;

const CONTOSO_ID: &str =
    "5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-9e98-a3205431b836";

// ---------- the registry ----------

#[test]
fn registry_wires_the_gdap_kind() {
    let data = ok(&[(RELS, CONTOSO)]);
    assert_eq!(data.facts.kind, "gdap");
    assert_eq!(data.identities.len(), 1);
    let c = &data.facts.capabilities;
    assert!(c.roles && !c.sign_in && !c.mfa && !c.top_role_countable);
    assert_eq!(
        c.jit,
        Some(false),
        "GDAP roles are standing for the relationship"
    );
    assert_eq!(
        data.facts.top_role_name, None,
        "relationships are not counted as top admins"
    );
    assert_eq!(
        data.facts.files_read,
        ["msp/gdap/delegatedAdminRelationships.json"]
    );
    let u = rel(&data, CONTOSO_ID);
    assert_eq!(u.reference, format!("gdap/{CONTOSO_ID}"));
    assert_eq!(
        (u.prov.file.as_str(), u.prov.record),
        ("msp/gdap/delegatedAdminRelationships.json", 1)
    );
}

#[test]
fn a_relationship_is_one_delegation_identity() {
    let data = ok(&[(RELS, CONTOSO)]);
    let u = rel(&data, CONTOSO_ID);
    assert_eq!(u.kind, Kind::Delegation);
    assert_eq!(u.source_kind, "gdap");
    assert_eq!(u.display_name.as_deref(), Some("Contoso-GDAP-2024"));
    assert_eq!(u.principal_name, None);
    assert!(!u.non_human);
    assert_eq!((u.status, u.enabled), (Status::Active, Some(true)));
    assert_eq!(u.status_raw.as_deref(), Some("active"));
    assert_eq!(u.clients.ids, ["8777b240-c6f0-4469-9e98-a3205431b836"]);
    assert_eq!(
        u.created.at.unwrap().to_rfc3339(),
        "2024-01-02T10:00:00.123456700+00:00"
    );
    assert_eq!(
        u.account_expires.at.unwrap().to_rfc3339(),
        "2026-01-02T11:22:33.765432100+00:00"
    );
    assert!(!u.activity.known, "a relationship has no sign-ins");
    let d = u.delegation.as_ref().expect("delegation terms");
    assert_eq!(
        d.customer_id.as_deref(),
        Some("8777b240-c6f0-4469-9e98-a3205431b836")
    );
    assert_eq!(d.customer_name.as_deref(), Some("Contoso Ltd"));
    assert_eq!(d.status.as_deref(), Some("active"));
    assert_eq!(
        (d.duration.as_deref(), d.duration_days),
        (Some("P730D"), Some(730))
    );
    assert_eq!(d.auto_extend_days, Some(0));
    assert_eq!(d.ends.at, u.account_expires.at);
}

#[test]
fn roles_are_delegated_with_privileged_and_top_from_the_entra_list() {
    let data = ok(&[(RELS, CONTOSO)]);
    let u = rel(&data, CONTOSO_ID);
    let roles: Vec<(&str, Option<&str>, bool, bool)> = u
        .roles
        .iter()
        .map(|r| {
            (
                r.role_id.as_str(),
                r.role_name.as_deref(),
                r.privileged,
                r.top,
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            (HELPDESK, Some("Helpdesk Administrator"), true, false),
            (GA, Some("Global Administrator"), true, true),
        ],
        "template ids lower-cased, names from the Entra list"
    );
    for r in &u.roles {
        assert_eq!(r.assignment, AssignmentKind::Delegated);
        assert_eq!(r.scope, "/");
        assert_eq!(r.via_group, None);
        assert_eq!(
            r.start.at.unwrap().to_rfc3339(),
            "2024-01-03T11:22:33.765432100+00:00"
        );
        assert_eq!(r.end.at, u.account_expires.at);
        assert_eq!(r.prov, u.prov);
    }
    assert_eq!((u.privileged, u.top_role), (Some(true), Some(true)));
}

#[test]
fn role_names_from_the_export_then_known_names_and_unknown_ids_are_warned() {
    let text = r#"[{"id":"r1","status":"active","customer":{"tenantId":"t1"},
      "accessDetails":{"unifiedRoles":[
        {"roleDefinitionId":"88d8e3e3-8f55-4a1e-953a-9b9898b8876b"},
        {"roleDefinitionId":"0000aaaa-1111-2222-3333-444455556666"},
        {"roleDefinitionId":"1111aaaa-1111-2222-3333-444455556666","displayName":"Custom Helpdesk"},
        {"roleDefinitionId":"88D8E3E3-8F55-4A1E-953A-9B9898B8876B"}]}}]"#;
    let data = ok(&[(RELS, text)]);
    let u = rel(&data, "r1");
    let roles: Vec<(&str, Option<&str>, bool)> = u
        .roles
        .iter()
        .map(|r| (r.role_id.as_str(), r.role_name.as_deref(), r.privileged))
        .collect();
    assert_eq!(
        roles,
        [
            (READERS, Some("Directory Readers"), false),
            ("0000aaaa-1111-2222-3333-444455556666", None, false),
            (
                "1111aaaa-1111-2222-3333-444455556666",
                Some("Custom Helpdesk"),
                false
            ),
        ],
        "one assignment per template id, duplicates in other case folded"
    );
    assert_eq!((u.privileged, u.top_role), (Some(false), Some(false)));
    let w = data.warnings.join("\n");
    assert!(w.contains("`0000aaaa-1111-2222-3333-444455556666`"), "{w}");
    assert!(
        !w.contains("1111aaaa"),
        "a role the export names is not unknown: {w}"
    );
}

#[test]
fn without_access_details_the_roles_are_unknown() {
    let text = page(&[
        relationship("r1", "active", "P730D", &[HELPDESK]),
        r#"{"id":"r2","status":"active","duration":"P730D","customer":{"tenantId":"t2"}}"#.into(),
    ]);
    let data = ok(&[(RELS, &text)]);
    assert!(
        !data.facts.capabilities.roles,
        "not every relationship's roles are known"
    );
    let known = rel(&data, "r1");
    assert_eq!(known.privileged, Some(true));
    let unknown = rel(&data, "r2");
    assert!(unknown.roles.is_empty());
    assert_eq!((unknown.privileged, unknown.top_role), (None, None));
    assert!(data
        .warnings
        .iter()
        .any(|w| w.contains("without `accessDetails`")));
}

#[test]
fn an_empty_role_list_is_a_real_no() {
    let data = ok(&[(RELS, &page(&[relationship("r1", "active", "P30D", &[])]))]);
    let u = rel(&data, "r1");
    assert!(u.roles.is_empty());
    assert_eq!((u.privileged, u.top_role), (Some(false), Some(false)));
}

// ---------- access assignments ----------

#[test]
fn nested_access_assignments_become_access_containers() {
    let data = ok(&[(RELS, CONTOSO)]);
    assert!(
        data.facts.files_missing.is_empty(),
        "{:?}",
        data.facts.files_missing
    );
    let d = rel(&data, CONTOSO_ID).delegation.clone().unwrap();
    let got: Vec<(&str, Vec<&str>, Option<&str>)> = d
        .access_containers
        .iter()
        .map(|c| {
            (
                c.group_id.as_str(),
                c.role_ids.iter().map(String::as_str).collect(),
                c.status.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "bda0bb2d-8c1f-4a2e-9d3b-6f5e4d3c2b1a",
                vec![HELPDESK],
                Some("pending")
            ),
            (
                "ffff0000-0000-0000-0000-00000000000b",
                vec![GA],
                Some("active")
            ),
        ],
        "sorted by group id"
    );
    assert!(d.access_containers.iter().all(|c| c.technicians.is_empty()));
}

#[test]
fn separate_assignments_file_is_joined_by_relationship_id() {
    let rels = page(&[
        relationship("R1", "active", "P730D", &[HELPDESK]),
        relationship("r2", "active", "P730D", &[READERS]),
    ]);
    let assignments = r#"{"value":[
      {"id":"x1","relationshipId":"r1","status":"active",
       "accessContainer":{"accessContainerId":"g-helpdesk","accessContainerType":"securityGroup"},
       "accessDetails":{"unifiedRoles":[{"roleDefinitionId":"729827E3-9C14-49F7-BB1B-9608F156BBB8"}]}},
      {"id":"x2","relationshipId":"r2","status":"deleted",
       "accessContainer":{"accessContainerId":"g-readers"},
       "accessDetails":{"unifiedRoles":[{"roleDefinitionId":"88d8e3e3-8f55-4a1e-953a-9b9898b8876b"}]}},
      {"id":"x3","relationshipId":"gone","status":"active","accessContainer":{"accessContainerId":"g-old"}}
    ]}"#;
    let data = ok(&[(RELS, &rels), (ASSIGN, assignments)]);
    assert_eq!(data.facts.files_read.len(), 2);
    assert!(data.facts.files_missing.is_empty());
    let c1 = &rel(&data, "R1")
        .delegation
        .as_ref()
        .unwrap()
        .access_containers;
    assert_eq!(c1.len(), 1, "relationship ids match without regard to case");
    assert_eq!(
        (c1[0].group_id.as_str(), c1[0].role_ids.as_slice()),
        ("g-helpdesk", &[HELPDESK.to_string()][..])
    );
    let c2 = &rel(&data, "r2")
        .delegation
        .as_ref()
        .unwrap()
        .access_containers;
    assert_eq!(
        c2[0].status.as_deref(),
        Some("deleted"),
        "status kept as written"
    );
    assert!(
        data.warnings
            .iter()
            .any(|w| w.contains("`gone`") && w.contains("relationshipId")),
        "{:?}",
        data.warnings
    );
}

#[test]
fn an_assignment_both_nested_and_in_the_file_counts_once() {
    let file = r#"[{"relationshipId":"5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-9e98-a3205431b836","status":"active",
      "accessContainer":{"accessContainerId":"ffff0000-0000-0000-0000-00000000000b"},
      "accessDetails":{"unifiedRoles":[{"roleDefinitionId":"62e90394-69f5-4237-9190-012177145e10"}]}}]"#;
    let data = ok(&[(RELS, CONTOSO), (ASSIGN, file)]);
    let d = rel(&data, CONTOSO_ID).delegation.clone().unwrap();
    assert_eq!(d.access_containers.len(), 2);
}

#[test]
fn without_any_assignments_the_access_containers_are_unknown() {
    let data = ok(&[(
        RELS,
        &page(&[relationship("r1", "active", "P730D", &[HELPDESK])]),
    )]);
    assert_eq!(data.facts.files_missing.len(), 1);
    assert!(
        data.facts.files_missing[0].starts_with(ASSIGN)
            && data.facts.files_missing[0].contains("access containers unknown"),
        "{:?}",
        data.facts.files_missing
    );
    assert!(rel(&data, "r1")
        .delegation
        .as_ref()
        .unwrap()
        .access_containers
        .is_empty());
}

#[test]
fn some_relationships_without_nested_assignments_are_warned() {
    let mut bare: serde_json::Value =
        serde_json::from_str(&relationship("r2", "active", "P1D", &[])).unwrap();
    bare.as_object_mut().unwrap().remove("accessAssignments");
    let mut nested: serde_json::Value =
        serde_json::from_str(&relationship("r1", "active", "P1D", &[])).unwrap();
    nested["accessAssignments"] = serde_json::json!([]);
    let text = serde_json::json!([nested, bare]).to_string();
    let data = ok(&[(RELS, &text)]);
    assert!(data.facts.files_missing.is_empty());
    assert!(
        data.warnings
            .iter()
            .any(|w| w.contains("1 relationship(s) carry no `accessAssignments`")),
        "{:?}",
        data.warnings
    );
}

#[test]
fn an_assignment_without_relationship_id_or_container_is_a_located_error() {
    let rels = page(&[relationship("r1", "active", "P730D", &[])]);
    let e = errors(&[
        (RELS, &rels),
        (
            ASSIGN,
            r#"[{"status":"active","accessContainer":{"accessContainerId":"g"}}]"#,
        ),
    ]);
    assert_eq!(
        (e[0].record, e[0].field.as_deref()),
        (Some(1), Some("relationshipId"))
    );
    assert!(e[0].file.ends_with(ASSIGN));
    let e = errors(&[
        (RELS, &rels),
        (ASSIGN, r#"[{"relationshipId":"r1","accessContainer":{}}]"#),
    ]);
    assert_eq!(
        e[0].field.as_deref(),
        Some("accessContainer.accessContainerId")
    );
    let e = errors(&[(RELS, &rels), (ASSIGN, r#"[{"relationshipId":"r1"}]"#)]);
    assert_eq!(e[0].field.as_deref(), Some("accessContainer"));
}

// ---------- durations and auto-extension ----------

#[test]
fn iso_8601_durations_in_whole_days() {
    let cases = [
        ("P730D", 730),
        ("P2Y", 730),
        ("P1Y6M", 545),
        ("P2W", 14),
        ("P1D", 1),
        ("P180D", 180),
        ("PT8H", 1),
        ("P1DT12H", 2),
        ("PT0S", 0),
        ("P0D", 0),
        ("PT1440M", 1),
        ("PT86401S", 2),
        ("P0.5D", 1),
        ("PT1,5H", 1),
        ("p90d", 90),
        (" P7D ", 7),
    ];
    for (raw, days) in cases {
        assert_eq!(duration_days(raw), Ok(days), "{raw}");
    }
}

#[test]
fn malformed_durations_are_errors() {
    for raw in [
        "",
        "730",
        "730D",
        "P",
        "PT",
        "P1DT",
        "P1H",
        "PT1D",
        "P1D2Y",
        "P1D1D",
        "PxD",
        "P-1D",
        "-P1D",
        "P1",
        "P1.2.3D",
        "P1DÄ",
        "P99999999999999999999Y",
    ] {
        let e = duration_days(raw).expect_err(raw);
        assert!(e.contains("ISO 8601 duration"), "{raw}: {e}");
    }
}

#[test]
fn a_malformed_duration_in_the_export_names_record_and_field() {
    let text = page(&[
        relationship("r1", "active", "P730D", &[]),
        relationship("r2", "active", "730 days", &[]),
    ]);
    let e = errors(&[(RELS, &text)]);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(
        (e[0].record, e[0].field.as_deref()),
        (Some(2), Some("duration"))
    );
    assert!(e[0].message.contains("`730 days`"), "{}", e[0].message);
    let bad_extend =
        relationship("r1", "active", "P730D", &[]).replace("\"PT0S\"", "\"six months\"");
    let e = errors(&[(RELS, &page(&[bad_extend]))]);
    assert_eq!(e[0].field.as_deref(), Some("autoExtendDuration"));
    let number = relationship("r1", "active", "P730D", &[]).replace("\"P730D\"", "730");
    let e = errors(&[(RELS, &page(&[number]))]);
    assert!(
        e[0].message.contains("expected a string, found a number"),
        "{e:?}"
    );
}

#[test]
fn auto_extension_in_days_and_unknown_when_not_exported() {
    let extend = relationship("r1", "active", "P730D", &[]).replace("\"PT0S\"", "\"P180D\"");
    let none = relationship("r2", "active", "P730D", &[]).replace("\"PT0S\"", "\"P0D\"");
    let missing =
        relationship("r3", "active", "P730D", &[]).replace("\"autoExtendDuration\":\"PT0S\",", "");
    let null = relationship("r4", "active", "P730D", &[]).replace("\"PT0S\"", "null");
    let data = ok(&[(RELS, &page(&[extend, none, missing, null]))]);
    let days = |id| rel(&data, id).delegation.as_ref().unwrap().auto_extend_days;
    assert_eq!(
        [days("r1"), days("r2"), days("r3"), days("r4")],
        [Some(180), Some(0), None, None]
    );
}

#[test]
fn without_a_duration_the_days_come_from_activation_to_end() {
    let text = relationship("r1", "active", "X", &[]).replace("\"duration\":\"X\",", "");
    let data = ok(&[(RELS, &page(&[text]))]);
    let d = rel(&data, "r1").delegation.clone().unwrap();
    assert_eq!((d.duration, d.duration_days), (None, Some(730)));
    let bare = r#"[{"id":"r1","status":"approvalPending","endDateTime":null}]"#;
    let d = rel(&ok(&[(RELS, bare)]), "r1").delegation.clone().unwrap();
    assert_eq!(
        (d.duration_days, d.ends.quality),
        (None, TimeQuality::Absent)
    );
}

// ---------- statuses and customers ----------

#[test]
fn every_relationship_status_maps_to_status_and_enabled() {
    let cases = [
        ("active", Status::Active, Some(true)),
        ("expiring", Status::Active, Some(true)),
        ("terminationRequested", Status::Active, Some(true)),
        ("terminating", Status::Active, Some(true)),
        ("created", Status::Staged, Some(false)),
        ("approvalPending", Status::PendingInvite, Some(false)),
        ("approved", Status::Staged, Some(false)),
        ("activating", Status::Staged, Some(false)),
        ("expired", Status::Expired, Some(false)),
        ("terminated", Status::Deprovisioned, Some(false)),
        ("Terminated", Status::Deprovisioned, Some(false)),
        ("unknownFutureValue", Status::Unknown, None),
    ];
    let records: Vec<String> = cases
        .iter()
        .enumerate()
        .map(|(n, (s, ..))| relationship(&format!("r{n}"), s, "P730D", &[]))
        .collect();
    let data = ok(&[(RELS, &page(&records))]);
    for (n, (raw, status, enabled)) in cases.iter().enumerate() {
        let u = rel(&data, &format!("r{n}"));
        assert_eq!((u.status, u.enabled), (*status, *enabled), "{raw}");
        assert_eq!(u.status_raw.as_deref(), Some(*raw), "kept as written");
        assert_eq!(u.delegation.as_ref().unwrap().status.as_deref(), Some(*raw));
    }
    assert!(data
        .warnings
        .iter()
        .any(|w| w.contains("`unknownFutureValue`") && w.contains("unrecognised")));
    let missing = r#"[{"id":"r1"}]"#;
    let u = ok(&[(RELS, missing)]).identities.remove(0);
    assert_eq!(
        (u.status, u.enabled, u.status_raw),
        (Status::Unknown, None, None)
    );
}

#[test]
fn customer_tenant_id_is_the_client_scope() {
    let pending =
        r#"{"id":"r2","displayName":"Any customer","status":"approvalPending","duration":"P730D"}"#;
    let active =
        r#"{"id":"r3","status":"active","duration":"P730D","customer":{"displayName":"Nameless"}}"#;
    let text = page(&[
        relationship("r1", "active", "P730D", &[]),
        pending.into(),
        active.into(),
    ]);
    let data = ok(&[(RELS, &text)]);
    assert_eq!(rel(&data, "r1").clients.ids, ["tenant-r1"]);
    let d = rel(&data, "r1").delegation.clone().unwrap();
    assert_eq!(
        (d.customer_id.as_deref(), d.customer_name.as_deref()),
        (Some("tenant-r1"), Some("Customer r1"))
    );
    assert!(
        rel(&data, "r2").clients.ids.is_empty(),
        "a request not yet approved names no customer"
    );
    let d = rel(&data, "r3").delegation.clone().unwrap();
    assert_eq!(
        (d.customer_id, d.customer_name.as_deref()),
        (None, Some("Nameless"))
    );
    let w: Vec<&String> = data
        .warnings
        .iter()
        .filter(|w| w.contains("customer.tenantId"))
        .collect();
    assert_eq!(w.len(), 1, "{:?}", data.warnings);
    assert!(
        w[0].contains("1 relationship(s)"),
        "only the active one: {w:?}"
    );
}

// ---------- container shapes and encodings ----------

#[test]
fn every_graph_container_shape_is_read() {
    let one = relationship("r1", "active", "P730D", &[]);
    let two = relationship("r2", "active", "P730D", &[]);
    let shapes = [
        format!("[{one},{two}]"),
        page(&[one.clone(), two.clone()]),
        format!(
            "{}\n{}",
            page(std::slice::from_ref(&one)),
            page(std::slice::from_ref(&two))
        ),
        format!(
            "[{},{}]",
            page(std::slice::from_ref(&one)),
            page(std::slice::from_ref(&two))
        ),
    ];
    for s in &shapes {
        assert_eq!(ok(&[(RELS, s)]).identities.len(), 2, "{s}");
    }
    // PowerShell writes a one-element array as the bare object.
    assert_eq!(ok(&[(RELS, &one)]).identities.len(), 1);
}

#[test]
fn utf16_and_bom_exports_are_decoded() {
    let text =
        page(&[relationship("r1", "active", "P730D", &[])]).replace("Customer r1", "Café Müller");
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    let bom: Vec<u8> = [0xEF, 0xBB, 0xBF].into_iter().chain(text.bytes()).collect();
    for bytes in [utf16, bom] {
        let data = gdap(&[(RELS, &bytes)]).unwrap_or_else(|e| panic!("{e:?}"));
        let d = rel(&data, "r1").delegation.clone().unwrap();
        assert_eq!(d.customer_name.as_deref(), Some("Café Müller"));
    }
}

// ---------- garbage and truncation ----------

#[test]
fn the_relationships_file_is_required() {
    let e = errors(&[(ASSIGN, "[]")]);
    assert!(
        e[0].file.ends_with(RELS) && e[0].message.contains("required"),
        "{e:?}"
    );
}

#[test]
fn an_empty_export_is_no_relationships() {
    let data = ok(&[(RELS, r#"{"value":[]}"#), (ASSIGN, "[]")]);
    assert!(data.identities.is_empty());
    assert!(data.facts.capabilities.roles);
}

#[test]
fn garbage_and_truncated_files_are_located_errors_not_panics() {
    let full = page(&[relationship("r1", "active", "P730D", &[HELPDESK])]);
    let cut = &full[..full.len() / 2];
    let cases: Vec<(&str, String, Option<u64>, Option<&str>)> = vec![
        ("truncated", cut.to_string(), None, None),
        ("not json", "id,status\nr1,active\n".into(), None, None),
        ("empty file", String::new(), None, None),
        ("whitespace", "  \n".into(), None, None),
        ("unknown object", r#"{"relationships":[]}"#.into(), None, None),
        ("a number", "42".into(), None, None),
        ("array of strings", r#"["r1"]"#.into(), Some(1), None),
        ("no id", r#"[{"status":"active"}]"#.into(), Some(1), Some("id")),
        ("id a number", r#"[{"id":7,"status":"active"}]"#.into(), Some(1), Some("id")),
        ("roles not a list", r#"[{"id":"r1","accessDetails":{"unifiedRoles":"Helpdesk"}}]"#.into(), Some(1), Some("accessDetails.unifiedRoles")),
        ("role not an object", r#"[{"id":"r1","accessDetails":{"unifiedRoles":["x"]}}]"#.into(), Some(1), Some("accessDetails.unifiedRoles[0]")),
        ("role without id", r#"[{"id":"r1","accessDetails":{"unifiedRoles":[{},{"x":1}]}}]"#.into(), Some(1), Some("accessDetails.unifiedRoles[0].roleDefinitionId")),
        ("powershell stub", r#"[{"id":"r1","accessDetails":"Microsoft.Graph.PowerShell.Models.MicrosoftGraphDelegatedAdminAccessDetails"}]"#.into(), Some(1), Some("accessDetails")),
        ("customer a string", r#"[{"id":"r1","customer":"Contoso"}]"#.into(), Some(1), Some("customer")),
        ("bad date", r#"[{"id":"r1","endDateTime":"soon"}]"#.into(), Some(1), Some("endDateTime")),
        ("assignments not a list", r#"[{"id":"r1","accessAssignments":{}}]"#.into(), Some(1), Some("accessAssignments")),
        ("nested assignment without group", r#"[{"id":"r1","accessAssignments":[{"accessContainer":{"accessContainerType":"securityGroup"}}]}]"#.into(), Some(1), Some("accessAssignments[0].accessContainer.accessContainerId")),
        ("duplicate id", r#"[{"id":"r1"},{"id":"r1"}]"#.into(), Some(2), Some("id")),
    ];
    for (what, text, record, field) in cases {
        let e = errors(&[(RELS, &text)]);
        assert!(!e.is_empty(), "{what}");
        assert!(e[0].file.ends_with(RELS), "{what}: {e:?}");
        assert_eq!(
            (e[0].record, e[0].field.as_deref()),
            (record, field),
            "{what}: {e:?}"
        );
        assert!(!e[0].message.is_empty(), "{what}");
    }
    let e = errors(&[(RELS, cut)]);
    assert!(
        e[0].line.is_some() && e[0].message.contains("malformed JSON"),
        "{e:?}"
    );
    let e = errors(&[(RELS, &full), (ASSIGN, "[{\"relationshipId\":")]);
    assert!(e[0].file.ends_with(ASSIGN), "{e:?}");
}

#[test]
fn one_bad_record_fails_the_source_and_names_every_bad_record() {
    let text = page(&[
        relationship("r1", "active", "P730D", &[]),
        relationship("r2", "active", "P1X", &[]),
        relationship("r3", "active", "P730D", &[])
            .replace("2024-01-02T10:00:00.1234567Z", "yesterday"),
    ]);
    let e = errors(&[(RELS, &text)]);
    let at: Vec<(Option<u64>, Option<&str>)> =
        e.iter().map(|e| (e.record, e.field.as_deref())).collect();
    assert_eq!(
        at,
        [
            (Some(2), Some("duration")),
            (Some(3), Some("createdDateTime"))
        ]
    );
}

// ---------- end to end ----------

/// Relationships loaded from a tenant's own `gdap` source reach PRIV-007 with their terms.
#[test]
fn loaded_relationships_are_judged_by_priv_007() {
    let d = tempfile::tempdir().unwrap();
    let tenant = d.path().join("tenants/contoso");
    std::fs::create_dir_all(tenant.join("gdap")).unwrap();
    std::fs::write(
        d.path().join("estate.toml"),
        "name = \"GDAP\"\nas_of = 2026-11-20T06:00:00Z\n",
    )
    .unwrap();
    std::fs::write(
        tenant.join("tenant.toml"),
        "id = \"contoso\"\nname = \"Contoso Ltd\"\nstatus = \"active\"\n\n[[source]]\nname = \"gdap\"\nkind = \"gdap\"\npath = \"gdap\"\n",
    )
    .unwrap();
    let extends =
        relationship("rel-extend", "active", "P180D", &[READERS]).replace("\"PT0S\"", "\"P180D\"");
    let text = page(&[
        relationship("rel-ga", "active", "P730D", &[HELPDESK, GA]),
        extends,
        relationship("rel-old", "expired", "P730D", &[GA]),
    ]);
    std::fs::write(tenant.join("gdap").join(RELS), text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_driftgate"))
        .args(["audit", "--format", "json", "--no-out"])
        .arg(d.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let mut got: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "PRIV-007")
        .map(|f| {
            format!(
                "{} {}",
                f["subject"]["ref"].as_str().unwrap(),
                f["key"].as_str().unwrap_or("-")
            )
        })
        .collect();
    got.sort();
    assert_eq!(got, ["gdap/rel-extend auto_extend", "gdap/rel-ga top_role"]);
}
