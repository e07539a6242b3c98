package driftgate.rules.review_002_test

import data.driftgate.rules.review_002 as rule
import data.driftgate.testdata
import rego.v1

_review := {
	"decision": "keep", "reviewer": "dana.reviewer@msp.example", "reviewed_at": "2026-10-15",
	"days_ago": 36, "comment": null, "file": "reviews/2026-10.csv", "line": 3,
	"prov": {"source": "review", "file": "reviews/2026-10.csv", "record": 2, "line": 3},
}

# A permanent Global Administrator assignment, reviewed 36 days ago.
_item := {
	"item_id": "0123456789ab", "ref": "entra/0001", "kind": "privileged_role",
	"key": "62e90394-69f5-4237-9190-012177145e10", "label": "Global Administrator (permanent)",
	"holder": "ada@contoso.com", "privileged": true, "exists": true, "enabled": true,
	"last_review": _review,
	"prov": {"source": "entra", "file": "entra/roleAssignments.json", "record": 1},
}

_item_with(change) := object.union(_item, change)

_params(days) := object.union(testdata.params, {"review_interval_days": days})

_input(items, days) := {
	"as_of": testdata.as_of, "params": _params(days), "entitlements": [], "identities": [],
	"tenant": object.union(testdata.tenant, {"access_review": {"recorded": true, "worksheets": ["reviews/2026-10.csv"], "items": items}}),
}

_with(items) := _input(items, 90)

test_fires_on_a_never_reviewed_entitlement if {
	i := _item_with({"last_review": null})
	rule.findings == {{
		"subject": "entra/0001", "key": "62e90394-69f5-4237-9190-012177145e10",
		"message": "Global Administrator (permanent) held by ada@contoso.com has never been reviewed",
		"evidence": {
			"item_id": "0123456789ab", "kind": "privileged_role", "what": "Global Administrator (permanent)",
			"holder": "ada@contoso.com", "last_reviewed": null, "days_since_review": null,
			"review_interval_days": 90,
		},
		"provenance": [{"source": "entra", "file": "entra/roleAssignments.json", "record": 1}],
	}} with input as _with([i])
	count(rule.not_evaluable) == 0 with input as _with([i])
}

test_fires_on_a_review_older_than_the_interval if {
	old := _item_with({"last_review": object.union(_review, {"reviewed_at": "2026-05-01", "days_ago": 203})})
	fs := rule.findings with input as _with([old])
	count(fs) == 1
	some f in fs
	f.message == "Global Administrator (permanent) held by ada@contoso.com was last reviewed 2026-05-01 (203 days ago, more than 90)"
	f.evidence.days_since_review == 203
	f.provenance[1] == _review.prov
}

test_passes_within_the_interval_and_on_the_boundary if {
	edge := _item_with({"item_id": "b", "key": "b", "last_review": object.union(_review, {"days_ago": 90})})
	count(rule.findings) == 0 with input as _with([_item, edge])
	count(rule.not_evaluable) == 0 with input as _with([_item, edge])
}

test_the_interval_is_a_param if {
	count(rule.findings) == 1 with input as _input([_item], 30)
	count(rule.findings) == 0 with input as _input([_item], 36)
}

test_nhi_credentials_are_in_scope_other_unprivileged_items_not if {
	cred := _item_with({"kind": "nhi_credential", "privileged": false, "last_review": null})
	tech := _item_with({"kind": "technician_account", "key": "account", "privileged": false, "last_review": null})
	{f.key | some f in rule.findings} == {"62e90394-69f5-4237-9190-012177145e10"} with input as _with([cred, tech])
}

test_gone_items_are_not_judged if {
	gone := _item_with({"exists": false, "last_review": null, "prov": null})
	count(rule.findings) == 0 with input as _with([gone])
}

test_no_review_evidence_is_not_evaluable_once if {
	t := object.union(testdata.tenant, {"access_review": {"recorded": false, "worksheets": [], "items": []}})
	inp := object.union(testdata.tenant_input(t), {"params": _params(90)})
	count(rule.findings) == 0 with input as inp
	rule.not_evaluable == {{"subject": "tenant", "reason": "no completed access review recorded for this tenant"}} with input as inp
}

test_an_input_without_review_facts_says_nothing if {
	count(rule.findings) == 0 with input as testdata.tenant_input(testdata.tenant)
	count(rule.not_evaluable) == 0 with input as testdata.tenant_input(testdata.tenant)
}
