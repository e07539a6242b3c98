# driftgate.lib: small predicates over the normalised identity model, shared by several rules.
# Helpers only compare facts Rust computed (ages in days, tri-state booleans, `derived`); no findings
# here. Beside it: driftgate.lib.dormancy (STALE-001/002 logic, reused by PRIV-006), driftgate.lib.credentials.
# Speed: regorus function calls cost microseconds, so rules test identity fields inline on their hot
# path (i.derived.*, i.kind, i.enabled) and call these helpers only on the few identities that remain.
package driftgate.lib

import rego.v1

# Timestamp qualities that carry a usable instant (days_ago is set).
dated_qualities := {"exact", "lagged", "local"}

# Qualities that mean the source cannot tell: never read these as "no" or "never".
unknown_qualities := {"unavailable", "absent", "ambiguous"}

# Principals that are applications rather than accounts someone signs in with (a delegation is a
# GDAP relationship: access held by the members of its groups, judged by PRIV-007).
app_kinds := {"workload", "managed_identity", "agent", "delegation"}

# Accounts a person, a shared login or a service signs in with (directory user objects).
user_kinds := {"human", "guest", "technician", "shared", "root", "service_account"}

enabled(i) if i.enabled == true

# Enabled or unknown: the account is not known to be disabled.
not_disabled(i) if i.enabled != false

user_account(i) if i.derived.user_account == true

# A timestamp with a usable age.
dated(t) if {
	t.quality in dated_qualities
	is_number(t.days_ago)
}

# A dated timestamp strictly older than `days`.
older(t, days) if {
	dated(t)
	t.days_ago > days
}

# Sign-in activity cannot be judged: hidden by licence/export, or last_any is not a fact
# (derived.activity is "unknown" unless activity.known and last_any is dated, never or not_applicable).
activity_unknown(i) if i.derived.activity == "unknown"

never_signed_in(i) if i.derived.activity == "never"

# Evidence note for AD lastLogonTimestamp-style values.
lag_note(t) := {"note": "lagged value: replicated with up to 14 days delay, the real last sign-in may be more recent"} if {
	t.quality == "lagged"
} else := {}

# A name for messages.
name(i) := i.principal_name if is_string(i.principal_name)
else := i.display_name if is_string(i.display_name)
else := i.ref

# A role's name for messages, falling back to its id.
role_label(r) := r.role_name if is_string(r.role_name)
else := r.role_id

privileged_roles(i) := [r | some r in i.roles; r.privileged == true]

# The facts about a role assignment that findings cite.
role_evidence(r) := {"role_id": r.role_id, "role_name": r.role_name, "assignment": r.assignment, "scope": r.scope}
