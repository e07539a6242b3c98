package driftgate.rules.priv_003_test

import data.driftgate.rules.priv_003 as rule
import data.driftgate.testdata
import rego.v1

_tenant(holders, standing, enabled) := object.union(testdata.tenant, {"top_roles": [object.union(testdata.top_role, {
	"holders": holders, "standing_count": standing, "enabled_standing_count": enabled,
})]})

test_fires_when_fewer_enabled_holders_than_min if {
	t := _tenant([testdata.holder(1), object.union(testdata.holder(2), {"enabled": false})], 1, 1)
	fs := rule.findings with input as testdata.tenant_input(t)
	fs == {{
		"subject": "source:entra",
		"message": "entra has 1 enabled standing holders of Global Administrator (minimum 2)",
		"evidence": {
			"role": "Global Administrator", "enabled_standing_count": 1, "min_top_admins": 2,
			"holders": [{"ref": "entra/ga1", "principal_name": "ga1@contoso.example", "kind": "human", "enabled": true}],
		},
		"provenance": [{"source": "entra", "file": "entra/role_assignments.json", "record": 1}],
	}}
	count(rule.not_evaluable) == 0 with input as testdata.tenant_input(t)
}

test_fires_with_no_holder_at_all if {
	count(rule.findings) == 1 with input as testdata.tenant_input(_tenant([], 0, 0))
}

test_passes_at_min if {
	t := _tenant([testdata.holder(1), testdata.holder(2)], 2, 2)
	count(rule.findings) == 0 with input as testdata.tenant_input(t)
	count(rule.not_evaluable) == 0 with input as testdata.tenant_input(t)
}

test_not_evaluable_when_unknown_holders_could_make_up_min if {
	t := _tenant([testdata.holder(1), object.union(testdata.holder(2), {"enabled": null})], 2, 1)
	count(rule.findings) == 0 with input as testdata.tenant_input(t)
	rule.not_evaluable == {{"subject": "source:entra", "reason": "1 standing holders of Global Administrator have an unknown enabled state"}} with input as testdata.tenant_input(t)
}

test_not_evaluable_when_top_role_cannot_be_counted if {
	src := object.union(testdata.source, {"capabilities": {"top_role_countable": false}})
	t := object.union(testdata.tenant, {"sources": [src], "top_roles": []})
	count(rule.findings) == 0 with input as testdata.tenant_input(t)
	count(rule.not_evaluable) == 1 with input as testdata.tenant_input(t)
}
