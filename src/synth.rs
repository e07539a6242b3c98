//! A deterministic synthetic estate for benchmarks: `tenants` × `identities` written in the real
//! export shapes of every source kind driftgate reads (see [`write_estate`]). Same seed ⇒ same
//! bytes. Used by `benches/e2e.rs` and `driftgate synth`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// splitmix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn guid(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }
}

/// "2026-11-20" minus `min` + a random number of days below `spread`, at a time of day from the rng, as RFC 3339.
/// Days since last use, shaped like a live estate: most accounts were used in the last six weeks,
/// a tail (15%) was not, spread over two years.
fn activity_days(rng: &mut Rng) -> u64 {
    if rng.chance(85) {
        rng.below(45)
    } else {
        45 + rng.below(700)
    }
}

fn iso_days_ago(rng: &mut Rng, min: u64, spread: u64) -> String {
    let days = min + if spread > 0 { rng.below(spread) } else { 0 };
    let base = chrono::DateTime::parse_from_rfc3339("2026-11-20T06:00:00Z").expect("constant");
    let t = base
        - chrono::Duration::days(days as i64)
        - chrono::Duration::seconds(rng.below(86_400) as i64);
    t.with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Bumped whenever the generated estate changes, so cached bench estates are rebuilt.
pub const VERSION: u32 = 3;

/// Technicians in the MSP's own directory (the staff source).
const TECHS: usize = 24;

/// Which directory is a tenant's source of truth: the estate rotates through all four.
#[derive(Clone, Copy, PartialEq)]
enum Directory {
    Entra,
    Okta,
    Google,
    JumpCloud,
}

fn directory_of(t: usize) -> Directory {
    match t % 4 {
        0 => Directory::Entra,
        1 => Directory::Okta,
        2 => Directory::Google,
        _ => Directory::JumpCloud,
    }
}

/// The Entra tenant id of client `t` (GDAP names its customers by it).
fn tenant_guid(t: usize) -> String {
    format!("7e000000-0000-4000-8000-{t:012x}")
}

/// NinjaOne organisation id of client `t`.
fn ninja_org(t: usize) -> usize {
    5000 + t
}

fn source_block(name: &str, kind: &str, path: &str, extra: &str) -> String {
    format!("\n[[source]]\nname = \"{name}\"\nkind = \"{kind}\"\npath = \"{path}\"\n{extra}")
}

/// Write an estate of `tenants` tenants with about `identities` identities each under `dir`.
///
/// Every source kind driftgate reads is present. Tenants rotate through four sources of truth
/// (Entra ID with on-prem AD, AWS and the Entra audit log; Okta with its System Log and AWS;
/// Google Workspace with a password vault CSV; JumpCloud with AWS, a vault CSV and a provisioning
/// tool's CSV log). The MSP's own systems (its Entra staff directory, GDAP, ConnectWise, Datto
/// RMM, NinjaOne, IT Glue) sit at estate level and are attributed to tenants.
pub fn write_estate(
    dir: &Path,
    tenants: usize,
    identities: usize,
    seed: u64,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir.join("msp"))?;
    let mut estate = String::from(
        "name = \"Synthetic MSP\"\nas_of = 2026-11-20T06:00:00Z\n\n[msp]\nstaff_source = \"msp-entra\"\n",
    );
    for (name, kind, path) in [
        ("msp-entra", "entra", "msp/entra"),
        ("gdap", "gdap", "msp/gdap"),
        ("psa", "connectwise", "msp/connectwise-members.json"),
        ("rmm", "datto-rmm", "msp/datto-users.json"),
        ("ninja", "ninjaone", "msp/ninjaone-users.json"),
        ("docs", "itglue", "msp/itglue-users.json"),
    ] {
        estate.push_str(&source_block(name, kind, path, ""));
    }
    std::fs::write(dir.join("estate.toml"), estate)?;
    let mut rng = Rng(seed);
    write_msp(&dir.join("msp"), &mut rng, tenants)?;
    for t in 0..tenants {
        let tdir = dir.join("tenants").join(format!("t{t:04}"));
        std::fs::create_dir_all(&tdir)?;
        let directory = directory_of(t);
        let (sot, sot_kind) = match directory {
            Directory::Entra => ("entra", "entra"),
            Directory::Okta => ("okta", "okta"),
            Directory::Google => ("google", "google-workspace"),
            Directory::JumpCloud => ("jumpcloud", "jumpcloud"),
        };
        let mut toml = format!(
            "id = \"t{t:04}\"\nname = \"Tenant {t}\"\nsource_of_truth = \"{sot}\"\ndirectory_ids = [\"{}\", \"{}\"]\n",
            tenant_guid(t),
            ninja_org(t)
        );
        toml.push_str(&source_block(sot, sot_kind, sot, ""));
        let n_side = identities * 15 / 100;
        let n_aws = identities / 20;
        match directory {
            Directory::Entra => {
                std::fs::create_dir_all(tdir.join("entra"))?;
                let n_apps = identities / 20;
                let n_users = identities - n_apps - n_aws - n_side;
                let users = write_entra(&tdir.join("entra"), &mut rng, t, n_users, n_apps)?;
                write_ad(&tdir.join("ad-users.csv"), &mut rng, t, n_side)?;
                write_aws(&tdir.join("credential-report.csv"), &mut rng, t, n_aws)?;
                write_entra_audit(&tdir.join("directoryAudits.json"), &mut rng, &users)?;
                toml.push_str(&source_block(
                    "ad",
                    "active-directory",
                    "ad-users.csv",
                    "locale = \"en-US\"\n",
                ));
                toml.push_str(&source_block("aws", "aws-iam", "credential-report.csv", ""));
                toml.push_str(&source_block(
                    "audit",
                    "entra-audit",
                    "directoryAudits.json",
                    "",
                ));
            }
            Directory::Okta => {
                std::fs::create_dir_all(tdir.join("okta"))?;
                let n_users = identities - n_aws - n_side;
                let users = write_okta(&tdir.join("okta"), &mut rng, t, n_users)?;
                write_aws(&tdir.join("credential-report.csv"), &mut rng, t, n_aws)?;
                write_vault(&tdir.join("vault-users.csv"), &mut rng, t, n_side)?;
                write_okta_log(&tdir.join("okta-log.json"), &mut rng, &users)?;
                toml.push_str(&source_block("aws", "aws-iam", "credential-report.csv", ""));
                toml.push_str(&source_block(
                    "vault",
                    "csv",
                    "vault-users.csv",
                    VAULT_COLUMNS,
                ));
                toml.push_str(&source_block("log", "okta-log", "okta-log.json", ""));
            }
            Directory::Google => {
                std::fs::create_dir_all(tdir.join("google"))?;
                let n_users = identities - n_side;
                write_google(&tdir.join("google/users.json"), &mut rng, t, n_users)?;
                write_vault(&tdir.join("vault-users.csv"), &mut rng, t, n_side)?;
                toml.push_str(&source_block(
                    "vault",
                    "csv",
                    "vault-users.csv",
                    VAULT_COLUMNS,
                ));
            }
            Directory::JumpCloud => {
                std::fs::create_dir_all(tdir.join("jumpcloud"))?;
                let n_vault = n_side / 2;
                let n_users = identities - n_aws - n_vault;
                let users = write_jumpcloud(&tdir.join("jumpcloud"), &mut rng, t, n_users)?;
                write_aws(&tdir.join("credential-report.csv"), &mut rng, t, n_aws)?;
                write_vault(&tdir.join("vault-users.csv"), &mut rng, t, n_vault)?;
                write_tool_log(&tdir.join("provisioning.csv"), &mut rng, &users)?;
                toml.push_str(&source_block("aws", "aws-iam", "credential-report.csv", ""));
                toml.push_str(&source_block(
                    "vault",
                    "csv",
                    "vault-users.csv",
                    VAULT_COLUMNS,
                ));
                toml.push_str(&source_block(
                    "provisioning",
                    "csv",
                    "provisioning.csv",
                    TOOL_COLUMNS,
                ));
            }
        }
        std::fs::write(tdir.join("tenant.toml"), toml)?;
    }
    Ok(())
}

