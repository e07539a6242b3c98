package driftgate.rules.life_001_test

import data.driftgate.rules.life_001 as rule
import data.driftgate.testdata
import rego.v1

_departed(ids) := object.union(testdata.input_with(ids), {"tenant": {"status": "departed"}})

_tech := testdata.identity_with({
	"ref": "rmm/al", "source": "rmm", "principal_name": "al@msp.example", "kind": "technician",
	"staff": {"state": "matched", "staff_ref": "msp-entra/u-1", "gone": false},
})

test_fires_for_each_kind_of_msp_access_in_a_departed_tenant if {
	fs := rule.findings with input as _departed([testdata.delegation, _tech, testdata.workload])
	{f.evidence.access | some f in fs} == {"the GDAP relationship", "the technician account", "the integration"}
	[f.message | some f in fs; f.subject == "rmm/al"] == ["Contoso Ltd has departed, but the technician account al@msp.example still gives the MSP access"]
}

test_passes_for_active_tenants_client_accounts_and_disabled_access if {
	count(rule.findings) == 0 with input as testdata.input_with([testdata.delegation, _tech, testdata.workload])
	off := testdata.changed(_tech, {"enabled": false})
	count(rule.findings) == 0 with input as _departed([testdata.identity, off])
	count(rule.not_evaluable) == 0 with input as _departed([testdata.identity, off])
}

test_unknown_enabled_state_is_not_evaluable if {
	i := testdata.changed(_tech, {"enabled": null})
	count(rule.findings) == 0 with input as _departed([i])
	rule.not_evaluable == {{"subject": "rmm/al", "reason": "the tenant has departed; whether this MSP access is still enabled is unknown"}} with input as _departed([i])
}
