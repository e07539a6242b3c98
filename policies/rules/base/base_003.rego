# METADATA
# title: Password not required
# description: Account allowed to have an empty password (Active Directory PASSWD_NOTREQD), enabled or not.
# custom:
#   id: BASE-003
#   severity: high
#   scope: identity
#   applies_to:
#     - {password.not_required: [true]}
#     - {password.not_required: [null], source_kind: [active-directory]}
#   params: {}
#   controls:
#     nist-csf-1.1: ["PR.AC-1", "PR.AC-7"]
#     nist-csf-2.0: ["PR.AA-01", "PR.AA-03"]
#     nist-sp-800-53r5: ["IA-5(1)", "IA-2"]
#     cis-v8: ["5.2"]
#     iso-27001-2022: ["A.5.17", "A.8.5"]
#     soc2-2017: ["CC6.1"]
#   remediation: Clear the flag (Set-ADUser -PasswordNotRequired $false) and set a strong password; check whether the password is currently empty.
package driftgate.rules.base_003

import data.driftgate.lib
import rego.v1

findings contains f if {
	some i in input.identities
	i.password.not_required == true
	f := {
		"subject": i.ref,
		"message": sprintf("%s is allowed to have no password (PASSWD_NOTREQD)", [lib.name(i)]),
		"evidence": {
			"not_required": true, "enabled": i.enabled,
			"password_last_set": i.password.last_set.at, "password_last_set_quality": i.password.last_set.quality,
		},
	}
}

# Only Active Directory has the flag; elsewhere null means "not applicable", not "unknown".
not_evaluable contains {"subject": i.ref, "reason": "userAccountControl flags are not in the export"} if {
	some i in input.identities
	i.source_kind == "active-directory"
	i.password.not_required == null
}