/// `[source.columns]` of the password vault CSV.
const VAULT_COLUMNS: &str = "[source.columns]\nprincipal_name = \"Login\"\ndisplay_name = \"Name\"\nenabled = \"Active\"\nlast_sign_in = \"Last Login\"\nroles = \"Role\"\n";

/// `[source.columns]` of the provisioning tool's event log.
const TOOL_COLUMNS: &str = "[source.columns]\nevent_time = \"When\"\ntarget = \"Account\"\nactivity = \"Action\"\nrole = \"Role\"\nactor = \"By\"\nactor_type = \"By Type\"\nresult = \"Status\"\n";

fn json_write(path: &Path, value: &serde_json::Value) -> std::io::Result<()> {
    let f = std::io::BufWriter::new(std::fs::File::create(path)?);
    serde_json::to_writer(f, value).map_err(std::io::Error::other)
}

/// The MSP's own systems: its Entra directory (technicians, some of whom left), GDAP with one
/// relationship per Entra client, and its PSA, RMMs and documentation platform.
fn write_msp(dir: &Path, rng: &mut Rng, tenants: usize) -> std::io::Result<()> {
    use serde_json::json;
    std::fs::create_dir_all(dir.join("entra"))?;
    std::fs::create_dir_all(dir.join("gdap"))?;
    let techs: Vec<(String, String, bool)> = (0..TECHS)
        .map(|i| (rng.guid(), format!("tech{i}@msp.example"), i % 12 != 5))
        .collect();
    let users: Vec<serde_json::Value> = techs
        .iter()
        .enumerate()
        .map(|(i, (id, upn, enabled))| {
            json!({"id": id, "userPrincipalName": upn, "displayName": format!("Tech {i}"), "mail": upn,
                   "accountEnabled": enabled, "userType": "Member", "createdDateTime": iso_days_ago(rng, 300, 900),
                   "employeeId": format!("M{i}"),
                   "signInActivity": {"lastSignInDateTime": iso_days_ago(rng, 0, 20), "lastNonInteractiveSignInDateTime": null}})
        })
        .collect();
    json_write(&dir.join("entra/users.json"), &json!({"value": users}))?;
    let helpdesk = rng.guid();
    let admins = rng.guid();
    let member =
        |r: &(String, String, bool)| json!({"@odata.type": "#microsoft.graph.user", "id": r.0});
    let groups = json!({"value": [
        {"id": helpdesk, "displayName": "GDAP Helpdesk", "securityEnabled": true,
         "members": techs.iter().take(TECHS - 4).map(member).collect::<Vec<_>>()},
        {"id": admins, "displayName": "GDAP Admins", "securityEnabled": true,
         "members": techs.iter().skip(TECHS - 4).map(member).collect::<Vec<_>>()}]});
    json_write(&dir.join("entra/groups.json"), &groups)?;
    let mut rels = Vec::new();
    for t in (0..tenants).filter(|&t| directory_of(t) == Directory::Entra) {
        let customer = tenant_guid(t);
        let status = if rng.chance(5) { "expired" } else { "active" };
        let mut roles = vec![json!({"roleDefinitionId": "729827e3-9c14-49f7-bb1b-9608f156bbb8"})];
        if rng.chance(20) {
            roles.push(json!({"roleDefinitionId": GA}));
        }
        rels.push(json!({
            "@odata.type": "#microsoft.graph.delegatedAdminRelationship",
            "id": format!("{}-{customer}", rng.guid()), "displayName": format!("GDAP t{t:04}"),
            "duration": "P730D", "autoExtendDuration": if rng.chance(30) { "P180D" } else { "PT0S" },
            "status": status, "createdDateTime": iso_days_ago(rng, 100, 600),
            "activatedDateTime": iso_days_ago(rng, 90, 0), "endDateTime": "2027-06-01T00:00:00Z",
            "customer": {"tenantId": customer, "displayName": format!("Tenant {t}")},
            "accessDetails": {"unifiedRoles": roles},
            "accessAssignments": [
                {"id": format!("h{t}"), "status": "active",
                 "accessContainer": {"accessContainerId": helpdesk, "accessContainerType": "securityGroup"},
                 "accessDetails": {"unifiedRoles": [{"roleDefinitionId": "729827e3-9c14-49f7-bb1b-9608f156bbb8"}]}},
                {"id": format!("a{t}"), "status": "active",
                 "accessContainer": {"accessContainerId": admins, "accessContainerType": "securityGroup"},
                 "accessDetails": {"unifiedRoles": roles}}]
        }));
    }
    json_write(
        &dir.join("gdap/delegatedAdminRelationships.json"),
        &json!({"value": rels}),
    )?;
    // One PSA / RMM / documentation account per technician, plus a departed technician the
    // staff directory no longer lists.
    let logins: Vec<String> = (0..=TECHS).map(|i| format!("tech{i}")).collect();
    let members: Vec<serde_json::Value> = logins
        .iter()
        .enumerate()
        .map(|(i, l)| {
            json!({"id": 100 + i, "identifier": l, "firstName": "Tech", "lastName": format!("{i}"),
                   "officeEmail": format!("{l}@msp.example"), "inactiveFlag": rng.chance(5), "adminFlag": i < 3,
                   "securityRole": {"id": if i < 3 { 1 } else { 12 }, "name": if i < 3 { "Admin" } else { "Technician" }},
                   "licenseClass": "F", "hireDate": "2021-03-01T00:00:00Z", "lastLogin": iso_days_ago(rng, 0, 60)})
        })
        .collect();
    json_write(&dir.join("connectwise-members.json"), &json!(members))?;
    let datto: Vec<serde_json::Value> = logins
        .iter()
        .map(|l| {
            json!({"username": l, "email": format!("{l}@msp.example"), "firstName": "Tech", "lastName": l,
                   "status": "ACTIVE", "disabled": rng.chance(5), "created": 1_615_713_164_000u64 + rng.below(1_000_000_000),
                   "lastAccess": 1_795_000_000_000u64 - rng.below(5_000_000_000)})
        })
        .collect();
    json_write(
        &dir.join("datto-users.json"),
        &json!({"pageDetails": {"count": datto.len(), "nextPageUrl": null}, "users": datto}),
    )?;
    // NinjaOne: technicians (a few see every client) and a handful of client end users each.
    let mut ninja: Vec<serde_json::Value> = logins
        .iter()
        .enumerate()
        .map(|(i, l)| {
            json!({"id": 10 + i, "uid": rng.guid(), "firstName": "Tech", "lastName": l,
                   "email": format!("{l}@msp.example"), "enabled": true, "administrator": i < 2,
                   "permitAllClients": i < 2, "mustChangePw": false, "mfaConfigured": rng.chance(90),
                   "userType": "TECHNICIAN", "invitationStatus": "REGISTERED", "roles": ["Technician"]})
        })
        .collect();
    for t in 0..tenants {
        for u in 0..3 {
            ninja.push(json!({"id": 100_000 + t * 10 + u, "uid": rng.guid(), "firstName": "End", "lastName": format!("User {u}"),
                              "email": format!("user{u}@t{t}.example.com"), "enabled": !rng.chance(10), "administrator": false,
                              "userType": "END_USER", "organizationId": ninja_org(t), "invitationStatus": "REGISTERED",
                              "mfaConfigured": false, "roles": []}));
        }
    }
    json_write(&dir.join("ninjaone-users.json"), &json!(ninja))?;
    let glue: Vec<serde_json::Value> = logins
        .iter()
        .enumerate()
        .map(|(i, l)| {
            json!({"id": format!("{}", i + 1), "type": "users", "attributes": {
                "name": format!("Tech {i}"), "role-name": if i < 3 { "Administrator" } else { "Editor" },
                "email": format!("{l}@msp.example"), "invitation-sent-at": "2020-01-01T00:00:00.000Z",
                "invitation-accepted-at": "2020-01-02T00:00:00.000Z", "current-sign-in-at": iso_days_ago(rng, 0, 40),
                "last-sign-in-at": iso_days_ago(rng, 40, 40), "created-at": "2020-01-01T00:00:00.000Z", "my-glue": false}})
        })
        .collect();
    json_write(
        &dir.join("itglue-users.json"),
        &json!({"data": glue, "meta": {"current-page": 1, "next-page": null, "total-pages": 1, "total-count": TECHS + 1}}),
    )
}

