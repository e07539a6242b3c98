package driftgate.rules.base_003_test

import data.driftgate.rules.base_003 as rule
import data.driftgate.testdata
import rego.v1

_ad := testdata.identity_with({
	"ref": "ad/S-1-5-21-1004", "source": "ad", "source_kind": "active-directory", "principal_name": "jdoe@corp.example",
	"password": {"not_required": false, "last_set": {"quality": "lagged"}},
	"prov": {"source": "ad", "file": "ad/users.csv", "record": 4, "line": 5},
})

test_fires_when_password_not_required if {
	i := testdata.changed(_ad, {"password": {"not_required": true}})
	fs := rule.findings with input as testdata.input_with([i])
	fs == {{
		"subject": "ad/S-1-5-21-1004",
		"message": "jdoe@corp.example is allowed to have no password (PASSWD_NOTREQD)",
		"evidence": {
			"not_required": true, "enabled": true,
			"password_last_set": "2026-08-12T06:00:00Z", "password_last_set_quality": "lagged",
		},
	}}
	count(rule.not_evaluable) == 0 with input as testdata.input_with([i])
}

test_fires_for_disabled_account_too if {
	i := testdata.changed(_ad, {"enabled": false, "password": {"not_required": true}})
	count(rule.findings) == 1 with input as testdata.input_with([i])
}

test_passes_when_flag_clear_or_not_applicable if {
	count(rule.findings) == 0 with input as testdata.input_with([_ad, testdata.identity])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([_ad, testdata.identity])
}

test_not_evaluable_when_ad_flags_missing if {
	i := testdata.changed(_ad, {"password": {"not_required": null}})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	rule.not_evaluable == {{"subject": "ad/S-1-5-21-1004", "reason": "userAccountControl flags are not in the export"}} with input as testdata.input_with([i])
}
