# METADATA
# title: Stale account
# description: Enabled human member account whose last sign-in is older than stale_days.
# custom:
#   id: STALE-001
#   severity: medium
#   scope: identity
#   applies_to:
#     derived.activity: [dated, unknown]
#     kind: [human]
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
import rego.v1

# Inline copy of dormancy.stale / stale_unknown (PRIV-006 uses those), cheapest test first.
findings contains f if {
	some i in input.identities
	i.kind == "human"
	i.enabled == true
	i.derived.activity_days > input.params.stale_days
	t := i.activity.last_any
	f := {
		"subject": i.ref,
		"message": sprintf("%s has not signed in for %d days (limit %d)", [lib.name(i), t.days_ago, input.params.stale_days]),
		"evidence": object.union(
			{"last_sign_in": t.at, "days": t.days_ago, "stale_days": input.params.stale_days, "quality": t.quality},
			lib.lag_note(t),
		),
	}
}

not_evaluable contains {"subject": i.ref, "reason": "sign-in activity unknown (hidden by licence or export, or the last sign-in value is not usable)"} if {
	some i in input.identities
	i.derived.activity == "unknown"
	i.kind == "human"
	i.enabled != false
}

not_evaluable contains {"subject": i.ref, "reason": "enabled state unknown; last sign-in is older than stale_days"} if {
	some i in input.identities
	i.enabled == null
	i.kind == "human"
	i.derived.activity_days > input.params.stale_days
}
