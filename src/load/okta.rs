//! `okta`: Okta Management API exports (a folder).
//!
//! Reads `users.json` (required), `groups.json`, `factors.json`, `roles.json` and `apiTokens.json`.
//! A missing optional file makes its data *unknown*, never empty. The API returns bare arrays
//! (paging is in the `Link` header), but any container shape of [`json_records`] is accepted.
//!
//! What it must not do: judge, guess, or drop a record. In particular:
//! - `lastLogin: null` is *never signed in*; a `lastLogin` key missing from the export is *unknown*.
//! - `status` maps ACTIVE, RECOVERY and PASSWORD_EXPIRED → active; LOCKED_OUT → locked (still
//!   enabled: lockout is transient); SUSPENDED → suspended; DEPROVISIONED (or
//!   `transitioningToStatus: DEPROVISIONED`) → deprovisioned; STAGED → staged (cannot sign in);
//!   PROVISIONED → pending invite (enabled: an activation link is outstanding).
//! - The list API omits DEPROVISIONED users unless asked: an export without any is warned about.
//! - MFA: `registered` = any ACTIVE factor. With `factors.json` present a user absent from it has
//!   no factors; without the file MFA is unknown.
//! - Admin roles (`roles.json`): every Okta admin role opens the Admin Console, so every one is
//!   privileged (SUPER_ADMIN, ORG_ADMIN, APP_ADMIN, USER_ADMIN, HELP_DESK_ADMIN,
//!   GROUP_MEMBERSHIP_ADMIN, MOBILE_ADMIN, API_ACCESS_MANAGEMENT_ADMIN, REPORT_ADMIN,
//!   READ_ONLY_ADMIN, ACCESS_CERTIFICATIONS_ADMIN, ACCESS_REQUESTS_ADMIN, CUSTOM); SUPER_ADMIN is
//!   the top role. Okta has no just-in-time assignment: every role is permanent.
//! - API tokens (`apiTokens.json`) are credentials of the user who owns them; Okta does not
//!   export a token's last use, so it is unknown unless the export adds `lastUsed`.

use super::text::{field, json_type, unflattened_type_name};
use super::time::{any_text, DateOrder};
use super::{non_empty, service_name_hint, LoadError, SourceCtx};
use crate::model::*;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

/// The top role's type.
pub const TOP_ROLE: &str = "SUPER_ADMIN";

/// Okta's standard admin role types and their console names. All are privileged.
pub const ADMIN_ROLES: &[(&str, &str)] = &[
    (TOP_ROLE, "Super Administrator"),
    ("ORG_ADMIN", "Organization Administrator"),
    ("APP_ADMIN", "Application Administrator"),
    ("USER_ADMIN", "Group Administrator"),
    ("HELP_DESK_ADMIN", "Help Desk Administrator"),
    ("GROUP_MEMBERSHIP_ADMIN", "Group Membership Administrator"),
    ("MOBILE_ADMIN", "Mobile Administrator"),
    (
        "API_ACCESS_MANAGEMENT_ADMIN",
        "API Access Management Administrator",
    ),
    ("REPORT_ADMIN", "Report Administrator"),
    ("READ_ONLY_ADMIN", "Read-only Administrator"),
    (
        "ACCESS_CERTIFICATIONS_ADMIN",
        "Access Certifications Administrator",
    ),
    ("ACCESS_REQUESTS_ADMIN", "Access Requests Administrator"),
    ("CUSTOM", "Custom administrator role"),
];

type File = super::ExportFile;

fn read(ctx: &mut SourceCtx, name: &str, hides: Option<&str>) -> Option<File> {
    ctx.read_export(name, hides, &[])
}

/// One JSON record (or an object nested in it), with readers that fail as located errors.
struct Rec<'a> {
    obj: &'a Map<String, Value>,
    file: &'a str,
    index: u64,
    /// `profile.` for fields of a nested object, so errors name the full path.
    prefix: String,
}

