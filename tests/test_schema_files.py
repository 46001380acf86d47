"""schema/ is generated from the models; the committed files must not drift."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from labledger.db.schema_export import schema_drift

REPO = Path(__file__).resolve().parents[1]


def test_committed_schema_matches_the_models() -> None:
    assert schema_drift(REPO / "schema") == [], "run `labledger schema` and commit schema/"


def test_demo_records_validate_against_their_json_schema() -> None:
    for path in sorted((REPO / "records").rglob("*.yaml")):
        if "raw" in path.parts:
            continue
        data = yaml.safe_load(path.read_text())
        schema = json.loads((REPO / "schema" / f"{data['kind']}.schema.json").read_text())
        # dates are YAML dates; JSON Schema sees their ISO text
        data = json.loads(json.dumps(data, default=str))
        jsonschema.validate(data, schema)


def test_json_schema_rejects_what_the_model_rejects() -> None:
    schema = json.loads((REPO / "schema" / "batch.schema.json").read_text())
    bad = {"id": "B-1", "kind": "batch", "date": "2025-01-01", "li2co3_excess_pct": 120}
    try:
        jsonschema.validate(bad, schema)
    except jsonschema.ValidationError as err:
        assert "120" in err.message
    else:  # pragma: no cover
        raise AssertionError("schema accepted 120 %")


def test_config_schema_accepts_the_shipped_config() -> None:
    schema = json.loads((REPO / "schema" / "config.schema.json").read_text())
    jsonschema.validate(yaml.safe_load((REPO / "config.yaml").read_text()), schema)
