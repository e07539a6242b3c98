//! The normalised identity model: what every loader produces and what every policy reads.
//!
//! One shape for humans, guests, service accounts, workloads, AI agents and technicians, whatever
//! system they came from. Serialised (snake_case JSON) it *is* the Rego input (`driftgate input`
//! prints it). Tri-state facts are `Option<bool>`: `null` in Rego means "unknown", never "no".
//! This module holds types only; it must not read files or judge anything.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where a record came from: enough for an auditor to open the file and find it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Provenance {
    /// The `[[source]]` name from estate.toml / tenant.toml.
    pub source: String,
    /// The file, relative to the estate root.
    pub file: String,
    /// 1-based record index within the file (JSON array element, CSV data row).
    pub record: u64,
    /// 1-based physical line in the file, where the format has lines (CSV).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl Provenance {
    /// `file#record` or `file:line`, for messages.
    pub fn locator(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{} (record {})", self.file, line, self.record),
            None => format!("{} (record {})", self.file, self.record),
        }
    }
}

/// How much a timestamp can be trusted, and why it may be absent.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum TimeQuality {
    /// A real UTC instant.
    Exact,
    /// Real, but replicated with a lag (AD lastLogonTimestamp: up to 14 days behind).
    Lagged,
    /// A culture-formatted local time without zone, read as UTC (±14 h).
    Local,
    /// Day and month order could not be decided; no value is given.
    Ambiguous,
    /// The source says this never happened.
    Never,
    /// The field does not apply to this record (no password, no key).
    NotApplicable,
    /// The source cannot tell (licence, permission or export choice hides it).
    Unavailable,
    /// The field was not in the export at all.
    #[default]
    Absent,
}

/// A timestamp with its quality, the raw text it came from and its age at `as_of`.
#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Ts {
    /// RFC 3339 UTC, when known.
    #[serde(serialize_with = "ser_opt_time")]
    pub at: Option<DateTime<Utc>>,
    pub quality: TimeQuality,
    /// Whole days from `at` to the run's `as_of` (negative when in the future).
    pub days_ago: Option<i64>,
    /// The value exactly as the export had it. Kept out of the policy input: every field there
    /// is paid for on each evaluation (measured ~10% of the run), and provenance already
    /// points at the record.
    #[serde(skip)]
    pub raw: Option<String>,
}

fn ser_opt_time<S: serde::Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        None => s.serialize_none(),
    }
}

impl Ts {
    pub fn exact(at: DateTime<Utc>, raw: impl Into<String>) -> Ts {
        Ts::with(Some(at), TimeQuality::Exact, Some(raw.into()))
    }
    pub fn with(at: Option<DateTime<Utc>>, quality: TimeQuality, raw: Option<String>) -> Ts {
        Ts {
            at,
            quality,
            days_ago: None,
            raw,
        }
    }
    pub fn of(quality: TimeQuality) -> Ts {
        Ts {
            quality,
            ..Ts::default()
        }
    }
    /// True when the value is a usable instant.
    pub fn is_known(&self) -> bool {
        self.at.is_some()
    }
    /// The later of two timestamps; `never` only when both say never, unknown beats never.
    pub fn latest(a: &Ts, b: &Ts) -> Ts {
        match (a.at, b.at) {
            (Some(x), Some(y)) => {
                if x >= y {
                    a.clone()
                } else {
                    b.clone()
                }
            }
            (Some(_), None) => a.clone(),
            (None, Some(_)) => b.clone(),
            (None, None) => {
                use TimeQuality::*;
                // A field the export lacks says nothing; unknown outranks never.
                let rank = |q: TimeQuality| match q {
                    Unavailable | Ambiguous => 3,
                    Never => 2,
                    NotApplicable => 1,
                    _ => 0,
                };
                if rank(a.quality) >= rank(b.quality) {
                    a.clone()
                } else {
                    b.clone()
                }
            }
        }
    }
}

/// What kind of principal an identity is.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Human,
    Guest,
    ServiceAccount,
    Workload,
    ManagedIdentity,
    Agent,
    Root,
    Technician,
    Shared,
    /// A delegated-admin relationship (GDAP): the MSP's standing access into a client tenant,
    /// held by the members of its access-container groups.
    Delegation,
    Unknown,
}

impl Kind {
    /// Service accounts, workloads, managed identities and AI agents.
    pub fn is_non_human(self) -> bool {
        matches!(
            self,
            Kind::ServiceAccount | Kind::Workload | Kind::ManagedIdentity | Kind::Agent
        )
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Human => "human",
            Kind::Guest => "guest",
            Kind::ServiceAccount => "service_account",
            Kind::Workload => "workload",
            Kind::ManagedIdentity => "managed_identity",
            Kind::Agent => "agent",
            Kind::Root => "root",
            Kind::Technician => "technician",
            Kind::Shared => "shared",
            Kind::Delegation => "delegation",
            Kind::Unknown => "unknown",
        }
    }
}

