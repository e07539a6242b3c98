# METADATA
# title: Long-lived secret
# description: Secret, API token, certificate or access key valid for more than max_secret_lifetime_days, or with no expiry at all (AWS access keys never expire).
# custom:
#   id: NHI-002
#   severity: medium
#   scope: identity
#   applies_to:
#     derived.has_credentials: [true]
#   params:
#     max_secret_lifetime_days: 365
#   controls:
#     nist-csf-1.1: ["PR.AC-1"]
#     nist-csf-2.0: ["PR.AA-01"]
#     nist-sp-800-53r5: ["IA-5", "IA-5(1)", "IA-5(2)"]
#     iso-27001-2022: ["A.5.17"]
#     soc2-2017: ["CC6.1"]
#     owasp-nhi-2025: ["NHI7:2025"]
#   remediation: Replace the credential with one that expires within max_secret_lifetime_days, or with a federated or managed identity; for AWS, use roles instead of access keys.
package driftgate.rules.nhi_002

import data.driftgate.lib
import data.driftgate.lib.credentials
import rego.v1

_kinds := {"client_secret", "certificate", "api_token", "access_key"}

# Usable: not deactivated or expired (derived.live != false), and not both states unknown.
findings contains f if {
	some i in input.identities
	some c in i.credentials
	c.derived.live != false
	c.kind in _kinds
	[c.active, c.expired] != [null, null]
	e := _long(c)
	f := {
		"subject": i.ref,
		"key": c.id,
		"message": sprintf("%s %s of %s %s (limit %d days)", [c.kind, c.id, lib.name(i), e.what, input.params.max_secret_lifetime_days]),
		"evidence": object.union(e.evidence, {
			"kind": c.kind, "display_name": c.display_name, "created": c.created.at,
			"max_secret_lifetime_days": input.params.max_secret_lifetime_days,
		}),
		"provenance": [c.prov],
	}
}

# lifetime_days is null when either date is unknown or there is no expiry (null > n is false).
_long(c) := {"what": sprintf("is valid for %d days", [c.lifetime_days]), "evidence": e} if {
	c.lifetime_days > input.params.max_secret_lifetime_days
	e := {"lifetime_days": c.lifetime_days, "expires": c.expires.at}
} else := {"what": "never expires", "evidence": e} if {
	credentials.no_expiry(c)
	e := {"lifetime_days": null, "expires": "never", "expires_quality": c.expires.quality}
}

# In scope: not known to be dead (derived.live is true or null).
not_evaluable contains x if {
	some i in input.identities
	some c in i.credentials
	c.derived.live != false
	c.kind in _kinds
	x := {"subject": i.ref, "key": c.id, "reason": _unknown(c)}
}

_unknown(c) := "expiry or creation date unknown, so the lifetime cannot be judged" if {
	c.lifetime_days == null
	not credentials.no_expiry(c)
} else := "not known whether the credential is active or expired" if {
	c.active == null
	c.expired == null
	_long(c)
}
