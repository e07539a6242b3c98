package driftgate.rules.stale_001_test

import data.driftgate.rules.stale_001 as rule
import data.driftgate.testdata
import rego.v1

_seen(days) := testdata.identity_with({"activity": {"last_any": testdata.ago(days)}})

test_fires_when_last_sign_in_older_than_stale_days if {
	fs := rule.findings with input as testdata.input_with([_seen(91)])
	fs == {{
		"subject": "entra/0001",
		"message": "ada@contoso.example has not signed in for 91 days (limit 90)",
		"evidence": {"last_sign_in": "2026-08-21T06:00:00Z", "days": 91, "stale_days": 90, "quality": "exact"},
	}}
	count(rule.not_evaluable) == 0 with input as testdata.input_with([_seen(91)])
}

test_passes_at_exactly_stale_days if {
	count(rule.findings) == 0 with input as testdata.input_with([_seen(90)])
}

test_stale_days_param_is_read if {
	inp := object.union(testdata.input_with([_seen(45)]), {"params": {"stale_days": 30}})
	count(rule.findings) == 1 with input as inp
}

test_lagged_value_is_noted if {
	i := testdata.changed(_seen(120), {"activity": {"last_any": {"quality": "lagged"}}})
	some f in rule.findings with input as testdata.input_with([i])
	f.evidence.quality == "lagged"
	contains(f.evidence.note, "14 days")
}

test_never_signed_in_is_stale_002s if {
	i := testdata.identity_with({"activity": {"last_any": testdata.no_time("never")}})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([i])
}

test_guests_disabled_and_apps_are_out_of_scope if {
	guest := testdata.changed(_seen(200), {"kind": "guest"})
	off := testdata.changed(_seen(200), {"ref": "entra/0002", "enabled": false})
	app := testdata.workload_with({"activity": {"last_any": testdata.ago(200)}})
	count(rule.findings) == 0 with input as testdata.input_with([guest, off, app])
}

test_not_evaluable_when_activity_hidden if {
	i := testdata.changed(_seen(200), {"activity": {"known": false}})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	rule.not_evaluable == {{"subject": "entra/0001", "reason": "sign-in activity unknown (hidden by licence or export, or the last sign-in value is not usable)"}} with input as testdata.input_with([i])
}

test_not_evaluable_when_last_sign_in_unavailable_or_ambiguous if {
	a := testdata.identity_with({"activity": {"last_any": testdata.no_time("unavailable")}})
	b := testdata.identity_with({"ref": "entra/0002", "activity": {"last_any": testdata.no_time("ambiguous")}})
	count(rule.not_evaluable) == 2 with input as testdata.input_with([a, b])
}

test_not_evaluable_when_enabled_unknown_and_stale if {
	i := testdata.changed(_seen(200), {"enabled": null})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	some x in rule.not_evaluable with input as testdata.input_with([i])
	startswith(x.reason, "enabled state unknown")
}
