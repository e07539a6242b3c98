package driftgate.rules.drift_001_test

import data.driftgate.rules.drift_001 as rule
import data.driftgate.testdata
import rego.v1

# An AWS console user that no Entra identity accounts for.
_orphan := testdata.identity_with({
	"ref": "aws/arn:aws:iam::1:user/temp", "source": "aws", "source_kind": "aws-iam", "object_id": "arn:aws:iam::1:user/temp",
	"principal_name": "temp", "principal_name_norm": "temp", "emails": [],
	"employment": {"employee_id": null},
	"correlation": {"state": "unmatched"},
})

_two_sources := object.union(testdata.tenant, {"sources": [testdata.source, object.union(testdata.source, {"name": "aws"})]})

_in(ids) := object.union(testdata.input_with(ids), {"tenant": _two_sources})

test_fires_on_enabled_unmatched_account if {
	rule.findings == {{
		"subject": "aws/arn:aws:iam::1:user/temp",
		"message": "temp (human in aws) matches no identity in the source of truth entra",
		"evidence": {
			"source": "aws", "source_kind": "aws-iam", "kind": "human", "enabled": true,
			"principal_name": "temp", "emails": [], "employee_id": null, "source_of_truth": "entra",
			"keys_tried": ["object_guid", "sid", "employee_id", "principal_name", "email"],
		},
	}} with input as _in([_orphan, testdata.identity])
	count(rule.not_evaluable) == 0 with input as _in([_orphan])
}

test_passes_for_matched_disabled_and_out_of_scope_accounts if {
	matched := testdata.changed(_orphan, {"correlation": {"state": "matched"}})
	disabled := testdata.changed(_orphan, {"enabled": false})
	guest := testdata.changed(_orphan, {"kind": "guest"})
	svc := testdata.changed(_orphan, {"kind": "service_account"})
	technician := testdata.changed(_orphan, {"kind": "technician"})
	ids := [testdata.identity, matched, disabled, guest, svc, technician]
	count(rule.findings) == 0 with input as _in(ids)
	count(rule.not_evaluable) == 0 with input as _in(ids)
}

test_ambiguous_match_is_not_evaluable_never_guessed if {
	i := testdata.changed(_orphan, {"correlation": {
		"state": "ambiguous", "method": "email", "value": "team@contoso.example",
		"candidates": ["entra/0001", "entra/0002"],
	}})
	count(rule.findings) == 0 with input as _in([i])
	rule.not_evaluable == {{"subject": i.ref, "reason": "matches several source-of-truth identities by email `team@contoso.example`: entra/0001, entra/0002"}} with input as _in([i])
}

test_unknown_enabled_state_is_not_evaluable if {
	i := testdata.changed(_orphan, {"enabled": null})
	count(rule.findings) == 0 with input as _in([i])
	count(rule.not_evaluable) == 1 with input as _in([i])
}

test_no_source_of_truth_is_not_evaluable_only_with_several_sources if {
	i := testdata.changed(_orphan, {"correlation": {"state": "no_source_of_truth"}})
	count(rule.findings) == 0 with input as _in([i])
	count(rule.not_evaluable) == 1 with input as _in([i])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([i])
}

test_accounts_of_msp_technicians_are_never_client_orphans if {
	tech := testdata.changed(_orphan, {"staff": {"state": "matched", "staff_ref": "msp-entra/u-1", "gone": false}})
	count(rule.findings) == 0 with input as _in([tech])
	count(rule.not_evaluable) == 0 with input as _in([tech])
}
