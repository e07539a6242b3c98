# driftgate.testdata: ONE known-good input that trips no rule. Tests state only the difference,
# e.g. testdata.identity_with({"mfa": {"registered": false}}) (object.union merges deeply; arrays
# are replaced whole) and get `derived` recomputed as Rust would (settle). Dates are consistent
# with as_of; ages come from ago(days).
package driftgate.testdata

import data.driftgate.lib
import rego.v1

as_of := "2026-11-20T06:00:00Z"

# A timestamp `days` whole days before as_of (negative: in the future).
ago(days) := {"at": _dates[days], "quality": "exact", "days_ago": days}

# A timestamp with no instant: never, not_applicable, unavailable, absent, ambiguous.
no_time(quality) := {"at": null, "quality": quality, "days_ago": null}

_dates := {
	-400: "2027-12-25T06:00:00Z", -300: "2027-09-16T06:00:00Z", -150: "2027-04-19T06:00:00Z",
	-30: "2026-12-20T06:00:00Z", 1: "2026-11-19T06:00:00Z", 2: "2026-11-18T06:00:00Z",
	3: "2026-11-17T06:00:00Z", 10: "2026-11-10T06:00:00Z", 14: "2026-11-06T06:00:00Z",
	20: "2026-10-31T06:00:00Z", 29: "2026-10-22T06:00:00Z", 30: "2026-10-21T06:00:00Z",
	31: "2026-10-20T06:00:00Z", 45: "2026-10-06T06:00:00Z", 59: "2026-09-22T06:00:00Z",
	60: "2026-09-21T06:00:00Z", 61: "2026-09-20T06:00:00Z", 89: "2026-08-23T06:00:00Z",
	90: "2026-08-22T06:00:00Z", 91: "2026-08-21T06:00:00Z", 100: "2026-08-12T06:00:00Z",
	120: "2026-07-23T06:00:00Z", 150: "2026-06-23T06:00:00Z", 200: "2026-05-04T06:00:00Z",
	365: "2025-11-20T06:00:00Z", 366: "2025-11-19T06:00:00Z", 400: "2025-10-16T06:00:00Z",
	500: "2025-07-08T06:00:00Z", 800: "2024-09-11T06:00:00Z",
}

# Every rule's METADATA param defaults, as Rust merges them.
params := {
	"stale_days": 90, "never_used_grace_days": 30, "guest_stale_days": 60,
	"credential_unused_days": 90, "max_top_admins": 4, "min_top_admins": 2,
	"jit_roles": ["privileged"], "max_secret_age_days": 90, "max_secret_lifetime_days": 365,
}

# An enabled Entra member who signed in two days ago, with MFA and no role.
identity := {
	"ref": "entra/0001", "source": "entra", "source_kind": "entra", "object_id": "0001",
	"alt_ids": {}, "principal_name": "ada@contoso.example", "principal_name_norm": "ada@contoso.example",
	"emails": ["ada@contoso.example"], "display_name": "Ada Lovelace",
	"kind": "human", "kind_evidence": ["userType=Member"], "non_human": false,
	"status": "active", "status_raw": "accountEnabled=true", "enabled": true, "created": ago(400),
	"activity": {
		"last_interactive": ago(3), "last_non_interactive": ago(2),
		"last_successful": ago(2), "last_any": ago(2), "known": true,
	},
	"password": {"enabled": true, "last_set": ago(100), "never_expires": false, "not_required": null, "must_change": false},
	"account_expires": no_time("never"),
	"employment": {
		"employee_id": "E1001", "employee_type": "Employee", "department": "Finance", "title": "Analyst",
		"manager": null, "hire_date": ago(800), "leave_date": no_time("absent"),
	},
	"mfa": {"registered": true, "capable": true, "methods": ["microsoftAuthenticatorPush"], "source": "entra/mfa.json", "enforced": null},
	"privileged": false, "top_role": false, "roles": [], "groups": [], "credentials": [], "owners": null,
	"clients": {"ids": [], "all": null}, "staff": null, "delegation": null, "reuse": null,
	"correlation": {"state": "source_of_truth", "method": null, "value": null, "sot_ref": null, "candidates": [], "sot": null},
	"provisioning": {"state": "no_log", "gap": false, "event": null, "matched_on": null, "window": null, "keys": [], "grants": []},
	"derived": {
		"user_account": true, "activity": "dated", "activity_days": 2, "created_days": 400, "standing_privileged": false,
		"has_roles": false, "has_credentials": false,
	},
	"prov": {"source": "entra", "file": "entra/users.json", "record": 1},
}

# A privileged, eligible (just-in-time) Entra role assignment.
role := {
	"role_id": "fe930be7-5e62-47db-91af-98c3a49a38b1", "role_name": "User Administrator", "scope": "/",
	"assignment": "eligible", "privileged": true, "top": false, "via_group": null,
	"start": ago(100), "end": no_time("never"),
	"prov": {"source": "entra", "file": "entra/role_eligibility.json", "record": 1},
}

