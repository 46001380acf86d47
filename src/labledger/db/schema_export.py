"""The schema/ folder: JSON Schema of each record kind and of config.yaml, and the SQL views.

All of it is generated from the models (`labledger schema`); a test fails when the committed
files drift from what the models say.
"""

from __future__ import annotations

import json
from pathlib import Path

from labledger.config import ConfigFile
from labledger.db.engine import views_sql
from labledger.records.kinds import KINDS

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_files() -> dict[str, str]:
    """File name -> content of every generated file in schema/."""
    files = {}
    for kind, model in KINDS.items():
        schema = {"$schema": JSON_SCHEMA_DIALECT, **model.model_json_schema()}
        schema["title"] = f"labledger {kind} record"
        files[f"{kind}.schema.json"] = json.dumps(schema, indent=2, sort_keys=False) + "\n"
    config = {"$schema": JSON_SCHEMA_DIALECT, **ConfigFile.model_json_schema()}
    config["title"] = "labledger config.yaml"
    files["config.schema.json"] = json.dumps(config, indent=2) + "\n"
    files["views.sql"] = views_sql()
    return files


def write_schema(folder: Path) -> list[Path]:
    """Write every generated file into `folder`; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in schema_files().items():
        path = folder / name
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written


def schema_drift(folder: Path) -> list[str]:
    """Names of files in `folder` that are missing or differ from what the models generate."""
    drift = []
    for name, content in schema_files().items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            drift.append(name)
    return drift
