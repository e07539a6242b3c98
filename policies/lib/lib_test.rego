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
	lib.activity_unknown(object.union(testdata.identity, {"activity": {"known": false}}))
	lib.activity_unknown(object.union(testdata.identity, {"activity": {"known": null}}))
	every q in lib.unknown_qualities {
		lib.activity_unknown(object.union(testdata.identity, {"activity": {"last_any": testdata.no_time(q)}}))
	}
	not lib.activity_unknown(object.union(testdata.identity, {"activity": {"last_any": testdata.no_time("never")}}))
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
	dormancy.stale(object.union(testdata.identity, {"activity": {"last_any": testdata.ago(91)}}), p)
	never := object.union(testdata.identity, {"created": testdata.ago(31), "activity": {"last_any": testdata.no_time("never")}})
	dormancy.never_used(never, p)
	not dormancy.stale(never, p)
	dormancy.never_used_unknown(object.union(never, {"created": testdata.no_time("absent")}))
	dormancy.never_used_unknown(object.union(never, {"activity": {"known": false}}))
	not dormancy.never_used_scope(object.union(testdata.workload, {"activity": {"known": false}}))
}

test_credential_liveness if {
	credentials.cred_live(testdata.credential)
	not credentials.cred_live(object.union(testdata.credential, {"active": false}))
	not credentials.cred_live(object.union(testdata.credential, {"expired": true}))
	credentials.cred_live(object.union(testdata.credential, {"active": null}))
	credentials.cred_liveness_unknown(object.union(testdata.credential, {"active": null, "expired": null}))
	credentials.maybe_live(object.union(testdata.credential, {"active": null, "expired": null}))
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
