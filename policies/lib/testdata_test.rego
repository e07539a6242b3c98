package driftgate.testdata_test

import data.driftgate.testdata
import rego.v1

# The known-good input trips no rule and leaves nothing not evaluable (a clean tenant).
test_known_good_input_trips_no_rule if {
	inp := testdata.input_with([testdata.identity, testdata.workload])
	checked := {name | some name; data.driftgate.rules[name].findings} with input as inp
	count(checked) >= 16
	hits := {name | some name; count(data.driftgate.rules[name].findings) > 0} with input as inp
	hits == set()
	unknown := {name | some name; count(data.driftgate.rules[name].not_evaluable) > 0} with input as inp
	unknown == set()
}
