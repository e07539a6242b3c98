# METADATA
# title: MFA not registered
# description: Enabled human member account with no MFA method registered.
# custom:
#   id: BASE-002
#   severity: medium
#   scope: identity
#   applies_to:
#     mfa.registered: [false, null]
#     kind: [human]
#   params: {}
#   controls:
#     nist-csf-1.1: ["PR.AC-7"]
#     nist-csf-2.0: ["PR.AA-03"]
#     nist-sp-800-53r5: ["IA-2(2)"]
#     nist-sp-800-207: ["tenet-6"]
#     cis-v8: ["6.3", "6.4"]
#     iso-27001-2022: ["A.8.5"]
#     soc2-2017: ["CC6.1"]
#   remediation: Have the user register an MFA method (require registration at next sign-in), or disable the account if it is not used.
package driftgate.rules.base_002

import data.driftgate.lib
import rego.v1

findings contains f if {
	some i in input.identities
	i.mfa.registered == false
	i.kind == "human"
	i.enabled == true
	f := {
		"subject": i.ref,
		"message": sprintf("%s has no MFA method registered", [lib.name(i)]),
		"evidence": {"mfa_registered": false, "methods": i.mfa.methods, "mfa_source": i.mfa.source},
	}
}

not_evaluable contains {"subject": i.ref, "reason": "MFA registration unknown (no MFA report in the export)"} if {
	some i in input.identities
	i.mfa.registered == null
	i.kind == "human"
	i.enabled != false
}

not_evaluable contains {"subject": i.ref, "reason": "enabled state unknown; no MFA method registered"} if {
	some i in input.identities
	i.enabled == null
	i.mfa.registered == false
	i.kind == "human"
}
