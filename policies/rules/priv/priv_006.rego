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

# Role data missing for a risky account, or a privileged (or maybe privileged) account whose risks cannot be judged.
not_evaluable contains x if {
	some i in input.identities
	i.privileged != false
	i.kind != "delegation"
	not _quiet(i)
	x := {"subject": i.ref, "reason": _unknown(i, _risks(i))}
}

# Certainly no risk and nothing unknown (a shortcut that changes no result: most accounts are
# enabled members who signed in recently): not a guest, known enabled, and a dated sign-in no
# older than stale_days, so neither stale nor never used, and nothing to judge is unknown.
_quiet(i) if {
	i.enabled == true
	i.kind != "guest"
	i.derived.activity == "dated"
	i.derived.activity_days <= input.params.stale_days
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
