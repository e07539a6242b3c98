# METADATA
# title: Standing privilege
# description: Permanent active assignment of a role in jit_roles on a source that supports eligible (just-in-time) assignment.
# custom:
#   id: PRIV-004
#   severity: high
#   scope: identity
#   applies_to:
#     derived.has_roles: [true]
#   params:
#     jit_roles: ["privileged"]
#   controls:
#     nist-csf-1.1: ["PR.AC-4"]
#     nist-csf-2.0: ["PR.AA-05"]
#     nist-sp-800-53r5: ["AC-6", "AC-6(5)", "AC-2(6)", "AC-2(7)"]
#     nist-sp-800-207: ["tenet-3", "tenet-6"]
#     cis-v8: ["5.4", "6.8"]
#     iso-27001-2022: ["A.8.2"]
#     soc2-2017: ["CC6.3"]
#   remediation: Convert the assignment to eligible (PIM) with approval and a maximum activation time; keep permanent assignments only for break-glass accounts under a waiver.
package driftgate.rules.priv_004

import data.driftgate.lib
import rego.v1

# jit_roles: role names or ids (case-insensitive); "privileged" means every privileged role.
findings contains f if {
	some i in input.identities
	i.roles != []
	_jit[i.source] == true
	some role_id in {r.role_id | some r in i.roles; _standing(r)}
	held := [r | some r in i.roles; r.role_id == role_id; _standing(r)]
	f := {
		"subject": i.ref,
		"key": role_id,
		"message": sprintf("%s holds %s permanently; %s supports just-in-time assignment", [lib.name(i), lib.role_label(held[0]), i.source]),
		"evidence": {
			"role_id": role_id, "role_name": held[0].role_name, "assignment": "permanent",
			"scopes": sort({r.scope | some r in held}),
			"via_groups": sort({r.via_group | some r in held; r.via_group != null}),
			"jit_roles": input.params.jit_roles, "source_jit": true,
		},
		"provenance": [r.prov | some r in held],
	}
}

not_evaluable contains x if {
	some i in input.identities
	i.roles != []
	object.get(_jit, i.source, null) == null
	some role_id in {r.role_id | some r in i.roles; _standing(r)}
	x := {"subject": i.ref, "key": role_id, "reason": sprintf("not known whether %s supports just-in-time assignment (no PIM data)", [i.source])}
}

_jit := {s.name: s.capabilities.jit | some s in input.tenant.sources}

_standing(r) if {
	r.assignment == "permanent"
	some n in input.params.jit_roles
	is_string(n)
	_matches(lower(n), r)
}

_matches("privileged", r) if r.privileged == true

_matches(n, r) if n == lower(r.role_id)

_matches(n, r) if {
	is_string(r.role_name)
	n == lower(r.role_name)
}