# A client secret created 30 days ago, valid 180 days, used 3 days ago.
credential := {
	"id": "9f1c2d3e", "kind": "client_secret", "display_name": "deploy", "hint": "Xy7",
	"active": true, "created": ago(30), "rotated": ago(30), "expires": ago(-150), "last_used": ago(3),
	"last_used_where": null, "origin": "application", "lifetime_days": 180, "expired": false,
	"derived": {"live": true, "age_days": 30, "use_state": "dated", "unused_days": 3, "no_expiry": false},
	"prov": {"source": "entra", "file": "entra/applications.json", "record": 1},
}

# An owned, enabled Entra workload with one healthy secret and recent sign-ins.
workload := object.union(identity, {
	"ref": "entra/sp-0002", "object_id": "sp-0002", "principal_name": null, "principal_name_norm": null,
	"emails": [], "display_name": "Payroll sync", "kind": "workload",
	"kind_evidence": ["servicePrincipalType=Application"], "non_human": true, "status_raw": null,
	"password": {"enabled": null, "last_set": no_time("not_applicable"), "never_expires": null, "must_change": null},
	"employment": {"employee_id": null, "employee_type": null, "department": null, "title": null, "hire_date": no_time("absent")},
	"mfa": {"registered": null, "capable": null, "methods": [], "source": null},
	"credentials": [credential],
	"owners": [{"id": "0001", "principal_name": "ada@contoso.example", "enabled": true}],
	"correlation": {"state": "not_applicable"},
	"derived": {"user_account": false, "has_credentials": true},
	"prov": {"source": "entra", "file": "entra/service_principals.json", "record": 1},
})

# The known-good identity, workload or credential with `change` merged in and `derived` recomputed.
identity_with(change) := settle(object.union(identity, change))

workload_with(change) := settle(object.union(workload, change))

credential_with(change) := settle_credential(object.union(credential, change))

# A further change to an identity built above.
changed(i, change) := settle(object.union(i, change))

# `derived` as src/normalise.rs computes it, for the identity and each of its credentials.
settle(i) := object.union(i, {
	"credentials": [settle_credential(c) | some c in i.credentials],
	"non_human": _non_human(i.kind),
	"derived": {
		"user_account": _user_account(i.kind),
		"activity": a,
		"activity_days": _days_if_dated(a, i.activity.last_any),
		"created_days": i.created.days_ago,
		"standing_privileged": _standing_privileged(i.roles),
		"has_roles": count(i.roles) > 0,
		"has_credentials": count(i.credentials) > 0,
	},
}) if a := _activity(i)

settle_credential(c) := object.union(c, {"derived": {
	"live": _live(c), "age_days": _min_days([c.rotated.days_ago, c.created.days_ago]), "use_state": u,
	"unused_days": _days_if_dated(u, c.last_used), "no_expiry": _no_expiry(c.expires),
}}) if u := _use_state(c.last_used)

_user_account(kind) if kind in data.driftgate.lib.user_kinds
else := false

_non_human(kind) if kind in {"service_account", "workload", "managed_identity", "agent"}
else := false

_standing_privileged(roles) if {
	some r in roles
	r.privileged == true
	r.assignment in {"permanent", "time_bound"}
} else := false

_activity(i) := _use_state(i.activity.last_any) if i.activity.known == true
else := "unknown"

_use_state(t) := "dated" if lib.dated(t)
else := t.quality if t.quality in {"never", "not_applicable"}
else := "unknown"

_days_if_dated("dated", t) := t.days_ago

_days_if_dated(state, _) := null if state != "dated"

_live(c) := false if c.active == false
else := false if c.expired == true
else := true if {
	c.active == true
	c.expired == false
} else := null

_no_expiry(t) if {
	t.at == null
	t.quality in {"never", "not_applicable"}
} else := false

_min_days(ds) := min(known) if {
	known := [d | some d in ds; is_number(d)]
	count(known) > 0
} else := null

# A standing, enabled holder of the top role.
holder(n) := {
	"ref": sprintf("entra/ga%d", [n]), "principal_name": sprintf("ga%d@contoso.example", [n]),
	"kind": "human", "enabled": true, "standing": true,
	"prov": {"source": "entra", "file": "entra/role_assignments.json", "record": n},
}

# Three standing Global Administrators: between min_top_admins and max_top_admins.
top_role := {
	"source": "entra", "role_name": "Global Administrator", "holders": [holder(1), holder(2), holder(3)],
	"standing_count": 3, "enabled_standing_count": 3,
}

source := {
	"name": "entra", "kind": "entra", "path": "tenants/contoso/entra",
	"files_read": ["entra/users.json", "entra/service_principals.json"], "files_missing": [],
	"identities": 2, "top_role_name": "Global Administrator",
	"capabilities": {"sign_in": true, "mfa": true, "roles": true, "jit": true, "owners": true, "top_role_countable": true},
}

