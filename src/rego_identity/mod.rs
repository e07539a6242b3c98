//! An [`Identity`] as a regorus value, built by hand: the hot path of evaluation (one value per
//! identity per run, about a quarter of all CPU through serde). The value is exactly what
//! [`crate::rego_value::to_value`] gives (tested on the demo and a synthetic estate); only the
//! work differs: field-name keys and object shapes are built once per thread, strings that
//! repeat across records (source, file, role names) and common small objects (null timestamps,
//! unmatched correlations) are shared rather than rebuilt.
//!
//! The conversions per struct are in `structs.rs`; each destructures its struct without `..`, so
//! a new field fails the build there. This module converts; it must not judge, filter or rename
//! anything. The serde route stays the reference and serves every other value (tenant facts,
//! params).

use crate::model::*;
use regorus::value::Object;
use regorus::Value;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;

mod structs;

/// The identity as the policies see it (the same value as `rego_value::to_value(identity)`).
pub fn identity_value(identity: &Identity) -> Value {
    LOCAL.with(|l| l.builder.borrow_mut().identity(&l.keys, identity))
}

/// One top-level field of `identity` (in full, as [`identity_value`] builds it; None for a name
/// the identity does not have): what `applies_to` selectors read, without the rest.
pub fn identity_field(identity: &Identity, name: &str) -> Option<Value> {
    LOCAL.with(|l| l.builder.borrow_mut().field(&l.keys, identity, name))
}

/// Per thread: values are reference-counted, and a count shared between threads would be
/// contended on every clone.
struct Local {
    keys: Keys,
    builder: RefCell<Builder>,
}

thread_local! {
    static LOCAL: Local = Local { keys: Keys::new(), builder: RefCell::new(Builder::new()) };
}

macro_rules! keys {
    ($($field:ident $(= $name:literal)?),* $(,)?) => {
        /// Every field name of the identity model, as a value built once.
        struct Keys { $($field: Value,)* }
        impl Keys {
            fn new() -> Keys {
                Keys { $($field: Value::from(keys!(@name $field $($name)?)),)* }
            }
        }
    };
    (@name $field:ident $name:literal) => { $name };
    (@name $field:ident) => { stringify!($field) };
}

keys! {
    access_containers, account_count, account_expires, accounts, action, active, activity,
    activity_days, actor, actor_type, age_days, all, alt_ids, assignment, at, auto_extend_days,
    automated, candidates, capable, clients, correlation, created, created_days, credentials,
    customer_id, customer_name, days_ago, delegation, department, departed, derived, display_name,
    duration, duration_days, emails, employee_id, employee_type, employment, enabled, end, ends,
    enforced, event, expired, expires, file, found, gap, gone, granted, grants, group_id,
    group_name, groups, has_credentials, has_roles, hint, hire_date, id, ids, keys, kind,
    kind_evidence, known, last_any, last_interactive, last_non_interactive, last_set,
    last_successful, last_used, last_used_where, leave_date, lifetime_days, line, live, manager,
    matched_on, method, methods, mfa, must_change, name, never_expires, no_expiry, non_human,
    not_required, object_id, origin, owners, password, principal_name, principal_name_norm,
    privileged, prov, provisioning, quality, record, reference = "ref", registered, reuse,
    role_id, role_ids, role_name, roles, rotated, scope, sot, sot_ref, source, source_kind,
    staff, staff_ref, standing_privileged, start, state, status, status_raw, technicians, tenant,
    tenants, title, top, top_role, unused_days, use_state, user_account, value, via_group,
    window,
}

/// The object shape of each model struct, made on first use from the keys its conversion fills.
#[derive(Default)]
struct Shapes {
    access_container: Option<Shape>,
    activity: Option<Shape>,
    clients: Option<Shape>,
    correlation: Option<Shape>,
    credential: Option<Shape>,
    credential_derived: Option<Shape>,
    delegation: Option<Shape>,
    derived: Option<Shape>,
    employment: Option<Shape>,
    grant: Option<Shape>,
    group: Option<Shape>,
    identity: Option<Shape>,
    mfa: Option<Shape>,
    owner: Option<Shape>,
    password: Option<Shape>,
    prov: Option<Shape>,
    prov_line: Option<Shape>,
    prov_event: Option<Shape>,
    prov_window: Option<Shape>,
    provisioning: Option<Shape>,
    reuse: Option<Shape>,
    reuse_account: Option<Shape>,
    reuse_key: Option<Shape>,
    role: Option<Shape>,
    sot: Option<Shape>,
    staff: Option<Shape>,
    ts: Option<Shape>,
}

