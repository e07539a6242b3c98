package driftgate.rules.priv_007_test

import data.driftgate.rules.priv_007 as rule
import data.driftgate.testdata
import rego.v1

_ga := object.union(testdata.delegated_role, {
	"role_id": "62e90394-69f5-4237-9190-012177145e10", "role_name": "Global Administrator",
	"privileged": true, "top": true,
})

_pra := object.union(testdata.delegated_role, {
	"role_id": "e8611ab8-c189-46e8-94e1-60213ab1f814", "role_name": "Privileged Role Administrator",
	"privileged": true,
})

_helpdesk := object.union(testdata.delegated_role, {
	"role_id": "729827e3-9c14-49f7-bb1b-9608f156bbb8", "role_name": "Helpdesk Administrator",
	"privileged": true,
})

_keys(i) := ks if {
	ks := {f.key | some f in rule.findings} with input as testdata.delegation_input([i])
}

_unknown(i) := xs if {
	xs := {x.key: x.reason | some x in rule.not_evaluable} with input as testdata.delegation_input([i])
}

_terms := {
	"relationship_id": "rel-0001", "relationship": "Contoso-GDAP",
	"customer_id": "8777b240-c6f0-4469-9e98-a3205431b836", "customer_name": "Contoso Ltd",
	"status": "active", "duration": "P730D", "duration_days": 730, "auto_extend_days": 0,
	"ends": "2027-10-16T06:00:00Z",
}

_prov := [{"source": "gdap", "file": "msp/gdap/delegatedAdminRelationships.json", "record": 1}]

test_passes_for_standard_roles_for_730_days_without_auto_extend if {
	inp := testdata.delegation_input([testdata.delegation])
	count(rule.findings) == 0 with input as inp
	count(rule.not_evaluable) == 0 with input as inp
}

# The rules that read roles, kind, activity or correlation stay silent on a relationship
# (named, not enumerated: enumerating data.driftgate.rules from a package under it recurses).
test_known_good_delegation_trips_no_rule if {
	inp := testdata.delegation_input([testdata.delegation])
	results := [[r.findings, r.not_evaluable] |
		some r in [
			data.driftgate.rules.priv_001, data.driftgate.rules.priv_004, data.driftgate.rules.priv_005,
			data.driftgate.rules.priv_006, data.driftgate.rules.priv_007, data.driftgate.rules.stale_002,
			data.driftgate.rules.base_003, data.driftgate.rules.drift_001, data.driftgate.rules.nhi_003,
		]
	] with input as inp
	count(results) == 9
	every pair in results {
		pair == [set(), set()]
	}
}

test_fires_for_the_top_role_once_not_twice if {
	i := testdata.delegation_with({"privileged": true, "top_role": true, "roles": [testdata.delegated_role, _ga]})
	fs := rule.findings with input as testdata.delegation_input([i])
	fs == {{
		"subject": "gdap/rel-0001", "key": "top_role",
		"message": "GDAP relationship Contoso-GDAP (Contoso Ltd) includes Global Administrator",
		"evidence": object.union(_terms, {
			"roles": [{
				"role_id": "62e90394-69f5-4237-9190-012177145e10", "role_name": "Global Administrator",
				"assignment": "delegated", "scope": "/",
			}],
			"access_containers": [],
		}),
		"provenance": _prov,
	}}
}

test_fires_for_roles_outside_the_default_allowed_set if {
	container := {
		"group_id": "g-admins", "group_name": null, "status": "active", "technicians": [],
		"role_ids": ["e8611ab8-c189-46e8-94e1-60213ab1f814"],
	}
	i := testdata.delegation_with({
		"privileged": true, "roles": [_helpdesk, _pra],
		"delegation": {"access_containers": [container]},
	})
	fs := rule.findings with input as testdata.delegation_input([i])
	fs == {{
		"subject": "gdap/rel-0001", "key": "roles_not_allowed",
		"message": "GDAP relationship Contoso-GDAP (Contoso Ltd) grants roles outside msp_allowed_roles: Privileged Role Administrator",
		"evidence": object.union(_terms, {
			"roles": [{
				"role_id": "e8611ab8-c189-46e8-94e1-60213ab1f814", "role_name": "Privileged Role Administrator",
				"assignment": "delegated", "scope": "/",
			}],
			"access_containers": ["g-admins"],
			"msp_allowed_roles": ["*", "!62e90394-69f5-4237-9190-012177145e10", "!e8611ab8-c189-46e8-94e1-60213ab1f814"],
		}),
		"provenance": _prov,
	}}
}

test_allowed_roles_by_name_or_id_case_insensitive if {
	i := testdata.delegation_with({"privileged": true, "roles": [testdata.delegated_role, _helpdesk]})
	by_name := object.union(testdata.delegation_input([i]), {"params": {"msp_allowed_roles": [" directory READERS ", "729827E3-9C14-49F7-BB1B-9608F156BBB8"]}})
	count(rule.findings) == 0 with input as by_name
	only_readers := object.union(by_name, {"params": {"msp_allowed_roles": ["Directory Readers"]}})
	fs := rule.findings with input as only_readers
	{f.key | some f in fs} == {"roles_not_allowed"}
	[r.role_id | some g in fs; some r in g.evidence.roles] == ["729827e3-9c14-49f7-bb1b-9608f156bbb8"]
	deny_one := object.union(by_name, {"params": {"msp_allowed_roles": ["*", "!Helpdesk Administrator"]}})
	{f.key | some f in rule.findings} == {"roles_not_allowed"} with input as deny_one
}

