package driftgate.rules.stale_003_test

import data.driftgate.rules.stale_003 as rule
import data.driftgate.testdata
import rego.v1

_guest := testdata.identity_with({
	"ref": "entra/g1", "principal_name": "bob_fabrikam.example#EXT#@contoso.example",
	"kind": "guest", "kind_evidence": ["userType=Guest"],
})

_seen(days) := testdata.changed(_guest, {"activity": {"last_any": testdata.ago(days)}})

_never_created(days) := testdata.changed(_guest, {"created": testdata.ago(days), "activity": {"last_any": testdata.no_time("never")}})

test_fires_when_last_sign_in_older_than_guest_stale_days if {
	fs := rule.findings with input as testdata.input_with([_seen(61)])
	fs == {{
		"subject": "entra/g1",
		"message": "guest bob_fabrikam.example#EXT#@contoso.example has not signed in for 61 days (limit 60)",
		"evidence": {"since": "last_sign_in", "last_sign_in": "2026-09-20T06:00:00Z", "days": 61, "quality": "exact", "guest_stale_days": 60},
	}}
	count(rule.not_evaluable) == 0 with input as testdata.input_with([_seen(61)])
}

test_fires_for_never_signed_in_guest_counting_from_creation if {
	some f in rule.findings with input as testdata.input_with([_never_created(100)])
	f.evidence == {"since": "created", "last_sign_in": "never", "created": "2026-08-12T06:00:00Z", "days": 100, "guest_stale_days": 60}
	f.message == "guest bob_fabrikam.example#EXT#@contoso.example has never signed in and was created 100 days ago (limit 60)"
}

test_passes_within_limit if {
	count(rule.findings) == 0 with input as testdata.input_with([_seen(60), testdata.changed(_never_created(59), {"ref": "entra/g2"})])
}

test_members_and_disabled_guests_are_out_of_scope if {
	member := testdata.identity_with({"activity": {"last_any": testdata.ago(200)}})
	off := testdata.changed(_seen(200), {"enabled": false})
	count(rule.findings) == 0 with input as testdata.input_with([member, off])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([member, off])
}

test_not_evaluable_when_activity_hidden if {
	i := testdata.changed(_seen(200), {"activity": {"known": false}})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	count(rule.not_evaluable) == 1 with input as testdata.input_with([i])
}

test_not_evaluable_when_never_signed_in_and_created_unknown if {
	i := testdata.changed(_never_created(100), {"created": testdata.no_time("unavailable")})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	rule.not_evaluable == {{"subject": "entra/g1", "reason": "never signed in, but the creation date is unknown"}} with input as testdata.input_with([i])
}

test_not_evaluable_when_enabled_unknown if {
	i := testdata.changed(_seen(200), {"enabled": null})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	count(rule.not_evaluable) == 1 with input as testdata.input_with([i])
}
