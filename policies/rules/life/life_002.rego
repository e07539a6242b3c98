# METADATA
# title: Departed technician access
# description: A technician disabled or absent in the MSP's staff directory still has access to a client (an enabled account, or membership of a GDAP access container).
# custom:
#   id: LIFE-002
#   severity: critical
#   scope: identity
#   applies_to:
#     - {staff.state: [matched, absent, no_staff_source]}
#     - {kind: [delegation]}
#   params: {}
#   controls:
#     nist-csf-1.1: ["PR.AC-4", "PR.AC-1"]
#     nist-csf-2.0: ["PR.AA-05", "PR.AA-01"]
#     nist-sp-800-53r5: ["PS-4", "AC-2(3)", "PS-7"]
#     cis-v8: ["6.2", "5.3"]
#     iso-27001-2022: ["A.5.18", "A.6.5"]
#     soc2-2017: ["CC6.2", "CC6.3"]
#   remediation: Disable the account (or remove the technician from the GDAP security group) today, then make the MSP's leaver process reach every client system and access group.
package driftgate.rules.life_002

import data.driftgate.lib
import rego.v1

# An account of a technician who has left the MSP (Rust matched it to the staff directory).
findings contains f if {
	some i in input.identities
	i.staff.state == "matched"
	i.staff.gone == true
	i.enabled == true
	f := {
		"subject": i.ref,
		"message": sprintf("%s (%s in %s) belongs to %s, who has left the MSP, and is still enabled", [lib.name(i), i.kind, i.source, i.staff.principal_name]),
		"evidence": {
			"enabled": true, "source": i.source, "staff_ref": i.staff.staff_ref,
			"matched_by": i.staff.method, "match_value": i.staff.value, "staff_state": "left",
		},
	}
}

# A technician account that no one in the staff directory accounts for.
findings contains f if {
	some i in input.identities
	i.staff.state == "absent"
	i.enabled == true
	f := {
		"subject": i.ref,
		"message": sprintf("technician account %s in %s matches no one in the MSP's staff directory and is still enabled", [lib.name(i), i.source]),
		"evidence": {"enabled": true, "source": i.source, "kind": i.kind, "staff_state": "absent"},
	}
}

# A GDAP access container whose members include technicians who have left.
findings contains f if {
	some i in input.identities
	i.kind == "delegation"
	i.enabled == true
	some c in i.delegation.access_containers
	count(c.departed) > 0
	f := {
		"subject": i.ref,
		"key": c.group_id,
		"message": sprintf("GDAP relationship %s still grants access through group %s to %s, who left the MSP", [lib.name(i), _group(c), concat(", ", c.departed)]),
		"evidence": {
			"relationship": i.display_name, "customer": i.delegation.customer_name, "group_id": c.group_id,
			"group_name": c.group_name, "departed": c.departed, "role_ids": c.role_ids,
		},
	}
}

_group(c) := c.group_name if is_string(c.group_name)
else := c.group_id

not_evaluable contains {"subject": i.ref, "reason": "the staff directory does not say whether this technician has left"} if {
	some i in input.identities
	i.staff.state == "matched"
	i.staff.gone == null
	i.enabled != false
}

not_evaluable contains {"subject": i.ref, "reason": "technician account, but the estate names no [msp] staff_source to check it against"} if {
	some i in input.identities
	i.staff.state == "no_staff_source"
	i.enabled != false
}

not_evaluable contains {"subject": i.ref, "reason": "enabled state unknown for an account whose technician has left or is absent"} if {
	some i in input.identities
	i.enabled == null
	_left_or_absent(i.staff)
}

_left_or_absent(s) if s.state == "absent"

_left_or_absent(s) if {
	s.state == "matched"
	s.gone == true
}