/// Lifecycle state as the source reports it.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Disabled,
    Suspended,
    Locked,
    Staged,
    PendingInvite,
    Deprovisioned,
    Expired,
    Deleted,
    Unknown,
}

/// Sign-in activity. `known` is false when the export cannot show activity at all.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Activity {
    pub last_interactive: Ts,
    pub last_non_interactive: Ts,
    pub last_successful: Ts,
    /// The latest of the above; the one staleness rules read.
    pub last_any: Ts,
    /// False when a licence or the export hides sign-in data for this identity.
    pub known: bool,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Password {
    /// Whether the account can sign in with a password (AWS `password_enabled`).
    pub enabled: Option<bool>,
    pub last_set: Ts,
    pub never_expires: Option<bool>,
    /// AD PASSWD_NOTREQD.
    pub not_required: Option<bool>,
    pub must_change: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Employment {
    pub employee_id: Option<String>,
    pub employee_type: Option<String>,
    pub department: Option<String>,
    pub title: Option<String>,
    pub manager: Option<String>,
    pub hire_date: Ts,
    pub leave_date: Ts,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Mfa {
    /// At least one MFA method registered; null when the export cannot tell.
    pub registered: Option<bool>,
    /// Registered and allowed by policy (Entra `isMfaCapable`).
    pub capable: Option<bool>,
    pub methods: Vec<String>,
    /// Which file the MFA facts came from.
    pub source: Option<String>,
    /// A policy requires MFA (2-Step Verification) of this user: Google `isEnforcedIn2Sv`,
    /// JumpCloud `enable_user_portal_multifactor` (false when `mfa.exclusion` is set); null when
    /// the export does not say per user (Entra, Okta: see the tenant's `mfa_enforcement`).
    pub enforced: Option<bool>,
}

/// How a role is held.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentKind {
    /// Standing, always active.
    Permanent,
    /// Can be activated just in time (PIM eligible).
    Eligible,
    /// A just-in-time activation in progress.
    Activated,
    /// Active with an end date.
    TimeBound,
    /// Granted to the MSP through delegated admin (GDAP).
    Delegated,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoleAssignment {
    /// Role template id (Entra), group DN (AD), or the product's role id.
    pub role_id: String,
    pub role_name: Option<String>,
    /// `/` is tenant-wide.
    pub scope: String,
    pub assignment: AssignmentKind,
    pub privileged: bool,
    /// The directory's top role (Global Administrator, root, Super Admin).
    pub top: bool,
    /// Held through membership of this group (its id), not directly.
    pub via_group: Option<String>,
    pub start: Ts,
    pub end: Ts,
    pub prov: Provenance,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    AccessKey,
    ClientSecret,
    Certificate,
    ApiToken,
    SigningCert,
    Federated,
}

/// A secret, key or certificate. Never carries secret material.
#[derive(Debug, Clone, Serialize)]
pub struct Credential {
    pub id: String,
    pub kind: CredentialKind,
    pub display_name: Option<String>,
    pub hint: Option<String>,
    pub active: Option<bool>,
    pub created: Ts,
    /// Last rotation: for most sources the creation of this credential.
    pub rotated: Ts,
    pub expires: Ts,
    pub last_used: Ts,
    pub last_used_where: Option<String>,
    /// application | service_principal | user
    pub origin: Option<String>,
    /// Days from created to expires; null when either is unknown or there is no expiry.
    pub lifetime_days: Option<i64>,
    /// True when `expires` is before `as_of`; null when expiry unknown.
    pub expired: Option<bool>,
    pub derived: CredentialDerived,
    pub prov: Provenance,
}

/// Someone answerable for a non-human identity.
#[derive(Debug, Clone, Serialize)]
pub struct Owner {
    pub id: String,
    pub principal_name: Option<String>,
    /// Whether the owner can still sign in; null when the owner is not in the export.
    pub enabled: Option<bool>,
}

/// Whether and how an account was matched to the tenant's source-of-truth identity.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum MatchState {
    /// The account is in the source of truth itself.
    SourceOfTruth,
    /// Exactly one source-of-truth identity matched by the strongest key available.
    Matched,
    /// Several source-of-truth identities match with equal strength: never guessed.
    Ambiguous,
    /// No source-of-truth identity matches by any key.
    Unmatched,
    /// The tenant names no `source_of_truth`.
    NoSourceOfTruth,
    /// Not an account a person or service signs in with (workload, managed identity, agent,
    /// delegation): not correlated.
    #[default]
    NotApplicable,
}

impl MatchState {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchState::SourceOfTruth => "source_of_truth",
            MatchState::Matched => "matched",
            MatchState::Ambiguous => "ambiguous",
            MatchState::Unmatched => "unmatched",
            MatchState::NoSourceOfTruth => "no_source_of_truth",
            MatchState::NotApplicable => "not_applicable",
        }
    }
}

