# METADATA
# title: Privileged role on a risky account
# description: Privileged role held by a guest, a disabled account, or an account that STALE-001 or STALE-002 reports (same thresholds).
# custom:
#   id: PRIV-006
#   severity: high
#   scope: identity
#   applies_to:
#     privileged: [true, null]
#   params:
#     stale_days: 90
#     never_used_grace_days: 30
#   controls:
#     nist-csf-1.1: ["PR.AC-4", "PR.AC-1"]
#     nist-csf-2.0: ["PR.AA-05", "PR.AA-01"]
#     nist-sp-800-53r5: ["AC-6(5)", "AC-6(6)", "AC-2(3)", "AC-2(7)"]
#     cis-v8: ["5.3", "5.4"]
#     iso-27001-2022: ["A.8.2", "A.5.18"]
#     soc2-2017: ["CC6.2", "CC6.3"]
#   remediation: Remove the role (guests should not hold directory roles); delete or disable dormant admin accounts and remove their roles.
package driftgate.rules.priv_006

import data.driftgate.lib
import data.driftgate.lib.dormancy
import rego.v1

findings contains f if {
	some i in input.identities
	i.privileged == true
	i.kind != "delegation"
	risks := _risks(i)
	count(risks) > 0
	roles := lib.privileged_roles(i)
	f := {
		"subject": i.ref,
		"message": sprintf("%s holds %s and is %s", [lib.name(i), concat(", ", {lib.role_label(r) | some r in roles}), concat(" and ", {_words[r] | some r in risks})]),
		"evidence": object.union_n(array.concat(
			[{"risks": sort(risks), "kind": i.kind, "enabled": i.enabled, "roles": [lib.role_evidence(r) | some r in roles]}],
			[_detail(i, r) | some r in sort(risks)],
		)),
		"provenance": [r.prov | some r in roles],
	}
}

_words := {"guest": "a guest", "disabled": "disabled", "stale": "stale (STALE-001)", "never_used": "never used (STALE-002)"}

# Called only for identities that hold or may hold a privileged role.
_risks(i) := ({"guest" | i.kind == "guest"} | {"disabled" | i.enabled == false}) | (
	{"stale" | dormancy.stale(i, input.params)} | {"never_used" | dormancy.never_used(i, input.params)}
)

# The facts behind a dormancy risk, as STALE-001 / STALE-002 cite them.
_detail(i, "stale") := dormancy.stale_evidence(i, input.params)

_detail(i, "never_used") := dormancy.never_used_evidence(i, input.params)

# Role data missing for a risky account, or a privileged (or maybe privileged) account whose risks
# cannot be judged. One body per way an account can be risky or undecidable, each opening with
# cheap comparisons: an enabled member with a recent dated sign-in (most accounts) reaches none,
# and an enabled one with unknown activity takes the shortcut below.
not_evaluable contains x if {
	some i in input.identities
	i.enabled != true
	i.privileged != false
	i.kind != "delegation"
	x := _entry(i)
}

not_evaluable contains x if {
	some i in input.identities
	i.kind == "guest"
	i.privileged != false
	x := _entry(i)
}

not_evaluable contains x if {
	some i in input.identities
	i.enabled == true
	i.derived.activity == "dated"
	i.derived.activity_days > input.params.stale_days
	i.privileged != false
	i.kind != "delegation"
	x := _entry(i)
}

not_evaluable contains x if {
	some i in input.identities
	i.enabled == true
	i.derived.activity == "never"
	i.privileged != false
	i.kind != "delegation"
	x := _entry(i)
}

_entry(i) := {"subject": i.ref, "reason": _unknown(i, _risks(i))}

# The common unknown case, decided without building the risk set (same reasons as `_unknown`):
# an enabled account that is not a guest, with sign-in activity unknown, has no risk (it can be
# neither stale nor never used), and what cannot be judged follows from its kind.
not_evaluable contains {"subject": i.ref, "reason": concat("; ", [_role_state(i), _activity_unknown_reason(i)])} if {
	some i in input.identities
	i.privileged != false
	i.kind != "delegation"
	_activity_unknown(i)
}

_activity_unknown(i) if {
	i.derived.activity == "unknown"
	i.enabled == true
	i.kind != "guest"
}

_activity_unknown_reason(i) := "sign-in activity unknown, so staleness cannot be judged" if {
	i.kind == "human"
} else := "never-used state cannot be judged (sign-in activity or creation date unknown)" if {
	dormancy.signs_in(i)
}

_unknown(i, risks) := sprintf("role data is missing for this source; the account is %s", [concat(" and ", {_words[r] | some r in risks})]) if {
	i.privileged == null
	count(risks) > 0
} else := sprintf("%s; %s", [_role_state(i), _risk_unknown(i)]) if count(risks) == 0

_role_state(i) := "privileged" if i.privileged == true
else := "role data missing"

_risk_unknown(i) := "enabled state unknown" if i.enabled == null
else := "sign-in activity unknown, so staleness cannot be judged" if dormancy.stale_unknown(i)
else := "never-used state cannot be judged (sign-in activity or creation date unknown)" if dormancy.never_used_unknown(i)
