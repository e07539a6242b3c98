# METADATA
# title: Stale account
# description: Enabled human member account whose last sign-in is older than stale_days.
# custom:
#   id: STALE-001
#   severity: medium
#   scope: identity
#   params:
#     stale_days: 90
#   controls:
#     nist-csf-1.1: ["PR.AC-1"]
#     nist-csf-2.0: ["PR.AA-01"]
#     nist-sp-800-53r5: ["AC-2(3)"]
#     cis-v8: ["5.3"]
#     iso-27001-2022: ["A.5.18"]
#     soc2-2017: ["CC6.2"]
#   remediation: Disable the account, or record a time-bound waiver with an approver.
package driftgate.rules.stale_001

import data.driftgate.lib
import data.driftgate.lib.dormancy
import rego.v1

findings contains f if {
	some i in input.identities
	dormancy.stale(i, input.params)
	e := dormancy.stale_evidence(i, input.params)
	f := {
		"subject": i.ref,
		"message": sprintf("%s has not signed in for %d days (limit %d)", [lib.name(i), e.days, e.stale_days]),
		"evidence": e,
	}
}

not_evaluable contains x if {
	some i in input.identities
	dormancy.stale_scope(i)
	x := {"subject": i.ref, "reason": _unknown(i)}
}

_unknown(i) := "sign-in activity unknown (hidden by licence or export, or the last sign-in value is not usable)" if {
	dormancy.stale_unknown(i)
} else := "enabled state unknown; last sign-in is older than stale_days" if {
	i.enabled == null
	dormancy.stale_fires(i, input.params)
}