# Entra requires MFA of all users through one Conditional Access policy, a break-glass account
# excluded (BASE-001).
mfa_enforcement := {
	"source": "entra", "kind": "entra", "source_of_truth": true, "enforced": true,
	"mechanism": "conditional_access", "policies": ["Require MFA for all users"],
	"excluded": [{"type": "user", "id": "bg-0001", "name": "breakglass1@contoso.example"}],
	"partial": [], "report_only": [], "users": 0, "not_enforced_users": 0, "not_enforced_sample": [],
	"unknown_users": 0, "reason": null,
	"prov": [{"source": "entra", "file": "entra/conditionalAccessPolicies.json", "record": 1}],
}

# A [baseline] setting the tenant matches (BASE-004).
baseline_check := {
	"setting": "mfa_enforced", "compare": "equal", "expected": true, "actual": true,
	"expected_norm": true, "actual_norm": true, "from": "estate.toml", "config_file": "estate.toml",
	"exempt": false, "source": "entra", "reason": null,
	"prov": [{"source": "entra", "file": "entra/conditionalAccessPolicies.json", "record": 1}],
}

tenant := {
	"id": "contoso", "name": "Contoso Ltd", "status": "active", "source_of_truth": "entra",
	"sources": [source], "top_roles": [top_role], "identity_count": 2,
	"mfa_enforcement": [mfa_enforcement], "baseline": [baseline_check],
}

input_with(identities) := {"as_of": as_of, "tenant": tenant, "params": params, "entitlements": [], "identities": identities}

# A tenant-scoped evaluation (identities = []) over a changed tenant.
tenant_input(t) := {"as_of": as_of, "tenant": t, "params": params, "entitlements": [], "identities": []}

# ---------- a delegated-admin relationship (GDAP), for PRIV-007 ----------

# A standard (non-privileged) role granted to the MSP through GDAP.
delegated_role := object.union(role, {
	"role_id": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "role_name": "Directory Readers",
	"assignment": "delegated", "privileged": false, "top": false,
	"start": ago(400), "end": _delegation_ends,
	"prov": {"source": "gdap", "file": "msp/gdap/delegatedAdminRelationships.json", "record": 1},
})

_delegation_ends := {"at": "2027-10-16T06:00:00Z", "quality": "exact", "days_ago": -330}

# An active GDAP relationship into Contoso: two standard roles, 730 days from 400 days ago, no
# auto-extension, one active access container. Trips no rule.
delegation := settle(object.union(identity, {
	"ref": "gdap/rel-0001", "source": "gdap", "source_kind": "gdap", "object_id": "rel-0001",
	"principal_name": null, "principal_name_norm": null, "emails": [], "display_name": "Contoso-GDAP",
	"kind": "delegation", "kind_evidence": ["Partner Center delegatedAdminRelationship (GDAP)"],
	"status_raw": "active", "created": ago(400), "account_expires": _delegation_ends,
	"activity": {
		"last_interactive": no_time("unavailable"), "last_non_interactive": no_time("unavailable"),
		"last_successful": no_time("unavailable"), "last_any": no_time("unavailable"), "known": false,
	},
	"password": {"enabled": null, "last_set": no_time("absent"), "never_expires": null, "not_required": null, "must_change": null},
	"employment": {"employee_id": null, "employee_type": null, "department": null, "title": null, "hire_date": no_time("absent")},
	"mfa": {"registered": null, "capable": null, "methods": [], "source": null},
	"roles": [
		delegated_role,
		object.union(delegated_role, {"role_id": "f023fd81-a637-4b56-95fd-791ac0226033", "role_name": "Service Support Administrator"}),
	],
	"clients": {"ids": ["8777b240-c6f0-4469-9e98-a3205431b836"], "all": null},
	"correlation": {"state": "not_applicable"},
	"delegation": {
		"customer_id": "8777b240-c6f0-4469-9e98-a3205431b836", "customer_name": "Contoso Ltd",
		"status": "active", "duration": "P730D", "duration_days": 730, "auto_extend_days": 0,
		"ends": _delegation_ends,
		"access_containers": [{
			"group_id": "bda0bb2d-8c1f-4a2e-9d3b-6f5e4d3c2b1a", "group_name": null,
			"role_ids": ["88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "f023fd81-a637-4b56-95fd-791ac0226033"],
			"status": "active", "technicians": [], "departed": [],
		}],
	},
	"prov": {"source": "gdap", "file": "msp/gdap/delegatedAdminRelationships.json", "record": 1},
}))

delegation_with(change) := settle(object.union(delegation, change))

# PRIV-007's METADATA param defaults, which `params` above does not carry yet.
delegation_params := object.union(params, {
	"msp_allowed_roles": ["*", "!62e90394-69f5-4237-9190-012177145e10", "!e8611ab8-c189-46e8-94e1-60213ab1f814"],
	"max_delegation_days": 730,
})

delegation_input(identities) := object.union(input_with(identities), {"params": delegation_params})