/// A created account of a tenant's directory: (object id, login).
type Created = Vec<(String, String)>;

/// The Entra audit log: most members were created in the covered window, by the HR provisioning
/// app or by hand.
fn write_entra_audit(path: &Path, rng: &mut Rng, users: &Created) -> std::io::Result<()> {
    use serde_json::json;
    let events: Vec<serde_json::Value> = users
        .iter()
        .enumerate()
        .filter_map(|(n, (id, upn))| {
            if !rng.chance(60) {
                return None;
            }
            let by = if rng.chance(75) {
                json!({"app": {"appId": "6b5a4c3d", "displayName": "HR Provisioning", "servicePrincipalId": "0a1b2c3d"}, "user": null})
            } else {
                json!({"app": null, "user": {"id": "0d9c8b7a", "userPrincipalName": "admin@msp.example"}})
            };
            Some(json!({"id": format!("ev{n}"), "category": "UserManagement", "result": "success",
                   "activityDisplayName": "Add user", "activityDateTime": iso_days_ago(rng, 0, 700),
                   "loggedByService": "Core Directory", "initiatedBy": by,
                   "targetResources": [{"id": id, "type": "User", "userPrincipalName": upn, "modifiedProperties": []}]}))
        })
        .collect();
    json_write(path, &json!({"value": events}))
}

