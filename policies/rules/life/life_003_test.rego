package driftgate.rules.life_003_test

import data.driftgate.rules.life_003 as rule
import data.driftgate.testdata
import rego.v1

_prov(tenant) := {"source": "aws", "file": sprintf("tenants/%s/aws/credential-report.csv", [tenant]), "record": 1, "line": 2}

# helpdesk@ as an AWS console user in Contoso and in Fabrikam, linked to no technician.
_login := {
	"kind": "shared_login", "value": "helpdesk@msp.example", "tenants": ["contoso", "fabrikam"],
	"accounts": [
		{"tenant": "contoso", "ref": "aws/helpdesk", "prov": _prov("contoso")},
		{"tenant": "fabrikam", "ref": "aws/helpdesk", "prov": _prov("fabrikam")},
	],
	"account_count": 2,
}

_aws := testdata.identity_with({
	"ref": "aws/helpdesk", "source": "aws", "source_kind": "aws-iam", "object_id": "helpdesk",
	"principal_name": "helpdesk@msp.example", "principal_name_norm": "helpdesk@msp.example",
	"correlation": {"state": "no_source_of_truth"}, "prov": _prov("contoso"),
	"reuse": {"found": true, "keys": [_login]},
})

test_fires_for_a_shared_login_found_in_another_tenant if {
	fs := rule.findings with input as testdata.input_with([_aws])
	fs == {{
		"subject": "aws/helpdesk",
		"message": "helpdesk@msp.example (human in aws) is a shared login also found in 1 other tenant(s): fabrikam",
		"evidence": {
			"enabled": true, "source": "aws", "kind": "human", "live_credentials": [], "staff_state": null,
			"keys": [{
				"kind": "shared_login", "value": "helpdesk@msp.example", "other_tenants": ["fabrikam"],
				"other_accounts": ["fabrikam:aws/helpdesk"], "account_count": 2,
			}],
		},
		"provenance": [_prov("fabrikam")],
	}}
	count(rule.not_evaluable) == 0 with input as testdata.input_with([_aws])
}

test_a_disabled_account_counts_while_it_holds_a_live_credential if {
	key := {
		"kind": "credential", "value": "00tabcdef123", "tenants": ["contoso", "fabrikam", "litware"],
		"accounts": [{"tenant": "litware", "ref": "okta/svc", "prov": _prov("litware")}], "account_count": 3,
	}
	token := testdata.credential_with({"id": "00TABCDEF123", "kind": "api_token"})
	live := testdata.changed(_aws, {"enabled": false, "credentials": [token], "reuse": {"keys": [key]}})
	fs := rule.findings with input as testdata.input_with([live])
	[f.message | some f in fs] == ["helpdesk@msp.example (human in aws) is a credential also found in 2 other tenant(s): fabrikam, litware"]
	[f.evidence.live_credentials | some f in fs] == [["00TABCDEF123"]]
	dead := testdata.changed(live, {"credentials": [testdata.credential_with({"active": false})]})
	count(rule.findings) == 0 with input as testdata.input_with([dead])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([dead])
}

test_passes_for_accounts_without_reuse if {
	ids := [testdata.identity, testdata.workload, testdata.changed(_aws, {"reuse": null})]
	count(rule.findings) == 0 with input as testdata.input_with(ids)
	count(rule.not_evaluable) == 0 with input as testdata.input_with(ids)
}

test_unknown_enabled_state_is_not_evaluable if {
	unknown := testdata.changed(_aws, {"enabled": null})
	count(rule.findings) == 0 with input as testdata.input_with([unknown])
	rule.not_evaluable == {{"subject": "aws/helpdesk", "reason": "enabled state unknown for an account also found in other tenants, and it holds no live credential"}} with input as testdata.input_with([unknown])
}

test_technician_logins_without_a_staff_directory_are_not_evaluable if {
	tech := testdata.changed(_aws, {"kind": "technician", "staff": {
		"state": "no_staff_source", "staff_ref": null, "method": null, "value": null, "principal_name": null, "gone": null,
	}})
	count(rule.findings) == 0 with input as testdata.input_with([tech])
	rule.not_evaluable == {{"subject": "aws/helpdesk", "reason": "technician login in several tenants, but the estate names no [msp] staff_source to tell a named technician's own account from a shared login"}} with input as testdata.input_with([tech])
	# A credential it shares is still reuse.
	key := object.union(_login, {"kind": "credential", "value": "00tabcdef123"})
	both := testdata.changed(tech, {"reuse": {"keys": [key, _login]}})
	fs := rule.findings with input as testdata.input_with([both])
	[[k.kind | some k in f.evidence.keys] | some f in fs] == [["credential"]]
}
