# METADATA
# title: Too few top-role admins
# description: Fewer than min_top_admins enabled standing holders of a source's top role, so there is no break-glass account.
# custom:
#   id: PRIV-003
#   severity: medium
#   scope: tenant
#   params:
#     min_top_admins: 2
#   controls:
#     nist-csf-1.1: ["PR.AC-4"]
#     nist-csf-2.0: ["PR.AA-05"]
#     nist-sp-800-53r5: ["AC-2(7)", "AC-2(2)"]
#     cis-v8: ["5.4"]
#     iso-27001-2022: ["A.8.2"]
#     soc2-2017: ["CC6.3"]
#   remediation: Keep at least two enabled standing top-role holders, one of them a monitored break-glass account excluded from conditional access lockouts.
package driftgate.rules.priv_003

import data.driftgate.lib.top_role
import rego.v1

findings contains f if {
	some tr in input.tenant.top_roles
	limit := input.params.min_top_admins
	tr.enabled_standing_count + _unknown_enabled(tr) < limit
	holders := top_role.standing(tr)
	f := {
		"subject": top_role.subject(tr.source),
		"message": sprintf("%s has %d enabled standing holders of %s (minimum %d)", [tr.source, tr.enabled_standing_count, tr.role_name, limit]),
		"evidence": {
			"role": tr.role_name, "enabled_standing_count": tr.enabled_standing_count, "min_top_admins": limit,
			"holders": [top_role.holder(h) | some h in holders],
		},
		"provenance": [h.prov | some h in holders],
	}
}

not_evaluable contains x if {
	some tr in input.tenant.top_roles
	tr.enabled_standing_count < input.params.min_top_admins
	n := _unknown_enabled(tr)
	tr.enabled_standing_count + n >= input.params.min_top_admins
	x := {"subject": top_role.subject(tr.source), "reason": sprintf("%d standing holders of %s have an unknown enabled state", [n, tr.role_name])}
}

not_evaluable contains x if some x in top_role.not_evaluable

_unknown_enabled(tr) := count([h | some h in tr.holders; h.standing == true; h.enabled == null])