/// The key a match was made on, strongest first.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MatchKey {
    ObjectGuid,
    Sid,
    EmployeeId,
    PrincipalName,
    Email,
}

impl MatchKey {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKey::ObjectGuid => "object_guid",
            MatchKey::Sid => "sid",
            MatchKey::EmployeeId => "employee_id",
            MatchKey::PrincipalName => "principal_name",
            MatchKey::Email => "email",
        }
    }
}

/// The matched source-of-truth identity's state, copied so that rules compare without joins.
#[derive(Debug, Clone, Serialize)]
pub struct SotFacts {
    /// The person has left by the source of truth's own account: disabled, deleted,
    /// deprovisioned, suspended or expired, or past the leave date. Null when the source of
    /// truth cannot tell (enabled unknown, status unknown, no leave date in the past).
    pub gone: Option<bool>,
    pub enabled: Option<bool>,
    pub status: Status,
    pub leave_date: Ts,
    pub principal_name: Option<String>,
    /// The source-of-truth identity's groups, lower-cased ids and names (what `[[entitlement]]`
    /// groups are compared with); shared by every account matched to it. Null when the source of
    /// truth's export carries no group memberships at all.
    pub groups: Option<std::sync::Arc<[String]>>,
    pub prov: Provenance,
}

/// An account's relation to the source of truth.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Correlation {
    pub state: MatchState,
    /// The key that decided (matched or ambiguous).
    pub method: Option<MatchKey>,
    /// The key's normalised value, as evidence.
    pub value: Option<String>,
    pub sot_ref: Option<String>,
    /// Ambiguous: every source-of-truth identity the key found.
    pub candidates: Vec<String>,
    pub sot: Option<Box<SotFacts>>,
}

impl Correlation {
    pub fn state(state: MatchState) -> Correlation {
        Correlation {
            state,
            ..Correlation::default()
        }
    }
}

/// Whether an account belongs to one of the MSP's technicians.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StaffState {
    /// Matched to an identity of the staff source.
    Matched,
    /// A technician account that matches no identity of the staff source (absent there).
    Absent,
    /// A technician account, but the estate names no staff source.
    NoStaffSource,
}

/// The link from an account to the MSP's staff directory.
#[derive(Debug, Clone, Serialize)]
pub struct StaffLink {
    pub state: StaffState,
    /// The staff identity (matched only), the key and its value.
    pub staff_ref: Option<String>,
    pub method: Option<MatchKey>,
    pub value: Option<String>,
    pub principal_name: Option<String>,
    /// The technician has left the MSP: the staff identity is disabled, deleted, deprovisioned,
    /// suspended or expired, or past its leave date; null when the staff source cannot tell.
    pub gone: Option<bool>,
}

/// What makes two accounts in different tenants one reused account (LIFE-003).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ReuseKind {
    /// The same credential id (key id, token id) attached in several tenants.
    Credential,
    /// The same login of a non-human account (service account, workload, agent).
    ServiceAccount,
    /// The same login of a person-like account that no named technician accounts for.
    SharedLogin,
}

/// One account holding a reused key.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReuseAccount {
    pub tenant: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub prov: Provenance,
}

/// A key found in accounts of more than one tenant; shared by every account holding it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReuseKey {
    pub kind: ReuseKind,
    /// The normalised value (lower-cased credential id or login); never secret material.
    pub value: String,
    /// Every tenant with an account holding it (this one included), sorted.
    pub tenants: Vec<String>,
    /// The accounts holding it, sorted by tenant and ref; at most [`REUSE_LISTED`].
    pub accounts: Vec<ReuseAccount>,
    /// How many accounts hold it in all (`accounts` may list fewer).
    pub account_count: usize,
}

/// Accounts listed per reused key; the rest are counted.
pub const REUSE_LISTED: usize = 10;

/// An account's keys that other tenants' accounts hold too.
#[derive(Debug, Clone, Serialize)]
pub struct Reuse {
    /// Always true: a scalar for `applies_to` to select on.
    pub found: bool,
    /// Sorted by kind and value.
    pub keys: Vec<std::sync::Arc<ReuseKey>>,
}

/// The terms of a delegated-admin relationship (GDAP): what the MSP holds in one customer tenant.
/// The roles themselves are the identity's `roles` (assignment `delegated`).
#[derive(Debug, Clone, Serialize, Default)]
pub struct Delegation {
    /// The customer's tenant id (also in `clients.ids`).
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    /// As the source writes it (`active`, `approvalPending`, `terminated`, `expired` ...).
    pub status: Option<String>,
    /// The relationship's ISO 8601 duration, and in days.
    pub duration: Option<String>,
    pub duration_days: Option<i64>,
    /// Auto-extension (`autoExtendDuration`): days, 0 when none; null when not exported.
    pub auto_extend_days: Option<i64>,
    /// When the relationship ends (`endDateTime`).
    pub ends: Ts,
    /// Security groups in the MSP's own tenant that carry the access, each with its roles.
    pub access_containers: Vec<AccessContainer>,
}

