# driftgate.lib.dormancy: the STALE-001 / STALE-002 conditions, shared with PRIV-006 so a
# "stale holder of a privileged role" means exactly what the stale rules report. For speed
# STALE-001/002 repeat these comparisons inline: change both together (lib_test checks they agree).
# derived.activity_days / created_days are null unless dated, and null > n is false in Rego.
package driftgate.lib.dormancy

import data.driftgate.lib
import rego.v1

# STALE-001: enabled human member whose last sign-in is older than stale_days.
stale(i, p) if {
	i.kind == "human"
	i.enabled == true
	i.derived.activity_days > p.stale_days
}

# In STALE-001's scope (human, not known to be disabled) but sign-in activity is unknown.
stale_unknown(i) if {
	i.derived.activity == "unknown"
	i.kind == "human"
	i.enabled != false
}

# STALE-002: enabled account that never signed in, created more than never_used_grace_days ago.
# "never" implies the activity is exported, so apps are in scope here.
never_used(i, p) if {
	i.derived.activity == "never"
	i.enabled == true
	i.derived.created_days > p.never_used_grace_days
}

# In STALE-002's scope (not known to be disabled; accounts that sign in) but undecidable:
# sign-in activity unknown, or never signed in with no creation date.
never_used_unknown(i) if {
	i.derived.activity == "unknown"
	i.enabled != false
	signs_in(i)
}

never_used_unknown(i) if {
	i.derived.activity == "never"
	i.enabled != false
	i.derived.created_days == null
}

# STALE-002 scope: user accounts, and apps only when their sign-in activity is exported.
signs_in(i) if i.derived.user_account == true

signs_in(i) if i.activity.known == true

# What STALE-001 (and PRIV-006 for a stale holder) cite.
stale_evidence(i, p) := object.union(
	{"last_sign_in": t.at, "days": t.days_ago, "stale_days": p.stale_days, "quality": t.quality},
	lib.lag_note(t),
) if t := i.activity.last_any

# What STALE-002 (and PRIV-006 for a never-used holder) cite.
never_used_evidence(i, p) := {
	"last_sign_in": "never", "created": i.created.at, "created_days": i.created.days_ago,
	"never_used_grace_days": p.never_used_grace_days,
}
