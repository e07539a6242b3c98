//! `jumpcloud`: JumpCloud API exports (a folder).
//!
//! Reads `systemusers.json` (required: v1 `{"totalCount": N, "results": [...]}` pages, a bare
//! array, or `Get-JCUser | ConvertTo-Json`) and `usergroups.json` (v2 groups, with their
//! `members` as GraphConnections, `/membership` objects, user objects or bare ids).
//!
//! What it must not do: judge, guess, or drop a record. In particular:
//! - The system user object has no last-login field: sign-in activity is *unknown*
//!   (`activity.known = false`), never "never". It lives in Directory Insights, not read here.
//! - Status: `suspended` / `state: SUSPENDED` → suspended; `state: STAGED` → staged (cannot sign
//!   in); `activated: false` → pending invite (activation email outstanding); `account_locked` →
//!   locked (still enabled: lockout is transient); otherwise active.
//! - MFA: `mfaEnrollment.overallStatus` (ENROLLED = registered); older payloads without it fall
//!   back to `mfa.configured` / `totp_enabled` (TOTP was then the only factor); none → unknown.
//!   `enable_user_portal_multifactor` (MFA required of the user) is `mfa.enforced`, false
//!   whatever it says when `mfa.exclusion` is set (MFA deliberately bypassed); absent → unknown.
//! - Privilege: `sudo` (global admin on every bound system, `passwordless_sudo` noted in the
//!   name), a user group's `attributes.sudo.enabled` (sudo on the group's systems, held through
//!   the group) and `ldap_binding_user` (reads the whole directory over LDAP) are the privileged
//!   "roles" an export shows. Admin console accounts are a separate object type and per-system
//!   sudo lives on graph associations, neither exported here: role data is incomplete
//!   (`Capabilities.roles = false`) and there is no countable top role.

use super::text::{field, json_type, unflattened_type_name};
use super::time::{any_text, DateOrder};
use super::{non_empty, service_name_hint, LoadError, SourceCtx};
use crate::model::*;
use serde_json::{Map, Value};
use std::collections::HashMap;

struct File {
    shown: String,
    records: Vec<Map<String, Value>>,
    /// The API's `totalCount`, when the export kept its page envelope.
    total: Option<u64>,
}

fn read(ctx: &mut SourceCtx, name: &str, hides: Option<&str>) -> Option<File> {
    let file = ctx.read_export(name, hides, &["results"])?;
    Some(File {
        total: total_count(&file.text),
        shown: file.shown,
        records: file.records,
    })
}

/// The largest `totalCount` of the page envelopes (every page repeats the full count).
fn total_count(text: &str) -> Option<u64> {
    let count = |v: &Value| v.get("totalCount").and_then(Value::as_u64);
    serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .map_while(Result::ok)
        .flat_map(|v| match v {
            Value::Array(pages) => pages.iter().filter_map(count).collect::<Vec<_>>(),
            page => count(&page).into_iter().collect(),
        })
        .max()
}

/// One JSON record (or an object nested in it), with readers that fail as located errors.
struct Rec<'a> {
    obj: &'a Map<String, Value>,
    file: &'a str,
    index: u64,
    /// `mfa.` for fields of a nested object, so errors name the full path.
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
    fn str(&self, name: &str) -> Result<Option<String>, LoadError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(non_empty(s)),
            Some(v) => Err(self.err(name, format!("expected a string, found {}", json_type(v)))),
        }
    }
    fn bool(&self, name: &str) -> Result<Option<bool>, LoadError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) => super::parse_bool(s)
                .map(Some)
                .ok_or_else(|| self.err(name, format!("expected a boolean, found `{s}`"))),
            Some(v) => Err(self.err(name, format!("expected a boolean, found {}", json_type(v)))),
        }
    }
    /// A timestamp: missing, null or empty → absent; text → ISO 8601, or `\/Date(ms)\/` and
    /// `Get-Date` objects from Windows PowerShell.
    fn time(&self, name: &str) -> Result<Ts, LoadError> {
        let text = match self.get(name) {
            None => return Ok(Ts::of(TimeQuality::Absent)),
            Some(Value::String(s)) => s.as_str(),
            Some(Value::Object(o)) if o.get("value").is_some_and(Value::is_string) => {
                o["value"].as_str().unwrap_or_default()
            }
            Some(v) => {
                return Err(self.err(
                    name,
                    format!("expected a timestamp string, found {}", json_type(v)),
                ))
            }
        };
        if text.trim().is_empty() {
            return Ok(Ts::of(TimeQuality::Absent));
        }
        any_text(text, DateOrder::Infer).map_err(|m| self.err(name, m))
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
                Err(self.err(name, format!("`{}` is what ConvertTo-Json writes past its -Depth, not data: re-export with ConvertTo-Json -Depth 10", s.chars().take(60).collect::<String>())))
            }
            Some(v) => Err(self.err(name, format!("expected an object, found {}", json_type(v)))),
        }
    }
    /// `_id` (the API's key) or `id` (SDK and PowerShell objects).
    fn id(&self) -> Result<String, LoadError> {
        match self.str("_id")? {
            Some(id) => Ok(id),
            None => self
                .str("id")?
                .ok_or_else(|| self.err("_id", "missing required field".into())),
        }
    }
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