/// One access assignment of a delegated-admin relationship.
#[derive(Debug, Clone, Serialize, Default)]
pub struct AccessContainer {
    /// The security group's object id in the MSP's tenant.
    pub group_id: String,
    pub group_name: Option<String>,
    /// Role template ids granted to the group.
    pub role_ids: Vec<String>,
    /// Assignment status (`active`, `pending`, `deleted` ...).
    pub status: Option<String>,
    /// Members of the group in the MSP's staff source (principal names); filled by driftgate
    /// after loading, empty when the staff source or its groups are not given.
    pub technicians: Vec<String>,
    /// Those of `technicians` who have left the MSP (see [`StaffLink::gone`]).
    pub departed: Vec<String>,
}

/// The client scope of an account in a multi-client system.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Clients {
    /// Client ids the record names (empty when it names none).
    pub ids: Vec<String>,
    /// Reaches every client (NinjaOne `permitAllClients`); null when the export does not say.
    pub all: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupRef {
    pub id: String,
    pub name: Option<String>,
}

/// One account in one system: the unit every identity-scoped rule judges.
#[derive(Debug, Clone, Serialize)]
pub struct Identity {
    /// Unique within the tenant: `<source>/<object_id>`. Findings name their subject by it.
    #[serde(rename = "ref")]
    pub reference: String,
    pub source: String,
    pub source_kind: String,
    pub object_id: String,
    /// Other stable keys: sid, object_guid, immutable_id, sam_account_name, arn, app_id ...
    pub alt_ids: BTreeMap<String, String>,
    pub principal_name: Option<String>,
    /// Lower-cased principal name (the one place case is folded).
    pub principal_name_norm: Option<String>,
    pub emails: Vec<String>,
    pub display_name: Option<String>,
    pub kind: Kind,
    /// Why `kind` was chosen: `userType=Guest`, `servicePrincipalName present` ...
    pub kind_evidence: Vec<String>,
    /// Service account, workload, managed identity or agent.
    pub non_human: bool,
    pub status: Status,
    pub status_raw: Option<String>,
    /// Can sign in now; null when the export does not say.
    pub enabled: Option<bool>,
    pub created: Ts,
    pub activity: Activity,
    pub password: Password,
    pub account_expires: Ts,
    pub employment: Employment,
    pub mfa: Mfa,
    /// Holds any privileged role (active, eligible or delegated); null when role data is missing.
    pub privileged: Option<bool>,
    /// Holds the directory's top role (any assignment kind); null when role data is missing.
    pub top_role: Option<bool>,
    pub roles: Vec<RoleAssignment>,
    pub groups: Vec<GroupRef>,
    pub credentials: Vec<Credential>,
    /// Owners of a non-human identity; null when the export does not carry ownership.
    pub owners: Option<Vec<Owner>>,
    /// Which client organisations this account reaches in a multi-client system (PSA company
    /// ids, RMM organisation ids, GDAP customer tenant id). Estate-level records are attributed
    /// to tenants by matching these against each tenant's `directory_ids`.
    pub clients: Clients,
    /// How this account relates to the tenant's source of truth (see `correlate.rs`).
    pub correlation: Correlation,
    /// A delegated-admin relationship's terms (kind `delegation` only).
    pub delegation: Option<Box<Delegation>>,
    /// The MSP technician behind this account, from the estate's staff source (`[msp]
    /// staff_source`): set for technician accounts and for any account that matches a staff
    /// identity; null otherwise.
    pub staff: Option<Box<StaffLink>>,
    /// What this account shares with accounts of other tenants (see `reuse.rs`): null when
    /// nothing, which is almost always.
    pub reuse: Option<Box<Reuse>>,
    /// Whether the tenant's provisioning log accounts for this account's creation and its
    /// privileged grants (see `provision.rs`).
    pub provisioning: Provisioning,
    /// Facts derived once in Rust so that rules only compare (see [`Derived`]).
    pub derived: Derived,
    pub prov: Provenance,
}

/// What a sign-in or use timestamp can tell a rule.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum UseState {
    /// A real instant: `*_days` holds its age.
    Dated,
    /// The source says it never happened.
    Never,
    /// Does not apply (no password, no key).
    NotApplicable,
    /// Hidden by licence, export choice or an unusable value.
    #[default]
    Unknown,
}

