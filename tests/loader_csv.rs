//! `csv` loader specs: the `[source.columns]` mapping, every value spelling it documents, dates by
//! ISO / `date_format` / `locale`, the mapping errors a user must be able to fix from the message
//! alone, and garbage or truncated files that must give located errors, never panics.

use driftgate::estate::SourceConfig;
use driftgate::load::{load_source, LoadError, SourceData};
use driftgate::model::{Identity, Kind, Status, TimeQuality};
use std::collections::BTreeMap;

fn columns(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
    Some(
        pairs
            .iter()
            .map(|(f, c)| (f.to_string(), c.to_string()))
            .collect(),
    )
}

fn source(cols: Option<BTreeMap<String, String>>) -> SourceConfig {
    SourceConfig {
        name: "rmm".into(),
        kind: "csv".into(),
        path: "rmm-users.csv".into(),
        locale: None,
        date_format: None,
        columns: cols,
    }
}

fn load_with(bytes: &[u8], config: &SourceConfig) -> Result<SourceData, Vec<LoadError>> {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("rmm-users.csv"), bytes).unwrap();
    load_source(config, d.path(), d.path())
}

fn load(text: &str, pairs: &[(&str, &str)]) -> Result<SourceData, Vec<LoadError>> {
    load_with(text.as_bytes(), &source(columns(pairs)))
}

fn first_error(text: &str, config: &SourceConfig) -> LoadError {
    load_with(text.as_bytes(), config)
        .err()
        .unwrap_or_else(|| panic!("must fail: {text}"))
        .remove(0)
}

fn by_name<'a>(data: &'a SourceData, name: &str) -> &'a Identity {
    data.identities
        .iter()
        .find(|i| i.principal_name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no identity {name}"))
}

/// The mapping of the ESTATE.md example.
const ESTATE_MAPPING: &[(&str, &str)] = &[
    ("principal_name", "Email"),
    ("enabled", "Active"),
    ("last_sign_in", "Last Login"),
    ("roles", "Role"),
];

const RMM: &str = "Email,Name,Active,Last Login,Role\r\n\
ana@contoso.com,Ana,Yes,2024-01-02T15:04:05Z,Technician\r\n\
bo@contoso.com,Bo,no,,Administrator;Owner\r\n\
cy@contoso.com,Cy,TRUE,never,\r\n";

#[test]
fn registry_wires_csv_through_load_source() {
    let data = load(RMM, ESTATE_MAPPING).unwrap();
    assert_eq!(data.facts.kind, "csv");
    assert_eq!(data.identities.len(), 3);
    assert!(data.facts.files_read[0].ends_with("rmm-users.csv"));
    let ana = by_name(&data, "ana@contoso.com");
    assert_eq!(ana.source_kind, "csv");
    assert_eq!(ana.reference, "rmm/ana@contoso.com");
    assert_eq!((ana.prov.record, ana.prov.line), (1, Some(2)));
}

#[test]
fn estate_example_mapping_reads_enabled_sign_in_and_roles() {
    let data = load(RMM, ESTATE_MAPPING).unwrap();
    let ana = by_name(&data, "ana@contoso.com");
    assert_eq!((ana.enabled, ana.status), (Some(true), Status::Active));
    assert_eq!(
        ana.activity.last_any.at.unwrap().to_rfc3339(),
        "2024-01-02T15:04:05+00:00"
    );
    assert!(ana.activity.known);
    let bo = by_name(&data, "bo@contoso.com");
    assert_eq!((bo.enabled, bo.status), (Some(false), Status::Disabled));
    assert_eq!(
        bo.roles
            .iter()
            .map(|r| r.role_name.as_deref().unwrap())
            .collect::<Vec<_>>(),
        ["Administrator", "Owner"]
    );
    assert_eq!(
        bo.activity.last_any.quality,
        TimeQuality::Unavailable,
        "an empty cell is unknown, not never"
    );
    let cy = by_name(&data, "cy@contoso.com");
    assert_eq!(cy.activity.last_any.quality, TimeQuality::Never, "`never`");
    assert!(data.facts.capabilities.sign_in);
}

