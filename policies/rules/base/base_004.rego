# METADATA
# title: Baseline drift
# description: A tenant setting differs from the MSP [baseline] (estate.toml, overridden per key by tenant.toml; compared without ids or letter case).
# custom:
#   id: BASE-004
#   severity: medium
#   scope: tenant
#   params: {}
#   controls:
#     nist-csf-1.1: ["PR.IP-1", "PR.AC-4"]
#     nist-csf-2.0: ["PR.PS-01", "PR.AA-05"]
#     nist-sp-800-53r5: ["CM-2", "CM-6"]
#     cis-v8: ["4.1"]
#     iso-27001-2022: ["A.8.9"]
#     soc2-2017: ["CC7.1"]
#   remediation: Bring the setting back to the MSP baseline, or record the tenant's agreed exception in its tenant.toml [baseline] (a value, or "any" to exempt it).
package driftgate.rules.base_004

import rego.v1

_subject(c) := sprintf("setting:%s", [c.setting])

# Expected items the tenant lacks, and found items the baseline does not list (lists only).
_missing(c) := [x | some x in c.expected_norm; not x in {y | some y in c.actual_norm}]

_unexpected(c) := [y | some y in c.actual_norm; not y in {x | some x in c.expected_norm}]

_differs(c) if {
	c.compare == "equal"
	c.expected_norm != c.actual_norm
}

_differs(c) if {
	c.compare == "includes"
	count(_missing(c)) > 0
}

_lists(c) := {"missing": _missing(c)} if {
	is_array(c.expected_norm)
	c.compare == "includes"
} else := {"missing": _missing(c), "unexpected": _unexpected(c)} if {
	is_array(c.expected_norm)
} else := {}

findings contains f if {
	some c in input.tenant.baseline
	c.exempt == false
	c.actual_norm != null
	_differs(c)
	f := {
		"subject": _subject(c),
		"message": sprintf("%s differs from the baseline: %v expected (%s), %v found", [c.setting, c.expected, c.from, c.actual]),
		"evidence": object.union(
			{
				"setting": c.setting, "expected": c.expected, "actual": c.actual, "compare": c.compare,
				"from": c.from, "config_file": c.config_file, "source": c.source,
			},
			_lists(c),
		),
		"provenance": c.prov,
	}
}

not_evaluable contains {"subject": _subject(c), "reason": c.reason} if {
	some c in input.tenant.baseline
	c.exempt == false
	c.actual_norm == null
}
