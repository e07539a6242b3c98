"""Read a JUnit XML file back with junitparser and check the counts it declares (on
<testsuites> and on every <testsuite>) match the test cases and their results.
Prints one problem per line; exit 1 when there is any. Run by tests/external_validators.rs."""
import sys

from junitparser import Error, Failure, JUnitXml, Skipped, TestSuite

xml = JUnitXml.fromfile(sys.argv[1])
problems = []
suites = [xml] if isinstance(xml, TestSuite) else list(xml)
if not suites:
    problems.append("no test suites")
total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
for suite in suites:
    cases = list(suite)
    counted = {
        "tests": len(cases),
        "failures": sum(any(isinstance(r, Failure) for r in c.result) for c in cases),
        "errors": sum(any(isinstance(r, Error) for r in c.result) for c in cases),
        "skipped": sum(any(isinstance(r, Skipped) for r in c.result) for c in cases),
    }
    if not cases:
        problems.append(f"suite {suite.name!r}: no test cases")
    for c in cases:
        if not c.name or not c.classname:
            problems.append(f"suite {suite.name!r}: a test case without name or classname")
    for key, n in counted.items():
        total[key] += n
        declared = getattr(suite, key)
        if declared != n:
            problems.append(f"suite {suite.name!r}: {key}={declared!r} but {n} read back")
if not isinstance(xml, TestSuite):
    for key, n in total.items():
        declared = xml._elem.get(key)
        if declared is not None and int(declared) != n:
            problems.append(f"testsuites: {key}={declared} but {n} read back")
for p in problems:
    print(p)
print(f"{len(suites)} suites, {total['tests']} cases, {len(problems)} problems", file=sys.stderr)
sys.exit(1 if problems else 0)
