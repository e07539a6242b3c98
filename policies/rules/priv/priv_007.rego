# METADATA
# title: Excess delegated admin
# description: Active MSP delegated access (GDAP) that grants roles outside msp_allowed_roles, includes the top role, auto-extends (no effective end) or lasts longer than max_delegation_days.
# custom:
#   id: PRIV-007
#   severity: high
#   scope: identity
#   applies_to:
#     kind: [delegation]
#     enabled: [true, null]
#   params:
#     msp_allowed_roles: ["*", "!62e90394-69f5-4237-9190-012177145e10", "!e8611ab8-c189-46e8-94e1-60213ab1f814"]
#     max_delegation_days: 730
#   controls:
#     nist-csf-1.1: ["PR.AC-4"]
#     nist-csf-2.0: ["PR.AA-05"]
#     nist-sp-800-53r5: ["AC-6", "AC-6(5)", "AC-6(6)", "AC-2"]
#     nist-sp-800-207: ["tenet-3", "tenet-6"]
#     cis-v8: ["5.4", "6.8"]
#     iso-27001-2022: ["A.5.15", "A.5.18", "A.8.2"]
#     soc2-2017: ["CC6.3"]
#   remediation: Replace the relationship with one that grants only the roles in msp_allowed_roles (never Global Administrator), for at most max_delegation_days, with auto-extend off; give break-glass top-role access its own short relationship under a waiver.
package driftgate.rules.priv_007

import data.driftgate.lib
import rego.v1

# msp_allowed_roles: role names or template ids (case-insensitive); "*" is every role, and an
# entry "!x" removes x. A relationship's roles are its approved ceiling (accessDetails).
findings contains f if {
	some i in input.identities
	i.kind == "delegation"
	i.enabled == true
	some key, p in _problems(i)
	f := {
		"subject": i.ref, "key": key,
		"message": sprintf("GDAP relationship %s (%s) %s", [lib.name(i), _customer(i), p.what]),
		"evidence": object.union(_terms(i), p.evidence),
		"provenance": [i.prov],
	}
}

# Status not known to grant access or not: what would be a finding cannot be said.
not_evaluable contains x if {
	some i in input.identities
	i.kind == "delegation"
	i.enabled == null
	some key, p in _problems(i)
	x := {"subject": i.ref, "key": key, "reason": sprintf("status %v: not known whether the relationship grants access; if it does, it %s", [_d(i).status, p.what])}
}

not_evaluable contains x if {
	some i in input.identities
	i.kind == "delegation"
	i.enabled != false
	some key, reason in _unknown(i)
	x := {"subject": i.ref, "key": key, "reason": reason}
}

_d(i) := i.delegation if is_object(i.delegation)
else := {}

_problems(i) := object.union_n([_outside(i), _top(i), _extends(i), _long(i)])

# The top role has its own key, so it is not listed again as outside the allowed set.
_outside(i) := {"roles_not_allowed": {
	"what": sprintf("grants roles outside msp_allowed_roles: %s", [concat(", ", sort({lib.role_label(r) | some r in roles}))]),
	"evidence": _roles_evidence(i, roles, {"msp_allowed_roles": input.params.msp_allowed_roles}),
}} if {
	roles := [r | some r in i.roles; r.top != true; not _allowed(r)]
	count(roles) > 0
} else := {}

_top(i) := {"top_role": {
	"what": sprintf("includes %s", [concat(", ", sort({lib.role_label(r) | some r in roles}))]),
	"evidence": _roles_evidence(i, roles, {}),
}} if {
	roles := [r | some r in i.roles; r.top == true]
	count(roles) > 0
} else := {}

_extends(i) := {"auto_extend": {
	"what": sprintf("auto-extends by %d days, so it has no effective end", [days]),
	"evidence": {},
}} if {
	days := _d(i).auto_extend_days
	days > 0
} else := {}

_long(i) := {"duration": {
	"what": sprintf("lasts %d days, more than max_delegation_days %d", [days, limit]),
	"evidence": {"max_delegation_days": limit},
}} if {
	days := _d(i).duration_days
	limit := input.params.max_delegation_days
	days > limit
} else := {}

_unknown(i) := object.union_n([
	{k: "the relationship's roles are not in the export (no accessDetails)" | some k in ["roles_not_allowed", "top_role"]; i.privileged == null},
	{"auto_extend": "autoExtendDuration is not in the export" | object.get(_d(i), "auto_extend_days", null) == null},
	{"duration": "the duration is not in the export (no duration, nor activation and end dates)" | object.get(_d(i), "duration_days", null) == null},
])

_allowed(r) if {
	some e in input.params.msp_allowed_roles
	is_string(e)
	not startswith(e, "!")
	_matches(lower(trim_space(e)), r)
	not _denied(r)
}

_denied(r) if {
	some e in input.params.msp_allowed_roles
	is_string(e)
	startswith(e, "!")
	_matches(lower(trim_space(trim_prefix(e, "!"))), r)
}

_matches(n, _) if n == "*"

_matches(n, r) if n == lower(r.role_id)

_matches(n, r) if {
	is_string(r.role_name)
	n == lower(r.role_name)
}

_customer(i) := _d(i).customer_name if is_string(_d(i).customer_name)
else := _d(i).customer_id if is_string(_d(i).customer_id)
else := "customer unknown"

# The relationship's terms, cited by every finding.
_terms(i) := {
	"relationship_id": i.object_id, "relationship": i.display_name,
	"customer_id": object.get(d, "customer_id", null), "customer_name": object.get(d, "customer_name", null),
	"status": object.get(d, "status", null), "duration": object.get(d, "duration", null),
	"duration_days": object.get(d, "duration_days", null), "auto_extend_days": object.get(d, "auto_extend_days", null),
	"ends": object.get(object.get(d, "ends", {}), "at", null),
} if d := _d(i)

# The roles at issue and the MSP groups (access containers) that carry them.
_roles_evidence(i, roles, extra) := object.union(extra, {
	"roles": [lib.role_evidence(r) | some r in roles],
	"access_containers": sort({c.group_id |
		some c in object.get(_d(i), "access_containers", [])
		some id in c.role_ids
		id in ids
	}),
}) if ids := {lower(r.role_id) | some r in roles}