impl<'a> Rec<'a> {
    fn err(&self, name: &str, message: String) -> LoadError {
        let path = format!("{}{name}", self.prefix);
        LoadError::at_record(self.file, self.index, Some(&path), message)
    }
    fn get(&self, name: &str) -> Option<&'a Value> {
        field(self.obj, name).filter(|v| !v.is_null())
    }
    fn has_key(&self, name: &str) -> bool {
        field(self.obj, name).is_some()
    }
    fn str(&self, name: &str) -> Result<Option<String>, LoadError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(non_empty(s)),
            Some(v) => Err(self.err(name, format!("expected a string, found {}", json_type(v)))),
        }
    }
    fn required(&self, name: &str) -> Result<String, LoadError> {
        self.str(name)?
            .ok_or_else(|| self.err(name, "missing required field".into()))
    }
    /// A timestamp: missing key → absent, null or empty → `null_means`, text → parsed
    /// (ISO 8601, or `\/Date(ms)\/` and `Get-Date` objects from Windows PowerShell).
    fn time(&self, name: &str, null_means: TimeQuality) -> Result<Ts, LoadError> {
        match field(self.obj, name) {
            None => Ok(Ts::of(TimeQuality::Absent)),
            Some(Value::Null) => Ok(Ts::of(null_means)),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(Ts::of(null_means)),
            Some(Value::String(s)) => any_text(s, DateOrder::Infer).map_err(|m| self.err(name, m)),
            Some(Value::Object(o)) if o.get("value").is_some_and(Value::is_string) => {
                let s = o["value"].as_str().unwrap_or_default();
                any_text(s, DateOrder::Infer).map_err(|m| self.err(name, m))
            }
            Some(v) => Err(self.err(
                name,
                format!("expected a timestamp string, found {}", json_type(v)),
            )),
        }
    }
    fn object(&self, name: &str) -> Result<Option<Rec<'a>>, LoadError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(o)) => Ok(Some(Rec {
                obj: o,
                file: self.file,
                index: self.index,
                prefix: format!("{}{name}.", self.prefix),
            })),
            Some(Value::String(s)) if s.starts_with("@{") || unflattened_type_name(s) => {
                Err(self.err(name, format!("`{}` is what ConvertTo-Json writes past its -Depth, not data: re-export with ConvertTo-Json -Depth 10", short(s))))
            }
            Some(v) => Err(self.err(name, format!("expected an object, found {}", json_type(v)))),
        }
    }
    fn array(&self, name: &str) -> Result<Option<&'a Vec<Value>>, LoadError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(v) => Err(self.err(name, format!("expected an array, found {}", json_type(v)))),
        }
    }
    /// The same record's nested object, for an item of one of its arrays.
    fn item(&self, name: &str, v: &'a Value) -> Result<Rec<'a>, LoadError> {
        match v {
            Value::Object(o) => Ok(Rec {
                obj: o,
                file: self.file,
                index: self.index,
                prefix: format!("{}{name}[].", self.prefix),
            }),
            other => Err(self.err(
                name,
                format!("expected objects, found {}", json_type(other)),
            )),
        }
    }
    /// The id after `/{segment}/` in a `_links.{link}.href` (how the API names a record's owner).
    fn link_id(&self, link: &str, segment: &str) -> Option<String> {
        let href = self
            .get("_links")?
            .get(link)?
            .get("href")?
            .as_str()?
            .to_string();
        let marker = format!("/{segment}/");
        let at = href.find(&marker)? + marker.len();
        non_empty(href[at..].split(['/', '?']).next().unwrap_or(""))
    }
}

fn short(s: &str) -> String {
    s.chars().take(60).collect()
}

fn records(file: &File) -> impl Iterator<Item = Rec<'_>> {
    file.records.iter().enumerate().map(|(i, obj)| Rec {
        obj,
        file: &file.shown,
        index: i as u64 + 1,
        prefix: String::new(),
    })
}

macro_rules! tri {
    ($ctx:expr, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => {
                $ctx.errors.push(e);
                continue;
            }
        }
    };
}

/// Users by id, and by lower-cased login (scripts sometimes key factors by login).
struct Index {
    by_id: HashMap<String, usize>,
    by_login: HashMap<String, usize>,
}

impl Index {
    fn new(identities: &[Identity]) -> Index {
        let mut by_id = HashMap::new();
        let mut by_login = HashMap::new();
        for (i, u) in identities.iter().enumerate() {
            by_id.insert(u.object_id.clone(), i);
            if let Some(login) = &u.principal_name_norm {
                by_login.insert(login.clone(), i);
            }
        }
        Index { by_id, by_login }
    }
    fn find(&self, key: &str) -> Option<usize> {
        self.by_id
            .get(key)
            .or_else(|| self.by_login.get(&key.trim().to_lowercase()))
            .copied()
    }
}