/// Okta users (with groups, factors, admin roles and API tokens).
fn write_okta(dir: &Path, rng: &mut Rng, t: usize, n: usize) -> std::io::Result<Created> {
    use serde_json::json;
    let mut users = Vec::with_capacity(n);
    let mut factors = Vec::new();
    let mut roles = Vec::new();
    let mut tokens = Vec::new();
    let mut created = Vec::with_capacity(n);
    for i in 0..n {
        let id = format!("00u{t:04}{i:06}");
        let login = format!("user{i}@t{t}.example.com");
        let status = match rng.below(100) {
            0..=4 => "DEPROVISIONED",
            5..=7 => "SUSPENDED",
            8 => "PROVISIONED",
            _ => "ACTIVE",
        };
        let last = if rng.chance(5) {
            serde_json::Value::Null
        } else {
            let d = activity_days(rng);
            json!(iso_days_ago(rng, d, 0))
        };
        let service = i % 50 == 7;
        users.push(json!({"id": id, "status": status, "created": iso_days_ago(rng, 30, 2000),
            "lastLogin": last, "passwordChanged": iso_days_ago(rng, 0, 400),
            "profile": {"login": login, "email": login, "firstName": "User", "lastName": format!("{i}"),
                        "employeeNumber": format!("E{i}"), "userType": if service { "Service" } else { "Employee" }},
            "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}}}));
        if rng.chance(85) {
            factors.push(json!({"id": format!("opf{t}x{i}"), "userId": id, "factorType": "push", "provider": "OKTA", "status": "ACTIVE"}));
        }
        if i % 40 == 0 {
            let kind = ["SUPER_ADMIN", "ORG_ADMIN", "HELP_DESK_ADMIN"][rng.below(3) as usize];
            roles.push(json!({"id": format!("ra{t}x{i}"), "userId": id, "type": kind, "status": "ACTIVE", "assignmentType": "USER"}));
        }
        if service {
            tokens.push(
                json!({"id": format!("00T{t}x{i}"), "name": "integration", "userId": id,
                "created": iso_days_ago(rng, 0, 500), "expiresAt": "2026-12-20T00:00:00.000Z"}),
            );
        }
        created.push((id, login));
    }
    let everyone: Vec<&String> = created.iter().map(|(id, _)| id).collect();
    let groups = json!([{"id": format!("00g{t}all"), "type": "BUILT_IN", "profile": {"name": "Everyone"}, "members": everyone}]);
    json_write(&dir.join("users.json"), &json!(users))?;
    json_write(&dir.join("groups.json"), &groups)?;
    json_write(&dir.join("factors.json"), &json!(factors))?;
    json_write(&dir.join("roles.json"), &json!(roles))?;
    json_write(&dir.join("apiTokens.json"), &json!(tokens))?;
    Ok(created)
}

/// The Okta System Log: creations and group memberships, by the HR connector or by hand.
fn write_okta_log(path: &Path, rng: &mut Rng, users: &Created) -> std::io::Result<()> {
    use serde_json::json;
    let events: Vec<serde_json::Value> = users
        .iter()
        .enumerate()
        .filter_map(|(n, (id, login))| {
            if !rng.chance(60) {
                return None;
            }
            let actor = if rng.chance(75) {
                json!({"id": "0oa1hrsync", "type": "PublicClientApp", "alternateId": "Workday provisioning", "displayName": "Workday"})
            } else {
                json!({"id": "00uadmin", "type": "User", "alternateId": "admin@msp.example", "displayName": "Admin"})
            };
            Some(json!({"uuid": format!("ev{n}"), "published": iso_days_ago(rng, 0, 700), "eventType": "user.lifecycle.create",
                   "actor": actor, "outcome": {"result": "SUCCESS"},
                   "target": [{"id": id, "type": "User", "alternateId": login}]}))
        })
        .collect();
    json_write(path, &json!(events))
}

/// Google Workspace users from the Admin SDK.
fn write_google(path: &Path, rng: &mut Rng, t: usize, n: usize) -> std::io::Result<()> {
    use serde_json::json;
    let users: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let last = if rng.chance(5) {
                "1970-01-01T00:00:00.000Z".to_string()
            } else {
                let d = activity_days(rng);
                iso_days_ago(rng, d, 0)
            };
            let enrolled = rng.chance(85);
            json!({"kind": "admin#directory#user", "id": format!("1{t:06}{i:014}"),
                   "primaryEmail": format!("user{i}@t{t}.example.com"),
                   "name": {"givenName": "User", "familyName": format!("{i}"), "fullName": format!("User {i}")},
                   "isAdmin": i % 100 == 0, "isDelegatedAdmin": i % 40 == 1, "suspended": rng.chance(8), "archived": false,
                   "creationTime": iso_days_ago(rng, 30, 2000), "lastLoginTime": last,
                   "orgUnitPath": "/Staff", "isEnrolledIn2Sv": enrolled, "isEnforcedIn2Sv": enrolled && rng.chance(90),
                   "externalIds": [{"value": format!("E{i}"), "type": "organization"}]})
        })
        .collect();
    json_write(
        path,
        &json!({"kind": "admin#directory#users", "users": users}),
    )
}

/// JumpCloud system users and one group.
fn write_jumpcloud(dir: &Path, rng: &mut Rng, t: usize, n: usize) -> std::io::Result<Created> {
    use serde_json::json;
    let mut created = Vec::with_capacity(n);
    let users: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let id = format!("5c{t:06}{i:016x}");
            let login = format!("user{i}@t{t}.example.com");
            let suspended = rng.chance(8);
            let mfa = rng.chance(85);
            created.push((id.clone(), login.clone()));
            json!({"_id": id, "id": id, "username": format!("user{i}"), "email": login,
                   "firstname": "User", "lastname": format!("{i}"), "employeeIdentifier": format!("E{i}"),
                   "state": if suspended { "SUSPENDED" } else { "ACTIVATED" }, "activated": true, "suspended": suspended,
                   "account_locked": false, "created": iso_days_ago(rng, 30, 2000), "password_expired": false,
                   "password_never_expires": i % 50 == 3, "enable_user_portal_multifactor": mfa,
                   "mfa": {"configured": mfa, "exclusion": false},
                   "mfaEnrollment": {"overallStatus": if mfa { "ENROLLED" } else { "NOT_ENROLLED" }},
                   "sudo": i % 40 == 0})
        })
        .collect();
    let members: Vec<serde_json::Value> = created
        .iter()
        .step_by(3)
        .map(|(id, _)| json!({"to": {"id": id, "type": "user"}}))
        .collect();
    json_write(
        &dir.join("systemusers.json"),
        &json!({"totalCount": users.len(), "results": users}),
    )?;
    json_write(
        &dir.join("usergroups.json"),
        &json!([{"id": format!("5f{t:022}"), "name": "Staff", "type": "user_group", "members": members}]),
    )?;
    Ok(created)
}

