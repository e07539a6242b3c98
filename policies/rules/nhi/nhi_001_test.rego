package driftgate.rules.nhi_001_test

import data.driftgate.rules.nhi_001 as rule
import data.driftgate.testdata
import rego.v1

_app(change) := testdata.workload_with({"credentials": [object.union(testdata.credential, change)]})

test_fires_when_secret_older_than_max_age if {
	i := _app({"created": testdata.ago(91), "rotated": testdata.ago(91)})
	fs := rule.findings with input as testdata.input_with([i])
	fs == {{
		"subject": "entra/sp-0002", "key": "9f1c2d3e",
		"message": "client_secret 9f1c2d3e of Payroll sync was rotated 91 days ago (limit 90)",
		"evidence": {
			"since": "rotated", "at": "2026-08-21T06:00:00Z", "days": 91,
			"kind": "client_secret", "display_name": "deploy", "max_secret_age_days": 90,
		},
		"provenance": [{"source": "entra", "file": "entra/applications.json", "record": 1}],
	}}
	count(rule.not_evaluable) == 0 with input as testdata.input_with([i])
}

test_falls_back_to_created_when_rotation_unknown if {
	i := _app({"created": testdata.ago(200), "rotated": testdata.no_time("absent")})
	some f in rule.findings with input as testdata.input_with([i])
	f.evidence.since == "created"
	f.evidence.days == 200
}

test_certificates_and_access_keys_count if {
	cert := _app({"kind": "certificate", "rotated": testdata.ago(365)})
	key := testdata.changed(_app({"kind": "access_key", "rotated": testdata.ago(120)}), {"ref": "aws/u1"})
	count(rule.findings) == 2 with input as testdata.input_with([cert, key])
}

test_passes_for_young_inactive_expired_and_federated if {
	young := _app({"rotated": testdata.ago(90)})
	off := testdata.changed(_app({"active": false, "rotated": testdata.ago(400)}), {"ref": "entra/2"})
	gone := testdata.changed(_app({"expired": true, "rotated": testdata.ago(400)}), {"ref": "entra/3"})
	fed := testdata.changed(_app({"kind": "federated", "rotated": testdata.ago(400)}), {"ref": "entra/4"})
	count(rule.findings) == 0 with input as testdata.input_with([young, off, gone, fed])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([young, off, gone, fed])
}

test_not_evaluable_when_no_date_known if {
	i := _app({"created": testdata.no_time("unavailable"), "rotated": testdata.no_time("unavailable")})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	rule.not_evaluable == {{"subject": "entra/sp-0002", "key": "9f1c2d3e", "reason": "neither rotation nor creation date is known"}} with input as testdata.input_with([i])
}

test_not_evaluable_when_old_and_liveness_unknown if {
	i := _app({"active": null, "expired": null, "rotated": testdata.ago(400)})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	count(rule.not_evaluable) == 1 with input as testdata.input_with([i])
}

test_liveness_does_not_matter_when_young_enough if {
	i := _app({"active": null, "expired": null, "rotated": testdata.ago(90)})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([i])
}
