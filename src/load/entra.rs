//! `entra`: Microsoft Graph JSON exports of an Entra ID tenant (a folder).
//!
//! Reads users with `signInActivity`, userRegistrationDetails, role definitions, assignments,
//! PIM schedule instances, groups with members, service principals and applications. Only
//! `users.json` is required: a missing file makes its data *unknown*, never empty. Secret
//! material (`secretText`) is never read into the model.
//!
//! Tenant-wide policies (Conditional Access, security defaults, authorization policy) are read
//! by the `policies` submodule into [`DirectoryPolicies`]; what they enforce is derived later.

mod policies;

use super::text::{field, json_records, json_type, read_text};
use super::time::iso;
use super::{non_empty, service_name_hint, LoadError, SourceCtx};
use crate::model::*;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Global Administrator's template id: the top role.
pub const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";

/// Built-in roles Microsoft labels "Privileged" (template id, name). `isPrivileged` in an export wins.
pub const PRIVILEGED_ROLES: &[(&str, &str)] = &[
    (GLOBAL_ADMIN, "Global Administrator"),
    (
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
        "Privileged Role Administrator",
    ),
    (
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
        "Privileged Authentication Administrator",
    ),
    (
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
        "Security Administrator",
    ),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"),
    (
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
        "Exchange Administrator",
    ),
    (
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        "SharePoint Administrator",
    ),
    (
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        "Application Administrator",
    ),
    (
        "158c047a-c907-4556-b7ef-446551a6b5f7",
        "Cloud Application Administrator",
    ),
    (
        "c4e39bd9-1100-46d3-8c65-fb160da0071f",
        "Authentication Administrator",
    ),
    (
        "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        "Helpdesk Administrator",
    ),
    (
        "966707d0-3269-4727-9be2-8c3a10f19b9d",
        "Password Administrator",
    ),
    (
        "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
        "Conditional Access Administrator",
    ),
    (
        "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
        "Hybrid Identity Administrator",
    ),
    (
        "3a2c62db-5318-420d-8d74-23affee5d9d5",
        "Intune Administrator",
    ),
    (
        "7698a772-787b-4ac8-901f-60d6b08affd2",
        "Cloud Device Administrator",
    ),
    (
        "0526716b-113d-4c15-b2c8-68e3c22b9f80",
        "Authentication Policy Administrator",
    ),
    ("9360feb5-f418-4baa-8175-e2a00bac4301", "Directory Writers"),
    (
        "e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8",
        "Partner Tier2 Support",
    ),
    (
        "4ba39ca4-527c-499a-b93d-d9b492c50246",
        "Partner Tier1 Support",
    ),
    (
        "8329153b-31d0-4727-b945-745eb3bc5f31",
        "Domain Name Administrator",
    ),
    (
        "be2f45a1-457d-42af-a067-6ec1fa63bc45",
        "External Identity Provider Administrator",
    ),
    (
        "aaf43236-0c0d-4d5f-883a-6955382ac081",
        "B2C IEF Keyset Administrator",
    ),
    ("f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Global Reader"),
    ("5d6b6bb7-de71-4623-b4af-96380a352509", "Security Reader"),
    (
        "59d46f88-662b-457b-bceb-5c3809e5908f",
        "Lifecycle Workflows Administrator",
    ),
    (
        "25a516ed-2fa0-40ea-a2d0-12923a21473a",
        "Authentication Extensibility Administrator",
    ),
];

/// Microsoft's own tenant: its first-party service principals are not the client's identities.
const MICROSOFT_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

struct File {
    shown: String,
    records: Vec<Map<String, Value>>,
}

fn read(ctx: &mut SourceCtx, name: &str, required: bool) -> Option<File> {
    read_as(ctx, name, required, false)
}