pub fn load(ctx: &mut SourceCtx) -> (Vec<Identity>, Capabilities, Option<String>) {
    let mut caps = Capabilities {
        jit: Some(false),
        ..Capabilities::default()
    };
    let Some(users) = read(ctx, "systemusers.json", None) else {
        return (Vec::new(), caps, None);
    };
    let groups = read(
        ctx,
        "usergroups.json",
        Some("group memberships and sudo granted through groups unknown"),
    );
    if let Some(total) = users.total {
        if (users.records.len() as u64) < total {
            ctx.warnings.push(format!(
                "{} holds {} user(s) but its totalCount says {total}: the export stopped paging early (the API returns at most 100 per page), so the users beyond it are not audited",
                users.shown,
                users.records.len()
            ));
        }
    }
    let mut identities = Vec::with_capacity(users.records.len());
    let (mut excluded, mut unknown_state) = (0usize, 0usize);
    for rec in records(&users) {
        let (u, mfa_excluded) = tri!(ctx, user(ctx, &rec));
        excluded += usize::from(mfa_excluded);
        unknown_state += usize::from(u.status == Status::Unknown);
        identities.push(u);
    }
    if unknown_state > 0 {
        ctx.warnings.push(format!("{}: {unknown_state} user(s) with no readable `state`, `activated` or `suspended`: their state is unknown", users.shown));
    }
    caps.mfa = identities.iter().any(|u| u.mfa.registered.is_some());
    if excluded > 0 {
        ctx.warnings.push(format!(
            "{}: {excluded} user(s) have `mfa.exclusion` set: MFA is deliberately bypassed for them",
            users.shown
        ));
    }
    if let Some(file) = &groups {
        apply_groups(ctx, file, &mut identities);
    }
    (identities, caps, None)
}

/// One system user, and whether MFA is excluded for it.
fn user(ctx: &SourceCtx, rec: &Rec) -> Result<(Identity, bool), LoadError> {
    let id = rec.id()?;
    let mut u = Identity::new(
        &ctx.source.name,
        "jumpcloud",
        id,
        ctx.provenance(rec.file, rec.index, None),
    );
    let username = rec.str("username")?;
    u.set_principal_name(username.clone());
    for key in ["email", "alternateEmail"] {
        if let Some(mail) = rec.str(key)? {
            if !u.emails.iter().any(|e| e.eq_ignore_ascii_case(&mail)) {
                u.emails.push(mail);
            }
        }
    }
    u.display_name = match rec.str("displayname")? {
        Some(d) => Some(d),
        None => non_empty(&format!(
            "{} {}",
            rec.str("firstname")?.unwrap_or_default(),
            rec.str("lastname")?.unwrap_or_default()
        )),
    };
    u.created = rec.time("created")?;
    u.employment.employee_id = rec.str("employeeIdentifier")?;
    u.employment.employee_type = rec.str("employeeType")?;
    u.employment.department = rec.str("department")?;
    u.employment.title = rec.str("jobTitle")?;
    // The API gives the manager's `_id`; PowerShell may give the resolved user object.
    u.employment.manager = if rec.get("manager").is_some_and(Value::is_object) {
        match rec.object("manager")? {
            Some(m) => m.id().ok(),
            None => None,
        }
    } else {
        rec.str("manager")?
    };
    if let Some(dn) = rec.str("external_dn")? {
        u.alt_ids.insert("dn".into(), dn);
    }
    if let Some(source) = rec.str("external_source_type")? {
        u.alt_ids.insert("provider".into(), source);
    } else if rec.bool("externally_managed")? == Some(true) {
        u.alt_ids
            .insert("provider".into(), "externally_managed".into());
    }

    status(rec, &mut u)?;

    // No last-login field exists on the object: unknown, never "never".
    let unknown = Ts::of(TimeQuality::Unavailable);
    u.activity = Activity {
        last_interactive: unknown.clone(),
        last_non_interactive: unknown.clone(),
        last_successful: unknown.clone(),
        last_any: unknown,
        known: false,
    };

    u.password.never_expires = rec.bool("password_never_expires")?;
    u.password.must_change = rec.bool("password_expired")?;

    let excluded = mfa(rec, &mut u)?;

    let ldap_binding = rec.bool("ldap_binding_user")?;
    let name = u.principal_name_norm.clone().unwrap_or_default();
    u.kind = if ldap_binding == Some(true) {
        u.kind_evidence.push("ldap_binding_user=true".into());
        Kind::ServiceAccount
    } else if service_name_hint(&name) {
        u.kind_evidence.push("service naming convention".into());
        Kind::ServiceAccount
    } else {
        u.kind_evidence.push("JumpCloud system user".into());
        Kind::Human
    };
    if rec.bool("sudo")? == Some(true) {
        let passwordless = rec.bool("passwordless_sudo")? == Some(true);
        let role = sudo_role(passwordless, "every bound system", u.prov.clone());
        u.roles.push(role);
    }
    if ldap_binding == Some(true) {
        u.roles.push(RoleAssignment {
            role_id: "ldap_binding_user".into(),
            role_name: Some("LDAP binding user (reads the whole directory)".into()),
            ..sudo_role(false, "", u.prov.clone())
        });
    }
    Ok((u, excluded))
}