/// A password vault's user list (`csv` with a column mapping): directory members and a few
/// local logins the directory never granted.
fn write_vault(path: &Path, rng: &mut Rng, t: usize, n: usize) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    f.write_all(b"Login,Name,Active,Last Login,Role\r\n")?;
    for i in 0..n {
        let login = if i % 20 == 0 {
            format!("local{i}@vault.t{t}")
        } else {
            format!("user{i}@t{t}.example.com")
        };
        let last = if rng.chance(10) {
            "never".to_string()
        } else {
            let d = activity_days(rng);
            iso_days_ago(rng, d, 0)
        };
        let role = if i % 30 == 0 { "Administrator" } else { "User" };
        write!(
            f,
            "{login},Vault User {i},{},{last},{role}\r\n",
            if rng.chance(8) { "No" } else { "Yes" }
        )?;
    }
    f.flush()
}

/// A provisioning tool's event log (`csv` with an `event_time` mapping).
fn write_tool_log(path: &Path, rng: &mut Rng, users: &Created) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    f.write_all(b"When,Account,Action,Role,By,By Type,Status\r\n")?;
    for (_, login) in users {
        if !rng.chance(60) {
            continue;
        }
        let (by, by_type) = if rng.chance(75) {
            ("hr-sync", "service")
        } else {
            ("it-admin", "admin")
        };
        write!(
            f,
            "{},{login},create user,,{by},{by_type},Succeeded\r\n",
            iso_days_ago(rng, 0, 700)
        )?;
    }
    f.flush()
}

