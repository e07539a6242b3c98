# METADATA
# title: Privileged account without MFA
# description: Account holding a privileged role (active, eligible or delegated assignment) with no MFA method registered.
# custom:
#   id: PRIV-001
#   severity: critical
#   scope: identity
#   applies_to:
#     privileged: [true, null]
#   params: {}
#   controls:
#     nist-csf-1.1: ["PR.AC-4", "PR.AC-7"]
#     nist-csf-2.0: ["PR.AA-05", "PR.AA-03"]
#     nist-sp-800-53r5: ["IA-2(1)", "AC-6(5)"]
#     nist-sp-800-207: ["tenet-6"]
#     cis-v8: ["6.5"]
#     iso-27001-2022: ["A.8.5", "A.8.2"]
#     soc2-2017: ["CC6.1", "CC6.3"]
#   remediation: Register a phishing-resistant MFA method for the account before it uses the role again, or remove the role.
package driftgate.rules.priv_001

import data.driftgate.lib
import rego.v1

# Scope: accounts someone signs in to, i.e. not workloads, managed identities or agents.
findings contains f if {
	some i in input.identities
	i.privileged == true
	i.mfa.registered == false
	not i.kind in lib.app_kinds
	roles := lib.privileged_roles(i)
	f := {
		"subject": i.ref,
		"message": sprintf("%s holds %s but has no MFA method registered", [lib.name(i), concat(", ", {lib.role_label(r) | some r in roles})]),
		"evidence": {"mfa_registered": false, "roles": [lib.role_evidence(r) | some r in roles]},
		"provenance": [r.prov | some r in roles],
	}
}

not_evaluable contains {"subject": i.ref, "reason": "MFA registration unknown for a privileged account"} if {
	some i in input.identities
	i.privileged == true
	i.mfa.registered == null
	not i.kind in lib.app_kinds
}

not_evaluable contains {"subject": i.ref, "reason": "no MFA registered, but role data is missing for this source"} if {
	some i in input.identities
	i.privileged == null
	i.mfa.registered == false
	not i.kind in lib.app_kinds
}