#[test]
fn admin_like_role_names_are_not_guessed_privileged() {
    let data = load(RMM, ESTATE_MAPPING).unwrap();
    let bo = by_name(&data, "bo@contoso.com");
    assert_eq!(bo.privileged, None);
    assert_eq!(bo.top_role, None);
    assert!(bo.roles.iter().all(|r| !r.privileged && !r.top));
    assert!(!data.facts.capabilities.roles);
    assert!(!data.facts.capabilities.top_role_countable);
    assert_eq!(data.facts.top_role_name, None);
}

#[test]
fn unmapped_optional_fields_are_unknown_never_false() {
    let data = load(
        "Login\r\nana@contoso.com\r\n",
        &[("principal_name", "Login")],
    )
    .unwrap();
    let ana = &data.identities[0];
    assert_eq!(ana.enabled, None);
    assert_eq!(ana.status, Status::Unknown);
    assert_eq!(ana.kind, Kind::Unknown);
    assert_eq!(ana.privileged, None);
    assert_eq!(ana.mfa.registered, None);
    assert!(!ana.activity.known);
    assert_eq!(ana.activity.last_any.quality, TimeQuality::Unavailable);
    assert_eq!(ana.created.quality, TimeQuality::Absent);
    assert!(ana.emails.is_empty() && ana.display_name.is_none());
    assert!(!data.facts.capabilities.sign_in);
}

#[test]
fn every_enabled_spelling_in_any_case() {
    let rows = [
        ("true", true),
        ("FALSE", false),
        ("Yes", true),
        ("NO", false),
        ("1", true),
        ("0", false),
        ("Active", true),
        ("inactive", false),
        ("ENABLED", true),
        ("Disabled", false),
    ];
    let mut text = String::from("User,On\n");
    for (i, (v, _)) in rows.iter().enumerate() {
        text.push_str(&format!("u{i},{v}\n"));
    }
    let data = load(&text, &[("principal_name", "User"), ("enabled", "On")]).unwrap();
    for (i, (v, want)) in rows.iter().enumerate() {
        assert_eq!(by_name(&data, &format!("u{i}")).enabled, Some(*want), "{v}");
    }
}

#[test]
fn every_field_mapped() {
    let text = "Id;Login;Mail;Full Name;HR;Type;State;Seen;Made;Roles;Keys\n\
42;Ana@Contoso.com;\"ana@contoso.com; a.s@contoso.com\";Ana S;E7;Technician;Suspended;2024-01-02 15:04:05;2020-05-01;Admin;\"k-1; k-2\"\n\
43;svc-backup;;Backup;;service account;active;;;;\n";
    let data = load(
        text,
        &[
            ("external_id", "Id"),
            ("principal_name", "Login"),
            ("email", "Mail"),
            ("display_name", "Full Name"),
            ("employee_id", "HR"),
            ("kind", "Type"),
            ("status", "State"),
            ("last_sign_in", "Seen"),
            ("created", "Made"),
            ("roles", "Roles"),
            ("credential_id", "Keys"),
        ],
    )
    .unwrap();
    let ana = by_name(&data, "Ana@Contoso.com");
    assert_eq!(ana.object_id, "42", "external_id is the object id first");
    assert_eq!(ana.alt_ids["external_id"], "42");
    assert_eq!(ana.principal_name_norm.as_deref(), Some("ana@contoso.com"));
    assert_eq!(ana.emails, ["ana@contoso.com", "a.s@contoso.com"]);
    assert_eq!(ana.display_name.as_deref(), Some("Ana S"));
    assert_eq!(ana.employment.employee_id.as_deref(), Some("E7"));
    assert_eq!(ana.kind, Kind::Technician);
    assert_eq!(
        (ana.status, ana.enabled, ana.status_raw.as_deref()),
        (Status::Suspended, Some(false), Some("Suspended")),
        "enabled follows status when only status is mapped"
    );
    assert_eq!(ana.activity.last_any.quality, TimeQuality::Local);
    assert_eq!(
        ana.created.at.unwrap().to_rfc3339(),
        "2020-05-01T00:00:00+00:00"
    );
    assert_eq!(
        ana.credentials
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>(),
        ["k-1", "k-2"]
    );
    assert_eq!(ana.credentials[0].expires.quality, TimeQuality::Absent);
    let svc = by_name(&data, "svc-backup");
    assert_eq!(svc.kind, Kind::ServiceAccount);
    assert_eq!((svc.status, svc.enabled), (Status::Active, Some(true)));
    assert!(svc.credentials.is_empty() && svc.roles.is_empty());
}