impl UseState {
    pub fn of(t: &Ts) -> UseState {
        match t.quality {
            TimeQuality::Exact | TimeQuality::Lagged | TimeQuality::Local
                if t.days_ago.is_some() =>
            {
                UseState::Dated
            }
            TimeQuality::Never => UseState::Never,
            TimeQuality::NotApplicable => UseState::NotApplicable,
            _ => UseState::Unknown,
        }
    }
}

/// Per-identity facts for policies: one comparison each, no date handling, no joins.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Derived {
    /// A user object that signs in (human, guest, technician, shared, root, service account),
    /// as opposed to an application, workload, managed identity or agent.
    pub user_account: bool,
    /// State of `activity.last_any` (Unknown whenever `activity.known` is false).
    pub activity: UseState,
    /// Days since the last sign-in when `activity` is `dated`.
    pub activity_days: Option<i64>,
    /// Days since creation; null when the creation time is unknown.
    pub created_days: Option<i64>,
    /// Holds at least one privileged role with a standing (permanent or time-bound) assignment.
    pub standing_privileged: bool,
    /// `roles` is not empty.
    pub has_roles: bool,
    /// `credentials` is not empty.
    pub has_credentials: bool,
}

/// Per-credential facts for policies.
#[derive(Debug, Clone, Serialize, Default)]
pub struct CredentialDerived {
    /// Usable now: not deactivated and not expired; null when either is unknown.
    pub live: Option<bool>,
    /// Days since created or last rotated (the later known one); null when neither is known.
    pub age_days: Option<i64>,
    /// State of `last_used`.
    pub use_state: UseState,
    /// Days since last use when `use_state` is `dated`.
    pub unused_days: Option<i64>,
    /// The credential has no expiry at all.
    pub no_expiry: bool,
}

/// Whether `path` (dot-separated, e.g. `derived.activity`) names a field of the identity model
/// as policies see it. Keys under an open map (e.g. `alt_ids.sid`) are accepted.
pub fn identity_has_field(path: &str) -> bool {
    let mut probe = Identity::new(
        "s",
        "k",
        "o".into(),
        Provenance {
            source: "s".into(),
            file: "f".into(),
            record: 1,
            line: Some(1),
        },
    );
    // Optional structs present, so that their fields can be named too.
    probe.staff = Some(Box::new(StaffLink {
        state: StaffState::Matched,
        staff_ref: None,
        method: None,
        value: None,
        principal_name: None,
        gone: None,
    }));
    probe.correlation.sot = Some(Box::new(SotFacts {
        gone: None,
        enabled: None,
        status: Status::Unknown,
        leave_date: Ts::default(),
        principal_name: None,
        groups: None,
        prov: probe.prov.clone(),
    }));
    probe.reuse = Some(Box::new(Reuse {
        found: true,
        keys: Vec::new(),
    }));
    let mut at = serde_json::to_value(&probe).expect("identity serialises");
    for segment in path.split('.') {
        match at {
            serde_json::Value::Object(map) if map.is_empty() => return !segment.is_empty(),
            serde_json::Value::Object(mut map) => match map.remove(segment) {
                Some(next) => at = next,
                None => return false,
            },
            _ => return false,
        }
    }
    true
}

impl Identity {
    /// A blank identity for a loader to fill in.
    pub fn new(source: &str, source_kind: &str, object_id: String, prov: Provenance) -> Identity {
        Identity {
            reference: format!("{source}/{object_id}"),
            source: source.to_string(),
            source_kind: source_kind.to_string(),
            object_id,
            alt_ids: BTreeMap::new(),
            principal_name: None,
            principal_name_norm: None,
            emails: Vec::new(),
            display_name: None,
            kind: Kind::Unknown,
            kind_evidence: Vec::new(),
            non_human: false,
            status: Status::Unknown,
            status_raw: None,
            enabled: None,
            created: Ts::default(),
            activity: Activity::default(),
            password: Password::default(),
            account_expires: Ts::default(),
            employment: Employment::default(),
            mfa: Mfa::default(),
            privileged: None,
            top_role: None,
            roles: Vec::new(),
            groups: Vec::new(),
            credentials: Vec::new(),
            owners: None,
            clients: Clients::default(),
            correlation: Correlation::default(),
            delegation: None,
            staff: None,
            reuse: None,
            provisioning: Provisioning::default(),
            derived: Derived::default(),
            prov,
        }
    }

    pub fn set_principal_name(&mut self, name: Option<String>) {
        self.principal_name_norm = name.as_ref().map(|n| n.trim().to_lowercase());
        self.principal_name = name;
    }
}

/// Whether a provisioning log accounts for an account's creation, or for a grant.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum ProvState {
    /// An event in the log accounts for it.
    Matched,
    /// Made inside the window the log covers, yet no event accounts for it: done by hand,
    /// outside the workflow.
    NoEvent,
    /// Made before or after the covered window, or when is unknown: the log cannot tell.
    OutsideWindow,
    /// The tenant has no provisioning log.
    #[default]
    NoLog,
    /// Not a downstream account (the source of truth itself, a workload, a tenant without a
    /// source of truth): not judged.
    NotApplicable,
}

