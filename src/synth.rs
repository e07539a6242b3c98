//! A deterministic synthetic estate for benchmarks: `tenants` × `identities` written in the real
//! export shapes (Entra Graph JSON with PIM, groups, apps and secrets; an AD CSV; an AWS credential
//! report). Same seed ⇒ same bytes. Used by `benches/e2e.rs` and `driftgate synth`.

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

/// Write an estate of `tenants` tenants with about `identities` identities each under `dir`.
pub fn write_estate(
    dir: &Path,
    tenants: usize,
    identities: usize,
    seed: u64,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("estate.toml"),
        "name = \"Synthetic MSP\"\nas_of = 2026-11-20T06:00:00Z\n",
    )?;
    let mut rng = Rng(seed);
    for t in 0..tenants {
        let tdir = dir.join("tenants").join(format!("t{t:04}"));
        std::fs::create_dir_all(tdir.join("entra"))?;
        std::fs::write(
            tdir.join("tenant.toml"),
            format!(
                "id = \"t{t:04}\"\nname = \"Tenant {t}\"\nsource_of_truth = \"entra\"\n\n[[source]]\nname = \"entra\"\nkind = \"entra\"\npath = \"entra\"\n\n[[source]]\nname = \"ad\"\nkind = \"active-directory\"\npath = \"ad-users.csv\"\nlocale = \"en-US\"\n\n[[source]]\nname = \"aws\"\nkind = \"aws-iam\"\npath = \"credential-report.csv\"\n"
            ),
        )?;
        let n_apps = identities / 20;
        let n_aws = identities / 20;
        let n_ad = identities * 15 / 100;
        let n_users = identities - n_apps - n_aws - n_ad;
        write_entra(&tdir.join("entra"), &mut rng, t, n_users, n_apps)?;
        write_ad(&tdir.join("ad-users.csv"), &mut rng, t, n_ad)?;
        write_aws(&tdir.join("credential-report.csv"), &mut rng, t, n_aws)?;
    }
    Ok(())
}

const GA: &str = "62e90394-69f5-4237-9190-012177145e10";
const ROLES: &[&str] = &[
    GA,
    "194ae4cb-b126-40b2-bd5b-6091b380977d",
    "fe930be7-5e62-47db-91af-98c3a49a38b1",
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
];

fn write_entra(dir: &Path, rng: &mut Rng, t: usize, n: usize, apps: usize) -> std::io::Result<()> {
    let mut users = String::from(
        "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users\",\"value\":[",
    );
    let mut reg = String::from("{\"value\":[");
    let mut assignments = String::from("{\"value\":[");
    let mut eligible = String::from("{\"value\":[");
    let mut group_members = String::new();
    let mut ids = Vec::with_capacity(n);
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
    Ok(())
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
            (true, _) => format!("svc-iam{i}"),
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