pub fn load(ctx: &mut SourceCtx) -> (Vec<Identity>, Capabilities, Option<String>) {
    let mut caps = Capabilities {
        jit: Some(false),
        ..Capabilities::default()
    };
    let Some(users) = read(ctx, "users.json", None) else {
        return (Vec::new(), caps, None);
    };
    let groups = read(
        ctx,
        "groups.json",
        Some("group memberships unknown, and roles granted to groups cannot be attributed"),
    );
    let factors = read(
        ctx,
        "factors.json",
        Some("MFA factors unknown (mfa.registered = null)"),
    );
    let roles = read(
        ctx,
        "roles.json",
        Some("admin role assignments unknown (privileged = null, Super Admins not counted)"),
    );
    let tokens = read(
        ctx,
        "apiTokens.json",
        Some("API tokens unknown (no token credentials listed)"),
    );

    // lastLogin is in every API user object; an export that stripped it cannot show sign-ins.
    caps.sign_in = users
        .records
        .iter()
        .any(|u| field(u, "lastLogin").is_some());
    caps.mfa = factors.is_some();
    caps.roles = roles.is_some();
    caps.top_role_countable = roles.is_some();

    let mut identities = Vec::with_capacity(users.records.len());
    let mut unknown_status = 0usize;
    for rec in records(&users) {
        let u = tri!(ctx, user(ctx, &rec));
        if u.status == Status::Unknown {
            unknown_status += 1;
        }
        identities.push(u);
    }
    if unknown_status > 0 {
        ctx.warnings.push(format!("{}: {unknown_status} user(s) with a missing or unrecognised `status`: their state is unknown", users.shown));
    }
    if !identities.iter().any(|u| u.status == Status::Deprovisioned) {
        ctx.warnings.push(format!(
            "{} holds no DEPROVISIONED user: the export appears to omit deprovisioned users (Okta's list API leaves them out unless asked with search=status eq \"DEPROVISIONED\"), so offboarding checks are weaker",
            users.shown
        ));
    }
    let index = Index::new(&identities);
    let members = groups
        .as_ref()
        .map(|g| group_members(ctx, g, &index, &mut identities))
        .unwrap_or_default();
    if let Some(file) = &factors {
        apply_factors(ctx, file, &index, &mut identities);
    }
    if let Some(file) = &roles {
        if !apply_roles(ctx, file, &members, &index, &mut identities) {
            caps.top_role_countable = false;
        }
    }
    if let Some(file) = &tokens {
        apply_tokens(ctx, file, &index, &mut identities);
    }
    (identities, caps, Some("Super Admin".into()))
}