/// What a provisioning event did.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ProvAction {
    /// Created the account in the log's own system (`Add user`, `user.lifecycle.create`).
    AccountCreated,
    /// Gave a person access: app assignment or group membership, which is how an identity
    /// provider's workflow creates accounts in downstream systems.
    AccessGranted,
    /// Granted a directory or admin role (`Add member to role`, `user.account.privilege.grant`).
    RoleGranted,
}

/// Who performed a provisioning event, as the log says.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ActorType {
    /// A person's account (Entra `initiatedBy.user`, Okta actor type `User`).
    User,
    /// An application, service principal or connector (Entra `initiatedBy.app`, Okta
    /// `PublicClientApp`, `AppInstance`).
    App,
    /// The platform itself (Okta `SystemPrincipal`: group rules, imports, lifecycle automation).
    System,
    Unknown,
}

/// One provisioning event, as cited on the account or grant it accounts for.
#[derive(Debug, Clone, Serialize)]
pub struct ProvEvent {
    /// The log's own id (directoryAudit `id`, Okta `uuid`, a CSV's event id or line).
    pub id: String,
    /// As the log writes it: `Add user`, `user.lifecycle.create` ...
    pub activity: String,
    pub action: ProvAction,
    /// Who did it: principal name, app name or id; null when the log does not say.
    pub actor: Option<String>,
    pub actor_type: ActorType,
    /// Done by an application, service or connector (true) or by a person (false); null when
    /// the log cannot tell.
    pub automated: Option<bool>,
    pub at: Ts,
    pub prov: Provenance,
}

/// The span a provisioning log covers: its earliest and latest record, whatever their activity.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProvWindow {
    pub start: Ts,
    pub end: Ts,
}

/// A provisioning event as a log loader reads it, with the keys it is matched on.
#[derive(Debug, Clone)]
pub struct LogEvent {
    pub event: ProvEvent,
    /// The accounts it acted on: object ids and sign-in names, lower-cased.
    pub targets: Vec<String>,
    /// What it granted: role, app role, group and app ids and names, lower-cased.
    pub grants: Vec<String>,
    /// The system whose accounts the log records (`entra`, `okta`); null for a generic tool's
    /// log, whose events may concern any system.
    pub system: Option<String>,
}

/// A loaded provisioning log: its events and the window it covers.
#[derive(Debug, Clone)]
pub struct ProvLog {
    pub source: String,
    pub events: Vec<LogEvent>,
    /// Null when the log holds no record at all.
    pub window: Option<ProvWindow>,
}

/// An account's standing against the tenant's provisioning logs.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Provisioning {
    /// The account's own state.
    pub state: ProvState,
    /// The account or one of its privileged grants is `no_event` or `outside_window`: what
    /// GOV-003 judges.
    pub gap: bool,
    /// The event that accounts for the account.
    pub event: Option<Box<ProvEvent>>,
    /// How the event was tied to the account: `object_id`, `principal_name`, `email`, or one
    /// of them prefixed `source_of_truth.` when found through the matched identity.
    pub matched_on: Option<String>,
    /// The window the tenant's logs cover together; null without a log, or when they share none.
    pub window: Option<Box<ProvWindow>>,
    /// The keys looked up in the logs (lower-cased): the account's own, then its
    /// source-of-truth identity's.
    pub keys: Vec<String>,
    /// The account's privileged role grants, each with its own state.
    pub grants: Vec<GrantProvisioning>,
}

/// One privileged role grant of a downstream account against the provisioning logs.
#[derive(Debug, Clone, Serialize)]
pub struct GrantProvisioning {
    pub role_id: String,
    pub role_name: Option<String>,
    pub assignment: AssignmentKind,
    /// Held through this group (its id).
    pub via_group: Option<String>,
    pub state: ProvState,
    pub event: Option<ProvEvent>,
    /// When the grant was made as far as the source tells (the assignment's start).
    pub granted: Ts,
    pub prov: Provenance,
}

/// Counts of one kind of thing (accounts or grants) by provisioning state.
#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct ProvCounts {
    /// Judged: downstream accounts, or their privileged grants.
    pub total: usize,
    pub matched: usize,
    /// Matched by an event an application, service or connector performed.
    pub automated: usize,
    /// Matched by an event a person performed.
    pub manual: usize,
    pub no_event: usize,
    pub outside_window: usize,
}

/// A tenant's provisioning logs and what they account for.
#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct ProvisioningSummary {
    /// The log sources.
    pub logs: Vec<String>,
    /// The window they cover together.
    pub window: Option<ProvWindow>,
    /// Provisioning events read (successful creations and grants).
    pub events: usize,
    pub accounts: ProvCounts,
    pub grants: ProvCounts,
}