/// Read an export file. `entity`: the file may also be one bare object (a Graph singleton such
/// as `GET /policies/authorizationPolicy`), read as one record.
fn read_as(ctx: &mut SourceCtx, name: &str, required: bool, entity: bool) -> Option<File> {
    let path = ctx.path.join(name);
    let shown = ctx.shown(&path);
    if !path.is_file() {
        if required {
            ctx.errors.push(LoadError::file(
                &shown,
                format!("required file `{name}` is missing from the entra export folder"),
            ));
        } else {
            ctx.files_missing.push(name.to_string());
        }
        return None;
    }
    let text = match read_text(&path, &shown) {
        Ok(d) => d.text,
        Err(e) => {
            ctx.errors.push(e);
            return None;
        }
    };
    let single = match entity.then(|| serde_json::from_str::<Value>(&text)) {
        Some(Ok(Value::Object(obj))) if !obj.get("value").is_some_and(Value::is_array) => Some(obj),
        _ => None,
    };
    let parsed = match single {
        Some(obj) => Ok(vec![obj]),
        None => json_records(&text, &shown, &[]),
    };
    match parsed {
        Ok(records) => {
            ctx.files_read.push(shown.clone());
            Some(File { shown, records })
        }
        Err(e) => {
            ctx.errors.push(e);
            None
        }
    }
}

/// Field readers that report a type mismatch as a located error.
struct Rec<'a> {
    obj: &'a Map<String, Value>,
    file: &'a str,
    index: u64,
}