fn user(ctx: &SourceCtx, rec: &Rec) -> Result<Identity, LoadError> {
    let id = rec.required("id")?;
    let mut u = Identity::new(
        &ctx.source.name,
        "okta",
        id,
        ctx.provenance(rec.file, rec.index, None),
    );
    let profile = rec.object("profile")?;
    let p = |name: &str| match &profile {
        Some(p) => p.str(name),
        None => Ok(None),
    };
    let login = p("login")?;
    let email = p("email")?;
    u.set_principal_name(login.clone().or_else(|| email.clone()));
    for mail in [email, p("secondEmail")?].into_iter().flatten() {
        if !u.emails.iter().any(|e| e.eq_ignore_ascii_case(&mail)) {
            u.emails.push(mail);
        }
    }
    u.display_name = match p("displayName")? {
        Some(d) => Some(d),
        None => non_empty(&format!(
            "{} {}",
            p("firstName")?.unwrap_or_default(),
            p("lastName")?.unwrap_or_default()
        )),
    };
    u.employment.employee_id = p("employeeNumber")?;
    u.employment.employee_type = p("userType")?;
    u.employment.department = p("department")?;
    u.employment.title = p("title")?;
    u.employment.manager = match p("managerId")? {
        Some(m) => Some(m),
        None => p("manager")?,
    };

    let raw = rec.str("status")?.map(|s| s.to_ascii_uppercase());
    let transitioning = rec
        .str("transitioningToStatus")?
        .map(|s| s.to_ascii_uppercase());
    let effective = match transitioning.as_deref() {
        Some("DEPROVISIONED") => transitioning.as_deref(),
        _ => raw.as_deref(),
    };
    (u.status, u.enabled) = match effective {
        Some("ACTIVE" | "RECOVERY" | "PASSWORD_EXPIRED") => (Status::Active, Some(true)),
        Some("LOCKED_OUT") => (Status::Locked, Some(true)),
        Some("PROVISIONED") => (Status::PendingInvite, Some(true)),
        Some("STAGED") => (Status::Staged, Some(false)),
        Some("SUSPENDED") => (Status::Suspended, Some(false)),
        Some("DEPROVISIONED") => (Status::Deprovisioned, Some(false)),
        _ => (Status::Unknown, None),
    };
    u.status_raw = match (&raw, &transitioning) {
        (Some(s), Some(t)) => Some(format!("{s} (transitioningToStatus {t})")),
        (s, _) => s.clone(),
    };

    let user_type = u.employment.employee_type.clone().unwrap_or_default();
    // userType is free text: match whole words ("API User", "service-account", not "Therapist").
    let lower = user_type.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    let says = |list: &[&str]| words.iter().any(|w| list.contains(w));
    let name = u.principal_name_norm.clone().unwrap_or_default();
    u.kind = if says(&["service", "svc", "system", "api", "integration", "bot"]) {
        u.kind_evidence.push(format!("userType={user_type}"));
        Kind::ServiceAccount
    } else if says(&["guest", "external"]) {
        u.kind_evidence.push(format!("userType={user_type}"));
        Kind::Guest
    } else if service_name_hint(&name) {
        u.kind_evidence.push("service naming convention".into());
        Kind::ServiceAccount
    } else {
        u.kind_evidence.push(if user_type.is_empty() {
            "Okta user".into()
        } else {
            format!("userType={user_type}")
        });
        Kind::Human
    };

    u.created = rec.time("created", TimeQuality::Absent)?;
    if let Some(creds) = rec.object("credentials")? {
        u.password.enabled = Some(creds.get("password").is_some());
        if let Some(provider) = creds.object("provider")? {
            let kind = provider.str("type")?;
            let name = provider.str("name")?;
            if let Some(kind) = kind {
                let value = match name {
                    Some(n) if !n.eq_ignore_ascii_case(&kind) => format!("{kind} {n}"),
                    _ => kind,
                };
                u.alt_ids.insert("provider".into(), value);
            }
        }
    }
    // No Okta password (federated, AD-delegated, not yet set): a null change date does not apply.
    let no_password = if u.password.enabled == Some(false) {
        TimeQuality::NotApplicable
    } else {
        TimeQuality::Never
    };
    u.password.last_set = rec.time("passwordChanged", no_password)?;

    u.activity = if rec.has_key("lastLogin") {
        let last = rec.time("lastLogin", TimeQuality::Never)?;
        Activity {
            last_interactive: last.clone(),
            // Okta records successful logins only; token and API use is not in the user object.
            last_successful: last.clone(),
            last_any: last,
            last_non_interactive: Ts::of(TimeQuality::Unavailable),
            known: true,
        }
    } else {
        let unknown = Ts::of(TimeQuality::Unavailable);
        Activity {
            last_interactive: unknown.clone(),
            last_non_interactive: unknown.clone(),
            last_successful: unknown.clone(),
            last_any: unknown,
            known: false,
        }
    };
    Ok(u)
}

/// Direct members of each group, as identity indexes; `None` when the export omits members.
/// Okta groups do not nest.
fn group_members(
    ctx: &mut SourceCtx,
    file: &File,
    index: &Index,
    identities: &mut [Identity],
) -> HashMap<String, Option<Vec<usize>>> {
    let mut out = HashMap::new();
    let mut unknown_members = 0usize;
    let mut without_members = 0usize;
    for rec in records(file) {
        let id = tri!(ctx, rec.required("id"));
        let name = match tri!(ctx, rec.object("profile")) {
            Some(p) => tri!(ctx, p.str("name")),
            None => tri!(ctx, rec.str("name")),
        };
        let list = match tri!(ctx, rec.array("members")) {
            Some(l) => Some(l),
            None => tri!(ctx, rec.array("users")),
        };
        let Some(list) = list else {
            without_members += 1;
            out.insert(id, None);
            continue;
        };
        let mut holders = Vec::new();
        for m in list {
            let mid = match m {
                Value::String(s) => non_empty(s),
                Value::Object(o) => field(o, "id").and_then(Value::as_str).and_then(non_empty),
                _ => None,
            };
            let Some(mid) = mid else {
                ctx.errors.push(rec.err(
                    "members",
                    format!(
                        "a member is {}, expected a user id or a user object with `id`",
                        json_type(m)
                    ),
                ));
                continue;
            };
            match index.find(&mid) {
                Some(i) => {
                    holders.push(i);
                    identities[i].groups.push(GroupRef {
                        id: id.clone(),
                        name: name.clone(),
                    });
                }
                None => unknown_members += 1,
            }
        }
        out.insert(id, Some(holders));
    }
    if without_members > 0 {
        ctx.warnings.push(format!("{}: {without_members} group(s) without `members`: their memberships are unknown (export GET /api/v1/groups/{{id}}/users into each group's `members`)", file.shown));
    }
    if unknown_members > 0 {
        ctx.warnings.push(format!(
            "{}: {unknown_members} group member(s) are not in users.json",
            file.shown
        ));
    }
    out
}

