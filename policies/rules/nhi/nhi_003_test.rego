package driftgate.rules.nhi_003_test

import data.driftgate.rules.nhi_003 as rule
import data.driftgate.testdata
import rego.v1

_owner(id, enabled) := {"id": id, "principal_name": sprintf("%s@contoso.example", [id]), "enabled": enabled}

_owned_by(owners) := testdata.workload_with({"owners": owners})

test_fires_when_no_owner if {
	fs := rule.findings with input as testdata.input_with([_owned_by([])])
	fs == {{"subject": "entra/sp-0002", "message": "workload Payroll sync has no owner", "evidence": {"kind": "workload", "owners": []}}}
	count(rule.not_evaluable) == 0 with input as testdata.input_with([_owned_by([])])
}

test_fires_when_all_owners_disabled if {
	i := _owned_by([_owner("leaver1", false), _owner("leaver2", false)])
	some f in rule.findings with input as testdata.input_with([i])
	f.message == "workload Payroll sync has only disabled owners"
	count(f.evidence.owners) == 2
}

test_fires_for_agents_and_service_accounts if {
	agent := testdata.changed(_owned_by([]), {"ref": "entra/agent1", "kind": "agent"})
	svc := testdata.changed(_owned_by([]), {"ref": "ad/svc1", "kind": "service_account"})
	count(rule.findings) == 2 with input as testdata.input_with([agent, svc])
}

test_passes_with_one_enabled_owner if {
	i := _owned_by([_owner("leaver1", false), _owner("ada", true), _owner("ghost", null)])
	count(rule.findings) == 0 with input as testdata.input_with([testdata.workload, i])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([testdata.workload, i])
}

test_humans_and_managed_identities_are_out_of_scope if {
	mi := testdata.changed(_owned_by([]), {"kind": "managed_identity"})
	human := testdata.identity_with({"owners": []})
	count(rule.findings) == 0 with input as testdata.input_with([mi, human])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([mi, human, testdata.identity])
}

test_not_evaluable_when_ownership_not_exported if {
	i := testdata.workload_with({"owners": null})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	rule.not_evaluable == {{"subject": "entra/sp-0002", "reason": "ownership is not in the export"}} with input as testdata.input_with([i])
}

test_not_evaluable_when_owner_state_unknown if {
	i := _owned_by([_owner("leaver1", false), _owner("ghost", null)])
	count(rule.findings) == 0 with input as testdata.input_with([i])
	count(rule.not_evaluable) == 1 with input as testdata.input_with([i])
}
