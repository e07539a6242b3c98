# METADATA
# title: Cross-tenant reuse
# description: The same credential, service account or shared (non-personal) login appears in more than one client tenant.
# custom:
#   id: LIFE-003
#   severity: high
#   scope: identity
#   applies_to:
#     reuse.found: [true]
#   params: {}
#   controls:
#     nist-csf-1.1: ["PR.AC-4", "PR.AC-1"]
#     nist-csf-2.0: ["PR.AA-05", "PR.AA-01"]
#     nist-sp-800-53r5: ["AC-2", "AC-2(9)", "IA-4", "IA-5"]
#     cis-v8: ["5.2", "5.5"]
#     iso-27001-2022: ["A.5.16", "A.5.17"]
#     soc2-2017: ["CC6.1"]
#     owasp-nhi-2025: ["NHI9:2025"]
#   remediation: Give each client its own account and credential (rotate a shared secret everywhere it is used) with an owner per client; a technician who works for several clients signs in with their own named account.
package driftgate.rules.life_003

import data.driftgate.lib
import rego.v1

# Rust (src/reuse.rs) finds the keys held in several tenants and attaches them to each account:
# reuse.keys[] = {kind, value, tenants, accounts: [{tenant, ref, prov}], account_count}. Named
# technicians' own accounts, the MSP's attributed records and multi-tenant apps never get one.
# Each tenant reports its own account; the account counts while it can sign in or holds a live
# credential.
findings contains f if {
	some i in input.identities
	i.reuse.found == true
	_live(i)
	keys := [_key(k) | some k in i.reuse.keys; not _undecided(i, k)]
	count(keys) > 0
	others := {t | some k in keys; some t in k.other_tenants}
	f := {
		"subject": i.ref,
		"message": sprintf("%s (%s in %s) is a %s also found in %d other tenant(s): %s", [lib.name(i), i.kind, i.source, concat(" and ", {_label[k.kind] | some k in keys}), count(others), concat(", ", others)]),
		"evidence": {
			"enabled": i.enabled, "source": i.source, "kind": i.kind,
			"live_credentials": [c.id | some c in i.credentials; c.derived.live == true],
			"staff_state": object.get(i, ["staff", "state"], null), "keys": keys,
		},
		"provenance": [a.prov | some k in i.reuse.keys; some a in k.accounts; a.tenant != input.tenant.id],
	}
}

_label := {"credential": "credential", "service_account": "service account", "shared_login": "shared login"}

_live(i) if i.enabled == true

_live(i) if {
	some c in i.credentials
	c.derived.live == true
}

_key(k) := {
	"kind": k.kind, "value": k.value,
	"other_tenants": [t | some t in k.tenants; t != input.tenant.id],
	"other_accounts": [sprintf("%s:%s", [a.tenant, a.ref]) | some a in k.accounts; a.tenant != input.tenant.id],
	"account_count": k.account_count,
}

# A technician-kind login in an estate without a staff directory: it may be a named
# technician's own account, which is not reuse.
_undecided(i, k) if {
	k.kind == "shared_login"
	i.staff.state == "no_staff_source"
}

not_evaluable contains {"subject": i.ref, "reason": "enabled state unknown for an account also found in other tenants, and it holds no live credential"} if {
	some i in input.identities
	i.reuse.found == true
	i.enabled == null
	not _live(i)
}

not_evaluable contains {"subject": i.ref, "reason": "technician login in several tenants, but the estate names no [msp] staff_source to tell a named technician's own account from a shared login"} if {
	some i in input.identities
	i.reuse.found == true
	i.enabled != false
	some k in i.reuse.keys
	_undecided(i, k)
}
