# Shared settings of the rules: folders, the labledger command, record discovery by path.
import sys
from pathlib import Path

import labledger.analysis_versions as VERSIONS
from labledger.workflow_support import analysable

RECORDS = config.get("records_dir", "records")
RESULTS = config.get("results_dir", "results")
# The config file this run uses, handed to every labledger command so both read the same one.
CONFIGFILE = (workflow.overwrite_configfiles or workflow.configfiles or ["config.yaml"])[-1]
LABLEDGER = f"{sys.executable} -m labledger --config {CONFIGFILE}"

# Records with a raw file, per analysed kind: id -> (record file, raw file).
CELLS = analysable(Path(RECORDS) / "cells")


def record_files():
    """Every record and raw file, discovered by path (never parsed while building the DAG)."""
    return sorted(
        str(p) for p in Path(RECORDS).rglob("*") if p.is_file() and not p.name.startswith(".")
    )
