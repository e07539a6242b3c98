# METADATA
# title: Entitlement drift
# description: A downstream account holds a privileged role that the source of truth's group-to-role mapping ([[entitlement]]) does not grant through its identity's groups.
# custom:
#   id: DRIFT-003
#   severity: high
#   scope: identity
#   applies_to:
#     privileged: [true]
#     derived.user_account: [true]
#     correlation.state: [matched, unmatched, ambiguous, no_source_of_truth]
#   params: {}
#   controls:
#     nist-csf-1.1: ["PR.AC-4"]
#     nist-csf-2.0: ["PR.AA-05"]
#     nist-sp-800-53r5: ["AC-6", "AC-2"]
#     cis-v8: ["6.8"]
#     iso-27001-2022: ["A.5.15", "A.5.18"]
#     soc2-2017: ["CC6.3"]
#   remediation: Remove the role in the downstream system; if the person should hold it, grant it through a group of the source of truth and add that group to [[entitlement]].
package driftgate.rules.drift_003

import data.driftgate.lib
import rego.v1

# Rust copies the matched identity's groups (ids and names, lower-cased) onto
# correlation.sot.groups and lower-cases entitlement groups and roles: the rule only compares.
# Only user accounts have a source-of-truth identity (apps, workloads and GDAP relationships do
# not); MSP staff accounts are the LIFE rules'; a disabled account's privilege is PRIV-006's.
findings contains f if {
	count(_sources) > 0
	some i in input.identities
	i.correlation.state == "matched"
	count({i.source, i.source_kind} & _sources) > 0
	_in_scope(i)
	groups := i.correlation.sot.groups
	is_array(groups)
	mapped := _mapped(i)
	granted := {r | some e in mapped; e.group in groups; some r in e.roles}
	missing := [r | some r in i.roles; r.privileged == true; not _granted(r, granted)]
	count(missing) > 0
	f := {
		"subject": i.ref,
		"message": sprintf("%s holds %s in %s, which no entitlement grants to the groups of %s in the source of truth", [lib.name(i), concat(", ", {lib.role_label(r) | some r in missing}), i.source, _sot_name(i.correlation)]),
		"evidence": {
			"unentitled_roles": [lib.role_evidence(r) | some r in missing], "source": i.source,
			"sot_ref": i.correlation.sot_ref, "sot_groups": groups, "entitlements": mapped,
			"matched_by": i.correlation.method, "match_value": i.correlation.value,
		},
		"provenance": array.concat([i.correlation.sot.prov], [r.prov | some r in missing]),
	}
}

# The sources (names or kinds) entitlements name, once per evaluation: without any, every
# body below stops at its first line.
_sources := {e.source | some e in input.entitlements}

# A downstream user account not known to be disabled, holding a privileged role (callers have
# checked that an entitlement names its source).
_in_scope(i) if {
	i.derived.user_account == true
	i.staff == null
	i.enabled != false
	some r in i.roles
	r.privileged == true
}

_sot_name(c) := c.sot.principal_name if is_string(c.sot.principal_name)
else := c.sot_ref

_mapped(i) := [e | some e in input.entitlements; _for_source(e, i)]

_for_source(e, i) if e.source == i.source

_for_source(e, i) if e.source == i.source_kind

_granted(r, granted) if lower(r.role_id) in granted

_granted(r, granted) if {
	is_string(r.role_name)
	lower(r.role_name) in granted
}

not_evaluable contains {"subject": i.ref, "reason": "no single source-of-truth identity matches this account: no groups to check its privileged roles against"} if {
	count(_sources) > 0
	some i in input.identities
	i.correlation.state in {"unmatched", "ambiguous"}
	count({i.source, i.source_kind} & _sources) > 0
	_in_scope(i)
}

not_evaluable contains {"subject": i.ref, "reason": "the source of truth's export carries no group memberships"} if {
	count(_sources) > 0
	some i in input.identities
	i.correlation.state == "matched"
	i.correlation.sot.groups == null
	count({i.source, i.source_kind} & _sources) > 0
	_in_scope(i)
}

not_evaluable contains {"subject": i.ref, "reason": "the tenant names no source_of_truth whose groups the entitlements refer to"} if {
	count(_sources) > 0
	some i in input.identities
	i.correlation.state == "no_source_of_truth"
	count({i.source, i.source_kind} & _sources) > 0
	_in_scope(i)
}