/// One struct's object shape, made from the first value built with it.
struct Shape {
    /// The keys, sorted, with null values.
    blank: BTreeMap<Value, Value>,
    /// For each key in sorted order, the position of its field in the builder's list.
    order: Vec<usize>,
    /// The builder's keys (per-thread values, so their addresses identify them), in its order.
    keys: Vec<*const Value>,
    /// The blank map in regorus's compact storage, for the smallest shapes.
    frozen: Object,
}

/// Shapes of at most this many keys are filled by binary search in a compact template instead
/// (timestamps: measured a few per cent faster than a map clone for three keys, slower for five).
const FROZEN_UP_TO: usize = 3;

impl Shape {
    fn of(keys: &[&Value]) -> Shape {
        let mut order: Vec<usize> = (0..keys.len()).collect();
        order.sort_by(|a, b| keys[*a].cmp(keys[*b]));
        let blank: BTreeMap<Value, Value> = order
            .iter()
            .map(|i| (keys[*i].clone(), Value::Null))
            .collect();
        let frozen = match Value::from(blank.clone()) {
            Value::Object(o) => (*o).clone(),
            _ => Object::new(),
        };
        Shape {
            frozen,
            blank,
            order,
            keys: keys.iter().map(|k| *k as *const Value).collect(),
        }
    }
}

/// A struct's object. Its shape's blank map is cloned and the values put in place in key
/// order: no key comparisons at all, which were a third of the conversion when every field was
/// found by binary search in a compact template (`Object::insert`, `Object::get_mut`; regorus
/// has no public way to build its compact storage from entries already sorted).
fn object<const N: usize>(fields: [(&Value, Value); N], shape: &mut Option<Shape>) -> Value {
    let shape = shape.get_or_insert_with(|| Shape::of(&fields.each_ref().map(|(k, _)| *k)));
    let same_keys = shape.blank.len() == N
        && shape
            .keys
            .iter()
            .zip(&fields)
            .all(|(a, (b, _))| std::ptr::eq(*a, *b));
    if !same_keys {
        // Never reached: each shape serves one call site. Still the right value, only slower.
        debug_assert!(false, "one shape, one key set");
        return Value::from(
            fields
                .into_iter()
                .map(|(k, v)| (k.clone(), v))
                .collect::<BTreeMap<_, _>>(),
        );
    }
    if N <= FROZEN_UP_TO {
        let mut o = shape.frozen.clone();
        for (k, v) in fields {
            if let Some(slot) = o.get_mut(k) {
                *slot = v;
            }
        }
        return Value::from(o);
    }
    let mut values = fields.map(|(_, v)| v);
    let mut map = shape.blank.clone();
    for (slot, i) in map.values_mut().zip(&shape.order) {
        *slot = std::mem::replace(&mut values[*i], Value::Null);
    }
    Value::from(map)
}

/// A multiplicative hash of short byte strings (SipHash costs more than what these caches save).
fn hash_bytes(mut h: u64, bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    let mut word = [0u8; 8];
    word[..rest.len()].copy_from_slice(rest);
    (h.rotate_left(5) ^ u64::from_le_bytes(word) ^ (bytes.len() as u64) << 56).wrapping_mul(K)
}

/// Slots in each direct-mapped cache (a power of two); a collision just replaces the entry.
const SLOTS_BITS: u32 = 10;

fn slot_of(h: u64) -> usize {
    (h >> (64 - SLOTS_BITS)) as usize
}

#[derive(Default)]
struct U64Hash(u64);

impl std::hash::Hasher for U64Hash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = hash_bytes(self.0, bytes);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// Small objects built before, by a code packing their shape and every field (at most this
/// many per thread; the memo starts over when full).
const MEMO_LIMIT: usize = 4096;

/// Tags for the memo's codes, one per struct.
#[derive(Clone, Copy)]
enum Memo {
    Clients = 1,
    Correlation,
    Employment,
    Mfa,
    Password,
    Provisioning,
}

/// `None`, `false`, `true` as 0, 1, 2.
fn tri(b: Option<bool>) -> u64 {
    match b {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    }
}

/// A memo code: the struct's tag and its fields' small codes, 4 bits each; None when a code
/// does not fit (then the object is built, never confused with another).
fn memo_code(tag: Memo, parts: &[u64]) -> Option<u64> {
    debug_assert!(parts.len() <= 14);
    let packed = parts
        .iter()
        .try_fold(0u64, |code, &p| (p < 16).then_some(code << 4 | p))?;
    Some((tag as u64) << 56 | packed)
}

