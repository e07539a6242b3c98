package driftgate.testdata_test

import data.driftgate.testdata
import rego.v1

# The known-good input trips no rule and leaves nothing not evaluable (a clean tenant).
test_known_good_input_trips_no_rule if {
	inp := testdata.input_with([testdata.identity, testdata.workload])
	checked := {name | some name; data.driftgate.rules[name].findings} with input as inp
	count(checked) >= 16
	hits := {name | some name; count(data.driftgate.rules[name].findings) > 0} with input as inp
	hits == set()
	unknown := {name | some name; count(data.driftgate.rules[name].not_evaluable) > 0} with input as inp
	unknown == set()
}

# The known-good records carry `derived` exactly as Rust would compute it.
test_known_good_records_are_settled if {
	testdata.settle(testdata.identity) == testdata.identity
	testdata.settle(testdata.workload) == testdata.workload
	testdata.settle_credential(testdata.credential) == testdata.credential
	d := testdata.identity_with({"activity": {"known": false}, "created": testdata.no_time("absent"), "roles": [object.union(testdata.role, {"assignment": "permanent"})]}).derived
	d == {
		"user_account": true, "activity": "unknown", "activity_days": null, "created_days": null, "standing_privileged": true,
		"has_roles": true, "has_credentials": false,
	}
	c := testdata.credential_with({"active": null, "rotated": testdata.ago(10), "last_used": testdata.no_time("never"), "expires": testdata.no_time("never")}).derived
	c == {"live": null, "age_days": 10, "use_state": "never", "unused_days": null, "no_expiry": true}
}
