package driftgate.rules.gov_002_test

import data.driftgate.rules.gov_002 as rule
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

test_fires_on_a_waiver_without_owner_and_approver if {
	w := _waiver_with({"owner": null, "approver": null})
	rule.findings == {{
		"subject": "waiver:tenants/contoso/tenant.toml:14",
		"message": "waiver for PRIV-001 on breakglass-*@contoso.com has no approver, owner; it is not applied",
		"evidence": {
			"rule": "PRIV-001", "subject": "breakglass-*@contoso.com", "key": null,
			"missing": ["approver", "owner"], "self_approved": false, "owner": null, "approver": null,
			"reason": "Break-glass account, monitored", "ticket": "CHG-1234",
			"declared": "tenants/contoso/tenant.toml:14",
		},
		"provenance": [{"source": "config", "file": "tenants/contoso/tenant.toml", "record": 2, "line": 14}],
	}} with input as _with([w, _waiver])
	count(rule.not_evaluable) == 0 with input as _with([w])
}

test_fires_for_every_combination_of_missing_fields if {
	cases := [
		{"change": {"reason": null}, "missing": ["reason"]},
		{"change": {"owner": null}, "missing": ["owner"]},
		{"change": {"approver": null}, "missing": ["approver"]},
		{"change": {"reason": null, "owner": null}, "missing": ["owner", "reason"]},
		{"change": {"reason": null, "approver": null}, "missing": ["approver", "reason"]},
		{"change": {"owner": null, "approver": null}, "missing": ["approver", "owner"]},
		{"change": {"reason": null, "owner": null, "approver": null}, "missing": ["approver", "owner", "reason"]},
	]
	every c in cases {
		fs := rule.findings with input as _with([_waiver_with(c.change)])
		count(fs) == 1
		some f in fs
		f.evidence.missing == c.missing
		f.evidence.self_approved == false
		f.message == sprintf("waiver for PRIV-001 on breakglass-*@contoso.com has no %s; it is not applied", [concat(", ", c.missing)])
	}
}

test_fires_on_self_approval if {
	w := _waiver_with({"approver": "IT-Ops@MSP.example"})
	fs := rule.findings with input as _with([w])
	count(fs) == 1
	some f in fs
	f.message == "waiver for PRIV-001 on breakglass-*@contoso.com is approved by its own owner IT-Ops@MSP.example (self-approval is not approval); it is not applied"
	f.evidence.missing == []
	f.evidence.self_approved == true
	f.evidence.owner == "it-ops@msp.example"
	f.evidence.approver == "IT-Ops@MSP.example"
}

test_self_approval_and_a_missing_reason_are_both_named if {
	w := _waiver_with({
		"approver": "it-ops@msp.example", "reason": null, "key": "62e90394-69f5-4237-9190-012177145e10/permanent",
		"rule": "PRIV-004", "declared": "waivers.toml:7",
		"prov": {"source": "config", "file": "waivers.toml", "record": 2, "line": 7},
	})
	fs := rule.findings with input as _with([w])
	count(fs) == 1
	some f in fs
	f.subject == "waiver:waivers.toml:7"
	f.message == "waiver for PRIV-004 on breakglass-*@contoso.com (key 62e90394-69f5-4237-9190-012177145e10/permanent) has no reason and is approved by its own owner it-ops@msp.example (self-approval is not approval); it is not applied"
	f.evidence.missing == ["reason"]
	f.evidence.self_approved == true
	f.provenance == [{"source": "config", "file": "waivers.toml", "record": 2, "line": 7}]
}

test_passes_on_a_complete_waiver_even_expired if {
	expired := _waiver_with({"expires": "2026-11-19", "days_to_expiry": -1, "declared": "tenants/contoso/tenant.toml:24"})
	no_ticket := _waiver_with({"ticket": null, "expires": null, "days_to_expiry": null, "declared": "tenants/contoso/tenant.toml:34"})
	count(rule.findings) == 0 with input as _with([_waiver, expired, no_ticket])
	count(rule.not_evaluable) == 0 with input as _with([_waiver, expired, no_ticket])
}

test_one_finding_per_unapproved_waiver if {
	a := _waiver_with({"reason": null})
	b := _waiver_with({"owner": null, "declared": "tenants/contoso/tenant.toml:24"})
	{f.subject | some f in rule.findings} == {"waiver:tenants/contoso/tenant.toml:14", "waiver:tenants/contoso/tenant.toml:24"} with input as _with([a, b, _waiver])
}

test_no_waivers_means_no_output if {
	count(rule.findings) == 0 with input as _with([])
	count(rule.findings) == 0 with input as testdata.tenant_input(testdata.tenant)
	count(rule.not_evaluable) == 0 with input as testdata.tenant_input(testdata.tenant)
}