#[test]
fn object_id_falls_back_from_external_id_to_principal_name_to_email() {
    let text = "Id,Login,Mail\n,Bo@X.com,\n,,Cy@X.com\n7,,\n";
    let data = load(
        text,
        &[
            ("external_id", "Id"),
            ("principal_name", "Login"),
            ("email", "Mail"),
        ],
    )
    .unwrap();
    let ids: Vec<&str> = data
        .identities
        .iter()
        .map(|i| i.object_id.as_str())
        .collect();
    assert_eq!(ids, ["bo@x.com", "cy@x.com", "7"]);
    assert_eq!(
        data.identities[1].principal_name, None,
        "an email is not made a principal name"
    );
}

#[test]
fn status_spellings_and_unknown_status_kept_raw() {
    let text = "U,S\na,ACTIVE\nb,locked_out\nc,Pending Invite\nd,deprovisioned\ne,On leave\n";
    let data = load(text, &[("principal_name", "U"), ("status", "S")]).unwrap();
    let s = |n: &str| by_name(&data, n).status;
    assert_eq!(s("a"), Status::Active);
    assert_eq!(s("b"), Status::Locked);
    assert_eq!(s("c"), Status::PendingInvite);
    assert_eq!(s("d"), Status::Deprovisioned);
    let e = by_name(&data, "e");
    assert_eq!(
        (e.status, e.enabled, e.status_raw.as_deref()),
        (Status::Unknown, None, Some("On leave"))
    );
    assert!(data.warnings.iter().any(|w| w.contains("`On leave`")));
}

#[test]
fn dates_are_iso_by_default_and_a_non_iso_cell_says_how_to_configure() {
    let ok = "U,Seen\na,2024-01-02T17:04:05+02:00\nb,2024-01-02T15:04:05.1234567Z\n";
    let data = load(ok, &[("principal_name", "U"), ("last_sign_in", "Seen")]).unwrap();
    for n in ["a", "b"] {
        let t = &by_name(&data, n).activity.last_any;
        assert_eq!(t.quality, TimeQuality::Exact, "{n}");
        assert!(t
            .at
            .unwrap()
            .to_rfc3339()
            .starts_with("2024-01-02T15:04:05"));
    }
    let e = first_error(
        "U,Seen\na,2024-01-02T15:04:05Z\nb,1/2/2024 3:04 PM\n",
        &source(columns(&[
            ("principal_name", "U"),
            ("last_sign_in", "Seen"),
        ])),
    );
    assert_eq!(
        (e.line, e.record, e.field.as_deref()),
        (Some(3), Some(2), Some("last_sign_in"))
    );
    assert!(e.message.contains("column `Seen`"), "{e}");
    assert!(e.message.contains("`1/2/2024 3:04 PM`"), "{e}");
    assert!(e.message.contains("date_format"), "{e}");
}

