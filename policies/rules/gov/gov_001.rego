# METADATA
# title: Expired waiver
# description: A waiver ([[waiver]] in a tenant.toml or the estate's waivers.toml) past its expiry date; it no longer applies, so the findings it covered are reported again.
# custom:
#   id: GOV-001
#   severity: medium
#   scope: tenant
#   params: {}
#   controls:
#     nist-csf-1.1: ["ID.RA-6", "PR.AC-4"]
#     nist-csf-2.0: ["ID.RA-06", "PR.AA-05"]
#     nist-sp-800-53r5: ["CA-5", "CA-7", "RA-7"]
#     iso-27001-2022: ["A.5.1", "A.5.36"]
#     soc2-2017: ["CC5.3"]
#   remediation: Renew the waiver with a new expiry and a fresh approval, or fix the finding and remove the waiver.
package driftgate.rules.gov_001

import rego.v1

# Rust (src/waiver.rs) lists the waivers that apply to the tenant in `tenant.waivers`, with
# `days_to_expiry` = expires − as_of in whole days (0: expires today, still in force; null: no
# expiry). `null < 0` holds in Rego, hence is_number. Absent in old inputs: no waivers.
findings contains f if {
	some w in object.get(input.tenant, "waivers", [])
	is_number(w.days_to_expiry)
	w.days_to_expiry < 0
	f := {
		"subject": sprintf("waiver:%s", [w.declared]),
		"message": sprintf("waiver for %s expired %s (%d days ago); the findings it covered are reported again", [_what(w), w.expires, 0 - w.days_to_expiry]),
		"evidence": {
			"rule": w.rule, "subject": w.subject, "key": w.key, "expires": w.expires,
			"days_expired": 0 - w.days_to_expiry, "owner": w.owner, "approver": w.approver,
			"ticket": w.ticket, "declared": w.declared,
		},
		"provenance": [w.prov],
	}
}

# A waiver's own facts are always known: nothing is not evaluable (an empty set, so that the
# package defines both sets like every rule).
not_evaluable := set()

# "PRIV-001 on breakglass-*@contoso.com", and the finding key when the waiver names one.
_what(w) := sprintf("%s on %s", [w.rule, w.subject]) if w.key == null
else := sprintf("%s on %s (key %s)", [w.rule, w.subject, w.key])
