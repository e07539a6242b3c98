package driftgate.rules.stale_004_test

import data.driftgate.rules.stale_004 as rule
import data.driftgate.testdata
import rego.v1

# An AWS IAM user with one access key; `change` is merged into the key.
_with_key(change) := testdata.identity_with({
	"ref": "aws/AIDAEXAMPLE1", "source": "aws", "source_kind": "aws-iam", "principal_name": "deploy-bot",
	"credentials": [object.union(testdata.credential, object.union({
		"id": "AKIAEXAMPLE1", "kind": "access_key", "display_name": "access_key_1", "lifetime_days": null,
		"expires": testdata.no_time("not_applicable"), "expired": false,
		"prov": {"source": "aws", "file": "aws/credential_report.csv", "record": 3, "line": 4},
	}, change))],
})

test_fires_per_credential_when_last_use_older_than_limit if {
	i := _with_key({"created": testdata.ago(400), "last_used": testdata.ago(91)})
	fs := rule.findings with input as testdata.input_with([i])
	fs == {{
		"subject": "aws/AIDAEXAMPLE1", "key": "AKIAEXAMPLE1",
		"message": "access_key AKIAEXAMPLE1 of deploy-bot: last used 91 days ago (limit 90)",
		"evidence": {
			"since": "last_used", "last_used": "2026-08-21T06:00:00Z", "days": 91,
			"kind": "access_key", "display_name": "access_key_1", "credential_unused_days": 90,
		},
		"provenance": [{"source": "aws", "file": "aws/credential_report.csv", "record": 3, "line": 4}],
	}}
	count(rule.not_evaluable) == 0 with input as testdata.input_with([i])
}

test_never_used_counts_from_creation if {
	i := _with_key({"created": testdata.ago(100), "last_used": testdata.no_time("never")})
	some f in rule.findings with input as testdata.input_with([i])
	f.evidence.since == "created"
	f.evidence.days == 100
}

test_passes_when_recently_used_or_new if {
	used := _with_key({"last_used": testdata.ago(90)})
	fresh := testdata.changed(_with_key({"created": testdata.ago(20), "last_used": testdata.no_time("never")}), {"ref": "aws/2"})
	count(rule.findings) == 0 with input as testdata.input_with([used, fresh])
}

test_inactive_expired_and_certificates_are_out_of_scope if {
	off := _with_key({"active": false, "last_used": testdata.ago(400)})
	gone := testdata.changed(_with_key({"expired": true, "last_used": testdata.ago(400)}), {"ref": "aws/2"})
	cert := testdata.changed(_with_key({"kind": "certificate", "last_used": testdata.ago(400)}), {"ref": "aws/3"})
	count(rule.findings) == 0 with input as testdata.input_with([off, gone, cert])
	count(rule.not_evaluable) == 0 with input as testdata.input_with([off, gone, cert])
}

test_not_evaluable_when_last_use_not_exported if {
	# Entra list APIs carry no last-use date for secrets.
	i := testdata.workload_with({"credentials": [object.union(testdata.credential, {"last_used": testdata.no_time("unavailable")})]})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	rule.not_evaluable == {{"subject": "entra/sp-0002", "key": "9f1c2d3e", "reason": "last use unknown: the export carries no last-use date for this credential"}} with input as testdata.input_with([i])
}

test_not_evaluable_when_never_used_and_created_unknown if {
	i := _with_key({"created": testdata.no_time("absent"), "last_used": testdata.no_time("never")})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	count(rule.not_evaluable) == 1 with input as testdata.input_with([i])
}

test_not_evaluable_when_active_and_expiry_unknown if {
	i := _with_key({"active": null, "expired": null, "last_used": testdata.ago(200)})
	count(rule.findings) == 0 with input as testdata.input_with([i])
	some x in rule.not_evaluable with input as testdata.input_with([i])
	x.reason == "not known whether the credential is active or expired"
}

test_null_active_with_valid_expiry_counts_as_active if {
	i := _with_key({"active": null, "expired": false, "last_used": testdata.ago(200)})
	count(rule.findings) == 1 with input as testdata.input_with([i])
}