/// A per-user list file holds either flat items naming their owner, or grouped
/// `{"userId": ..., "<list>": [...]}` records. Returns (owner id, item) pairs; a flat item's
/// owner comes from `userId`, else from the id in the API's own `_links.<link>.href`.
fn per_owner<'a>(
    rec: &Rec<'a>,
    list: &str,
    link: &str,
) -> Result<Vec<(Option<String>, Rec<'a>)>, LoadError> {
    let owner = rec.str("userId")?.or_else(|| rec.link_id(link, "users"));
    match rec.array(list)? {
        Some(items) => items
            .iter()
            .map(|v| Ok((owner.clone(), rec.item(list, v)?)))
            .collect(),
        None => Ok(vec![(
            owner,
            Rec {
                obj: rec.obj,
                file: rec.file,
                index: rec.index,
                prefix: String::new(),
            },
        )]),
    }
}

fn apply_factors(ctx: &mut SourceCtx, file: &File, index: &Index, identities: &mut [Identity]) {
    // user → (active factor types, records that mention the user)
    let mut seen: BTreeMap<usize, (Vec<String>, Vec<u64>)> = BTreeMap::new();
    let mut unmatched = 0usize;
    for rec in records(file) {
        let items = tri!(ctx, per_owner(&rec, "factors", "user"));
        for (owner, f) in items {
            let owner = owner
                .or_else(|| f.link_id("user", "users"))
                .or_else(|| f.link_id("self", "users"));
            let owner = match owner {
                Some(o) => o,
                None => {
                    ctx.errors.push(rec.err("userId", "cannot tell whose factor this is: each factor needs `userId` (or the API's `_links`), or list factors under `{\"userId\": ..., \"factors\": [...]}`".into()));
                    continue;
                }
            };
            let kind = tri!(ctx, f.str("factorType")).unwrap_or_else(|| "unknown".into());
            let status = tri!(ctx, f.str("status")).unwrap_or_default();
            let Some(i) = index.find(&owner) else {
                unmatched += 1;
                continue;
            };
            let entry = seen.entry(i).or_default();
            if !entry.1.contains(&rec.index) {
                entry.1.push(rec.index);
            }
            if status.eq_ignore_ascii_case("ACTIVE") && !entry.0.contains(&kind) {
                entry.0.push(kind);
            }
        }
    }
    for (i, u) in identities.iter_mut().enumerate() {
        match seen.remove(&i) {
            Some((mut methods, recs)) => {
                methods.sort();
                u.mfa.registered = Some(!methods.is_empty());
                u.mfa.methods = methods;
                let list: Vec<String> = recs.iter().map(u64::to_string).collect();
                u.mfa.source = Some(format!("{} (record {})", file.shown, list.join(", ")));
            }
            None => {
                u.mfa.registered = Some(false);
                u.mfa.source = Some(format!("{} (no factors listed)", file.shown));
            }
        }
    }
    if unmatched > 0 {
        ctx.warnings.push(format!(
            "{}: {unmatched} factor(s) belong to no user in users.json",
            file.shown
        ));
    }
}

