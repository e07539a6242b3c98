package driftgate.rules.gov_001_test

import data.driftgate.rules.gov_001 as rule
import data.driftgate.testdata
import rego.v1

# A complete waiver in force: a break-glass exception to PRIV-001, expiring in 30 days.
_waiver := {
	"rule": "PRIV-001", "tenant": "contoso", "subject": "breakglass-*@contoso.com", "key": null,
	"reason": "Break-glass account, monitored", "owner": "it-ops@msp.example", "approver": "ciso@msp.example",
	"ticket": "CHG-1234", "expires": "2026-12-20", "days_to_expiry": 30,
	"declared": "tenants/contoso/tenant.toml:14",
	"prov": {"source": "config", "file": "tenants/contoso/tenant.toml", "record": 2, "line": 14},
}

_waiver_with(change) := object.union(_waiver, change)

# The tenant with these waivers.
_with(ws) := testdata.tenant_input(object.union(testdata.tenant, {"waivers": ws}))

test_fires_on_an_expired_waiver if {
	w := _waiver_with({"expires": "2026-09-25", "days_to_expiry": -56})
	rule.findings == {{
		"subject": "waiver:tenants/contoso/tenant.toml:14",
		"message": "waiver for PRIV-001 on breakglass-*@contoso.com expired 2026-09-25 (56 days ago); the findings it covered are reported again",
		"evidence": {
			"rule": "PRIV-001", "subject": "breakglass-*@contoso.com", "key": null, "expires": "2026-09-25",
			"days_expired": 56, "owner": "it-ops@msp.example", "approver": "ciso@msp.example",
			"ticket": "CHG-1234", "declared": "tenants/contoso/tenant.toml:14",
		},
		"provenance": [{"source": "config", "file": "tenants/contoso/tenant.toml", "record": 2, "line": 14}],
	}} with input as _with([w, _waiver])
	count(rule.not_evaluable) == 0 with input as _with([w])
}

test_fires_the_day_after_expiry_and_names_the_key if {
	w := _waiver_with({
		"rule": "NHI-001", "subject": "entra/sp-0002", "key": "9f1c2d3e", "ticket": null,
		"expires": "2026-11-19", "days_to_expiry": -1, "declared": "waivers.toml:3",
		"prov": {"source": "config", "file": "waivers.toml", "record": 1, "line": 3},
	})
	fs := rule.findings with input as _with([w])
	count(fs) == 1
	some f in fs
	f.subject == "waiver:waivers.toml:3"
	f.message == "waiver for NHI-001 on entra/sp-0002 (key 9f1c2d3e) expired 2026-11-19 (1 days ago); the findings it covered are reported again"
	f.evidence.days_expired == 1
	f.evidence.key == "9f1c2d3e"
	f.evidence.ticket == null
	f.provenance == [{"source": "config", "file": "waivers.toml", "record": 1, "line": 3}]
}

test_one_finding_per_expired_waiver if {
	a := _waiver_with({"expires": "2026-11-19", "days_to_expiry": -1})
	b := _waiver_with({"expires": "2026-09-25", "days_to_expiry": -56, "declared": "tenants/contoso/tenant.toml:24"})
	{f.subject | some f in rule.findings} == {"waiver:tenants/contoso/tenant.toml:14", "waiver:tenants/contoso/tenant.toml:24"} with input as _with([a, b])
}

test_passes_while_in_force_or_without_expiry if {
	today := _waiver_with({"expires": "2026-11-20", "days_to_expiry": 0})
	never := _waiver_with({"expires": null, "days_to_expiry": null})
	count(rule.findings) == 0 with input as _with([_waiver, today, never])
	count(rule.not_evaluable) == 0 with input as _with([_waiver, today, never])
}

test_an_unapproved_waiver_still_expires if {
	w := _waiver_with({"approver": null, "reason": null, "expires": "2026-11-19", "days_to_expiry": -1})
	{f.evidence.approver | some f in rule.findings} == {null} with input as _with([w])
}

test_no_waivers_means_no_output if {
	count(rule.findings) == 0 with input as _with([])
	count(rule.findings) == 0 with input as testdata.tenant_input(testdata.tenant)
	count(rule.not_evaluable) == 0 with input as testdata.tenant_input(testdata.tenant)
}
