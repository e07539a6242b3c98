package driftgate.rules.priv_005_test

import data.driftgate.rules.priv_005 as rule
import data.driftgate.testdata
import rego.v1

_ga := object.union(testdata.role, {
	"role_id": "62e90394-69f5-4237-9190-012177145e10", "role_name": "Global Administrator",
	"assignment": "permanent", "top": true,
})

_privileged_app := testdata.workload_with({"privileged": true, "top_role": true, "roles": [_ga]})

test_fires_for_workload_with_privileged_role if {
	fs := rule.findings with input as testdata.input_with([_privileged_app])
	fs == {{
		"subject": "entra/sp-0002",
		"message": "workload Payroll sync holds Global Administrator",
		"evidence": {"kind": "workload", "roles": [{
			"role_id": "62e90394-69f5-4237-9190-012177145e10", "role_name": "Global Administrator",
			"assignment": "permanent", "scope": "/",
		}]},
		"provenance": [{"source": "entra", "file": "entra/role_eligibility.json", "record": 1}],
	}}
	count(rule.not_evaluable) == 0 with input as testdata.input_with([_privileged_app])
}

test_fires_for_ad_service_account if {
	svc := testdata.identity_with({
		"ref": "ad/svc-backup", "source": "ad", "source_kind": "active-directory", "kind": "service_account",
		"non_human": true, "privileged": true,
		"roles": [object.union(testdata.role, {"role_id": "CN=Domain Admins,CN=Users,DC=corp,DC=example", "role_name": "Domain Admins"})],
	})
	count(rule.findings) == 1 with input as testdata.input_with([svc])
}

test_passes_for_unprivileged_app_and_privileged_human if {
	human := testdata.identity_with({"privileged": true, "roles": [_ga]})
	count(rule.findings) == 0 with input as testdata.input_with([testdata.workload, human])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([testdata.workload, human])
}

test_not_evaluable_when_role_data_missing if {
	i := testdata.workload_with({"privileged": null})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	rule.not_evaluable == {{"subject": "entra/sp-0002", "reason": "role data is missing for this source"}} with input as testdata.input_with([i])
}
