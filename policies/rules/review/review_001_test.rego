package driftgate.rules.review_001_test

import data.driftgate.rules.review_001 as rule
import data.driftgate.testdata
import rego.v1

# A client secret marked revoke on 2026-10-15 (36 days before as_of) that is still live.
_review := {
	"decision": "revoke", "reviewer": "dana.reviewer@msp.example", "reviewed_at": "2026-10-15",
	"days_ago": 36, "comment": "app retired", "file": "reviews/2026-10.csv", "line": 4,
	"prov": {"source": "review", "file": "reviews/2026-10.csv", "record": 3, "line": 4},
}

_item := {
	"item_id": "0123456789ab", "ref": "entra/sp-0002", "kind": "nhi_credential", "key": "9f1c2d3e",
	"label": "client_secret nightly-sync", "holder": "Nightly Sync", "privileged": false,
	"exists": true, "enabled": true, "last_review": _review,
	"prov": {"source": "entra", "file": "entra/applications.json", "record": 2},
}

_item_with(change) := object.union(_item, change)

_with(items) := testdata.tenant_input(object.union(testdata.tenant, {"access_review": {"recorded": true, "worksheets": ["reviews/2026-10.csv"], "items": items}}))

test_fires_on_a_revoke_still_in_place if {
	rule.findings == {{
		"subject": "entra/sp-0002", "key": "9f1c2d3e",
		"message": "client_secret nightly-sync held by Nightly Sync was marked revoke by dana.reviewer@msp.example on 2026-10-15 (36 days ago) but is still in the exports and usable",
		"evidence": {
			"item_id": "0123456789ab", "kind": "nhi_credential", "what": "client_secret nightly-sync",
			"holder": "Nightly Sync", "decision": "revoke", "reviewer": "dana.reviewer@msp.example",
			"reviewed_at": "2026-10-15", "days_since_review": 36, "comment": "app retired",
			"worksheet": "reviews/2026-10.csv:4",
		},
		"provenance": [
			{"source": "review", "file": "reviews/2026-10.csv", "record": 3, "line": 4},
			{"source": "entra", "file": "entra/applications.json", "record": 2},
		],
	}} with input as _with([_item])
	count(rule.not_evaluable) == 0 with input as _with([_item])
}

test_a_carried_out_revocation_passes if {
	gone := _item_with({"exists": false, "enabled": null, "prov": null})
	count(rule.findings) == 0 with input as _with([gone])
	count(rule.not_evaluable) == 0 with input as _with([gone])
}

test_a_disabled_entitlement_passes if {
	count(rule.findings) == 0 with input as _with([_item_with({"enabled": false})])
}

test_keep_modify_and_unreviewed_pass if {
	keep := _item_with({"last_review": object.union(_review, {"decision": "keep"})})
	modify := _item_with({"item_id": "b", "last_review": object.union(_review, {"decision": "modify"})})
	never := _item_with({"item_id": "c", "last_review": null})
	count(rule.findings) == 0 with input as _with([keep, modify, never])
	count(rule.not_evaluable) == 0 with input as _with([keep, modify, never])
}

test_unknown_usability_is_not_evaluable if {
	i := _item_with({"enabled": null})
	count(rule.findings) == 0 with input as _with([i])
	rule.not_evaluable == {{"subject": "entra/sp-0002", "key": "9f1c2d3e", "reason": "marked revoke on 2026-10-15 and still in the exports; not known whether it is still usable"}} with input as _with([i])
}

test_no_reviews_means_no_output if {
	count(rule.findings) == 0 with input as testdata.tenant_input(testdata.tenant)
	count(rule.not_evaluable) == 0 with input as testdata.tenant_input(testdata.tenant)
}
