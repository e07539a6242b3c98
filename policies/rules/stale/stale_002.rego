# METADATA
# title: Never-used account
# description: Enabled account that has never signed in, created more than never_used_grace_days ago.
# custom:
#   id: STALE-002
#   severity: medium
#   scope: identity
#   params:
#     never_used_grace_days: 30
#   controls:
#     nist-csf-1.1: ["PR.AC-1"]
#     nist-csf-2.0: ["PR.AA-01"]
#     nist-sp-800-53r5: ["AC-2(3)", "AC-2"]
#     cis-v8: ["5.3", "5.1"]
#     iso-27001-2022: ["A.5.18"]
#     soc2-2017: ["CC6.2"]
#     owasp-nhi-2025: ["NHI1:2025"]
#   remediation: Disable or delete the account; if it is still needed, have its owner sign in and record why it was idle.
package driftgate.rules.stale_002

import data.driftgate.lib
import data.driftgate.lib.dormancy
import rego.v1

findings contains f if {
	some i in input.identities
	dormancy.never_used(i, input.params)
	e := dormancy.never_used_evidence(i, input.params)
	f := {
		"subject": i.ref,
		"message": sprintf("%s (%s) has never signed in and was created %d days ago (grace %d)", [lib.name(i), i.kind, e.created_days, e.never_used_grace_days]),
		"evidence": object.union(e, {"kind": i.kind}),
	}
}

not_evaluable contains x if {
	some i in input.identities
	dormancy.never_used_scope(i)
	x := {"subject": i.ref, "reason": _unknown(i)}
}

_unknown(i) := "sign-in activity unknown (hidden by licence or export, or the last sign-in value is not usable)" if {
	lib.activity_unknown(i)
} else := "never signed in, but the creation date is unknown" if {
	dormancy.never_used_unknown(i)
} else := "enabled state unknown; never signed in and created before the grace period" if {
	i.enabled == null
	dormancy.never_used_fires(i, input.params)
}
