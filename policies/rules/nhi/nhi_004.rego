# METADATA
# title: Expired credential still present
# description: Expired secret, key or certificate still attached to an identity.
# custom:
#   id: NHI-004
#   severity: low
#   scope: identity
#   applies_to:
#     derived.has_credentials: [true]
#   params: {}
#   controls:
#     nist-csf-1.1: ["PR.AC-1"]
#     nist-csf-2.0: ["PR.AA-01"]
#     nist-sp-800-53r5: ["IA-5"]
#     iso-27001-2022: ["A.5.17"]
#     soc2-2017: ["CC6.1"]
#   remediation: Delete the expired credential so that inventories show only credentials in use.
package driftgate.rules.nhi_004

import data.driftgate.lib
import data.driftgate.lib.credentials
import rego.v1

findings contains f if {
	some i in input.identities
	some c in i.credentials
	c.expired == true
	f := {
		"subject": i.ref,
		"key": c.id,
		"message": sprintf("%s %s of %s expired %v days ago", [c.kind, c.id, lib.name(i), c.expires.days_ago]),
		"evidence": {
			"kind": c.kind, "display_name": c.display_name, "expired": true,
			"expires": c.expires.at, "days_since_expiry": c.expires.days_ago,
		},
		"provenance": [c.prov],
	}
}

not_evaluable contains x if {
	some i in input.identities
	some c in i.credentials
	c.expired == null
	c.expires.quality in lib.unknown_qualities
	not credentials.no_expiry(c)
	x := {"subject": i.ref, "key": c.id, "reason": "expiry date unknown"}
}
