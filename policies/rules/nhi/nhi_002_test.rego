package driftgate.rules.nhi_002_test

import data.driftgate.rules.nhi_002 as rule
import data.driftgate.testdata
import rego.v1

_app(change) := testdata.workload_with({"credentials": [object.union(testdata.credential, change)]})

test_fires_when_lifetime_exceeds_max if {
	i := _app({"expires": testdata.ago(-300), "lifetime_days": 700, "created": testdata.ago(400)})
	fs := rule.findings with input as testdata.input_with([i])
	fs == {{
		"subject": "entra/sp-0002", "key": "9f1c2d3e",
		"message": "client_secret 9f1c2d3e of Payroll sync is valid for 700 days (limit 365 days)",
		"evidence": {
			"lifetime_days": 700, "expires": "2027-09-16T06:00:00Z", "kind": "client_secret",
			"display_name": "deploy", "created": "2025-10-16T06:00:00Z", "max_secret_lifetime_days": 365,
		},
		"provenance": [{"source": "entra", "file": "entra/applications.json", "record": 1}],
	}}
	count(rule.not_evaluable) == 0 with input as testdata.input_with([i])
}

test_fires_when_secret_never_expires if {
	i := _app({"expires": testdata.no_time("never"), "lifetime_days": null})
	some f in rule.findings with input as testdata.input_with([i])
	f.evidence.expires == "never"
	f.message == "client_secret 9f1c2d3e of Payroll sync never expires (limit 365 days)"
}

test_fires_for_aws_access_key_without_expiry if {
	key := {"id": "AKIAEXAMPLE1", "kind": "access_key", "expires": testdata.no_time("not_applicable"), "lifetime_days": null}
	i := testdata.changed(_app(key), {"ref": "aws/AIDAEXAMPLE1", "source_kind": "aws-iam"})
	{f.key | some f in rule.findings} == {"AKIAEXAMPLE1"} with input as testdata.input_with([i])
}

test_passes_at_max_and_for_expired_or_federated if {
	at_max := _app({"lifetime_days": 365})
	gone := testdata.changed(_app({"lifetime_days": 730, "expired": true}), {"ref": "entra/2"})
	fed := testdata.changed(_app({"kind": "federated", "expires": testdata.no_time("never"), "lifetime_days": null}), {"ref": "entra/3"})
	count(rule.findings) == 0 with input as testdata.input_with([at_max, gone, fed])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([at_max, gone, fed])
}

test_params_are_read if {
	inp := object.union(testdata.input_with([testdata.workload]), {"params": {"max_secret_lifetime_days": 90}})
	count(rule.findings) == 1 with input as inp
}

test_not_evaluable_when_lifetime_unknown if {
	i := _app({"created": testdata.no_time("absent"), "lifetime_days": null})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	rule.not_evaluable == {{"subject": "entra/sp-0002", "key": "9f1c2d3e", "reason": "expiry or creation date unknown, so the lifetime cannot be judged"}} with input as testdata.input_with([i])
}

test_not_evaluable_when_long_lived_and_liveness_unknown if {
	i := _app({"active": null, "expired": null, "expires": testdata.no_time("never"), "lifetime_days": null})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	rule.not_evaluable == {{"subject": "entra/sp-0002", "key": "9f1c2d3e", "reason": "not known whether the credential is active or expired"}} with input as testdata.input_with([i])
}