test_top_role_fires_even_when_allowed if {
	i := testdata.delegation_with({"privileged": true, "top_role": true, "roles": [_ga]})
	inp := object.union(testdata.delegation_input([i]), {"params": {"msp_allowed_roles": ["*"]}})
	{f.key | some f in rule.findings} == {"top_role"} with input as inp
}

test_fires_for_auto_extend if {
	i := testdata.delegation_with({"delegation": {"auto_extend_days": 180}})
	fs := rule.findings with input as testdata.delegation_input([i])
	fs == {{
		"subject": "gdap/rel-0001", "key": "auto_extend",
		"message": "GDAP relationship Contoso-GDAP (Contoso Ltd) auto-extends by 180 days, so it has no effective end",
		"evidence": object.union(_terms, {"auto_extend_days": 180}),
		"provenance": _prov,
	}}
}

# The message names the customer by name, else by tenant id, else says it is unknown.
test_message_falls_back_to_customer_id_then_unknown if {
	by_id := testdata.delegation_with({"delegation": {"auto_extend_days": 180, "customer_name": null}})
	some f in rule.findings with input as testdata.delegation_input([by_id])
	f.message == "GDAP relationship Contoso-GDAP (8777b240-c6f0-4469-9e98-a3205431b836) auto-extends by 180 days, so it has no effective end"
	unknown := testdata.delegation_with({"delegation": {"auto_extend_days": 180, "customer_name": null, "customer_id": null}})
	some g in rule.findings with input as testdata.delegation_input([unknown])
	g.message == "GDAP relationship Contoso-GDAP (customer unknown) auto-extends by 180 days, so it has no effective end"
}

test_fires_for_duration_over_the_limit if {
	i := testdata.delegation_with({"delegation": {"duration": "P2Y", "duration_days": 730}})
	_keys(i) == set()
	inp := object.union(testdata.delegation_input([i]), {"params": {"max_delegation_days": 365}})
	fs := rule.findings with input as inp
	fs == {{
		"subject": "gdap/rel-0001", "key": "duration",
		"message": "GDAP relationship Contoso-GDAP (Contoso Ltd) lasts 730 days, more than max_delegation_days 365",
		"evidence": object.union(_terms, {"duration": "P2Y", "max_delegation_days": 365}),
		"provenance": _prov,
	}}
}

test_one_finding_per_problem_kind if {
	i := testdata.delegation_with({
		"privileged": true, "top_role": true, "roles": [_ga, _pra, testdata.delegated_role],
		"delegation": {"auto_extend_days": 180, "duration_days": 900},
	})
	_keys(i) == {"top_role", "roles_not_allowed", "auto_extend", "duration"}
	count(rule.not_evaluable) == 0 with input as testdata.delegation_input([i])
}

test_passes_for_relationships_that_grant_no_access if {
	bad := {"privileged": true, "top_role": true, "roles": [_ga], "delegation": {"auto_extend_days": 180, "duration_days": 900}}
	_silent(object.union(bad, {"enabled": false, "status": "deprovisioned", "status_raw": "terminated", "delegation": {"status": "terminated"}}))
	_silent(object.union(bad, {"enabled": false, "status": "expired", "status_raw": "expired", "delegation": {"status": "expired"}}))
	_silent(object.union(bad, {"enabled": false, "status": "pending_invite", "status_raw": "approvalPending", "delegation": {"status": "approvalPending"}}))
}

_silent(change) if {
	i := testdata.delegation_with(change)
	_keys(i) == set()
	_unknown(i) == {}
}

test_passes_for_other_kinds if {
	human := testdata.identity_with({"privileged": true, "top_role": true, "roles": [_ga]})
	count(rule.findings) == 0 with input as testdata.delegation_input([human, testdata.workload])
	count(rule.not_evaluable) == 0 with input as testdata.delegation_input([human, testdata.workload])
}

test_not_evaluable_when_roles_unknown if {
	i := testdata.delegation_with({"privileged": null, "top_role": null, "roles": []})
	_keys(i) == set()
	_unknown(i) == {
		"roles_not_allowed": "the relationship's roles are not in the export (no accessDetails)",
		"top_role": "the relationship's roles are not in the export (no accessDetails)",
	}
}

test_not_evaluable_when_duration_or_auto_extend_unknown if {
	i := testdata.delegation_with({"delegation": {"duration": null, "duration_days": null, "auto_extend_days": null}})
	_keys(i) == set()
	_unknown(i) == {
		"duration": "the duration is not in the export (no duration, nor activation and end dates)",
		"auto_extend": "autoExtendDuration is not in the export",
	}
}

test_not_evaluable_per_key_when_status_unknown if {
	i := testdata.delegation_with({
		"enabled": null, "status": "unknown", "status_raw": "hibernating",
		"privileged": true, "top_role": true, "roles": [_ga],
		"delegation": {"status": "hibernating", "duration_days": null},
	})
	_keys(i) == set()
	_unknown(i) == {
		"top_role": "status hibernating: not known whether the relationship grants access; if it does, it includes Global Administrator",
		"duration": "the duration is not in the export (no duration, nor activation and end dates)",
	}
}
