# METADATA
# title: Never-used account
# description: Enabled account that has never signed in, created more than never_used_grace_days ago.
# custom:
#   id: STALE-002
#   severity: medium
#   scope: identity
#   applies_to:
#     derived.activity: [never, unknown]
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

# Inline copy of dormancy.never_used / never_used_unknown (PRIV-006 uses those), cheapest test first.
findings contains f if {
	some i in input.identities
	i.derived.activity == "never"
	i.enabled == true
	i.derived.created_days > input.params.never_used_grace_days
	f := {
		"subject": i.ref,
		"message": sprintf("%s (%s) has never signed in and was created %d days ago (grace %d)", [lib.name(i), i.kind, i.created.days_ago, input.params.never_used_grace_days]),
		"evidence": {
			"last_sign_in": "never", "created": i.created.at, "created_days": i.created.days_ago,
			"never_used_grace_days": input.params.never_used_grace_days, "kind": i.kind,
		},
	}
}

not_evaluable contains {"subject": i.ref, "reason": "sign-in activity unknown (hidden by licence or export, or the last sign-in value is not usable)"} if {
	some i in input.identities
	i.derived.activity == "unknown"
	i.enabled != false
	dormancy.signs_in(i)
}

not_evaluable contains x if {
	some i in input.identities
	i.derived.activity == "never"
	i.enabled != false
	x := {"subject": i.ref, "reason": _never_unknown(i)}
}

_never_unknown(i) := "never signed in, but the creation date is unknown" if {
	i.derived.created_days == null
} else := "enabled state unknown; never signed in and created before the grace period" if {
	i.enabled == null
	i.derived.created_days > input.params.never_used_grace_days
}
