# METADATA
# title: Too many top-role admins
# description: More than max_top_admins standing holders of a source's top role (Global Administrator, AWS root or AdministratorAccess user, Domain/Enterprise Admins).
# custom:
#   id: PRIV-002
#   severity: high
#   scope: tenant
#   params:
#     max_top_admins: 4
#   controls:
#     nist-csf-1.1: ["PR.AC-4"]
#     nist-csf-2.0: ["PR.AA-05"]
#     nist-sp-800-53r5: ["AC-6(5)", "AC-2(7)"]
#     cis-v8: ["5.4"]
#     iso-27001-2022: ["A.8.2"]
#     soc2-2017: ["CC6.3"]
#   remediation: Reduce standing holders to the documented admins and break-glass accounts; move the rest to eligible (just-in-time) assignments or lesser roles.
package driftgate.rules.priv_002

import data.driftgate.lib.top_role
import rego.v1

findings contains f if {
	some tr in input.tenant.top_roles
	limit := input.params.max_top_admins
	tr.standing_count > limit
	holders := top_role.standing(tr)
	f := {
		"subject": top_role.subject(tr.source),
		"message": sprintf("%s has %d standing holders of %s (limit %d)", [tr.source, tr.standing_count, tr.role_name, limit]),
		"evidence": {
			"role": tr.role_name, "standing_count": tr.standing_count, "max_top_admins": limit,
			"holders": [top_role.holder(h) | some h in holders],
		},
		"provenance": [h.prov | some h in holders],
	}
}

not_evaluable contains x if some x in top_role.not_evaluable
