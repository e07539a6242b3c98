# driftgate.lib.dormancy: the STALE-001 / STALE-002 conditions, shared with PRIV-006 so a
# "stale holder of a privileged role" means exactly what the stale rules report.
package driftgate.lib.dormancy

import data.driftgate.lib
import rego.v1

# STALE-001 scope: human member accounts not known to be disabled.
stale_scope(i) if {
	i.kind == "human"
	lib.not_disabled(i)
}

# STALE-001 fires on the facts, apart from the enabled check.
stale_fires(i, p) if {
	stale_scope(i)
	not lib.activity_unknown(i)
	lib.older(i.activity.last_any, p.stale_days)
}

# STALE-001: enabled member whose last sign-in is older than stale_days.
stale(i, p) if {
	lib.enabled(i)
	stale_fires(i, p)
}

stale_unknown(i) if {
	stale_scope(i)
	lib.activity_unknown(i)
}

# STALE-002 scope: accounts that sign in; apps only when their sign-in activity is exported.
never_used_scope(i) if {
	lib.not_disabled(i)
	_signs_in(i)
}

_signs_in(i) if lib.user_account(i)

_signs_in(i) if i.activity.known == true

never_used_fires(i, p) if {
	never_used_scope(i)
	lib.never_signed_in(i)
	lib.older(i.created, p.never_used_grace_days)
}

# STALE-002: enabled account that never signed in, created more than never_used_grace_days ago.
never_used(i, p) if {
	lib.enabled(i)
	never_used_fires(i, p)
}

never_used_unknown(i) if {
	never_used_scope(i)
	lib.activity_unknown(i)
}

never_used_unknown(i) if {
	never_used_scope(i)
	lib.never_signed_in(i)
	not lib.dated(i.created)
}

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
