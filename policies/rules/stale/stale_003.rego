# METADATA
# title: Stale guest
# description: Enabled guest or external account with no sign-in for guest_stale_days; a guest that never signed in counts from its creation.
# custom:
#   id: STALE-003
#   severity: medium
#   scope: identity
#   applies_to:
#     kind: [guest]
#   params:
#     guest_stale_days: 60
#   controls:
#     nist-csf-1.1: ["PR.AC-1", "PR.AC-4"]
#     nist-csf-2.0: ["PR.AA-01", "PR.AA-05"]
#     nist-sp-800-53r5: ["AC-2(3)", "AC-6(6)"]
#     cis-v8: ["5.3", "6.2"]
#     iso-27001-2022: ["A.5.18"]
#     soc2-2017: ["CC6.2"]
#   remediation: Remove the guest, or have its sponsor confirm the need and record a time-bound waiver.
package driftgate.rules.stale_003

import data.driftgate.lib
import rego.v1

findings contains f if {
	some i in input.identities
	i.kind == "guest"
	i.enabled == true
	e := _idle(i)
	f := {
		"subject": i.ref,
		"message": sprintf(_message[e.since], [lib.name(i), e.days, input.params.guest_stale_days]),
		"evidence": object.union(e, {"guest_stale_days": input.params.guest_stale_days}),
	}
}

_message := {
	"last_sign_in": "guest %s has not signed in for %d days (limit %d)",
	"created": "guest %s has never signed in and was created %d days ago (limit %d)",
}

# Guests only (checked by the caller). The idle period: since the last sign-in, or since creation
# when it never signed in (derived.*_days are null unless dated).
_idle(i) := object.union(e, lib.lag_note(t)) if {
	i.derived.activity_days > input.params.guest_stale_days
	t := i.activity.last_any
	e := {"since": "last_sign_in", "last_sign_in": t.at, "days": t.days_ago, "quality": t.quality}
} else := e if {
	i.derived.activity == "never"
	i.derived.created_days > input.params.guest_stale_days
	e := {"since": "created", "last_sign_in": "never", "created": i.created.at, "days": i.created.days_ago}
}

not_evaluable contains x if {
	some i in input.identities
	i.kind == "guest"
	i.enabled != false
	x := {"subject": i.ref, "reason": _unknown(i)}
}

_unknown(i) := "sign-in activity unknown (hidden by licence or export, or the last sign-in value is not usable)" if {
	i.derived.activity == "unknown"
} else := "never signed in, but the creation date is unknown" if {
	i.derived.activity == "never"
	i.derived.created_days == null
} else := "enabled state unknown; idle longer than guest_stale_days" if {
	i.enabled == null
	_idle(i)
}