/// Attach admin roles; false when a top-role grant could not be attributed to its holders.
fn apply_roles(
    ctx: &mut SourceCtx,
    file: &File,
    members: &HashMap<String, Option<Vec<usize>>>,
    index: &Index,
    identities: &mut [Identity],
) -> bool {
    let mut countable = true;
    let mut inactive = 0usize;
    // Roles a user holds through some group, as listed on the user (assignmentType GROUP):
    // kept only where the group's own grant was not expanded, so nothing counts twice.
    let mut through_group: Vec<(usize, RoleAssignment)> = Vec::new();
    for rec in records(file) {
        let items = tri!(ctx, per_owner(&rec, "roles", "assignee"));
        let group_owner =
            tri!(ctx, rec.str("groupId")).or_else(|| rec.link_id("assignee", "groups"));
        for (user_owner, r) in items {
            let group_owner = group_owner
                .clone()
                .or_else(|| r.link_id("assignee", "groups"));
            let user_owner = user_owner.or_else(|| r.link_id("assignee", "users"));
            let role_type = tri!(ctx, r.required("type")).to_ascii_uppercase();
            if let Some(status) = tri!(ctx, r.str("status")) {
                if !status.eq_ignore_ascii_case("ACTIVE") {
                    inactive += 1;
                    continue;
                }
            }
            let custom = tri!(ctx, r.str("role"));
            let known = ADMIN_ROLES.iter().find(|(t, _)| *t == role_type);
            let assignment = RoleAssignment {
                role_id: match (&custom, role_type.as_str()) {
                    (Some(c), "CUSTOM") => c.clone(),
                    _ => role_type.clone(),
                },
                role_name: tri!(ctx, r.str("label")).or(known.map(|(_, n)| n.to_string())),
                scope: tri!(ctx, r.str("resource-set")).unwrap_or_else(|| "/".into()),
                assignment: AssignmentKind::Permanent,
                privileged: true,
                top: role_type == TOP_ROLE,
                via_group: None,
                start: tri!(ctx, r.time("created", TimeQuality::Absent)),
                end: Ts::of(TimeQuality::Never),
                prov: ctx.provenance(rec.file, rec.index, None),
            };
            let by_group =
                tri!(ctx, r.str("assignmentType")).is_some_and(|t| t.eq_ignore_ascii_case("GROUP"));
            if let Some(uid) = user_owner {
                match index.find(&uid) {
                    Some(i) if by_group => through_group.push((i, assignment)),
                    Some(i) => identities[i].roles.push(assignment),
                    None => ctx.warnings.push(format!(
                        "{} record {}: role {role_type} of user `{uid}`, who is not in users.json, is not attributed",
                        rec.file, rec.index
                    )),
                }
            } else if let Some(gid) = group_owner {
                match members.get(&gid) {
                    Some(Some(holders)) => {
                        for &i in holders {
                            let mut a = assignment.clone();
                            a.via_group = Some(gid.clone());
                            identities[i].roles.push(a);
                        }
                    }
                    _ => {
                        if assignment.top {
                            countable = false;
                        }
                        ctx.warnings.push(format!(
                            "{} record {}: role {role_type} is granted to group `{gid}`, whose members are not in groups.json: its holders are unknown",
                            rec.file, rec.index
                        ));
                    }
                }
            } else {
                ctx.errors.push(r.err("userId", "cannot tell who holds this role: add `userId` or `groupId` (or keep the API's `_links.assignee`), or list roles under `{\"userId\": ..., \"roles\": [...]}`".into()));
            }
        }
    }
    for (i, a) in through_group {
        let held = identities[i]
            .roles
            .iter()
            .any(|r| r.role_id == a.role_id && r.scope == a.scope);
        if !held {
            identities[i].roles.push(a);
        }
    }
    if inactive > 0 {
        ctx.warnings.push(format!(
            "{}: {inactive} role assignment(s) not ACTIVE were not counted",
            file.shown
        ));
    }
    countable
}

fn apply_tokens(ctx: &mut SourceCtx, file: &File, index: &Index, identities: &mut [Identity]) {
    for rec in records(file) {
        let id = tri!(ctx, rec.required("id"));
        let owner = tri!(ctx, rec.required("userId"));
        let created = tri!(ctx, rec.time("created", TimeQuality::Absent));
        // Every Okta token expires after `tokenWindow` idle; a missing date is unknown, not never.
        let expires = tri!(ctx, rec.time("expiresAt", TimeQuality::Absent));
        let last_used = match tri!(ctx, rec.time("lastUsed", TimeQuality::Never)) {
            t if t.quality == TimeQuality::Absent => Ts::of(TimeQuality::Unavailable),
            t => t,
        };
        let credential = Credential {
            id: id.clone(),
            kind: CredentialKind::ApiToken,
            display_name: tri!(ctx, rec.str("name")),
            hint: None,
            active: Some(true),
            rotated: created.clone(),
            created,
            expires,
            last_used,
            last_used_where: None,
            origin: Some("user".into()),
            lifetime_days: None,
            expired: None,
            derived: CredentialDerived::default(),
            prov: ctx.provenance(rec.file, rec.index, None),
        };
        match index.find(&owner) {
            Some(i) => identities[i].credentials.push(credential),
            None => ctx.warnings.push(format!(
                "{} record {}: API token `{id}` belongs to user `{owner}`, who is not in users.json: the token is not attributed",
                rec.file, rec.index
            )),
        }
    }
}
