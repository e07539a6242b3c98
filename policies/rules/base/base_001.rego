# METADATA
# title: MFA not enforced
# description: The tenant's directory does not require MFA of all users (no enabled Conditional Access policy for all users and applications, no security defaults, no 2-Step Verification or per-user MFA requirement for every active user).
# custom:
#   id: BASE-001
#   severity: high
#   scope: tenant
#   params: {}
#   controls:
#     nist-csf-1.1: ["PR.AC-7"]
#     nist-csf-2.0: ["PR.AA-03"]
#     nist-sp-800-53r5: ["IA-2(1)", "IA-2(2)"]
#     cis-v8: ["6.3", "6.4", "6.5"]
#     iso-27001-2022: ["A.8.5"]
#     soc2-2017: ["CC6.1"]
#   remediation: Require MFA of every user - an enabled Conditional Access policy for All users and All cloud apps granting mfa (break-glass accounts excluded and monitored), or security defaults; in Google Workspace enforce 2-Step Verification for every OU; in JumpCloud require MFA of every user.
package driftgate.rules.base_001

import rego.v1

# The source of truth's entry when it is a directory that can require MFA, else every directory's.
judged contains e if {
	some e in input.tenant.mfa_enforcement
	e.source_of_truth == true
}

judged contains e if {
	not _sot_listed
	some e in input.tenant.mfa_enforcement
}

_sot_listed if {
	some e in input.tenant.mfa_enforcement
	e.source_of_truth == true
}

_subject(e) := sprintf("source:%s", [e.source])

_message(e) := sprintf("%s does not require MFA of %d of its %d active users", [e.source, e.not_enforced_users, e.users]) if {
	e.not_enforced_users > 0
} else := sprintf("%s does not require MFA of all users: no enabled Conditional Access policy requires it of all users and applications, and security defaults are off", [e.source])

findings contains f if {
	some e in judged
	e.enforced == false
	f := {
		"subject": _subject(e),
		"message": _message(e),
		"evidence": {
			"source_kind": e.kind, "partial_policies": e.partial, "report_only_policies": e.report_only,
			"active_users": e.users, "not_enforced_users": e.not_enforced_users,
			"not_enforced_sample": e.not_enforced_sample,
		},
		"provenance": e.prov,
	}
}

not_evaluable contains {"subject": _subject(e), "reason": e.reason} if {
	some e in judged
	e.enforced == null
}
