# driftgate.lib.top_role: shared by PRIV-002 and PRIV-003 (tenant-scoped, identities = []).
package driftgate.lib.top_role

import rego.v1

subject(source_name) := sprintf("source:%s", [source_name])

# Standing holders of a top role that are not known to be disabled (what standing_count counts).
standing(tr) := [h | some h in tr.holders; h.standing == true; h.enabled != false]

# What a finding cites about a holder.
holder(h) := {"ref": h.ref, "principal_name": h.principal_name, "kind": h.kind, "enabled": h.enabled}

# A source that has a top role whose holders this export cannot count: neither too many nor too few can be said.
not_evaluable contains x if {
	some s in input.tenant.sources
	is_string(s.top_role_name)
	not s.capabilities.top_role_countable == true
	x := {"subject": subject(s.name), "reason": sprintf("holders of %s cannot be counted from this export", [s.top_role_name])}
}
