# METADATA
# title: Manual provisioning
# description: Downstream account, or privileged grant, made inside the window the tenant's provisioning log covers with no matching creation or assignment event in it.
# custom:
#   id: GOV-003
#   severity: low
#   scope: identity
#   applies_to:
#     provisioning.gap: [true]
#     enabled: [true, null]
#   params: {}
#   controls:
#     nist-csf-1.1: ["PR.AC-1"]
#     nist-csf-2.0: ["PR.AA-01", "PR.AA-05"]
#     nist-sp-800-53r5: ["AC-2", "AC-2(1)", "AC-2(4)"]
#     cis-v8: ["5.6", "6.1", "6.7"]
#     iso-27001-2022: ["A.5.16", "A.5.18"]
#     soc2-2017: ["CC6.2"]
#   remediation: Provision the account or grant through the identity provider's workflow (app or group assignment, HR-driven or SCIM provisioning) and remove the hand-made one, or record why this system is provisioned by hand.
package driftgate.rules.gov_003

import data.driftgate.lib
import rego.v1

# Rust ties every downstream account and privileged grant to the log event that accounts for it
# (src/provision.rs); `provisioning.gap` marks the accounts where something is `no_event` or
# `outside_window`. Disabled accounts are not judged.
findings contains f if {
	some i in input.identities
	i.provisioning.gap == true
	i.provisioning.state == "no_event"
	i.enabled != false
	w := i.provisioning.window
	f := {
		"subject": i.ref, "key": "account",
		"message": sprintf("%s (%s in %s) was created %s, inside the window the provisioning logs cover (%s to %s), and no creation or assignment event accounts for it", [lib.name(i), i.kind, i.source, i.created.at, w.start.at, w.end.at]),
		"evidence": object.union(_searched(i), {"created": i.created.at, "correlation": i.correlation.state}),
		"provenance": [i.prov],
	}
}

findings contains f if {
	some i in input.identities
	i.provisioning.gap == true
	i.enabled != false
	some g in i.provisioning.grants
	g.state == "no_event"
	w := i.provisioning.window
	f := {
		"subject": i.ref, "key": _key(g),
		"message": sprintf("%s (%s) was granted %s %s, inside the window the provisioning logs cover (%s to %s), and no role or group grant event accounts for it", [lib.name(i), i.source, lib.role_label(g), g.granted.at, w.start.at, w.end.at]),
		"evidence": object.union(_searched(i), {
			"role_id": g.role_id, "role_name": g.role_name, "assignment": g.assignment,
			"via_group": g.via_group, "granted": g.granted.at,
		}),
		"provenance": [g.prov],
	}
}

not_evaluable contains x if {
	some i in input.identities
	i.provisioning.gap == true
	i.provisioning.state == "outside_window"
	i.enabled != false
	x := {"subject": i.ref, "key": "account", "reason": _outside(i, "created", i.created)}
}

not_evaluable contains x if {
	some i in input.identities
	i.provisioning.gap == true
	i.enabled != false
	some g in i.provisioning.grants
	g.state == "outside_window"
	x := {"subject": i.ref, "key": _key(g), "reason": _outside(i, sprintf("%s granted", [lib.role_label(g)]), g.granted)}
}

_key(g) := concat("/", [g.role_id, g.assignment]) if g.via_group == null
else := concat("/", [g.role_id, g.assignment, g.via_group])

_logs := input.tenant.provisioning.logs if is_object(input.tenant.provisioning)
else := []

# What the logs were searched for, and over which window.
_searched(i) := {
	"source": i.source, "principal_name": i.principal_name,
	"window": {"start": i.provisioning.window.start.at, "end": i.provisioning.window.end.at},
	"logs": _logs, "keys_searched": i.provisioning.keys,
}

# `what` is "created" or "<role> granted"; `t` the date it happened. A date without a zone must
# lie a day inside the window (Rust decides; the message only reports it).
_outside(i, what, t) := sprintf("the provisioning logs (%s) share no window: they cannot show how it was made", [concat(", ", _logs)]) if {
	i.provisioning.window == null
} else := sprintf("%s on a date the source does not give: the provisioning logs cannot tell whether that was inside their window", [what]) if {
	not lib.dated(t)
} else := sprintf("%s %s, outside the window the provisioning logs cover (%s to %s): they cannot show how", [what, t.at, w.start.at, w.end.at]) if {
	w := i.provisioning.window
}