/// What one source could and could not show, so rules can say "not evaluable".
#[derive(Debug, Clone, Serialize, Default)]
pub struct Capabilities {
    /// Sign-in activity is present (Entra P1 `signInActivity`, AD lastLogonTimestamp ...).
    pub sign_in: bool,
    /// MFA registration is present.
    pub mfa: bool,
    /// Role assignments are present, so "holds no privileged role" is a real no.
    pub roles: bool,
    /// The directory supports just-in-time (eligible) assignment and its data was exported:
    /// true (PIM data present), false (the system has no JIT), null (cannot tell).
    pub jit: Option<bool>,
    /// Ownership of non-human identities is present.
    pub owners: bool,
    /// The product has a top role whose holders can be counted from this export.
    pub top_role_countable: bool,
}

/// Per-source summary in the tenant facts.
#[derive(Debug, Clone, Serialize)]
pub struct SourceFacts {
    pub name: String,
    pub kind: String,
    pub path: String,
    pub files_read: Vec<String>,
    /// Optional files that were absent, and what that hides.
    pub files_missing: Vec<String>,
    pub identities: usize,
    pub capabilities: Capabilities,
    /// Name of this source's top role, when it has one.
    pub top_role_name: Option<String>,
    /// Tenant-wide policies the export shows (Entra Conditional Access, security defaults,
    /// authorization policy). Not in the policy input: the facts derived from them are
    /// (`mfa_enforcement`, `baseline`).
    #[serde(skip)]
    pub policies: Option<Box<DirectoryPolicies>>,
}

/// Tenant-wide policies of a directory, as its loader read them (Entra only for now).
#[derive(Debug, Clone, Default)]
pub struct DirectoryPolicies {
    /// `conditionalAccessPolicies.json`; None when not exported (unknown, not "none").
    pub conditional_access: Option<Vec<CaPolicy>>,
    /// `identitySecurityDefaultsEnforcementPolicy.json` `isEnabled`; None when not exported.
    pub security_defaults: Option<(bool, Provenance)>,
    /// `authorizationPolicy.json`; None when not exported.
    pub authorization: Option<AuthorizationPolicy>,
}

/// One Conditional Access policy (Graph `conditionalAccessPolicy`), ids as exported.
#[derive(Debug, Clone)]
pub struct CaPolicy {
    pub id: String,
    pub name: Option<String>,
    /// `enabled`, `disabled` or `enabledForReportingButNotEnforced` (report-only: not enforced).
    pub state: String,
    /// May hold the literals `All`, `None`, `GuestsOrExternalUsers`.
    pub include_users: Vec<String>,
    pub exclude_users: Vec<String>,
    pub include_groups: Vec<String>,
    pub exclude_groups: Vec<String>,
    pub include_roles: Vec<String>,
    pub exclude_roles: Vec<String>,
    /// `includeGuestsOrExternalUsers` / `excludeGuestsOrExternalUsers` are set.
    pub include_guests: bool,
    pub exclude_guests: bool,
    pub include_apps: Vec<String>,
    pub exclude_apps: Vec<String>,
    /// `all`, `browser`, `mobileAppsAndDesktopClients`, `exchangeActiveSync`, `other`.
    pub client_app_types: Vec<String>,
    /// Conditions that limit the policy to some sign-ins: `locations`, `platforms`,
    /// `signInRiskLevels`, `userRiskLevels`, `devices` ... (empty: every sign-in).
    pub narrowed_by: Vec<String>,
    /// `AND` / `OR` (Graph's default is `OR`).
    pub grant_operator: Option<String>,
    /// `mfa`, `block`, `compliantDevice` ... as exported (compared without case).
    pub built_in_controls: Vec<String>,
    /// The authentication strength's name or id, when one is required.
    pub authentication_strength: Option<String>,
    pub prov: Provenance,
}

/// Entra `authorizationPolicy`: who may invite guests and what default users may do.
#[derive(Debug, Clone)]
pub struct AuthorizationPolicy {
    /// `none`, `adminsAndGuestInviters`, `adminsGuestInvitersAndAllMembers`, `everyone`.
    pub allow_invites_from: Option<String>,
    /// `defaultUserRolePermissions.allowedToCreateApps`.
    pub allowed_to_create_apps: Option<bool>,
    pub prov: Provenance,
}

/// A holder of a top role, as counted for PRIV-002/003.
#[derive(Debug, Clone, Serialize)]
pub struct TopRoleHolder {
    #[serde(rename = "ref")]
    pub reference: String,
    pub principal_name: Option<String>,
    pub kind: Kind,
    pub enabled: Option<bool>,
    /// Standing (permanent or time-bound active) rather than eligible/activated.
    pub standing: bool,
    pub prov: Provenance,
}

