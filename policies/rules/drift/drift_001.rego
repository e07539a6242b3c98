# METADATA
# title: Orphan account
# description: Enabled account in a downstream system that matches no identity in the tenant's source of truth.
# custom:
#   id: DRIFT-001
#   severity: high
#   scope: identity
#   applies_to:
#     correlation.state: [unmatched, ambiguous, no_source_of_truth]
#   params: {}
#   controls:
#     nist-csf-1.1: ["PR.AC-1"]
#     nist-csf-2.0: ["PR.AA-01"]
#     nist-sp-800-53r5: ["AC-2", "AC-2(1)"]
#     cis-v8: ["5.1", "6.1"]
#     iso-27001-2022: ["A.5.16", "A.5.18"]
#     soc2-2017: ["CC6.2"]
#   remediation: Link the account to its owner in the source of truth (same UPN, e-mail, employee id or on-premises anchor), or disable it in the downstream system.
package driftgate.rules.drift_001

import data.driftgate.lib
import rego.v1

# People's accounts a directory should have granted. Accounts linked to the MSP's staff directory
# are MSP accounts (LIFE rules), never client orphans. Guests are external by definition (STALE-003),
# technicians are MSP accounts (LIFE rules), service accounts are judged by the NHI rules, the AWS
# root user is the account itself, and
# workloads, managed identities and agents are not correlated.
_kinds := {"human", "shared"}

findings contains f if {
	some i in input.identities
	i.correlation.state == "unmatched"
	i.enabled == true
	i.kind in _kinds
	i.staff == null
	f := {
		"subject": i.ref,
		"message": sprintf("%s (%s in %s) matches no identity in the source of truth %s", [lib.name(i), i.kind, i.source, input.tenant.source_of_truth]),
		"evidence": {
			"source": i.source, "source_kind": i.source_kind, "kind": i.kind, "enabled": true,
			"principal_name": i.principal_name, "emails": i.emails, "employee_id": i.employment.employee_id,
			"source_of_truth": input.tenant.source_of_truth,
			"keys_tried": ["object_guid", "sid", "employee_id", "principal_name", "email"],
		},
	}
}

not_evaluable contains x if {
	some i in input.identities
	i.correlation.state == "ambiguous"
	i.enabled != false
	i.kind in _kinds
	i.staff == null
	x := {"subject": i.ref, "reason": sprintf("matches several source-of-truth identities by %s `%s`: %s", [i.correlation.method, i.correlation.value, concat(", ", i.correlation.candidates)])}
}

not_evaluable contains {"subject": i.ref, "reason": "enabled state unknown; matches no identity in the source of truth"} if {
	some i in input.identities
	i.correlation.state == "unmatched"
	i.enabled == null
	i.kind in _kinds
	i.staff == null
}

# Without a source of truth there is nothing to be an orphan of; a single-source tenant needs none.
not_evaluable contains {"subject": i.ref, "reason": "the tenant names no source_of_truth, so orphans cannot be told"} if {
	some i in input.identities
	i.correlation.state == "no_source_of_truth"
	count(input.tenant.sources) > 1
	i.enabled != false
	i.kind in _kinds
	i.staff == null
}
