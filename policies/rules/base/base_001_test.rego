package driftgate.rules.base_001_test

import data.driftgate.rules.base_001 as rule
import data.driftgate.testdata
import rego.v1

# The tenant with its MFA enforcement entries replaced.
_with(entries) := testdata.tenant_input(object.union(testdata.tenant, {"mfa_enforcement": entries}))

_entra(change) := object.union(testdata.mfa_enforcement, change)

_not_enforced := _entra({
	"enforced": false, "mechanism": null, "policies": [], "excluded": [],
	"partial": ["Require MFA for admins: directory roles only (admins)"],
	"report_only": ["Require MFA for all users (pilot)"],
	"prov": [{"source": "entra", "file": "entra/conditionalAccessPolicies.json", "record": 2}],
})

_google(change) := object.union(testdata.mfa_enforcement, object.union({
	"source": "gws", "kind": "google-workspace", "source_of_truth": false, "mechanism": "2sv_policy",
	"policies": [], "excluded": [], "users": 12, "prov": [],
}, change))

test_fires_when_no_policy_enforces_mfa_for_all_users if {
	fs := rule.findings with input as _with([_not_enforced])
	fs == {{
		"subject": "source:entra",
		"message": "entra does not require MFA of all users: no enabled Conditional Access policy requires it of all users and applications, and security defaults are off",
		"evidence": {
			"source_kind": "entra", "partial_policies": ["Require MFA for admins: directory roles only (admins)"],
			"report_only_policies": ["Require MFA for all users (pilot)"], "active_users": 0,
			"not_enforced_users": 0, "not_enforced_sample": [],
		},
		"provenance": [{"source": "entra", "file": "entra/conditionalAccessPolicies.json", "record": 2}],
	}}
	count(rule.not_evaluable) == 0 with input as _with([_not_enforced])
}

test_passes_when_enforced_with_a_break_glass_exclusion if {
	count(rule.findings) == 0 with input as testdata.tenant_input(testdata.tenant)
	count(rule.not_evaluable) == 0 with input as testdata.tenant_input(testdata.tenant)
	count(rule.findings) == 0 with input as _with([_entra({"mechanism": "security_defaults", "policies": [], "excluded": []})])
}

test_fires_per_user_source_with_counts if {
	g := _google({
		"source_of_truth": true, "enforced": false, "mechanism": null, "not_enforced_users": 2,
		"not_enforced_sample": ["bo@contoso.example", "cy@contoso.example"],
	})
	some f in rule.findings with input as _with([g])
	f.subject == "source:gws"
	f.message == "gws does not require MFA of 2 of its 12 active users"
	f.evidence.not_enforced_sample == ["bo@contoso.example", "cy@contoso.example"]
}

test_only_the_source_of_truth_is_judged_when_it_is_a_directory if {
	other := _google({"enforced": false, "not_enforced_users": 3})
	count(rule.findings) == 0 with input as _with([testdata.mfa_enforcement, other])
}

test_every_directory_is_judged_without_a_directory_source_of_truth if {
	entra := _entra({"source_of_truth": false})
	other := _google({"enforced": false, "not_enforced_users": 3})
	fs := rule.findings with input as _with([entra, other])
	{f.subject | some f in fs} == {"source:gws"}
}

test_no_directory_source_means_no_output if {
	count(rule.findings) == 0 with input as _with([])
	count(rule.not_evaluable) == 0 with input as _with([])
}

test_not_evaluable_when_the_entra_policies_were_not_exported if {
	reason := "neither conditionalAccessPolicies.json nor identitySecurityDefaultsEnforcementPolicy.json was exported"
	e := _entra({"enforced": null, "mechanism": null, "policies": [], "excluded": [], "reason": reason, "prov": []})
	count(rule.findings) == 0 with input as _with([e])
	rule.not_evaluable == {{"subject": "source:entra", "reason": reason}} with input as _with([e])
}

test_not_evaluable_when_only_security_defaults_were_exported if {
	reason := "security defaults are off and conditionalAccessPolicies.json was not exported: a Conditional Access policy may require MFA"
	e := _entra({"enforced": null, "mechanism": null, "policies": [], "reason": reason})
	rule.not_evaluable == {{"subject": "source:entra", "reason": reason}} with input as _with([e])
}

test_not_evaluable_for_okta_without_a_policy_export if {
	reason := "Okta sign-on and authentication policies are not in the export (GET /api/v1/policies?type=OKTA_SIGN_ON and ?type=ACCESS_POLICY with their rules): whether MFA is required cannot be told"
	e := _entra({"source": "okta", "kind": "okta", "enforced": null, "mechanism": null, "policies": [], "reason": reason})
	rule.not_evaluable == {{"subject": "source:okta", "reason": reason}} with input as _with([e])
}

test_not_evaluable_when_per_user_enforcement_is_unknown if {
	g := _google({"source_of_truth": true, "enforced": null, "unknown_users": 12, "reason": "the export does not show isEnforcedIn2Sv / 2sv Enforced"})
	rule.not_evaluable == {{"subject": "source:gws", "reason": "the export does not show isEnforcedIn2Sv / 2sv Enforced"}} with input as _with([g])
}
