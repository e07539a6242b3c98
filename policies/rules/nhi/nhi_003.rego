# METADATA
# title: Ownerless non-human identity
# description: Workload (service principal or app), service account or AI agent with no owner, or whose owners are all disabled.
# custom:
#   id: NHI-003
#   severity: medium
#   scope: identity
#   applies_to:
#     non_human: [true]
#   params: {}
#   controls:
#     nist-csf-1.1: ["PR.AC-1"]
#     nist-csf-2.0: ["PR.AA-01"]
#     nist-sp-800-53r5: ["AC-2"]
#     cis-v8: ["5.5"]
#     iso-27001-2022: ["A.5.16"]
#     soc2-2017: ["CC6.1"]
#     owasp-nhi-2025: ["NHI1:2025"]
#   remediation: Assign an enabled, accountable owner (a person or team) to the identity, or decommission it.
package driftgate.rules.nhi_003

import data.driftgate.lib
import rego.v1

# Managed identities are owned by their Azure resource, so they are out of scope.
# All three kinds are non_human, the cheaper first test.
_kinds := {"workload", "agent", "service_account"}

findings contains f if {
	some i in input.identities
	i.non_human == true
	i.kind in _kinds
	is_array(i.owners)
	msg := _ownerless(i.owners)
	f := {
		"subject": i.ref,
		"message": sprintf("%s %s %s", [i.kind, lib.name(i), msg]),
		"evidence": {"kind": i.kind, "owners": i.owners},
	}
}

_ownerless(owners) := "has no owner" if {
	count(owners) == 0
} else := "has only disabled owners" if {
	every o in owners {
		o.enabled == false
	}
}

not_evaluable contains x if {
	some i in input.identities
	i.non_human == true
	i.kind in _kinds
	x := {"subject": i.ref, "reason": _unknown(i.owners)}
}

_unknown(owners) := "ownership is not in the export" if {
	owners == null
} else := "no owner is known to be enabled, and some owners' state is unknown" if {
	is_array(owners)
	some o in owners
	o.enabled == null
	not _any_enabled(owners)
}

_any_enabled(owners) if {
	some o in owners
	o.enabled == true
}
