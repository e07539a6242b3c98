package driftgate.rules.nhi_004_test

import data.driftgate.rules.nhi_004 as rule
import data.driftgate.testdata
import rego.v1

_app(change) := testdata.workload_with({"credentials": [object.union(testdata.credential, change)]})

test_fires_for_expired_credential if {
	i := _app({"kind": "certificate", "expires": testdata.ago(30), "expired": true, "lifetime_days": 365})
	fs := rule.findings with input as testdata.input_with([i])
	fs == {{
		"subject": "entra/sp-0002", "key": "9f1c2d3e",
		"message": "certificate 9f1c2d3e of Payroll sync expired 30 days ago",
		"evidence": {
			"kind": "certificate", "display_name": "deploy", "expired": true,
			"expires": "2026-10-21T06:00:00Z", "days_since_expiry": 30,
		},
		"provenance": [{"source": "entra", "file": "entra/applications.json", "record": 1}],
	}}
	count(rule.not_evaluable) == 0 with input as testdata.input_with([i])
}

test_passes_for_valid_and_non_expiring_credentials if {
	forever := testdata.changed(_app({"expires": testdata.no_time("never"), "expired": null}), {"ref": "entra/2"})
	key := testdata.changed(_app({"kind": "access_key", "expires": testdata.no_time("absent"), "expired": null}), {"ref": "aws/3"})
	count(rule.findings) == 0 with input as testdata.input_with([testdata.workload, forever, key])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([testdata.workload, forever, key])
}

test_not_evaluable_when_expiry_unknown if {
	i := _app({"expires": testdata.no_time("unavailable"), "expired": null})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	rule.not_evaluable == {{"subject": "entra/sp-0002", "key": "9f1c2d3e", "reason": "expiry date unknown"}} with input as testdata.input_with([i])
}
