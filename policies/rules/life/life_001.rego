# METADATA
# title: Departed client access
# description: The tenant has departed and the MSP still has access to it - an active GDAP relationship, an enabled technician account, or an integration with a live credential.
# custom:
#   id: LIFE-001
#   severity: critical
#   scope: identity
#   applies_to:
#     - {kind: [delegation]}
#     - {staff.state: [matched, absent, no_staff_source]}
#     - {derived.has_credentials: [true], non_human: [true]}
#   params: {}
#   controls:
#     nist-csf-1.1: ["PR.AC-4", "PR.AC-1"]
#     nist-csf-2.0: ["PR.AA-05", "PR.AA-01"]
#     nist-sp-800-53r5: ["AC-2", "PS-7"]
#     cis-v8: ["6.2", "5.3"]
#     iso-27001-2022: ["A.5.18", "A.5.20"]
#     soc2-2017: ["CC6.2", "CC6.3"]
#     owasp-nhi-2025: ["NHI1:2025"]
#   remediation: Terminate the GDAP relationship, disable the MSP's accounts in the client's systems and revoke every integration credential; then record the offboarding with `driftgate audit` showing no access left.
package driftgate.rules.life_001

import data.driftgate.lib
import rego.v1

findings contains f if {
	input.tenant.status == "departed"
	some i in input.identities
	i.enabled == true
	path := _path(i)
	f := {
		"subject": i.ref,
		"message": sprintf("%s has departed, but %s %s still gives the MSP access", [input.tenant.name, path, lib.name(i)]),
		"evidence": {"tenant_status": "departed", "access": path, "source": i.source, "kind": i.kind, "enabled": true},
	}
}

# What kind of access an identity is, when it is the MSP's.
_path(i) := "the GDAP relationship" if i.kind == "delegation"
else := "the technician account" if i.staff != null
else := "the integration" if {
	i.non_human == true
	some c in i.credentials
	c.derived.live == true
}

not_evaluable contains {"subject": i.ref, "reason": "the tenant has departed; whether this MSP access is still enabled is unknown"} if {
	input.tenant.status == "departed"
	some i in input.identities
	i.enabled == null
	_path(i)
}
