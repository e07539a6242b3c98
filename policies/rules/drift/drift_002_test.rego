package driftgate.rules.drift_002_test

import data.driftgate.rules.drift_002 as rule
import data.driftgate.testdata
import rego.v1

_sot := {
	"gone": true, "enabled": false, "status": "disabled", "leave_date": testdata.no_time("absent"),
	"principal_name": "ada@contoso.example", "prov": {"source": "entra", "file": "entra/users.json", "record": 1},
}

# Ada's AWS console user, matched to her (disabled) Entra identity by principal name.
_aws := testdata.identity_with({
	"ref": "aws/arn:aws:iam::1:user/ada", "source": "aws", "source_kind": "aws-iam", "object_id": "arn:aws:iam::1:user/ada",
	"prov": {"source": "aws", "file": "aws/credential-report.csv", "record": 3, "line": 4},
	"correlation": {
		"state": "matched", "method": "principal_name", "value": "ada@contoso.example",
		"sot_ref": "entra/0001", "sot": _sot,
	},
})

test_fires_when_the_source_of_truth_disabled_the_identity if {
	fs := rule.findings with input as testdata.input_with([_aws])
	fs == {{
		"subject": "aws/arn:aws:iam::1:user/ada",
		"message": "ada@contoso.example is still enabled in aws but is disabled in the source of truth (entra/0001)",
		"evidence": {
			"downstream_enabled": true, "source": "aws", "sot_ref": "entra/0001", "sot_enabled": false,
			"sot_status": "disabled", "sot_leave_date": null, "matched_by": "principal_name",
			"match_value": "ada@contoso.example",
		},
		"provenance": [_aws.prov, _sot.prov],
	}}
	count(rule.not_evaluable) == 0 with input as testdata.input_with([_aws])
}

test_fires_past_the_leave_date_and_when_deprovisioned if {
	left := testdata.changed(_aws, {"correlation": {"sot": {"gone": true, "enabled": true, "status": "active", "leave_date": testdata.ago(10)}}})
	f := rule.findings with input as testdata.input_with([left])
	[x | some x in f][0].message == "ada@contoso.example is still enabled in aws but left on 2026-11-10T06:00:00Z in the source of truth (entra/0001)"
	gone := testdata.changed(_aws, {"correlation": {"sot": {"gone": true, "enabled": null, "status": "deprovisioned"}}})
	count(rule.findings) == 1 with input as testdata.input_with([gone])
}

test_passes_for_active_identities_future_leavers_and_disabled_accounts if {
	active := testdata.changed(_aws, {"correlation": {"sot": {"gone": false, "enabled": true, "status": "active"}}})
	future := testdata.changed(_aws, {"correlation": {"sot": {"gone": false, "enabled": true, "status": "active", "leave_date": testdata.ago(-30)}}})
	off := testdata.changed(_aws, {"enabled": false})
	ids := [active, future, off, testdata.identity]
	count(rule.findings) == 0 with input as testdata.input_with(ids)
	count(rule.not_evaluable) == 0 with input as testdata.input_with(ids)
}

test_unknown_states_are_not_evaluable if {
	here := testdata.changed(_aws, {"enabled": null})
	rule.not_evaluable == {{"subject": here.ref, "reason": "enabled state unknown here; the identity has left the source of truth"}} with input as testdata.input_with([here])
	there := testdata.changed(_aws, {"correlation": {"sot": {"gone": null, "enabled": null, "status": "unknown"}}})
	count(rule.findings) == 0 with input as testdata.input_with([there])
	rule.not_evaluable == {{"subject": there.ref, "reason": "the source of truth does not say whether its identity is enabled"}} with input as testdata.input_with([there])
}
