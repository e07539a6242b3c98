# METADATA
# title: Long-lived secret
# description: Secret, API token, certificate or access key valid for more than max_secret_lifetime_days, or with no expiry at all (AWS access keys never expire).
# custom:
#   id: NHI-002
#   severity: medium
#   scope: identity
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

findings contains f if {
	some i in input.identities
	some c in i.credentials
	c.kind in _kinds
	credentials.cred_live(c)
	e := _long(c)
	f := {
		"subject": i.ref,
		"key": c.id,
		"message": sprintf("%s %s of %s %s (limit %d days)", [c.kind, c.id, lib.name(i), e.what, input.params.max_secret_lifetime_days]),
		"evidence": object.union(object.remove(e, ["what"]), {
			"kind": c.kind, "display_name": c.display_name, "created": c.created.at,
			"max_secret_lifetime_days": input.params.max_secret_lifetime_days,
		}),
		"provenance": [c.prov],
	}
}

_long(c) := e if {
	is_number(c.lifetime_days)
	c.lifetime_days > input.params.max_secret_lifetime_days
	e := {"what": sprintf("is valid for %d days", [c.lifetime_days]), "lifetime_days": c.lifetime_days, "expires": c.expires.at}
} else := e if {
	credentials.no_expiry(c)
	e := {"what": "never expires", "lifetime_days": null, "expires": "never", "expires_quality": c.expires.quality}
}

not_evaluable contains x if {
	some i in input.identities
	some c in i.credentials
	c.kind in _kinds
	credentials.maybe_live(c)
	x := {"subject": i.ref, "key": c.id, "reason": _unknown(c)}
}

_unknown(c) := "expiry or creation date unknown, so the lifetime cannot be judged" if {
	not is_number(c.lifetime_days)
	not credentials.no_expiry(c)
} else := "not known whether the credential is active or expired" if {
	credentials.cred_liveness_unknown(c)
	_long(c)
}