fn str_value(s: &str) -> Value {
    Value::from(s)
}

fn opt_str(s: &Option<String>) -> Value {
    match s {
        Some(s) => Value::from(s.as_str()),
        None => Value::Null,
    }
}

fn opt_bool(b: Option<bool>) -> Value {
    b.map_or(Value::Null, Value::from)
}

fn opt_i64(n: Option<i64>) -> Value {
    n.map_or(Value::Null, Value::from)
}

/// RFC 3339 in whole seconds with `Z`, as the model serialises instants (chrono's own writer
/// for what this one does not cover).
fn time_value(t: &chrono::DateTime<chrono::Utc>) -> Value {
    use chrono::{Datelike, Timelike};
    let n = t.naive_utc();
    let year = n.year();
    if !(0..=9999).contains(&year) || n.nanosecond() >= 1_000_000_000 {
        return Value::from(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    }
    let mut b = *b"0000-00-00T00:00:00Z";
    for (at, v) in [
        (0, year as u32 / 100),
        (2, year as u32 % 100),
        (5, n.month()),
        (8, n.day()),
        (11, n.hour()),
        (14, n.minute()),
        (17, n.second()),
    ] {
        b[at] = b'0' + (v / 10) as u8;
        b[at + 1] = b'0' + (v % 10) as u8;
    }
    Value::from(std::str::from_utf8(&b).unwrap_or_default())
}

macro_rules! enum_names {
    ($($method:ident($ty:ident) { $($variant:ident => $name:literal),* $(,)? })*) => {
        /// The enums, as indices into [`Builder::names`].
        #[derive(Clone, Copy)]
        #[allow(non_camel_case_types)]
        enum Tag { $($method,)* }
        const TAGS: usize = [$(Tag::$method),*].len();

        impl Builder {
            $(
                fn $method(&mut self, x: $ty) -> Value {
                    let name = match x { $($ty::$variant => $name,)* };
                    self.name(Tag::$method, x as usize, name)
                }
            )*
        }

        /// Every variant's name here and through serde.
        #[cfg(test)]
        fn enum_names() -> Vec<(Value, Value)> {
            vec![$($(
                (
                    Value::from($name),
                    crate::rego_value::to_value(&$ty::$variant).expect("enums convert"),
                ),
            )*)*]
        }
    };
}

enum_names! {
    time_quality(TimeQuality) {
        Exact => "exact", Lagged => "lagged", Local => "local", Ambiguous => "ambiguous",
        Never => "never", NotApplicable => "not_applicable", Unavailable => "unavailable",
        Absent => "absent",
    }
    kind(Kind) {
        Human => "human", Guest => "guest", ServiceAccount => "service_account",
        Workload => "workload", ManagedIdentity => "managed_identity", Agent => "agent",
        Root => "root", Technician => "technician", Shared => "shared",
        Delegation => "delegation", Unknown => "unknown",
    }
    status(Status) {
        Active => "active", Disabled => "disabled", Suspended => "suspended",
        Locked => "locked", Staged => "staged", PendingInvite => "pending_invite",
        Deprovisioned => "deprovisioned", Expired => "expired", Deleted => "deleted",
        Unknown => "unknown",
    }
    assignment(AssignmentKind) {
        Permanent => "permanent", Eligible => "eligible", Activated => "activated",
        TimeBound => "time_bound", Delegated => "delegated",
    }
    credential_kind(CredentialKind) {
        AccessKey => "access_key", ClientSecret => "client_secret",
        Certificate => "certificate", ApiToken => "api_token", SigningCert => "signing_cert",
        Federated => "federated",
    }
    match_state(MatchState) {
        SourceOfTruth => "source_of_truth", Matched => "matched", Ambiguous => "ambiguous",
        Unmatched => "unmatched", NoSourceOfTruth => "no_source_of_truth",
        NotApplicable => "not_applicable",
    }
    match_key(MatchKey) {
        ObjectGuid => "object_guid", Sid => "sid", EmployeeId => "employee_id",
        PrincipalName => "principal_name", Email => "email",
    }
    staff_state(StaffState) {
        Matched => "matched", Absent => "absent", NoStaffSource => "no_staff_source",
    }
    reuse_kind(ReuseKind) {
        Credential => "credential", ServiceAccount => "service_account",
        SharedLogin => "shared_login",
    }
    use_state(UseState) {
        Dated => "dated", Never => "never", NotApplicable => "not_applicable",
        Unknown => "unknown",
    }
    prov_state(ProvState) {
        Matched => "matched", NoEvent => "no_event", OutsideWindow => "outside_window",
        NoLog => "no_log", NotApplicable => "not_applicable",
    }
    prov_action(ProvAction) {
        AccountCreated => "account_created", AccessGranted => "access_granted",
        RoleGranted => "role_granted",
    }
    actor_type(ActorType) {
        User => "user", App => "app", System => "system", Unknown => "unknown",
    }
}

/// Per-thread builder state: shapes and the caches of shared values.
struct Builder {
    shapes: Shapes,
    /// Strings that repeat across records, shared (direct-mapped by hash).
    strings: Vec<Value>,
    /// Lists of such strings (kind evidence, MFA methods, group lists), shared the same way.
    lists: Vec<Value>,
    /// Enum names, per enum, by discriminant.
    names: Vec<[Option<Value>; 16]>,
    /// Timestamps without an instant or age, by quality.
    null_ts: [Option<Value>; 8],
    memo: HashMap<u64, Value, BuildHasherDefault<U64Hash>>,
    /// The last provisioning window (the same for every account of a tenant).
    window: Option<(ProvWindow, Value)>,
    empty_array: Value,
    empty_object: Value,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            shapes: Shapes::default(),
            strings: vec![Value::Null; 1 << SLOTS_BITS],
            lists: vec![Value::Null; 1 << SLOTS_BITS],
            names: vec![Default::default(); TAGS],
            null_ts: Default::default(),
            memo: HashMap::default(),
            window: None,
            empty_array: Value::from(Vec::<Value>::new()),
            empty_object: Value::from(BTreeMap::<Value, Value>::new()),
        }
    }

    fn name(&mut self, tag: Tag, n: usize, name: &'static str) -> Value {
        match self.names[tag as usize].get_mut(n) {
            Some(Some(v)) => v.clone(),
            Some(slot) => slot.insert(Value::from(name)).clone(),
            None => Value::from(name),
        }
    }

    /// A string value shared with the last equal one in its cache slot.
    fn shared(&mut self, s: &str) -> Value {
        let slot = &mut self.strings[slot_of(hash_bytes(0, s.as_bytes()))];
        if let Value::String(v) = slot {
            if **v == *s {
                return slot.clone();
            }
        }
        let v = Value::from(s);
        *slot = v.clone();
        v
    }

    fn opt_shared(&mut self, s: &Option<String>) -> Value {
        match s {
            Some(s) => self.shared(s),
            None => Value::Null,
        }
    }

    /// A list of strings that repeats across records (shared like [`Builder::shared`]).
    fn shared_list(&mut self, items: &[String]) -> Value {
        if items.is_empty() {
            return self.empty_array.clone();
        }
        let h = items
            .iter()
            .fold(items.len() as u64, |h, s| hash_bytes(h, s.as_bytes()));
        let at = slot_of(h);
        if let Value::Array(a) = &self.lists[at] {
            let same = a.len() == items.len()
                && a.iter().zip(items).all(|(v, s)| match v {
                    Value::String(v) => **v == **s,
                    _ => false,
                });
            if same {
                return self.lists[at].clone();
            }
        }
        let v = Value::from(items.iter().map(|s| self.shared(s)).collect::<Vec<_>>());
        self.lists[at] = v.clone();
        v
    }

    /// A list of strings particular to the record (emails, lookup keys).
    fn list(&self, items: &[String]) -> Value {
        if items.is_empty() {
            return self.empty_array.clone();
        }
        Value::from(items.iter().map(|s| str_value(s)).collect::<Vec<_>>())
    }

    fn each<T>(&mut self, k: &Keys, items: &[T], f: fn(&mut Builder, &Keys, &T) -> Value) -> Value {
        if items.is_empty() {
            return self.empty_array.clone();
        }
        Value::from(items.iter().map(|x| f(self, k, x)).collect::<Vec<_>>())
    }

    fn memo_get(&self, code: Option<u64>) -> Option<Value> {
        self.memo.get(&code?).cloned()
    }

    fn remember(&mut self, code: Option<u64>, v: &Value) {
        if let Some(code) = code {
            if self.memo.len() >= MEMO_LIMIT {
                self.memo.clear();
            }
            self.memo.insert(code, v.clone());
        }
    }
}

#[cfg(test)]
mod tests;