impl<'a> Rec<'a> {
    fn err(&self, field: &str, message: String) -> LoadError {
        LoadError::at_record(self.file, self.index, Some(field), message)
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
    /// A timestamp field: missing key → Absent, null → `null_means`, text → parsed.
    fn time(&self, name: &str, null_means: TimeQuality) -> Result<Ts, LoadError> {
        match field(self.obj, name) {
            None => Ok(Ts::of(TimeQuality::Absent)),
            Some(Value::Null) => Ok(Ts::of(null_means)),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(Ts::of(null_means)),
            Some(Value::String(s)) => iso(s).map_err(|m| self.err(name, m)),
            Some(v) => Err(self.err(
                name,
                format!("expected a timestamp string, found {}", json_type(v)),
            )),
        }
    }
    fn array(&self, name: &str) -> Result<Option<&'a Vec<Value>>, LoadError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(v) => Err(self.err(name, format!("expected an array, found {}", json_type(v)))),
        }
    }
    fn strings(&self, name: &str) -> Result<Vec<String>, LoadError> {
        Ok(self
            .array(name)?
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .filter_map(non_empty)
                    .collect()
            })
            .unwrap_or_default())
    }
    fn odata_type(&self) -> String {
        self.obj
            .get("@odata.type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_lowercase()
    }
    fn sub(&self, obj: &'a Map<String, Value>) -> Rec<'a> {
        Rec {
            obj,
            file: self.file,
            index: self.index,
        }
    }
}

fn records(file: &File) -> impl Iterator<Item = Rec<'_>> {
    file.records.iter().enumerate().map(|(i, obj)| Rec {
        obj,
        file: &file.shown,
        index: i as u64 + 1,
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
    let mut caps = Capabilities::default();
    let Some(users) = read(ctx, "users.json", true) else {
        return (Vec::new(), caps, None);
    };
    let registration = read(ctx, "userRegistrationDetails.json", false);
    let definitions = read(ctx, "roleDefinitions.json", false);
    let assignments = read(ctx, "roleAssignments.json", false);
    let schedules = read(ctx, "roleAssignmentScheduleInstances.json", false);
    let eligibility = read(ctx, "roleEligibilityScheduleInstances.json", false);
    let groups = read(ctx, "groups.json", false);
    let service_principals = read(ctx, "servicePrincipals.json", false);
    let applications = read(ctx, "applications.json", false);
    ctx.policies = Some(Box::new(policies::load(ctx)));

    // signInActivity is licence-gated: if no user carries the key, the data is unavailable.
    caps.sign_in = users
        .records
        .iter()
        .any(|u| field(u, "signInActivity").is_some());
    caps.mfa = registration.is_some();
    caps.roles = assignments.is_some();
    caps.top_role_countable = assignments.is_some();
    caps.jit = eligibility.as_ref().map(|_| true);
    caps.owners = applications.is_some();

    let mut identities: Vec<Identity> = Vec::with_capacity(users.records.len());
    for rec in records(&users) {
        identities.push(tri!(ctx, user(ctx, &rec, caps.sign_in)));
    }
    if let Some(file) = &registration {
        apply_registration(ctx, file, &mut identities);
    }
    let by_id: HashMap<String, usize> = identities
        .iter()
        .enumerate()
        .map(|(i, u)| (u.object_id.to_ascii_lowercase(), i))
        .collect();
    if service_principals.is_some() || applications.is_some() {
        non_humans(
            ctx,
            service_principals.as_ref(),
            applications.as_ref(),
            &by_id,
            &mut identities,
        );
    }
    let index: HashMap<String, usize> = identities
        .iter()
        .enumerate()
        .map(|(i, u)| (u.object_id.to_ascii_lowercase(), i))
        .collect();
    let members = groups
        .as_ref()
        .map(|g| group_members(ctx, g, &index, &mut identities))
        .unwrap_or_default();
    if let Some(assignments) = &assignments {
        let names = definitions
            .as_ref()
            .map(|d| role_names(ctx, d))
            .unwrap_or_default();
        roles(
            ctx,
            assignments,
            schedules.as_ref(),
            eligibility.as_ref(),
            &names,
            &members,
            &index,
            &mut identities,
        );
    } else if registration.is_some() {
        ctx.warnings.push("roleAssignments.json is missing: who holds which role is unknown (privileged = unknown)".into());
    }
    (identities, caps, Some("Global Administrator".into()))
}

fn user(ctx: &SourceCtx, rec: &Rec, sign_in_exported: bool) -> Result<Identity, LoadError> {
    let id = rec.required("id")?;
    let mut u = Identity::new(
        &ctx.source.name,
        "entra",
        id,
        ctx.provenance(rec.file, rec.index, None),
    );
    u.set_principal_name(rec.str("userPrincipalName")?);
    u.display_name = rec.str("displayName")?;
    if let Some(mail) = rec.str("mail")? {
        u.emails.push(mail);
    }
    u.emails.extend(rec.strings("otherMails")?);
    u.enabled = rec.bool("accountEnabled")?;
    let user_type = rec.str("userType")?;
    let upn = u.principal_name_norm.clone().unwrap_or_default();
    let odata = rec.odata_type();
    u.kind = if odata.ends_with("agentuser") {
        u.kind_evidence.push("@odata.type=agentUser".into());
        Kind::Agent
    } else if user_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("guest"))
        || upn.contains("#ext#")
    {
        u.kind_evidence.push(format!(
            "userType={}",
            user_type.as_deref().unwrap_or("(none), #EXT# in UPN")
        ));
        Kind::Guest
    } else if service_name_hint(&upn) || u.display_name.as_deref().is_some_and(service_name_hint) {
        u.kind_evidence.push("service naming convention".into());
        Kind::ServiceAccount
    } else {
        u.kind_evidence.push(format!(
            "userType={}",
            user_type.as_deref().unwrap_or("Member")
        ));
        Kind::Human
    };
    u.status = match (u.enabled, rec.str("externalUserState")?.as_deref()) {
        (Some(false), _) => Status::Disabled,
        (_, Some(s)) if s.eq_ignore_ascii_case("PendingAcceptance") => Status::PendingInvite,
        (Some(true), _) => Status::Active,
        (None, _) => Status::Unknown,
    };
    u.created = rec.time("createdDateTime", TimeQuality::Absent)?;
    u.employment.employee_id = rec.str("employeeId")?;
    u.employment.employee_type = rec.str("employeeType")?;
    u.employment.department = rec.str("department")?;
    u.employment.title = rec.str("jobTitle")?;
    u.employment.hire_date = rec.time("employeeHireDate", TimeQuality::Absent)?;
    u.employment.leave_date = rec.time("employeeLeaveDateTime", TimeQuality::Absent)?;
    if let Some(m) = rec.get("manager").and_then(Value::as_object) {
        u.employment.manager = rec
            .sub(m)
            .str("userPrincipalName")?
            .or(rec.sub(m).str("id")?);
    }
    for (key, alt) in [
        ("onPremisesSecurityIdentifier", "sid"),
        ("onPremisesImmutableId", "immutable_id"),
        ("onPremisesSamAccountName", "sam_account_name"),
    ] {
        if let Some(v) = rec.str(key)? {
            u.alt_ids.insert(alt.into(), v);
        }
    }
    if let Some(guid) = u
        .alt_ids
        .get("immutable_id")
        .and_then(|v| immutable_id_to_guid(v))
    {
        u.alt_ids.insert("object_guid".into(), guid);
    }
    let policies = rec.str("passwordPolicies")?.unwrap_or_default();
    u.password.never_expires = rec
        .has_key("passwordPolicies")
        .then(|| policies.contains("DisablePasswordExpiration"));
    u.password.last_set = rec.time("lastPasswordChangeDateTime", TimeQuality::Absent)?;
    u.activity = activity(rec, sign_in_exported)?;
    Ok(u)
}

fn activity(rec: &Rec, sign_in_exported: bool) -> Result<Activity, LoadError> {
    let mut a = Activity {
        known: sign_in_exported,
        ..Activity::default()
    };
    if !sign_in_exported {
        let ts = Ts::of(TimeQuality::Unavailable);
        (
            a.last_interactive,
            a.last_non_interactive,
            a.last_successful,
            a.last_any,
        ) = (ts.clone(), ts.clone(), ts.clone(), ts);
        return Ok(a);
    }
    match field(rec.obj, "signInActivity") {
        // Exported for the tenant, nothing for this user: never signed in.
        None | Some(Value::Null) => {
            let never = Ts::of(TimeQuality::Never);
            (a.last_interactive, a.last_non_interactive, a.last_any) = (never.clone(), never.clone(), never);
        }
        Some(Value::Object(s)) => {
            let s = rec.sub(s);
            a.last_interactive = s.time("lastSignInDateTime", TimeQuality::Never)?;
            a.last_non_interactive = s.time("lastNonInteractiveSignInDateTime", TimeQuality::Never)?;
            a.last_successful = s.time("lastSuccessfulSignInDateTime", TimeQuality::Never)?;
            // RULES.md: "last successful or interactive sign-in". Non-interactive attempts
            // (token refreshes, failures included) are kept but do not prove use; successful
            // non-interactive sign-ins are in lastSuccessfulSignInDateTime (since 2023-12).
            a.last_any = Ts::latest(&a.last_interactive, &a.last_successful);
        }
        Some(Value::String(s)) if super::text::unflattened_type_name(s) => {
            return Err(rec.err(
                "signInActivity",
                format!("`{s}` is a PowerShell type name, not data: export with ConvertTo-Json -Depth 5, or Graph JSON directly"),
            ))
        }
        Some(v) => return Err(rec.err("signInActivity", format!("expected an object, found {}", json_type(v)))),
    }
    Ok(a)
}

fn apply_registration(ctx: &mut SourceCtx, file: &File, identities: &mut [Identity]) {
    let index: HashMap<String, usize> = identities
        .iter()
        .enumerate()
        .map(|(i, u)| (u.object_id.to_ascii_lowercase(), i))
        .collect();
    let mut unmatched = 0;
    for rec in records(file) {
        let id = tri!(ctx, rec.required("id"));
        let registered = tri!(ctx, rec.bool("isMfaRegistered"));
        let capable = tri!(ctx, rec.bool("isMfaCapable"));
        let methods = tri!(ctx, rec.strings("methodsRegistered"));
        let Some(&i) = index.get(&id.to_ascii_lowercase()) else {
            unmatched += 1;
            continue;
        };
        let mfa = &mut identities[i].mfa;
        mfa.registered = registered;
        mfa.capable = capable;
        mfa.methods = methods;
        mfa.source = Some(format!("{} (record {})", file.shown, rec.index));
    }
    if unmatched > 0 {
        ctx.warnings.push(format!(
            "{}: {unmatched} registration record(s) match no user in users.json",
            file.shown
        ));
    }
}

fn role_names(ctx: &mut SourceCtx, file: &File) -> HashMap<String, (String, Option<bool>)> {
    let mut names = HashMap::new();
    for rec in records(file) {
        let id = tri!(ctx, rec.required("id"));
        let name = tri!(ctx, rec.str("displayName")).unwrap_or_else(|| id.clone());
        let template = tri!(ctx, rec.str("templateId"));
        let privileged = tri!(ctx, rec.bool("isPrivileged"));
        if let Some(t) = template {
            names.insert(t.to_ascii_lowercase(), (name.clone(), privileged));
        }
        names.insert(id.to_ascii_lowercase(), (name, privileged));
    }
    names
}

/// Members of each group, expanded through nested groups (cycle-safe), as identity indexes.
fn group_members(
    ctx: &mut SourceCtx,
    file: &File,
    index: &HashMap<String, usize>,
    identities: &mut [Identity],
) -> HashMap<String, Vec<usize>> {
    let mut direct: BTreeMap<String, (Option<String>, Vec<String>)> = BTreeMap::new();
    for rec in records(file) {
        let id = tri!(ctx, rec.required("id")).to_ascii_lowercase();
        let name = tri!(ctx, rec.str("displayName"));
        let members = tri!(ctx, rec.array("members")).cloned().unwrap_or_default();
        let mut ids = Vec::new();
        for m in &members {
            match m
                .as_object()
                .and_then(|o| field(o, "id"))
                .and_then(Value::as_str)
            {
                Some(mid) => ids.push(mid.to_ascii_lowercase()),
                None => ctx
                    .errors
                    .push(rec.err("members", "a member has no `id`".into())),
            }
        }
        for mid in &ids {
            if let Some(&i) = index.get(mid) {
                identities[i].groups.push(GroupRef {
                    id: id.clone(),
                    name: name.clone(),
                });
            }
        }
        direct.insert(id, (name, ids));
    }
    let mut expanded = HashMap::new();
    for gid in direct.keys() {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut stack = vec![gid.clone()];
        while let Some(g) = stack.pop() {
            if !seen.insert(g.clone()) {
                continue;
            }
            for mid in direct.get(&g).map(|d| &d.1).into_iter().flatten() {
                if direct.contains_key(mid) {
                    stack.push(mid.clone());
                } else if let Some(&i) = index.get(mid) {
                    out.push(i);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        expanded.insert(gid.clone(), out);
    }
    expanded
}

fn classify(
    role_id: &str,
    names: &HashMap<String, (String, Option<bool>)>,
) -> (Option<String>, bool, bool) {
    let key = role_id.to_ascii_lowercase();
    let builtin = PRIVILEGED_ROLES.iter().find(|(id, _)| *id == key);
    let (name, flag) = names
        .get(&key)
        .map(|(n, p)| (Some(n.clone()), *p))
        .unwrap_or((builtin.map(|(_, n)| n.to_string()), None));
    let privileged = flag.unwrap_or(builtin.is_some());
    (name, privileged, key == GLOBAL_ADMIN)
}

#[allow(clippy::too_many_arguments)]
fn roles(
    ctx: &mut SourceCtx,
    assignments: &File,
    schedules: Option<&File>,
    eligibility: Option<&File>,
    names: &HashMap<String, (String, Option<bool>)>,
    members: &HashMap<String, Vec<usize>>,
    index: &HashMap<String, usize>,
    identities: &mut [Identity],
) {
    // (principal, role, scope) → kind of active assignment, from PIM schedule instances.
    let mut active_kind: HashMap<(String, String, String), (AssignmentKind, Ts, Ts)> =
        HashMap::new();
    let mut pending: Vec<(Rec, AssignmentKind)> = Vec::new();
    for rec in records(assignments) {
        pending.push((rec, AssignmentKind::Permanent));
    }
    if let Some(file) = schedules {
        for rec in records(file) {
            let key = tri!(ctx, assignment_key(&rec));
            let kind = match tri!(ctx, rec.str("assignmentType")).as_deref() {
                Some(t) if t.eq_ignore_ascii_case("Activated") => AssignmentKind::Activated,
                _ if tri!(ctx, rec.str("endDateTime")).is_some() => AssignmentKind::TimeBound,
                _ => AssignmentKind::Permanent,
            };
            let start = tri!(ctx, rec.time("startDateTime", TimeQuality::Absent));
            let end = tri!(ctx, rec.time("endDateTime", TimeQuality::Never));
            active_kind.insert(key, (kind, start, end));
        }
    }
    let mut covered = HashSet::new();
    for (rec, _) in &pending {
        if let Ok(key) = assignment_key(rec) {
            covered.insert(key);
        }
    }
    if let Some(file) = schedules {
        for rec in records(file) {
            if let Ok(key) = assignment_key(&rec) {
                if !covered.contains(&key) {
                    pending.push((rec, AssignmentKind::Permanent));
                }
            }
        }
    }
    if let Some(file) = eligibility {
        for rec in records(file) {
            pending.push((rec, AssignmentKind::Eligible));
        }
    }
    for (rec, base_kind) in pending {
        let key = tri!(ctx, assignment_key(&rec));
        let (principal, role_id, scope) = key.clone();
        let (mut kind, mut start, mut end) = (
            base_kind,
            Ts::of(TimeQuality::Absent),
            Ts::of(TimeQuality::Never),
        );
        if base_kind == AssignmentKind::Eligible {
            start = tri!(ctx, rec.time("startDateTime", TimeQuality::Absent));
            end = tri!(ctx, rec.time("endDateTime", TimeQuality::Never));
        } else if let Some((k, s, e)) = active_kind.get(&key) {
            (kind, start, end) = (*k, s.clone(), e.clone());
        }
        let (role_name, privileged, top) = classify(&role_id, names);
        let role_id = rec
            .str("roleDefinitionId")
            .ok()
            .flatten()
            .unwrap_or(role_id);
        let assignment = RoleAssignment {
            role_id,
            role_name,
            scope,
            assignment: kind,
            privileged,
            top,
            via_group: None,
            start,
            end,
            prov: ctx.provenance(rec.file, rec.index, None),
        };
        if let Some(&i) = index.get(&principal) {
            identities[i].roles.push(assignment);
        } else if let Some(group_members) = members.get(&principal) {
            for &i in group_members {
                let mut a = assignment.clone();
                a.via_group = Some(principal.clone());
                identities[i].roles.push(a);
            }
        } else {
            ctx.warnings.push(format!(
                "{} record {}: principal `{principal}` is not a user, service principal or exported group; the assignment is not attributed",
                rec.file, rec.index
            ));
        }
    }
}

fn assignment_key(rec: &Rec) -> Result<(String, String, String), LoadError> {
    let principal = rec.required("principalId")?.to_ascii_lowercase();
    let role = rec.required("roleDefinitionId")?.to_ascii_lowercase();
    let scope = rec.str("directoryScopeId")?.unwrap_or_else(|| "/".into());
    Ok((principal, role, scope))
}

fn non_humans(
    ctx: &mut SourceCtx,
    sps: Option<&File>,
    apps: Option<&File>,
    users: &HashMap<String, usize>,
    identities: &mut Vec<Identity>,
) {
    // Applications hold most secrets and the owners; join them to their service principal by appId.
    let mut app_by_app_id: BTreeMap<String, (Identity, bool)> = BTreeMap::new();
    if let Some(file) = apps {
        for rec in records(file) {
            let id = tri!(ctx, rec.required("id"));
            let mut app = Identity::new(
                &ctx.source.name,
                "entra",
                id,
                ctx.provenance(rec.file, rec.index, None),
            );
            let app_id = tri!(ctx, rec.str("appId")).unwrap_or_else(|| app.object_id.clone());
            app.display_name = tri!(ctx, rec.str("displayName"));
            app.created = tri!(ctx, rec.time("createdDateTime", TimeQuality::Absent));
            let agent = rec.odata_type().contains("agentidentityblueprint");
            app.kind = if agent { Kind::Agent } else { Kind::Workload };
            app.kind_evidence.push(if agent {
                "@odata.type=agentIdentityBlueprint".into()
            } else {
                "application registration".into()
            });
            app.alt_ids.insert("app_id".into(), app_id.clone());
            app.credentials = tri!(ctx, credentials(ctx, &rec, "application"));
            app.owners = Some(tri!(ctx, owners(&rec, users, identities)));
            app_by_app_id.insert(app_id.to_ascii_lowercase(), (app, false));
        }
    }
    if let Some(file) = sps {
        let mut first_party = 0usize;
        for rec in records(file) {
            let id = tri!(ctx, rec.required("id"));
            let owner_org = tri!(ctx, rec.str("appOwnerOrganizationId"))
                .unwrap_or_default()
                .to_ascii_lowercase();
            let sp_type = tri!(ctx, rec.str("servicePrincipalType")).unwrap_or_default();
            if owner_org == MICROSOFT_TENANT {
                first_party += 1;
                continue;
            }
            let mut sp = Identity::new(
                &ctx.source.name,
                "entra",
                id,
                ctx.provenance(rec.file, rec.index, None),
            );
            sp.display_name = tri!(ctx, rec.str("displayName"));
            sp.enabled = tri!(ctx, rec.bool("accountEnabled"));
            sp.status = match sp.enabled {
                Some(true) => Status::Active,
                Some(false) => Status::Disabled,
                None => Status::Unknown,
            };
            sp.created = tri!(ctx, rec.time("createdDateTime", TimeQuality::Absent));
            let odata = rec.odata_type();
            sp.kind = if odata.contains("agentidentity")
                || sp_type.eq_ignore_ascii_case("ServiceIdentity")
            {
                sp.kind_evidence
                    .push(format!("agent identity (servicePrincipalType={sp_type})"));
                Kind::Agent
            } else if sp_type.eq_ignore_ascii_case("ManagedIdentity") {
                sp.kind_evidence
                    .push("servicePrincipalType=ManagedIdentity".into());
                Kind::ManagedIdentity
            } else {
                sp.kind_evidence.push(format!(
                    "servicePrincipalType={}",
                    if sp_type.is_empty() {
                        "(none)"
                    } else {
                        &sp_type
                    }
                ));
                Kind::Workload
            };
            let app_id = tri!(ctx, rec.str("appId"));
            sp.credentials = tri!(ctx, credentials(ctx, &rec, "service_principal"));
            let own = if rec.has_key("owners") {
                Some(tri!(ctx, owners(&rec, users, identities)))
            } else {
                None
            };
            sp.activity = Activity {
                known: false,
                last_any: Ts::of(TimeQuality::Unavailable),
                last_interactive: Ts::of(TimeQuality::NotApplicable),
                last_non_interactive: Ts::of(TimeQuality::Unavailable),
                last_successful: Ts::of(TimeQuality::Unavailable),
            };
            sp.owners = own;
            if let Some(app_id) = app_id {
                sp.alt_ids.insert("app_id".into(), app_id.clone());
                if let Some((app, used)) = app_by_app_id.get_mut(&app_id.to_ascii_lowercase()) {
                    *used = true;
                    sp.alt_ids
                        .insert("application_object_id".into(), app.object_id.clone());
                    let have: HashSet<String> = sp
                        .credentials
                        .iter()
                        .map(|c| c.id.to_ascii_lowercase())
                        .collect();
                    sp.credentials.extend(
                        app.credentials
                            .iter()
                            .filter(|c| !have.contains(&c.id.to_ascii_lowercase()))
                            .cloned(),
                    );
                    let mut all = sp.owners.take().unwrap_or_default();
                    all.extend(app.owners.clone().unwrap_or_default());
                    all.sort_by(|a, b| a.id.cmp(&b.id));
                    all.dedup_by(|a, b| a.id == b.id);
                    sp.owners = Some(all);
                    if app.kind == Kind::Agent && sp.kind == Kind::Workload {
                        sp.kind = Kind::Agent;
                        sp.kind_evidence
                            .push("application is an agent identity blueprint".into());
                    }
                }
            }
            if apps.is_some() && !sp.alt_ids.contains_key("application_object_id") {
                // No registration here: the app belongs to another tenant (a vendor's), so who
                // answers for it is not in this export unless the SP carries its own owners.
                sp.kind_evidence
                    .push("application registered in another tenant".into());
            }
            identities.push(sp);
        }
        if first_party > 0 {
            ctx.warnings.push(format!("{}: {first_party} Microsoft first-party service principal(s) are not client identities and were not audited", file.shown));
        }
    }
    for (_, (mut app, used)) in app_by_app_id {
        if !used {
            // An app registration with no service principal here still holds credentials.
            app.activity = Activity {
                known: false,
                last_any: Ts::of(TimeQuality::Unavailable),
                ..Activity::default()
            };
            app.enabled = Some(true);
            app.status = Status::Active;
            identities.push(app);
        }
    }
}

fn credentials(ctx: &SourceCtx, rec: &Rec, origin: &str) -> Result<Vec<Credential>, LoadError> {
    let mut out = Vec::new();
    for (list, kind) in [
        ("passwordCredentials", CredentialKind::ClientSecret),
        ("keyCredentials", CredentialKind::Certificate),
    ] {
        for item in rec.array(list)?.into_iter().flatten() {
            let Some(obj) = item.as_object() else {
                return Err(rec.err(list, format!("expected objects, found {}", json_type(item))));
            };
            let c = rec.sub(obj);
            let id = c
                .str("keyId")?
                .ok_or_else(|| rec.err(list, "a credential has no `keyId`".into()))?;
            let created = c.time("startDateTime", TimeQuality::Absent)?;
            out.push(Credential {
                id,
                kind,
                display_name: c.str("displayName")?,
                hint: c.str("hint")?,
                active: Some(true),
                rotated: created.clone(),
                created,
                expires: portal_never(c.time("endDateTime", TimeQuality::Never)?),
                last_used: Ts::of(TimeQuality::Unavailable),
                last_used_where: None,
                origin: Some(origin.into()),
                lifetime_days: None,
                expired: None,
                derived: CredentialDerived::default(),
                prov: ctx.provenance(rec.file, rec.index, None),
            });
        }
    }
    Ok(out)
}

fn owners(
    rec: &Rec,
    users: &HashMap<String, usize>,
    identities: &[Identity],
) -> Result<Vec<Owner>, LoadError> {
    let mut out = Vec::new();
    for item in rec.array("owners")?.into_iter().flatten() {
        let Some(obj) = item.as_object() else {
            return Err(rec.err(
                "owners",
                format!("expected objects, found {}", json_type(item)),
            ));
        };
        let o = rec.sub(obj);
        let id = o
            .str("id")?
            .ok_or_else(|| rec.err("owners", "an owner has no `id`".into()))?;
        let known = users.get(&id.to_ascii_lowercase()).map(|&i| &identities[i]);
        out.push(Owner {
            principal_name: o
                .str("userPrincipalName")?
                .or_else(|| known.and_then(|u| u.principal_name.clone())),
            enabled: known.and_then(|u| u.enabled),
            id,
        });
    }
    Ok(out)
}

/// The Entra portal's "Never" expiry for secrets is stored as 2299-12-31: it is no expiry.
fn portal_never(t: Ts) -> Ts {
    use chrono::Datelike;
    match t.at {
        Some(at) if at.year() >= 2299 => Ts::with(None, TimeQuality::Never, t.raw),
        _ => t,
    }
}

/// `onPremisesImmutableId` is base64 of the AD objectGUID bytes (first three groups little-endian).
pub fn immutable_id_to_guid(b64: &str) -> Option<String> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let b: [u8; 16] = bytes.try_into().ok()?;
    Some(format!(
        "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
        b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn immutable_id_decodes_mixed_endian_guid() {
        assert_eq!(
            immutable_id_to_guid("jnZ7buIHEEiEWUhfhPjyBA==").as_deref(),
            Some("6e7b768e-07e2-4810-8459-485f84f8f204")
        );
        assert_eq!(immutable_id_to_guid("not base64"), None);
    }

    #[test]
    fn classify_knows_global_admin_and_honours_is_privileged() {
        let mut names = HashMap::new();
        names.insert("custom-1".to_string(), ("Custom".to_string(), Some(true)));
        assert_eq!(
            classify(GLOBAL_ADMIN, &HashMap::new()),
            (Some("Global Administrator".into()), true, true)
        );
        assert_eq!(
            classify("custom-1", &names),
            (Some("Custom".into()), true, false)
        );
        assert_eq!(
            classify("88d8e3e3-8f55-4a1e-953a-9b9898b8876b", &HashMap::new()),
            (None, false, false)
        );
    }
}
