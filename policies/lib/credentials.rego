# driftgate.lib.credentials: whether a secret, key or certificate can still be used, and expiry.
package driftgate.lib.credentials

import rego.v1

# Usable now: active and not expired; a null `active` counts only when expiry says it is valid.
cred_live(c) if {
	c.active == true
	not c.expired == true
}

cred_live(c) if {
	c.active == null
	c.expired == false
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
maybe_live(c) if cred_live(c)

maybe_live(c) if cred_liveness_unknown(c)