const GA: &str = "62e90394-69f5-4237-9190-012177145e10";
const ROLES: &[&str] = &[
    GA,
    "194ae4cb-b126-40b2-bd5b-6091b380977d",
    "fe930be7-5e62-47db-91af-98c3a49a38b1",
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
];

fn write_entra(
    dir: &Path,
    rng: &mut Rng,
    t: usize,
    n: usize,
    apps: usize,
) -> std::io::Result<Created> {
    let mut users = String::from(
        "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users\",\"value\":[",
    );
    let mut reg = String::from("{\"value\":[");
    let mut assignments = String::from("{\"value\":[");
    let mut eligible = String::from("{\"value\":[");
    let mut group_members = String::new();
    let mut ids = Vec::with_capacity(n);
    let mut created = Vec::with_capacity(n);
    for i in 0..n {
        let id = rng.guid();
        let guest = rng.chance(5);
        let upn = if guest {
            format!("user{i}_ext.com#EXT#@t{t}.onmicrosoft.com")
        } else {
            format!("user{i}@t{t}.example.com")
        };
        let enabled = !rng.chance(8);
        let sign_in = if rng.chance(4) {
            "null".to_string()
        } else {
            let last = {
                let d = activity_days(rng);
                iso_days_ago(rng, d, 0)
            };
            let non = if rng.chance(30) {
                "0001-01-01T00:00:00Z".to_string()
            } else {
                {
                    let d = activity_days(rng);
                    iso_days_ago(rng, d, 0)
                }
            };
            format!("{{\"lastSignInDateTime\":\"{last}\",\"lastSignInRequestId\":\"{}\",\"lastNonInteractiveSignInDateTime\":\"{non}\",\"lastNonInteractiveSignInRequestId\":\"\"}}", rng.guid())
        };
        let sep = if i > 0 { "," } else { "" };
        let _ = write!(
            users,
            "{sep}{{\"id\":\"{id}\",\"userPrincipalName\":\"{upn}\",\"displayName\":\"User {i}\",\"mail\":\"{upn}\",\"accountEnabled\":{enabled},\"userType\":\"{}\",\"createdDateTime\":\"{}\",\"employeeId\":\"E{i}\",\"onPremisesSyncEnabled\":null,\"passwordPolicies\":null,\"signInActivity\":{sign_in}}}",
            if guest { "Guest" } else { "Member" },
            iso_days_ago(rng, 30, 2000),
        );
        let mfa = rng.chance(85);
        let _ = write!(
            reg,
            "{sep}{{\"id\":\"{id}\",\"userPrincipalName\":\"{upn}\",\"userType\":\"{}\",\"isAdmin\":false,\"isMfaRegistered\":{mfa},\"isMfaCapable\":{mfa},\"methodsRegistered\":[{}]}}",
            if guest { "guest" } else { "member" },
            if mfa { "\"microsoftAuthenticatorPush\"" } else { "" }
        );
        created.push((id.clone(), upn.clone()));
        ids.push(id);
    }
    let mut first_a = true;
    let mut first_e = true;
    for (i, id) in ids.iter().enumerate() {
        if i % 40 == 0 || rng.chance(1) {
            let role = ROLES[rng.below(ROLES.len() as u64) as usize];
            let (target, first) = if rng.chance(50) {
                (&mut assignments, &mut first_a)
            } else {
                (&mut eligible, &mut first_e)
            };
            let _ = write!(
                target,
                "{}{{\"id\":\"{}\",\"principalId\":\"{id}\",\"roleDefinitionId\":\"{role}\",\"directoryScopeId\":\"/\",\"startDateTime\":\"{}\",\"endDateTime\":null}}",
                if *first { "" } else { "," },
                rng.guid(),
                iso_days_ago(rng, 100, 0)
            );
            *first = false;
        }
        if i % 10 == 0 {
            let _ = write!(
                group_members,
                "{}{{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"{id}\"}}",
                if group_members.is_empty() { "" } else { "," }
            );
        }
    }
    users.push_str("]}");
    reg.push_str("]}");
    assignments.push_str("]}");
    eligible.push_str("]}");
    let groups = format!("[{{\"value\":[{{\"id\":\"{}\",\"displayName\":\"All staff\",\"securityEnabled\":true,\"members\":[{group_members}]}}]}}]", rng.guid());
    let mut sps = String::from("[");
    let mut app_list = String::from("[");
    for a in 0..apps {
        let app_id = rng.guid();
        let sep = if a > 0 { "," } else { "" };
        let owner = if rng.chance(70) && !ids.is_empty() {
            format!(
                "{{\"id\":\"{}\"}}",
                ids[rng.below(ids.len() as u64) as usize]
            )
        } else {
            String::new()
        };
        let start = iso_days_ago(rng, 0, 900);
        let end = if rng.chance(20) {
            "null".to_string()
        } else {
            format!(
                "\"{}\"",
                iso_days_ago(rng, 0, 400).replacen("2026", "2027", 1)
            )
        };
        let _ = write!(
            app_list,
            "{sep}{{\"id\":\"{}\",\"appId\":\"{app_id}\",\"displayName\":\"app-{a}\",\"createdDateTime\":\"{start}\",\"passwordCredentials\":[{{\"keyId\":\"{}\",\"displayName\":\"s\",\"hint\":\"abc\",\"startDateTime\":\"{start}\",\"endDateTime\":{end},\"secretText\":null}}],\"keyCredentials\":[],\"owners\":[{owner}]}}",
            rng.guid(),
            rng.guid()
        );
        let kind = if rng.chance(10) {
            "ManagedIdentity"
        } else {
            "Application"
        };
        let _ = write!(
            sps,
            "{sep}{{\"id\":\"{}\",\"appId\":\"{app_id}\",\"displayName\":\"app-{a}\",\"servicePrincipalType\":\"{kind}\",\"accountEnabled\":true,\"appOwnerOrganizationId\":\"{}\",\"passwordCredentials\":[],\"keyCredentials\":[]}}",
            rng.guid(),
            rng.guid()
        );
    }
    sps.push(']');
    app_list.push(']');
    for (name, text) in [
        ("users.json", users),
        ("userRegistrationDetails.json", reg),
        ("roleAssignments.json", assignments),
        ("roleEligibilityScheduleInstances.json", eligible),
        ("groups.json", groups),
        ("servicePrincipals.json", sps),
        ("applications.json", app_list),
    ] {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(created)
}

fn filetime_days_ago(rng: &mut Rng, days: u64) -> u64 {
    let unix = 1_795_154_400u64 - days * 86_400 - rng.below(86_400);
    (unix + 11_644_473_600) * 10_000_000
}

fn write_ad(path: &Path, rng: &mut Rng, t: usize, n: usize) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    f.write_all(b"\xEF\xBB\xBF#TYPE Selected.Microsoft.ActiveDirectory.Management.ADUser\r\n")?;
    f.write_all(b"\"SamAccountName\",\"DisplayName\",\"UserPrincipalName\",\"Enabled\",\"whenCreated\",\"lastLogonTimestamp\",\"pwdLastSet\",\"accountExpires\",\"adminCount\",\"userAccountControl\",\"objectSid\",\"ObjectGUID\",\"MemberOf\"\r\n")?;
    for i in 0..n {
        let enabled = !rng.chance(10);
        let uac = 512 | if enabled { 0 } else { 2 } | if rng.chance(2) { 0x20 } else { 0 };
        let member = if rng.chance(3) {
            "CN=Domain Admins,CN=Users,DC=corp,DC=example"
        } else {
            "CN=Staff,OU=Groups,DC=corp,DC=example"
        };
        let last = if rng.chance(5) {
            0
        } else {
            let d = activity_days(rng);
            filetime_days_ago(rng, d)
        };
        writeln!(
            f,
            "\"ad{i}\",\"AD User {i}\",\"{}\",\"{}\",\"{}/{}/20{} 9:12:44 AM\",\"{last}\",\"{}\",\"9223372036854775807\",\"\",\"{uac}\",\"S-1-5-21-1004336348-1177238915-{t}-{}\",\"{}\",\"{member}\"\r",
            // The on-premises side of the Entra members (same UPN, as Entra Connect syncs it);
            // one in 33 exists only in AD, an orphan of the Entra source of truth.
            if i % 33 == 0 {
                format!("ad{i}@t{t}.corp.example")
            } else {
                format!("user{i}@t{t}.example.com")
            },
            if enabled { "True" } else { "False" },
            1 + rng.below(12),
            1 + rng.below(28),
            18 + rng.below(7),
            {
                let d = rng.below(300);
                filetime_days_ago(rng, d)
            },
            1000 + i,
            rng.guid()
        )?;
    }
    f.flush()
}