#[test]
fn date_format_and_locale_read_their_dates() {
    let mut config = source(columns(&[
        ("principal_name", "U"),
        ("last_sign_in", "Seen"),
    ]));
    config.date_format = Some("%d/%m/%Y %H:%M".into());
    let data = load_with(b"U,Seen\na,02/01/2024 15:04\n", &config).unwrap();
    let t = &data.identities[0].activity.last_any;
    assert_eq!(
        (t.at.unwrap().to_rfc3339().as_str(), t.quality),
        ("2024-01-02T15:04:00+00:00", TimeQuality::Local),
        "no zone in the format: local time"
    );
    config.date_format = None;
    config.locale = Some("de-DE".into());
    let data = load_with(b"U;Seen\na;02.01.2024 15:04:05\n", &config).unwrap();
    assert_eq!(
        data.identities[0]
            .activity
            .last_any
            .at
            .unwrap()
            .to_rfc3339(),
        "2024-01-02T15:04:05+00:00"
    );
    config.locale = Some("en-US".into());
    let data = load_with(b"U,Seen\na,1/2/2024 3:04:05 PM\n", &config).unwrap();
    assert_eq!(
        data.identities[0]
            .activity
            .last_any
            .at
            .unwrap()
            .to_rfc3339(),
        "2024-01-02T15:04:05+00:00"
    );
    config.date_format = Some("%d/%m/%Y".into());
    config.locale = None;
    let e = first_error("U,Seen\na,2024.01.02\n", &config);
    assert!(
        e.message.contains("does not match date_format `%d/%m/%Y`"),
        "{e}"
    );
}

#[test]
fn encodings_preambles_and_delimiters_from_the_shared_layer() {
    let text = "#TYPE System.Management.Automation.PSCustomObject\r\n\"Email\";\"Active\";\"Last Login\";\"Role\"\r\n\"jos\u{e9}@contoso.com\";\"True\";\"\";\"\"\r\n";
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    let data = load_with(&utf16, &source(columns(ESTATE_MAPPING))).unwrap();
    assert_eq!(
        data.identities[0].principal_name.as_deref(),
        Some("jos\u{e9}@contoso.com")
    );
    assert_eq!(data.identities[0].prov.line, Some(3));
    let tabbed = "Email\tActive\na@x.com\tyes\n";
    let data = load(
        tabbed,
        &[("principal_name", "email"), ("enabled", "ACTIVE")],
    )
    .unwrap();
    assert_eq!(
        data.identities[0].enabled,
        Some(true),
        "headers match without regard to case"
    );
}

// ---------- mapping errors ----------

#[test]
fn missing_columns_table_is_a_clear_error() {
    let e = first_error(RMM, &source(None));
    assert_eq!(e.field.as_deref(), Some("columns"));
    assert!(e.message.contains("[source.columns]"), "{e}");
    assert!(e.message.contains("principal_name = \"Email\""), "{e}");
}

#[test]
fn unknown_normalised_field_is_named_with_the_valid_ones() {
    let e = first_error(
        RMM,
        &source(columns(&[
            ("principal_name", "Email"),
            ("last_login", "Last Login"),
        ])),
    );
    assert_eq!(e.field.as_deref(), Some("columns.last_login"));
    assert!(
        e.message.contains("`last_login` is not a normalised field"),
        "{e}"
    );
    assert!(e.message.contains("last_sign_in"), "{e}");
}

#[test]
fn mapped_column_not_in_file_names_field_column_and_headers() {
    let e = first_error(
        RMM,
        &source(columns(&[
            ("principal_name", "Email"),
            ("enabled", "Enabled"),
        ])),
    );
    assert_eq!((e.line, e.field.as_deref()), (Some(1), Some("enabled")));
    assert!(e.message.contains("column `Enabled`"), "{e}");
    assert!(
        e.message
            .contains("columns present: Email, Name, Active, Last Login, Role"),
        "{e}"
    );
}

