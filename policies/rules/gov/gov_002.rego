# METADATA
# title: Unapproved waiver
# description: A waiver ([[waiver]] in a tenant.toml or the estate's waivers.toml) without a reason, an owner or an approver, or approved by its own owner; it is not applied.
# custom:
#   id: GOV-002
#   severity: medium
#   scope: tenant
#   params: {}
#   controls:
#     nist-csf-1.1: ["ID.RA-6", "PR.AC-4"]
#     nist-csf-2.0: ["ID.RA-06", "PR.AA-05"]
#     nist-sp-800-53r5: ["CA-5", "CA-7", "RA-7", "AC-5"]
#     iso-27001-2022: ["A.5.1", "A.5.36"]
#     soc2-2017: ["CC5.3"]
#   remediation: Fill in reason, owner and approver (someone other than the owner), or remove the waiver.
package driftgate.rules.gov_002

import rego.v1

# Rust (src/waiver.rs) lists the waivers that apply to the tenant in `tenant.waivers`; blank
# reason, owner or approver arrive as null. A waiver is approved when all three are set and the
# approver is not the owner (compared without letter case); otherwise it is not applied.
findings contains f if {
	some w in object.get(input.tenant, "waivers", [])
	_unapproved(w)
	missing := _missing(w)
	self := _self_approved(w)
	f := {
		"subject": sprintf("waiver:%s", [w.declared]),
		"message": sprintf("waiver for %s %s; it is not applied", [_what(w), concat(" and ", _problems(missing, self, w))]),
		"evidence": {
			"rule": w.rule, "subject": w.subject, "key": w.key, "missing": missing,
			"self_approved": self, "owner": w.owner, "approver": w.approver, "reason": w.reason,
			"ticket": w.ticket, "declared": w.declared,
		},
		"provenance": [w.prov],
	}
}

_fields := ["approver", "owner", "reason"]

_unapproved(w) if {
	some k in _fields
	w[k] == null
}

_unapproved(w) if _self_approved(w)

# Sorted: _fields is.
_missing(w) := [k | some k in _fields; w[k] == null]

_self_approved(w) if {
	is_string(w.owner)
	is_string(w.approver)
	lower(w.owner) == lower(w.approver)
} else := false

_problems(missing, self, w) := [p | some p in [_no(missing), _self(self, w)]; p != ""]

_no(missing) := "" if count(missing) == 0
else := sprintf("has no %s", [concat(", ", missing)])

_self(true, w) := sprintf("is approved by its own owner %s (self-approval is not approval)", [w.approver])

_self(false, _) := ""

# A waiver's own facts are always known: nothing is not evaluable (an empty set, so that the
# package defines both sets like every rule).
not_evaluable := set()

# "PRIV-001 on breakglass-*@contoso.com", and the finding key when the waiver names one.
_what(w) := sprintf("%s on %s", [w.rule, w.subject]) if w.key == null
else := sprintf("%s on %s (key %s)", [w.rule, w.subject, w.key])
