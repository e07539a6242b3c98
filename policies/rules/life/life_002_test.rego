package driftgate.rules.life_002_test

import data.driftgate.rules.life_002 as rule
import data.driftgate.testdata
import rego.v1

_link := {
	"state": "matched", "staff_ref": "msp-entra/u-7", "method": "email", "value": "jo@msp.example",
	"principal_name": "jo@msp.example", "gone": true,
}

# Jo's login in a client's RMM, matched to Jo in the MSP's staff directory.
_rmm := testdata.identity_with({
	"ref": "rmm/jo", "source": "rmm", "source_kind": "datto-rmm", "object_id": "jo",
	"principal_name": "jo@msp.example", "kind": "technician", "staff": _link,
})

test_fires_for_an_enabled_account_of_a_technician_who_left if {
	fs := rule.findings with input as testdata.input_with([_rmm])
	fs == {{
		"subject": "rmm/jo",
		"message": "jo@msp.example (technician in rmm) belongs to jo@msp.example, who has left the MSP, and is still enabled",
		"evidence": {
			"enabled": true, "source": "rmm", "staff_ref": "msp-entra/u-7",
			"matched_by": "email", "match_value": "jo@msp.example", "staff_state": "left",
		},
	}}
	count(rule.not_evaluable) == 0 with input as testdata.input_with([_rmm])
}

test_fires_for_a_technician_absent_from_the_staff_directory if {
	i := testdata.changed(_rmm, {"staff": {"state": "absent", "staff_ref": null, "gone": null}})
	[f | some f in rule.findings][0].evidence.staff_state == "absent" with input as testdata.input_with([i])
}

test_fires_for_a_gdap_container_with_departed_members if {
	d := testdata.changed(testdata.delegation, {"delegation": {"access_containers": [{
		"group_id": "g-1", "group_name": "Tier 2", "role_ids": ["729827e3-9c14-49f7-bb1b-9608f156bbb8"],
		"status": "active", "technicians": ["al@msp.example", "jo@msp.example"], "departed": ["jo@msp.example"],
	}]}})
	fs := rule.findings with input as testdata.input_with([d])
	[f.key | some f in fs] == ["g-1"]
}

test_passes_for_current_staff_disabled_accounts_and_clean_relationships if {
	current := testdata.changed(_rmm, {"staff": {"gone": false}})
	disabled := testdata.changed(_rmm, {"enabled": false})
	ids := [current, disabled, testdata.identity, testdata.delegation]
	count(rule.findings) == 0 with input as testdata.input_with(ids)
	count(rule.not_evaluable) == 0 with input as testdata.input_with(ids)
}

test_unknowns_are_not_evaluable if {
	unknown_staff := testdata.changed(_rmm, {"staff": {"gone": null}})
	no_source := testdata.changed(_rmm, {"staff": {"state": "no_staff_source", "staff_ref": null, "gone": null}})
	unknown_enabled := testdata.changed(_rmm, {"enabled": null})
	ids := [unknown_staff, no_source, unknown_enabled]
	count(rule.findings) == 0 with input as testdata.input_with(ids)
	count(rule.not_evaluable) == 3 with input as testdata.input_with(ids)
}
