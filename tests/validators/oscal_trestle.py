"""Parse an OSCAL assessment-results JSON document with compliance-trestle's models (pydantic,
unknown fields forbidden). Prints the error and exits 1 when trestle rejects it.
Run by tests/external_validators.rs."""
import json
import sys

import trestle.oscal
from trestle.oscal.assessment_results import AssessmentResults

with open(sys.argv[1], encoding="utf-8") as f:
    doc = json.load(f)
# trestle 5.2.0 models OSCAL 1.2.1; its version check is off (strict_version = False), so a
# 1.2.3 document is judged by the 1.2.1 models, which 1.2.x patch releases keep compatible.
try:
    model = AssessmentResults.model_validate(doc["assessment-results"])
except Exception as e:  # noqa: BLE001 - report whatever trestle raises
    print(e)
    sys.exit(1)
print(
    f"trestle {trestle.__version__} (OSCAL {trestle.oscal.OSCAL_VERSION} models): "
    f"{len(model.results)} results, oscal-version {model.metadata.oscal_version.root.root}",
    file=sys.stderr,
)
