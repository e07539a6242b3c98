# METADATA
# title: Review overdue
# description: A privileged entitlement (role, delegated admin access, privileged technician account) or a non-human credential not reviewed within review_interval_days of as_of, or never reviewed, in a tenant with completed access reviews.
# custom:
#   id: REVIEW-002
#   severity: medium
#   scope: tenant
#   params:
#     review_interval_days: 90
#   controls:
#     nist-csf-1.1: ["PR.AC-1", "PR.AC-4"]
#     nist-csf-2.0: ["PR.AA-01", "PR.AA-05"]
#     nist-sp-800-53r5: ["AC-2", "AC-6(7)"]
#     cis-v8: ["5.1", "5.5"]
#     iso-27001-2022: ["A.5.18"]
#     soc2-2017: ["CC6.2", "CC6.3"]
#     owasp-nhi-2025: ["NHI5:2025"]
#   remediation: Review the entitlement in the next campaign (driftgate review) and record the decision, reviewer and date; shorten the campaign interval if reviews keep lapsing.
package driftgate.rules.review_002

import rego.v1

# Rust (src/review/evidence.rs) fills `tenant.access_review`: `recorded` is true when the tenant
# has at least one valid completed worksheet row; then `items` lists its entitlements with the
# latest review that counts (`last_review`, null when none) and its age in `days_ago`.
_review := object.get(input.tenant, "access_review", {})

_in_scope(item) if item.privileged == true

_in_scope(item) if item.kind == "nhi_credential"

findings contains f if {
	_review.recorded == true
	some item in _review.items
	item.exists == true
	_in_scope(item)
	_overdue(item)
	f := {
		"subject": item.ref,
		"key": item.key,
		"message": _message(item),
		"evidence": {
			"item_id": item.item_id, "kind": item.kind, "what": item.label, "holder": item.holder,
			"last_reviewed": _last(item, "reviewed_at"),
			"days_since_review": _last(item, "days_ago"),
			"review_interval_days": input.params.review_interval_days,
		},
		"provenance": _prov(item),
	}
}

_overdue(item) if item.last_review == null

_overdue(item) if item.last_review.days_ago > input.params.review_interval_days

_message(item) := sprintf("%s held by %s has never been reviewed", [item.label, item.holder]) if {
	item.last_review == null
} else := sprintf("%s held by %s was last reviewed %s (%d days ago, more than %d)", [item.label, item.holder, item.last_review.reviewed_at, item.last_review.days_ago, input.params.review_interval_days])

_last(item, field) := null if item.last_review == null
else := item.last_review[field]

_prov(item) := [item.prov] if item.last_review == null
else := [item.prov, item.last_review.prov]

# Unknown is never "no": without any completed review the tenant's review state is unknown,
# reported once for the tenant rather than once per entitlement. (Inputs without
# `access_review` at all predate review evidence: nothing to say.)
not_evaluable contains {"subject": "tenant", "reason": "no completed access review recorded for this tenant"} if {
	_review.recorded == false
}
