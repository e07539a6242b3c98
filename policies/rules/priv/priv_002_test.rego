package driftgate.rules.priv_002_test

import data.driftgate.rules.priv_002 as rule
import data.driftgate.testdata
import rego.v1

# The tenant with its one top role replaced by these holders and counts.
_tenant(holders, standing, enabled) := object.union(testdata.tenant, {"top_roles": [object.union(testdata.top_role, {
	"holders": holders, "standing_count": standing, "enabled_standing_count": enabled,
})]})

_five := [testdata.holder(n) | some n in numbers.range(1, 5)]

test_fires_when_more_standing_holders_than_max if {
	fs := rule.findings with input as testdata.tenant_input(_tenant(_five, 5, 5))
	count(fs) == 1
	some f in fs
	f.subject == "source:entra"
	f.message == "entra has 5 standing holders of Global Administrator (limit 4)"
	f.evidence.standing_count == 5
	f.evidence.max_top_admins == 4
	f.evidence.holders[4] == {"ref": "entra/ga5", "principal_name": "ga5@contoso.example", "kind": "human", "enabled": true}
	f.provenance[0] == {"source": "entra", "file": "entra/role_assignments.json", "record": 1}
	count(f.provenance) == 5
}

test_passes_at_max if {
	count(rule.findings) == 0 with input as testdata.tenant_input(_tenant(array.slice(_five, 0, 4), 4, 4))
	count(rule.findings) == 0 with input as testdata.tenant_input(testdata.tenant)
	count(rule.not_evaluable) == 0 with input as testdata.tenant_input(testdata.tenant)
}

test_eligible_and_disabled_holders_are_not_cited if {
	extra := [object.union(testdata.holder(6), {"standing": false}), object.union(testdata.holder(7), {"enabled": false})]
	some f in rule.findings with input as testdata.tenant_input(_tenant(array.concat(_five, extra), 5, 5))
	count(f.evidence.holders) == 5
}

test_max_top_admins_param_is_read if {
	inp := object.union(testdata.tenant_input(testdata.tenant), {"params": {"max_top_admins": 2}})
	count(rule.findings) == 1 with input as inp
}

test_not_evaluable_when_top_role_cannot_be_counted if {
	src := object.union(testdata.source, {"capabilities": {"top_role_countable": false}})
	t := object.union(testdata.tenant, {"sources": [src], "top_roles": []})
	count(rule.findings) == 0 with input as testdata.tenant_input(t)
	rule.not_evaluable == {{"subject": "source:entra", "reason": "holders of Global Administrator cannot be counted from this export"}} with input as testdata.tenant_input(t)
}