fn status(rec: &Rec, u: &mut Identity) -> Result<(), LoadError> {
    let state = rec.str("state")?.map(|s| s.to_ascii_uppercase());
    let suspended = rec.bool("suspended")?;
    let activated = rec.bool("activated")?;
    let locked = rec.bool("account_locked")?;
    (u.status, u.enabled) = if suspended == Some(true) || state.as_deref() == Some("SUSPENDED") {
        (Status::Suspended, Some(false))
    } else if state.as_deref() == Some("STAGED") {
        (Status::Staged, Some(false))
    } else if activated == Some(false) {
        (Status::PendingInvite, Some(true))
    } else if locked == Some(true) {
        (Status::Locked, Some(true))
    } else if state.as_deref() == Some("ACTIVATED")
        || (state.is_none() && (activated == Some(true) || suspended == Some(false)))
    {
        (Status::Active, Some(true))
    } else {
        (Status::Unknown, None)
    };
    let mut raw = Vec::new();
    if let Some(s) = &state {
        raw.push(format!("state={s}"));
    }
    for (key, v) in [
        ("activated", activated),
        ("suspended", suspended),
        ("account_locked", locked),
    ] {
        if let Some(v) = v {
            raw.push(format!("{key}={v}"));
        }
    }
    u.status_raw = (!raw.is_empty()).then(|| raw.join(" "));
    Ok(())
}

/// MFA registration and methods; returns whether MFA is excluded for the user.
fn mfa(rec: &Rec, u: &mut Identity) -> Result<bool, LoadError> {
    let mut methods = Vec::new();
    let mut registered = None;
    let mut source = None;
    if let Some(e) = rec.object("mfaEnrollment")? {
        for (key, method) in [
            ("totpStatus", "totp"),
            ("webAuthnStatus", "webauthn"),
            ("pushStatus", "push"),
        ] {
            if e.str(key)?
                .is_some_and(|s| s.eq_ignore_ascii_case("ENROLLED"))
            {
                methods.push(method.to_string());
            }
        }
        registered = match e.str("overallStatus")?.map(|s| s.to_ascii_uppercase()) {
            Some(s) if s == "ENROLLED" => Some(true),
            Some(s) if s == "NOT_ENROLLED" || s == "PENDING_ACTIVATION" => {
                Some(!methods.is_empty())
            }
            _ => (!methods.is_empty()).then_some(true),
        };
        source = Some("mfaEnrollment");
    }
    let mfa = rec.object("mfa")?;
    let configured = match &mfa {
        Some(m) => m.bool("configured")?,
        None => None,
    };
    let totp = rec.bool("totp_enabled")?;
    if registered.is_none() {
        // Payloads older than mfaEnrollment: TOTP was the only factor.
        registered = match (configured, totp) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), _) | (None, Some(false)) => Some(false),
            (None, None) => None,
        };
        if registered == Some(true) {
            methods.push("totp".into());
        }
        source = registered.map(|_| "mfa.configured / totp_enabled");
    }
    u.mfa.registered = registered;
    u.mfa.methods = methods;
    u.mfa.source = source.map(|s| format!("{} (record {}) {s}", rec.file, rec.index));
    let excluded = match &mfa {
        Some(m) => m.bool("exclusion")? == Some(true),
        None => false,
    };
    let required = rec.bool("enable_user_portal_multifactor")?;
    u.mfa.enforced = if excluded { Some(false) } else { required };
    Ok(excluded)
}