/// Top-role holders of one source.
#[derive(Debug, Clone, Serialize)]
pub struct TopRole {
    pub source: String,
    pub role_name: String,
    pub holders: Vec<TopRoleHolder>,
    /// Holders not disabled with a standing assignment.
    pub standing_count: usize,
    /// Holders that can sign in now with a standing assignment.
    pub enabled_standing_count: usize,
}

/// Tenant-wide facts Rust derives once per tenant.
#[derive(Debug, Clone, Serialize)]
pub struct TenantFacts {
    pub id: String,
    pub name: String,
    pub status: String,
    pub source_of_truth: Option<String>,
    pub sources: Vec<SourceFacts>,
    /// One entry per source whose top role can be counted.
    pub top_roles: Vec<TopRole>,
    pub identity_count: usize,
    /// The tenant's provisioning logs and what they account for; null when it has none.
    pub provisioning: Option<ProvisioningSummary>,
    /// Whether each directory source (entra, google-workspace, jumpcloud, okta) requires MFA of
    /// all its users (BASE-001; see `src/enforcement.rs`).
    pub mfa_enforcement: Vec<MfaEnforcement>,
    /// Each `[baseline]` setting, expected against found (BASE-004; see `src/settings.rs`).
    pub baseline: Vec<BaselineCheck>,
    /// The waivers that apply to the tenant (GOV-001, GOV-002; see `src/waiver.rs`).
    pub waivers: Vec<crate::waiver::WaiverFacts>,
    /// Completed access reviews joined to the current entitlements (REVIEW-001, REVIEW-002;
    /// see `src/review/evidence.rs`).
    pub access_review: crate::review::AccessReviewFacts,
}

/// How a directory requires MFA of its users.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MfaMechanism {
    /// An enabled Conditional Access policy for all users and all applications.
    ConditionalAccess,
    /// Entra security defaults.
    SecurityDefaults,
    /// Google Workspace 2-Step Verification enforcement (per OU or group, seen per user).
    #[serde(rename = "2sv_policy")]
    TwoSvPolicy,
    /// A per-user requirement (JumpCloud `enable_user_portal_multifactor`).
    PerUser,
}

/// Something an enforcing policy leaves out (by id, as the policy names it).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct MfaExclusion {
    /// `user`, `group`, `role`, `guests_or_external_users` or `application`.
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    /// The principal name, group or role name, when the export shows it.
    pub name: Option<String>,
}

/// One directory source's MFA enforcement, derived once per tenant.
#[derive(Debug, Clone, Serialize)]
pub struct MfaEnforcement {
    pub source: String,
    pub kind: String,
    /// The tenant's source of truth.
    pub source_of_truth: bool,
    /// MFA required of all users: true, false, or null (unknown: see `reason`).
    pub enforced: Option<bool>,
    pub mechanism: Option<MfaMechanism>,
    /// Names of the Conditional Access policies that require MFA of all users.
    pub policies: Vec<String>,
    /// Who every enforcing policy leaves out (break-glass accounts are normal, and listed).
    pub excluded: Vec<MfaExclusion>,
    /// Enabled policies that require MFA of only some users or sign-ins, with why
    /// (`Require MFA for admins: directory roles only`).
    pub partial: Vec<String>,
    /// Report-only policies (`enabledForReportingButNotEnforced`) that would require MFA.
    pub report_only: Vec<String>,
    /// Per-user sources: active human users judged, how many are not enforced or unknown, and
    /// a sample (first 20 by principal name) of those not enforced.
    pub users: usize,
    pub not_enforced_users: usize,
    pub not_enforced_sample: Vec<String>,
    pub unknown_users: usize,
    /// Why `enforced` is null.
    pub reason: Option<String>,
    /// The records the answer rests on.
    pub prov: Vec<Provenance>,
}

/// One `[baseline]` setting of a tenant: what the MSP expects and what the exports show.
#[derive(Debug, Clone, Serialize)]
pub struct BaselineCheck {
    pub setting: String,
    /// `equal`, or `includes` (every expected item must be found; others may exist too).
    pub compare: String,
    /// As configured; the string `any` exempts the tenant (`exempt`).
    pub expected: serde_json::Value,
    /// As found; null when unknown (see `reason`).
    pub actual: Option<serde_json::Value>,
    /// Normalised for comparison: strings trimmed and lower-cased, lists sorted and deduplicated,
    /// ids replaced by names where the export names them.
    pub expected_norm: serde_json::Value,
    pub actual_norm: Option<serde_json::Value>,
    /// `estate.toml` or `tenant.toml`, and the file as shown.
    pub from: String,
    pub config_file: String,
    /// The tenant set this setting to `any`: not compared.
    pub exempt: bool,
    /// The source the actual value came from.
    pub source: Option<String>,
    /// Why `actual` is null.
    pub reason: Option<String>,
    pub prov: Vec<Provenance>,
}
