package driftgate.rules.base_004_test

import data.driftgate.rules.base_004 as rule
import data.driftgate.testdata
import rego.v1

# The tenant with these baseline checks.
_with(checks) := testdata.tenant_input(object.union(testdata.tenant, {"baseline": checks}))

_check(change) := object.union(testdata.baseline_check, change)

_roles(expected, actual) := _check({
	"setting": "gdap_roles", "expected": expected, "actual": actual,
	"expected_norm": sort([lower(r) | some r in expected]), "actual_norm": sort([lower(r) | some r in actual]),
	"source": "gdap", "prov": [{"source": "gdap", "file": "msp/gdap/delegatedAdminRelationships.json", "record": 1}],
})

test_fires_when_a_setting_differs if {
	c := _check({"actual": false, "actual_norm": false, "prov": [{"source": "entra", "file": "entra/identitySecurityDefaultsEnforcementPolicy.json", "record": 1}]})
	fs := rule.findings with input as _with([c])
	fs == {{
		"subject": "setting:mfa_enforced",
		"message": "mfa_enforced differs from the baseline: true expected (estate.toml), false found",
		"evidence": {
			"setting": "mfa_enforced", "expected": true, "actual": false, "compare": "equal",
			"from": "estate.toml", "config_file": "estate.toml", "source": "entra",
		},
		"provenance": [{"source": "entra", "file": "entra/identitySecurityDefaultsEnforcementPolicy.json", "record": 1}],
	}}
	count(rule.not_evaluable) == 0 with input as _with([c])
}

test_passes_when_settings_match_after_normalisation if {
	count(rule.findings) == 0 with input as testdata.tenant_input(testdata.tenant)
	count(rule.not_evaluable) == 0 with input as testdata.tenant_input(testdata.tenant)
	c := _roles(["Helpdesk Administrator", "Directory Readers"], ["directory readers", "HELPDESK ADMINISTRATOR"])
	count(rule.findings) == 0 with input as _with([c])
}

test_list_difference_names_missing_and_unexpected if {
	c := _roles(["Helpdesk Administrator"], ["Global Administrator", "Helpdesk Administrator"])
	some f in rule.findings with input as _with([c])
	f.subject == "setting:gdap_roles"
	f.evidence.missing == []
	f.evidence.unexpected == ["global administrator"]
}

test_includes_only_needs_the_expected_policies if {
	c := _check({
		"setting": "conditional_access", "compare": "includes",
		"expected": ["Block legacy authentication"], "expected_norm": ["block legacy authentication"],
		"actual": ["Require MFA for all users", "Block legacy authentication"],
		"actual_norm": ["block legacy authentication", "require mfa for all users"],
	})
	count(rule.findings) == 0 with input as _with([c])
	missing := _check({
		"setting": "conditional_access", "compare": "includes",
		"expected": ["Block legacy authentication"], "expected_norm": ["block legacy authentication"],
		"actual": ["Require MFA for all users"], "actual_norm": ["require mfa for all users"],
	})
	some f in rule.findings with input as _with([missing])
	f.evidence.missing == ["block legacy authentication"]
	not "unexpected" in object.keys(f.evidence)
}

test_tenant_override_is_cited if {
	c := _check({"expected": false, "expected_norm": false, "from": "tenant.toml", "config_file": "tenants/contoso/tenant.toml"})
	some f in rule.findings with input as _with([c])
	f.evidence.from == "tenant.toml"
	f.evidence.config_file == "tenants/contoso/tenant.toml"
}

test_exempt_setting_is_not_compared if {
	c := _check({"expected": "any", "expected_norm": "any", "exempt": true, "from": "tenant.toml"})
	count(rule.findings) == 0 with input as _with([c])
	count(rule.not_evaluable) == 0 with input as _with([c, object.union(c, {"actual": null, "actual_norm": null, "reason": "r"})])
}

test_no_baseline_means_no_output if {
	count(rule.findings) == 0 with input as _with([])
	count(rule.not_evaluable) == 0 with input as _with([])
}

test_not_evaluable_when_the_actual_is_unknown if {
	reasons := [
		"identitySecurityDefaultsEnforcementPolicy.json was not exported",
		"conditionalAccessPolicies.json was not exported",
		"authorizationPolicy.json was not exported",
		"the tenant has no entra source",
		"no GDAP export reaches this tenant (no `gdap` source, or none of its relationships names one of the tenant's directory_ids)",
		"entra: neither conditionalAccessPolicies.json nor identitySecurityDefaultsEnforcementPolicy.json was exported",
	]
	every reason in reasons {
		c := _check({"setting": "security_defaults", "actual": null, "actual_norm": null, "source": null, "reason": reason, "prov": []})
		count(rule.findings) == 0 with input as _with([c])
		rule.not_evaluable == {{"subject": "setting:security_defaults", "reason": reason}} with input as _with([c])
	}
}
