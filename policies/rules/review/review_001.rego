# METADATA
# title: Revocation not applied
# description: An entitlement marked revoke in a completed access review is still in the exports and usable (holder enabled, credential live, delegation active).
# custom:
#   id: REVIEW-001
#   severity: high
#   scope: tenant
#   params: {}
#   controls:
#     nist-csf-1.1: ["PR.AC-1", "PR.AC-4"]
#     nist-csf-2.0: ["PR.AA-01", "PR.AA-05"]
#     nist-sp-800-53r5: ["AC-2", "AC-2(3)", "AC-6(7)", "PS-4"]
#     cis-v8: ["6.2"]
#     iso-27001-2022: ["A.5.18"]
#     soc2-2017: ["CC6.2", "CC6.3"]
#     owasp-nhi-2025: ["NHI1:2025"]
#   remediation: Carry out the revocation the review decided (remove the role, delete the credential, end the GDAP access, disable the account), or record a new review decision with its reason.
package driftgate.rules.review_001

import rego.v1

# Rust (src/review/evidence.rs) joins the completed worksheets to the current entitlements in
# `tenant.access_review.items`: `exists` (still in the exports), `enabled` (usable now, null when
# unknown) and `last_review` (the latest review that counts, null when none). Absent in old
# inputs: no reviews.
_items := object.get(object.get(input.tenant, "access_review", {}), "items", [])

findings contains f if {
	some item in _items
	item.exists == true
	item.last_review.decision == "revoke"
	item.enabled == true
	r := item.last_review
	f := {
		"subject": item.ref,
		"key": item.key,
		"message": sprintf("%s held by %s was marked revoke by %s on %s (%d days ago) but is still in the exports and usable", [item.label, item.holder, r.reviewer, r.reviewed_at, r.days_ago]),
		"evidence": {
			"item_id": item.item_id, "kind": item.kind, "what": item.label, "holder": item.holder,
			"decision": r.decision, "reviewer": r.reviewer, "reviewed_at": r.reviewed_at,
			"days_since_review": r.days_ago, "comment": r.comment,
			"worksheet": sprintf("%s:%d", [r.file, r.line]),
		},
		"provenance": [r.prov, item.prov],
	}
}

# Still in the exports, but whether it can be used is unknown: not guessed.
not_evaluable contains x if {
	some item in _items
	item.exists == true
	item.last_review.decision == "revoke"
	item.enabled == null
	x := {"subject": item.ref, "key": item.key, "reason": sprintf("marked revoke on %s and still in the exports; not known whether it is still usable", [item.last_review.reviewed_at])}
}