fn write_aws(path: &Path, rng: &mut Rng, t: usize, n: usize) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(f, "{}", crate::load::aws::COLUMNS.join(","))?;
    let acct = 100_000_000_000u64 + t as u64;
    writeln!(f, "<root_account>,arn:aws:iam::{acct}:root,2019-01-04T00:00:00+00:00,not_supported,{},not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A", iso_days_ago(rng, 40, 0).replace('Z', "+00:00"))?;
    for i in 1..n {
        let key = rng.chance(50);
        let used = if rng.chance(20) {
            "N/A".to_string()
        } else {
            {
                let d = activity_days(rng);
                iso_days_ago(rng, d, 0)
            }
            .replace('Z', "+00:00")
        };
        let rotated = iso_days_ago(rng, 0, 700).replace('Z', "+00:00");
        // Console users are named by their Entra UPN (one in 25 by a bare login, matching
        // nobody); users with keys are service users.
        let name = match (key, i % 25) {
            // The MSP's standard backup user, the same login in every client's account: LIFE-003.
            (true, _) if i == 1 => "svc-msp-backup".to_string(),
            (true, _) => format!("svc-t{t}-iam{i}"),
            (false, 0) => format!("iam{i}"),
            (false, _) => format!("user{i}@t{t}.example.com"),
        };
        writeln!(
            f,
            "{name},arn:aws:iam::{acct}:user/{name},{},{},{},N/A,N/A,{},{},{},{},{},{},false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
            iso_days_ago(rng, 800, 0).replace('Z', "+00:00"),
            if key { "false" } else { "true" },
            if key { "N/A".to_string() } else { { let d = activity_days(rng); iso_days_ago(rng, d, 0) }.replace('Z', "+00:00") },
            if rng.chance(70) { "true" } else { "false" },
            key,
            if key { rotated.as_str() } else { "N/A" },
            if key { used.as_str() } else { "N/A" },
            if key { "us-east-1" } else { "N/A" },
            if key { "s3" } else { "N/A" },
        )?;
    }
    f.flush()
}
