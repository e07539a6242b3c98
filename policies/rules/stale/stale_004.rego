# METADATA
# title: Unused credential
# description: Active access key, client secret or API token not used for credential_unused_days; a never-used one counts from its creation.
# custom:
#   id: STALE-004
#   severity: medium
#   scope: identity
#   applies_to:
#     derived.has_credentials: [true]
#   params:
#     credential_unused_days: 90
#   controls:
#     nist-csf-1.1: ["PR.AC-1"]
#     nist-csf-2.0: ["PR.AA-01"]
#     nist-sp-800-53r5: ["IA-5", "AC-2(3)"]
#     cis-v8: ["5.3"]
#     iso-27001-2022: ["A.5.17"]
#     soc2-2017: ["CC6.2"]
#     owasp-nhi-2025: ["NHI1:2025", "NHI7:2025"]
#   remediation: Deactivate and delete the credential; issue a new one when it is needed again.
package driftgate.rules.stale_004

import data.driftgate.lib
import rego.v1

_kinds := {"access_key", "client_secret", "api_token"}

# Usable: not deactivated or expired (derived.live != false), and not both states unknown.
findings contains f if {
	some i in input.identities
	some c in i.credentials
	c.derived.live != false
	c.kind in _kinds
	[c.active, c.expired] != [null, null]
	e := _idle(c)
	f := {
		"subject": i.ref,
		"key": c.id,
		"message": sprintf("%s %s of %s: %s %d days ago (limit %d)", [c.kind, c.id, lib.name(i), _words[e.since], e.days, input.params.credential_unused_days]),
		"evidence": object.union(e, {"kind": c.kind, "display_name": c.display_name, "credential_unused_days": input.params.credential_unused_days}),
		"provenance": [c.prov],
	}
}

_words := {"last_used": "last used", "created": "never used, created"}

# derived.unused_days is null unless last use is dated.
_idle(c) := {"since": "last_used", "last_used": c.last_used.at, "days": c.last_used.days_ago} if {
	c.derived.unused_days > input.params.credential_unused_days
} else := {"since": "created", "last_used": "never", "created": c.created.at, "days": c.created.days_ago} if {
	c.derived.use_state == "never"
	lib.older(c.created, input.params.credential_unused_days)
}

# In scope: not known to be dead (derived.live is true or null).
not_evaluable contains x if {
	some i in input.identities
	some c in i.credentials
	c.derived.live != false
	c.kind in _kinds
	x := {"subject": i.ref, "key": c.id, "reason": _unknown(c)}
}

_unknown(c) := "last use unknown: the export carries no last-use date for this credential" if {
	c.derived.use_state in {"unknown", "not_applicable"}
} else := "never used, but the creation date is unknown" if {
	c.derived.use_state == "never"
	not lib.dated(c.created)
} else := "not known whether the credential is active or expired" if {
	c.active == null
	c.expired == null
	_idle(c)
}
