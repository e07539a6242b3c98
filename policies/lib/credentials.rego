# driftgate.lib.credentials: whether a secret, key or certificate can still be used, and expiry.
# derived.live is false when deactivated or expired, true when active and unexpired, else null.
# Rules inline these tests on their hot path; keep them in step (lib_test checks the truth table).
package driftgate.lib.credentials

import rego.v1

# Usable now: active and not expired; a null `active` counts only when expiry says it is valid,
# and a null `expired` counts when the credential is active. Not when both are unknown.
cred_live(c) if {
	c.derived.live != false
	[c.active, c.expired] != [null, null]
}

# Neither the source's active flag nor an expiry date tells whether it can be used.
cred_liveness_unknown(c) if {
	c.active == null
	c.expired == null
}

# No expiry at all. AWS access keys never expire, so their export carries no expiry field.
no_expiry(c) if c.expires.quality == "never"

no_expiry(c) if {
	c.kind == "access_key"
	c.expires.quality in {"not_applicable", "absent"}
}

# Live, or not known to be dead: in scope for "would it fire" and not-evaluable checks.
maybe_live(c) if c.derived.live != false
