# METADATA
# title: Privileged non-human identity
# description: Service account, workload, managed identity or AI agent holding a privileged role.
# custom:
#   id: PRIV-005
#   severity: high
#   scope: identity
#   applies_to:
#     privileged: [true, null]
#     non_human: [true]
#   params: {}
#   controls:
#     nist-csf-1.1: ["PR.AC-4"]
#     nist-csf-2.0: ["PR.AA-05"]
#     nist-sp-800-53r5: ["AC-6", "AC-6(5)"]
#     cis-v8: ["5.4", "5.5"]
#     iso-27001-2022: ["A.8.2"]
#     soc2-2017: ["CC6.3"]
#     owasp-nhi-2025: ["NHI5:2025"]
#   remediation: Replace the directory role with the narrowest permission the workload needs (application permission, scoped role or resource-level grant), or waive it with an owner.
package driftgate.rules.priv_005

import data.driftgate.lib
import rego.v1

findings contains f if {
	some i in input.identities
	i.privileged == true
	i.non_human == true
	roles := lib.privileged_roles(i)
	f := {
		"subject": i.ref,
		"message": sprintf("%s %s holds %s", [i.kind, lib.name(i), concat(", ", {lib.role_label(r) | some r in roles})]),
		"evidence": {"kind": i.kind, "roles": [lib.role_evidence(r) | some r in roles]},
		"provenance": [r.prov | some r in roles],
	}
}

not_evaluable contains {"subject": i.ref, "reason": "role data is missing for this source"} if {
	some i in input.identities
	i.privileged == null
	i.non_human == true
}
