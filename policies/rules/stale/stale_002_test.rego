package driftgate.rules.stale_002_test

import data.driftgate.rules.stale_002 as rule
import data.driftgate.testdata
import rego.v1

_never := {"activity": {"last_interactive": testdata.no_time("never"), "last_successful": testdata.no_time("never"), "last_any": testdata.no_time("never")}}

_never_created(days) := testdata.identity_with(object.union(_never, {"created": testdata.ago(days)}))

test_fires_when_never_signed_in_after_grace if {
	fs := rule.findings with input as testdata.input_with([_never_created(31)])
	fs == {{
		"subject": "entra/0001",
		"message": "ada@contoso.example (human) has never signed in and was created 31 days ago (grace 30)",
		"evidence": {
			"last_sign_in": "never", "created": "2026-10-20T06:00:00Z", "created_days": 31,
			"never_used_grace_days": 30, "kind": "human",
		},
	}}
	count(rule.not_evaluable) == 0 with input as testdata.input_with([_never_created(31)])
}

test_passes_within_grace if {
	count(rule.findings) == 0 with input as testdata.input_with([_never_created(30)])
}

test_passes_when_signed_in if {
	count(rule.findings) == 0 with input as testdata.input_with([testdata.identity])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([testdata.identity])
}

test_any_user_kind_fires if {
	guest := testdata.changed(_never_created(100), {"ref": "entra/g1", "kind": "guest"})
	svc := testdata.changed(_never_created(100), {"ref": "ad/svc1", "kind": "service_account", "non_human": true})
	count(rule.findings) == 2 with input as testdata.input_with([guest, svc])
}

test_app_fires_only_with_activity_data if {
	seen := testdata.workload_with(object.union(_never, {"created": testdata.ago(100)}))
	hidden := testdata.changed(seen, {"ref": "entra/sp-0003", "activity": {"known": false}})
	fs := rule.findings with input as testdata.input_with([seen, hidden])
	{f.subject | some f in fs} == {"entra/sp-0002"}
	count(rule.not_evaluable) == 0 with input as testdata.input_with([seen, hidden])
}

test_disabled_is_out_of_scope if {
	i := testdata.changed(_never_created(100), {"enabled": false})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([i])
}

test_not_evaluable_when_activity_hidden if {
	i := testdata.changed(_never_created(100), {"activity": {"known": false}})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	count(rule.not_evaluable) == 1 with input as testdata.input_with([i])
}

test_not_evaluable_when_created_unknown if {
	i := testdata.changed(_never_created(100), {"created": testdata.no_time("absent")})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	rule.not_evaluable == {{"subject": "entra/0001", "reason": "never signed in, but the creation date is unknown"}} with input as testdata.input_with([i])
}

test_not_evaluable_when_enabled_unknown if {
	i := testdata.changed(_never_created(100), {"enabled": null})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	count(rule.not_evaluable) == 1 with input as testdata.input_with([i])
}

test_not_evaluable_for_app_with_exported_but_unusable_activity if {
	app := testdata.workload_with({"activity": {"last_any": testdata.no_time("unavailable")}})
	hidden := testdata.changed(app, {"ref": "entra/sp-0003", "activity": {"known": false}})
	count(rule.findings) == 0 with input as testdata.input_with([app, hidden])
	rule.not_evaluable == {{"subject": "entra/sp-0002", "reason": "sign-in activity unknown (hidden by licence or export, or the last sign-in value is not usable)"}} with input as testdata.input_with([app, hidden])
}
