package driftgate.rules.priv_006_test

import data.driftgate.rules.priv_006 as rule
import data.driftgate.testdata
import rego.v1

_admin := testdata.identity_with({"privileged": true, "roles": [testdata.role]})

test_fires_for_privileged_guest if {
	g := testdata.changed(_admin, {"kind": "guest"})
	fs := rule.findings with input as testdata.input_with([g])
	fs == {{
		"subject": "entra/0001",
		"message": "ada@contoso.example holds User Administrator and is a guest",
		"evidence": {"risks": ["guest"], "kind": "guest", "enabled": true, "roles": [{
			"role_id": "fe930be7-5e62-47db-91af-98c3a49a38b1", "role_name": "User Administrator",
			"assignment": "eligible", "scope": "/",
		}]},
		"provenance": [{"source": "entra", "file": "entra/role_eligibility.json", "record": 1}],
	}}
	count(rule.not_evaluable) == 0 with input as testdata.input_with([g])
}

test_fires_for_disabled_holder if {
	some f in rule.findings with input as testdata.input_with([testdata.changed(_admin, {"enabled": false})])
	f.evidence.risks == ["disabled"]
}

test_fires_for_stale_holder_with_stale_001_thresholds if {
	i := testdata.changed(_admin, {"activity": {"last_any": testdata.ago(91)}})
	some f in rule.findings with input as testdata.input_with([i])
	f.evidence.risks == ["stale"]
	f.evidence.days == 91
	f.evidence.stale_days == 90
	count(rule.findings) == 0 with input as object.union(testdata.input_with([i]), {"params": {"stale_days": 100}})
}

test_fires_for_never_used_holder if {
	i := testdata.changed(_admin, {"created": testdata.ago(45), "activity": {"last_any": testdata.no_time("never")}})
	some f in rule.findings with input as testdata.input_with([i])
	f.evidence.risks == ["never_used"]
	f.evidence.created_days == 45
	f.message == "ada@contoso.example holds User Administrator and is never used (STALE-002)"
}

test_passes_for_active_member_admin_and_unprivileged_guest if {
	g := testdata.identity_with({"ref": "entra/g1", "kind": "guest"})
	count(rule.findings) == 0 with input as testdata.input_with([_admin, g])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([_admin, g])
}

test_not_evaluable_when_role_data_missing_for_risky_account if {
	i := testdata.identity_with({"enabled": false, "privileged": null})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	rule.not_evaluable == {{"subject": "entra/0001", "reason": "role data is missing for this source; the account is disabled"}} with input as testdata.input_with([i])
}

test_not_evaluable_when_admin_activity_unknown if {
	i := testdata.changed(_admin, {"activity": {"known": false}})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	rule.not_evaluable == {{"subject": "entra/0001", "reason": "privileged; sign-in activity unknown, so staleness cannot be judged"}} with input as testdata.input_with([i])
}

test_not_evaluable_when_admin_enabled_unknown if {
	i := testdata.changed(_admin, {"enabled": null})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	count(rule.not_evaluable) == 1 with input as testdata.input_with([i])
}

test_not_evaluable_when_technician_activity_unknown if {
	# STALE-001 covers members only, but STALE-002 (never used) covers every account kind.
	i := testdata.changed(_admin, {"kind": "technician", "activity": {"known": false}})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	rule.not_evaluable == {{"subject": "entra/0001", "reason": "privileged; never-used state cannot be judged (sign-in activity or creation date unknown)"}} with input as testdata.input_with([i])
}

test_not_evaluable_when_both_roles_and_enabled_state_unknown if {
	i := testdata.identity_with({"privileged": null, "enabled": null})
	rule.not_evaluable == {{"subject": "entra/0001", "reason": "role data missing; enabled state unknown"}} with input as testdata.input_with([i])
	count(rule.findings) == 0 with input as testdata.input_with([i])
}

# A GDAP relationship holding Global Administrator is judged by PRIV-007, never here (a terminated
# one is "disabled" but is not an account).
test_delegations_are_out_of_scope if {
	d := testdata.changed(testdata.identity, {
		"kind": "delegation", "enabled": false, "privileged": true,
		"roles": [object.union(testdata.role, {"assignment": "delegated"})],
	})
	count(rule.findings) == 0 with input as testdata.input_with([d])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([d])
}

# Role data missing for an account with one risk: the reason names that risk (one body per risk).
test_not_evaluable_names_the_guest_risk_when_role_data_missing if {
	i := testdata.identity_with({"kind": "guest", "privileged": null})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	rule.not_evaluable == {{"subject": "entra/0001", "reason": "role data is missing for this source; the account is a guest"}} with input as testdata.input_with([i])
}

test_not_evaluable_names_the_stale_risk_when_role_data_missing if {
	i := testdata.identity_with({"privileged": null, "activity": {"last_any": testdata.ago(91)}})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	rule.not_evaluable == {{"subject": "entra/0001", "reason": "role data is missing for this source; the account is stale (STALE-001)"}} with input as testdata.input_with([i])
}

test_not_evaluable_names_the_never_used_risk_when_role_data_missing if {
	i := testdata.identity_with({"privileged": null, "created": testdata.ago(45), "activity": {"last_any": testdata.no_time("never")}})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	rule.not_evaluable == {{"subject": "entra/0001", "reason": "role data is missing for this source; the account is never used (STALE-002)"}} with input as testdata.input_with([i])
}

# STALE-001 covers members only: a technician admin with an old sign-in has no risk (and, being
# used, is not never-used), so it is neither a finding nor unknown.
test_passes_for_technician_admin_with_an_old_sign_in if {
	i := testdata.changed(_admin, {"kind": "technician", "activity": {"last_any": testdata.ago(200)}})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([i])
}
