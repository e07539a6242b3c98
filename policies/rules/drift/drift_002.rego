# METADATA
# title: Deprovisioning gap
# description: Identity disabled, deleted, deprovisioned or past its leave date in the source of truth, still enabled in a downstream system.
# custom:
#   id: DRIFT-002
#   severity: critical
#   scope: identity
#   applies_to:
#     correlation.state: [matched]
#     correlation.sot.gone: [true, null]
#   params: {}
#   controls:
#     nist-csf-1.1: ["PR.AC-1"]
#     nist-csf-2.0: ["PR.AA-01", "PR.AA-05"]
#     nist-sp-800-53r5: ["AC-2(3)", "PS-4"]
#     cis-v8: ["6.2", "5.3"]
#     iso-27001-2022: ["A.5.18", "A.6.5"]
#     soc2-2017: ["CC6.2", "CC6.3"]
#     owasp-nhi-2025: ["NHI1:2025"]
#   remediation: Disable the downstream account now, then fix the leaver workflow so that disabling in the source of truth reaches this system.
package driftgate.rules.drift_002

import data.driftgate.lib
import rego.v1

# Accounts linked to the MSP's staff directory are MSP accounts, judged by LIFE-002.
# Rust sets correlation.sot.gone: the source-of-truth identity is disabled, deleted, deprovisioned,
# suspended or expired, or past its leave date (null: the source of truth cannot tell).
findings contains f if {
	some i in input.identities
	i.correlation.state == "matched"
	i.correlation.sot.gone == true
	i.enabled == true
	i.staff == null
	s := i.correlation.sot
	f := {
		"subject": i.ref,
		"message": sprintf("%s is still enabled in %s but %s in the source of truth (%s)", [lib.name(i), i.source, _why_gone(s), i.correlation.sot_ref]),
		"evidence": {
			"downstream_enabled": true, "source": i.source,
			"sot_ref": i.correlation.sot_ref, "sot_enabled": s.enabled, "sot_status": s.status,
			"sot_leave_date": s.leave_date.at, "matched_by": i.correlation.method, "match_value": i.correlation.value,
		},
		"provenance": [i.prov, s.prov],
	}
}

_why_gone(s) := sprintf("is %s", [s.status]) if s.status in {"disabled", "deprovisioned", "deleted", "suspended", "expired"}
else := "is disabled" if s.enabled == false
else := sprintf("left on %s", [s.leave_date.at])

not_evaluable contains {"subject": i.ref, "reason": "enabled state unknown here; the identity has left the source of truth"} if {
	some i in input.identities
	i.correlation.state == "matched"
	i.correlation.sot.gone == true
	i.enabled == null
	i.staff == null
}

not_evaluable contains {"subject": i.ref, "reason": "the source of truth does not say whether its identity is enabled"} if {
	some i in input.identities
	i.correlation.state == "matched"
	i.correlation.sot.gone == null
	i.enabled == true
	i.staff == null
}
