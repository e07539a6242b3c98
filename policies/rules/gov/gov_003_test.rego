package driftgate.rules.gov_003_test

import data.driftgate.rules.gov_003 as rule
import data.driftgate.testdata
import rego.v1

_window := {"start": testdata.ago(60), "end": testdata.ago(1)}

# Ada's RMM login, created by hand 30 days ago: inside the audit log's window, no event for it.
_hand_made := testdata.identity_with({
	"ref": "rmm/ada@contoso.example", "source": "rmm", "source_kind": "csv", "object_id": "ada@contoso.example",
	"created": testdata.ago(30),
	"correlation": {"state": "matched", "method": "principal_name", "value": "ada@contoso.example", "sot_ref": "entra/0001"},
	"provisioning": {
		"state": "no_event", "gap": true, "window": _window,
		"keys": ["ada@contoso.example", "0001"],
	},
	"prov": {"source": "rmm", "file": "rmm-users.csv", "record": 1, "line": 2},
})

# A privileged role granted 20 days ago on an account the log does account for.
_grant := {
	"role_id": "fe930be7-5e62-47db-91af-98c3a49a38b1", "role_name": "User Administrator",
	"assignment": "permanent", "via_group": null, "state": "no_event", "event": null,
	"granted": testdata.ago(20), "prov": {"source": "entra", "file": "entra/roleAssignments.json", "record": 3},
}

_event := {
	"id": "YTP_1", "activity": "Add user", "action": "account_created", "actor": "Contoso HR Provisioning",
	"actor_type": "app", "automated": true, "at": testdata.ago(30),
	"prov": {"source": "audit", "file": "audit/directoryAudits.json", "record": 4},
}

_provisioned := testdata.changed(_hand_made, {"provisioning": {"state": "matched", "gap": false, "event": _event, "matched_on": "principal_name"}})

_in(ids) := object.union(testdata.input_with(ids), {"tenant": {"provisioning": {"logs": ["audit"], "window": _window}}})

test_fires_on_account_created_inside_the_window_without_event if {
	rule.findings == {{
		"subject": "rmm/ada@contoso.example", "key": "account",
		"message": "ada@contoso.example (human in rmm) was created 2026-10-21T06:00:00Z, inside the window the provisioning logs cover (2026-09-21T06:00:00Z to 2026-11-19T06:00:00Z), and no creation or assignment event accounts for it",
		"evidence": {
			"source": "rmm", "principal_name": "ada@contoso.example", "created": "2026-10-21T06:00:00Z",
			"correlation": "matched", "logs": ["audit"],
			"window": {"start": "2026-09-21T06:00:00Z", "end": "2026-11-19T06:00:00Z"},
			"keys_searched": ["ada@contoso.example", "0001"],
		},
		"provenance": [{"source": "rmm", "file": "rmm-users.csv", "record": 1, "line": 2}],
	}} with input as _in([_hand_made, testdata.identity])
	count(rule.not_evaluable) == 0 with input as _in([_hand_made])
}

test_fires_on_privileged_grant_without_event if {
	i := testdata.changed(_provisioned, {"provisioning": {"gap": true, "grants": [_grant]}})
	fs := rule.findings with input as _in([i])
	count(fs) == 1
	some f in fs
	f.key == "fe930be7-5e62-47db-91af-98c3a49a38b1/permanent"
	f.message == "ada@contoso.example (rmm) was granted User Administrator 2026-10-31T06:00:00Z, inside the window the provisioning logs cover (2026-09-21T06:00:00Z to 2026-11-19T06:00:00Z), and no role or group grant event accounts for it"
	f.evidence.granted == "2026-10-31T06:00:00Z"
	f.provenance == [_grant.prov]
	via := testdata.changed(i, {"provisioning": {"grants": [object.union(_grant, {"via_group": "g-1"})]}})
	{x.key | some x in rule.findings} == {"fe930be7-5e62-47db-91af-98c3a49a38b1/permanent/g-1"} with input as _in([via])
}

test_passes_when_an_event_accounts_for_it_or_out_of_scope if {
	disabled := testdata.changed(_hand_made, {"enabled": false})
	matched_grant := testdata.changed(_provisioned, {"provisioning": {"grants": [object.union(_grant, {"state": "matched", "event": _event})]}})
	ids := [testdata.identity, testdata.workload, _provisioned, disabled, matched_grant]
	count(rule.findings) == 0 with input as _in(ids)
	count(rule.not_evaluable) == 0 with input as _in(ids)
}

test_outside_the_window_is_not_evaluable if {
	old := testdata.changed(_hand_made, {"created": testdata.ago(200), "provisioning": {"state": "outside_window"}})
	count(rule.findings) == 0 with input as _in([old])
	rule.not_evaluable == {{
		"subject": old.ref, "key": "account",
		"reason": "created 2026-05-04T06:00:00Z, outside the window the provisioning logs cover (2026-09-21T06:00:00Z to 2026-11-19T06:00:00Z): they cannot show how",
	}} with input as _in([old])
	undated := testdata.changed(old, {"created": testdata.no_time("absent")})
	{x.reason | some x in rule.not_evaluable} == {"created on a date the source does not give: the provisioning logs cannot tell whether that was inside their window"} with input as _in([undated])
	apart := testdata.changed(old, {"provisioning": {"window": null}})
	{x.reason | some x in rule.not_evaluable} == {"the provisioning logs (audit) share no window: they cannot show how it was made"} with input as _in([apart])
}

test_grant_outside_the_window_is_not_evaluable if {
	i := testdata.changed(_provisioned, {"provisioning": {"gap": true, "grants": [object.union(_grant, {"state": "outside_window", "granted": testdata.no_time("absent")})]}})
	count(rule.findings) == 0 with input as _in([i])
	rule.not_evaluable == {{
		"subject": i.ref, "key": "fe930be7-5e62-47db-91af-98c3a49a38b1/permanent",
		"reason": "User Administrator granted on a date the source does not give: the provisioning logs cannot tell whether that was inside their window",
	}} with input as _in([i])
}