#[test]
fn an_identity_needs_principal_name_email_or_external_id() {
    let e = first_error(RMM, &source(columns(&[("display_name", "Name")])));
    assert_eq!(e.field.as_deref(), Some("columns"));
    assert!(
        e.message
            .contains("at least one of principal_name, email or external_id"),
        "{e}"
    );
    let e = first_error(
        "Email,Name\n,Nobody\n",
        &source(columns(&[("email", "Email"), ("display_name", "Name")])),
    );
    assert_eq!(
        (e.line, e.record, e.field.as_deref()),
        (Some(2), Some(1), Some("email"))
    );
    assert!(
        e.message.contains("no value for any identifying field"),
        "{e}"
    );
}

#[test]
fn bad_config_values_name_their_key() {
    let mut config = source(columns(ESTATE_MAPPING));
    config.date_format = Some("%Y-%Q".into());
    assert_eq!(
        first_error(RMM, &config).field.as_deref(),
        Some("date_format")
    );
    config.date_format = None;
    config.locale = Some("tlh-KLINGON".into());
    let e = first_error(RMM, &config);
    assert_eq!(e.field.as_deref(), Some("locale"));
    assert!(e.message.contains("unknown locale"), "{e}");
    let e = first_error(RMM, &source(columns(&[("principal_name", " ")])));
    assert_eq!(e.field.as_deref(), Some("columns.principal_name"));
}

#[test]
fn cells_that_do_not_parse_name_file_line_field_and_value() {
    let cases: &[(&str, &str, &str, u64)] = &[
        ("Active", "maybe", "`maybe` is not a boolean", 3),
        ("Last Login", "soon", "`soon` is not ISO 8601", 3),
        ("Role", "System.Object[]", ".NET type name", 3),
    ];
    for (column, value, want, line) in cases {
        let text = format!(
            "Email,Active,Last Login,Role\na@x.com,yes,,\nb@x.com,{}\n",
            {
                let mut cells = ["no", "", ""];
                let at = ["Active", "Last Login", "Role"]
                    .iter()
                    .position(|c| c == column)
                    .unwrap();
                cells[at] = value;
                cells.join(",")
            }
        );
        let e = first_error(&text, &source(columns(ESTATE_MAPPING)));
        assert!(e.file.ends_with("rmm-users.csv"), "{e}");
        assert_eq!(e.line, Some(*line), "{e}");
        let field = ESTATE_MAPPING.iter().find(|(_, c)| c == column).unwrap().0;
        assert_eq!(e.field.as_deref(), Some(field), "{e}");
        assert!(e.message.contains(want), "{e}");
    }
    let e = first_error(
        "U,Type\na,robot\n",
        &source(columns(&[("principal_name", "U"), ("kind", "Type")])),
    );
    assert_eq!((e.line, e.field.as_deref()), (Some(2), Some("kind")));
    assert!(e.message.contains("`robot` is not a kind"), "{e}");
}

#[test]
fn duplicate_accounts_are_reported_not_merged() {
    let e = first_error(
        "Email\na@x.com\nA@X.com\n",
        &source(columns(&[("principal_name", "Email")])),
    );
    assert_eq!((e.line, e.field.as_deref()), (Some(3), Some("id")));
    assert!(e.message.contains("duplicate id"), "{e}");
}

// ---------- robustness ----------

#[test]
fn garbage_and_truncation_never_panic_and_always_locate() {
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(RMM.encode_utf16().flat_map(|u| u.to_le_bytes()));
    for seed in [RMM.as_bytes().to_vec(), utf16] {
        for cut in 0..seed.len() {
            let mut bytes = seed[..cut].to_vec();
            bytes.extend_from_slice(&[0xC3, 0x28, 0xFF, b'"', b',', b'\n', 0x00]);
            if let Err(errors) = load_with(&bytes, &source(columns(ESTATE_MAPPING))) {
                for e in errors {
                    assert!(e.file.ends_with("rmm-users.csv"), "cut {cut}: {e}");
                    assert!(
                        e.line.is_some() || e.message.contains("CSV"),
                        "cut {cut}: unlocated {e}"
                    );
                }
            }
        }
    }
    let e = first_error("", &source(columns(ESTATE_MAPPING)));
    assert!(e.message.contains("empty CSV"), "{e}");
}
