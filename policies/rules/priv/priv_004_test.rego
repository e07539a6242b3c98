package driftgate.rules.priv_004_test

import data.driftgate.rules.priv_004 as rule
import data.driftgate.testdata
import rego.v1

_permanent := object.union(testdata.role, {"assignment": "permanent", "prov": {"file": "entra/role_assignments.json"}})

_holder(roles) := testdata.identity_with({"privileged": true, "roles": roles})

_with_jit(jit) := object.union(testdata.tenant, {"sources": [object.union(testdata.source, {"capabilities": {"jit": jit}})]})

test_fires_for_permanent_privileged_role_where_jit_is_supported if {
	fs := rule.findings with input as testdata.input_with([_holder([_permanent])])
	fs == {{
		"subject": "entra/0001",
		"key": "fe930be7-5e62-47db-91af-98c3a49a38b1",
		"message": "ada@contoso.example holds User Administrator permanently; entra supports just-in-time assignment",
		"evidence": {
			"role_id": "fe930be7-5e62-47db-91af-98c3a49a38b1", "role_name": "User Administrator",
			"assignment": "permanent", "scopes": ["/"], "via_groups": [],
			"jit_roles": ["privileged"], "source_jit": true,
		},
		"provenance": [{"source": "entra", "file": "entra/role_assignments.json", "record": 1}],
	}}
	count(rule.not_evaluable) == 0 with input as testdata.input_with([_holder([_permanent])])
}

test_one_finding_per_role_even_when_held_twice if {
	via := object.union(_permanent, {"via_group": "grp-admins", "prov": {"record": 2}})
	fs := rule.findings with input as testdata.input_with([_holder([_permanent, via])])
	count(fs) == 1
	some f in fs
	f.evidence.via_groups == ["grp-admins"]
	count(f.provenance) == 2
}

test_passes_for_eligible_time_bound_and_unprivileged if {
	tb := object.union(_permanent, {"assignment": "time_bound", "role_id": "r2"})
	reader := object.union(_permanent, {"privileged": false, "role_id": "r3", "role_name": "Directory Readers"})
	count(rule.findings) == 0 with input as testdata.input_with([_holder([testdata.role, tb, reader])])
}

test_jit_roles_by_name_or_id_case_insensitive if {
	reader := object.union(_permanent, {"privileged": false, "role_id": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "role_name": "Directory Readers"})
	by_name := object.union(testdata.input_with([_holder([_permanent, reader])]), {"params": {"jit_roles": ["directory readers"]}})
	{f.key | some f in rule.findings} == {"88d8e3e3-8f55-4a1e-953a-9b9898b8876b"} with input as by_name
	by_id := object.union(by_name, {"params": {"jit_roles": ["FE930BE7-5E62-47DB-91AF-98C3A49A38B1"]}})
	{f.key | some f in rule.findings} == {"fe930be7-5e62-47db-91af-98c3a49a38b1"} with input as by_id
}

test_out_of_scope_where_source_has_no_jit if {
	inp := object.union(testdata.input_with([_holder([_permanent])]), {"tenant": _with_jit(false)})
	count(rule.findings) == 0 with input as inp
	count(rule.not_evaluable) == 0 with input as inp
}

test_not_evaluable_when_jit_support_unknown if {
	inp := object.union(testdata.input_with([_holder([_permanent])]), {"tenant": _with_jit(null)})
	count(rule.findings) == 0 with input as inp
	rule.not_evaluable == {{
		"subject": "entra/0001", "key": "fe930be7-5e62-47db-91af-98c3a49a38b1",
		"reason": "not known whether entra supports just-in-time assignment (no PIM data)",
	}} with input as inp
}
