"""Validate an OCSF JSON Lines file with py-ocsf-models: every line must be a Compliance Finding
(class 2003) that ComplianceFinding accepts, and no attribute may be dropped by the model
(pydantic ignores unknown keys, so a misspelt attribute would otherwise pass silently).
Prints one problem per line; exit 1 when there is any. Run by tests/external_validators.rs."""
import json
import sys

from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding

# py-ocsf-models 0.10.0 models OCSF 1.5.0 and has `compliance.status_id` but not its sibling
# `compliance.status` (OCSF's caption of status_id, in the OCSF schema since 1.1). That one
# attribute is accepted as dropped, and only when its status_id is there.
MODEL_LACKS = {"compliance/status": "compliance/status_id"}


def dropped(given, parsed, path, out):
    if isinstance(given, dict):
        for key, value in given.items():
            sub = f"{path}/{key}" if path else key
            if not isinstance(parsed, dict) or key not in parsed:
                needs = MODEL_LACKS.get(sub)
                if needs is None or needs.rsplit("/", 1)[1] not in given:
                    out.append(f"{sub}: not an attribute of the OCSF model (dropped)")
            else:
                dropped(value, parsed[key], sub, out)
    elif isinstance(given, list) and isinstance(parsed, list):
        for i, (g, p) in enumerate(zip(given, parsed)):
            dropped(g, p, f"{path}/{i}", out)


problems = []
count = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        if not line.strip():
            continue
        count += 1
        try:
            event = json.loads(line)
            model = ComplianceFinding(**event)
        except Exception as e:  # noqa: BLE001 - report whatever the model raises
            problems.append(f"line {n}: {e}")
            continue
        if event.get("class_uid") != 2003:
            problems.append(f"line {n}: class_uid {event.get('class_uid')!r}, not 2003")
        out = []
        dropped(event, model.model_dump(mode="json", exclude_unset=True, by_alias=True), "", out)
        problems.extend(f"line {n}: {p}" for p in out)
if count == 0:
    problems.append("no events")
for p in problems:
    print(p)
print(f"{count} events, {len(problems)} problems", file=sys.stderr)
sys.exit(1 if problems else 0)
