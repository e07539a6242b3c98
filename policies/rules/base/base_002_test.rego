package driftgate.rules.base_002_test

import data.driftgate.rules.base_002 as rule
import data.driftgate.testdata
import rego.v1

_no_mfa := testdata.identity_with({"mfa": {"registered": false, "capable": false, "methods": []}})

test_fires_for_enabled_member_without_mfa if {
	fs := rule.findings with input as testdata.input_with([_no_mfa])
	fs == {{
		"subject": "entra/0001",
		"message": "ada@contoso.example has no MFA method registered",
		"evidence": {"mfa_registered": false, "methods": [], "mfa_source": "entra/mfa.json"},
	}}
	count(rule.not_evaluable) == 0 with input as testdata.input_with([_no_mfa])
}

test_passes_with_mfa if {
	count(rule.findings) == 0 with input as testdata.input_with([testdata.identity])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([testdata.identity])
}

test_guests_disabled_and_apps_are_out_of_scope if {
	guest := testdata.changed(_no_mfa, {"ref": "entra/g1", "kind": "guest"})
	off := testdata.changed(_no_mfa, {"ref": "entra/0002", "enabled": false})
	app := testdata.workload_with({"mfa": {"registered": false}})
	count(rule.findings) == 0 with input as testdata.input_with([guest, off, app])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([guest, off, app])
}

test_not_evaluable_when_mfa_unknown if {
	i := testdata.identity_with({"mfa": {"registered": null}})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	rule.not_evaluable == {{"subject": "entra/0001", "reason": "MFA registration unknown (no MFA report in the export)"}} with input as testdata.input_with([i])
}

test_not_evaluable_when_enabled_unknown if {
	i := testdata.changed(_no_mfa, {"enabled": null})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	count(rule.not_evaluable) == 1 with input as testdata.input_with([i])
}
