package driftgate.rules.priv_001_test

import data.driftgate.rules.priv_001 as rule
import data.driftgate.testdata
import rego.v1

_admin := testdata.identity_with({"privileged": true, "roles": [testdata.role]})

_no_mfa := testdata.changed(_admin, {"mfa": {"registered": false, "capable": false, "methods": []}})

test_fires_for_privileged_account_without_mfa if {
	fs := rule.findings with input as testdata.input_with([_no_mfa])
	fs == {{
		"subject": "entra/0001",
		"message": "ada@contoso.example holds User Administrator but has no MFA method registered",
		"evidence": {"mfa_registered": false, "roles": [{
			"role_id": "fe930be7-5e62-47db-91af-98c3a49a38b1", "role_name": "User Administrator",
			"assignment": "eligible", "scope": "/",
		}]},
		"provenance": [{"source": "entra", "file": "entra/role_eligibility.json", "record": 1}],
	}}
	count(rule.not_evaluable) == 0 with input as testdata.input_with([_no_mfa])
}

test_fires_for_guest_and_technician_kinds if {
	g := testdata.changed(_no_mfa, {"ref": "entra/g1", "kind": "guest"})
	t := testdata.changed(_no_mfa, {"ref": "entra/t1", "kind": "technician"})
	count(rule.findings) == 2 with input as testdata.input_with([g, t])
}

test_passes_with_mfa_or_without_privilege if {
	plain := testdata.identity_with({"ref": "entra/0002", "mfa": {"registered": false}})
	count(rule.findings) == 0 with input as testdata.input_with([_admin, plain])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([_admin, plain])
}

test_workloads_are_out_of_scope if {
	app := testdata.workload_with({"privileged": true, "roles": [testdata.role], "mfa": {"registered": false}})
	count(rule.findings) == 0 with input as testdata.input_with([app])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([app])
}

test_not_evaluable_when_mfa_unknown if {
	i := testdata.changed(_admin, {"mfa": {"registered": null}})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	rule.not_evaluable == {{"subject": "entra/0001", "reason": "MFA registration unknown for a privileged account"}} with input as testdata.input_with([i])
}

test_not_evaluable_when_roles_unknown_and_no_mfa if {
	i := testdata.changed(_no_mfa, {"privileged": null, "roles": []})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	count(rule.not_evaluable) == 1 with input as testdata.input_with([i])
}
