package driftgate.rules.drift_003_test

import data.driftgate.rules.drift_003 as rule
import data.driftgate.testdata
import rego.v1

_ad_admins := {
	"role_id": "CN=Domain Admins,CN=Users,DC=contoso,DC=local", "role_name": "Domain Admins", "scope": "/",
	"assignment": "permanent", "privileged": true, "top": false, "via_group": null,
	"start": testdata.no_time("absent"), "end": testdata.no_time("absent"),
	"prov": {"source": "ad", "file": "ad/users.csv", "record": 2, "line": 3},
}

_sot_prov := {"source": "entra", "file": "entra/users.json", "record": 1}

# Ada's AD account, matched to her Entra identity, which is in the Helpdesk group only.
_ad := testdata.identity_with({
	"ref": "ad/ada", "source": "ad", "source_kind": "active-directory", "object_id": "ada",
	"privileged": true, "roles": [_ad_admins], "prov": {"source": "ad", "file": "ad/users.csv", "record": 2, "line": 3},
	"correlation": {
		"state": "matched", "method": "principal_name", "value": "ada@contoso.example", "sot_ref": "entra/0001",
		"sot": {
			"gone": false, "enabled": true, "status": "active", "leave_date": testdata.no_time("absent"),
			"principal_name": "ada@contoso.example", "groups": ["g-helpdesk", "helpdesk"], "prov": _sot_prov,
		},
	},
})

_server_admins := {"group": "server admins", "source": "ad", "roles": ["domain admins"], "declared": "estate.toml entitlement[0]"}

_helpdesk_rmm := {"group": "helpdesk", "source": "csv", "roles": ["technician"], "declared": "tenants/contoso/tenant.toml entitlement[0]"}

_input(ids, entitlements) := object.union(testdata.input_with(ids), {"entitlements": entitlements})

test_fires_for_a_privileged_role_no_group_of_the_identity_grants if {
	fs := rule.findings with input as _input([_ad], [_server_admins, _helpdesk_rmm])
	fs == {{
		"subject": "ad/ada",
		"message": "ada@contoso.example holds Domain Admins in ad, which no entitlement grants to the groups of ada@contoso.example in the source of truth",
		"evidence": {
			"unentitled_roles": [{"role_id": _ad_admins.role_id, "role_name": "Domain Admins", "assignment": "permanent", "scope": "/"}],
			"source": "ad", "sot_ref": "entra/0001", "sot_groups": ["g-helpdesk", "helpdesk"],
			"entitlements": [_server_admins], "matched_by": "principal_name", "match_value": "ada@contoso.example",
		},
		"provenance": [_sot_prov, _ad_admins.prov],
	}}
	count(rule.not_evaluable) == 0 with input as _input([_ad], [_server_admins, _helpdesk_rmm])
}

test_matches_source_kind_and_role_id_without_case if {
	by_kind := object.union(_server_admins, {"source": "active-directory"})
	count(rule.findings) == 1 with input as _input([_ad], [by_kind])
	by_id := object.union(_server_admins, {"group": "helpdesk", "roles": [lower(_ad_admins.role_id)]})
	count(rule.findings) == 0 with input as _input([_ad], [by_id])
}

test_passes_when_a_group_grants_the_role if {
	member := testdata.changed(_ad, {"correlation": {"sot": {"groups": ["g-helpdesk", "helpdesk", "server admins"]}}})
	by_group_id := object.union(_server_admins, {"group": "g-helpdesk"})
	count(rule.findings) == 0 with input as _input([member], [_server_admins])
	count(rule.findings) == 0 with input as _input([_ad], [by_group_id])
}

test_passes_without_an_entitlement_for_the_source_and_out_of_scope if {
	ids := [
		_ad,
		testdata.changed(_ad, {"ref": "ad/off", "enabled": false}),
		testdata.changed(_ad, {"ref": "ad/tech", "staff": {"state": "matched", "staff_ref": "msp-entra/1", "gone": false}}),
		testdata.changed(_ad, {"ref": "ad/plain", "privileged": false, "roles": [object.union(_ad_admins, {"privileged": false})]}),
		testdata.identity,
	]
	count(rule.findings) == 0 with input as _input(ids, [_helpdesk_rmm])
	count(rule.not_evaluable) == 0 with input as _input(ids, [_helpdesk_rmm])
	fs := rule.findings with input as _input(ids, [_server_admins])
	{f.subject | some f in fs} == {"ad/ada"}
	count(rule.not_evaluable) == 0 with input as _input(ids, [_server_admins])
	count(rule.findings) == 0 with input as testdata.input_with(ids)
}

test_unmatched_or_ambiguous_accounts_are_not_evaluable if {
	orphan := testdata.changed(_ad, {"correlation": {"state": "unmatched", "method": null, "value": null, "sot_ref": null, "sot": null}})
	twins := testdata.changed(_ad, {"correlation": {"state": "ambiguous", "sot_ref": null, "candidates": ["entra/1", "entra/2"], "sot": null}})
	count(rule.findings) == 0 with input as _input([orphan, twins], [_server_admins])
	rule.not_evaluable == {{"subject": "ad/ada", "reason": "no single source-of-truth identity matches this account: no groups to check its privileged roles against"}} with input as _input([orphan], [_server_admins])
	count(rule.not_evaluable) == 1 with input as _input([twins], [_server_admins])
}

test_unknown_groups_are_not_evaluable if {
	unknown := testdata.changed(_ad, {"correlation": {"sot": {"groups": null}}})
	count(rule.findings) == 0 with input as _input([unknown], [_server_admins])
	rule.not_evaluable == {{"subject": "ad/ada", "reason": "the source of truth's export carries no group memberships"}} with input as _input([unknown], [_server_admins])
}

test_no_source_of_truth_is_not_evaluable if {
	alone := testdata.changed(_ad, {"correlation": {"state": "no_source_of_truth", "method": null, "value": null, "sot_ref": null, "sot": null}})
	count(rule.findings) == 0 with input as _input([alone], [_server_admins])
	rule.not_evaluable == {{"subject": "ad/ada", "reason": "the tenant names no source_of_truth whose groups the entitlements refer to"}} with input as _input([alone], [_server_admins])
	# A workload has no source-of-truth identity in any tenant: not judged.
	app := testdata.changed(alone, {"kind": "workload", "credentials": []})
	count(rule.not_evaluable) == 0 with input as _input([app], [_server_admins])
}