fn sudo_role(passwordless: bool, scope: &str, prov: Provenance) -> RoleAssignment {
    RoleAssignment {
        role_id: "sudo".into(),
        role_name: Some(if passwordless {
            format!("passwordless sudo on {scope}")
        } else {
            format!("sudo on {scope}")
        }),
        scope: "/".into(),
        assignment: AssignmentKind::Permanent,
        privileged: true,
        top: false,
        via_group: None,
        start: Ts::of(TimeQuality::Absent),
        end: Ts::of(TimeQuality::Never),
        prov,
    }
}

fn apply_groups(ctx: &mut SourceCtx, file: &File, identities: &mut [Identity]) {
    let index: HashMap<String, usize> = identities
        .iter()
        .enumerate()
        .map(|(i, u)| (u.object_id.clone(), i))
        .collect();
    let mut without_members = 0usize;
    let mut unknown_members = 0usize;
    for rec in records(file) {
        let gid = tri!(ctx, rec.id());
        let name = tri!(ctx, rec.str("name"));
        let (sudo, passwordless) = match tri!(ctx, rec.object("attributes")) {
            Some(a) => match tri!(ctx, a.object("sudo")) {
                Some(s) => (
                    tri!(ctx, s.bool("enabled")) == Some(true),
                    tri!(ctx, s.bool("withoutPassword")) == Some(true),
                ),
                // The PowerShell SDK flattens it to SudoEnabled / SudoWithoutPassword.
                None => (
                    tri!(ctx, a.bool("sudoEnabled")) == Some(true),
                    tri!(ctx, a.bool("sudoWithoutPassword")) == Some(true),
                ),
            },
            None => (false, false),
        };
        let list = ["members", "membership", "users"]
            .iter()
            .find_map(|k| rec.get(k).map(|v| (*k, v)));
        let Some((key, list)) = list else {
            without_members += 1;
            continue;
        };
        let Value::Array(list) = list else {
            ctx.errors
                .push(rec.err(key, format!("expected an array, found {}", json_type(list))));
            continue;
        };
        for m in list {
            let Some((mid, kind)) = member(m) else {
                ctx.errors.push(rec.err(
                    key,
                    format!("a member is {}, expected a user id, a user object or a graph connection `{{\"to\": {{\"id\", \"type\"}}}}`", json_type(m)),
                ));
                continue;
            };
            if kind.is_some_and(|k| !k.eq_ignore_ascii_case("user")) {
                continue;
            }
            let Some(&i) = index.get(&mid) else {
                unknown_members += 1;
                continue;
            };
            let u = &mut identities[i];
            u.groups.push(GroupRef {
                id: gid.clone(),
                name: name.clone(),
            });
            if sudo {
                let scope = format!(
                    "the systems bound to group {}",
                    name.as_deref().unwrap_or(&gid)
                );
                u.roles.push(RoleAssignment {
                    via_group: Some(gid.clone()),
                    ..sudo_role(
                        passwordless,
                        &scope,
                        ctx.provenance(rec.file, rec.index, None),
                    )
                });
            }
        }
    }
    if without_members > 0 {
        ctx.warnings.push(format!("{}: {without_members} group(s) without `members`: their memberships are unknown (export GET /api/v2/usergroups/{{id}}/members into each group's `members`)", file.shown));
    }
    if unknown_members > 0 {
        ctx.warnings.push(format!(
            "{}: {unknown_members} group member(s) are not in systemusers.json",
            file.shown
        ));
    }
}

/// A member's id and type, from a bare id, a user object, or a v2 GraphConnection.
fn member(m: &Value) -> Option<(String, Option<String>)> {
    let text =
        |o: &Map<String, Value>, k: &str| field(o, k).and_then(Value::as_str).and_then(non_empty);
    match m {
        Value::String(s) => non_empty(s).map(|id| (id, None)),
        Value::Object(o) => {
            let o = match field(o, "to") {
                Some(Value::Object(to)) => to,
                _ => o,
            };
            let id = text(o, "_id").or_else(|| text(o, "id"))?;
            Some((id, text(o, "type")))
        }
        _ => None,
    }
}
