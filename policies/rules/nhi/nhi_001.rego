# METADATA
# title: Unrotated secret
# description: Active secret, key or certificate older than max_secret_age_days since it was created or last rotated.
# custom:
#   id: NHI-001
#   severity: high
#   scope: identity
#   applies_to:
#     derived.has_credentials: [true]
#   params:
#     max_secret_age_days: 90
#   controls:
#     nist-csf-1.1: ["PR.AC-1"]
#     nist-csf-2.0: ["PR.AA-01"]
#     nist-sp-800-53r5: ["IA-5", "IA-5(1)", "IA-5(2)"]
#     iso-27001-2022: ["A.5.17"]
#     soc2-2017: ["CC6.1"]
#     owasp-nhi-2025: ["NHI7:2025"]
#   remediation: Rotate the credential (issue a new one, move the consumer to it, delete the old one), or replace it with a federated or managed identity.
package driftgate.rules.nhi_001

import data.driftgate.lib
import rego.v1

_kinds := {"client_secret", "access_key", "certificate", "api_token", "signing_cert"}

# Usable: not deactivated or expired (derived.live != false), and not both states unknown.
findings contains f if {
	some i in input.identities
	some c in i.credentials
	c.derived.live != false
	c.kind in _kinds
	[c.active, c.expired] != [null, null]
	e := _age(c)
	e.days > input.params.max_secret_age_days
	f := {
		"subject": i.ref,
		"key": c.id,
		"message": sprintf("%s %s of %s was %s %d days ago (limit %d)", [c.kind, c.id, lib.name(i), e.since, e.days, input.params.max_secret_age_days]),
		"evidence": {
			"since": e.since, "at": e.at, "days": e.days,
			"kind": c.kind, "display_name": c.display_name, "max_secret_age_days": input.params.max_secret_age_days,
		},
		"provenance": [c.prov],
	}
}

# Age since the last rotation, or since creation when the source has no rotation date.
_age(c) := {"since": "rotated", "at": c.rotated.at, "days": c.rotated.days_ago} if {
	lib.dated(c.rotated)
} else := {"since": "created", "at": c.created.at, "days": c.created.days_ago} if {
	lib.dated(c.created)
}

# In scope: not known to be dead (derived.live is true or null).
not_evaluable contains x if {
	some i in input.identities
	some c in i.credentials
	c.derived.live != false
	c.kind in _kinds
	x := {"subject": i.ref, "key": c.id, "reason": _unknown(c)}
}

_unknown(c) := "neither rotation nor creation date is known" if {
	c.derived.age_days == null
} else := "not known whether the credential is active or expired" if {
	c.active == null
	c.expired == null
	_age(c).days > input.params.max_secret_age_days
}
