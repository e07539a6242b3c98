package driftgate.lib_test

import data.driftgate.lib
import data.driftgate.lib.credentials
import data.driftgate.lib.dormancy
import data.driftgate.lib.top_role
import data.driftgate.testdata
import rego.v1

test_dated_needs_a_dated_quality_and_an_age if {
	lib.dated(testdata.ago(3))
	lib.dated(object.union(testdata.ago(3), {"quality": "lagged"}))
	not lib.dated(testdata.no_time("never"))
	not lib.dated(object.union(testdata.ago(3), {"days_ago": null}))
}

test_older_is_strict if {
	lib.older(testdata.ago(91), 90)
	not lib.older(testdata.ago(90), 90)
	not lib.older(testdata.no_time("unavailable"), 90)
}

test_activity_unknown_covers_hidden_and_unusable_values if {
	not lib.activity_unknown(testdata.identity)
	lib.activity_unknown(testdata.identity_with({"activity": {"known": false}}))
	lib.activity_unknown(testdata.identity_with({"activity": {"known": null}}))
	every q in lib.unknown_qualities {
		lib.activity_unknown(testdata.identity_with({"activity": {"last_any": testdata.no_time(q)}}))
	}
	not lib.activity_unknown(testdata.identity_with({"activity": {"last_any": testdata.no_time("never")}}))
	lib.never_signed_in(testdata.identity_with({"activity": {"last_any": testdata.no_time("never")}}))
	not lib.never_signed_in(testdata.identity_with({"activity": {"known": false, "last_any": testdata.no_time("never")}}))
}

test_enabled_states_and_user_accounts if {
	lib.enabled(testdata.identity)
	lib.not_disabled(testdata.identity_with({"enabled": null}))
	not lib.not_disabled(testdata.identity_with({"enabled": false}))
	lib.user_account(testdata.identity)
	not lib.user_account(testdata.workload)
}

test_name_falls_back_to_display_name_then_ref if {
	lib.name(testdata.identity) == "ada@contoso.example"
	lib.name(testdata.workload) == "Payroll sync"
	lib.name(object.union(testdata.workload, {"display_name": null})) == "entra/sp-0002"
	lib.role_label(object.union(testdata.role, {"role_name": null})) == testdata.role.role_id
}

test_lag_note_only_for_lagged_values if {
	lib.lag_note(testdata.ago(3)) == {}
	contains(lib.lag_note(object.union(testdata.ago(3), {"quality": "lagged"})).note, "14 days")
}

test_dormancy_stale_and_never_used if {
	p := testdata.params
	not dormancy.stale(testdata.identity, p)
	dormancy.stale(testdata.identity_with({"activity": {"last_any": testdata.ago(91)}}), p)
	never := testdata.identity_with({"created": testdata.ago(31), "activity": {"last_any": testdata.no_time("never")}})
	dormancy.never_used(never, p)
	not dormancy.stale(never, p)
	dormancy.never_used_unknown(testdata.changed(never, {"created": testdata.no_time("absent")}))
	dormancy.never_used_unknown(testdata.changed(never, {"activity": {"known": false}}))
	dormancy.stale_unknown(testdata.changed(never, {"activity": {"known": false}}))
	not dormancy.never_used_unknown(testdata.workload_with({"activity": {"known": false}}))
}

# STALE-001/002 inline the dormancy conditions and evidence; PRIV-006 calls them. They must agree.
test_stale_rules_agree_with_dormancy if {
	p := testdata.params
	ids := [
		testdata.identity,
		testdata.identity_with({"ref": "a", "activity": {"last_any": testdata.ago(91)}}),
		testdata.identity_with({"ref": "b", "activity": {"last_any": object.union(testdata.ago(120), {"quality": "lagged"})}}),
		testdata.identity_with({"ref": "c", "enabled": null, "activity": {"last_any": testdata.ago(91)}}),
		testdata.identity_with({"ref": "d", "activity": {"known": false}}),
		testdata.identity_with({"ref": "e", "created": testdata.ago(31), "activity": {"last_any": testdata.no_time("never")}}),
		testdata.identity_with({"ref": "f", "kind": "guest", "created": testdata.ago(45), "activity": {"last_any": testdata.no_time("never")}}),
		testdata.identity_with({"ref": "g", "created": testdata.no_time("absent"), "activity": {"last_any": testdata.no_time("never")}}),
		testdata.workload_with({"ref": "h", "activity": {"known": false}}),
	]
	inp := testdata.input_with(ids)
	s1 := data.driftgate.rules.stale_001 with input as inp
	s2 := data.driftgate.rules.stale_002 with input as inp
	{[f.subject, f.evidence] | some f in s1.findings} == {[i.ref, dormancy.stale_evidence(i, p)] | some i in ids; dormancy.stale(i, p)}
	{[f.subject, object.remove(f.evidence, ["kind"])] | some f in s2.findings} == {[i.ref, dormancy.never_used_evidence(i, p)] | some i in ids; dormancy.never_used(i, p)}
	{x.subject | some x in s1.not_evaluable; startswith(x.reason, "sign-in")} == {i.ref | some i in ids; dormancy.stale_unknown(i)}
	{x.subject | some x in s2.not_evaluable; not startswith(x.reason, "enabled")} == {i.ref | some i in ids; dormancy.never_used_unknown(i)}
	count(s1.findings) == 2
	count(s2.findings) == 2
}

test_credential_liveness if {
	credentials.cred_live(testdata.credential)
	not credentials.cred_live(testdata.credential_with({"active": false}))
	not credentials.cred_live(testdata.credential_with({"expired": true}))
	not credentials.cred_live(testdata.credential_with({"active": null, "expired": true}))
	credentials.cred_live(testdata.credential_with({"active": null}))
	credentials.cred_live(testdata.credential_with({"expired": null}))
	unknown := testdata.credential_with({"active": null, "expired": null})
	not credentials.cred_live(unknown)
	credentials.cred_liveness_unknown(unknown)
	credentials.maybe_live(unknown)
	not credentials.maybe_live(testdata.credential_with({"active": false}))
}

test_no_expiry if {
	credentials.no_expiry(object.union(testdata.credential, {"expires": testdata.no_time("never")}))
	credentials.no_expiry(object.union(testdata.credential, {"kind": "access_key", "expires": testdata.no_time("absent")}))
	not credentials.no_expiry(object.union(testdata.credential, {"expires": testdata.no_time("absent")}))
	not credentials.no_expiry(testdata.credential)
}

test_top_role_standing_holders_exclude_eligible_and_disabled if {
	tr := object.union(testdata.top_role, {"holders": [
		testdata.holder(1),
		object.union(testdata.holder(2), {"standing": false}),
		object.union(testdata.holder(3), {"enabled": false}),
		object.union(testdata.holder(4), {"enabled": null}),
	]})
	[h.ref | some h in top_role.standing(tr)] == ["entra/ga1", "entra/ga4"]
	top_role.subject("entra") == "source:entra"
}
