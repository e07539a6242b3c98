# METADATA
# title: Stale guest
# description: Enabled guest or external account with no sign-in for guest_stale_days; a guest that never signed in counts from its creation.
# custom:
#   id: STALE-003
#   severity: medium
#   scope: identity
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
	lib.enabled(i)
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

not_evaluable contains x if {
	some i in input.identities
	_scope(i)
	x := {"subject": i.ref, "reason": _unknown(i)}
}

_scope(i) if {
	i.kind == "guest"
	lib.not_disabled(i)
}

# The idle period: since the last sign-in, or since creation when it never signed in.
_idle(i) := object.union(e, lib.lag_note(t)) if {
	_scope(i)
	not lib.activity_unknown(i)
	t := i.activity.last_any
	lib.older(t, input.params.guest_stale_days)
	e := {"since": "last_sign_in", "last_sign_in": t.at, "days": t.days_ago, "quality": t.quality}
} else := e if {
	_scope(i)
	lib.never_signed_in(i)
	lib.older(i.created, input.params.guest_stale_days)
	e := {"since": "created", "last_sign_in": "never", "created": i.created.at, "days": i.created.days_ago}
}

_unknown(i) := "sign-in activity unknown (hidden by licence or export, or the last sign-in value is not usable)" if {
	lib.activity_unknown(i)
} else := "never signed in, but the creation date is unknown" if {
	lib.never_signed_in(i)
	not lib.dated(i.created)
} else := "enabled state unknown; idle longer than guest_stale_days" if {
	i.enabled == null
	_idle(i)
}
